package io.capwatch.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.capwatch.tools.FleetGenerator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import jdk.jfr.Recording;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import picocli.CommandLine;

/**
 * Runs each benchmark once on a tiny input, so a change to the job that breaks one shows up in
 * the build. It checks that results are written and hold the counts of the input; it asserts no
 * timing.
 */
class BenchmarksRunTest {
    private static final int FLEET_EVENTS = 3000;

    @TempDir static Path dir;
    private static Path fleet;
    private static Path parseInputs;

    @BeforeAll
    static void generateInputs() {
        Path fleetDir = dir.resolve("fleet");
        int exit =
                FleetGenerator.commandLine()
                        .execute(
                                "--output-dir", fleetDir.toString(),
                                "--hosts", "100",
                                "--events", String.valueOf(FLEET_EVENTS),
                                "--rate", "10",
                                "--attacks", "6",
                                "--seed", "3",
                                "--start", "2026-11-02T09:00:00Z");
        assertEquals(0, exit, "fleet generator exit code");
        fleet = fleetDir.resolve("fleet.ndjson");
        parseInputs = dir.resolve("parse");
        exit =
                new CommandLine(new ParseInputs())
                        .execute(
                                "--fleet", fleet.toString(),
                                "--out", parseInputs.toString(),
                                "--max-records", "500");
        assertEquals(0, exit, "parse-inputs exit code");
    }

    @Test
    void parseInputsSplitFleetByFormat() throws Exception {
        JsonNode inputs = Results.JSON.readTree(parseInputs.resolve("parse-inputs.json").toFile());
        assertEquals(500, inputs.path("fleet-mixed").path("records").asLong());
        assertTrue(inputs.path("fleet-endpoint-ecs").path("records").asLong() > 0);
        assertTrue(inputs.path("fleet-sysmon-flat").path("records").asLong() > 0);
        assertTrue(inputs.path("fleet-sysmon-ecs").path("records").asLong() > 0);
    }

    @Test
    void parseBenchmarkRunsUnderJmh() throws Exception {
        Path json = dir.resolve("jmh-parse.json");
        Collection<RunResult> results =
                new Runner(
                                new OptionsBuilder()
                                        .include(ParseBenchmark.class.getName())
                                        .param("input", parseInputs.resolve("fleet-mixed.ndjson").toString())
                                        .forks(0)
                                        .warmupIterations(0)
                                        .measurementIterations(1)
                                        .measurementTime(TimeValue.milliseconds(200))
                                        .resultFormat(ResultFormatType.JSON)
                                        .result(json.toString())
                                        .build())
                        .run();
        assertEquals(2, results.size(), "parse and tokenize results");
        for (RunResult result : results) {
            assertTrue(result.getPrimaryResult().getScore() > 0, result.getParams().getBenchmark());
        }
        assertTrue(Files.size(json) > 0);
    }

    /** Heap state only: the state benchmark below runs the same pipeline with RocksDB. */
    @Test
    void pipelineBenchmarkCountsRecordsAndAlerts() throws Exception {
        Path results = dir.resolve("e2e.jsonl");
        int exit =
                new CommandLine(new PipelineBenchmark())
                        .execute(
                                "--input", fleet.toString(),
                                "--label", "tiny",
                                "--state", "heap",
                                "--runs", "1",
                                "--checkpoint-dir", dir.resolve("checkpoints").toString(),
                                "--results", results.toString());
        assertEquals(0, exit, "pipeline benchmark exit code");
        List<JsonNode> runs = readLines(results);
        assertEquals(1, runs.size());
        JsonNode run = runs.get(0);
        assertEquals(FLEET_EVENTS, run.path("records").asLong(), run.toString());
        assertTrue(run.path("alerts").asLong() > 0, run.toString());
        assertFalse(run.path("jvmFlags").isEmpty(), "JVM flags recorded");
        assertTrue(run.hasNonNull("loadAfter"), "load average recorded");
    }

    @Test
    void stateBenchmarkTakesFourCheckpoints() throws Exception {
        Path results = dir.resolve("state.jsonl");
        int exit =
                new CommandLine(new StateBenchmark())
                        .execute(
                                "--starts", "200",
                                "--hosts", "50",
                                "--state", "rocksdb",
                                "--timeout", Duration.ofMinutes(2).toString(),
                                "--work-dir", dir.resolve("state").toString(),
                                "--results", results.toString());
        assertEquals(0, exit, "state benchmark exit code");
        JsonNode run = readLines(results).get(0);
        assertEquals(4, run.path("checkpoints").size());
        assertTrue(run.path("bytesPerPendingStart").asDouble() > 0, run.toString());
        assertTrue(run.has("stateBytesAfterWindows"), run.toString());
    }

    @Test
    void jfrTopFramesCountsSamples() throws Exception {
        Path recordingFile = dir.resolve("parse.jfr");
        try (Recording recording = new Recording()) {
            recording.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(10));
            recording.start();
            ParseBenchmark benchmark = new ParseBenchmark();
            benchmark.input = parseInputs.resolve("fleet-mixed.ndjson").toString();
            benchmark.load();
            long end = System.nanoTime() + Duration.ofMillis(500).toNanos();
            while (System.nanoTime() < end) {
                benchmark.parse();
            }
            recording.stop();
            recording.dump(recordingFile);
        }
        JsonNode profile = JfrTopFrames.aggregate(recordingFile, 10);
        assertTrue(profile.path("executionSamples").asLong() > 0, profile.toString());
        assertFalse(profile.path("topFrames").isEmpty());
    }

    @Test
    void summaryReadsEveryResultFile() throws Exception {
        Path results = dir.resolve("summary");
        Files.createDirectories(results);
        Files.copy(parseInputs.resolve("parse-inputs.json"), results.resolve("parse-inputs.json"));
        Files.writeString(
                results.resolve("e2e.jsonl"),
                "{\"label\":\"fleet-100k\",\"state\":\"heap\",\"parallelism\":1,\"warmup\":false,"
                        + "\"recordsPerSecond\":2000,\"records\":10,\"loadAfter\":\"1.0 1.0 1.0\"}\n"
                        + "{\"label\":\"fleet-100k\",\"state\":\"rocksdb\",\"parallelism\":1,\"warmup\":false,"
                        + "\"recordsPerSecond\":1000,\"records\":10,\"loadAfter\":\"1.0 1.0 1.0\"}\n",
                StandardCharsets.UTF_8);
        Summary.main(new String[] {results.toString()});
        JsonNode summary = Results.JSON.readTree(results.resolve("summary.json").toFile());
        assertEquals(0.5, summary.path("ratios").path(0).path("rocksdbToHeap").asDouble(), 1e-9);
    }

    private static List<JsonNode> readLines(Path file) throws Exception {
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            nodes.add(Results.JSON.readTree(line));
        }
        return nodes;
    }
}
