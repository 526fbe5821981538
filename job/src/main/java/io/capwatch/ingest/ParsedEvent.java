package io.capwatch.ingest;

import io.capwatch.event.SecurityEvent;
import java.io.Serializable;

/**
 * A normalized event that still carries its raw record, so that an event found late can go to
 * the late-events output as it was read. The raw text is dropped once the late check passed.
 */
public class ParsedEvent implements Serializable {
    private static final long serialVersionUID = 1L;

    public SecurityEvent event;
    public String origin;
    public String raw;

    public ParsedEvent() {}

    public ParsedEvent(SecurityEvent event, String origin, String raw) {
        this.event = event;
        this.origin = origin;
        this.raw = raw;
    }
}
