package io.capwatch.event;

/** The destination of a raw record after parsing. Every record lands in exactly one of these. */
public enum ParseOutcome {
    /** Recognized and normalized into a {@link SecurityEvent} the rule reads. */
    EVENT,
    /**
     * Recognized as a supported source, but of an event type the rule never reads (a Sysmon
     * registry event, a Windows Security audit event, an Endpoint file event). Counted per
     * source, not dead-lettered.
     */
    IGNORED,
    /** Not JSON, of an unknown shape, or missing or invalid in a field the rule needs. */
    DEAD_LETTER
}
