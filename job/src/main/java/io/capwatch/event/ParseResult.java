package io.capwatch.event;

/**
 * The result of parsing one raw record: an event, an ignored record of a known source, or a
 * dead-letter reason.
 *
 * @param outcome where the record goes
 * @param source the recognized source; {@code null} when the shape was not recognized
 * @param event the normalized event when {@code outcome == EVENT}, else {@code null}
 * @param reason a stable machine-readable reason code when dead-lettered (see {@link
 *     DeadLetterReason}), else {@code null}
 * @param detail a human-readable explanation naming the field and value, or {@code null}
 */
public record ParseResult(
        ParseOutcome outcome,
        EventSource source,
        SecurityEvent event,
        DeadLetterReason reason,
        String detail) {

    public static ParseResult event(SecurityEvent event) {
        return new ParseResult(ParseOutcome.EVENT, event.source, event, null, null);
    }

    public static ParseResult ignored(EventSource source) {
        return new ParseResult(ParseOutcome.IGNORED, source, null, null, null);
    }

    public static ParseResult deadLetter(EventSource source, DeadLetterReason reason, String detail) {
        return new ParseResult(ParseOutcome.DEAD_LETTER, source, null, reason, detail);
    }
}
