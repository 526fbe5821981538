package io.capwatch.sink.elasticsearch;

import java.io.Serializable;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff: the delay after the n-th failed attempt is {@code initial * 2^(n-1)}, capped
 * at {@code max}. With jitter, the delay is drawn uniformly from the upper half of that range, so
 * that many writers that failed together do not retry together.
 */
final class RetryBackoff implements Serializable {

    private static final long serialVersionUID = 1L;

    private final long initialMillis;
    private final long maxMillis;
    private final boolean jitter;

    RetryBackoff(Duration initial, Duration max, boolean jitter) {
        this.initialMillis = initial.toMillis();
        this.maxMillis = max.toMillis();
        this.jitter = jitter;
    }

    /** Returns the delay in milliseconds before the attempt that follows {@code failedAttempts}. */
    long delayMillis(int failedAttempts) {
        long delay = initialMillis;
        for (int i = 1; i < failedAttempts && delay < maxMillis; i++) {
            delay *= 2;
        }
        delay = Math.min(delay, maxMillis);
        if (!jitter || delay < 2) {
            return delay;
        }
        long half = delay / 2;
        return half + ThreadLocalRandom.current().nextLong(delay - half + 1);
    }

    @Override
    public String toString() {
        return "RetryBackoff{initial="
                + Duration.ofMillis(initialMillis)
                + ", max="
                + Duration.ofMillis(maxMillis)
                + ", jitter="
                + jitter
                + '}';
    }
}
