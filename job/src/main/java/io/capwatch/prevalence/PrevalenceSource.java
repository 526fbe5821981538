package io.capwatch.prevalence;

import java.util.Locale;

/**
 * The input a prevalence record came from, read from the origin of the raw record that carried it
 * into the broadcast input.
 */
public enum PrevalenceSource {
    /** A prevalence file given with {@code --prevalence}; its origin is {@code path:line}. */
    FILE,
    /** Derived by the job itself from the process starts it reads (see PrevalenceDerivation). */
    DERIVED,
    /** A prevalence topic shared by every instance of the job. */
    TOPIC;

    /** Origin prefix of raw records that carry derived prevalence. */
    public static final String DERIVED_ORIGIN_PREFIX = "derived:";
    /** Origin prefix that a prevalence topic's raw records are expected to carry. */
    public static final String TOPIC_ORIGIN_PREFIX = "topic:";

    /** Returns the source of a raw record with {@code origin}: a file unless a prefix marks it. */
    public static PrevalenceSource ofOrigin(String origin) {
        if (origin != null && origin.startsWith(DERIVED_ORIGIN_PREFIX)) {
            return DERIVED;
        }
        if (origin != null && origin.startsWith(TOPIC_ORIGIN_PREFIX)) {
            return TOPIC;
        }
        return FILE;
    }

    /** Returns the name written to alerts: {@code file}, {@code derived} or {@code topic}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
