package io.capwatch.sink.elasticsearch;

import org.apache.flink.annotation.PublicEvolving;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Objects;

/**
 * A JSON document with its target index and deterministic {@code _id}, ready for the sink. {@link
 * IndexedDocumentConverter} turns it into a {@link DocumentRequest}.
 *
 * @param index the target index or data stream
 * @param id the document {@code _id}, derived from the content so that replays do not duplicate it
 * @param json the document as UTF-8 JSON (not copied)
 * @param opType how the sink writes it: {@link OpType#CREATE} unless the document is meant to be
 *     overwritten by later versions with the same id
 */
@PublicEvolving
public record IndexedDocument(String index, String id, byte[] json, OpType opType)
        implements Serializable {

    public IndexedDocument {
        Objects.requireNonNull(index, "index");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(json, "json");
        Objects.requireNonNull(opType, "opType");
    }

    /** Creates a document that the sink writes with {@link OpType#CREATE}. */
    public IndexedDocument(String index, String id, byte[] json) {
        this(index, id, json, OpType.CREATE);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof IndexedDocument that
                && index.equals(that.index)
                && id.equals(that.id)
                && Arrays.equals(json, that.json)
                && opType == that.opType;
    }

    @Override
    public int hashCode() {
        return Objects.hash(index, id, opType) * 31 + Arrays.hashCode(json);
    }

    @Override
    public String toString() {
        return "IndexedDocument{index='"
                + index
                + "', id='"
                + id
                + "', jsonBytes="
                + json.length
                + ", opType="
                + opType
                + '}';
    }
}
