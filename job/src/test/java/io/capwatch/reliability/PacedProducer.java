package io.capwatch.reliability;

import io.capwatch.testing.KafkaBroker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Produces records to partition 0 of a topic at a fixed rate of records per wall-clock second, so
 * that a fault lands while the job is consuming a live stream. Offsets on a new single-partition
 * topic are then the records' indexes, which the tests use to name where each record went.
 */
final class PacedProducer {
    /** Records per send; every batch waits for the broker's acknowledgement. */
    private static final int BATCH = 100;

    private final KafkaBroker kafka;
    private final String topic;
    private final int recordsPerSecond;

    PacedProducer(KafkaBroker kafka, String topic, int recordsPerSecond) {
        this.kafka = kafka;
        this.topic = topic;
        this.recordsPerSecond = recordsPerSecond;
    }

    /** Produces {@code records[from, to)} in a background thread and returns its duration. */
    CompletableFuture<Duration> startProducing(List<String> records, int from, int to) {
        return CompletableFuture.supplyAsync(() -> produce(records, from, to));
    }

    /**
     * Produces {@code records[from, to)} and returns how long it took. A batch that falls behind
     * the schedule is sent at once, so the rate is a maximum.
     */
    Duration produce(List<String> records, int from, int to) {
        long started = System.nanoTime();
        for (int batchStart = from; batchStart < to; batchStart += BATCH) {
            long due = started + (long) ((batchStart - from) * 1e9 / recordsPerSecond);
            sleepUntil(due);
            List<KafkaBroker.Message> batch = new ArrayList<>(BATCH);
            for (int i = batchStart; i < Math.min(to, batchStart + BATCH); i++) {
                batch.add(KafkaBroker.Message.toPartition(0, null, records.get(i)));
            }
            kafka.produceMessages(topic, batch);
        }
        return Duration.ofNanos(System.nanoTime() - started);
    }

    private static void sleepUntil(long nanoTime) {
        long wait = nanoTime - System.nanoTime();
        if (wait <= 0) {
            return;
        }
        try {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while pacing records", e);
        }
    }
}
