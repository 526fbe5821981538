package io.capwatch.sink.elasticsearch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.flink.connector.base.sink.writer.AsyncSinkWriterStateSerializer;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.RequestEntryWrapper;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
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

    @Test
    void opTypeSurvivesRoundTrip() throws Exception {
        DocumentRequest overwrite =
                new DocumentRequest("logs-a", "group-1", new byte[] {'{', '}'}, 2, OpType.INDEX);
        DocumentRequest create = new DocumentRequest("logs-a", "alert-1", new byte[] {'{', '}'});
        DocumentRequestStateSerializer serializer = new DocumentRequestStateSerializer();

        List<DocumentRequest> restored =
                entries(
                        serializer.deserialize(
                                serializer.getVersion(),
                                serializer.serialize(state(List.of(overwrite, create)))));

        assertEquals(OpType.INDEX, restored.get(0).opType());
        assertEquals(2, restored.get(0).failedAttempts());
        assertEquals(OpType.CREATE, restored.get(1).opType());
    }

    @Test
    void versionOneStateReadsAsCreate() throws Exception {
        byte[] source = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
        DocumentRequest request = new DocumentRequest("logs-a", "alert-1", source, 1);
        byte[] versionOne = new VersionOneSerializer().serialize(state(List.of(request)));

        List<DocumentRequest> restored =
                entries(new DocumentRequestStateSerializer().deserialize(1, versionOne));

        assertEquals(List.of(request), restored);
        assertEquals(OpType.CREATE, restored.get(0).opType());
    }

    private static BufferedRequestState<DocumentRequest> state(List<DocumentRequest> requests) {
        return new BufferedRequestState<>(
                requests.stream()
                        .map(request -> new RequestEntryWrapper<>(request, request.sizeInBytes()))
                        .toList());
    }

    private static List<DocumentRequest> entries(BufferedRequestState<DocumentRequest> state) {
        return state.getBufferedRequestEntries().stream()
                .map(RequestEntryWrapper::getRequestEntry)
                .toList();
    }

    /** Writes the version 1 layout, which had no op type. */
    private static final class VersionOneSerializer
            extends AsyncSinkWriterStateSerializer<DocumentRequest> {

        @Override
        protected void serializeRequestToStream(DocumentRequest request, DataOutputStream out)
                throws IOException {
            for (String text : List.of(request.index(), request.id())) {
                byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
                out.writeInt(bytes.length);
                out.write(bytes);
            }
            out.writeInt(request.source().length);
            out.write(request.source());
            out.writeInt(request.failedAttempts());
        }

        @Override
        protected DocumentRequest deserializeRequestFromStream(long size, DataInputStream in) {
            throw new UnsupportedOperationException("only writes version 1 state");
        }

        @Override
        public int getVersion() {
            return 1;
        }
    }
}
