package io.capwatch.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * JUnit 5 extension that provides a real Elasticsearch cluster on 127.0.0.1.
 *
 * <p>When the environment variable {@value #URL_VARIABLE} is set, the tests use that cluster.
 * Otherwise the first test class that needs it starts one with {@code deploy/local/elasticsearch.sh
 * start}, with its own {@code CAPWATCH_HOME} under the module's {@code target/} directory. All test
 * classes in the JVM share that server, and it stops once, after the last test. Tests create
 * uniquely named indices, so test classes can run in parallel against one cluster.
 *
 * <pre>{@code
 * @RegisterExtension static final ElasticsearchServer ELASTICSEARCH = new ElasticsearchServer();
 * }</pre>
 */
public final class ElasticsearchServer implements BeforeAllCallback {

    /** The environment variable with the URL of an already running cluster. */
    public static final String URL_VARIABLE = "CAPWATCH_ES_URL";

    private static final ScriptedService.Definition SERVICE =
            new ScriptedService.Definition(
                    "Elasticsearch",
                    URL_VARIABLE,
                    "elasticsearch.sh",
                    "elasticsearch.url",
                    "purge",
                    "elasticsearch-test-server-stop");
    private static final AtomicLong INDEX_COUNTER = new AtomicLong();
    private static final ObjectMapper JSON = new ObjectMapper();

    private volatile RunningServer server;

    @Override
    public void beforeAll(ExtensionContext context) {
        server =
                ScriptedService.shared(
                        context,
                        ElasticsearchServer.class,
                        RunningServer.class,
                        RunningServer::startOrConnect);
    }

    /** Returns the cluster's base URL, such as {@code http://127.0.0.1:23456}. */
    public String url() {
        return ScriptedService.requireStarted(server, ElasticsearchServer.class).url;
    }

    /**
     * Returns an index name that no other test uses: {@code prefix}, a dash, a counter and a random
     * suffix, in lowercase.
     */
    public String uniqueIndexName(String prefix) {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        return (prefix + "-" + INDEX_COUNTER.incrementAndGet() + "-" + suffix)
                .toLowerCase(Locale.ROOT);
    }

    /**
     * Creates a uniquely named index with the given {@code mappings} object (JSON, or {@code null}
     * for dynamic mappings) and returns its name.
     */
    public String createIndex(String prefix, String mappingsJson) {
        String index = uniqueIndexName(prefix);
        String body = mappingsJson == null ? "{}" : "{\"mappings\":" + mappingsJson + "}";
        Response response = request("PUT", "/" + index, body);
        if (response.status() != 200) {
            throw new IllegalStateException(
                    "Failed to create index "
                            + index
                            + ": HTTP "
                            + response.status()
                            + " "
                            + response.body());
        }
        return index;
    }

    /** Makes every document written so far to {@code index} visible to searches. */
    public void refresh(String index) {
        Response response = request("POST", "/" + index + "/_refresh", null);
        if (response.status() != 200) {
            throw new IllegalStateException(
                    "Failed to refresh "
                            + index
                            + ": HTTP "
                            + response.status()
                            + " "
                            + response.body());
        }
    }

    /** Returns the number of documents in {@code index} after a refresh. */
    public long count(String index) {
        refresh(index);
        return request("GET", "/" + index + "/_count", null).json().path("count").asLong(-1);
    }

    /** An HTTP response from the cluster. */
    public record Response(int status, String body) {

        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException("Response is not JSON: " + body, e);
            }
        }
    }

    /** Sends a request with an optional JSON body to the cluster. */
    public Response request(String method, String path, String jsonBody) {
        return server.send(method, path, jsonBody);
    }

    /** Sends {@code request} with {@code http} and reads the body as a string. */
    static Response send(HttpClient http, HttpRequest request) {
        String description = request.method() + " " + request.uri();
        try {
            HttpResponse<String> response =
                    http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Response(response.statusCode(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException("Failed to send " + description, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted during " + description, e);
        }
    }

    /** The started or connected cluster, closed once by JUnit after the last test class. */
    static final class RunningServer implements AutoCloseable {

        private final String url;
        private final ScriptedService service;
        private final HttpClient http =
                HttpClient.newBuilder()
                        .proxy(HttpClient.Builder.NO_PROXY)
                        .connectTimeout(Duration.ofSeconds(10))
                        .build();

        private RunningServer(ScriptedService service) {
            // The script writes the URL without a trailing slash, so this changes only a URL
            // from URL_VARIABLE.
            this.url = stripTrailingSlash(service.address());
            this.service = service;
        }

        static RunningServer startOrConnect() {
            return new RunningServer(ScriptedService.connectOrStart(SERVICE));
        }

        private static String stripTrailingSlash(String url) {
            return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        }

        Response send(String method, String path, String jsonBody) {
            HttpRequest.BodyPublisher body =
                    jsonBody == null
                            ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(jsonBody, StandardCharsets.UTF_8);
            HttpRequest request =
                    HttpRequest.newBuilder(URI.create(url + path))
                            .timeout(Duration.ofSeconds(60))
                            .header("Content-Type", "application/json")
                            .method(method, body)
                            .build();
            return ElasticsearchServer.send(http, request);
        }

        @Override
        public void close() {
            service.close();
        }
    }
}
