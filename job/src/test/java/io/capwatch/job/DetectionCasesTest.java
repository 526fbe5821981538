package io.capwatch.job;

import io.capwatch.testing.CaseExpectations;
import io.capwatch.testing.MiniClusters;
import io.capwatch.testing.PipelineRun;
import io.capwatch.testsupport.SharedData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Runs every detection case folder through the real pipeline and compares the alerts with the
 * case's expected outcome. Each case runs once in streaming mode with the cases' harness (a
 * watermark after every record) and once as a batch backfill. The backfill must give the same
 * alerts, except where a case is about late data, because a backfill sorts by time.
 */
class DetectionCasesTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK =
            MiniClusters.withTwoSlots();

    /** Case folders whose harness uses another out-of-orderness bound. */
    private static Duration boundFor(String caseName) {
        return caseName.startsWith("BR-01b") ? Duration.ofMinutes(30) : Duration.ofSeconds(60);
    }

    /** Cases about lateness, whose expected outcome holds only in streaming mode. */
    private static boolean isAboutLateness(String caseName) {
        return caseName.startsWith("BR-01a");
    }

    @TestFactory
    Stream<DynamicTest> casesInStreamingMode() throws IOException {
        return caseFolders().stream()
                .map(
                        folder ->
                                DynamicTest.dynamicTest(
                                        folder.getFileName().toString(),
                                        () -> runCase(folder, false)));
    }

    @TestFactory
    Stream<DynamicTest> casesInBatchMode() throws IOException {
        return caseFolders().stream()
                .filter(folder -> !isAboutLateness(folder.getFileName().toString()))
                .map(
                        folder ->
                                DynamicTest.dynamicTest(
                                        folder.getFileName().toString(),
                                        () -> runCase(folder, true)));
    }

    private static void runCase(Path folder, boolean batch) throws Exception {
        String name = folder.getFileName().toString();
        PipelineRun run =
                PipelineRun.over(folder.resolve("input.ndjson"))
                        .withOutOfOrderness(boundFor(name));
        Path prevalence = folder.resolve("prevalence.ndjson");
        if (Files.exists(prevalence)) {
            run.withPrevalence(prevalence);
        }
        if (batch) {
            run.inBatchMode();
        }
        CaseExpectations.load(folder).assertMatches(run.execute());
    }

    private static List<Path> caseFolders() throws IOException {
        Path cases = SharedData.require("cases");
        try (Stream<Path> folders = Files.list(cases)) {
            return folders.filter(Files::isDirectory)
                    .filter(folder -> Files.exists(folder.resolve("expected.json")))
                    .sorted()
                    .toList();
        }
    }
}
