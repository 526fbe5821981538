package io.capwatch.sink.elasticsearch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import co.elastic.clients.elasticsearch.core.BulkRequest;
import co.elastic.clients.elasticsearch.core.bulk.BulkOperation;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

class BulkRequestsTest {

    @Test
    void lineBreaksBecomeSpaces() {
        byte[] pretty =
                "{\r\n  \"a\": \"x\\ny\",\n  \"b\": \"é\"\n}".getBytes(StandardCharsets.UTF_8);
        byte[] expected =
                "{    \"a\": \"x\\ny\",   \"b\": \"é\" }".getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(expected, BulkRequests.singleLine(pretty));
    }

    @Test
    void singleLineSourceIsNotCopied() {
        byte[] compact = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
        assertSame(compact, BulkRequests.singleLine(compact));
    }

    @Test
    void operationsAreCreatesInOrder() {
        BulkRequest request =
                BulkRequests.create(
                        List.of(
                                new DocumentRequest(
                                        "index-a", "id-1", "{}".getBytes(StandardCharsets.UTF_8)),
                                new DocumentRequest(
                                        "index-b", "id-2", "{}".getBytes(StandardCharsets.UTF_8))));
        List<BulkOperation> operations = request.operations();
        assertEquals(2, operations.size());
        assertEquals(BulkOperation.Kind.Create, operations.get(0)._kind());
        assertEquals("index-a", operations.get(0).create().index());
        assertEquals("id-1", operations.get(0).create().id());
        assertEquals(BulkOperation.Kind.Create, operations.get(1)._kind());
        assertEquals("index-b", operations.get(1).create().index());
        assertEquals("id-2", operations.get(1).create().id());
    }

    @Test
    void indexOpTypeBecomesIndexOperation() {
        BulkRequest request =
                BulkRequests.create(
                        List.of(
                                new DocumentRequest(
                                        "index-a",
                                        "group-1",
                                        "{}".getBytes(StandardCharsets.UTF_8),
                                        0,
                                        OpType.INDEX),
                                new DocumentRequest(
                                        "index-a", "id-2", "{}".getBytes(StandardCharsets.UTF_8))));
        List<BulkOperation> operations = request.operations();
        assertEquals(BulkOperation.Kind.Index, operations.get(0)._kind());
        assertEquals("index-a", operations.get(0).index().index());
        assertEquals("group-1", operations.get(0).index().id());
        assertEquals(BulkOperation.Kind.Create, operations.get(1)._kind());
    }
}
