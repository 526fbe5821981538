package io.capwatch.sink.elasticsearch;

import org.apache.flink.connector.base.sink.writer.AsyncSinkWriterStateSerializer;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Writes the documents buffered at a checkpoint into the writer state.
 *
 * <p>Version 1 layout per document: index, id and source, each as a 4-byte length followed by UTF-8
 * bytes, then the failed-attempt count as a 4-byte int. Version 2 appends the op type as one byte
 * (0 {@code create}, 1 {@code index}). Version 1 state is read as {@code create}, the only op type
 * it had.
 */
final class DocumentRequestStateSerializer extends AsyncSinkWriterStateSerializer<DocumentRequest> {

    private static final int VERSION = 2;

    /**
     * The version of the state being read. {@link AsyncSinkWriterStateSerializer} does not pass it
     * to {@link #deserializeRequestFromStream}, and a writer restores its state on one thread.
     */
    private int readingVersion = VERSION;

    @Override
    public BufferedRequestState<DocumentRequest> deserialize(int version, byte[] serialized)
            throws IOException {
        if (version < 1 || version > VERSION) {
            throw new IOException(
                    "Unsupported sink state version "
                            + version
                            + ": this capwatch reads versions 1 to "
                            + VERSION
                            + ", so restore the checkpoint with the capwatch that wrote it");
        }
        readingVersion = version;
        try {
            return super.deserialize(version, serialized);
        } finally {
            readingVersion = VERSION;
        }
    }

    @Override
    protected void serializeRequestToStream(DocumentRequest request, DataOutputStream out)
            throws IOException {
        writeBytes(out, request.index().getBytes(StandardCharsets.UTF_8));
        writeBytes(out, request.id().getBytes(StandardCharsets.UTF_8));
        writeBytes(out, request.source());
        out.writeInt(request.failedAttempts());
        out.writeByte(request.opType() == OpType.INDEX ? 1 : 0);
    }

    @Override
    protected DocumentRequest deserializeRequestFromStream(long requestSize, DataInputStream in)
            throws IOException {
        String index = new String(readBytes(in), StandardCharsets.UTF_8);
        String id = new String(readBytes(in), StandardCharsets.UTF_8);
        byte[] source = readBytes(in);
        int failedAttempts = in.readInt();
        OpType opType = OpType.CREATE;
        if (readingVersion >= 2) {
            byte code = in.readByte();
            if (code != 0 && code != 1) {
                throw new IOException("Corrupt sink state: unknown op type code " + code);
            }
            opType = code == 1 ? OpType.INDEX : OpType.CREATE;
        }
        return new DocumentRequest(index, id, source, failedAttempts, opType);
    }

    @Override
    public int getVersion() {
        return VERSION;
    }

    private static void writeBytes(DataOutputStream out, byte[] bytes) throws IOException {
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0) {
            throw new IOException("Corrupt sink state: negative field length " + length);
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return bytes;
    }
}
