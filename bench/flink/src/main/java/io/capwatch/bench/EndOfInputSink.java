package io.capwatch.bench;

import io.capwatch.sink.elasticsearch.IndexedDocument;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * Discards documents and notes when its input ends, as {@link System#nanoTime()}, so a bounded run
 * can be timed up to the moment the last record left the pipeline. The job's own end comes later,
 * after a final checkpoint that can take up to one checkpoint interval.
 *
 * <p>The time is kept in a static field, so it is only seen by a MiniCluster in this JVM.
 */
final class EndOfInputSink implements Sink<IndexedDocument> {
    private static final long serialVersionUID = 1L;

    /** The latest end of input of any writer since the last {@link #reset}; 0 for none. */
    private static final AtomicLong LAST_END_NANOS = new AtomicLong();

    static void reset() {
        LAST_END_NANOS.set(0);
    }

    static long lastEndNanos() {
        return LAST_END_NANOS.get();
    }

    @Override
    public SinkWriter<IndexedDocument> createWriter(WriterInitContext context) {
        return new SinkWriter<>() {
            @Override
            public void write(IndexedDocument document, Context context) {}

            @Override
            public void flush(boolean endOfInput) {
                if (endOfInput) {
                    long now = System.nanoTime();
                    LAST_END_NANOS.accumulateAndGet(now, Math::max);
                }
            }

            @Override
            public void close() {}
        };
    }
}
