package io.capwatch.ingest;

import java.io.Serializable;

/**
 * One line of input as read, before parsing.
 *
 * <p>A Flink POJO. {@code origin} names where it came from so a dead-letter record can be traced
 * back: {@code file:line} for files.
 */
public class RawRecord implements Serializable {
    private static final long serialVersionUID = 1L;

    public String origin;
    public String text;

    public RawRecord() {}

    public RawRecord(String origin, String text) {
        this.origin = origin;
        this.text = text;
    }
}
