package io.capwatch.sink.elasticsearch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/** Validation and secret masking of {@link ElasticsearchSinkBuilder}. */
class ElasticsearchSinkBuilderTest {

    private static ElasticsearchSinkBuilder<IndexedDocument> validBuilder() {
        return ElasticsearchSink.<IndexedDocument>builder()
                .setHosts("http://127.0.0.1:9200")
                .setElementConverter(new IndexedDocumentConverter());
    }

    private static String buildError(
            UnaryOperator<ElasticsearchSinkBuilder<IndexedDocument>> change) {
        IllegalArgumentException error =
                assertThrows(
                        IllegalArgumentException.class, () -> change.apply(validBuilder()).build());
        return error.getMessage();
    }

    /** Each case: a change to a valid builder and the text the error must contain. */
    static Stream<Arguments> invalidSettings() {
        return Stream.of(
                Arguments.of(
                        "no hosts",
                        (UnaryOperator<ElasticsearchSinkBuilder<IndexedDocument>>)
                                b -> b.setHosts(),
                        "setHosts is missing"),
                Arguments.of(
                        "ftp scheme",
                        op(b -> b.setHosts("ftp://127.0.0.1:9200")),
                        "setHosts value 'ftp://127.0.0.1:9200' is invalid: the scheme must be http"
                                + " or https"),
                Arguments.of(
                        "not a URL",
                        op(b -> b.setHosts("http://bad host:9200")),
                        "it is not a URL"),
                Arguments.of(
                        "path prefix",
                        op(b -> b.setHosts("http://127.0.0.1:9200/es")),
                        "path prefixes such as '/es' are not supported"),
                Arguments.of(
                        "port out of range",
                        op(b -> b.setHosts("http://127.0.0.1:70000")),
                        "the port must be between 1 and 65535"),
                Arguments.of(
                        "mixed schemes",
                        op(b -> b.setHosts("http://127.0.0.1:9200", "https://127.0.0.1:9201")),
                        "mixes http and https"),
                Arguments.of(
                        "no converter",
                        op(b -> b.setElementConverter(null)),
                        "setElementConverter is missing"),
                Arguments.of(
                        "zero batch size", op(b -> b.setMaxBatchSize(0)), "setMaxBatchSize is 0"),
                Arguments.of(
                        "buffer not above batch",
                        op(b -> b.setMaxBatchSize(100).setMaxBufferedRequests(100)),
                        "setMaxBufferedRequests is 100; it must be greater than setMaxBatchSize"
                                + " (100)"),
                Arguments.of(
                        "record above batch bytes",
                        op(b -> b.setMaxBatchSizeInBytes(1000).setMaxRecordSizeInBytes(2000)),
                        "setMaxRecordSizeInBytes is 2000; it must not exceed setMaxBatchSizeInBytes"
                                + " (1000)"),
                Arguments.of(
                        "zero in-flight requests",
                        op(b -> b.setMaxInFlightRequests(0)),
                        "setMaxInFlightRequests is 0; it must be at least 1"),
                Arguments.of(
                        "zero attempts",
                        op(b -> b.setMaxAttempts(0)),
                        "setMaxAttempts is 0; it must be at least 1"),
                Arguments.of(
                        "zero retry timeout",
                        op(b -> b.setRetryTimeout(Duration.ZERO)),
                        "setRetryTimeout is PT0S; it must be positive"),
                Arguments.of(
                        "negative backoff",
                        op(b -> b.setInitialBackoff(Duration.ofMillis(-5))),
                        "setInitialBackoff is PT-0.005S; it must be positive"),
                Arguments.of(
                        "initial above max backoff",
                        op(
                                b ->
                                        b.setInitialBackoff(Duration.ofSeconds(20))
                                                .setMaxBackoff(Duration.ofSeconds(5))),
                        "setInitialBackoff is PT20S; it must not exceed setMaxBackoff (PT5S)"),
                Arguments.of(
                        "request timeout too short",
                        op(b -> b.setRequestTimeout(Duration.ofSeconds(30))),
                        "setRequestTimeout is PT30S; it must exceed the socket timeout plus the"
                                + " maximum backoff (PT40S)"),
                Arguments.of(
                        "zero socket timeout",
                        op(b -> b.setSocketTimeout(Duration.ZERO)),
                        "setSocketTimeout is PT0S; it must be positive"),
                Arguments.of(
                        "uppercase dead-letter index",
                        op(b -> b.setDeadLetterIndex("Dead")),
                        "setDeadLetterIndex value 'Dead' is invalid: index names must be"
                                + " lowercase"),
                Arguments.of(
                        "dead-letter index with a star",
                        op(b -> b.setDeadLetterIndex("logs-*")),
                        "setDeadLetterIndex value 'logs-*' is invalid"),
                Arguments.of(
                        "username without password",
                        op(b -> b.setUsername("elastic")),
                        "setPassword is missing"),
                Arguments.of(
                        "password without username",
                        op(b -> b.setPassword("secret")),
                        "setUsername is missing"),
                Arguments.of(
                        "API key and basic auth",
                        op(b -> b.setApiKey("a2V5").setUsername("elastic").setPassword("secret")),
                        "setApiKey and setUsername/setPassword are both set"),
                Arguments.of(
                        "fingerprint for http host",
                        op(b -> b.setCaCertificateFingerprint("ab".repeat(32))),
                        "needs https hosts"),
                Arguments.of(
                        "short fingerprint",
                        op(
                                b ->
                                        b.setHosts("https://127.0.0.1:9200")
                                                .setCaCertificateFingerprint("abcd")),
                        "setCaCertificateFingerprint value 'abcd' is invalid: expected a SHA-256"
                                + " fingerprint"),
                Arguments.of(
                        "missing CA file",
                        op(
                                b ->
                                        b.setHosts("https://127.0.0.1:9200")
                                                .setCaCertificatePath(
                                                        Path.of("/nonexistent/ca.crt"))),
                        "setCaCertificatePath file '/nonexistent/ca.crt' cannot be read"));
    }

    private static UnaryOperator<ElasticsearchSinkBuilder<IndexedDocument>> op(
            UnaryOperator<ElasticsearchSinkBuilder<IndexedDocument>> change) {
        return change;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidSettings")
    void invalidSettingIsReported(
            String description,
            UnaryOperator<ElasticsearchSinkBuilder<IndexedDocument>> change,
            String expectedText) {
        String message = buildError(change);
        assertTrue(message.contains(expectedText), "message was: " + message);
    }

    @Test
    void everyInvalidSettingIsReportedAtOnce() {
        String message = buildError(b -> b.setHosts().setMaxAttempts(0).setDeadLetterIndex("Dead"));
        assertTrue(message.contains("setHosts is missing"), message);
        assertTrue(message.contains("setMaxAttempts is 0"), message);
        assertTrue(message.contains("setDeadLetterIndex value 'Dead'"), message);
    }

    @Test
    void credentialsInHostUrlAreMasked() {
        String message = buildError(b -> b.setHosts("http://elastic:hunter2@127.0.0.1:9200"));
        assertTrue(message.contains("http://***@127.0.0.1:9200"), message);
        assertTrue(message.contains("use setUsername and setPassword"), message);
        assertFalse(message.contains("hunter2"), message);
    }

    @Test
    void toStringMasksSecrets() {
        ElasticsearchSink<IndexedDocument> basic =
                validBuilder().setUsername("elastic").setPassword("hunter2").build();
        assertFalse(basic.toString().contains("hunter2"), basic.toString());
        assertTrue(basic.toString().contains("username='elastic'"), basic.toString());

        ElasticsearchSink<IndexedDocument> apiKey =
                validBuilder().setApiKey("c2VjcmV0LWtleQ==").build();
        assertFalse(apiKey.toString().contains("c2VjcmV0LWtleQ=="), apiKey.toString());
        assertTrue(apiKey.toString().contains("apiKey(****)"), apiKey.toString());
    }

    @Test
    void defaultsAreApplied() {
        ElasticsearchSink<IndexedDocument> sink = validBuilder().build();
        assertEquals(ElasticsearchSinkBuilder.DEFAULT_DEAD_LETTER_INDEX, sink.getDeadLetterIndex());
        assertEquals("logs-capwatch.deadletter-default", sink.getDeadLetterIndex());
        assertEquals(
                ElasticsearchConnection.DEFAULT_SOCKET_TIMEOUT,
                sink.getConnection().socketTimeout());
        assertTrue(sink.toString().contains("retryTimeout=PT5M"), sink.toString());
        assertTrue(sink.toString().contains("maxAttempts=unlimited"), sink.toString());
        assertTrue(sink.toString().contains("maxBatchSize=500"), sink.toString());
    }

    @Test
    void invalidCaFileIsRejected(@TempDir Path dir) throws IOException {
        Path notACertificate = dir.resolve("ca.crt");
        Files.writeString(notACertificate, "not a certificate");
        String message =
                buildError(
                        b ->
                                b.setHosts("https://127.0.0.1:9200")
                                        .setCaCertificatePath(notACertificate));
        assertTrue(message.contains("is not an X.509 certificate"), message);
    }

    @Test
    void httpsHostWithFingerprintIsAccepted() {
        ElasticsearchSink<IndexedDocument> sink =
                validBuilder()
                        .setHosts("https://127.0.0.1:9200", "https://[::1]:9201")
                        .setCaCertificateFingerprint("AB:CD:" + "ef".repeat(30))
                        .build();
        assertEquals(2, sink.getConnection().hosts().size());
    }
}
