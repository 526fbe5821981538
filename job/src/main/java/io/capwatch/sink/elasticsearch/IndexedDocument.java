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
 */
@PublicEvolving
public record IndexedDocument(String index, String id, byte[] json) implements Serializable {

    public IndexedDocument {
        Objects.requireNonNull(index, "index");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(json, "json");
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof IndexedDocument that
                && index.equals(that.index)
                && id.equals(that.id)
                && Arrays.equals(json, that.json);
    }

    @Override
    public int hashCode() {
        return Objects.hash(index, id) * 31 + Arrays.hashCode(json);
    }

    @Override
    public String toString() {
        return "IndexedDocument{index='"
                + index
                + "', id='"
                + id
                + "', jsonBytes="
                + json.length
                + '}';
    }
}
