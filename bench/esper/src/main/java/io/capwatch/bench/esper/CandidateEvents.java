package io.capwatch.bench.esper;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the candidate file that {@code io.capwatch.bench.correlation.CandidateGenerator} writes:
 * a header {@code #capwatch-candidates v1 out_of_order_ms=N}, then one candidate a line with
 * the tab-separated columns {@code kind, timestamp_ms, key, trust, platform, entity_id,
 * sequence, destination_ip}. Only untrusted starts and connections are kept, since nothing else
 * can take part in the sequence.
 */
final class CandidateEvents {
    private static final String MAGIC = "#capwatch-candidates v1";
    private static final String BOUND_FIELD = "out_of_order_ms=";

    /** A candidate in arrival order, {@code arrival} being its position in the file. */
    record Row(boolean start, long timestamp, String key, String entityId, Long sequence, int arrival) {}

    record Contents(List<Row> rows, long outOfOrderMillis, int linesRead) {}

    private CandidateEvents() {}

    static Contents read(Path file) throws IOException {
        List<Row> rows = new ArrayList<>();
        Map<String, String> shared = new HashMap<>();
        long bound;
        int lines = 0;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String header = in.readLine();
            if (header == null || !header.startsWith(MAGIC) || !header.contains(BOUND_FIELD)) {
                throw new IllegalArgumentException(
                        file + ": not a candidate file, the first line must be '" + MAGIC + " "
                                + BOUND_FIELD + "N'");
            }
            bound = Long.parseLong(header.substring(header.indexOf(BOUND_FIELD) + BOUND_FIELD.length()));
            String line;
            while ((line = in.readLine()) != null) {
                lines++;
                String[] columns = line.split("\t", -1);
                if (columns.length != 8) {
                    throw new IllegalArgumentException(
                            file + " line " + (lines + 1) + ": expected 8 tab-separated columns, found "
                                    + columns.length);
                }
                boolean start = columns[0].equals("START");
                if (start ? !columns[3].equals("UNTRUSTED") : !columns[0].equals("CONNECTION")) {
                    continue;
                }
                rows.add(
                        new Row(
                                start,
                                Long.parseLong(columns[1]),
                                shared.computeIfAbsent(columns[2], k -> k),
                                columns[5].isEmpty() ? null : shared.computeIfAbsent(columns[5], k -> k),
                                columns[6].isEmpty() ? null : Long.valueOf(columns[6]),
                                lines));
            }
        }
        return new Contents(rows, bound, lines);
    }
}
