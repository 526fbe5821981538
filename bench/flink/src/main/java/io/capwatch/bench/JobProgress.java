package io.capwatch.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.JobID;

/**
 * Waits for a running job to reach a state, by polling the REST API's metrics, which the
 * benchmark cluster refreshes every 500 ms.
 */
final class JobProgress {
    private static final long POLL_MILLIS = 700;

    /** Polls in a row without a change in any vertex's record counts that count as quiet. */
    private static final int QUIET_POLLS = 3;

    private final BenchCluster cluster;
    private final JobID job;
    private final Duration timeout;

    JobProgress(BenchCluster cluster, JobID job, Duration timeout) {
        this.cluster = cluster;
        this.job = job;
        this.timeout = timeout;
    }

    /** Waits until every vertex of the job runs. */
    void awaitRunning() throws Exception {
        long deadline = deadline();
        while (true) {
            JsonNode details = cluster.get("/jobs/" + job);
            boolean running = "RUNNING".equals(details.path("state").asText());
            for (JsonNode vertex : details.path("vertices")) {
                String status = vertex.path("status").asText();
                // A bounded source, such as the empty prevalence input, may already have finished.
                running &= status.equals("RUNNING") || status.equals("FINISHED");
            }
            if (running) {
                return;
            }
            pause(deadline, "the job to run");
        }
    }

    /**
     * Waits until the job's parser has read {@code records} records and no vertex's record counts
     * have changed for {@value #QUIET_POLLS} polls.
     */
    void awaitQuiet(long records) throws Exception {
        long deadline = deadline();
        List<Long> previous = null;
        int quietPolls = 0;
        while (true) {
            long read = sumOperatorMetric("recordsRead");
            List<Long> counts = recordCounts();
            if (read == records && counts.equals(previous)) {
                quietPolls++;
                if (quietPolls >= QUIET_POLLS) {
                    return;
                }
            } else {
                quietPolls = 0;
            }
            previous = counts;
            pause(deadline, read + " of " + records + " records read and the job quiet");
        }
    }

    /**
     * Waits until every vertex that is not a source has an input watermark at or past {@code
     * millis}. Vertices still at {@code Long.MIN_VALUE} are passed over: they have never received a
     * watermark, so no timer of theirs waits for one. In the job that is the dead-letter sink.
     */
    void awaitWatermark(long millis) throws Exception {
        long deadline = deadline();
        while (true) {
            long lowest = Long.MAX_VALUE;
            String lowestVertex = "";
            for (JsonNode vertex : cluster.get("/jobs/" + job).path("vertices")) {
                if (vertex.path("name").asText().startsWith("Source:")) {
                    continue;
                }
                for (JsonNode gauge :
                        cluster.get("/jobs/" + job + "/vertices/" + vertex.path("id").asText() + "/watermarks")) {
                    long watermark = gauge.path("value").asLong(Long.MIN_VALUE);
                    if (watermark != Long.MIN_VALUE && watermark < lowest) {
                        lowest = watermark;
                        lowestVertex = vertex.path("name").asText() + " " + gauge.path("id").asText();
                    }
                }
            }
            if (lowest >= millis) {
                return;
            }
            pause(
                    deadline,
                    "the watermark to pass " + millis + " (lowest: " + lowest + " at " + lowestVertex + ")");
        }
    }

    /** Sums an operator metric, such as the job's {@code recordsRead} tally, over all subtasks. */
    long sumOperatorMetric(String name) throws IOException, InterruptedException {
        long sum = 0;
        for (JsonNode vertex : cluster.get("/jobs/" + job).path("vertices")) {
            String base = "/jobs/" + job + "/vertices/" + vertex.path("id").asText() + "/metrics";
            List<String> ids = new ArrayList<>();
            for (JsonNode metric : cluster.get(base)) {
                String id = metric.path("id").asText();
                if (id.endsWith("." + name)) {
                    ids.add(id);
                }
            }
            if (ids.isEmpty()) {
                continue;
            }
            for (JsonNode value : cluster.get(base + "?get=" + URLEncoder.encode(String.join(",", ids), StandardCharsets.UTF_8))) {
                sum += value.path("value").asLong();
            }
        }
        return sum;
    }

    private List<Long> recordCounts() throws IOException, InterruptedException {
        List<Long> counts = new ArrayList<>();
        for (JsonNode vertex : cluster.get("/jobs/" + job).path("vertices")) {
            counts.add(vertex.path("metrics").path("read-records").asLong());
            counts.add(vertex.path("metrics").path("write-records").asLong());
        }
        return counts;
    }

    private long deadline() {
        return System.nanoTime() + timeout.toNanos();
    }

    private void pause(long deadline, String awaited) throws InterruptedException, TimeoutException {
        if (System.nanoTime() > deadline) {
            throw new TimeoutException("timed out after " + timeout + " waiting for " + awaited);
        }
        Thread.sleep(POLL_MILLIS);
    }
}
