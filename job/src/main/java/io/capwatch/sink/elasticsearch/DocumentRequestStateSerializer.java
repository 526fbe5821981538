package io.capwatch.sink.elasticsearch;

import org.apache.flink.connector.base.sink.writer.AsyncSinkWriterStateSerializer;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Writes the documents buffered at a checkpoint into the writer state.
 *
 * <p>Version 1 layout per document: index, id and source, each as a 4-byte length followed by UTF-8
 * bytes, then the failed-attempt count as a 4-byte int.
 */
final class DocumentRequestStateSerializer extends AsyncSinkWriterStateSerializer<DocumentRequest> {

    private static final int VERSION = 1;

    @Override
    protected void serializeRequestToStream(DocumentRequest request, DataOutputStream out)
            throws IOException {
        writeBytes(out, request.index().getBytes(StandardCharsets.UTF_8));
        writeBytes(out, request.id().getBytes(StandardCharsets.UTF_8));
        writeBytes(out, request.source());
        out.writeInt(request.failedAttempts());
    }

    @Override
    protected DocumentRequest deserializeRequestFromStream(long requestSize, DataInputStream in)
            throws IOException {
        String index = new String(readBytes(in), StandardCharsets.UTF_8);
        String id = new String(readBytes(in), StandardCharsets.UTF_8);
        byte[] source = readBytes(in);
        int failedAttempts = in.readInt();
        return new DocumentRequest(index, id, source, failedAttempts);
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
