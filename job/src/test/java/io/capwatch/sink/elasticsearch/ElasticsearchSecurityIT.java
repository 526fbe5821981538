package io.capwatch.sink.elasticsearch;

import static io.capwatch.sink.elasticsearch.SinkJobs.alert;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.capwatch.job.CapwatchMain;
import io.capwatch.testing.CapturedLogs;
import io.capwatch.testing.DedicatedElasticsearch;
import io.capwatch.testing.ElasticsearchServer.Response;
import io.capwatch.testing.TestCertificateAuthority;
import io.capwatch.testsupport.SharedData;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The sink and the job against a dedicated Elasticsearch 8.19 with security on: TLS on HTTP with a
 * CA made by the test, and a file-realm user whose role may only write {@code logs-capwatch.*}.
 * The integ-test distribution from Maven Central ships the x-pack security module, so this is the
 * real security stack, not a stand-in.
 *
 * <p>NOTE: that distribution lacks the analysis-common module, and Elasticsearch 8.19.4 cannot
 * create its {@code .security} index without it ({@code Unknown filter type [pattern_capture]}).
 * Native users and API keys live in that index, so the tests that need a valid API key are
 * skipped with that reason. An unknown API key still reaches the real API-key authenticator.
 */
class ElasticsearchSecurityIT {

    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = SinkJobs.miniCluster(REPORTER);

    private static final String ELASTIC_PASSWORD = "elastic-" + UUID.randomUUID();
    private static final String USER = "capwatch_writer";
    private static final String USER_PASSWORD = "writer-" + UUID.randomUUID();
    private static final String WRITER_PRIVILEGES =
            "{\"cluster\":[\"manage_index_templates\"],\"indices\":[{\"names\":[\"logs-capwatch.*\"],"
                    + "\"privileges\":[\"create_doc\",\"create_index\",\"auto_configure\","
                    + "\"view_index_metadata\"]}]}";
    /** The same privileges as a file-realm role. */
    private static final String WRITER_ROLE_FILE =
            String.join(
                    "\n",
                    "capwatch_writer:",
                    "  cluster: [ 'manage_index_templates' ]",
                    "  indices:",
                    "    - names: [ 'logs-capwatch.*' ]",
                    "      privileges: [ 'create_doc', 'create_index', 'auto_configure',"
                            + " 'view_index_metadata' ]",
                    "");

    private static Path workDir;
    private static TestCertificateAuthority certificates;
    private static DedicatedElasticsearch elasticsearch;
    /** The API key as Elasticsearch returns it: {@code encoded}, and the secret part alone. */
    private static String apiKeyEncoded;

    private static String apiKeySecret;

    /** Why no API key could be created, or {@code null} when one was. */
    private static String apiKeyUnavailable;

    @BeforeAll
    static void startSecuredElasticsearch() throws IOException {
        Path moduleDir = Paths.get(System.getProperty("basedir", System.getProperty("user.dir")));
        workDir =
                Files.createDirectories(
                        moduleDir.resolve("target/security-it-" + ProcessHandle.current().pid()));
        certificates = TestCertificateAuthority.create(workDir.resolve("certificates"));
        Path securityDir = Files.createDirectories(workDir.resolve("elasticsearch-security"));
        Files.writeString(
                securityDir.resolve("security.yml"),
                String.join(
                        "\n",
                        "xpack.security.enabled: true",
                        "xpack.security.authc.api_key.enabled: true",
                        "xpack.security.http.ssl.enabled: true",
                        "xpack.security.http.ssl.certificate: http.crt",
                        "xpack.security.http.ssl.key: http.key",
                        "xpack.security.transport.ssl.enabled: false",
                        ""));
        Files.copy(certificates.serverCertificateChain(), securityDir.resolve("http.crt"));
        Files.copy(certificates.serverKey(), securityDir.resolve("http.key"));
        Files.copy(certificates.caCertificate(), securityDir.resolve("http-ca.crt"));
        Files.writeString(securityDir.resolve("bootstrap.password"), ELASTIC_PASSWORD + "\n");
        Files.writeString(securityDir.resolve("roles.yml"), WRITER_ROLE_FILE);
        Files.writeString(securityDir.resolve("file-users"), USER + " capwatch_writer\n");
        Files.writeString(securityDir.resolve(USER + ".password"), USER_PASSWORD + "\n");

        elasticsearch =
                DedicatedElasticsearch.start(
                        "security",
                        securityDir,
                        certificates.sslContext(),
                        basic("elastic", ELASTIC_PASSWORD));
        Response apiKey =
                elasticsearch.request(
                        "POST",
                        "/_security/api_key",
                        "{\"name\":\"capwatch-security-it\",\"role_descriptors\":{\"writer\":"
                                + WRITER_PRIVILEGES
                                + "}}");
        if (apiKey.status() == 200) {
            apiKeyEncoded = apiKey.json().path("encoded").asText();
            apiKeySecret = apiKey.json().path("api_key").asText();
        } else {
            apiKeyUnavailable = "HTTP " + apiKey.status() + " " + apiKey.body();
            System.out.println("No API key could be created: " + apiKeyUnavailable);
        }
    }

    @AfterAll
    static void stopElasticsearch() {
        if (elasticsearch != null) {
            elasticsearch.close();
        }
    }

    private static String basic(String user, String password) {
        return "Basic "
                + Base64.getEncoder()
                        .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static Response expectOk(Response response) {
        assertEquals(200, response.status(), response.body());
        return response;
    }

    /** Returns every form in which a secret of this test could leak. */
    private static List<String> secrets() {
        List<String> secrets = new ArrayList<>();
        secrets.add(ELASTIC_PASSWORD);
        secrets.add(USER_PASSWORD);
        secrets.add(basic(USER, USER_PASSWORD).substring("Basic ".length()));
        secrets.add(basic("elastic", ELASTIC_PASSWORD).substring("Basic ".length()));
        if (apiKeyEncoded != null) {
            secrets.add(apiKeyEncoded);
            secrets.add(apiKeySecret);
        }
        return secrets;
    }

    private static void assertNoSecret(List<String> texts, String where) {
        for (String text : texts) {
            for (String secret : secrets()) {
                assertFalse(text.contains(secret), where + " contains a secret: " + text);
            }
        }
    }

    private ElasticsearchSinkBuilder<IndexedDocument> sinkBuilder(
            String credential, String trust, String deadLetterIndex) {
        ElasticsearchSinkBuilder<IndexedDocument> builder =
                ElasticsearchSink.<IndexedDocument>builder()
                        .setHosts(elasticsearch.url())
                        .setElementConverter(new IndexedDocumentConverter())
                        .setDeadLetterIndex(deadLetterIndex);
        switch (credential) {
            case "basic" -> builder.setUsername(USER).setPassword(USER_PASSWORD);
            case "apiKey" -> builder.setApiKey(apiKeyEncoded);
            default -> throw new IllegalArgumentException(credential);
        }
        switch (trust) {
            case "caFile" -> builder.setCaCertificatePath(certificates.caCertificate());
            case "fingerprint" -> builder.setCaCertificateFingerprint(certificates.caFingerprint());
            default -> throw new IllegalArgumentException(trust);
        }
        return builder;
    }

    private static String uniqueName(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @ParameterizedTest(name = "{0} with {1}")
    @CsvSource({"basic, caFile", "basic, fingerprint", "apiKey, caFile", "apiKey, fingerprint"})
    void credentialAndTrustIndexAlerts(String credential, String trust) throws Exception {
        String index = uniqueName("logs-capwatch.alerts-" + credential.toLowerCase());
        String deadLetterIndex = uniqueName("logs-capwatch.deadletter-" + trust.toLowerCase());
        if (credential.equals("apiKey")) {
            assumeTrue(apiKeyUnavailable == null, "no API key: " + apiKeyUnavailable);
        }
        List<IndexedDocument> alerts =
                List.of(
                        alert(index, "secure-a", 4242, "C:\\Temp\\a.exe", "93.184.216.34"),
                        alert(index, "secure-b", 4343, "C:\\Temp\\b.exe", "93.184.216.35"));

        try (CapturedLogs logs = CapturedLogs.start()) {
            SinkJobs.FinishedJob job =
                    SinkJobs.run(alerts, sinkBuilder(credential, trust, deadLetterIndex).build(), REPORTER);

            assertEquals(2, job.counter("alertsIndexed"));
            assertEquals(2, elasticsearch.count(index));
            assertFalse(logs.linesContaining("Elasticsearch sink writer").isEmpty());
            assertNoSecret(logs.lines(), "a log line");
        }
    }

    /** The failure of a sink job that was expected to fail, and the log lines meanwhile. */
    private record FailedRun(String messages, List<String> logLines) {

        /** Asserts that neither the failure nor a log line contains {@code secret}. */
        void assertHides(String secret) {
            assertFalse(messages.contains(secret), messages);
            for (String line : logLines) {
                assertFalse(line.contains(secret), "a log line contains a secret: " + line);
            }
        }
    }

    /** Runs a one-alert job with {@code connection} set on the sink; the job must fail. */
    private static FailedRun runExpectingFailure(
            String indexPrefix, Consumer<ElasticsearchSinkBuilder<IndexedDocument>> connection) {
        String index = uniqueName(indexPrefix);
        ElasticsearchSinkBuilder<IndexedDocument> builder =
                ElasticsearchSink.<IndexedDocument>builder()
                        .setHosts(elasticsearch.url())
                        .setElementConverter(new IndexedDocumentConverter());
        connection.accept(builder);
        ElasticsearchSink<IndexedDocument> sink = builder.build();
        List<IndexedDocument> alerts = List.of(alert(index, "x", 1, "C:\\Temp\\x.exe", "10.0.0.1"));

        try (CapturedLogs logs = CapturedLogs.start()) {
            Exception failure =
                    assertThrows(Exception.class, () -> SinkJobs.run(alerts, sink, REPORTER));
            return new FailedRun(causes(failure), logs.lines());
        }
    }

    @Test
    void wrongPasswordFailsJobWithoutSecret() {
        String wrongPassword = "wrong-" + UUID.randomUUID();

        FailedRun run =
                runExpectingFailure(
                        "logs-capwatch.alerts-wrong-password",
                        builder ->
                                builder.setUsername(USER)
                                        .setPassword(wrongPassword)
                                        .setCaCertificatePath(certificates.caCertificate()));

        assertTrue(run.messages().contains("HTTP 401"), run.messages());
        assertTrue(run.messages().contains("check the credentials"), run.messages());
        run.assertHides(wrongPassword);
    }

    /**
     * An API key that Elasticsearch does not know reaches its API-key authenticator, which rejects
     * it; the key shows in no message or log line.
     */
    @Test
    void unknownApiKeyFailsJobWithoutSecret() {
        String secret = "unknown-" + UUID.randomUUID();
        String unknownKey =
                Base64.getEncoder()
                        .encodeToString(
                                ("capwatch-unknown-id:" + secret).getBytes(StandardCharsets.UTF_8));

        FailedRun run =
                runExpectingFailure(
                        "logs-capwatch.alerts-unknown-key",
                        builder ->
                                builder.setApiKey(unknownKey)
                                        .setCaCertificateFingerprint(certificates.caFingerprint()));

        assertTrue(run.messages().contains("HTTP 401"), run.messages());
        run.assertHides(unknownKey);
        run.assertHides(secret);
    }

    @Test
    void untrustedServerCertificateFailsJob() {
        FailedRun run =
                runExpectingFailure(
                        "logs-capwatch.alerts-untrusted",
                        builder ->
                                builder.setUsername(USER)
                                        .setPassword(USER_PASSWORD)
                                        .setCaCertificateFingerprint("ab".repeat(32)));

        assertTrue(run.messages().contains("check the CA certificate"), run.messages());
        run.assertHides(USER_PASSWORD);
    }

    /**
     * Runs the command-line job over three detections with credentials from a properties file.
     * The alert index is created beforehand with {@code process.pid} as {@code short}, so the
     * alert for pid 40444 is rejected and dead-lettered.
     */
    @Test
    void jobWritesOnlyGivenIndices() throws Exception {
        String alertIndex = uniqueName("logs-capwatch.alerts-job");
        String deadLetterIndex = uniqueName("logs-capwatch.deadletter-job");
        expectOk(
                elasticsearch.request(
                        "PUT",
                        "/" + alertIndex,
                        "{\"mappings\":{\"properties\":{\"process\":{\"properties\":"
                                + "{\"pid\":{\"type\":\"short\"}}}}}}"));
        Path properties = workDir.resolve(uniqueName("elasticsearch") + ".properties");
        Files.writeString(
                properties,
                "username=" + USER + "\npassword=" + USER_PASSWORD + "\nca_certificate="
                        + certificates.caCertificate() + "\n");
        Files.setPosixFilePermissions(properties, PosixFilePermissions.fromString("rw-------"));
        Path input = SharedData.require("cases/BR-09-es-bulk-partial-failures/input.ndjson");
        Set<String> indicesBefore = allIndices();

        int exitCode;
        List<String> logLines;
        try (CapturedLogs logs = CapturedLogs.start()) {
            exitCode =
                    new CommandLine(new CapwatchMain())
                            .execute(
                                    "--input", input.toString(),
                                    "--es-url", elasticsearch.url(),
                                    "--es-properties", properties.toString(),
                                    "--alert-index", alertIndex,
                                    "--dead-letter-index", deadLetterIndex);
            logLines = logs.lines();
        }

        assertEquals(0, exitCode);
        Set<String> created = allIndices();
        created.removeAll(indicesBefore);
        assertEquals(Set.of(deadLetterIndex), created, "indices the run created");
        assertEquals(2, elasticsearch.count(alertIndex));
        assertEquals(1, elasticsearch.count(deadLetterIndex));
        JsonNode deadLetters =
                elasticsearch
                        .request("GET", "/" + deadLetterIndex + "/_search", "{\"size\":10}")
                        .json()
                        .path("hits")
                        .path("hits");
        List<String> deadLetterSources = new ArrayList<>();
        for (JsonNode hit : deadLetters) {
            deadLetterSources.add(hit.path("_source").toString());
            assertEquals(
                    "SINK_REJECTED",
                    hit.path("_source").path("capwatch").path("dead_letter").path("reason").asText());
        }
        assertEquals(1, deadLetterSources.size());
        assertNoSecret(deadLetterSources, "a dead-letter document");
        assertFalse(
                logLines.stream().noneMatch(line -> line.contains("Dead-lettering 1 documents")),
                "the rejected alert was not logged");
        assertNoSecret(logLines, "a log line");
    }

    /**
     * Returns the names of every index, hidden and system ones included. The backing indices of
     * data streams ({@code .ds-*}) are among them. This distribution has no data stream API, so a
     * separate listing of data streams would fail.
     */
    private static Set<String> allIndices() {
        Set<String> names = new HashSet<>();
        for (JsonNode index :
                expectOk(
                                elasticsearch.request(
                                        "GET",
                                        "/_cat/indices?format=json&h=index&expand_wildcards=all",
                                        null))
                        .json()) {
            names.add(index.path("index").asText());
        }
        return names;
    }

    private static String causes(Throwable error) {
        StringBuilder messages = new StringBuilder();
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            messages.append(cause).append('\n');
        }
        return messages.toString();
    }
}
