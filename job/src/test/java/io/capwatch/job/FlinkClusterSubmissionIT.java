package io.capwatch.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.capwatch.testing.ElasticsearchServer;
import io.capwatch.testing.FlinkCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Submits the shaded job jar to a real Flink session cluster over the sample telemetry, writing to
 * a real Elasticsearch: once as a user does, from a client JVM with {@code --flink-cluster}, and
 * once through the REST API, where the JobManager runs the main method itself.
 *
 * <p>Runs in Maven's failsafe plugin after {@code package}, which builds the shaded jar and writes
 * the client class path; the plugin passes both as system properties.
 */
class FlinkClusterSubmissionIT {
    @RegisterExtension static final ElasticsearchServer ELASTICSEARCH = new ElasticsearchServer();

    @RegisterExtension static final FlinkCluster FLINK = new FlinkCluster();

    private static final Path REPOSITORY = ElasticsearchBackfillTest.repositoryRoot();
    private static final Path SAMPLE = REPOSITORY.resolve("deploy/sample");
    /** An upper bound for one run over the sample, which took 10 to 15 s on two cores. */
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(5);

    private static final Pattern JOB_ID_LINE =
            Pattern.compile("^  Flink job ([0-9a-f]{32})$", Pattern.MULTILINE);
    private static final Pattern ALERTS_LINE =
            Pattern.compile("^  alerts +([0-9,]+)\\b", Pattern.MULTILINE);

    @Test
    void clientSubmissionIndexesSampleAlertsOnce() throws Exception {
        String alertIndex = ELASTICSEARCH.uniqueIndexName("logs-capwatch.alerts-cluster");
        String deadLetterIndex = ELASTICSEARCH.uniqueIndexName("logs-capwatch.deadletter-cluster");

        ClientRun first = runClient(alertIndex, deadLetterIndex);
        assertEquals("FINISHED", FLINK.jobState(first.jobId()), "state in /jobs/overview");
        assertEquals("5", first.summaryAlerts(), "alerts in the run summary");
        Set<String> alertIds = documentIds(alertIndex);
        assertEquals(5, alertIds.size(), "alert ids: " + alertIds);
        assertEquals(1, ELASTICSEARCH.count(deadLetterIndex), "the sample's one truncated line");

        ClientRun second = runClient(alertIndex, deadLetterIndex);
        assertNotEquals(first.jobId(), second.jobId());
        assertEquals("FINISHED", FLINK.jobState(second.jobId()), "state in /jobs/overview");
        assertEquals(5, ELASTICSEARCH.count(alertIndex), "a second run must not duplicate alerts");
        assertEquals(alertIds, documentIds(alertIndex), "alert ids after the second run");
        assertEquals(1, ELASTICSEARCH.count(deadLetterIndex));
    }

    @Test
    void injectedAttacksAlertOnCluster() throws Exception {
        Path fleet = Files.createTempDirectory(Path.of(System.getProperty("basedir", "."), "target"), "fleet-");
        Path injected = fleet.resolve("injected.jsonl");
        int exitCode =
                new picocli.CommandLine(new io.capwatch.tools.FleetGenerator())
                        .execute(
                                "--output-dir", fleet.resolve("stream").toString(),
                                "--hosts", "500",
                                "--rate", "50",
                                "--duration", "PT20M",
                                "--attacks", "6",
                                "--seed", "11",
                                "--start", "2024-05-14T10:00:00Z",
                                "--injected-file", injected.toString());
        assertEquals(0, exitCode, "generator exit code");
        List<String> attacks = Files.readAllLines(injected);
        assertEquals(6, attacks.size());

        String alertIndex = ELASTICSEARCH.uniqueIndexName("logs-capwatch.alerts-fleet");
        ClientRun run =
                runClient(
                        List.of(
                                "--input", fleet.resolve("stream").toString(),
                                "--es-url", ELASTICSEARCH.url(),
                                "--alert-index", alertIndex,
                                "--dead-letter-index",
                                ELASTICSEARCH.uniqueIndexName("logs-capwatch.deadletter-fleet")));
        assertEquals("FINISHED", FLINK.jobState(run.jobId()), "state in /jobs/overview");

        assertEquals(6, ELASTICSEARCH.count(alertIndex), "one alert per injected chain");
        for (String line : attacks) {
            JsonNode attack = new com.fasterxml.jackson.databind.ObjectMapper().readTree(line);
            String query =
                    "{\"query\":{\"bool\":{\"filter\":["
                            + "{\"term\":{\"process.pid\":" + attack.path("pid").asLong() + "}},"
                            + "{\"term\":{\"host.name\":\"" + attack.path("host_name").asText() + "\"}},"
                            + "{\"term\":{\"destination.ip\":\"" + attack.path("destination_ip").asText() + "\"}}]}}}";
            long hits =
                    ELASTICSEARCH
                            .request("POST", "/" + alertIndex + "/_count", query)
                            .json()
                            .path("count")
                            .asLong();
            assertEquals(1, hits, "alerts for injected " + line);
        }
    }

    @Test
    void restSubmissionKeepsJobManagerRunning() throws Exception {
        String alertIndex = ELASTICSEARCH.uniqueIndexName("logs-capwatch.alerts-rest");
        String deadLetterIndex = ELASTICSEARCH.uniqueIndexName("logs-capwatch.deadletter-rest");

        String jarId = FLINK.uploadJar(jobJar());
        String jobId = FLINK.runJar(jarId, jobArguments(alertIndex, deadLetterIndex));
        assertEquals("FINISHED", FLINK.awaitJobEnd(jobId, RUN_TIMEOUT));
        assertEquals("FINISHED", FLINK.jobState(jobId), "state in /jobs/overview");
        assertEquals(5, ELASTICSEARCH.count(alertIndex));
        assertEquals(1, ELASTICSEARCH.count(deadLetterIndex));

        // The JobManager ran main() and must still serve with its TaskManager registered.
        JsonNode overview = FLINK.get("/overview");
        assertEquals(1, overview.path("taskmanagers").asInt(), "TaskManagers in " + overview);
    }

    /** Options for a run over the sample, with absolute paths because the cluster resolves them. */
    private static List<String> jobArguments(String alertIndex, String deadLetterIndex) {
        return List.of(
                "--input",
                SAMPLE.resolve("telemetry").toString(),
                "--prevalence",
                SAMPLE.resolve("prevalence.ndjson").toString(),
                "--es-url",
                ELASTICSEARCH.url(),
                "--alert-index",
                alertIndex,
                "--dead-letter-index",
                deadLetterIndex);
    }

    /**
     * Runs {@code java -cp <shaded jar>:<client class path> CapwatchMain ... --flink-cluster} in a
     * child JVM and checks that it exited with 0.
     */
    private static ClientRun runClient(String alertIndex, String deadLetterIndex)
            throws IOException, InterruptedException {
        return runClient(jobArguments(alertIndex, deadLetterIndex));
    }

    private static ClientRun runClient(List<String> jobArguments)
            throws IOException, InterruptedException {
        Path classpathFile = systemPath("capwatch.client.classpath.file");
        String classpath = jobJar() + ":" + Files.readString(classpathFile).strip();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx512m");
        command.addAll(List.of(requiredProperty("capwatch.flink.jvm.opens").trim().split("\\s+")));
        command.add(
                "-Dlog4j.configurationFile="
                        + REPOSITORY.resolve("deploy/local/log4j2-local.properties"));
        command.add("-cp");
        command.add(classpath);
        command.add(CapwatchMain.class.getName());
        command.addAll(jobArguments);
        command.add("--flink-cluster");
        command.add(FLINK.address());

        Path target = Path.of(System.getProperty("basedir", "."), "target");
        Path output = Files.createTempFile(target, "capwatch-client-", ".log");
        Process process =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(output.toFile())
                        .start();
        if (!process.waitFor(RUN_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("the client did not end within " + RUN_TIMEOUT + ":\n" + Files.readString(output));
        }
        ClientRun run = new ClientRun(process.exitValue(), Files.readString(output));
        assertEquals(0, run.exitCode(), "exit code of the client; its output:\n" + run.output());
        return run;
    }

    private static Set<String> documentIds(String index) {
        ELASTICSEARCH.refresh(index);
        JsonNode hits =
                ELASTICSEARCH
                        .request("GET", "/" + index + "/_search?size=100&_source=false", null)
                        .json()
                        .path("hits")
                        .path("hits");
        Set<String> ids = new TreeSet<>();
        for (JsonNode hit : hits) {
            ids.add(hit.path("_id").asText());
        }
        return ids;
    }

    private static Path jobJar() {
        return systemPath("capwatch.job.jar");
    }

    private static Path systemPath(String property) {
        Path path = Path.of(requiredProperty(property));
        if (!Files.isRegularFile(path)) {
            fail(property + "=" + path + " does not exist; run mvn verify, which packages it");
        }
        return path;
    }

    private static String requiredProperty(String property) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            fail(
                    "system property "
                            + property
                            + " is not set; run this test through Maven's failsafe plugin (mvn"
                            + " verify)");
        }
        return value;
    }

    /** The exit code and combined output of a client JVM. */
    private record ClientRun(int exitCode, String output) {

        String jobId() {
            return find(JOB_ID_LINE, "Flink job id");
        }

        String summaryAlerts() {
            return find(ALERTS_LINE, "alerts count");
        }

        private String find(Pattern pattern, String description) {
            Matcher matcher = pattern.matcher(output);
            if (!matcher.find()) {
                fail("no " + description + " in the client output:\n" + output);
            }
            return matcher.group(1);
        }
    }
}
