package io.capwatch.bench.correlation;

import io.capwatch.correlation.Candidate;
import java.io.Serializable;
import java.util.Comparator;

/**
 * The order in which the correlation reads one key's candidates: event time, then {@code
 * event.sequence} where both candidates carry one, else starts before signatures before
 * connections. This is the order the job gives CEP, rebuilt here from the public API because
 * the job's comparator is internal to its package.
 */
final class EventOrder implements Comparator<Candidate>, Serializable {
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
