package io.capwatch.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * The figures of one fault test, printed as one line and appended to {@code
 * target/reliability/flink-kafka-faults.txt}, from which {@code docs/reliability.md} takes its
 * table.
 *
 * @param test the test's short name
 * @param recordsPerSecond the rate at which records were produced while the test ran, or 0 for a
 *     test that produces a few records only
 * @param records the records produced
 * @param faults what was injected, and when
 * @param alertsExpected alerts that the input must raise
 * @param alertsFound alert documents in Elasticsearch at the end
 * @param duplicates alert documents beyond the first for the same attack chain
 * @param recordsLost records that were produced but that the job did not read
 */
record FaultReport(
        String test,
        double recordsPerSecond,
        long records,
        String faults,
        long alertsExpected,
        long alertsFound,
        long duplicates,
        long recordsLost) {

    String line() {
        String load =
                recordsPerSecond > 0
                        ? String.format(Locale.ROOT, "%.0f events/s", recordsPerSecond)
                        : "none held";
        return String.format(
                Locale.ROOT,
                "fault test %s: load %s (%d records); faults: %s; alerts expected %d, found %d;"
                        + " duplicates %d; records lost %d",
                test,
                load,
                records,
                faults,
                alertsExpected,
                alertsFound,
                duplicates,
                recordsLost);
    }

    /** Prints the line and appends it to the report file under the module's target folder. */
    void publish() {
        String line = line();
        System.out.println(line);
        Path file =
                Path.of(System.getProperty("basedir", "."), "target", "reliability")
                        .resolve("flink-kafka-faults.txt");
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(
                    file,
                    line + "\n",
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("Failed to write " + file, e);
        }
    }
}
