package io.capwatch.correlation;

import org.apache.flink.cep.EventComparator;

/**
 * Orders candidates that share a timestamp. The times the events carry come first: the gate hands
 * CEP a start stamped with the time of the connection that completes it, so a start can share
 * the connection's timestamp while being older. Between events of one millisecond, where both
 * carry {@code event.sequence} it decides; otherwise starts come before signatures and
 * signatures before connections, so a connection logged in the same millisecond as its process
 * start still follows it.
 *
 * <p>NOTE: with sequences on some candidates of a millisecond and not on others this is not a
 * total order; it only matters when one key mixes sources within one millisecond.
 */
final class CandidateOrder implements EventComparator<Candidate> {
    private static final long serialVersionUID = 1L;

    @Override
    public int compare(Candidate a, Candidate b) {
        int byTime = Long.compare(a.timestamp(), b.timestamp());
        if (byTime != 0) {
            return byTime;
        }
        Long sequenceA = a.event.sequence;
        Long sequenceB = b.event.sequence;
        if (sequenceA != null && sequenceB != null) {
            return Long.compare(sequenceA, sequenceB);
        }
        return Integer.compare(a.kind.ordinal(), b.kind.ordinal());
    }
}
