package io.capwatch.bench.correlation;

import io.capwatch.correlation.Candidate;
import io.capwatch.correlation.CandidateKind;
import io.capwatch.correlation.Match;
import io.capwatch.correlation.Trust;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The correlation's sequence as one keyed process function, the baseline that the job's
 * keyed gate and CEP are measured against. Per key (host, path key, pid):
 *
 * <ul>
 *   <li>An untrusted start becomes the pending start and replaces any earlier one.
 *   <li>The first connection 0 to {@code window} after the pending start, both ends inclusive,
 *       whose process GUID agrees with the start's where both carry one, completes it: one
 *       {@link Match}, and the start is no longer pending.
 *   <li>Events are read in {@link EventOrder}: event time, then {@code event.sequence}, else
 *       starts first within a millisecond.
 * </ul>
 *
 * <p>Out-of-order input is handled as CEP handles it in event time: each candidate waits in
 * keyed list state until the watermark passes its time, and an event-time timer then reads the
 * due candidates in order. Matches are therefore final and emitted only once the watermark
 * passes the connection. Candidates at or behind the watermark are dropped and counted, where
 * the job sends them to its late side output.
 *
 * <p>What it leaves out of the job's correlation: the Sysmon signature join (a start whose
 * signature is unknown waits for its image load) and the rule exceptions. The benchmark input
 * has neither unknown starts nor signatures, so the job's join passes every candidate through,
 * and no exception matches its paths.
 */
public final class HandWrittenCorrelation
        extends KeyedProcessFunction<String, Candidate, Match> {
    private static final long serialVersionUID = 1L;

    private final long windowMillis;
    private final EventOrder order = new EventOrder();

    private transient ListState<Candidate> waiting;
    private transient ValueState<Candidate> pending;
    private transient Counter late;

    public HandWrittenCorrelation(Duration window) {
        this.windowMillis = window.toMillis();
    }

    @Override
    public void open(OpenContext openContext) {
        waiting =
                getRuntimeContext()
                        .getListState(new ListStateDescriptor<>("waiting", Candidate.class));
        pending =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("pending-start", Candidate.class));
        late = getRuntimeContext().getMetricGroup().counter("lateCandidates");
    }

    @Override
    public void processElement(Candidate candidate, Context ctx, Collector<Match> out)
            throws Exception {
        if (candidate.timestamp() <= ctx.timerService().currentWatermark()) {
            late.inc();
            return;
        }
        // ListState.add appends without reading (a RocksDB merge), so buffering an event costs
        // one state write and one timer.
        waiting.add(candidate);
        ctx.timerService().registerEventTimeTimer(candidate.timestamp());
    }

    /**
     * Reads the candidates at or before {@code timestamp} in order. Timers fire in time order,
     * so every earlier candidate of the key has been read by an earlier timer.
     */
    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Match> out)
            throws Exception {
        List<Candidate> due = new ArrayList<>();
        List<Candidate> later = new ArrayList<>();
        Iterable<Candidate> all = waiting.get();
        if (all != null) {
            for (Candidate candidate : all) {
                (candidate.timestamp() <= timestamp ? due : later).add(candidate);
            }
        }
        Candidate before = pending.value();
        Candidate start = before;
        if (due.size() > 1) {
            due.sort(order);
        }
        for (Candidate candidate : due) {
            if (start != null && candidate.timestamp() - start.timestamp() > windowMillis) {
                start = null;
            }
            if (candidate.kind == CandidateKind.START && candidate.trust == Trust.UNTRUSTED) {
                start = candidate;
            } else if (candidate.kind == CandidateKind.CONNECTION
                    && start != null
                    && candidate.timestamp() >= start.timestamp()
                    && sameProcess(start, candidate)) {
                out.collect(new Match(start, candidate));
                start = null;
            }
        }
        // A start whose window has closed by now can match nothing that is still to come.
        if (start != null && timestamp - start.timestamp() > windowMillis) {
            start = null;
        }

        if (!due.isEmpty()) {
            if (later.isEmpty()) {
                waiting.clear();
            } else {
                waiting.update(later);
            }
        }
        if (start == null) {
            if (before != null) {
                pending.clear();
            }
        } else if (start != before) {
            pending.update(start);
            // Clears the start once its window has closed, so unmatched keys leave no state.
            ctx.timerService().registerEventTimeTimer(start.timestamp() + windowMillis + 1);
        }
    }

    /** Process GUIDs must agree where both events carry one, as the job requires. */
    private static boolean sameProcess(Candidate a, Candidate b) {
        String ea = a.event.entityId;
        String eb = b.event.entityId;
        return ea == null || eb == null || ea.equalsIgnoreCase(eb);
    }
}
