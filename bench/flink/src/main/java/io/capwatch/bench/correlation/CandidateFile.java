package io.capwatch.bench.correlation;

import io.capwatch.correlation.CandidateKind;
import io.capwatch.correlation.Trust;
import io.capwatch.rule.Platform;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The candidate file that every engine of the correlation benchmark reads: UTF-8, one candidate
 * a line in arrival order, tab-separated columns {@code kind, timestamp_ms, key, trust,
 * platform, entity_id, sequence, destination_ip}, an empty column for {@code null}. The first
 * line is a header, {@code #capwatch-candidates v1 out_of_order_ms=N}, where N is the bound
 * within which the file's event times run out of order: the watermark bound to run it with.
 *
 * <p>The Esper module reads the same format with a parser of its own, so a change here needs
 * the same change in {@code io.capwatch.bench.esper.CandidateEvents}.
 */
public final class CandidateFile {
    static final String MAGIC = "#capwatch-candidates v1";
    private static final String BOUND_FIELD = "out_of_order_ms=";

    /** The rows in arrival order and the out-of-order bound they were generated with. */
    public record Contents(List<CandidateRow> rows, long outOfOrderMillis) {}

    private CandidateFile() {}

    public static void write(Path file, List<CandidateRow> rows, long outOfOrderMillis)
            throws IOException {
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write(MAGIC + " " + BOUND_FIELD + outOfOrderMillis + "\n");
            StringBuilder line = new StringBuilder(160);
            for (CandidateRow row : rows) {
                line.setLength(0);
                line.append(row.kind().name()).append('\t')
                        .append(row.timestamp()).append('\t')
                        .append(row.key()).append('\t')
                        .append(orEmpty(row.trust())).append('\t')
                        .append(orEmpty(row.platform())).append('\t')
                        .append(orEmpty(row.entityId())).append('\t')
                        .append(orEmpty(row.sequence())).append('\t')
                        .append(orEmpty(row.destinationIp())).append('\n');
                out.append(line);
            }
        }
    }

    /**
     * Reads a candidate file. Keys and entity ids are shared between rows, so a file of two
     * million rows over a hundred thousand keys keeps each key string once.
     */
    public static Contents read(Path file) throws IOException {
        List<CandidateRow> rows = new ArrayList<>();
        Map<String, String> shared = new HashMap<>();
        long bound;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            bound = parseHeader(file, in.readLine());
            String line;
            int number = 1;
            while ((line = in.readLine()) != null) {
                number++;
                rows.add(parseLine(file, number, line, shared));
            }
        }
        return new Contents(rows, bound);
    }

    private static long parseHeader(Path file, String header) {
        if (header == null || !header.startsWith(MAGIC) || !header.contains(BOUND_FIELD)) {
            throw new IllegalArgumentException(
                    file + ": not a candidate file, the first line must be '" + MAGIC + " "
                            + BOUND_FIELD + "N'; write one with CandidateGenerator");
        }
        return Long.parseLong(header.substring(header.indexOf(BOUND_FIELD) + BOUND_FIELD.length()));
    }

    private static CandidateRow parseLine(
            Path file, int number, String line, Map<String, String> shared) {
        String[] columns = line.split("\t", -1);
        if (columns.length != 8) {
            throw new IllegalArgumentException(
                    file + " line " + number + ": expected 8 tab-separated columns, found "
                            + columns.length);
        }
        try {
            return new CandidateRow(
                    CandidateKind.valueOf(columns[0]),
                    Long.parseLong(columns[1]),
                    shared.computeIfAbsent(columns[2], k -> k),
                    columns[3].isEmpty() ? null : Trust.valueOf(columns[3]),
                    columns[4].isEmpty() ? null : Platform.valueOf(columns[4]),
                    columns[5].isEmpty() ? null : shared.computeIfAbsent(columns[5], k -> k),
                    columns[6].isEmpty() ? null : Long.valueOf(columns[6]),
                    columns[7].isEmpty() ? null : columns[7]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    file + " line " + number + ": invalid value: " + e.getMessage(), e);
        }
    }

    private static String orEmpty(Object value) {
        return value == null ? "" : value.toString();
    }
}
