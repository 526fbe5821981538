package io.capwatch.job;

import io.capwatch.alert.Alert;
import io.capwatch.alert.AlertGrouping;
import io.capwatch.alert.DeadLetterDocument;
import io.capwatch.alert.ToAlertDocument;
import io.capwatch.correlation.Candidate;
import io.capwatch.correlation.CandidateSelector;
import io.capwatch.correlation.Correlation;
import io.capwatch.correlation.Match;
import io.capwatch.ingest.DeadLetter;
import io.capwatch.ingest.NdjsonFormat;
import io.capwatch.ingest.ParseFunction;
import io.capwatch.ingest.ParsedEvent;
import io.capwatch.ingest.ParsedRecord;
import io.capwatch.ingest.RawRecord;
import io.capwatch.ingest.TelemetryFileEnumerator;
import io.capwatch.prevalence.PrevalenceDerivation;
import io.capwatch.prevalence.PrevalenceRecordJson;
import io.capwatch.kafka.KafkaConnectors;
import io.capwatch.prevalence.PrevalenceEnricher;
import io.capwatch.prevalence.PrevalenceKey;
import io.capwatch.prevalence.PrevalenceRecord;
import io.capwatch.rule.DetectionRule;
import io.capwatch.rule.RiskScoring;
import io.capwatch.sink.elasticsearch.IndexedDocument;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.core.fs.Path;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The detection pipeline, assembled in the order data flows through it:
 *
 * <ol>
 *   <li>read raw telemetry lines;
 *   <li>parse them, sending what cannot be used to the dead-letter output;
 *   <li>assign event time and watermarks;
 *   <li>route late events to the dead-letter output and keep only stage candidates;
 *   <li>correlate per host, executable and pid: signature join, then the CEP sequence;
 *   <li>score each match with fleet prevalence from broadcast state;
 *   <li>write alerts and dead letters as documents with deterministic ids.
 * </ol>
 *
 * <p>The sources and sinks come from the caller, so tests run this exact pipeline against their
 * own.
 */
public final class CapwatchJob {
    private final DetectionRule rule;
    private final JobSettings settings;
    private final Source<RawRecord, ?, ?> telemetry;
    private final Source<ParsedRecord, ?, ?> parsedTelemetry;
    private final Source<RawRecord, ?, ?> prevalence;
    private final int prevalenceFiles;
    private final Sink<IndexedDocument> alertSink;
    private final Sink<IndexedDocument> deadLetterSink;

    /**
     * @param prevalence the prevalence source, or {@code null} for none
     * @param prevalenceFiles how many files {@code prevalence} reads, each ending with an end marker
     */
    public CapwatchJob(
            DetectionRule rule,
            JobSettings settings,
            Source<RawRecord, ?, ?> telemetry,
            Source<RawRecord, ?, ?> prevalence,
            int prevalenceFiles,
            Sink<IndexedDocument> alertSink,
            Sink<IndexedDocument> deadLetterSink) {
        this(rule, settings, telemetry, null, prevalence, prevalenceFiles, alertSink, deadLetterSink);
    }

    private CapwatchJob(
            DetectionRule rule,
            JobSettings settings,
            Source<RawRecord, ?, ?> telemetry,
            Source<ParsedRecord, ?, ?> parsedTelemetry,
            Source<RawRecord, ?, ?> prevalence,
            int prevalenceFiles,
            Sink<IndexedDocument> alertSink,
            Sink<IndexedDocument> deadLetterSink) {
        this.rule = rule;
        this.settings = settings;
        this.telemetry = telemetry;
        this.parsedTelemetry = parsedTelemetry;
        this.prevalence = prevalence;
        this.prevalenceFiles = prevalence == null ? 0 : prevalenceFiles;
        this.alertSink = alertSink;
        this.deadLetterSink = deadLetterSink;
    }

    /**
     * Creates the job over a source that parses as it reads, such as the Kafka source: its
     * watermarks come from the source, per partition, rather than after parsing.
     *
     * @param prevalence a prevalence source without end markers (a topic), or {@code null}
     */
    public static CapwatchJob overParsedSource(
            DetectionRule rule,
            JobSettings settings,
            Source<ParsedRecord, ?, ?> telemetry,
            Source<RawRecord, ?, ?> prevalence,
            Sink<IndexedDocument> alertSink,
            Sink<IndexedDocument> deadLetterSink) {
        return new CapwatchJob(
                rule, settings, null, telemetry, prevalence, 0, alertSink, deadLetterSink);
    }

    /**
     * Creates a file source of NDJSON lines over the given files and folders (see {@link
     * TelemetryFileEnumerator} for which files are read).
     */
    public static FileSource<RawRecord> files(List<String> paths, boolean endMarkers) {
        Path[] flinkPaths = paths.stream().map(Path::new).toArray(Path[]::new);
        return FileSource.forBulkFileFormat(new NdjsonFormat(endMarkers), flinkPaths)
                .setFileEnumerator(TelemetryFileEnumerator::new)
                .build();
    }

    /** Adds the pipeline to {@code env}. */
    public void addTo(StreamExecutionEnvironment env) {
        SingleOutputStreamOperator<ParsedEvent> timed;
        DataStream<DeadLetter> parseFailures;
        if (parsedTelemetry != null) {
            // Parsed in the source, so event time and watermarks come from the source, per split.
            SingleOutputStreamOperator<ParsedEvent> routed =
                    env.fromSource(
                                    parsedTelemetry,
                                    EventTimeWatermarks.strategy(
                                            ParsedRecord::eventTime,
                                            settings.outOfOrderness,
                                            settings.idleness,
                                            settings.idleAdvance,
                                            settings.watermarkPerRecord),
                                    "Telemetry")
                            .uid("telemetry-source")
                            .process(new ParseFunction.Preparsed())
                            .uid("parse")
                            .name("Route parsed records");
            parseFailures = routed.getSideOutput(ParseFunction.DEAD_LETTERS);
            timed = routed;
        } else {
            DataStream<RawRecord> raw =
                    env.fromSource(telemetry, WatermarkStrategy.noWatermarks(), "Telemetry")
                            .uid("telemetry-source");
            SingleOutputStreamOperator<ParsedEvent> parsed =
                    raw.process(
                                    new ParseFunction(settings.parserLimits()))
                            .uid("parse")
                            .name("Parse and normalize");
            parseFailures = parsed.getSideOutput(ParseFunction.DEAD_LETTERS);
            timed =
                    parsed.assignTimestampsAndWatermarks(
                                    EventTimeWatermarks.strategy(
                                            (ParsedEvent e) -> e.event.timestamp,
                                            settings.outOfOrderness,
                                            settings.idleness,
                                            settings.idleAdvance,
                                            settings.watermarkPerRecord))
                            .uid("event-time")
                            .name("Assign event time");
        }

        SingleOutputStreamOperator<Candidate> candidates =
                timed.process(new CandidateSelector(rule))
                        .uid("select-candidates")
                        .name("Late check and stage filters");
        DataStream<DeadLetter> lateEvents = candidates.getSideOutput(ParseFunction.DEAD_LETTERS);

        // Fleet prevalence derived from every process start, when enabled.
        DataStream<PrevalenceRecord> derivedPrevalence =
                settings.derivePrevalence
                        ? PrevalenceDerivation.apply(timed, derivationSettings())
                        : null;

        if (derivedPrevalence != null && settings.prevalenceTopic != null) {
            // Published keyed by binary to the compacted topic, so that every instance and every
            // backfill read one fleet view.
            String topic = settings.prevalenceTopic;
            derivedPrevalence
                    .map(
                            record ->
                                    new IndexedDocument(
                                            topic,
                                            record.binary,
                                            PrevalenceRecordJson.toJson(record)
                                                    .getBytes(StandardCharsets.UTF_8)))
                    .returns(IndexedDocument.class)
                    .uid("prevalence-publish-records")
                    .name("Prevalence records")
                    .sinkTo(KafkaConnectors.documents(settings.kafka, topic))
                    .uid("prevalence-publish")
                    .name("Publish derived prevalence");
        }

        Correlation correlation = Correlation.apply(candidates, rule);
        SingleOutputStreamOperator<Alert> alerts =
                score(correlation.matches(), env, derivedPrevalence);

        // One document per alert, or per binary and window when grouping is enabled.
        DataStream<IndexedDocument> alertDocuments =
                settings.groupAlertsWindow == null
                        ? alerts.map(new ToAlertDocument(rule.metadata(), settings.alertIndex))
                                .uid("alert-documents")
                                .name("Alert documents")
                        : AlertGrouping.apply(
                                alerts,
                                settings.groupAlertsWindow,
                                rule.metadata(),
                                settings.alertIndex);
        alertDocuments.sinkTo(alertSink).uid("alert-sink").name("Alerts");

        String deadLetterIndex = settings.deadLetterIndex;
        DataStream<DeadLetter> deadLetters =
                parseFailures
                        .union(lateEvents, correlation.lateAtCep())
                        .union(alerts.getSideOutput(ParseFunction.DEAD_LETTERS));
        deadLetters
                .map(
                        letter ->
                                new IndexedDocument(
                                        deadLetterIndex,
                                        DeadLetterDocument.id(letter),
                                        DeadLetterDocument.toJson(letter)))
                .returns(IndexedDocument.class)
                .uid("dead-letter-documents")
                .name("Dead-letter documents")
                .sinkTo(deadLetterSink)
                .uid("dead-letter-sink")
                .name("Dead letters");
    }

    /** Creates an empty prevalence input: Flink has no empty bounded source of its own. */
    private static DataStream<RawRecord> noPrevalence(StreamExecutionEnvironment env) {
        return env.fromSequence(0, 0)
                .uid("prevalence-source")
                .name("No prevalence")
                .filter(n -> false)
                .uid("prevalence-none")
                .map(n -> new RawRecord())
                .returns(RawRecord.class)
                .uid("prevalence-records");
    }

    /**
     * The derivation's settings: every change up to the highest common threshold of the rule's
     * profiles is emitted.
     */
    private PrevalenceDerivation.Settings derivationSettings() {
        long commonMinHosts =
                rule.scoringByPlatform().values().stream()
                        .mapToLong(RiskScoring::commonMinHosts)
                        .max()
                        .orElse(RiskScoring.defaults().commonMinHosts());
        return PrevalenceDerivation.Settings.defaults(commonMinHosts)
                .withLookBack(settings.prevalenceLookBack)
                .withBucket(settings.prevalenceBucket);
    }

    /**
     * @param derivedPrevalence records derived from the telemetry, or {@code null} for none
     */
    private SingleOutputStreamOperator<Alert> score(
            DataStream<Match> matches,
            StreamExecutionEnvironment env,
            DataStream<PrevalenceRecord> derivedPrevalence) {
        DataStream<RawRecord> prevalenceRecords =
                prevalence == null
                        ? noPrevalence(env)
                        : env.fromSource(prevalence, WatermarkStrategy.noWatermarks(), "Prevalence")
                                .uid("prevalence-source");
        if (derivedPrevalence != null) {
            prevalenceRecords =
                    prevalenceRecords.union(PrevalenceDerivation.toRawRecords(derivedPrevalence));
        }
        BroadcastStream<RawRecord> broadcast =
                prevalenceRecords.broadcast(
                        PrevalenceEnricher.PREVALENCE, PrevalenceEnricher.FILES_LOADED);
        return matches.keyBy(
                        match ->
                                PrevalenceKey.of(
                                        match.start.event.sha256, match.start.event.executable))
                .connect(broadcast)
                .process(new PrevalenceEnricher(prevalenceFiles, rule.scoringByPlatform()))
                .uid("prevalence-score")
                .name("Score with fleet prevalence");
    }
}
