package io.capwatch.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import io.capwatch.event.EventParser;
import io.capwatch.event.ParseResult;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * The parse ceiling: {@link EventParser} alone on one thread, over records held in memory as UTF-8
 * bytes, so neither I/O nor Flink counts. One operation parses one record, so the score is
 * records/s; {@link ParseInputs} writes the inputs and their mean record size.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@State(Scope.Thread)
public class ParseBenchmark {

    /** NDJSON file to parse; bench/run.sh passes the files of {@link ParseInputs}. */
    @Param({""})
    public String input;

    private final EventParser parser = EventParser.withDefaults();
    private final JsonFactory jsonFactory = new JsonFactory();
    private byte[][] records;
    private int next;

    @Setup(Level.Trial)
    public void load() throws IOException {
        if (input.isEmpty()) {
            throw new IllegalArgumentException("set the input file with -p input=FILE");
        }
        records = readRecords(Path.of(input));
        if (records.length == 0) {
            throw new IllegalArgumentException("input " + input + " contains no record");
        }
    }

    static byte[][] readRecords(Path file) throws IOException {
        List<byte[]> lines = new ArrayList<>();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (!line.isBlank()) {
                    lines.add(line.getBytes(StandardCharsets.UTF_8));
                }
            }
        }
        return lines.toArray(byte[][]::new);
    }

    /** Parses and maps the next record with the job's parser, cycling through the input. */
    @Benchmark
    public ParseResult parse() {
        return parser.parse(nextRecord());
    }

    /**
     * Reads every token of the next record with a plain Jackson streaming parser and maps nothing:
     * the share of {@link #parse} that is JSON tokenizing alone.
     */
    @Benchmark
    public int tokenize() throws IOException {
        int tokens = 0;
        try (JsonParser json = jsonFactory.createParser(nextRecord())) {
            while (json.nextToken() != null) {
                tokens++;
            }
        }
        return tokens;
    }

    private byte[] nextRecord() {
        byte[] record = records[next];
        next = next + 1 == records.length ? 0 : next + 1;
        return record;
    }
}
