package io.capwatch.event;

/**
 * Signals that a record must be dead-lettered. The parser catches it and turns it into a {@link
 * ParseResult}, so it never leaves {@link EventParser}. It carries no stack trace, because it is an
 * expected outcome for bad input rather than a bug.
 */
final class RecordException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Maximum length of a field value quoted in a detail message. */
    static final int MAX_QUOTED_VALUE = 200;

    private final DeadLetterReason reason;

    RecordException(DeadLetterReason reason, String detail) {
        super(detail, null, false, false);
        this.reason = reason;
    }

    DeadLetterReason reason() {
        return reason;
    }

    String detail() {
        return getMessage();
    }

    static RecordException missing(String detail) {
        return new RecordException(DeadLetterReason.MISSING_FIELD, detail);
    }

    /** Returns an INVALID_FIELD exception whose detail reads "{field} {problem}: "{value}"". */
    static RecordException invalid(String field, String problem, String value) {
        return new RecordException(
                DeadLetterReason.INVALID_FIELD, field + " " + problem + ": " + quote(value));
    }

    /**
     * Quotes a value for a detail message, cut to {@link #MAX_QUOTED_VALUE} chars, with control
     * characters escaped so that the message stays on one line.
     */
    static String quote(String value) {
        if (value == null) {
            return "null";
        }
        int quotedLength = Math.min(value.length(), MAX_QUOTED_VALUE);
        StringBuilder out = new StringBuilder(quotedLength + 24).append('"');
        for (int i = 0; i < quotedLength; i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        out.append('"');
        if (value.length() > quotedLength) {
            out.append("... (").append(value.length()).append(" chars)");
        }
        return out.toString();
    }
}
