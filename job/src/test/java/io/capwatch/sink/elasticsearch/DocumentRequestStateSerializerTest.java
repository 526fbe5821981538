package io.capwatch.sink.elasticsearch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.RequestEntryWrapper;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

class DocumentRequestStateSerializerTest {

    @Test
    void bufferedDocumentsSurviveRoundTrip() throws Exception {
        DocumentRequest fresh =
                new DocumentRequest(
                        "logs-capwatch.alerts-default",
                        "rule-1:start-42",
                        "{\"process\":{\"executable\":\"C:\\\\Temp\\\\ü.exe\"}}"
                                .getBytes(StandardCharsets.UTF_8));
        DocumentRequest retried = new DocumentRequest("índice", "ид-7", new byte[0], 3);
        DocumentRequest longId =
                new DocumentRequest("logs-a", "x".repeat(70_000), new byte[] {'{', '}'});
        List<DocumentRequest> requests = List.of(fresh, retried, longId);
        DocumentRequestStateSerializer serializer = new DocumentRequestStateSerializer();

        BufferedRequestState<DocumentRequest> state =
                new BufferedRequestState<>(
                        requests.stream()
                                .map(
                                        request ->
                                                new RequestEntryWrapper<>(
                                                        request, request.sizeInBytes()))
                                .toList());
        byte[] bytes = serializer.serialize(state);
        BufferedRequestState<DocumentRequest> restored =
                serializer.deserialize(serializer.getVersion(), bytes);

        List<DocumentRequest> restoredRequests =
                restored.getBufferedRequestEntries().stream()
                        .map(RequestEntryWrapper::getRequestEntry)
                        .toList();
        assertEquals(requests, restoredRequests);
        assertEquals(3, restoredRequests.get(1).failedAttempts());
    }
}
