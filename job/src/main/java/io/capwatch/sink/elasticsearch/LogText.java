package io.capwatch.sink.elasticsearch;

/** Shortens text from Elasticsearch or a document before it goes into a log line. */
final class LogText {

    /** Characters of one field kept in a log line; error reasons can quote whole field values. */
    static final int MAX_CHARS = 512;

    private LogText() {}

    /** Returns {@code text} cut to {@link #MAX_CHARS} characters, with the number cut. */
    static String truncate(String text) {
        if (text == null || text.length() <= MAX_CHARS) {
            return text;
        }
        int end = MAX_CHARS;
        if (Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(0, end) + "... (" + (text.length() - end) + " more characters)";
    }
}
