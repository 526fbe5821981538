package io.capwatch.sink.elasticsearch;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fault injector on 127.0.0.1 in front of a real Elasticsearch. It rejects the first {@code
 * throttledRequests} {@code _bulk} requests that write to {@code throttledIndex} with HTTP 429 and
 * an {@code es_rejected_execution_exception} body, as a cluster with a full write queue does, and
 * forwards every other request unchanged to the real server. A real cluster rejects whole requests
 * with 429 only under load that a test cannot produce on cue.
 */
final class ThrottlingProxy implements AutoCloseable {

    /** Request and response headers that the proxy's own HTTP connections set. */
    private static final Set<String> HOP_HEADERS =
            Set.of("connection", "content-length", "host", "transfer-encoding", "keep-alive");

    private static final byte[] REJECTION =
            ("{\"error\":{\"type\":\"es_rejected_execution_exception\",\"reason\":\"rejected"
                            + " execution by the throttling proxy\"},\"status\":429}")
                    .getBytes(StandardCharsets.UTF_8);

    private final HttpServer server;
    private final ExecutorService executor;
    private final HttpClient client =
            HttpClient.newBuilder()
                    .proxy(HttpClient.Builder.NO_PROXY)
                    .connectTimeout(Duration.ofSeconds(10))
                    .build();
    private final String target;
    private final String throttledIndex;
    private final int throttledRequests;
    private final AtomicInteger rejected = new AtomicInteger();

    /**
     * @param target the real cluster's base URL, such as {@code http://127.0.0.1:9200}
     * @param throttledRequests how many bulk requests to reject; {@link Integer#MAX_VALUE} for all
     */
    ThrottlingProxy(String target, String throttledIndex, int throttledRequests) throws IOException {
        this.target = target;
        this.throttledIndex = throttledIndex;
        this.throttledRequests = throttledRequests;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        this.executor = Executors.newFixedThreadPool(4);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Returns how many bulk requests the proxy rejected with 429. */
    int rejectedRequests() {
        return rejected.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (shouldReject(exchange, body)) {
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.getResponseHeaders().set("X-Elastic-Product", "Elasticsearch");
                exchange.sendResponseHeaders(429, REJECTION.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(REJECTION);
                }
                return;
            }
            forward(exchange, body);
        }
    }

    private boolean shouldReject(HttpExchange exchange, byte[] body) {
        if (!exchange.getRequestURI().getPath().endsWith("/_bulk")) {
            return false;
        }
        String text = new String(body, StandardCharsets.UTF_8);
        if (!text.contains("\"_index\":\"" + throttledIndex + "\"")) {
            return false;
        }
        return rejected.getAndUpdate(n -> n < throttledRequests ? n + 1 : n) < throttledRequests;
    }

    private void forward(HttpExchange exchange, byte[] body) throws IOException {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create(target + exchange.getRequestURI()))
                        .timeout(Duration.ofSeconds(60))
                        .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
        for (Map.Entry<String, List<String>> header : exchange.getRequestHeaders().entrySet()) {
            if (!HOP_HEADERS.contains(header.getKey().toLowerCase(Locale.ROOT))) {
                for (String value : header.getValue()) {
                    request.header(header.getKey(), value);
                }
            }
        }
        HttpResponse<byte[]> response;
        try {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while forwarding to " + target, e);
        }
        response.headers()
                .map()
                .forEach(
                        (name, values) -> {
                            if (!HOP_HEADERS.contains(name.toLowerCase(Locale.ROOT))
                                    && !name.startsWith(":")) {
                                exchange.getResponseHeaders().put(name, values);
                            }
                        });
        byte[] responseBody = response.body();
        exchange.sendResponseHeaders(
                response.statusCode(), responseBody.length == 0 ? -1 : responseBody.length);
        if (responseBody.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(responseBody);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
