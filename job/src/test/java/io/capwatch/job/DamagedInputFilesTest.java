package io.capwatch.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.capwatch.metrics.CounterNames;
import io.capwatch.testing.MiniClusters;
import io.capwatch.testing.PipelineRun;
import io.capwatch.testing.Telemetry;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Damaged input files cost their own records, never the run or the other files. */
class DamagedInputFilesTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK =
            MiniClusters.withTwoSlots();

    private static final String EXE = "C:\\Users\\u\\Downloads\\tool.exe";

    @TempDir Path dir;

    @Test
    void corruptCompressedFilesAreDeadLettered() throws Exception {
        Path input = Files.createDirectory(dir.resolve("input"));
        Path good =
                new Telemetry()
                        .unsignedStart("2024-05-14T10:00:00Z", "h1", 10, EXE)
                        .connection("2024-05-14T10:01:00Z", "h1", 10, EXE, "93.184.216.34")
                        .writeTo(dir);
        Files.copy(good, input.resolve("good.ndjson"));
        Files.writeString(input.resolve("not-gzip.ndjson.gz"), "this is not gzip\n");
        byte[] gzip = gzip(Files.readString(good).repeat(50));
        Files.write(input.resolve("cut.ndjson.gz"), Arrays.copyOf(gzip, gzip.length / 2));

        PipelineRun.Result result = PipelineRun.over(input).inBatchMode().execute();

        assertEquals(1, result.alerts().size(), "the good file's alert");
        List<JsonNode> unreadable =
                result.deadLetters().stream()
                        .filter(d -> d.path("error").path("type").asText().equals("UNREADABLE_INPUT"))
                        .toList();
        assertEquals(2, unreadable.size(), "one dead letter per damaged file: " + result.deadLetters());
        for (JsonNode letter : unreadable) {
            assertTrue(
                    letter.path("error").path("message").asText().startsWith("failed to read file:"),
                    letter.toString());
        }
        assertEquals(2, result.summary().get(CounterNames.DEAD_LETTERED_PREFIX + "UNREADABLE_INPUT"));
    }

    @Test
    void byteOrderMarkIsIgnored() throws Exception {
        Path file = dir.resolve("bom.ndjson");
        String lines =
                Files.readString(
                        new Telemetry()
                                .unsignedStart("2024-05-14T10:00:00Z", "h1", 10, EXE)
                                .connection("2024-05-14T10:01:00Z", "h1", 10, EXE, "93.184.216.34")
                                .writeTo(dir));
        Files.writeString(file, "\uFEFF" + lines);

        PipelineRun.Result result = PipelineRun.over(file).inBatchMode().execute();

        assertEquals(1, result.alerts().size());
        assertEquals(0, result.deadLetteredRecords());
    }

    /**
     * One file of bad records between an alerting start and its connection, read in streaming
     * mode. Each record becomes an event, is ignored, or is dead-lettered under its reason, the
     * three counts add up to the records read, and the alert still comes out.
     */
    @Test
    void badRecordsAreCountedAndSkipped() throws Exception {
        Telemetry telemetry = new Telemetry().unsignedStart("2024-05-14T10:00:00Z", "h1", 10, EXE);
        String start = Files.readAllLines(telemetry.writeTo(dir)).get(0);
        telemetry
                // A host whose clock is decades ahead: without the future bound the watermark
                // would jump there and make the connection below late.
                .raw(start.replace("2024-05-14T10:00:00Z", "2099-01-01T00:00:00Z").replace("\"pid\":10", "\"pid\":11"))
                .raw("not json")
                .raw(start.substring(0, start.length() / 2))
                .raw("{\"a\":" + "[".repeat(5000) + "]".repeat(5000) + "}")
                .raw(start.replace("\"pid\":10", "\"pid\":12,\"command_line\":\"" + "A".repeat(3 << 20) + "\""))
                .raw(start.replace("\"pid\":10", "\"pid\":\"ten\""))
                .raw(start.replace("\"pid\":10", "\"pid\":\"13\""))
                .raw(start.replace("\"@timestamp\":\"2024-05-14T10:00:00Z\"", "\"@timestamp\":null"))
                .raw(start.replace("\"@timestamp\":\"2024-05-14T10:00:00Z\"", "\"@timestamp\":\"14/May/2024:10:00:00 +0000\""))
                .raw("{\"message\":\"no source fields\"}")
                .raw(start.replace("\"start\"]", "\"end\"]"))
                .connection("2024-05-14T10:00:20Z", "h1", 10, EXE, "999.1.1.1")
                .connection("2024-05-14T10:00:30Z", "h1", 10, EXE, "::ffff:10.0.0.1")
                .connection("2024-05-14T10:00:40Z", "h1", 10, EXE, "fe80::1%eth0")
                .connection("2024-05-14T10:01:00Z", "h1", 10, EXE, "93.184.216.34");
        Path file = telemetry.writeTo(dir);
        // The file ends in a line cut short, without its newline.
        Files.writeString(file, start.substring(0, 40), StandardOpenOption.APPEND);

        PipelineRun.Result result = PipelineRun.over(file).execute();

        RunSummary summary = result.summary();
        assertEquals(1, result.alerts().size(), "the alert of pid 10");
        assertEquals("93.184.216.34", result.alerts().get(0).path("destination").path("ip").asText());
        assertEquals(17, summary.get(CounterNames.RECORDS_READ), "records read");
        assertEquals(5, summary.get(CounterNames.EVENTS_PREFIX + "endpoint"), "events");
        assertEquals(1, summary.get(CounterNames.IGNORED_PREFIX + "endpoint"), "ignored");
        assertEquals(3, summary.get(CounterNames.DEAD_LETTERED_PREFIX + "INVALID_JSON"), "invalid JSON");
        assertEquals(2, summary.get(CounterNames.DEAD_LETTERED_PREFIX + "TOO_LARGE"), "too large");
        assertEquals(1, summary.get(CounterNames.DEAD_LETTERED_PREFIX + "FUTURE_TIMESTAMP"), "future");
        assertEquals(3, summary.get(CounterNames.DEAD_LETTERED_PREFIX + "INVALID_FIELD"), "invalid fields");
        assertEquals(1, summary.get(CounterNames.DEAD_LETTERED_PREFIX + "MISSING_FIELD"), "missing fields");
        assertEquals(1, summary.get(CounterNames.DEAD_LETTERED_PREFIX + "UNKNOWN_SHAPE"), "unknown shape");
        assertEquals(
                summary.get(CounterNames.RECORDS_READ),
                summary.get(CounterNames.EVENTS_PREFIX + "endpoint")
                        + summary.get(CounterNames.IGNORED_PREFIX + "endpoint")
                        + summary.deadLettered(),
                "every record read is an event, ignored or dead-lettered");
        assertEquals(summary.deadLettered(), result.deadLetteredRecords(), "one dead letter per count");
        assertEquals(0, result.lateEvents(), "late events");
        assertEquals(2, summary.get(CounterNames.CONNECTIONS_INTERNAL), "mapped and zoned addresses are internal");
    }

    private static byte[] gzip(String text) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return bytes.toByteArray();
    }
}
