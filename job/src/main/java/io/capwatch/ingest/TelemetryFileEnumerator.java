package io.capwatch.ingest;

import java.util.List;
import java.util.Locale;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.enumerate.NonSplittingRecursiveEnumerator;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lists the files of the given folders, recursively, that look like NDJSON telemetry: names ending
 * in {@code .json}, {@code .ndjson}, {@code .jsonl} or {@code .log}, optionally compressed ({@code
 * .gz}, {@code .bz2}, {@code .xz}, {@code .deflate}). Other files, such as a manifest or a README
 * beside the recordings, are skipped with a warning, and hidden files ({@code .} or {@code _}
 * first) silently, as Flink's default filter does.
 */
public final class TelemetryFileEnumerator extends NonSplittingRecursiveEnumerator {
    private static final Logger LOG = LoggerFactory.getLogger(TelemetryFileEnumerator.class);

    private static final List<String> EXTENSIONS = List.of(".json", ".ndjson", ".jsonl", ".log");
    private static final List<String> COMPRESSIONS = List.of("", ".gz", ".bz2", ".xz", ".deflate");

    @Override
    protected void convertToSourceSplits(
            FileStatus file, FileSystem fileSystem, List<FileSourceSplit> target)
            throws java.io.IOException {
        if (isTelemetryFileName(file.getPath().getName())) {
            super.convertToSourceSplits(file, fileSystem, target);
        } else {
            LOG.warn(
                    "Skipping {}: not a telemetry file name; expected one of {} optionally"
                            + " followed by one of {}",
                    file.getPath(),
                    EXTENSIONS,
                    COMPRESSIONS.subList(1, COMPRESSIONS.size()));
        }
    }

    /** Tests whether a file name is one this enumerator reads. */
    public static boolean isTelemetryFileName(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        for (String extension : EXTENSIONS) {
            for (String compression : COMPRESSIONS) {
                if (lower.endsWith(extension + compression)) {
                    return true;
                }
            }
        }
        return false;
    }
}
