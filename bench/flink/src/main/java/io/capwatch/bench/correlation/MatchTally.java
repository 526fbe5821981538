package io.capwatch.bench.correlation;

import io.capwatch.correlation.Match;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * A discarding sink that counts matches, folds them into an order-independent digest and notes
 * when its input ended. The totals are static: the benchmark runs its job on a local MiniCluster
 * in its own JVM, so the sink and the caller share them. Call {@link #reset} before a job.
 */
public final class MatchTally implements Sink<Match> {
    private static final long serialVersionUID = 1L;

    private static final AtomicLong COUNT = new AtomicLong();
    private static final AtomicLong DIGEST = new AtomicLong();
    private static final AtomicLong END_NANOS = new AtomicLong();

    /** Clears the totals of a previous job. */
    public static void reset() {
        COUNT.set(0);
        DIGEST.set(0);
        END_NANOS.set(0);
    }

    public static long count() {
        return COUNT.get();
    }

    public static long digest() {
        return DIGEST.get();
    }

    /** Returns {@link System#nanoTime} when the sink's input ended, or 0 before that. */
    public static long endNanos() {
        return END_NANOS.get();
    }

    /**
     * Hashes one match by its key and the two event times. The Esper module computes the same
     * hash, which works across JVMs because the Java language specification fixes
     * String.hashCode. The digest is the sum over all matches modulo 2^64. Two engines agree on
     * it only if they find the same multiset of (key, start time, connection time), barring a
     * hash collision.
     */
    public static long hash(String key, long startMillis, long connectionMillis) {
        long h = (key.hashCode() * 0x9E3779B97F4A7C15L + startMillis) * 0xC2B2AE3D27D4EB4FL;
        h = ((h + connectionMillis) ^ (h >>> 31)) * 0xFF51AFD7ED558CCDL;
        return h ^ (h >>> 33);
    }

    @Override
    public SinkWriter<Match> createWriter(WriterInitContext context) {
        return new Writer();
    }

    private static final class Writer implements SinkWriter<Match> {
        @Override
        public void write(Match match, Context context) {
            COUNT.incrementAndGet();
            DIGEST.addAndGet(
                    hash(match.start.key, match.start.timestamp(), match.connection.timestamp()));
        }

        /**
         * Notes the end of input here, where the last match has arrived, rather than when the
         * job finishes, which with checkpointing on also waits for a final checkpoint.
         */
        @Override
        public void flush(boolean endOfInput) {
            if (endOfInput) {
                END_NANOS.set(System.nanoTime());
            }
        }

        @Override
        public void close() {}
    }
}
