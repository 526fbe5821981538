package io.capwatch.ingest;

import io.capwatch.event.DeadLetterReason;
import java.io.Serializable;

/**
 * A record the job could not use, with the reason. A Flink POJO. {@code original} is the record
 * as read, in full, so the dead-letter output keeps everything the job dropped.
 */
public class DeadLetter implements Serializable {
    private static final long serialVersionUID = 1L;

    public DeadLetterReason reason;
    /** The problem, naming the field and value where there is one. */
    public String detail;
    /** The record's origin ({@code file:line}). */
    public String origin;
    /** The source format if it was recognized, else {@code null}. */
    public String source;
    public String original;
    /** Processing time of the decision, epoch milliseconds. */
    public long failedAt;

    public DeadLetter() {}

    public DeadLetter(
            DeadLetterReason reason, String detail, String origin, String source, String original) {
        this.reason = reason;
        this.detail = detail;
        this.origin = origin;
        this.source = source;
        this.original = original;
        this.failedAt = System.currentTimeMillis();
    }
}
