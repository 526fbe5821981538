package io.capwatch.bench;

import io.capwatch.ingest.RawRecord;
import io.capwatch.job.CapwatchJob;
import io.capwatch.job.JobSettings;
import io.capwatch.rule.DetectionRule;
import io.capwatch.rule.RuleLoader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;

/**
 * The production pipeline ({@link CapwatchJob}) in streaming mode over a telemetry source, with
 * both Elasticsearch sinks replaced by sinks that discard what they get ({@link EndOfInputSink}). Alerts are still counted
 * by the job's own {@code alerts} tally, ahead of the sink.
 */
final class BenchJob {
    /** The out-of-orderness bound of the shipped configuration. */
    static final Duration OUT_OF_ORDERNESS = Duration.ofMinutes(1);

    private BenchJob() {}

    /**
     * Returns the shipped rule with {@code external} removed from its internal networks, so that a
     * lab recording whose attacker sits on a private subnet raises alerts.
     */
    static DetectionRule rule(List<String> external) {
        DetectionRule rule = RuleLoader.loadDefault();
        if (external.isEmpty()) {
            return rule;
        }
        List<String> internal = new ArrayList<>(rule.internalNetworks());
        for (String network : external) {
            if (!internal.remove(network)) {
                throw new IllegalArgumentException(
                        "--external " + network + " is not among the rule's internal networks "
                                + rule.internalNetworks());
            }
        }
        return rule.withInternalNetworks(internal);
    }

    /**
     * Builds the stream graph. Idleness and the wall-clock advance are off because a replay runs
     * faster than real time, and watermarks are periodic, as in production.
     *
     * @param checkpointInterval the periodic checkpoint interval; zero disables checkpoints
     */
    static StreamGraph graph(
            Configuration configuration,
            DetectionRule rule,
            Source<RawRecord, ?, ?> telemetry,
            int parallelism,
            Duration checkpointInterval) {
        JobSettings settings = new JobSettings();
        settings.batch = false;
        settings.parallelism = parallelism;
        settings.outOfOrderness = OUT_OF_ORDERNESS;
        settings.idleness = Duration.ZERO;
        settings.idleAdvance = Duration.ZERO;
        settings.watermarkPerRecord = false;

        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(configuration);
        env.setRuntimeMode(RuntimeExecutionMode.STREAMING);
        env.setParallelism(parallelism);
        if (!checkpointInterval.isZero()) {
            env.enableCheckpointing(checkpointInterval.toMillis());
        }
        new CapwatchJob(
                        rule,
                        settings,
                        telemetry,
                        null,
                        0,
                        new EndOfInputSink(),
                        new EndOfInputSink())
                .addTo(env);
        StreamGraph graph = env.getStreamGraph();
        graph.setJobName("capwatch benchmark");
        return graph;
    }
}
