package io.capwatch.bench.correlation;

import io.capwatch.correlation.Candidate;
import io.capwatch.correlation.Correlation;
import io.capwatch.correlation.Match;
import io.capwatch.rule.DetectionRule;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;

/**
 * Builds the benchmark job: prepared candidates in arrival order, bounded-out-of-orderness
 * watermarks, one of the two Flink correlations, on one slot of a local MiniCluster.
 *
 * <p>The rows live in a static array rather than in the job graph, because two million rows
 * would make the graph hundreds of megabytes. That works only on a local MiniCluster, where
 * the tasks run in the caller's JVM.
 */
public final class CorrelationPipeline {
    /** The correlation under test. */
    public enum Engine {
        /** {@link Correlation#apply}: the job's keyed gate, CEP and rule exceptions. */
        JOB,
        /** {@link HandWrittenCorrelation}. */
        KPF
    }

    /** The keyed state backend, with Flink's name for it in {@code state.backend.type}. */
    public enum StateBackend {
        HEAP("hashmap"),
        ROCKSDB("rocksdb");

        final String flinkName;

        StateBackend(String flinkName) {
            this.flinkName = flinkName;
        }

        public static StateBackend parse(String name) {
            return valueOf(name.toUpperCase(Locale.ROOT));
        }
    }

    /** Checkpoint interval: a few checkpoints land in each run, as in a running job. */
    static final Duration CHECKPOINT_INTERVAL = Duration.ofSeconds(10);

    private static volatile List<CandidateRow> rows = List.of();
    private static final AtomicLong FIRST_ROW_NANOS = new AtomicLong();
    private static final AtomicLong ROWS_EMITTED = new AtomicLong();

    private CorrelationPipeline() {}

    /**
     * Creates a one-slot local environment in streaming mode with checkpoints every {@link
     * #CHECKPOINT_INTERVAL}, incremental where the backend supports it.
     */
    public static StreamExecutionEnvironment environment(
            StateBackend backend, Path checkpointDir) {
        Map<String, String> settings = new HashMap<>();
        settings.put("taskmanager.numberOfTaskSlots", "1");
        settings.put("parallelism.default", "1");
        settings.put("state.backend.type", backend.flinkName);
        settings.put("execution.checkpointing.interval", CHECKPOINT_INTERVAL.toMillis() + " ms");
        settings.put("execution.checkpointing.incremental", "true");
        // Point lookups of absent keys are common in the gate; see BenchCluster.
        settings.put("state.backend.rocksdb.use-bloom-filter", "true");
        settings.put("execution.checkpointing.dir", checkpointDir.toUri().toString());
        // RocksDB's block cache and write buffers come out of managed memory: stated, not left
        // to the MiniCluster's default, so a run on another machine uses the same budget.
        settings.put("taskmanager.memory.managed.size", "256m");
        settings.putAll(extraSettings());
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironment(1, Configuration.fromMap(settings));
        env.setRuntimeMode(RuntimeExecutionMode.STREAMING);
        return env;
    }

    /**
     * Returns Flink settings from the system property {@code capwatch.bench.flink}, written as
     * {@code key=value} pairs separated by semicolons, for trying state backend options.
     */
    static Map<String, String> extraSettings() {
        Map<String, String> extra = new HashMap<>();
        String text = System.getProperty("capwatch.bench.flink", "");
        for (String pair : text.split(";")) {
            int equals = pair.indexOf('=');
            if (equals > 0) {
                extra.put(pair.substring(0, equals).trim(), pair.substring(equals + 1).trim());
            }
        }
        return extra;
    }

    /**
     * Adds the source, the watermarks and the engine to {@code env} and returns the matches.
     *
     * @param maxSeconds seconds after the first row at which to stop feeding rows, 0 for no
     *     limit. A limited run finds only part of the match set.
     */
    public static DataStream<Match> build(
            StreamExecutionEnvironment env,
            Engine engine,
            List<CandidateRow> input,
            long outOfOrderMillis,
            DetectionRule rule,
            long maxSeconds) {
        rows = input;
        FIRST_ROW_NANOS.set(0);
        ROWS_EMITTED.set(0);
        DataStream<Candidate> candidates =
                env.fromSequence(0, input.size() - 1)
                        .name("Row indexes")
                        .flatMap(new RowSource(maxSeconds * 1_000_000_000L))
                        .name("Prepared candidates")
                        .assignTimestampsAndWatermarks(
                                WatermarkStrategy.<Candidate>forBoundedOutOfOrderness(
                                                Duration.ofMillis(outOfOrderMillis))
                                        .withTimestampAssigner(
                                                (candidate, previous) -> candidate.timestamp()));
        return switch (engine) {
            case JOB -> Correlation.apply(candidates, rule).matches();
            case KPF ->
                    candidates
                            .keyBy(candidate -> candidate.key)
                            .process(new HandWrittenCorrelation(rule.window()))
                            .name("Hand-written correlation");
        };
    }

    /** Returns {@link System#nanoTime} when the first row entered the job, or 0 before that. */
    public static long firstRowNanos() {
        return FIRST_ROW_NANOS.get();
    }

    /** Returns the number of rows fed to the job, fewer than the input under a time limit. */
    public static long rowsEmitted() {
        return ROWS_EMITTED.get();
    }

    /** Turns row indexes into candidates, building each from the static rows. */
    private static final class RowSource implements FlatMapFunction<Long, Candidate> {
        private static final long serialVersionUID = 1L;

        private final long maxNanos;
        private transient long deadline;
        private transient long emitted;

        RowSource(long maxNanos) {
            this.maxNanos = maxNanos;
        }

        @Override
        public void flatMap(Long index, Collector<Candidate> out) {
            if (emitted == 0) {
                long now = System.nanoTime();
                FIRST_ROW_NANOS.compareAndSet(0, now);
                deadline = maxNanos > 0 ? now + maxNanos : Long.MAX_VALUE;
            } else if ((emitted & 1023) == 0 && System.nanoTime() > deadline) {
                return;
            }
            out.collect(rows.get(index.intValue()).toCandidate());
            emitted++;
            ROWS_EMITTED.lazySet(emitted);
        }
    }
}
