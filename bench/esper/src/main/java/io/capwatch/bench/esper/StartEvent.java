package io.capwatch.bench.esper;

/** An untrusted process start. */
public final class StartEvent extends KeyedEvent {
    public StartEvent(String key, long timestamp, String entityId) {
        super(key, timestamp, entityId);
    }
}
