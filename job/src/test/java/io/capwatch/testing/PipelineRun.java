package io.capwatch.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.capwatch.job.CapwatchJob;
import io.capwatch.job.JobSettings;
import io.capwatch.job.RunSummary;
import io.capwatch.rule.DetectionRule;
import io.capwatch.rule.RuleLoader;
import io.capwatch.sink.elasticsearch.IndexedDocument;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Runs the real pipeline over files on the test's MiniCluster and collects its output. Defaults
 * match the detection cases' harness: streaming, parallelism 1, a watermark after every record,
 * a 60 s out-of-orderness bound and the shipped rule.
 */
public final class PipelineRun {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<String> inputs = new ArrayList<>();
    private final List<String> prevalence = new ArrayList<>();
    private DetectionRule rule = RuleLoader.loadDefault();
    private boolean batch;
    private int parallelism = 1;
    private Duration outOfOrderness = Duration.ofSeconds(60);
    private boolean derivePrevalence;
    private Duration groupAlertsWindow;

    public static PipelineRun over(Path... inputs) {
        PipelineRun run = new PipelineRun();
        for (Path input : inputs) {
            run.inputs.add(input.toString());
        }
        return run;
    }

    public PipelineRun withPrevalence(Path file) {
        prevalence.add(file.toString());
        return this;
    }

    public PipelineRun withRule(DetectionRule rule) {
        this.rule = rule;
        return this;
    }

    public PipelineRun inBatchMode() {
        this.batch = true;
        return this;
    }

    public PipelineRun withParallelism(int parallelism) {
        this.parallelism = parallelism;
        return this;
    }

    public PipelineRun withOutOfOrderness(Duration bound) {
        this.outOfOrderness = bound;
        return this;
    }

    /** Derives fleet prevalence from the run's own process starts. */
    public PipelineRun withDerivedPrevalence() {
        this.derivePrevalence = true;
        return this;
    }

    /** Groups each binary's alerts per window of {@code window}. */
    public PipelineRun withAlertGrouping(Duration window) {
        this.groupAlertsWindow = window;
        return this;
    }

    /** Runs the job to its end and returns what it wrote. */
    public Result execute() throws Exception {
        JobSettings settings = new JobSettings();
        settings.inputs = inputs;
        settings.prevalence = prevalence;
        settings.batch = batch;
        settings.parallelism = parallelism;
        settings.outOfOrderness = outOfOrderness;
        settings.watermarkPerRecord = true;
        settings.idleness = Duration.ZERO;
        settings.idleAdvance = Duration.ZERO;
        settings.derivePrevalence = derivePrevalence;
        settings.groupAlertsWindow = groupAlertsWindow;

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setRuntimeMode(batch ? RuntimeExecutionMode.BATCH : RuntimeExecutionMode.STREAMING);
        env.setParallelism(parallelism);

        CollectingSink alerts = new CollectingSink();
        CollectingSink deadLetters = new CollectingSink();
        try {
            new CapwatchJob(
                            rule,
                            settings,
                            CapwatchJob.files(inputs, false),
                            prevalence.isEmpty() ? null : CapwatchJob.files(prevalence, true),
                            prevalence.size(),
                            alerts,
                            deadLetters)
                    .addTo(env);
            JobExecutionResult result = env.execute("capwatch test run");
            return new Result(
                    parse(alerts.documents()),
                    parse(deadLetters.documents()),
                    alerts.documents(),
                    new RunSummary(result.getAllAccumulatorResults()));
        } finally {
            alerts.close();
            deadLetters.close();
        }
    }

    private static List<JsonNode> parse(List<IndexedDocument> documents) {
        List<JsonNode> nodes = new ArrayList<>();
        for (IndexedDocument document : documents) {
            try {
                nodes.add(JSON.readTree(document.json()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return nodes;
    }

    /** What a run wrote: alert and dead-letter documents, and its counters. */
    public record Result(
            List<JsonNode> alerts,
            List<JsonNode> deadLetters,
            List<IndexedDocument> alertDocuments,
            RunSummary summary) {

        /** Dead letters other than late events. */
        public long deadLetteredRecords() {
            return deadLetters.stream()
                    .filter(d -> !"LATE_EVENT".equals(d.path("error").path("type").asText()))
                    .count();
        }

        public long lateEvents() {
            return deadLetters.stream()
                    .filter(d -> "LATE_EVENT".equals(d.path("error").path("type").asText()))
                    .count();
        }
    }
}
