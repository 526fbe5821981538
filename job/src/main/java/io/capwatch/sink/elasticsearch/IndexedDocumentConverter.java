package io.capwatch.sink.elasticsearch;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.connector.base.sink.writer.ElementConverter;

/** Converts an {@link IndexedDocument} into the sink's {@link DocumentRequest}. */
@PublicEvolving
public final class IndexedDocumentConverter
        implements ElementConverter<IndexedDocument, DocumentRequest> {

    private static final long serialVersionUID = 1L;

    @Override
    public DocumentRequest apply(IndexedDocument document, SinkWriter.Context context) {
        return new DocumentRequest(
                document.index(), document.id(), document.json(), 0, document.opType());
    }
}
