package io.capwatch.ingest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.impl.StreamFormatAdapter;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.reader.TextLineInputFormat;
import org.apache.flink.connector.file.src.util.MutableRecordAndPosition;
import org.apache.flink.connector.file.src.util.RecordAndPosition;

/**
 * Reads newline-delimited JSON files line by line and tags each line with {@code path:line}.
 *
 * <p>It wraps Flink's text-line format, which is not splittable: a file is read by one reader
 * from its start, and Flink's record skip count is then the line number, also after a restore
 * from a checkpoint. The file source decompresses {@code .gz}, {@code .bz2}, {@code .xz} and
 * {@code .deflate} files by their extension.
 */
public final class NdjsonFormat implements BulkFormat<RawRecord, FileSourceSplit> {
    private static final long serialVersionUID = 1L;

    private final StreamFormatAdapter<String> lines =
            new StreamFormatAdapter<>(new TextLineInputFormat(StandardCharsets.UTF_8.name()));
    private final boolean endMarkers;

    /** Creates a format for telemetry: one record per line. */
    public NdjsonFormat() {
        this(false);
    }

    /**
     * Creates a format that can also mark the end of each file with an extra record whose {@code
     * text} is {@code null}, so a consumer can tell when a file was read completely.
     */
    public NdjsonFormat(boolean endMarkers) {
        this.endMarkers = endMarkers;
    }

    /** Tests whether a record is the end marker of a file. */
    public static boolean isEndMarker(RawRecord record) {
        return record.text == null;
    }

    @Override
    public Reader<RawRecord> createReader(Configuration config, FileSourceSplit split)
            throws IOException {
        return new TaggingReader(
                lines.createReader(config, split), split.path().toString(), endMarkers);
    }

    @Override
    public Reader<RawRecord> restoreReader(Configuration config, FileSourceSplit split)
            throws IOException {
        return new TaggingReader(
                lines.restoreReader(config, split), split.path().toString(), endMarkers);
    }

    @Override
    public boolean isSplittable() {
        return false;
    }

    @Override
    public TypeInformation<RawRecord> getProducedType() {
        return TypeInformation.of(RawRecord.class);
    }

    private static final class TaggingReader implements Reader<RawRecord> {
        private final Reader<String> delegate;
        private final String path;
        private boolean markerPending;
        private long lastSkipCount;

        TaggingReader(Reader<String> delegate, String path, boolean endMarkers) {
            this.delegate = delegate;
            this.path = path;
            this.markerPending = endMarkers;
        }

        @Override
        public RecordIterator<RawRecord> readBatch() throws IOException {
            RecordIterator<String> batch = delegate.readBatch();
            if (batch == null) {
                return markerPending ? endMarker() : null;
            }
            return new RecordIterator<>() {
                private final MutableRecordAndPosition<RawRecord> current =
                        new MutableRecordAndPosition<>();

                @Override
                public RecordAndPosition<RawRecord> next() {
                    RecordAndPosition<String> line = batch.next();
                    if (line == null) {
                        return null;
                    }
                    lastSkipCount = line.getRecordSkipCount();
                    String origin = path + ":" + lastSkipCount;
                    current.set(
                            new RawRecord(origin, line.getRecord()),
                            line.getOffset(),
                            line.getRecordSkipCount());
                    return current;
                }

                @Override
                public void releaseBatch() {
                    batch.releaseBatch();
                }
            };
        }

        private RecordIterator<RawRecord> endMarker() {
            markerPending = false;
            RawRecord marker = new RawRecord(path, null);
            long skipCount = lastSkipCount + 1;
            return new RecordIterator<>() {
                private boolean done;

                @Override
                public RecordAndPosition<RawRecord> next() {
                    if (done) {
                        return null;
                    }
                    done = true;
                    return new RecordAndPosition<>(marker, RecordAndPosition.NO_OFFSET, skipCount);
                }

                @Override
                public void releaseBatch() {}
            };
        }

        @Override
        public void close() throws IOException {
            delegate.close();
        }
    }
}
