package io.capwatch.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.capwatch.event.EventParser;
import io.capwatch.event.EventSource;
import io.capwatch.event.ParseOutcome;
import io.capwatch.event.ParseResult;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Writes the inputs of {@link ParseBenchmark}: an even sample of the OTRF corpus (flat Sysmon), the
 * head of the generator's fleet in its mix of formats, and the fleet split by the format the
 * parser recognizes.
 * It also writes {@code parse-inputs.json} with each file's record count and mean record size, from
 * which the summary turns records/s into MB/s.
 */
@Command(
        name = "parse-inputs",
        mixinStandardHelpOptions = true,
        description = "Prepares the per-format inputs of the parse benchmark.")
public final class ParseInputs implements Callable<Integer> {

    @Option(names = "--otrf", description = "Folder of the OTRF corpus (gzip NDJSON recordings).")
    Path otrf;

    @Option(names = "--fleet", description = "NDJSON file written by the fleet generator.")
    Path fleet;

    @Option(names = "--out", required = true, description = "Folder to write the inputs to.")
    Path out;

    @Option(names = "--max-records", defaultValue = "200000", description = "Records per input file at most (default ${DEFAULT-VALUE}).")
    int maxRecords;

    /** Output file names, by the format the parser recognized. */
    private static final Map<EventSource, String> FLEET_FILES =
            Map.of(
                    EventSource.ENDPOINT, "fleet-endpoint-ecs.ndjson",
                    EventSource.SYSMON_ECS, "fleet-sysmon-ecs.ndjson",
                    EventSource.SYSMON_FLAT, "fleet-sysmon-flat.ndjson");

    public static void main(String[] args) {
        System.exit(new CommandLine(new ParseInputs()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Files.createDirectories(out);
        ObjectNode summary = Results.JSON.createObjectNode();
        if (otrf != null) {
            summary.set("otrf-sysmon-flat", writeOtrf(out.resolve("otrf-sysmon-flat.ndjson")));
        }
        if (fleet != null) {
            writeFleet(summary);
        }
        Files.writeString(
                out.resolve("parse-inputs.json"),
                Results.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(summary));
        System.out.println(summary.toPrettyString());
        return 0;
    }

    /**
     * Takes every k-th record of the whole corpus, so the sample has the same mix of record kinds
     * and sizes as the end-to-end replay of all records.
     */
    private ObjectNode writeOtrf(Path file) throws IOException {
        List<Path> recordings;
        try (Stream<Path> files = Files.list(otrf)) {
            recordings =
                    files.filter(path -> path.getFileName().toString().endsWith(".json.gz"))
                            .sorted()
                            .toList();
        }
        if (recordings.isEmpty()) {
            throw new IllegalArgumentException(
                    "--otrf " + otrf + " contains no .json.gz recording");
        }
        long total = 0;
        for (Path recording : recordings) {
            try (BufferedReader reader = gzipReader(recording)) {
                total += reader.lines().filter(line -> !line.isBlank()).count();
            }
        }
        long stride = Math.max(1, (total + maxRecords - 1) / maxRecords);
        Counts counts = new Counts();
        long index = 0;
        try (BufferedWriter writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (Path recording : recordings) {
                try (BufferedReader reader = gzipReader(recording)) {
                    String line;
                    while ((line = reader.readLine()) != null) {
                        if (line.isBlank() || index++ % stride != 0) {
                            continue;
                        }
                        writer.write(line);
                        writer.newLine();
                        counts.add(line);
                    }
                }
            }
        }
        return counts.toJson(file);
    }

    private static BufferedReader gzipReader(Path file) throws IOException {
        InputStream in = new GZIPInputStream(Files.newInputStream(file), 1 << 16);
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    }

    private void writeFleet(ObjectNode summary) throws IOException {
        Path mixed = out.resolve("fleet-mixed.ndjson");
        Counts mixedCounts = new Counts();
        try (BufferedReader reader = Files.newBufferedReader(fleet, StandardCharsets.UTF_8);
                BufferedWriter writer = Files.newBufferedWriter(mixed, StandardCharsets.UTF_8)) {
            String line;
            while (mixedCounts.records < maxRecords && (line = reader.readLine()) != null) {
                writer.write(line);
                writer.newLine();
                mixedCounts.add(line);
            }
        }
        summary.set("fleet-mixed", mixedCounts.toJson(mixed));

        EventParser parser = EventParser.withDefaults();
        Map<EventSource, BufferedWriter> writers = new EnumMap<>(EventSource.class);
        Map<EventSource, Counts> counts = new EnumMap<>(EventSource.class);
        try (BufferedReader reader = Files.newBufferedReader(fleet, StandardCharsets.UTF_8)) {
            for (Map.Entry<EventSource, String> entry : FLEET_FILES.entrySet()) {
                writers.put(
                        entry.getKey(),
                        Files.newBufferedWriter(out.resolve(entry.getValue()), StandardCharsets.UTF_8));
                counts.put(entry.getKey(), new Counts());
            }
            String line;
            while ((line = reader.readLine()) != null) {
                ParseResult result = parser.parse(line);
                EventSource source = result.source();
                if (result.outcome() == ParseOutcome.DEAD_LETTER || !writers.containsKey(source)) {
                    continue;
                }
                Counts count = counts.get(source);
                if (count.records >= maxRecords) {
                    continue;
                }
                BufferedWriter writer = writers.get(source);
                writer.write(line);
                writer.newLine();
                count.add(line);
            }
        } finally {
            for (BufferedWriter writer : writers.values()) {
                writer.close();
            }
        }
        for (Map.Entry<EventSource, String> entry : FLEET_FILES.entrySet()) {
            String name = entry.getValue().replace(".ndjson", "");
            summary.set(name, counts.get(entry.getKey()).toJson(out.resolve(entry.getValue())));
        }
    }

    /** Record count and UTF-8 bytes of a written input, newlines excluded. */
    private static final class Counts {
        long records;
        long bytes;

        void add(String line) {
            records++;
            bytes += line.getBytes(StandardCharsets.UTF_8).length;
        }

        ObjectNode toJson(Path file) {
            ObjectNode node = Results.JSON.createObjectNode();
            node.put("file", file.toString());
            node.put("records", records);
            node.put("bytes", bytes);
            node.put("meanRecordBytes", records == 0 ? 0 : (double) bytes / records);
            return node;
        }
    }
}
