package io.capwatch.sink.elasticsearch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * An HTTP server on 127.0.0.1 that responds to {@code _bulk} requests from a script, for failures a
 * real cluster cannot produce on cue: a 429 for one chosen item, or 503 for a whole request.
 *
 * <p>Its responses look like those of Elasticsearch 8.x (the {@code X-Elastic-Product} header and
 * the bulk response shape that the Java client parses). It records every request it receives.
 */
final class ScriptedBulkEndpoint implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One operation of a received bulk request. */
    record BulkItem(String operation, String index, String id, JsonNode source) {}

    /** The endpoint's response to one bulk request. */
    sealed interface Reply permits ItemStatuses, RequestStatus {}

    /** HTTP 200 with one item status per operation, in order. */
    record ItemStatuses(Function<BulkItem, Integer> statusOf) implements Reply {}

    /** An error for the whole request, with an Elasticsearch error body. */
    record RequestStatus(int status, String errorType) implements Reply {}

    /** Chooses the reply from the request's number (1 for the first) and its items. */
    @FunctionalInterface
    interface Script {
        Reply reply(int requestNumber, List<BulkItem> items);
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final Script script;
    private final AtomicInteger requestCount = new AtomicInteger();
    private final List<List<BulkItem>> requests = new CopyOnWriteArrayList<>();

    ScriptedBulkEndpoint(Script script) throws IOException {
        this.script = script;
        this.server =
                HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        this.executor = Executors.newFixedThreadPool(2);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Returns every bulk request received so far, in arrival order. */
    List<List<BulkItem>> requests() {
        return List.copyOf(requests);
    }

    /** Returns the items of all requests that targeted {@code index}. */
    List<BulkItem> itemsFor(String index) {
        List<BulkItem> items = new ArrayList<>();
        for (List<BulkItem> request : requests) {
            for (BulkItem item : request) {
                if (item.index().equals(index)) {
                    items.add(item);
                }
            }
        }
        return items;
    }

    /** Returns how many requests contained at least one item for {@code index}. */
    long requestCountFor(String index) {
        return requests.stream()
                .filter(request -> request.stream().anyMatch(item -> item.index().equals(index)))
                .count();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!exchange.getRequestMethod().equals("POST")
                    || !exchange.getRequestURI().getPath().equals("/_bulk")) {
                send(exchange, 404, errorBody("resource_not_found_exception", 404));
                return;
            }
            List<BulkItem> items = parseBulkBody(exchange);
            requests.add(items);
            Reply reply = script.reply(requestCount.incrementAndGet(), items);
            if (reply instanceof RequestStatus status) {
                send(exchange, status.status(), errorBody(status.errorType(), status.status()));
            } else if (reply instanceof ItemStatuses statuses) {
                send(exchange, 200, bulkResponse(items, statuses.statusOf()));
            }
        }
    }

    private static List<BulkItem> parseBulkBody(HttpExchange exchange) throws IOException {
        List<BulkItem> items = new ArrayList<>();
        try (BufferedReader reader =
                new BufferedReader(
                        new InputStreamReader(exchange.getRequestBody(), StandardCharsets.UTF_8))) {
            String actionLine;
            while ((actionLine = reader.readLine()) != null) {
                if (actionLine.isBlank()) {
                    continue;
                }
                JsonNode action = JSON.readTree(actionLine);
                String operation = action.fieldNames().next();
                JsonNode metadata = action.path(operation);
                JsonNode source = JSON.readTree(reader.readLine());
                items.add(
                        new BulkItem(
                                operation,
                                metadata.path("_index").asText(),
                                metadata.path("_id").asText(),
                                source));
            }
        }
        return items;
    }

    private static byte[] bulkResponse(List<BulkItem> items, Function<BulkItem, Integer> statusOf) {
        ObjectNode response = JSON.createObjectNode();
        response.put("took", 1);
        ArrayNode responseItems = response.putArray("items");
        boolean errors = false;
        for (BulkItem item : items) {
            int status = statusOf.apply(item);
            ObjectNode result = responseItems.addObject().putObject(item.operation());
            result.put("_index", item.index());
            result.put("_id", item.id());
            result.put("status", status);
            if (status >= 200 && status < 300) {
                result.put("result", "created");
                result.put("_version", 1);
                result.put("_seq_no", 0);
                result.put("_primary_term", 1);
                ObjectNode shards = result.putObject("_shards");
                shards.put("total", 1);
                shards.put("successful", 1);
                shards.put("failed", 0);
            } else {
                errors = true;
                ObjectNode error = result.putObject("error");
                error.put("type", errorTypeFor(status));
                error.put("reason", "scripted failure with status " + status);
            }
        }
        response.put("errors", errors);
        return toBytes(response);
    }

    private static String errorTypeFor(int status) {
        return switch (status) {
            case 429 -> "es_rejected_execution_exception";
            case 409 -> "version_conflict_engine_exception";
            case 400 -> "document_parsing_exception";
            default -> "scripted_exception";
        };
    }

    private static byte[] errorBody(String type, int status) {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode error = body.putObject("error");
        error.put("type", type);
        error.put("reason", "scripted failure with status " + status);
        error.putArray("root_cause").addObject().put("type", type).put("reason", "scripted");
        body.put("status", status);
        return toBytes(body);
    }

    private static byte[] toBytes(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.getResponseHeaders().set("X-Elastic-Product", "Elasticsearch");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
