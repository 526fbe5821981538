package io.capwatch.job;

import io.capwatch.sink.elasticsearch.IndexedDocument;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * Prints documents as NDJSON lines ({@code {"_index", "_id", "_source"}}) on standard output, for
 * runs without Elasticsearch.
 */
final class StdoutSink implements Sink<IndexedDocument> {
    private static final long serialVersionUID = 1L;

    @Override
    public SinkWriter<IndexedDocument> createWriter(WriterInitContext context) {
        PrintStream out = System.out;
        return new SinkWriter<>() {
            @Override
            public void write(IndexedDocument document, Context context) {
                String source = new String(document.json(), StandardCharsets.UTF_8);
                synchronized (out) {
                    out.println(
                            "{\"_index\":\""
                                    + document.index()
                                    + "\",\"_id\":\""
                                    + document.id()
                                    + "\",\"_source\":"
                                    + source
                                    + "}");
                }
            }

            @Override
            public void flush(boolean endOfInput) {
                out.flush();
            }

            @Override
            public void close() {
                out.flush();
            }
        };
    }
}
