package io.capwatch.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension that provides a real Flink standalone session cluster on 127.0.0.1: one
 * JobManager and one TaskManager with 2 slots, as {@code deploy/local/flink.sh} runs them.
 *
 * <p>When the environment variable {@value #ADDRESS_VARIABLE} is set to {@code HOST:PORT} of a
 * REST endpoint, the tests use that cluster. Otherwise the first test class that needs it starts
 * one with {@code deploy/local/flink.sh start}, with its own {@code CAPWATCH_HOME} under the
 * module's {@code target/} directory. All test classes in the JVM share that cluster, and it stops
 * once, after the last test.
 *
 * <pre>{@code
 * @RegisterExtension static final FlinkCluster FLINK = new FlinkCluster();
 * }</pre>
 */
public final class FlinkCluster implements BeforeAllCallback {

    /** The environment variable with {@code HOST:PORT} of an already running cluster. */
    public static final String ADDRESS_VARIABLE = "CAPWATCH_FLINK_ADDRESS";

    private static final ScriptedService.Definition SERVICE =
            new ScriptedService.Definition(
                    "Flink",
                    ADDRESS_VARIABLE,
                    "flink.sh",
                    "flink.address",
                    "stop",
                    "flink-test-cluster-stop");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** States after which a Flink job does not change again. */
    private static final Set<String> TERMINAL_STATES =
            Set.of("FINISHED", "FAILED", "CANCELED", "SUSPENDED");

    private volatile RunningCluster cluster;

    @Override
    public void beforeAll(ExtensionContext context) {
        cluster =
                ScriptedService.shared(
                        context,
                        FlinkCluster.class,
                        RunningCluster.class,
                        RunningCluster::startOrConnect);
    }

    /** Returns {@code HOST:PORT} of the REST endpoint, as {@code --flink-cluster} takes it. */
    public String address() {
        return ScriptedService.requireStarted(cluster, FlinkCluster.class).address;
    }

    /** Sends {@code GET path} to the REST API and returns the JSON body of a 200 response. */
    public JsonNode get(String path) {
        HttpRequest request = newRequest(path).GET().build();
        return expectOk(request, cluster.send(request));
    }

    /**
     * Returns the state of a job in {@code GET /jobs/overview}, such as {@code RUNNING} or {@code
     * FINISHED}, or {@code null} when the cluster does not list it.
     */
    public String jobState(String jobId) {
        for (JsonNode job : get("/jobs/overview").path("jobs")) {
            if (job.path("jid").asText().equals(jobId)) {
                return job.path("state").asText();
            }
        }
        return null;
    }

    /**
     * Polls the job's status until it reaches a terminal state and returns that state. Fails when
     * it has not ended within {@code timeout}.
     */
    public String awaitJobEnd(String jobId, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        String state = null;
        while (Instant.now().isBefore(deadline)) {
            state = get("/jobs/" + jobId + "/status").path("status").asText();
            if (TERMINAL_STATES.contains(state)) {
                return state;
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException(
                "job " + jobId + " did not end within " + timeout + " (state " + state + ")");
    }

    /** Uploads a job jar through {@code POST /jars/upload} and returns its jar id. */
    public String uploadJar(Path jar) throws IOException {
        String boundary = "capwatch-" + UUID.randomUUID();
        String head =
                "--"
                        + boundary
                        + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
                        + jar.getFileName()
                        + "\"\r\nContent-Type: application/java-archive\r\n\r\n";
        String tail = "\r\n--" + boundary + "--\r\n";
        HttpRequest request =
                newRequest("/jars/upload")
                        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                        .POST(
                                HttpRequest.BodyPublishers.concat(
                                        HttpRequest.BodyPublishers.ofString(head),
                                        HttpRequest.BodyPublishers.ofFile(jar),
                                        HttpRequest.BodyPublishers.ofString(tail)))
                        .build();
        JsonNode body = expectOk(request, cluster.send(request));
        // The response names the stored file, whose last path segment is the jar id.
        return Path.of(body.path("filename").asText()).getFileName().toString();
    }

    /**
     * Runs an uploaded jar's main class through {@code POST /jars/<id>/run} with the given program
     * arguments and returns the id of the job it submitted.
     */
    public String runJar(String jarId, List<String> programArguments) {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode arguments = body.putArray("programArgsList");
        programArguments.forEach(arguments::add);
        HttpRequest request =
                newRequest("/jars/" + jarId + "/run")
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                        .build();
        return expectOk(request, cluster.send(request)).path("jobid").asText();
    }

    private HttpRequest.Builder newRequest(String path) {
        return HttpRequest.newBuilder(URI.create("http://" + address() + path))
                .timeout(Duration.ofSeconds(60));
    }

    private static JsonNode expectOk(HttpRequest request, HttpResponse<String> response) {
        if (response.statusCode() != 200) {
            throw new IllegalStateException(
                    request.method()
                            + " "
                            + request.uri()
                            + " failed: HTTP "
                            + response.statusCode()
                            + " "
                            + response.body());
        }
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            String requestLine = request.method() + " " + request.uri();
            throw new UncheckedIOException(
                    requestLine + " returned no JSON: " + response.body(), e);
        }
    }

    /** The started or connected cluster, closed once by JUnit after the last test class. */
    static final class RunningCluster implements AutoCloseable {

        private final String address;
        private final ScriptedService service;
        private final HttpClient http =
                HttpClient.newBuilder()
                        .proxy(HttpClient.Builder.NO_PROXY)
                        .connectTimeout(Duration.ofSeconds(10))
                        .build();

        private RunningCluster(ScriptedService service) {
            this.address = service.address();
            this.service = service;
        }

        static RunningCluster startOrConnect() {
            return new RunningCluster(ScriptedService.connectOrStart(SERVICE));
        }

        HttpResponse<String> send(HttpRequest request) {
            try {
                return http.send(
                        request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException(
                        "Failed to send " + request.method() + " " + request.uri(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(
                        "Interrupted during " + request.method() + " " + request.uri(), e);
            }
        }

        @Override
        public void close() {
            service.close();
        }
    }
}
