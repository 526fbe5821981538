package io.capwatch.testing;

import io.capwatch.sink.elasticsearch.IndexedDocument;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * A sink that keeps every document in memory for the test that created it. Works with the
 * MiniCluster, which runs in the test's JVM; each instance has its own id, so tests can run in
 * parallel.
 */
public final class CollectingSink implements Sink<IndexedDocument> {
    private static final long serialVersionUID = 1L;
    private static final Map<String, Queue<IndexedDocument>> RECEIVED = new ConcurrentHashMap<>();

    private final String id = UUID.randomUUID().toString();

    public CollectingSink() {
        RECEIVED.put(id, new ConcurrentLinkedQueue<>());
    }

    /** Returns what the sink received so far; {@link #close} discards it. */
    public List<IndexedDocument> documents() {
        return List.copyOf(RECEIVED.get(id));
    }

    public void close() {
        RECEIVED.remove(id);
    }

    @Override
    public SinkWriter<IndexedDocument> createWriter(WriterInitContext context) {
        Queue<IndexedDocument> queue = RECEIVED.get(id);
        return new SinkWriter<>() {
            @Override
            public void write(IndexedDocument element, Context context) {
                queue.add(element);
            }

            @Override
            public void flush(boolean endOfInput) {}

            @Override
            public void close() {}
        };
    }
}
