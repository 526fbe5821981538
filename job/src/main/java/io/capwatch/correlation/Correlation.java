package io.capwatch.correlation;

import io.capwatch.event.DeadLetterReason;
import io.capwatch.ingest.DeadLetter;
import io.capwatch.rule.DetectionRule;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.cep.CEP;
import org.apache.flink.cep.PatternStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.util.OutputTag;

/** Wires the keyed part of the detection: the signature join and the CEP sequence. */
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
     */
    public static Correlation apply(DataStream<Candidate> candidates, DetectionRule rule) {
        DataStream<Candidate> withSignatures =
                candidates
                        .keyBy(candidate -> candidate.key)
                        .process(new SignatureJoin(rule))
                        .uid("signature-join")
                        .name("Join Sysmon starts with their image signature");

        // NOTE: a second keyBy by the same key, not reinterpretAsKeyedStream: in batch mode a
        // keyed operator needs its input sorted by key, which only a keyBy provides.
        PatternStream<Candidate> sequences =
                CEP.pattern(
                                withSignatures.keyBy(candidate -> candidate.key),
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
