package io.capwatch.correlation;

import java.util.List;
import java.util.Map;
import org.apache.flink.cep.functions.PatternProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Turns completed sequences into {@link Match}es. CEP receives each start together with the
 * connection that completes it (see {@link CandidateGate}), so no partial match times out here;
 * the gate counts the starts that expire.
 */
final class MatchFunction extends PatternProcessFunction<Candidate, Match> {
    private static final long serialVersionUID = 1L;

    @Override
    public void processMatch(
            Map<String, List<Candidate>> match, Context ctx, Collector<Match> out) {
        out.collect(
                new Match(
                        match.get(SequencePattern.START).get(0),
                        match.get(SequencePattern.CONNECTION).get(0)));
    }
}
