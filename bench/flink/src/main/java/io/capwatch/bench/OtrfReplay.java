package io.capwatch.bench;

import io.capwatch.event.EventParser;
import io.capwatch.event.ParseResult;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Writes the OTRF corpus as one NDJSON stream in event-time order, for replaying it to the job in
 * streaming mode. The recordings come from different labs and years. Read as separate files, they
 * would reach a streaming job out of order, and it would drop the events of older recordings as
 * late. Here each recording is sorted by event time, and the recordings follow each
 * other by their earliest event. Records without an event time (ignored or invalid) keep the time
 * of the record before them.
 *
 * <p>NOTE: recordings whose time ranges overlap still reach the job out of order. The late-event
 * count of each run shows how many records that costs.
 */
@Command(
        name = "otrf-replay",
        mixinStandardHelpOptions = true,
        description = "Writes the OTRF corpus as one event-time ordered NDJSON file.")
public final class OtrfReplay implements Callable<Integer> {

    @Option(names = "--otrf", required = true, description = "Folder of the OTRF corpus (gzip NDJSON recordings).")
    Path otrf;

    @Option(names = "--out", required = true, description = "NDJSON file to write.")
    Path out;

    private record TimedLine(long time, String line) {}

    public static void main(String[] args) {
        System.exit(new CommandLine(new OtrfReplay()).execute(args));
    }

    @Override
    public Integer call() throws IOException {
        List<Path> files;
        try (Stream<Path> paths = Files.list(otrf)) {
            files = paths.filter(path -> path.getFileName().toString().endsWith(".json.gz")).sorted().toList();
        }
        EventParser parser = EventParser.withDefaults();
        List<List<TimedLine>> recordings = new ArrayList<>();
        for (Path file : files) {
            recordings.add(read(file, parser));
        }
        recordings.removeIf(List::isEmpty);
        recordings.sort(Comparator.comparingLong(OtrfReplay::earliestTime));
        long records = 0;
        Path temporary = out.resolveSibling("_" + out.getFileName());
        try (BufferedWriter writer = Files.newBufferedWriter(temporary, StandardCharsets.UTF_8)) {
            for (List<TimedLine> recording : recordings) {
                for (TimedLine line : recording) {
                    writer.write(line.line());
                    writer.newLine();
                    records++;
                }
            }
        }
        Files.move(temporary, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        System.out.println("Wrote " + records + " records of " + recordings.size() + " recordings to " + out);
        return 0;
    }

    private static long earliestTime(List<TimedLine> recording) {
        for (TimedLine line : recording) {
            if (line.time() != Long.MIN_VALUE) {
                return line.time();
            }
        }
        return Long.MAX_VALUE;
    }

    /** Reads one recording and sorts it by event time; the sort is stable. */
    private static List<TimedLine> read(Path file, EventParser parser) throws IOException {
        List<TimedLine> lines = new ArrayList<>();
        long previous = Long.MIN_VALUE;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file), 1 << 16);
                BufferedReader reader =
                        new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                ParseResult result = parser.parse(line);
                long time = result.event() != null ? result.event().timestamp : previous;
                lines.add(new TimedLine(time, line));
                previous = time;
            }
        }
        lines.sort(Comparator.comparingLong(TimedLine::time));
        return lines;
    }
}
