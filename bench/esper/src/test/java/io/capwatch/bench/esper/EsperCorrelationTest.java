package io.capwatch.bench.esper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.capwatch.bench.esper.EsperCorrelation.Match;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The EPL pattern's semantics on hand-written candidate files. */
class EsperCorrelationTest {
    private static final String KEY = "h1\u001f\\users\\u\\appdata\\local\\temp\\x.exe\u001f100";
    private static final String OTHER_KEY = "h2\u001f\\users\\u\\appdata\\local\\temp\\x.exe\u001f100";
    private static final long T = 1_767_225_600_000L;
    private static final long HOUR = 3_600_000L;

    @TempDir Path dir;

    @Test
    void connectionWithinHourMatches() throws Exception {
        assertEquals(
                List.of(new Match(KEY, T, T + 60_000)),
                run(start(KEY, T, "g1"), connection(KEY, T + 60_000, "g1")));
    }

    @Test
    void windowEndIsInclusive() throws Exception {
        assertEquals(
                List.of(new Match(KEY, T, T + HOUR)),
                run(start(KEY, T, null), connection(KEY, T + HOUR, null)));
        assertEquals(List.of(), run(start(KEY, T, null), connection(KEY, T + HOUR + 1, null)));
    }

    @Test
    void newerStartReplacesPendingOne() throws Exception {
        assertEquals(
                List.of(new Match(KEY, T + 1_000, T + 2_000)),
                run(start(KEY, T, null), start(KEY, T + 1_000, null), connection(KEY, T + 2_000, null)));
    }

    @Test
    void startCompletesOnlyOnce() throws Exception {
        assertEquals(
                List.of(new Match(KEY, T, T + 1_000)),
                run(start(KEY, T, null), connection(KEY, T + 1_000, null), connection(KEY, T + 2_000, null)));
    }

    @Test
    void sameMillisecondStartComesFirst() throws Exception {
        assertEquals(List.of(new Match(KEY, T, T)), run(connection(KEY, T, null), start(KEY, T, null)));
    }

    @Test
    void outOfOrderWithinBoundMatches() throws Exception {
        assertEquals(
                List.of(new Match(KEY, T, T + 30_000)),
                run(connection(KEY, T + 30_000, null), start(KEY, T, null)));
    }

    @Test
    void otherProcessGuidDoesNotMatch() throws Exception {
        assertEquals(List.of(), run(start(KEY, T, "g1"), connection(KEY, T + 1_000, "g2")));
    }

    @Test
    void otherKeyDoesNotMatch() throws Exception {
        assertEquals(List.of(), run(start(KEY, T, null), connection(OTHER_KEY, T + 1_000, null)));
    }

    @Test
    void candidateBehindWatermarkIsRejected() {
        assertThrows(
                IllegalArgumentException.class,
                () -> run(connection(KEY, T + 120_000, null), start(KEY, T, null)));
    }

    private List<Match> run(String... lines) throws Exception {
        Path file = dir.resolve("candidates.tsv");
        write(file, lines);
        return EsperCorrelation.matches(file);
    }

    private static void write(Path file, String... lines) throws IOException {
        StringBuilder text = new StringBuilder("#capwatch-candidates v1 out_of_order_ms=60000\n");
        for (String line : lines) {
            text.append(line).append('\n');
        }
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    private static String start(String key, long millis, String entityId) {
        return "START\t" + millis + "\t" + key + "\tUNTRUSTED\tWINDOWS\t" + orEmpty(entityId) + "\t\t";
    }

    private static String connection(String key, long millis, String entityId) {
        return "CONNECTION\t" + millis + "\t" + key + "\t\tWINDOWS\t" + orEmpty(entityId) + "\t\t93.184.216.34";
    }

    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }
}
