package io.capwatch.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.capwatch.event.ParserLimits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Command-line options that reach the parser's limits. */
class CapwatchMainOptionsTest {
    @TempDir Path dir;

    private JobSettings settings(String... options) throws Exception {
        Path input = Files.createFile(dir.resolve("telemetry.ndjson"));
        CapwatchMain main = new CapwatchMain();
        String[] args = new String[options.length + 2];
        args[0] = "--input";
        args[1] = input.toString();
        System.arraycopy(options, 0, args, 2, options.length);
        new CommandLine(main).parseArgs(args);
        return main.toSettings();
    }

    @Test
    void futureSkewDefaultsToOneMinute() throws Exception {
        assertEquals(ParserLimits.DEFAULT_MAX_FUTURE_SKEW, settings().parserLimits().maxFutureSkew());
    }

    @Test
    void futureSkewReachesParserLimits() throws Exception {
        assertEquals(Duration.ofSeconds(30), settings("--max-future-skew", "30s").parserLimits().maxFutureSkew());
    }

    @Test
    void negativeFutureSkewIsRejected() {
        CommandLine.ParameterException error =
                assertThrows(CommandLine.ParameterException.class, () -> settings("--max-future-skew", "-1m"));
        assertTrue(error.getMessage().contains("--max-future-skew -1m is invalid"), error.getMessage());
    }
}
