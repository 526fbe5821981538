package io.capwatch.alert;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.capwatch.ingest.DeadLetter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/** Writes a {@link DeadLetter} as a document for the dead-letter index. */
public final class DeadLetterDocument {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The maximum characters of the original record a dead letter keeps: 256 Ki, well inside the
     * sink's 1 MiB limit per document even when every character takes three bytes.
     */
    static final int MAX_ORIGINAL_CHARS = 256 * 1024;

    private DeadLetterDocument() {}

    /**
     * Returns the document id: derived from where the record came from, its reason and content,
     * so a re-run over the same input does not store it twice.
     */
    public static String id(DeadLetter deadLetter) {
        return AlertIds.sha256Hex(
                deadLetter.origin + '\n' + deadLetter.reason + '\n' + deadLetter.original);
    }

    public static byte[] toJson(DeadLetter deadLetter) {
        ObjectNode doc = JSON.createObjectNode();
        doc.put("@timestamp", Instant.ofEpochMilli(deadLetter.failedAt).toString());
        doc.putObject("event").put("kind", "pipeline_error").put("module", "capwatch");
        ObjectNode error = doc.putObject("error");
        error.put("type", deadLetter.reason.name());
        if (deadLetter.detail != null) {
            error.put("message", deadLetter.detail);
        }
        ObjectNode letter = doc.putObject("capwatch").putObject("dead_letter");
        letter.put("reason", deadLetter.reason.name());
        letter.put("origin", deadLetter.origin);
        if (deadLetter.source != null) {
            letter.put("source", deadLetter.source.toLowerCase(java.util.Locale.ROOT));
        }
        if (deadLetter.original != null) {
            String original = deadLetter.original;
            if (original.length() > MAX_ORIGINAL_CHARS) {
                // The whole record would make the dead letter itself too large to index; its
                // start and its size still identify it at its origin.
                letter.put("original_truncated", true);
                letter.put("original_chars", original.length());
                original = original.substring(0, MAX_ORIGINAL_CHARS);
            }
            letter.put("original", original);
        }
        return doc.toString().getBytes(StandardCharsets.UTF_8);
    }
}
