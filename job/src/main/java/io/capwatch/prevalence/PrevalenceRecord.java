package io.capwatch.prevalence;

import java.io.Serializable;

/**
 * Fleet prevalence of one binary: on how many distinct hosts it ran, since when, as of when.
 *
 * <p>In files and topics it is one JSON object per line: {@code {"binary": "<sha256 or path>",
 * "host_count": 12, "first_seen": "2024-05-01T00:00:00Z", "as_of": "2024-05-14T08:00:00Z"}}. A
 * record replaces the one held for its binary only when its {@code as_of} is newer. A Flink POJO.
 */
public class PrevalenceRecord implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The lookup key: a lower-case SHA-256, or a path's correlation key (see PrevalenceKey). */
    public String binary;

    public long hostCount;
    /** Epoch milliseconds, or {@code null} when the record has no {@code first_seen}. */
    public Long firstSeen;
    /** Epoch milliseconds of the snapshot. */
    public long asOf;
    /**
     * The input the record arrived on; not part of the JSON shape. {@code null} before the
     * broadcast input read it, and in state restored from a savepoint taken before it existed.
     */
    public PrevalenceSource source;

    public PrevalenceRecord() {}

    public PrevalenceRecord(String binary, long hostCount, Long firstSeen, long asOf) {
        this.binary = binary;
        this.hostCount = hostCount;
        this.firstSeen = firstSeen;
        this.asOf = asOf;
    }
}
