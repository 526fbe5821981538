package io.capwatch.bench.esper;

/** An outbound connection to an address outside the internal networks. */
public final class ConnectionEvent extends KeyedEvent {
    public ConnectionEvent(String key, long timestamp, String entityId) {
        super(key, timestamp, entityId);
    }
}
