package io.capwatch.prevalence;

import io.capwatch.rule.WindowsPath;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The key a binary's prevalence is stored under: its SHA-256 when known, else its executable
 * path in correlation form (lower case, no drive), so that records and alerts agree however the
 * path was spelled.
 */
public final class PrevalenceKey {
    private static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");

    private PrevalenceKey() {}

    /** Returns the key of a started process. */
    public static String of(String sha256, String executable) {
        if (sha256 != null && SHA256.matcher(sha256).matches()) {
            return sha256.toLowerCase(Locale.ROOT);
        }
        return WindowsPath.correlationKey(executable);
    }

    /** Returns the key of a prevalence record's {@code binary} field: a hash or a path. */
    public static String ofRecordBinary(String binary) {
        if (SHA256.matcher(binary).matches()) {
            return binary.toLowerCase(Locale.ROOT);
        }
        return WindowsPath.correlationKey(binary);
    }
}
