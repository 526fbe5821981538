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
 *
 * <p>NOTE: the text-line format reads each line whole into memory before the parser's size limit
 * applies, and it decodes ill-formed UTF-8 to U+FFFD, so such a line is parsed rather than
 * dead-lettered as it is when read from Kafka.
 */
public final class NdjsonFormat implements BulkFormat<RawRecord, FileSourceSplit> {
    private static final long serialVersionUID = 1L;
    private static final String BYTE_ORDER_MARK = "\uFEFF";

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
        return record.text == null && record.readError == null;
    }

    @Override
    public Reader<RawRecord> createReader(Configuration config, FileSourceSplit split) {
        String path = split.path().toString();
        try {
            return new TaggingReader(lines.createReader(config, split), path, endMarkers);
        } catch (IOException e) {
            // A compressed file with a broken header fails already when it is opened.
            return TaggingReader.unreadable(path, endMarkers, e);
        }
    }

    @Override
    public Reader<RawRecord> restoreReader(Configuration config, FileSourceSplit split) {
        String path = split.path().toString();
        try {
            return new TaggingReader(lines.restoreReader(config, split), path, endMarkers);
        } catch (IOException e) {
            return TaggingReader.unreadable(path, endMarkers, e);
        }
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
        private boolean failed;
        private long lastSkipCount;

        private RawRecord pendingFailure;

        TaggingReader(Reader<String> delegate, String path, boolean endMarkers) {
            this.delegate = delegate;
            this.path = path;
            this.markerPending = endMarkers;
        }

        /** Creates a reader for a file that failed to open: one dead letter, then the end. */
        static TaggingReader unreadable(String path, boolean endMarkers, IOException error) {
            TaggingReader reader = new TaggingReader(null, path, endMarkers);
            reader.fail(error);
            return reader;
        }

        private void fail(IOException error) {
            failed = true;
            pendingFailure =
                    RawRecord.unreadable(
                            path + ":" + (lastSkipCount + 1),
                            "failed to read " + path + " after line " + lastSkipCount + ": " + error);
        }

        @Override
        public RecordIterator<RawRecord> readBatch() throws IOException {
            if (!failed) {
                try {
                    RecordIterator<String> batch = delegate.readBatch();
                    if (batch != null) {
                        return tag(batch);
                    }
                } catch (IOException e) {
                    // A corrupt or cut-off compressed file: the rest of it is lost, but the job
                    // goes on with the other files, and the loss becomes one dead letter.
                    fail(e);
                }
            }
            if (pendingFailure != null) {
                RawRecord failure = pendingFailure;
                pendingFailure = null;
                return single(failure, lastSkipCount + 1);
            }
            return markerPending ? endMarker() : null;
        }

        private RecordIterator<RawRecord> tag(RecordIterator<String> batch) {
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
                    String text = line.getRecord();
                    if (lastSkipCount == 1 && text.startsWith(BYTE_ORDER_MARK)) {
                        // Windows tools start UTF-8 files with a byte order mark; it is not JSON.
                        text = text.substring(1);
                    }
                    current.set(
                            new RawRecord(origin, text),
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
            return single(new RawRecord(path, null), lastSkipCount + (failed ? 2 : 1));
        }

        private static RecordIterator<RawRecord> single(RawRecord record, long skipCount) {
            return new RecordIterator<>() {
                private boolean done;

                @Override
                public RecordAndPosition<RawRecord> next() {
                    if (done) {
                        return null;
                    }
                    done = true;
                    return new RecordAndPosition<>(record, RecordAndPosition.NO_OFFSET, skipCount);
                }

                @Override
                public void releaseBatch() {}
            };
        }

        @Override
        public void close() throws IOException {
            if (delegate != null) {
                delegate.close();
            }
        }
    }
}
