package io.capwatch.alert;

import io.capwatch.correlation.Candidate;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Deterministic document ids. An alert's id depends only on the rule id and its start event's
 * identity (key, entity id, start time). Arrival order, the connection that completed it and
 * wall-clock time play no part, so a replay after a restart and a backfill over the same data
 * write the same document again instead of a second one.
 */
public final class AlertIds {
    private AlertIds() {}

    /** Returns the 40-hex-digit id of the alert raised for {@code start} by rule {@code ruleId}. */
    public static String alertId(String ruleId, Candidate start) {
        return sha256Hex(
                ruleId
                        + '\n'
                        + start.key
                        + '\n'
                        + (start.event.entityId == null ? "" : start.event.entityId.toLowerCase(
                                java.util.Locale.ROOT))
                        + '\n'
                        + start.event.timestamp);
    }

    /** Returns a 40-hex-digit id derived from the given text. */
    public static String sha256Hex(String text) {
        try {
            byte[] digest =
                    MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            // 160 bits: collisions stay out of reach for any fleet's alert volume.
            return HexFormat.of().formatHex(digest, 0, 20);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides SHA-256", e);
        }
    }
}
