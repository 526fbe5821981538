package io.capwatch.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.function.Consumer;

/** Splits an NDJSON stream into lines of raw bytes, without decoding them to strings. */
public final class NdjsonLines {

    private static final int CHUNK_BYTES = 1 << 16;

    private NdjsonLines() {}

    /**
     * Passes each line to {@code consumer} without its {@code \n} or {@code \r\n}. A last line
     * without a newline is passed too, and an empty stream yields no line.
     *
     * @return the number of lines passed
     */
    public static long forEach(InputStream in, Consumer<byte[]> consumer) throws IOException {
        byte[] chunk = new byte[CHUNK_BYTES];
        byte[] line = new byte[CHUNK_BYTES];
        int lineLength = 0;
        long lines = 0;
        int read;
        while ((read = in.read(chunk)) > 0) {
            int start = 0;
            for (int i = 0; i < read; i++) {
                if (chunk[i] != '\n') {
                    continue;
                }
                line = append(line, lineLength, chunk, start, i - start);
                lineLength += i - start;
                consumer.accept(withoutCarriageReturn(line, lineLength));
                lines++;
                lineLength = 0;
                start = i + 1;
            }
            line = append(line, lineLength, chunk, start, read - start);
            lineLength += read - start;
        }
        if (lineLength > 0) {
            consumer.accept(withoutCarriageReturn(line, lineLength));
            lines++;
        }
        return lines;
    }

    private static byte[] append(byte[] line, int lineLength, byte[] chunk, int start, int count) {
        byte[] target = line;
        if (lineLength + count > line.length) {
            target = Arrays.copyOf(line, Math.max(line.length * 2, lineLength + count));
        }
        System.arraycopy(chunk, start, target, lineLength, count);
        return target;
    }

    private static byte[] withoutCarriageReturn(byte[] line, int length) {
        int end = length > 0 && line[length - 1] == '\r' ? length - 1 : length;
        return Arrays.copyOf(line, end);
    }
}
