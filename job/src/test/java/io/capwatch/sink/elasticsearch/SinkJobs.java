package io.capwatch.sink.elasticsearch;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/** Runs sink jobs on the test MiniCluster and reads the sink's counters afterwards. */
final class SinkJobs {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SinkJobs() {}

    /** Returns a MiniCluster extension whose metrics {@code reporter} keeps after each job. */
    static MiniClusterExtension miniCluster(InMemoryReporter reporter) {
        return new MiniClusterExtension(
                () ->
                        new MiniClusterResourceConfiguration.Builder()
                                .setNumberTaskManagers(1)
                                .setNumberSlotsPerTaskManager(1)
                                .setConfiguration(reporter.addToConfiguration(new Configuration()))
                                .build());
    }

    /** A finished job and its counters. */
    record FinishedJob(JobID jobId, InMemoryReporter reporter) {

        /** Returns the sum of the sink counter {@code name} over all subtasks. */
        long counter(String name) {
            long total = 0;
            for (Metric metric : reporter.findMetrics(jobId, "\\." + name + "$").values()) {
                total += ((Counter) metric).getCount();
            }
            return total;
        }
    }

    /** Returns an environment on the MiniCluster with restarts disabled, so failures fail tests. */
    static StreamExecutionEnvironment environment() {
        Configuration configuration = new Configuration();
        configuration.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        return environment(configuration);
    }

    /** Returns an environment on the MiniCluster with {@code configuration} and parallelism 1. */
    static StreamExecutionEnvironment environment(Configuration configuration) {
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(configuration);
        env.setParallelism(1);
        return env;
    }

    /** Runs the job built in {@code env} and waits for it to finish. */
    static FinishedJob execute(StreamExecutionEnvironment env, InMemoryReporter reporter)
            throws Exception {
        JobClient job = env.executeAsync("elasticsearch sink test");
        job.getJobExecutionResult().get();
        return new FinishedJob(job.getJobID(), reporter);
    }

    /** Runs a bounded job that writes {@code documents} to {@code sink} and waits for it. */
    static FinishedJob run(
            List<IndexedDocument> documents,
            ElasticsearchSink<IndexedDocument> sink,
            InMemoryReporter reporter)
            throws Exception {
        StreamExecutionEnvironment env = environment();
        env.fromData(documents).sinkTo(sink);
        return execute(env, reporter);
    }

    /** Returns an alert document with the fields the sink tests look at. */
    static IndexedDocument alert(
            String index, String id, long pid, String executable, String destinationIp) {
        ObjectNode alert = JSON.createObjectNode();
        alert.put("@timestamp", "2024-05-14T10:05:00.000Z");
        alert.putObject("event").put("kind", "alert").put("id", id);
        alert.putObject("host").put("id", "h-a1");
        alert.putObject("process").put("pid", pid).put("executable", executable);
        alert.putObject("destination").put("ip", destinationIp);
        try {
            return new IndexedDocument(index, id, JSON.writeValueAsBytes(alert));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
