package io.capwatch.prevalence;

import io.capwatch.alert.Alert;
import io.capwatch.alert.ScoreInputs;
import io.capwatch.correlation.Match;
import io.capwatch.event.DeadLetterReason;
import io.capwatch.ingest.DeadLetter;
import io.capwatch.ingest.NdjsonFormat;
import io.capwatch.ingest.ParseFunction;
import io.capwatch.ingest.RawRecord;
import io.capwatch.metrics.CounterNames;
import io.capwatch.metrics.Tally;
import io.capwatch.rule.Platform;
import io.capwatch.rule.RiskScoring;
import java.util.EnumMap;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Joins each match with the fleet prevalence of its binary, held in broadcast state, and scores
 * it by the scoring of the rule profile that selected its start.
 *
 * <p>Prevalence comes from files read as a bounded broadcast input, each ending with an end
 * marker. Until every expected file has been read, matches wait in keyed state, so no alert is
 * scored before its prevalence could be known. Once all files are in, the waiting matches are
 * scored at once. A record replaces the one held for its binary only when its {@code as_of} is newer, so a
 * stale snapshot read later never wins. The broadcast state is part of every checkpoint, and a
 * job restored from a savepoint keeps the prevalence without reading the files again.
 */
public final class PrevalenceEnricher
        extends KeyedBroadcastProcessFunction<String, Match, RawRecord, Alert> {
    private static final long serialVersionUID = 1L;
    private static final org.slf4j.Logger LOG =
            org.slf4j.LoggerFactory.getLogger(PrevalenceEnricher.class);

    /** Prevalence per binary key. */
    public static final MapStateDescriptor<String, PrevalenceRecord> PREVALENCE =
            new MapStateDescriptor<>(
                    "prevalence", Types.STRING, Types.POJO(PrevalenceRecord.class));

    /** The prevalence files read to their end, so a restored job does not wait for them again. */
    public static final MapStateDescriptor<String, Boolean> FILES_LOADED =
            new MapStateDescriptor<>("prevalence-files-loaded", Types.STRING, Types.BOOLEAN);

    private static final ListStateDescriptor<Match> WAITING =
            new ListStateDescriptor<>("matches-waiting-for-prevalence", Types.POJO(Match.class));

    private final int expectedFiles;
    private final Map<Platform, RiskScoring> scoring;

    private transient ListState<Match> waiting;
    private transient Tally records;
    private transient Tally stale;
    private transient Tally unknown;
    private transient Tally invalid;

    /**
     * @param expectedFiles how many prevalence files the broadcast input reads; 0 for none
     * @param scoring the scoring of each rule profile, by platform; a match is scored with the
     *     one of the profile that selected its start
     */
    public PrevalenceEnricher(int expectedFiles, Map<Platform, RiskScoring> scoring) {
        this.expectedFiles = expectedFiles;
        this.scoring = new EnumMap<>(Platform.class);
        this.scoring.putAll(scoring);
    }

    @Override
    public void open(OpenContext openContext) {
        waiting = getRuntimeContext().getListState(WAITING);
        records = Tally.register(getRuntimeContext(), CounterNames.PREVALENCE_RECORDS);
        stale = Tally.register(getRuntimeContext(), CounterNames.PREVALENCE_STALE);
        unknown = Tally.register(getRuntimeContext(), CounterNames.ALERTS_UNKNOWN_PREVALENCE);
        invalid =
                Tally.register(
                        getRuntimeContext(),
                        CounterNames.DEAD_LETTERED_PREFIX + DeadLetterReason.INVALID_PREVALENCE);
    }

    @Override
    public void processElement(Match match, ReadOnlyContext ctx, Collector<Alert> out)
            throws Exception {
        ReadOnlyBroadcastState<String, Boolean> loaded = ctx.getBroadcastState(FILES_LOADED);
        if (!allLoaded(loaded.immutableEntries())) {
            waiting.add(match);
            // A safety net: should an end marker never come, the end of input still scores the
            // waiting matches, with whatever prevalence has arrived by then.
            ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
            return;
        }
        out.collect(score(match, ctx.getBroadcastState(PREVALENCE).get(ctx.getCurrentKey())));
    }

    @Override
    public void processBroadcastElement(RawRecord record, Context ctx, Collector<Alert> out)
            throws Exception {
        if (NdjsonFormat.isEndMarker(record)) {
            BroadcastState<String, Boolean> loaded = ctx.getBroadcastState(FILES_LOADED);
            loaded.put(record.origin, true);
            if (allLoaded(loaded.immutableEntries())) {
                BroadcastState<String, PrevalenceRecord> prevalence =
                        ctx.getBroadcastState(PREVALENCE);
                ctx.applyToKeyedState(
                        WAITING,
                        (key, state) -> {
                            for (Match match : state.get()) {
                                out.collect(score(match, prevalence.get(key)));
                            }
                            state.clear();
                        });
            }
            return;
        }
        PrevalenceParser.Result parsed = PrevalenceParser.parse(record.text);
        if (parsed.record() == null) {
            invalid.inc();
            ctx.output(
                    ParseFunction.DEAD_LETTERS,
                    new DeadLetter(
                            DeadLetterReason.INVALID_PREVALENCE,
                            parsed.error(),
                            record.origin,
                            "prevalence",
                            record.text));
            return;
        }
        PrevalenceRecord update = parsed.record();
        update.source = PrevalenceSource.ofOrigin(record.origin);
        BroadcastState<String, PrevalenceRecord> prevalence = ctx.getBroadcastState(PREVALENCE);
        PrevalenceRecord held = prevalence.get(update.binary);
        if (held != null && held.asOf >= update.asOf) {
            stale.inc();
            return;
        }
        records.inc();
        prevalence.put(update.binary, update);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out) throws Exception {
        ReadOnlyBroadcastState<String, PrevalenceRecord> prevalence =
                ctx.getBroadcastState(PREVALENCE);
        for (Match match : waiting.get()) {
            LOG.warn(
                    "Scoring a match for {} at the end of input before every prevalence file was"
                            + " read ({} expected)",
                    ctx.getCurrentKey(),
                    expectedFiles);
            out.collect(score(match, prevalence.get(ctx.getCurrentKey())));
        }
        waiting.clear();
    }

    private boolean allLoaded(Iterable<?> loadedFiles) {
        int count = 0;
        for (Object ignored : loadedFiles) {
            count++;
        }
        return count >= expectedFiles;
    }

    private Alert score(Match match, PrevalenceRecord prevalence) {
        Alert alert = new Alert();
        alert.match = match;
        alert.binary = PrevalenceKey.of(match.start.event.sha256, match.start.event.executable);
        OptionalLong hosts = OptionalLong.empty();
        if (prevalence != null) {
            alert.prevalenceKnown = true;
            alert.hostCount = prevalence.hostCount;
            alert.firstSeen = prevalence.firstSeen;
            alert.asOf = prevalence.asOf;
            alert.prevalenceSource = prevalence.source;
            hosts = OptionalLong.of(prevalence.hostCount);
        } else {
            unknown.inc();
        }
        RiskScoring scoring = scoringOf(match);
        alert.riskScore = scoring.score(hosts);
        alert.scoreInputs = ScoreInputs.of(scoring);
        alert.severity = RiskScoring.severity(alert.riskScore);
        return alert;
    }

    /**
     * Returns the scoring of the profile that selected the match's start. A start restored from
     * state written before profiles existed carries no platform and is scored as Windows, the
     * only platform such rules described.
     */
    private RiskScoring scoringOf(Match match) {
        Platform platform = match.start.platform == null ? Platform.WINDOWS : match.start.platform;
        RiskScoring profileScoring = scoring.get(platform);
        // NOTE: CandidateSelector drops events of platforms without a profile, so the defaults
        // apply only when a savepoint is restored with a rule that lost the start's profile.
        return profileScoring != null ? profileScoring : RiskScoring.defaults();
    }
}
