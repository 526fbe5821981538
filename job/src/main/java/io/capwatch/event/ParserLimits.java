package io.capwatch.event;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * Limits that {@link EventParser} enforces on each record. A record over a size limit is
 * dead-lettered as {@link DeadLetterReason#TOO_LARGE}, and an event stamped too far ahead of the
 * wall clock as {@link DeadLetterReason#FUTURE_TIMESTAMP}.
 *
 * @param maxRecordBytes maximum size of one record in UTF-8 bytes
 * @param maxNestingDepth maximum depth of nested JSON objects and arrays, the root object counting
 *     as 1
 * @param maxStringLength maximum length in chars of a JSON string value that the parser reads;
 *     strings of fields it skips are not measured
 * @param maxFutureSkew how far an event's time may lie ahead of the parser's wall clock
 */
public record ParserLimits(
        int maxRecordBytes, int maxNestingDepth, int maxStringLength, Duration maxFutureSkew)
        implements Serializable {

    /**
     * 1 MiB: the Elastic sample documents are under 6 KiB each, and the longest line in 430,884
     * flat Windows events of the OTRF Security-Datasets recordings is 44,185 bytes.
     */
    public static final int DEFAULT_MAX_RECORD_BYTES = 1024 * 1024;

    /** ECS documents nest about 5 levels deep (process.Ext.code_signature), so 64 leaves room. */
    public static final int DEFAULT_MAX_NESTING_DEPTH = 64;

    /**
     * 128 Ki chars: above the 32,767-char limit of both a Windows command line and an extended
     * ({@code \\?\}) path, the longest strings the parser reads.
     */
    public static final int DEFAULT_MAX_STRING_LENGTH = 128 * 1024;

    /**
     * 1 minute, the default out-of-orderness bound of the job. The watermark trails the newest
     * event time by that bound, so an event at most this far ahead moves the watermark no further
     * than the wall clock, and only events still in transit when it arrives can become late.
     */
    public static final Duration DEFAULT_MAX_FUTURE_SKEW = Duration.ofMinutes(1);

    /** Validates that every size limit is positive and the future skew is not negative. */
    public ParserLimits {
        requirePositive("maxRecordBytes", maxRecordBytes);
        requirePositive("maxNestingDepth", maxNestingDepth);
        requirePositive("maxStringLength", maxStringLength);
        Objects.requireNonNull(maxFutureSkew, "maxFutureSkew");
        if (maxFutureSkew.isNegative()) {
            throw new IllegalArgumentException(
                    "maxFutureSkew must not be negative, got " + maxFutureSkew);
        }
    }

    /** Creates size limits with {@link #DEFAULT_MAX_FUTURE_SKEW}. */
    public ParserLimits(int maxRecordBytes, int maxNestingDepth, int maxStringLength) {
        this(maxRecordBytes, maxNestingDepth, maxStringLength, DEFAULT_MAX_FUTURE_SKEW);
    }

    /** Returns the default limits. */
    public static ParserLimits defaults() {
        return new ParserLimits(
                DEFAULT_MAX_RECORD_BYTES,
                DEFAULT_MAX_NESTING_DEPTH,
                DEFAULT_MAX_STRING_LENGTH,
                DEFAULT_MAX_FUTURE_SKEW);
    }

    private static void requirePositive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }
}
