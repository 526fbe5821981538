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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.extension.AfterAllCallback;
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
 * <p>{@link #dedicated(String)} instead starts a cluster for one test class alone, which stops
 * after that class. Fault tests use it to kill its TaskManager without disturbing other tests.
 *
 * <pre>{@code
 * @RegisterExtension static final FlinkCluster FLINK = new FlinkCluster();
 * }</pre>
 */
public final class FlinkCluster implements BeforeAllCallback, AfterAllCallback {

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

    /** The home prefix of a dedicated cluster, or {@code null} for the shared one. */
    private final String dedicatedHomePrefix;

    private volatile RunningCluster cluster;

    /** Creates the extension for the cluster that all test classes share. */
    public FlinkCluster() {
        this(null);
    }

    private FlinkCluster(String dedicatedHomePrefix) {
        this.dedicatedHomePrefix = dedicatedHomePrefix;
    }

    /**
     * Creates an extension that starts a cluster of its own with {@code deploy/local/flink.sh}
     * before the test class, with the home {@code target/<homePrefix>-<pid>}, and stops it after
     * the class, also when a test failed.
     */
    public static FlinkCluster dedicated(String homePrefix) {
        return new FlinkCluster(homePrefix);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (dedicatedHomePrefix != null) {
            cluster =
                    new RunningCluster(
                            ScriptedService.startDedicated(SERVICE, dedicatedHomePrefix));
            return;
        }
        cluster =
                ScriptedService.shared(
                        context,
                        FlinkCluster.class,
                        RunningCluster.class,
                        RunningCluster::startOrConnect);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        // JUnit closes the shared cluster after the last test class instead.
        if (dedicatedHomePrefix != null && cluster != null) {
            cluster.close();
            cluster = null;
        }
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
     *
     * <p>It also waits until {@code GET /jobs/<id>} reports the end. That handler and the ones for
     * accumulators and checkpoints serve a cached copy of the job for up to {@code
     * web.refresh-interval} (3 s by default), so a read right after the status changed may return
     * the counters of the running job.
     */
    public String awaitJobEnd(String jobId, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        String state = null;
        while (Instant.now().isBefore(deadline)) {
            state = get("/jobs/" + jobId + "/status").path("status").asText();
            if (TERMINAL_STATES.contains(state)
                    && TERMINAL_STATES.contains(get("/jobs/" + jobId).path("state").asText())) {
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
        return runJar(jarId, programArguments, null, Map.of());
    }

    /**
     * Runs an uploaded jar as {@link #runJar(String, List)} does, restored from {@code
     * savepointPath} unless it is {@code null}, with {@code configuration} (Flink options such as
     * {@code restart-strategy.type}) set for the job.
     */
    public String runJar(
            String jarId,
            List<String> programArguments,
            String savepointPath,
            Map<String, String> configuration) {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode arguments = body.putArray("programArgsList");
        programArguments.forEach(arguments::add);
        if (savepointPath != null) {
            body.put("savepointPath", savepointPath);
        }
        ObjectNode options = body.putObject("flinkConfiguration");
        configuration.forEach(options::put);
        return post("/jars/" + jarId + "/run", body).path("jobid").asText();
    }

    /**
     * Stops a job with a savepoint in {@code directory} through {@code POST /jobs/<id>/stop},
     * without draining, so that timers and pending matches stay in the savepoint instead of
     * firing. Returns the savepoint's path once it is complete.
     *
     * @throws IllegalStateException when the savepoint fails or is not complete within {@code
     *     timeout}
     */
    public String stopWithSavepoint(String jobId, Path directory, Duration timeout)
            throws InterruptedException {
        ObjectNode body = JSON.createObjectNode();
        body.put("targetDirectory", directory.toString());
        body.put("drain", false);
        String triggerId = post("/jobs/" + jobId + "/stop", body).path("request-id").asText();
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            JsonNode status = get("/jobs/" + jobId + "/savepoints/" + triggerId);
            if ("COMPLETED".equals(status.path("status").path("id").asText())) {
                JsonNode operation = status.path("operation");
                if (operation.has("failure-cause")) {
                    throw new IllegalStateException(
                            "the savepoint of job " + jobId + " failed: " + operation);
                }
                return operation.path("location").asText();
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException(
                "the savepoint of job " + jobId + " was not complete within " + timeout);
    }

    /** Cancels a job through {@code PATCH /jobs/<id>?mode=cancel}; the job ends as CANCELED. */
    public void cancel(String jobId) {
        HttpRequest request =
                newRequest("/jobs/" + jobId + "?mode=cancel")
                        .method("PATCH", HttpRequest.BodyPublishers.noBody())
                        .build();
        HttpResponse<String> response = cluster.send(request);
        if (response.statusCode() != 202) {
            throw new IllegalStateException(
                    "PATCH " + request.uri() + " failed: HTTP " + response.statusCode() + " "
                            + response.body());
        }
    }

    /**
     * Returns the job's user accumulators by name, such as {@code recordsRead}. A running job
     * reports them with a delay of a few seconds, and after a restart they count only what the
     * tasks did since the restart.
     */
    public Map<String, Long> accumulators(String jobId) {
        Map<String, Long> values = new TreeMap<>();
        JsonNode accumulators = get("/jobs/" + jobId + "/accumulators");
        for (JsonNode accumulator : accumulators.path("user-task-accumulators")) {
            String value = accumulator.path("value").asText();
            if (value.matches("-?[0-9]+")) {
                values.put(accumulator.path("name").asText(), Long.parseLong(value));
            }
        }
        return values;
    }

    /** Returns the number of completed checkpoints of a job, savepoints included. */
    public long completedCheckpoints(String jobId) {
        return get("/jobs/" + jobId + "/checkpoints").path("counts").path("completed").asLong();
    }

    /**
     * Kills the TaskManager of a dedicated cluster with SIGKILL, as a crash of its machine would,
     * and returns its process id once it has exited.
     */
    public long killTaskManager() throws IOException {
        Path pidFile = dedicated().home().resolve("flink-taskmanager.pid");
        long pid = Long.parseLong(Files.readString(pidFile).strip());
        ProcessHandle process =
                ProcessHandle.of(pid)
                        .orElseThrow(
                                () ->
                                        new IllegalStateException(
                                                "TaskManager " + pid + " is not running"));
        // On Linux destroyForcibly sends SIGKILL, so the TaskManager gets no chance to clean up.
        process.destroyForcibly();
        process.onExit().join();
        return pid;
    }

    /** Returns the JobManager's log file of a dedicated cluster. */
    public Path jobManagerLog() {
        return dedicated().home().resolve("flink/log/jobmanager.log");
    }

    /**
     * Starts a new TaskManager for a dedicated cluster after {@link #killTaskManager()} and waits
     * until the JobManager has registered it.
     */
    public void startTaskManager() {
        dedicated().run("start-taskmanager", Map.of());
    }

    private ScriptedService dedicated() {
        if (dedicatedHomePrefix == null) {
            throw new IllegalStateException(
                    "only a cluster of FlinkCluster.dedicated(...) may lose its TaskManager; the"
                            + " shared cluster serves other tests");
        }
        return ScriptedService.requireStarted(cluster, FlinkCluster.class).service;
    }

    private JsonNode post(String path, JsonNode body) {
        HttpRequest request =
                newRequest(path)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                        .build();
        return expectOk(request, cluster.send(request));
    }

    private HttpRequest.Builder newRequest(String path) {
        return HttpRequest.newBuilder(URI.create("http://" + address() + path))
                .timeout(Duration.ofSeconds(60));
    }

    private static JsonNode expectOk(HttpRequest request, HttpResponse<String> response) {
        // Asynchronous operations such as stop-with-savepoint return 202 Accepted.
        if (response.statusCode() != 200 && response.statusCode() != 202) {
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

        RunningCluster(ScriptedService service) {
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
