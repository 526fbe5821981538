package io.capwatch.sink.elasticsearch;

import org.slf4j.Logger;

import java.util.List;

/**
 * Logs the writer's retries at a bounded rate: the first retry after a healthy period at once, then
 * at most one line per {@link #INTERVAL_MILLIS}, which also counts the retries left out since the
 * line before. The first bulk request that needs no retry afterwards logs that the cluster accepts
 * documents again. Called from the client's I/O threads, hence synchronized.
 */
final class RetryLog {

    static final long INTERVAL_MILLIS = 10_000;

    private final Logger log;
    private final String bound;
    private long retryingSinceMillis;
    private long nextLineAtMillis;
    private long retriesSinceLine;
    private long retriesInPeriod;

    RetryLog(Logger log, String bound) {
        this.log = log;
        this.bound = bound;
    }

    /** Records that {@code retries} are about to be retried after {@code cause}. */
    synchronized void retrying(List<DocumentRequest> retries, String cause, long nowMillis) {
        if (retryingSinceMillis == 0) {
            retryingSinceMillis = nowMillis;
            nextLineAtMillis = nowMillis;
        }
        retriesSinceLine += retries.size();
        retriesInPeriod += retries.size();
        if (nowMillis < nextLineAtMillis) {
            return;
        }
        long oldestFailure =
                retries.stream()
                        .mapToLong(DocumentRequest::firstFailureMillis)
                        .min()
                        .orElse(nowMillis);
        log.warn(
                "Retrying {} documents after {} (attempt {}, failing for {} s, retrying {});"
                        + " {} document retries since the last such line; ids {}",
                retries.size(),
                LogText.truncate(cause),
                retries.stream().mapToInt(DocumentRequest::failedAttempts).max().orElse(0) + 1,
                (nowMillis - oldestFailure) / 1000,
                bound,
                retriesSinceLine,
                IdSummary.of(retries, DocumentRequest::id));
        retriesSinceLine = 0;
        nextLineAtMillis = nowMillis + INTERVAL_MILLIS;
    }

    /** Records a bulk request whose documents all succeeded or were rejected for good. */
    synchronized void settled(long nowMillis) {
        if (retryingSinceMillis == 0) {
            return;
        }
        log.info(
                "Elasticsearch accepts bulk requests again after {} s of retries; {} document"
                        + " retries in that time",
                (nowMillis - retryingSinceMillis) / 1000,
                retriesInPeriod);
        retryingSinceMillis = 0;
        retriesSinceLine = 0;
        retriesInPeriod = 0;
    }
}
