package io.capwatch.job;

import io.capwatch.event.ParserLimits;
import io.capwatch.kafka.KafkaSettings;
import io.capwatch.prevalence.PrevalenceDerivation;
import io.capwatch.sink.elasticsearch.ElasticsearchSinkBuilder;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything a run of the job is configured with, apart from secrets (those are read by the sink
 * from a properties file or the environment and never pass through here).
 */
public final class JobSettings implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Files or folders of NDJSON telemetry ({@code .gz}, {@code .bz2}, {@code .xz} allowed). */
    public List<String> inputs = new ArrayList<>();
    /** Files or folders of NDJSON prevalence records. */
    public List<String> prevalence = new ArrayList<>();
    /** A rule file, or {@code null} for the rule shipped with capwatch. */
    public String ruleFile;
    /** Internal networks replacing the rule file's list, or {@code null} to keep it. */
    public List<String> internalNetworks;
    /** When set, overrides the rule's {@code unknown_signature_is_untrusted}. */
    public Boolean unknownSignatureIsUntrusted;

    /** Batch (backfill, sorted by key and time) or streaming execution. */
    public boolean batch = true;
    public int parallelism = 1;
    /** How far an event may lag the newest one before it counts as late. */
    public Duration outOfOrderness = Duration.ofMinutes(1);
    /** After this long without records an input stops holding the watermark back. */
    public Duration idleness = Duration.ofMinutes(1);
    /**
     * After this long without records an input's event time moves on with the wall clock, so
     * matches are emitted and windows close when every input is silent. Zero disables it.
     */
    public Duration idleAdvance = Duration.ofMinutes(5);

    /** Emit a watermark after every record rather than periodically. */
    public boolean watermarkPerRecord;

    /** Records larger than this many bytes are dead-lettered. */
    public int maxRecordBytes = 1 << 20;
    /** Records nested deeper than this are dead-lettered. */
    public int maxNestingDepth = 64;
    /** Events stamped further than this ahead of the wall clock are dead-lettered. */
    public Duration maxFutureSkew = ParserLimits.DEFAULT_MAX_FUTURE_SKEW;

    /** Elasticsearch URLs; empty for a run that does not write to Elasticsearch. */
    public List<String> elasticsearchUrls = new ArrayList<>();

    public String alertIndex = "logs-capwatch.alerts-default";
    public String deadLetterIndex = "logs-capwatch.deadletter-default";
    /** Properties file with Elasticsearch credentials and TLS settings, or {@code null}. */
    public String elasticsearchProperties;
    /**
     * How long the Elasticsearch sink retries a document that fails with a retriable error (429,
     * 5xx, no response) before it dead-letters it, or fails the job when that write fails too.
     */
    public Duration elasticsearchRetryTimeout = ElasticsearchSinkBuilder.DEFAULT_RETRY_TIMEOUT;
    /** The sink's delay before its first retry; it doubles with every retry. */
    public Duration elasticsearchInitialBackoff = ElasticsearchSinkBuilder.DEFAULT_INITIAL_BACKOFF;
    /** The sink's maximum delay between two attempts. */
    public Duration elasticsearchMaxBackoff = ElasticsearchSinkBuilder.DEFAULT_MAX_BACKOFF;
    /** Install the index templates before the job starts. */
    public boolean installTemplates = true;

    /** {@code host:port} of a Flink cluster's REST endpoint, or {@code null} to run locally. */
    public String flinkCluster;

    /** Checkpoint interval in streaming mode; zero leaves it to the cluster's configuration. */
    public Duration checkpointInterval = Duration.ofSeconds(30);

    /** Kafka connection and telemetry topics, or {@code null} when Kafka is not used. */
    public KafkaSettings kafka;
    /** Compacted topic of prevalence records, or {@code null}. */
    public String prevalenceTopic;
    /** Topic for dead letters instead of the dead-letter index, or {@code null}. */
    public String deadLetterTopic;

    /** Returns the parser's limits from these settings. */
    public ParserLimits parserLimits() {
        return new ParserLimits(
                maxRecordBytes,
                maxNestingDepth,
                ParserLimits.DEFAULT_MAX_STRING_LENGTH,
                maxFutureSkew);
    }

    // Fleet prevalence derived by the job, and alert grouping. Both are off by default.

    /** Derive fleet prevalence from the process starts read, next to any prevalence files. */
    public boolean derivePrevalence;
    /** How long a start counts towards its binary's derived prevalence. */
    public Duration prevalenceLookBack = PrevalenceDerivation.Settings.DEFAULT_LOOK_BACK;
    /** The time span of one sketch of derived prevalence. */
    public Duration prevalenceBucket = PrevalenceDerivation.Settings.DEFAULT_BUCKET;
    /** Group each binary's alerts per event-time window of this length; {@code null} for none. */
    public Duration groupAlertsWindow;
}
