package io.capwatch.sink.elasticsearch;

import static io.capwatch.sink.elasticsearch.SinkJobs.alert;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.capwatch.sink.elasticsearch.ScriptedBulkEndpoint.BulkItem;
import io.capwatch.sink.elasticsearch.ScriptedBulkEndpoint.ItemStatuses;
import io.capwatch.sink.elasticsearch.ScriptedBulkEndpoint.RequestStatus;
import io.capwatch.sink.elasticsearch.SinkJobs.FinishedJob;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * Retries and dead letters for failures that a real cluster cannot produce on cue, against a
 * scripted {@code _bulk} endpoint on 127.0.0.1.
 */
class ElasticsearchSinkRetryTest {

    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = SinkJobs.miniCluster(REPORTER);

    private static final String INDEX = "logs-capwatch.alerts-scripted";
    private static final String DEAD_LETTER_INDEX = "logs-capwatch.deadletter-scripted";

    private static final IndexedDocument A =
            alert(INDEX, "alert-a", 4242, "C:\\Temp\\upd.exe", "93.184.216.34");
    private static final IndexedDocument B =
            alert(INDEX, "alert-b", 4343, "C:\\ProgramData\\x.exe", "93.184.216.35");
    private static final IndexedDocument C =
            alert(INDEX, "alert-c", 40444, "C:\\Temp\\y.exe", "93.184.216.36");

    private static ElasticsearchSinkBuilder<IndexedDocument> sinkBuilder(
            String url, int maxAttempts) {
        return ElasticsearchSink.<IndexedDocument>builder()
                .setHosts(url)
                .setElementConverter(new IndexedDocumentConverter())
                .setDeadLetterIndex(DEAD_LETTER_INDEX)
                .setMaxAttempts(maxAttempts)
                .setInitialBackoff(Duration.ofMillis(10))
                .setMaxBackoff(Duration.ofMillis(50))
                .setConnectTimeout(Duration.ofSeconds(2))
                .setSocketTimeout(Duration.ofSeconds(10));
    }

    /** Counts how often each document id was sent to {@code index}. */
    private static Map<String, Long> sendsById(ScriptedBulkEndpoint endpoint, String index) {
        return endpoint.itemsFor(index).stream()
                .collect(Collectors.groupingBy(BulkItem::id, Collectors.counting()));
    }

    @Test
    void itemRejectedWith429IsRetriedAlone() throws Exception {
        try (ScriptedBulkEndpoint endpoint =
                new ScriptedBulkEndpoint(
                        (requestNumber, items) -> {
                            if (requestNumber == 1) {
                                return new ItemStatuses(
                                        item ->
                                                switch (item.id()) {
                                                    case "alert-a" -> 429;
                                                    case "alert-c" -> 400;
                                                    default -> 201;
                                                });
                            }
                            return new ItemStatuses(item -> 201);
                        })) {
            RecordingDeadLetterListener listener = new RecordingDeadLetterListener();

            FinishedJob job =
                    SinkJobs.run(
                            List.of(A, B, C),
                            sinkBuilder(endpoint.url(), 5).setDeadLetterListener(listener).build(),
                            REPORTER);

            assertEquals(
                    Map.of("alert-a", 2L, "alert-b", 1L, "alert-c", 1L),
                    sendsById(endpoint, INDEX));
            List<List<BulkItem>> requests = endpoint.requests();
            List<String> retriedIds =
                    requests.stream()
                            .skip(1)
                            .flatMap(List::stream)
                            .filter(item -> item.index().equals(INDEX))
                            .map(BulkItem::id)
                            .toList();
            assertEquals(List.of("alert-a"), retriedIds);

            List<BulkItem> deadLetters = endpoint.itemsFor(DEAD_LETTER_INDEX);
            assertEquals(1, deadLetters.size());
            assertEquals("alert-c", deadLetters.get(0).id());
            assertEquals("create", deadLetters.get(0).operation());
            JsonNode details = deadLetters.get(0).source().path("capwatch").path("dead_letter");
            assertEquals("SINK_REJECTED", details.path("reason").asText());
            assertEquals(
                    "document_parsing_exception",
                    deadLetters.get(0).source().path("error").path("type").asText());

            assertEquals(2, job.counter("alertsIndexed"));
            assertTrue(
                    job.counter("sinkRetries") >= 1,
                    "sinkRetries is " + job.counter("sinkRetries"));
            assertEquals(1, job.counter("sinkDeadLettered"));
            assertEquals(0, job.counter("deadLetterWriteFailures"));
            assertEquals(2, job.counter("bulkRequests"));
            assertEquals(1, listener.received().size());
            assertEquals("alert-c", listener.received().get(0).request().id());
        }
    }

    @Test
    void requestFailingWith503IsRetriedUntilItPasses() throws Exception {
        try (ScriptedBulkEndpoint endpoint =
                new ScriptedBulkEndpoint(
                        (requestNumber, items) ->
                                requestNumber <= 2
                                        ? new RequestStatus(503, "unavailable_shards_exception")
                                        : new ItemStatuses(item -> 201))) {
            RecordingDeadLetterListener listener = new RecordingDeadLetterListener();

            FinishedJob job =
                    SinkJobs.run(
                            List.of(A, B, C),
                            sinkBuilder(endpoint.url(), 5).setDeadLetterListener(listener).build(),
                            REPORTER);

            assertEquals(3, endpoint.requests().size());
            assertEquals(
                    Map.of("alert-a", 3L, "alert-b", 3L, "alert-c", 3L),
                    sendsById(endpoint, INDEX));
            assertEquals(3, job.counter("alertsIndexed"));
            assertEquals(6, job.counter("sinkRetries"));
            assertEquals(3, job.counter("bulkRequests"));
            assertEquals(0, job.counter("sinkDeadLettered"));
            assertEquals(List.of(), listener.received());
            assertEquals(List.of(), endpoint.itemsFor(DEAD_LETTER_INDEX));
        }
    }

    @Test
    void exhaustedRetriesAreDeadLettered() throws Exception {
        try (ScriptedBulkEndpoint endpoint =
                new ScriptedBulkEndpoint(
                        (requestNumber, items) ->
                                items.get(0).index().equals(INDEX)
                                        ? new RequestStatus(503, "unavailable_shards_exception")
                                        : new ItemStatuses(item -> 201))) {
            RecordingDeadLetterListener listener = new RecordingDeadLetterListener();

            FinishedJob job =
                    SinkJobs.run(
                            List.of(A, B, C),
                            sinkBuilder(endpoint.url(), 3).setDeadLetterListener(listener).build(),
                            REPORTER);

            assertEquals(
                    Map.of("alert-a", 3L, "alert-b", 3L, "alert-c", 3L),
                    sendsById(endpoint, INDEX));
            List<BulkItem> deadLetters = endpoint.itemsFor(DEAD_LETTER_INDEX);
            assertEquals(
                    Set.of("alert-a", "alert-b", "alert-c"),
                    deadLetters.stream().map(BulkItem::id).collect(Collectors.toSet()));
            for (BulkItem deadLetter : deadLetters) {
                JsonNode source = deadLetter.source();
                JsonNode details = source.path("capwatch").path("dead_letter");
                assertEquals("SINK_RETRIES_EXHAUSTED", details.path("reason").asText());
                assertEquals(3, details.path("attempts").asInt());
                assertEquals(
                        "unavailable_shards_exception", source.path("error").path("type").asText());
                assertEquals(503, source.path("http").path("response").path("status_code").asInt());
            }
            assertEquals(0, job.counter("alertsIndexed"));
            assertEquals(6, job.counter("sinkRetries"));
            assertEquals(3, job.counter("sinkDeadLettered"));
            assertEquals(0, job.counter("deadLetterWriteFailures"));
            assertEquals(3, listener.received().size());
        }
    }

    @Test
    void retryTimeoutEndsRetriesWithoutAttemptLimit() throws Exception {
        try (ScriptedBulkEndpoint endpoint =
                new ScriptedBulkEndpoint(
                        (requestNumber, items) ->
                                items.get(0).index().equals(INDEX)
                                        ? new RequestStatus(503, "unavailable_shards_exception")
                                        : new ItemStatuses(item -> 201))) {
            RecordingDeadLetterListener listener = new RecordingDeadLetterListener();

            FinishedJob job =
                    SinkJobs.run(
                            List.of(A, B, C),
                            sinkBuilder(endpoint.url(), ElasticsearchSinkBuilder.DEFAULT_MAX_ATTEMPTS)
                                    .setRetryTimeout(Duration.ofMillis(500))
                                    .setDeadLetterListener(listener)
                                    .build(),
                            REPORTER);

            List<SinkDeadLetter> received = listener.received();
            assertEquals(3, received.size());
            for (SinkDeadLetter deadLetter : received) {
                assertEquals(SinkFailureReason.SINK_RETRIES_EXHAUSTED, deadLetter.reason());
                assertEquals(503, deadLetter.httpStatus());
                assertTrue(deadLetter.attempts() > 1, "attempts " + deadLetter.attempts());
            }
            assertEquals(3, job.counter("sinkRetriesExhausted"));
            assertEquals(0, job.counter("alertsIndexed"));
            assertEquals(
                    Set.of("alert-a", "alert-b", "alert-c"),
                    endpoint.itemsFor(DEAD_LETTER_INDEX).stream()
                            .map(BulkItem::id)
                            .collect(Collectors.toSet()));
        }
    }

    @Test
    void rejectedDeadLetterFailsJob() throws Exception {
        AtomicInteger deadLetterRequests = new AtomicInteger();
        try (ScriptedBulkEndpoint endpoint =
                new ScriptedBulkEndpoint(
                        (requestNumber, items) -> {
                            if (items.get(0).index().equals(INDEX)) {
                                return new ItemStatuses(
                                        item -> item.id().equals("alert-c") ? 400 : 201);
                            }
                            // The first dead-letter write is throttled, the retry rejected.
                            int status = deadLetterRequests.incrementAndGet() == 1 ? 429 : 400;
                            return new ItemStatuses(item -> status);
                        })) {
            RecordingDeadLetterListener listener = new RecordingDeadLetterListener();

            // A document that is neither indexed nor dead-lettered must not vanish: the job fails,
            // so that a restart replays it from the last checkpoint.
            Exception failure =
                    assertThrows(
                            Exception.class,
                            () ->
                                    SinkJobs.run(
                                            List.of(A, B, C),
                                            sinkBuilder(endpoint.url(), 5)
                                                    .setDeadLetterListener(listener)
                                                    .build(),
                                            REPORTER));

            assertTrue(rootMessages(failure).contains("alert-c"), rootMessages(failure));
            assertEquals(2, deadLetterRequests.get());
            assertEquals(Map.of("alert-c", 2L), sendsById(endpoint, DEAD_LETTER_INDEX));
            assertEquals(1, listener.received().size());
        }
    }

    @Test
    void unreachableClusterFailsJobInsteadOfLosingDocuments() throws Exception {
        String url = "http://127.0.0.1:" + closedPort();
        RecordingDeadLetterListener listener = new RecordingDeadLetterListener();

        Exception failure =
                assertThrows(
                        Exception.class,
                        () ->
                                SinkJobs.run(
                                        List.of(A, B),
                                        sinkBuilder(url, 2).setDeadLetterListener(listener).build(),
                                        REPORTER));

        assertTrue(
                rootMessages(failure).contains("failed to write 2 dead-letter documents"),
                rootMessages(failure));
        List<SinkDeadLetter> received = listener.received();
        assertEquals(2, received.size());
        for (SinkDeadLetter deadLetter : received) {
            assertEquals(SinkFailureReason.SINK_RETRIES_EXHAUSTED, deadLetter.reason());
            assertEquals(null, deadLetter.httpStatus());
            assertEquals(2, deadLetter.attempts());
        }
    }

    /** Returns the messages of an exception and all its causes, one per line. */
    private static String rootMessages(Throwable error) {
        StringBuilder messages = new StringBuilder();
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            messages.append(cause).append('\n');
        }
        return messages.toString();
    }

    /** Returns a loopback port that nothing listens on, so connections to it are refused. */
    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
