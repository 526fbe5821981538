package io.capwatch.tools;

import java.io.IOException;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * Shuffles delivery within a bound, the way collectors and brokers reorder events: each event is
 * held back by a random delay of 0 to {@code boundMillis} of event time, and events leave in order
 * of their event time plus that delay. No event is written after an event whose time is more than
 * {@code boundMillis} later than its own, so a job whose out-of-orderness bound is at least as
 * large gets no late events.
 */
final class DeliveryBuffer {

    /** The destination of shuffled events. The key keeps one host's events in one partition. */
    interface Output {
        void write(String key, byte[] line) throws IOException;
    }

    private record Held(long releaseMillis, long sequence, String key, byte[] line) {}

    private final long boundMillis;
    private final SplittableRandom random;
    private final Output output;
    private final PriorityQueue<Held> held =
            new PriorityQueue<>(
                    (a, b) ->
                            a.releaseMillis != b.releaseMillis
                                    ? Long.compare(a.releaseMillis, b.releaseMillis)
                                    : Long.compare(a.sequence, b.sequence));
    private long sequence;

    DeliveryBuffer(long boundMillis, SplittableRandom random, Output output) {
        this.boundMillis = boundMillis;
        this.random = random;
        this.output = output;
    }

    /**
     * Adds an event of time {@code timeMillis}, which must not be below any earlier event's time.
     */
    void add(long timeMillis, String key, byte[] line) throws IOException {
        if (boundMillis == 0) {
            output.write(key, line);
            return;
        }
        held.add(new Held(timeMillis + random.nextLong(boundMillis + 1), sequence++, key, line));
        while (!held.isEmpty() && held.peek().releaseMillis <= timeMillis) {
            Held next = held.poll();
            output.write(next.key, next.line);
        }
    }

    /** Writes every event still held, in release order. */
    void flush() throws IOException {
        while (!held.isEmpty()) {
            Held next = held.poll();
            output.write(next.key, next.line);
        }
    }
}
