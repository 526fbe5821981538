package io.capwatch.sink.elasticsearch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import java.time.Duration;

class RetryBackoffTest {

    @Test
    void delayDoublesUpToMax() {
        RetryBackoff backoff =
                new RetryBackoff(Duration.ofMillis(100), Duration.ofMillis(1000), false);
        assertEquals(100, backoff.delayMillis(1));
        assertEquals(200, backoff.delayMillis(2));
        assertEquals(400, backoff.delayMillis(3));
        assertEquals(800, backoff.delayMillis(4));
        assertEquals(1000, backoff.delayMillis(5));
        assertEquals(1000, backoff.delayMillis(Integer.MAX_VALUE));
    }

    @Test
    void jitterStaysInUpperHalf() {
        RetryBackoff backoff =
                new RetryBackoff(Duration.ofMillis(100), Duration.ofMillis(1000), true);
        for (int attempt = 1; attempt <= 6; attempt++) {
            long full = Math.min(100L << (attempt - 1), 1000);
            for (int sample = 0; sample < 200; sample++) {
                long delay = backoff.delayMillis(attempt);
                assertTrue(delay >= full / 2, "delay " + delay + " below half of " + full);
                assertTrue(delay <= full, "delay " + delay + " above " + full);
            }
        }
    }
}
