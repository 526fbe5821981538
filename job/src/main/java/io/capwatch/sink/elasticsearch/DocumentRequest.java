package io.capwatch.sink.elasticsearch;

import org.apache.flink.annotation.PublicEvolving;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One document for the sink to create in Elasticsearch: the target index, the document {@code _id}
 * and the JSON source, plus the number of bulk attempts that already failed with a retriable error.
 *
 * <p>The id must be deterministic (derived from the content, not random). The sink writes with op
 * type {@code create} by default and counts "already exists" (HTTP 409) as success, which makes a
 * replay after a restart idempotent. A document written with {@link OpType#INDEX} replaces the one
 * with its id instead, so a replay leaves its last version.
 *
 * <p>The source array is not copied. Callers must not modify it after handing it over.
 */
@PublicEvolving
public final class DocumentRequest implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Bytes of the bulk action line and separators around each source, an estimate. */
    private static final int BULK_OVERHEAD_BYTES = 48;

    private final String index;
    private final String id;
    private final byte[] source;
    private final int failedAttempts;
    private final OpType opType;

    /**
     * Wall-clock milliseconds of the first retriable failure, or 0 before any. It is not part of
     * the checkpoint state, nor of {@link #equals}.
     */
    private final long firstFailureMillis;

    /** Creates a {@code create} request that has not been sent yet. */
    public DocumentRequest(String index, String id, byte[] source) {
        this(index, id, source, 0, OpType.CREATE);
    }

    /** Creates a {@code create} request. */
    public DocumentRequest(String index, String id, byte[] source, int failedAttempts) {
        this(index, id, source, failedAttempts, OpType.CREATE);
    }

    /**
     * Creates a request.
     *
     * @param index the target index or data stream; must not be blank
     * @param id the document {@code _id}; must not be blank
     * @param source the document as UTF-8 JSON; must not be null
     * @param failedAttempts bulk attempts that already failed with a retriable error; at least 0
     * @param opType the bulk operation that writes the document
     */
    public DocumentRequest(
            String index, String id, byte[] source, int failedAttempts, OpType opType) {
        this(index, id, source, failedAttempts, opType, 0);
    }

    private DocumentRequest(
            String index,
            String id,
            byte[] source,
            int failedAttempts,
            OpType opType,
            long firstFailureMillis) {
        if (index == null || index.isBlank()) {
            throw new IllegalArgumentException("index is missing: a document needs a target index");
        }
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException(
                    "id is missing for a document to index '"
                            + index
                            + "': the sink needs a deterministic _id so that replays do not"
                            + " duplicate documents");
        }
        if (failedAttempts < 0) {
            throw new IllegalArgumentException(
                    "failedAttempts is " + failedAttempts + "; it must be 0 or more");
        }
        this.index = index;
        this.id = id;
        this.source = Objects.requireNonNull(source, "source");
        this.failedAttempts = failedAttempts;
        this.opType = Objects.requireNonNull(opType, "opType");
        this.firstFailureMillis = firstFailureMillis;
    }

    public String index() {
        return index;
    }

    public String id() {
        return id;
    }

    /** Returns the JSON source as UTF-8 bytes (not a copy). */
    public byte[] source() {
        return source;
    }

    public int failedAttempts() {
        return failedAttempts;
    }

    public OpType opType() {
        return opType;
    }

    /**
     * Returns the wall-clock milliseconds of the first retriable failure seen by this writer, or 0
     * before any.
     */
    long firstFailureMillis() {
        return firstFailureMillis;
    }

    /**
     * Returns a copy of this request with one more failed attempt, which keeps the time of the
     * first failure or, for the first, records {@code nowMillis}.
     */
    DocumentRequest withOneMoreFailedAttempt(long nowMillis) {
        long firstFailure = firstFailureMillis == 0 ? nowMillis : firstFailureMillis;
        return new DocumentRequest(index, id, source, failedAttempts + 1, opType, firstFailure);
    }

    /** Returns an estimate of the bytes this document adds to a bulk request body. */
    long sizeInBytes() {
        return (long) source.length
                + index.getBytes(StandardCharsets.UTF_8).length
                + id.getBytes(StandardCharsets.UTF_8).length
                + BULK_OVERHEAD_BYTES;
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof DocumentRequest)) {
            return false;
        }
        DocumentRequest that = (DocumentRequest) other;
        return failedAttempts == that.failedAttempts
                && opType == that.opType
                && index.equals(that.index)
                && id.equals(that.id)
                && Arrays.equals(source, that.source);
    }

    @Override
    public int hashCode() {
        return Objects.hash(index, id, failedAttempts, opType) * 31 + Arrays.hashCode(source);
    }

    /** Describes the request without its source, which may be large or sensitive. */
    @Override
    public String toString() {
        return "DocumentRequest{index='"
                + index
                + "', id='"
                + id
                + "', sourceBytes="
                + source.length
                + ", failedAttempts="
                + failedAttempts
                + ", opType="
                + opType
                + '}';
    }
}
