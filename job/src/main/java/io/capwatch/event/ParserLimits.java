package io.capwatch.event;

import java.io.Serializable;

/**
 * Size limits that {@link EventParser} enforces on each record. A record over any of them is
 * dead-lettered as {@link DeadLetterReason#TOO_LARGE}.
 *
 * @param maxRecordBytes maximum size of one record in UTF-8 bytes
 * @param maxNestingDepth maximum depth of nested JSON objects and arrays, the root object counting
 *     as 1
 * @param maxStringLength maximum length in chars of a JSON string value that the parser reads;
 *     strings of fields it skips are not measured
 */
public record ParserLimits(int maxRecordBytes, int maxNestingDepth, int maxStringLength)
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

    /** Validates that every limit is positive. */
    public ParserLimits {
        requirePositive("maxRecordBytes", maxRecordBytes);
        requirePositive("maxNestingDepth", maxNestingDepth);
        requirePositive("maxStringLength", maxStringLength);
    }

    /** Returns the default limits. */
    public static ParserLimits defaults() {
        return new ParserLimits(
                DEFAULT_MAX_RECORD_BYTES, DEFAULT_MAX_NESTING_DEPTH, DEFAULT_MAX_STRING_LENGTH);
    }

    private static void requirePositive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }
}
