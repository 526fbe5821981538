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
    /** The reason the input could not be read past {@code origin}, or {@code null}. */
    public String readError;

    public RawRecord() {}

    /** Creates a record that stands for the unreadable rest of an input. */
    public static RawRecord unreadable(String origin, String error) {
        RawRecord record = new RawRecord(origin, null);
        record.readError = error;
        return record;
    }

    public RawRecord(String origin, String text) {
        this.origin = origin;
        this.text = text;
    }
}
