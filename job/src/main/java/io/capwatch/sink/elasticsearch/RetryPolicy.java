package io.capwatch.sink.elasticsearch;

import java.io.Serializable;
import java.time.Duration;

/**
 * When the sink retries a document that failed with a retriable error (HTTP 429, 5xx, no response):
 * while less than {@code retryTimeout} has passed since its first failure and it has had fewer than
 * {@code maxAttempts} attempts, after the delay that {@link RetryBackoff} draws.
 *
 * <p>The first-failure time lives only in the writer's memory, so a document restored from a
 * checkpoint starts a new retry period at its next failure.
 */
final class RetryPolicy implements Serializable {

    private static final long serialVersionUID = 1L;

    private final RetryBackoff backoff;
    private final long retryTimeoutMillis;
    private final int maxAttempts;

    /**
     * @param backoff the delay between attempts
     * @param retryTimeout how long after its first failure a document may still be retried
     * @param maxAttempts bulk attempts per document, counting the first; {@link Integer#MAX_VALUE}
     *     leaves only the time bound
     */
    RetryPolicy(RetryBackoff backoff, Duration retryTimeout, int maxAttempts) {
        this.backoff = backoff;
        this.retryTimeoutMillis = retryTimeout.toMillis();
        this.maxAttempts = maxAttempts;
    }

    /**
     * Returns whether {@code failed}, which has just failed again (its count and first-failure time
     * already updated), gets another attempt at {@code nowMillis}.
     */
    boolean allowsRetry(DocumentRequest failed, long nowMillis) {
        if (failed.failedAttempts() >= maxAttempts) {
            return false;
        }
        return nowMillis - failed.firstFailureMillis() < retryTimeoutMillis;
    }

    /** Returns the delay in milliseconds before the attempt that follows {@code failedAttempts}. */
    long delayMillis(int failedAttempts) {
        return backoff.delayMillis(failedAttempts);
    }

    Duration retryTimeout() {
        return Duration.ofMillis(retryTimeoutMillis);
    }

    /** Returns a description of the attempt bound, for log lines. */
    String describeBound() {
        String time = "for up to " + retryTimeout();
        return maxAttempts == Integer.MAX_VALUE ? time : time + " or " + maxAttempts + " attempts";
    }

    @Override
    public String toString() {
        return "RetryPolicy{retryTimeout="
                + retryTimeout()
                + ", maxAttempts="
                + (maxAttempts == Integer.MAX_VALUE ? "unlimited" : String.valueOf(maxAttempts))
                + ", "
                + backoff
                + '}';
    }
}
