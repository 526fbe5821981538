package io.capwatch.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the raw results of one bench/run.sh run and prints the summary table: min, median and
 * max per benchmark, and the ratios against the targets. It also writes them to {@code
 * summary.json} in the same folder.
 *
 * <p>Usage: {@code Summary RESULTS_DIR}
 */
public final class Summary {
    /** End-to-end throughput on one slot with RocksDB, as a share of the parse ceiling. */
    static final double E2E_TO_PARSE_TARGET = 0.5;

    /** RocksDB throughput as a share of heap-state throughput. */
    static final double ROCKSDB_TO_HEAP_TARGET = 0.5;

    /** State bytes per pending start. */
    static final double BYTES_PER_PENDING_START_TARGET = 1024;

    private final Path dir;
    private final PrintStream out;
    private final ObjectNode summary = Results.JSON.createObjectNode();

    private Summary(Path dir, PrintStream out) {
        this.dir = dir;
        this.out = out;
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: Summary RESULTS_DIR");
            System.exit(2);
        }
        Summary summary = new Summary(Path.of(args[0]), System.out);
        summary.run();
    }

    private void run() throws IOException {
        Map<String, Double> parseCeilings = parse();
        Map<String, List<Double>> e2e = endToEnd();
        ratios(parseCeilings, e2e);
        state();
        profile();
        Files.writeString(
                dir.resolve("summary.json"),
                summary.toPrettyString(),
                StandardCharsets.UTF_8);
    }

    /** Prints the parse ceiling per input and returns the median records/s of each input's parse. */
    private Map<String, Double> parse() throws IOException {
        Map<String, Double> medians = new LinkedHashMap<>();
        Path jmh = dir.resolve("jmh-parse.json");
        Path inputs = dir.resolve("parse-inputs.json");
        if (!Files.exists(jmh) || !Files.exists(inputs)) {
            return medians;
        }
        JsonNode sizes = Results.JSON.readTree(inputs.toFile());
        out.println("Parse ceiling, one thread (JMH iterations: min / median / max)");
        out.printf(Locale.ROOT, "  %-22s %-9s %31s %8s%n", "input", "method", "records/s", "MB/s");
        ArrayNode rows = summary.putArray("parse");
        for (JsonNode benchmark : Results.JSON.readTree(jmh.toFile())) {
            String method = benchmark.path("benchmark").asText().replaceAll(".*\\.", "");
            String file = benchmark.path("params").path("input").asText();
            String input = Path.of(file).getFileName().toString().replace(".ndjson", "");
            List<Double> scores = new ArrayList<>();
            for (JsonNode fork : benchmark.path("primaryMetric").path("rawData")) {
                fork.forEach(score -> scores.add(score.asDouble()));
            }
            double meanBytes = sizes.path(input).path("meanRecordBytes").asDouble();
            double median = median(scores);
            out.printf(
                    Locale.ROOT,
                    "  %-22s %-9s %9.0f / %9.0f / %9.0f %8.1f%n",
                    input,
                    method,
                    Collections.min(scores),
                    median,
                    Collections.max(scores),
                    median * meanBytes / 1e6);
            ObjectNode row = rows.addObject();
            row.put("input", input);
            row.put("method", method);
            row.put("meanRecordBytes", meanBytes);
            putStats(row, "recordsPerSecond", scores);
            row.put("medianMegabytesPerSecond", median * meanBytes / 1e6);
            if (method.equals("parse")) {
                medians.put(input, median);
            }
        }
        out.println();
        return medians;
    }

    /** Prints end-to-end throughput per configuration and returns its measured runs' records/s. */
    private Map<String, List<Double>> endToEnd() throws IOException {
        Map<String, List<Double>> rates = new LinkedHashMap<>();
        Map<String, List<JsonNode>> runs = new LinkedHashMap<>();
        for (JsonNode run : readLines(dir.resolve("e2e.jsonl"))) {
            if (run.path("warmup").asBoolean()) {
                continue;
            }
            String key =
                    run.path("label").asText()
                            + " " + run.path("state").asText()
                            + " p" + run.path("parallelism").asInt();
            runs.computeIfAbsent(key, unused -> new ArrayList<>()).add(run);
        }
        if (runs.isEmpty()) {
            return rates;
        }
        out.println("End to end, streaming, discarding sinks (measured runs: min / median / max)");
        out.printf(
                Locale.ROOT,
                "  %-34s %4s %31s %9s %8s %8s %6s  %s%n",
                "input state parallelism", "runs", "records/s", "records", "cand.", "late", "alerts", "load (1 min) per run");
        ArrayNode rows = summary.putArray("e2e");
        for (Map.Entry<String, List<JsonNode>> entry : runs.entrySet()) {
            List<Double> values = new ArrayList<>();
            List<String> loads = new ArrayList<>();
            for (JsonNode run : entry.getValue()) {
                values.add(run.path("recordsPerSecond").asDouble());
                loads.add(run.path("loadAfter").asText().split(" ")[0]);
            }
            JsonNode first = entry.getValue().get(0);
            long records = first.path("records").asLong();
            long candidates =
                    first.path("stage1Candidates").asLong() + first.path("stage2Candidates").asLong();
            out.printf(
                    Locale.ROOT,
                    "  %-34s %4d %9.0f / %9.0f / %9.0f %9d %7.2f%% %8d %6d  %s%n",
                    entry.getKey(),
                    values.size(),
                    Collections.min(values),
                    median(values),
                    Collections.max(values),
                    records,
                    100.0 * candidates / Math.max(records, 1),
                    first.path("lateEvents").asLong(),
                    first.path("alerts").asLong(),
                    String.join(" ", loads));
            ObjectNode row = rows.addObject();
            row.put("configuration", entry.getKey());
            row.put("records", records);
            row.put("candidateShare", (double) candidates / Math.max(records, 1));
            row.put("lateEvents", first.path("lateEvents").asLong());
            row.put("alerts", first.path("alerts").asLong());
            putStats(row, "recordsPerSecond", values);
            row.set("loadPerRun", Results.JSON.valueToTree(loads));
            rates.put(entry.getKey(), values);
        }
        out.println();
        return rates;
    }

    /**
     * Prints RocksDB/heap per input and e2e RocksDB on one slot over the parse ceiling of the same
     * records: the fleet's mix against fleet-mixed, the OTRF corpus against its flat Sysmon slice.
     */
    private void ratios(Map<String, Double> parseCeilings, Map<String, List<Double>> e2e) {
        if (e2e.keySet().stream().noneMatch(key -> key.endsWith(" rocksdb p1"))) {
            return;
        }
        out.println("Ratios of medians (targets: RocksDB/heap >= 0.5, e2e RocksDB p1 / parse >= 0.5)");
        ArrayNode rows = summary.putArray("ratios");
        for (Map.Entry<String, List<Double>> entry : e2e.entrySet()) {
            String key = entry.getKey();
            if (!key.endsWith(" rocksdb p1")) {
                continue;
            }
            String label = key.substring(0, key.length() - " rocksdb p1".length());
            double rocksdb = median(entry.getValue());
            List<Double> heap = e2e.get(label + " heap p1");
            ObjectNode row = rows.addObject();
            row.put("input", label);
            if (heap != null) {
                double ratio = rocksdb / median(heap);
                row.put("rocksdbToHeap", ratio);
                out.printf(
                        Locale.ROOT,
                        "  %-22s RocksDB/heap          %6.3f  %s%n",
                        label,
                        ratio,
                        verdict(ratio >= ROCKSDB_TO_HEAP_TARGET));
            }
            Double ceiling = parseCeilings.get(parseInputFor(label));
            if (ceiling != null) {
                double ratio = rocksdb / ceiling;
                row.put("e2eRocksdbToParse", ratio);
                row.put("parseInput", parseInputFor(label));
                out.printf(
                        Locale.ROOT,
                        "  %-22s e2e RocksDB / parse   %6.3f  %s (against %s)%n",
                        label,
                        ratio,
                        verdict(ratio >= E2E_TO_PARSE_TARGET),
                        parseInputFor(label));
            }
        }
        out.println();
    }

    /** Returns the parse input with the same kind of records as an end-to-end input. */
    static String parseInputFor(String label) {
        return label.startsWith("otrf") ? "otrf-sysmon-flat" : "fleet-mixed";
    }

    private void state() throws IOException {
        List<JsonNode> runs = readLines(dir.resolve("state.jsonl"));
        if (runs.isEmpty()) {
            return;
        }
        out.println("State (target: < 1 KiB per pending start, zero after the windows close)");
        out.printf(
                Locale.ROOT,
                "  %-8s %10s %13s %15s %16s %15s %13s%n",
                "backend", "starts", "B/start", "after windows", "checkpoint full", "incremental", "duration ms");
        ArrayNode rows = summary.putArray("state");
        for (JsonNode run : runs) {
            double perStart = run.path("bytesPerPendingStart").asDouble();
            long after = run.path("stateBytesAfterWindows").asLong();
            out.printf(
                    Locale.ROOT,
                    "  %-8s %10d %9.0f %s %11d %s %16d %15d %13d%n",
                    run.path("state").asText(),
                    run.path("pendingStarts").asLong(),
                    perStart,
                    verdict(perStart < BYTES_PER_PENDING_START_TARGET),
                    after,
                    verdict(after <= 0),
                    run.path("pendingStateSize").asLong(),
                    run.path("pendingCheckpointedSize").asLong(),
                    run.path("pendingCheckpointMs").asLong());
            rows.add(run);
        }
        out.println();
    }

    private void profile() throws IOException {
        Path file = dir.resolve("profile-top-frames.json");
        if (!Files.exists(file)) {
            return;
        }
        JsonNode profile = Results.JSON.readTree(file.toFile());
        out.println("Profile of the e2e RocksDB run (share of CPU samples)");
        out.println("  components on the stack:");
        profile.path("components").forEach(node -> printShare(node, "    "));
        out.println("  top frames:");
        int shown = 0;
        for (JsonNode node : profile.path("topFrames")) {
            if (shown++ == 12) {
                break;
            }
            printShare(node, "    ");
        }
        summary.set("profile", profile);
        out.println();
    }

    private void printShare(JsonNode node, String indent) {
        out.printf(
                Locale.ROOT,
                "%s%5.1f %%  %s%n",
                indent,
                100 * node.path("share").asDouble(),
                node.path("name").asText());
    }

    private static String verdict(boolean met) {
        return met ? "met" : "MISSED";
    }

    private static void putStats(ObjectNode row, String name, List<Double> values) {
        row.put(name + "Min", Collections.min(values));
        row.put(name + "Median", median(values));
        row.put(name + "Max", Collections.max(values));
        row.put("samples", values.size());
    }

    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int middle = sorted.size() / 2;
        return sorted.size() % 2 == 1
                ? sorted.get(middle)
                : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
    }

    private static List<JsonNode> readLines(Path file) throws IOException {
        List<JsonNode> nodes = new ArrayList<>();
        if (!Files.exists(file)) {
            return nodes;
        }
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                nodes.add(Results.JSON.readTree(line));
            }
        }
        return nodes;
    }
}
