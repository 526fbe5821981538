package io.capwatch.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.capwatch.bench.BenchCluster.StateBackend;
import io.capwatch.job.CapwatchJob;
import io.capwatch.job.RunSummary;
import io.capwatch.metrics.CounterNames;
import io.capwatch.rule.DetectionRule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.streaming.api.graph.StreamGraph;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Measures end-to-end throughput of the job on a MiniCluster: NDJSON files in, alerts out to a
 * discarding sink, in streaming mode with periodic checkpoints. A run's time runs from submission
 * to the end of input at the sinks. Each run is a new job on the same
 * cluster, so later runs profit from the JIT work of earlier ones; {@code --warmup} runs are
 * recorded but marked.
 */
@Command(
        name = "pipeline-benchmark",
        mixinStandardHelpOptions = true,
        description = "Runs the capwatch job over NDJSON files and records records/s per run.")
public final class PipelineBenchmark implements Callable<Integer> {

    @Option(names = "--input", required = true, paramLabel = "PATH", description = "NDJSON file or folder; repeatable.")
    List<Path> inputs = new ArrayList<>();

    @Option(names = "--label", required = true, description = "Name of the input in the results, such as fleet-100k.")
    String label;

    @Option(names = "--state", defaultValue = "heap", description = "State backend: heap or rocksdb (default ${DEFAULT-VALUE}).")
    String state;

    @Option(names = "--parallelism", defaultValue = "1", description = "Job parallelism and slots (default ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(names = "--runs", defaultValue = "3", description = "Measured runs (default ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--warmup", defaultValue = "0", description = "Runs before the measured ones (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--checkpoint-interval", defaultValue = "10", description = "Checkpoint interval in seconds; 0 disables (default ${DEFAULT-VALUE}).")
    long checkpointSeconds;

    @Option(names = "--checkpoint-dir", required = true, description = "Local folder for checkpoints.")
    Path checkpointDir;

    @Option(names = "--external", paramLabel = "CIDR", description = "Internal network of the shipped rule to treat as external; repeatable.")
    List<String> external = new ArrayList<>();

    @Option(names = "--results", required = true, description = "JSON lines file to append one result per run to.")
    Path results;

    public static void main(String[] args) {
        System.exit(new CommandLine(new PipelineBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        StateBackend backend = StateBackend.parse(state);
        DetectionRule rule = BenchJob.rule(external);
        List<String> paths = inputs.stream().map(Path::toString).toList();
        try (BenchCluster cluster =
                BenchCluster.start(
                        BenchCluster.configuration(backend, checkpointDir), parallelism)) {
            for (int run = 0; run < warmup + runs; run++) {
                ObjectNode result = Results.create("e2e");
                result.put("label", label);
                result.put("state", backend.label());
                result.put("parallelism", parallelism);
                result.put("checkpointIntervalSeconds", checkpointSeconds);
                result.put("run", run - warmup);
                result.put("warmup", run < warmup);
                result.put("loadBefore", Results.loadAverage());
                runOnce(cluster, rule, paths, result);
                result.put("loadAfter", Results.loadAverage());
                Results.append(results, result);
                System.out.printf(
                        Locale.ROOT,
                        "e2e %s %s p=%d run %d%s: %,d records in %.1f s, %,.0f records/s, %d alerts,"
                                + " load %s%n",
                        label,
                        backend.label(),
                        parallelism,
                        run - warmup,
                        run < warmup ? " (warm-up)" : "",
                        result.get("records").asLong(),
                        result.get("processingMs").asLong() / 1000.0,
                        result.get("recordsPerSecond").asDouble(),
                        result.get("alerts").asLong(),
                        result.get("loadAfter").asText());
            }
        }
        return 0;
    }

    private void runOnce(
            BenchCluster cluster, DetectionRule rule, List<String> paths, ObjectNode result)
            throws Exception {
        Files.createDirectories(checkpointDir);
        StreamGraph graph =
                BenchJob.graph(
                        cluster.configuration(),
                        rule,
                        CapwatchJob.files(paths, false),
                        parallelism,
                        Duration.ofSeconds(checkpointSeconds));
        EndOfInputSink.reset();
        long begin = System.nanoTime();
        JobID job = cluster.cluster().submitJob(graph).get().getJobID();
        JobResult jobResult = cluster.cluster().requestJobResult(job).get();
        long wallNanos = System.nanoTime() - begin;
        long endOfInput = EndOfInputSink.lastEndNanos();
        if (endOfInput == 0) {
            throw new IllegalStateException("job " + job + " ended without reaching its sinks' end of input");
        }
        // From submission to the last record out of the pipeline: deployment counts, the wait for
        // the final checkpoint does not.
        long processingMillis = (endOfInput - begin) / 1_000_000;
        JobExecutionResult execution =
                jobResult.toJobExecutionResult(PipelineBenchmark.class.getClassLoader());
        RunSummary summary = new RunSummary(execution.getAllAccumulatorResults());

        long records = summary.get(CounterNames.RECORDS_READ);
        long netMillis = execution.getNetRuntime();
        result.put("jobId", job.toString());
        result.put("records", records);
        result.put("alerts", summary.alerts());
        result.put("stage1Candidates", stage1Candidates(summary));
        result.put("stage2Candidates", summary.get(CounterNames.CONNECTIONS_EXTERNAL));
        result.put("deadLettered", summary.deadLettered());
        result.put("lateEvents", summary.get(CounterNames.LATE_EVENTS));
        result.put("processingMs", processingMillis);
        result.put("netRuntimeMs", netMillis);
        result.put("wallMs", wallNanos / 1_000_000);
        result.put("recordsPerSecond", records * 1000.0 / Math.max(processingMillis, 1));
        result.set("checkpoints", checkpointSummary(cluster.checkpoints(job)));
    }

    /**
     * Returns the starts that stay candidates after the signature check: the same count as the
     * job's run summary prints, from the same tallies.
     */
    private static long stage1Candidates(RunSummary summary) {
        long unknownDropped =
                summary.get(CounterNames.STARTS_UNKNOWN_SIGNATURE)
                        - summary.get(CounterNames.STARTS_UNKNOWN_AS_UNTRUSTED);
        return summary.get(CounterNames.STARTS_USER_WRITABLE)
                - summary.get(CounterNames.STARTS_TRUSTED)
                - unknownDropped;
    }

    /** Keeps the counts and the latest completed checkpoint of the REST API's statistics. */
    private static ObjectNode checkpointSummary(JsonNode stats) {
        ObjectNode summary = Results.JSON.createObjectNode();
        JsonNode counts = stats.path("counts");
        summary.put("completed", counts.path("completed").asLong());
        summary.put("failed", counts.path("failed").asLong());
        JsonNode latest = stats.path("latest").path("completed");
        if (!latest.isMissingNode() && !latest.isNull()) {
            summary.put("latestStateSize", latest.path("state_size").asLong());
            summary.put("latestCheckpointedSize", latest.path("checkpointed_size").asLong());
            summary.put("latestDurationMs", latest.path("end_to_end_duration").asLong());
        }
        JsonNode duration = stats.path("summary").path("end_to_end_duration");
        if (!duration.isMissingNode()) {
            summary.put("maxDurationMs", duration.path("max").asLong());
        }
        return summary;
    }
}
