package io.capwatch.job;

import io.capwatch.testing.CaseExpectations;
import io.capwatch.testing.PipelineRun;
import io.capwatch.testing.SharedFolder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Runs every detection case folder through the real pipeline and compares the alerts with the
 * case's expected outcome: once in streaming mode with the cases' harness (a watermark after
 * every record), and once as a batch backfill, which must give the same alerts except where a
 * case is about late data (a backfill sorts by time, so nothing is late).
 */
class DetectionCasesTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

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
        Path cases = SharedFolder.require("cases");
        try (Stream<Path> folders = Files.list(cases)) {
            return folders.filter(Files::isDirectory)
                    .filter(folder -> Files.exists(folder.resolve("expected.json")))
                    .sorted()
                    .toList();
        }
    }
}
