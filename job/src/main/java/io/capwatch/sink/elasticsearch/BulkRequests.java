package io.capwatch.sink.elasticsearch;

import co.elastic.clients.elasticsearch.core.BulkRequest;
import co.elastic.clients.elasticsearch.core.bulk.BulkOperation;
import co.elastic.clients.util.BinaryData;
import co.elastic.clients.util.ContentType;

import java.util.ArrayList;
import java.util.List;

/** Builds {@code _bulk} requests that write documents from raw JSON sources. */
final class BulkRequests {

    private BulkRequests() {}

    /**
     * Returns a bulk request with one operation per document, in order, so that the response's
     * items line up with {@code documents}. Each operation is {@code create} or {@code index}, by
     * the document's {@link OpType}.
     */
    static BulkRequest create(List<DocumentRequest> documents) {
        List<BulkOperation> operations = new ArrayList<>(documents.size());
        for (DocumentRequest document : documents) {
            operations.add(operation(document));
        }
        return BulkRequest.of(request -> request.operations(operations));
    }

    private static BulkOperation operation(DocumentRequest document) {
        BinaryData source =
                BinaryData.of(singleLine(document.source()), ContentType.APPLICATION_JSON);
        if (document.opType() == OpType.INDEX) {
            return BulkOperation.of(
                    operation ->
                            operation.index(
                                    index ->
                                            index.index(document.index())
                                                    .id(document.id())
                                                    .document(source)));
        }
        return BulkOperation.of(
                operation ->
                        operation.create(
                                create ->
                                        create.index(document.index())
                                                .id(document.id())
                                                .document(source)));
    }

    /**
     * Returns the source with raw CR and LF bytes replaced by spaces, because the bulk body is
     * newline-delimited. Valid JSON has raw line breaks only as whitespace between tokens (inside
     * strings they must be escaped), and UTF-8 never uses these bytes inside a multi-byte
     * character, so the replacement keeps the document's meaning.
     */
    static byte[] singleLine(byte[] source) {
        int first = indexOfLineBreak(source);
        if (first < 0) {
            return source;
        }
        byte[] copy = source.clone();
        for (int i = first; i < copy.length; i++) {
            if (copy[i] == '\n' || copy[i] == '\r') {
                copy[i] = ' ';
            }
        }
        return copy;
    }

    private static int indexOfLineBreak(byte[] source) {
        for (int i = 0; i < source.length; i++) {
            if (source[i] == '\n' || source[i] == '\r') {
                return i;
            }
        }
        return -1;
    }
}
