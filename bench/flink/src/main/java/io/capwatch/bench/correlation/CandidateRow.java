package io.capwatch.bench.correlation;

import io.capwatch.correlation.Candidate;
import io.capwatch.correlation.CandidateKind;
import io.capwatch.correlation.Trust;
import io.capwatch.event.Direction;
import io.capwatch.event.EventAction;
import io.capwatch.event.EventSource;
import io.capwatch.event.SecurityEvent;
import io.capwatch.rule.Platform;

/**
 * One candidate of the benchmark input, as one line of the candidate file. The row keeps only
 * what the correlation reads, so the file stays small and each engine builds its own event
 * objects from it.
 *
 * @param timestamp event time in epoch milliseconds
 * @param key the correlation key: host, path key and pid joined as {@link Candidate#key} does
 * @param trust the start's signature verdict, or {@code null} for connections
 * @param entityId the process GUID, or {@code null} where the source logs none
 * @param sequence {@code event.sequence}, or {@code null}
 * @param destinationIp the connection's destination, or {@code null} for starts
 */
public record CandidateRow(
        CandidateKind kind,
        long timestamp,
        String key,
        Trust trust,
        Platform platform,
        String entityId,
        Long sequence,
        String destinationIp) {

    private static final char KEY_SEPARATOR = '\u001f';

    /**
     * Builds the candidate that {@code CandidateSelector} would emit for this row. The host,
     * executable and pid come back out of the key, so the rule exceptions see the same values.
     */
    public Candidate toCandidate() {
        int first = key.indexOf(KEY_SEPARATOR);
        int last = key.lastIndexOf(KEY_SEPARATOR);
        SecurityEvent event = new SecurityEvent();
        event.source = platform == Platform.LINUX ? EventSource.AUDITBEAT_SYSTEM : EventSource.ENDPOINT;
        event.timestamp = timestamp;
        event.sequence = sequence;
        event.hostId = key.substring(0, first);
        event.executable = key.substring(first + 1, last);
        event.pid = Long.parseLong(key.substring(last + 1));
        event.entityId = entityId;
        event.hostOsType = platform.key();
        if (kind == CandidateKind.CONNECTION) {
            event.action = EventAction.NETWORK_CONNECTION;
            event.direction = Direction.OUTBOUND;
            event.destinationIp = destinationIp;
            event.destinationPort = 443;
        } else {
            event.action =
                    kind == CandidateKind.START ? EventAction.PROCESS_START : EventAction.IMAGE_LOAD;
            event.signatureExists = trust == Trust.UNTRUSTED ? Boolean.FALSE : null;
        }
        Candidate candidate = new Candidate(kind, trust, key, platform, event);
        if (platform == Platform.LINUX) {
            candidate.signatureOrigin = "none";
        }
        return candidate;
    }
}
