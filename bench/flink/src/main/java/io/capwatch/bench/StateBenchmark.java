package io.capwatch.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.capwatch.bench.BenchCluster.StateBackend;
import io.capwatch.ingest.NdjsonFormat;
import io.capwatch.ingest.RawRecord;
import io.capwatch.ingest.TelemetryFileEnumerator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.flink.api.common.JobID;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.core.execution.CheckpointType;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Measures the job's state with checkpoints of a running job. The job watches a folder, so it
 * stays up between the phases:
 *
 * <ol>
 *   <li>{@code empty}, before any record: the baseline of registered but empty state.
 *   <li>{@code pending}: N stage-1 starts (untrusted binaries in Downloads, one key each) arrive
 *       within less than the rule's window and never connect out. Once the job is quiet, this
 *       checkpoint contains N pending starts. {@code pending-unchanged}, right after it, shows
 *       what an incremental checkpoint uploads when nothing changed.
 *   <li>{@code after-windows}: one non-candidate record two hours later moves the watermark past
 *       every window. Once every operator has seen that watermark, this checkpoint shows what
 *       state outlives the windows.
 * </ol>
 *
 * <p>A checkpoint barrier enters at the source after the watermark it waits for, and channels keep
 * order, so each operator has processed the watermark's timers before it snapshots.
 */
@Command(
        name = "state-benchmark",
        mixinStandardHelpOptions = true,
        description = "Measures state per pending start, state after the windows close, and checkpoint size and duration.")
public final class StateBenchmark implements Callable<Integer> {

    @Option(names = "--starts", defaultValue = "100000", description = "Pending starts to load (default ${DEFAULT-VALUE}).")
    int starts;

    @Option(names = "--hosts", defaultValue = "100000", description = "Hosts the starts spread over (default ${DEFAULT-VALUE}).")
    int hosts;

    @Option(
            names = "--span",
            defaultValue = "PT20M",
            description =
                    "Event time the starts spread over, ISO-8601, under the rule's one-hour window"
                            + " (default ${DEFAULT-VALUE}). A span under the one-minute"
                            + " out-of-orderness bound keeps every start in CEP's event-time buffer"
                            + " instead of its NFA.")
    Duration span;

    @Option(names = "--state", defaultValue = "rocksdb", description = "State backend: heap or rocksdb (default ${DEFAULT-VALUE}).")
    String state;

    @Option(names = "--work-dir", required = true, description = "Folder for the input files and checkpoints; emptied first.")
    Path workDir;

    @Option(names = "--timeout", defaultValue = "PT30M", description = "Maximum wait for each phase, ISO-8601 (default ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--results", required = true, description = "JSON lines file to append the result to.")
    Path results;

    /** Event time of the first start. */
    static final Instant FIRST_START = Instant.parse("2026-11-02T09:00:00Z");

    public static void main(String[] args) {
        System.exit(new CommandLine(new StateBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        StateBackend backend = StateBackend.parse(state);
        Path input = workDir.resolve("input");
        Path checkpointDir = workDir.resolve("checkpoints");
        deleteRecursively(workDir);
        Files.createDirectories(input);
        Files.createDirectories(checkpointDir);
        Path staged = workDir.resolve("starts.ndjson");
        long written = PendingStarts.write(staged, starts, hosts, FIRST_START, span);

        ObjectNode result = Results.create("state");
        result.put("state", backend.label());
        result.put("pendingStarts", starts);
        result.put("hosts", Math.min(hosts, starts));
        result.put("spanSeconds", span.toSeconds());
        result.put("inputBytes", written);
        result.put("loadBefore", Results.loadAverage());

        FileSource<RawRecord> source =
                FileSource.forBulkFileFormat(
                                new NdjsonFormat(false), new org.apache.flink.core.fs.Path(input.toUri()))
                        .setFileEnumerator(TelemetryFileEnumerator::new)
                        .monitorContinuously(Duration.ofMillis(500))
                        .build();
        try (BenchCluster cluster =
                BenchCluster.start(BenchCluster.configuration(backend, checkpointDir), 1)) {
            // Periodic checkpoints are as good as off: each phase triggers its own.
            JobID job =
                    cluster.cluster()
                            .submitJob(
                                    BenchJob.graph(
                                            cluster.configuration(),
                                            BenchJob.rule(java.util.List.of()),
                                            source,
                                            1,
                                            Duration.ofDays(1)))
                            .get()
                            .getJobID();
            JobProgress progress = new JobProgress(cluster, job, timeout);
            progress.awaitRunning();
            ArrayNode checkpoints = result.putArray("checkpoints");
            checkpoints.add(checkpoint(cluster, job, "empty"));

            long loadBegin = System.nanoTime();
            Files.move(staged, input.resolve("starts.ndjson"), StandardCopyOption.ATOMIC_MOVE);
            progress.awaitQuiet(starts);
            result.put("loadSeconds", (System.nanoTime() - loadBegin) / 1e9);
            checkpoints.add(checkpoint(cluster, job, "pending"));
            checkpoints.add(checkpoint(cluster, job, "pending-unchanged"));

            Instant sentinelTime = FIRST_START.plus(span).plus(Duration.ofHours(2));
            Path sentinel = workDir.resolve("after-windows.ndjson");
            PendingStarts.writeSentinel(sentinel, sentinelTime);
            Files.move(sentinel, input.resolve("after-windows.ndjson"), StandardCopyOption.ATOMIC_MOVE);
            progress.awaitWatermark(
                    sentinelTime.toEpochMilli() - BenchJob.OUT_OF_ORDERNESS.toMillis() - 1);
            progress.awaitQuiet(starts + 1L);
            checkpoints.add(checkpoint(cluster, job, "after-windows"));
            cluster.cluster().cancelJob(job).get();
            cluster.cluster().requestJobResult(job).get();
        }
        derive(result);
        result.put("loadAfter", Results.loadAverage());
        Results.append(results, result);
        System.out.println(result.toPrettyString());
        deleteRecursively(input);
        return 0;
    }

    /** Triggers a checkpoint and returns its sizes, duration and per-vertex state sizes. */
    private static ObjectNode checkpoint(BenchCluster cluster, JobID job, String phase)
            throws Exception {
        long id = cluster.cluster().triggerCheckpoint(job, CheckpointType.DEFAULT).get();
        JsonNode details = completedCheckpoint(cluster, job, id);
        JsonNode vertices = cluster.get("/jobs/" + job).path("vertices");
        ObjectNode node = Results.JSON.createObjectNode();
        node.put("phase", phase);
        node.put("id", id);
        node.put("stateSize", details.path("state_size").asLong());
        node.put("checkpointedSize", details.path("checkpointed_size").asLong());
        node.put("durationMs", details.path("end_to_end_duration").asLong());
        ObjectNode byVertex = node.putObject("stateSizeByVertex");
        for (JsonNode vertex : vertices) {
            JsonNode task = details.path("tasks").path(vertex.path("id").asText());
            byVertex.put(vertex.path("name").asText(), task.path("state_size").asLong());
        }
        System.out.printf(
                Locale.ROOT,
                "checkpoint %d (%s): state %,d B, checkpointed %,d B, %d ms%n",
                id,
                phase,
                node.get("stateSize").asLong(),
                node.get("checkpointedSize").asLong(),
                node.get("durationMs").asLong());
        return node;
    }

    /**
     * Fetches a checkpoint's statistics, waiting up to 10 s for the REST API to list it: its cache
     * of checkpoint statistics may still hold the list from before the checkpoint.
     */
    private static JsonNode completedCheckpoint(BenchCluster cluster, JobID job, long id)
            throws Exception {
        for (int attempt = 0; attempt < 50; attempt++) {
            JsonNode history = cluster.checkpoints(job).path("history");
            for (JsonNode checkpoint : history) {
                if (checkpoint.path("id").asLong() == id
                        && "COMPLETED".equals(checkpoint.path("status").asText())) {
                    return cluster.get("/jobs/" + job + "/checkpoints/details/" + id);
                }
            }
            Thread.sleep(200);
        }
        throw new java.util.concurrent.TimeoutException(
                "checkpoint " + id + " of job " + job + " is not listed as completed after 10 s");
    }

    /**
     * Adds the per-start and per-key figures: state of the non-source vertices, which hold the
     * keyed state, relative to the empty checkpoint. Sources are left out because the empty
     * prevalence source finishes, and with it its split state, between the checkpoints.
     */
    private void derive(ObjectNode result) {
        JsonNode checkpoints = result.get("checkpoints");
        long empty = keyedVertexState(checkpoints.get(0));
        long pending = keyedVertexState(checkpoints.get(1));
        long after = keyedVertexState(checkpoints.get(3));
        result.put("emptyKeyedVertexStateBytes", empty);
        result.put("bytesPerPendingStart", (double) (pending - empty) / starts);
        result.put("stateBytesAfterWindows", after - empty);
        result.put("bytesPerKeyAfterWindows", (double) (after - empty) / starts);
        result.put("pendingCheckpointMs", checkpoints.get(1).get("durationMs").asLong());
        result.put("pendingStateSize", checkpoints.get(1).get("stateSize").asLong());
        result.put("pendingCheckpointedSize", checkpoints.get(1).get("checkpointedSize").asLong());
        result.put("unchangedCheckpointMs", checkpoints.get(2).get("durationMs").asLong());
        result.put("unchangedCheckpointedSize", checkpoints.get(2).get("checkpointedSize").asLong());
    }

    private static long keyedVertexState(JsonNode checkpoint) {
        long sum = 0;
        for (var vertex : checkpoint.get("stateSizeByVertex").properties()) {
            if (!vertex.getKey().startsWith("Source:")) {
                sum += vertex.getValue().asLong();
            }
        }
        return sum;
    }

    static void deleteRecursively(Path dir) throws java.io.IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
