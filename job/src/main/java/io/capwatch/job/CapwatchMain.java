package io.capwatch.job;

import io.capwatch.ingest.TelemetryFileEnumerator;
import io.capwatch.kafka.KafkaConnectors;
import io.capwatch.prevalence.HostSketches;
import io.capwatch.rule.DetectionRule;
import io.capwatch.rule.RuleLoader;
import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.client.program.StreamContextEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Command line entry point: runs the detection over files of telemetry, on an embedded Flink
 * MiniCluster or, with {@code --flink-cluster}, on a Flink session cluster.
 */
@Command(
        name = "capwatch",
        mixinStandardHelpOptions = true,
        version = "capwatch 0.1.0",
        description =
                "Detects untrusted executables started from user-writable folders that connect to"
                        + " external addresses within an hour (MITRE ATT&CK T1587), and writes"
                        + " scored alerts to Elasticsearch.")
public final class CapwatchMain implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(CapwatchMain.class);

    @Option(
            names = "--input",
            paramLabel = "PATH",
            description =
                    "NDJSON telemetry file or folder (.gz allowed); repeat for more. Either this or"
                            + " --kafka-topic is needed.")
    List<String> inputs = new ArrayList<>();

    @CommandLine.Mixin KafkaOptions kafka = new KafkaOptions();

    @Option(
            names = "--prevalence",
            paramLabel = "FILE",
            description = "NDJSON file of fleet prevalence records; repeat for more.")
    List<String> prevalence = new ArrayList<>();

    @Option(
            names = "--rule",
            paramLabel = "FILE",
            description = "Rule file (YAML). Default: the rule shipped with capwatch.")
    String ruleFile;

    @Option(
            names = "--internal-networks",
            split = ",",
            paramLabel = "CIDR",
            description = "Internal networks, comma-separated, replacing the rule file's list.")
    List<String> internalNetworks;

    @Option(
            names = "--unknown-signature-untrusted",
            description =
                    "Treat starts with no signature data as untrusted, in every rule profile that"
                            + " verifies signatures.")
    boolean unknownSignatureUntrusted;

    @Option(
            names = "--mode",
            paramLabel = "MODE",
            description =
                    "batch: a backfill, sorted by key and time; streaming: event-time processing"
                            + " with watermarks and late-event handling. Default: batch for files"
                            + " and bounded Kafka reads, streaming for Kafka topics.")
    String mode;

    @Option(
            names = "--checkpoint-interval",
            defaultValue = "PT30S",
            paramLabel = "DURATION",
            description =
                    "Checkpoint interval in streaming mode (default ${DEFAULT-VALUE}); Kafka offsets"
                            + " are committed and the sinks flushed at each checkpoint.")
    String checkpointInterval;

    @Option(
            names = "--idle-advance",
            defaultValue = "PT5M",
            paramLabel = "DURATION",
            description =
                    "After this long without records an input's event time follows the wall clock,"
                            + " so the last matches still come out when every input is silent"
                            + " (default ${DEFAULT-VALUE}; 0 disables).")
    String idleAdvance;

    @Option(
            names = "--parallelism",
            defaultValue = "1",
            description = "Parallelism of every operator (default ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(
            names = "--out-of-orderness",
            defaultValue = "PT1M",
            paramLabel = "DURATION",
            description =
                    "How far an event may lag the newest one before it is late, as ISO-8601"
                            + " (PT30S) or 30s/5m/1h (default ${DEFAULT-VALUE}).")
    String outOfOrderness;

    @Option(
            names = "--idleness",
            defaultValue = "PT1M",
            paramLabel = "DURATION",
            description =
                    "Time without records after which an input stops holding back event time"
                            + " (default ${DEFAULT-VALUE}; 0 disables).")
    String idleness;

    @Option(
            names = "--watermark-per-record",
            description = "Emit a watermark after every record rather than every 200 ms.")
    boolean watermarkPerRecord;

    @Option(
            names = "--es-url",
            paramLabel = "URL",
            description = "Elasticsearch URL; repeat for more nodes. Without it alerts go to stdout.")
    List<String> elasticsearchUrls = new ArrayList<>();

    @Option(
            names = "--es-properties",
            paramLabel = "FILE",
            description =
                    "Properties file with Elasticsearch credentials and TLS settings (see"
                            + " docs/operations.md). Secrets are never taken from the command line.")
    String elasticsearchProperties;

    @Option(
            names = "--es-retry-timeout",
            defaultValue = "5m",
            paramLabel = "DURATION",
            description =
                    "How long a document that Elasticsearch answers with 429 or 5xx, or that gets"
                            + " no response, is retried before it is dead-lettered; while the"
                            + " cluster is unreachable the job then fails (default"
                            + " ${DEFAULT-VALUE}).")
    String elasticsearchRetryTimeout;

    @Option(
            names = "--es-initial-backoff",
            defaultValue = "200ms",
            paramLabel = "DURATION",
            description =
                    "Delay before the first retry of a bulk request; it doubles with every retry,"
                            + " with random jitter (default ${DEFAULT-VALUE}).")
    String elasticsearchInitialBackoff;

    @Option(
            names = "--es-max-backoff",
            defaultValue = "10s",
            paramLabel = "DURATION",
            description = "Maximum delay between two bulk attempts (default ${DEFAULT-VALUE}).")
    String elasticsearchMaxBackoff;

    @Option(
            names = "--alert-index",
            defaultValue = "logs-capwatch.alerts-default",
            description = "Alert index (default ${DEFAULT-VALUE}).")
    String alertIndex;

    @Option(
            names = "--dead-letter-index",
            defaultValue = "logs-capwatch.deadletter-default",
            description = "Dead-letter index (default ${DEFAULT-VALUE}).")
    String deadLetterIndex;

    @Option(
            names = "--no-index-templates",
            description = "Do not install the index templates before the run.")
    boolean noIndexTemplates;

    @Option(
            names = "--flink-cluster",
            paramLabel = "HOST:PORT",
            description =
                    "Submit to this Flink cluster's REST endpoint instead of running on an embedded"
                            + " MiniCluster. Needs the shaded job jar.")
    String flinkCluster;

    @Option(
            names = "--max-record-bytes",
            defaultValue = "1048576",
            description = "Records larger than this are dead-lettered (default ${DEFAULT-VALUE}).")
    int maxRecordBytes;

    @Option(
            names = "--max-nesting-depth",
            defaultValue = "64",
            description = "Records nested deeper are dead-lettered (default ${DEFAULT-VALUE}).")
    int maxNestingDepth;

    @Option(
            names = "--max-future-skew",
            defaultValue = "PT1M",
            paramLabel = "DURATION",
            description =
                    "Events stamped further ahead of the wall clock are dead-lettered as"
                            + " FUTURE_TIMESTAMP, as ISO-8601 (PT1M) or 30s/5m/1h (default"
                            + " ${DEFAULT-VALUE}). Keep it at or below --out-of-orderness.")
    String maxFutureSkew;

    // Fleet prevalence derived by the job, and alert grouping (docs/prevalence-and-grouping.md).

    @Option(
            names = "--derive-prevalence",
            description =
                    "Derive fleet prevalence from the process starts read: distinct hosts per"
                            + " binary, estimated with HyperLogLog sketches. Works next to"
                            + " --prevalence files; the newest record per binary wins.")
    boolean derivePrevalence;

    @Option(
            names = "--prevalence-look-back",
            defaultValue = "30d",
            paramLabel = "DURATION",
            description =
                    "How long a start counts towards derived prevalence, rounded up to whole"
                            + " buckets (default ${DEFAULT-VALUE}).")
    String prevalenceLookBack;

    @Option(
            names = "--prevalence-bucket",
            defaultValue = "1d",
            paramLabel = "DURATION",
            description =
                    "The time span of one prevalence sketch per binary (default ${DEFAULT-VALUE}).")
    String prevalenceBucket;

    @Option(
            names = "--group-alerts-window",
            paramLabel = "DURATION",
            description =
                    "Group the matches of one binary within event-time windows of this length"
                            + " into one alert (default: off, one alert per match).")
    String groupAlertsWindow;

    public static void main(String[] args) {
        boolean runByFlink = isRunByFlink();
        int exitCode =
                new CommandLine(new CapwatchMain())
                        .setExecutionExceptionHandler(CapwatchMain::reportInvalidSetting)
                        .execute(args);
        if (!runByFlink) {
            System.exit(exitCode);
        }
        if (exitCode != 0) {
            throw new IllegalStateException(
                    "capwatch failed with exit code " + exitCode + "; see the messages above");
        }
    }

    /**
     * Returns whether Flink runs this main method as a packaged program: {@code flink run} in its
     * client, or a JobManager for a jar submitted through REST ({@code /jars/<id>/run}). Both set a
     * context environment. System.exit would end the JobManager in the second case, so main then
     * returns or throws instead.
     */
    static boolean isRunByFlink() {
        return StreamExecutionEnvironment.getExecutionEnvironment()
                instanceof StreamContextEnvironment;
    }

    /**
     * Prints an invalid setting (a bad rule file, network, duration or properties file) as one
     * line with the usage hint, like picocli's own option errors, instead of a stack trace.
     */
    private static int reportInvalidSetting(
            Exception error, CommandLine commandLine, CommandLine.ParseResult parseResult)
            throws Exception {
        if (error instanceof IllegalArgumentException
                || error instanceof java.io.UncheckedIOException) {
            commandLine.getErr().println("capwatch: " + error.getMessage());
            commandLine.getErr().println("Run with --help for the options.");
            return CommandLine.ExitCode.USAGE;
        }
        throw error;
    }

    @Override
    public Integer call() throws Exception {
        JobSettings settings = toSettings();
        DetectionRule rule = loadRule(settings);
        StreamExecutionEnvironment env = environment(settings);

        if (settings.flinkCluster == null
                && (settings.derivePrevalence || settings.groupAlertsWindow != null)) {
            HostSketches.requireSerialization();
        }

        OutputTargets targets = OutputTargets.create(settings, rule);
        createJob(settings, rule, targets).addTo(env);

        LOG.info(
                "Starting capwatch: mode={} parallelism={} inputs={} kafka={} prevalence={} rule={}"
                        + " {} internalNetworks={} outOfOrderness={} idleness={} alerts={}",
                settings.batch ? "batch" : "streaming",
                settings.parallelism,
                settings.inputs,
                settings.kafka == null ? "none" : settings.kafka.describe(),
                settings.prevalence,
                rule.metadata().id(),
                rule.metadata().name(),
                rule.internalNetworks(),
                settings.outOfOrderness,
                settings.idleness,
                targets.description());
        JobExecutionResult result = env.execute("capwatch: " + rule.metadata().name());
        if (!result.isJobExecutionResult()) {
            // A detached submission (flink run -d, or REST) returns before the job ends.
            System.out.println(
                    "capwatch submitted Flink job "
                            + result.getJobID()
                            + " detached; once it finishes, its counters are in the job's"
                            + " accumulators (web UI, or GET /jobs/<id>/accumulators)");
            return 0;
        }
        new RunSummary(result.getAllAccumulatorResults()).print(System.out);
        System.out.println("  alerts written to " + targets.description());
        System.out.println("  Flink job " + result.getJobID());
        return 0;
    }

    /** Builds the job over files or Kafka, whichever the settings name. */
    static CapwatchJob createJob(JobSettings settings, DetectionRule rule, OutputTargets targets)
            throws java.io.IOException {
        if (!settings.prevalence.isEmpty() && settings.prevalenceTopic != null) {
            throw new IllegalArgumentException(
                    "give either --prevalence files or --prevalence-topic, not both");
        }
        var prevalenceTopic =
                settings.prevalenceTopic == null
                        ? null
                        : KafkaConnectors.prevalence(
                                settings.kafka, settings.prevalenceTopic, settings.batch);
        if (settings.kafka != null && !settings.kafka.topics.isEmpty()) {
            return CapwatchJob.overParsedSource(
                    rule,
                    settings,
                    KafkaConnectors.telemetry(settings.kafka, settings.parserLimits()),
                    settings.prevalence.isEmpty()
                            ? prevalenceTopic
                            : CapwatchJob.files(settings.prevalence, false),
                    targets.alerts(),
                    targets.deadLetters());
        }
        if (prevalenceTopic != null) {
            return new CapwatchJob(
                    rule,
                    settings,
                    CapwatchJob.files(settings.inputs, false),
                    prevalenceTopic,
                    0,
                    targets.alerts(),
                    targets.deadLetters());
        }
        return new CapwatchJob(
                rule,
                settings,
                CapwatchJob.files(settings.inputs, false),
                settings.prevalence.isEmpty() ? null : CapwatchJob.files(settings.prevalence, true),
                countFiles(settings.prevalence),
                targets.alerts(),
                targets.deadLetters());
    }


    JobSettings toSettings() {
        JobSettings settings = new JobSettings();
        if (inputs.isEmpty() == kafka.topics.isEmpty()) {
            throw new CommandLine.ParameterException(
                    new CommandLine(this), "give either --input or --kafka-topic, not both or none");
        }
        if (kafka.used()) {
            settings.kafka = kafka.toSettings();
            settings.prevalenceTopic = kafka.prevalenceTopic;
            settings.deadLetterTopic = kafka.deadLetterTopic;
        }
        settings.inputs = List.copyOf(inputs);
        for (String input : inputs) {
            if (!Files.exists(Path.of(input))) {
                throw new CommandLine.ParameterException(
                        new CommandLine(this), "--input " + input + " does not exist");
            }
        }
        settings.prevalence = List.copyOf(prevalence);
        settings.ruleFile = ruleFile;
        if (internalNetworks != null && internalNetworks.stream().allMatch(String::isBlank)) {
            throw new CommandLine.ParameterException(
                    new CommandLine(this),
                    "--internal-networks needs at least one network in CIDR notation");
        }
        settings.internalNetworks = internalNetworks;
        settings.unknownSignatureIsUntrusted = unknownSignatureUntrusted ? Boolean.TRUE : null;
        boolean unboundedKafka = kafka.reads() && kafka.stoppingOffsets == null;
        String chosenMode = mode;
        if (chosenMode == null) {
            chosenMode = unboundedKafka ? "streaming" : "batch";
        }
        settings.batch =
                switch (chosenMode.toLowerCase(Locale.ROOT)) {
                    case "batch" -> true;
                    case "streaming" -> false;
                    default ->
                            throw new CommandLine.ParameterException(
                                    new CommandLine(this),
                                    "--mode " + mode + " is invalid; expected batch or streaming");
                };
        if (settings.batch && unboundedKafka) {
            throw new CommandLine.ParameterException(
                    new CommandLine(this),
                    "--mode batch needs a bounded read: add --kafka-stopping-offsets latest or"
                            + " timestamp:<instant>");
        }
        settings.checkpointInterval = parseDuration("--checkpoint-interval", checkpointInterval);
        settings.idleAdvance = parseDuration("--idle-advance", idleAdvance);
        settings.parallelism = parallelism;
        settings.outOfOrderness = parseDuration("--out-of-orderness", outOfOrderness);
        settings.idleness = parseDuration("--idleness", idleness);
        settings.watermarkPerRecord = watermarkPerRecord;
        settings.elasticsearchUrls = List.copyOf(elasticsearchUrls);
        settings.elasticsearchProperties = elasticsearchProperties;
        settings.elasticsearchRetryTimeout =
                parseDuration("--es-retry-timeout", elasticsearchRetryTimeout);
        settings.elasticsearchInitialBackoff =
                parseDuration("--es-initial-backoff", elasticsearchInitialBackoff);
        settings.elasticsearchMaxBackoff =
                parseDuration("--es-max-backoff", elasticsearchMaxBackoff);
        settings.alertIndex = alertIndex;
        settings.deadLetterIndex = deadLetterIndex;
        settings.installTemplates = !noIndexTemplates;
        settings.flinkCluster = flinkCluster;
        settings.maxRecordBytes = maxRecordBytes;
        settings.maxNestingDepth = maxNestingDepth;
        settings.maxFutureSkew = parseDuration("--max-future-skew", maxFutureSkew);
        if (settings.maxFutureSkew.isNegative()) {
            throw new CommandLine.ParameterException(
                    new CommandLine(this),
                    "--max-future-skew " + maxFutureSkew + " is invalid; expected 0 or more, e.g. PT1M");
        }
        settings.derivePrevalence = derivePrevalence;
        settings.prevalenceLookBack = parseDuration("--prevalence-look-back", prevalenceLookBack);
        settings.prevalenceBucket = parseDuration("--prevalence-bucket", prevalenceBucket);
        settings.groupAlertsWindow =
                groupAlertsWindow == null
                        ? null
                        : parseDuration("--group-alerts-window", groupAlertsWindow);
        return settings;
    }

    static DetectionRule loadRule(JobSettings settings) {
        DetectionRule rule =
                settings.ruleFile == null
                        ? RuleLoader.loadDefault()
                        : RuleLoader.load(Path.of(settings.ruleFile));
        if (settings.internalNetworks != null) {
            rule = rule.withInternalNetworks(settings.internalNetworks);
        }
        if (settings.unknownSignatureIsUntrusted != null) {
            rule = rule.withUnknownSignatureIsUntrusted(settings.unknownSignatureIsUntrusted);
        }
        return rule;
    }

    static StreamExecutionEnvironment environment(JobSettings settings) throws URISyntaxException {
        StreamExecutionEnvironment env;
        if (settings.flinkCluster == null) {
            env = StreamExecutionEnvironment.getExecutionEnvironment();
        } else {
            String[] hostPort = settings.flinkCluster.split(":", 2);
            if (hostPort.length != 2) {
                throw new IllegalArgumentException(
                        "--flink-cluster " + settings.flinkCluster + " is invalid; expected HOST:PORT");
            }
            File jar =
                    new File(
                            CapwatchMain.class
                                    .getProtectionDomain()
                                    .getCodeSource()
                                    .getLocation()
                                    .toURI());
            if (!jar.isFile()) {
                throw new IllegalStateException(
                        "--flink-cluster needs the shaded job jar on the class path (build it with"
                                + " mvn package); running from " + jar);
            }
            env =
                    StreamExecutionEnvironment.createRemoteEnvironment(
                            hostPort[0], Integer.parseInt(hostPort[1]), jar.getPath());
        }
        env.setRuntimeMode(
                settings.batch ? RuntimeExecutionMode.BATCH : RuntimeExecutionMode.STREAMING);
        env.setParallelism(settings.parallelism);
        if (!settings.batch && !settings.checkpointInterval.isZero()) {
            env.enableCheckpointing(settings.checkpointInterval.toMillis());
        }
        return env;
    }

    /** Counts the files a prevalence source reads: each ends with one end marker. */
    static int countFiles(List<String> paths) throws java.io.IOException {
        int count = 0;
        for (String path : paths) {
            Path root = Path.of(path);
            if (!Files.isDirectory(root)) {
                count += TelemetryFileEnumerator.isTelemetryFileName(root.getFileName().toString())
                        ? 1
                        : 0;
                continue;
            }
            try (var files = Files.walk(root)) {
                count +=
                        (int)
                                files.filter(Files::isRegularFile)
                                        .filter(file -> !isHidden(root, file))
                                        .filter(
                                                file ->
                                                        TelemetryFileEnumerator.isTelemetryFileName(
                                                                file.getFileName().toString()))
                                        .count();
            }
        }
        return count;
    }

    /** Flink's file source skips files and folders whose name starts with a dot or underscore. */
    private static boolean isHidden(Path root, Path file) {
        for (Path part : root.relativize(file)) {
            String name = part.toString();
            if (name.startsWith(".") || name.startsWith("_")) {
                return true;
            }
        }
        return false;
    }

    /** Parses {@code PT30S}, {@code 30s}, {@code 5m}, {@code 1h}, {@code 250ms} or {@code 0}. */
    static Duration parseDuration(String option, String value) {
        String text = value.strip().toLowerCase(Locale.ROOT);
        try {
            if (text.startsWith("p")) {
                return Duration.parse(text.toUpperCase(Locale.ROOT));
            }
            if (text.equals("0")) {
                return Duration.ZERO;
            }
            if (text.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
            }
            long amount = Long.parseLong(text.substring(0, text.length() - 1));
            return switch (text.charAt(text.length() - 1)) {
                case 's' -> Duration.ofSeconds(amount);
                case 'm' -> Duration.ofMinutes(amount);
                case 'h' -> Duration.ofHours(amount);
                case 'd' -> Duration.ofDays(amount);
                default -> throw new NumberFormatException();
            };
        } catch (NumberFormatException | DateTimeParseException | StringIndexOutOfBoundsException e) {
            throw new IllegalArgumentException(
                    option + " " + value + " is invalid; expected e.g. PT30S, 30s, 5m or 1h");
        }
    }
}
