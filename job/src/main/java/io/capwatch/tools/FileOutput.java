package io.capwatch.tools;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPOutputStream;

/**
 * Writes NDJSON telemetry files in delivery order: {@code fleet.ndjson}, or {@code
 * fleet-00000.ndjson}, {@code fleet-00001.ndjson}, ... when each file is limited to a number of
 * events. Existing files are never overwritten.
 */
final class FileOutput implements DeliveryBuffer.Output, AutoCloseable {
    private static final int BUFFER_BYTES = 1 << 20;

    private final Path directory;
    private final long eventsPerFile;
    private final boolean gzip;
    private final List<Path> files = new ArrayList<>();
    private OutputStream current;
    private long eventsInCurrent;

    /**
     * @param eventsPerFile the maximum number of events in one file, or 0 for a single file
     */
    FileOutput(Path directory, long eventsPerFile, boolean gzip) throws IOException {
        this.directory = directory;
        this.eventsPerFile = eventsPerFile;
        this.gzip = gzip;
        Files.createDirectories(directory);
    }

    @Override
    public void write(String key, byte[] line) throws IOException {
        if (current == null || (eventsPerFile > 0 && eventsInCurrent == eventsPerFile)) {
            openNext();
        }
        current.write(line);
        current.write('\n');
        eventsInCurrent++;
    }

    List<Path> files() {
        return List.copyOf(files);
    }

    String description() {
        return files.size() == 1
                ? files.get(0).toString()
                : files.size() + " files in " + directory;
    }

    private void openNext() throws IOException {
        close();
        String extension = gzip ? ".ndjson.gz" : ".ndjson";
        String name =
                eventsPerFile > 0
                        ? String.format(Locale.ROOT, "fleet-%05d%s", files.size(), extension)
                        : "fleet" + extension;
        Path file = directory.resolve(name);
        OutputStream stream;
        try {
            stream =
                    Files.newOutputStream(
                            file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (FileAlreadyExistsException e) {
            throw new FileAlreadyExistsException(
                    file.toString(),
                    null,
                    "already exists; remove it or choose another --output-dir");
        }
        current =
                new BufferedOutputStream(
                        gzip ? new GZIPOutputStream(stream, BUFFER_BYTES) : stream, BUFFER_BYTES);
        files.add(file);
        eventsInCurrent = 0;
    }

    @Override
    public void close() throws IOException {
        if (current != null) {
            current.close();
            current = null;
        }
    }
}
