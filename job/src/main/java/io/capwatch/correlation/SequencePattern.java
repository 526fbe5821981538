package io.capwatch.correlation;

import java.time.Duration;
import org.apache.flink.cep.nfa.aftermatch.AfterMatchSkipStrategy;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.cep.pattern.conditions.IterativeCondition;
import org.apache.flink.cep.pattern.conditions.SimpleCondition;

/**
 * The rule's sequence as a Flink CEP pattern, for one key (host, executable, pid):
 *
 * <pre>
 *   start  (untrusted start)
 *   not followed by a newer untrusted start
 *   followed by connection (external, outbound, same process, 0 to window after the start)
 * </pre>
 *
 * <p>The latest start wins: a newer start of the key discards the pending partial match and
 * begins its own. Each start completes at most once, with the first qualifying connection
 * ({@code followedBy} is relaxed contiguity without branching), so later connections of the same
 * process do not alert again.
 *
 * <p>CEP's {@code within(w)} drops a partial match once {@code t - start >= w}, an exclusive end.
 * The rule's window includes its end, so the pattern uses {@code within(window + 1 ms)}: event
 * times are whole milliseconds, and a connection exactly one window after its start still
 * matches.
 */
public final class SequencePattern {
    public static final String START = "start";
    public static final String NEWER_START = "newer-start";
    public static final String CONNECTION = "connection";

    private SequencePattern() {}

    public static Pattern<Candidate, Candidate> of(Duration window) {
        long windowMillis = window.toMillis();
        return Pattern.<Candidate>begin(START, AfterMatchSkipStrategy.noSkip())
                .where(new IsUntrustedStart())
                .notFollowedBy(NEWER_START)
                .where(new IsUntrustedStart())
                .followedBy(CONNECTION)
                .where(new CompletesStart(windowMillis))
                .within(window.plusMillis(1));
    }

    private static final class IsUntrustedStart extends SimpleCondition<Candidate> {
        private static final long serialVersionUID = 1L;

        @Override
        public boolean filter(Candidate candidate) {
            return candidate.kind == CandidateKind.START && candidate.trust == Trust.UNTRUSTED;
        }
    }

    /** A connection of the same process within the window of the pending start. */
    private static final class CompletesStart extends IterativeCondition<Candidate> {
        private static final long serialVersionUID = 1L;

        private final long windowMillis;

        CompletesStart(long windowMillis) {
            this.windowMillis = windowMillis;
        }

        @Override
        public boolean filter(Candidate candidate, Context<Candidate> ctx) throws Exception {
            if (candidate.kind != CandidateKind.CONNECTION) {
                return false;
            }
            for (Candidate start : ctx.getEventsForPattern(START)) {
                long elapsed = candidate.timestamp() - start.timestamp();
                // The start may have been emitted later than its own time (see CandidateGate),
                // so the window is checked against the times the events carry.
                if (elapsed < 0 || elapsed > windowMillis) {
                    return false;
                }
                if (!CandidateGate.sameProcess(start, candidate)) {
                    return false;
                }
            }
            return true;
        }
    }
}
