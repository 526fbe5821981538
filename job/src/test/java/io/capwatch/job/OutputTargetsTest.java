package io.capwatch.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Where the Elasticsearch secrets and retry settings of a run come from. */
class OutputTargetsTest {

    @Test
    void secretsComeFromEnvironment() {
        Map<String, String> secrets =
                OutputTargets.secrets(
                        null,
                        Map.of(
                                "CAPWATCH_ES_API_KEY", "a2V5OnNlY3JldA==",
                                "CAPWATCH_ES_CA_FINGERPRINT", "ab".repeat(32),
                                "CAPWATCH_ES_PASSWORD", ""));

        assertEquals(
                Map.of("api_key", "a2V5OnNlY3JldA==", "ca_fingerprint", "ab".repeat(32)), secrets);
    }

    @Test
    void propertiesFileWinsOverEnvironment(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("elasticsearch.properties");
        Files.writeString(file, "username=writer\npassword=from-file\n");

        Map<String, String> secrets =
                OutputTargets.secrets(
                        file.toString(),
                        Map.of("CAPWATCH_ES_PASSWORD", "from-env", "CAPWATCH_ES_USERNAME", "env"));

        assertEquals(Map.of("username", "writer", "password", "from-file"), secrets);
    }

    @Test
    void unknownPropertyIsRejectedWithoutItsValue(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("elasticsearch.properties");
        Files.writeString(file, "pasword=typo-secret\n");

        IllegalArgumentException error =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> OutputTargets.secrets(file.toString(), Map.of()));

        assertTrue(error.getMessage().contains("unknown key 'pasword'"), error.getMessage());
        assertFalse(error.getMessage().contains("typo-secret"), error.getMessage());
    }

    @Test
    void retryOptionsReachSettings(@TempDir Path dir) throws IOException {
        Path input = Files.createFile(dir.resolve("events.ndjson"));
        CapwatchMain main = new CapwatchMain();
        new CommandLine(main)
                .parseArgs(
                        "--input", input.toString(),
                        "--es-retry-timeout", "90s",
                        "--es-initial-backoff", "50ms",
                        "--es-max-backoff", "2s");

        JobSettings settings = main.toSettings();

        assertEquals(Duration.ofSeconds(90), settings.elasticsearchRetryTimeout);
        assertEquals(Duration.ofMillis(50), settings.elasticsearchInitialBackoff);
        assertEquals(Duration.ofSeconds(2), settings.elasticsearchMaxBackoff);
    }

    @Test
    void retryDefaultsAreFiveMinutesAndTenSeconds(@TempDir Path dir) throws IOException {
        Path input = Files.createFile(dir.resolve("events.ndjson"));
        CapwatchMain main = new CapwatchMain();
        new CommandLine(main).parseArgs("--input", input.toString());

        JobSettings settings = main.toSettings();

        assertEquals(Duration.ofMinutes(5), settings.elasticsearchRetryTimeout);
        assertEquals(Duration.ofMillis(200), settings.elasticsearchInitialBackoff);
        assertEquals(Duration.ofSeconds(10), settings.elasticsearchMaxBackoff);
    }
}
