package io.capwatch.testing;

import io.capwatch.testing.ElasticsearchServer.Response;

import javax.net.ssl.SSLContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * An Elasticsearch server of one test's own, for faults that would disturb the shared cluster of
 * {@link ElasticsearchServer}: stopping and restarting it, or turning security on. It runs through
 * {@code deploy/local/elasticsearch.sh} with the home {@code target/elasticsearch-<name>-<pid>},
 * on a free port that a restart keeps, with the data folder kept between stop and start. {@link
 * #close()} stops it and deletes its distribution and data; call it in a finally block or
 * try-with-resources so that a failed test stops the server too.
 */
public final class DedicatedElasticsearch implements AutoCloseable {

    private final ServiceScript script;
    private final Map<String, String> environment = new HashMap<>();
    private final HttpClient http;
    private final String authorization;
    private String url;

    private DedicatedElasticsearch(
            String name, Path securityDir, SSLContext sslContext, String authorization) {
        this.script =
                ServiceScript.forThisJvm(
                                "elasticsearch.sh", "elasticsearch", ElasticsearchServer.URL_VARIABLE)
                        .withHome("elasticsearch-" + name);
        // Variables from a developer's shell would pick the port or security of this server.
        environment.put("CAPWATCH_ES_PORT", "");
        environment.put(
                "CAPWATCH_ES_SECURITY_DIR", securityDir == null ? "" : securityDir.toString());
        HttpClient.Builder builder =
                HttpClient.newBuilder()
                        .proxy(HttpClient.Builder.NO_PROXY)
                        .connectTimeout(Duration.ofSeconds(10));
        if (sslContext != null) {
            builder.sslContext(sslContext);
        }
        this.http = builder.build();
        this.authorization = authorization;
    }

    /** Starts a server without security. */
    public static DedicatedElasticsearch start(String name) {
        return start(name, null, null, null);
    }

    /**
     * Starts a server with the security settings of {@code securityDir} (see {@code
     * CAPWATCH_ES_SECURITY_DIR} in {@code elasticsearch.sh}). {@link #request} then trusts {@code
     * sslContext} and sends {@code authorization} as the Authorization header.
     */
    public static DedicatedElasticsearch start(
            String name, Path securityDir, SSLContext sslContext, String authorization) {
        DedicatedElasticsearch server =
                new DedicatedElasticsearch(name, securityDir, sslContext, authorization);
        try {
            server.startServer();
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    /** Returns the base URL, such as {@code http://127.0.0.1:23456}. */
    public String url() {
        return url;
    }

    /** Stops the server and keeps its data and port for {@link #restart()}. */
    public void stop() {
        ServiceScript.Result result = script.run("stop", environment);
        if (result.exitCode() != 0) {
            throw new IllegalStateException(
                    "elasticsearch.sh stop failed with exit code "
                            + result.exitCode()
                            + ":\n"
                            + result.output());
        }
    }

    /** Starts the stopped server again on the same port and data folder. */
    public void restart() {
        environment.put("CAPWATCH_ES_PORT", String.valueOf(URI.create(url).getPort()));
        startServer();
    }

    private void startServer() {
        ServiceScript.Result result = script.run("start", environment);
        if (result.exitCode() != 0) {
            throw new IllegalStateException(
                    "elasticsearch.sh start failed with exit code "
                            + result.exitCode()
                            + ":\n"
                            + result.output());
        }
        try {
            url = Files.readString(script.home().resolve("elasticsearch.url")).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("elasticsearch.sh start wrote no URL file", e);
        }
    }

    /** Sends a request with an optional JSON body. */
    public Response request(String method, String path, String jsonBody) {
        HttpRequest.BodyPublisher body =
                jsonBody == null
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(jsonBody, StandardCharsets.UTF_8);
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create(url + path))
                        .timeout(Duration.ofSeconds(60))
                        .header("Content-Type", "application/json")
                        .method(method, body);
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return ElasticsearchServer.send(http, request.build());
    }

    /** Returns the number of documents in {@code index} after a refresh. */
    public long count(String index) {
        request("POST", "/" + index + "/_refresh", null);
        return request("GET", "/" + index + "/_count", null).json().path("count").asLong(-1);
    }

    /** Stops the server and deletes its home, distribution and data. */
    @Override
    public void close() {
        ServiceScript.Result result = script.run("purge", environment);
        if (result.exitCode() != 0) {
            System.err.println(
                    "elasticsearch.sh purge failed with exit code "
                            + result.exitCode()
                            + ":\n"
                            + result.output());
            return;
        }
        script.deleteHome();
    }
}
