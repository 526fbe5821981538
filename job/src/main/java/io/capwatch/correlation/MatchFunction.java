package io.capwatch.correlation;

import io.capwatch.metrics.CounterNames;
import io.capwatch.metrics.Tally;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.cep.functions.PatternProcessFunction;
import org.apache.flink.cep.functions.TimedOutPartialMatchHandler;
import org.apache.flink.util.Collector;

/**
 * Turns completed sequences into {@link Match}es and counts pending starts whose window closed
 * without a connection. CEP's runtime context has no accumulators, so the expired count is a
 * metric only.
 */
final class MatchFunction extends PatternProcessFunction<Candidate, Match>
        implements TimedOutPartialMatchHandler<Candidate> {
    private static final long serialVersionUID = 1L;

    private transient Tally expired;

    @Override
    public void open(OpenContext openContext) {
        expired = Tally.register(getRuntimeContext(), CounterNames.STARTS_EXPIRED);
    }

    @Override
    public void processMatch(
            Map<String, List<Candidate>> match, Context ctx, Collector<Match> out) {
        out.collect(
                new Match(
                        match.get(SequencePattern.START).get(0),
                        match.get(SequencePattern.CONNECTION).get(0)));
    }

    @Override
    public void processTimedOutMatch(Map<String, List<Candidate>> match, Context ctx) {
        expired.inc();
    }
}
