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

    private static byte[] gzip(String text) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return bytes.toByteArray();
    }
}
