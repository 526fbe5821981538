package io.capwatch.bench.esper;

/** The fields that Esper's pattern reads from a candidate; subclasses name the event type. */
public abstract class KeyedEvent {
    private final String key;
    private final long timestamp;
    private final String entityId;

    KeyedEvent(String key, long timestamp, String entityId) {
        this.key = key;
        this.timestamp = timestamp;
        this.entityId = entityId;
    }

    /** The correlation key: host, path key and pid. */
    public String getKey() {
        return key;
    }

    /** Event time in epoch milliseconds. */
    public long getTimestamp() {
        return timestamp;
    }

    /** The process GUID, or {@code null}. */
    public String getEntityId() {
        return entityId;
    }
}
