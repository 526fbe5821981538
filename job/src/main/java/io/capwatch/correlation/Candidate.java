package io.capwatch.correlation;

import io.capwatch.event.SecurityEvent;
import io.capwatch.rule.Platform;
import java.io.Serializable;

/**
 * An event that survived the stage filters and enters the keyed correlation, small enough to sit
 * in CEP state by the million. A Flink POJO.
 */
public class Candidate implements Serializable {
    private static final long serialVersionUID = 1L;

    /**
     * Separates the parts of {@link #key}. It cannot occur in host names or pids, so a key stays
     * unique even for a POSIX path that contains it: the path is everything between the first
     * and the last separator.
     */
    static final char KEY_SEPARATOR = '\u001f';

    public CandidateKind kind;
    public Trust trust;
    /** Host + correlation path + pid, the key of every correlation operator. */
    public String key;
    /** The platform whose rule profile selected the event. */
    public Platform platform;
    /**
     * The signature's origin: {@code process} (the start), {@code image_load}, or {@code none}
     * where the profile does not read signatures.
     */
    public String signatureOrigin;
    /** The normalized event, with fields the alert does not need removed. */
    public SecurityEvent event;

    public Candidate() {}

    public Candidate(
            CandidateKind kind, Trust trust, String key, Platform platform, SecurityEvent event) {
        this.kind = kind;
        this.trust = trust;
        this.key = key;
        this.platform = platform;
        this.event = event;
        this.signatureOrigin = "process";
    }

    /** Builds the correlation key from a host key, a {@code WindowsPath.correlationKey} and a pid. */
    public static String key(String hostKey, String pathKey, long pid) {
        return hostKey + KEY_SEPARATOR + pathKey + KEY_SEPARATOR + pid;
    }

    public long timestamp() {
        return event.timestamp;
    }

    @Override
    public String toString() {
        return kind + "/" + trust + " " + event;
    }
}
