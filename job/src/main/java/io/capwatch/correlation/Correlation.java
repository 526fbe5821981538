package io.capwatch.correlation;

import io.capwatch.event.DeadLetterReason;
import io.capwatch.ingest.DeadLetter;
import io.capwatch.rule.DetectionRule;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.cep.CEP;
import org.apache.flink.cep.PatternStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.util.OutputTag;

/** Wires the keyed part of the detection: the keyed gate and the CEP sequence behind it. */
public final class Correlation {
    /** Candidates that reached CEP behind its watermark; should stay at zero (see below). */
    private static final OutputTag<Candidate> LATE_AT_CEP =
            new OutputTag<>("late-at-cep", TypeInformation.of(Candidate.class));

    private final SingleOutputStreamOperator<Match> sequences;
    private final SingleOutputStreamOperator<Match> matches;

    private Correlation(
            SingleOutputStreamOperator<Match> sequences, SingleOutputStreamOperator<Match> matches) {
        this.sequences = sequences;
        this.matches = matches;
    }

    /**
     * Adds the correlation operators behind {@code candidates}. Both keyed operators are keyed by
     * {@link Candidate#key} and carry stable uids, so the job can be upgraded from a savepoint.
     * The gate ({@link CandidateGate}) passes CEP only the events that can take part in a match.
     */
    public static Correlation apply(DataStream<Candidate> candidates, DetectionRule rule) {
        SingleOutputStreamOperator<Candidate> gated =
                candidates
                        .keyBy(candidate -> candidate.key)
                        .process(new CandidateGate(rule))
                        .uid("candidate-gate")
                        .name("Signature join and connection gate");

        PatternStream<Candidate> sequences =
                CEP.pattern(
                                keyedAgain(gated),
                                SequencePattern.of(rule.window()),
                                new CandidateOrder())
                        .inEventTime()
                        .sideOutputLateData(LATE_AT_CEP);

        SingleOutputStreamOperator<Match> completed =
                sequences
                        .process(new MatchFunction())
                        .uid("sequence-cep")
                        .name("Match start then external connection (CEP)");
        SingleOutputStreamOperator<Match> matches =
                completed
                        .filter(new ExceptionFilter(rule))
                        .uid("rule-exceptions")
                        .name("Apply rule exceptions");
        return new Correlation(completed, matches);
    }

    /**
     * Keys the gate's output for CEP. In streaming mode it is already partitioned by the same
     * key, so it is reinterpreted as keyed and the gate and CEP chain into one task with no
     * serialization between them. In batch mode a keyed operator needs its input sorted by key,
     * which only a keyBy provides.
     */
    private static KeyedStream<Candidate, String> keyedAgain(DataStream<Candidate> gated) {
        KeySelector<Candidate, String> key = candidate -> candidate.key;
        RuntimeExecutionMode mode =
                gated.getExecutionEnvironment()
                        .getConfiguration()
                        .get(ExecutionOptions.RUNTIME_MODE);
        return mode == RuntimeExecutionMode.STREAMING
                ? DataStreamUtils.reinterpretAsKeyedStream(gated, key, Types.STRING)
                : gated.keyBy(key);
    }

    /** Matches that no rule exception suppressed. */
    public SingleOutputStreamOperator<Match> matches() {
        return matches;
    }

    /**
     * Dead letters for candidates that CEP found behind its watermark. The late check before the
     * keyed operators should catch every late event, so any record here points to a bug.
     */
    public DataStream<DeadLetter> lateAtCep() {
        return sequences.getSideOutput(LATE_AT_CEP)
                .map(
                        candidate ->
                                new DeadLetter(
                                        DeadLetterReason.LATE_EVENT,
                                        "behind the watermark at the sequence matcher",
                                        "correlation",
                                        candidate.event.source.name(),
                                        candidate.toString()))
                .returns(DeadLetter.class)
                .uid("late-at-cep")
                .name("Late candidates at CEP");
    }
}
