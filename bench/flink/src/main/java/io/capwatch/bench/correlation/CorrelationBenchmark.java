package io.capwatch.bench.correlation;

import io.capwatch.bench.correlation.CorrelationPipeline.Engine;
import io.capwatch.bench.correlation.CorrelationPipeline.StateBackend;
import io.capwatch.rule.DetectionRule;
import io.capwatch.rule.RuleLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Runs one Flink correlation once over a candidate file and prints one result line of {@code
 * name=value} fields: engine, state, events, seconds, events_per_s, matches, digest, capped.
 * Time runs from the first row entering the job to the end of the sink's input, so job
 * submission and the final checkpoint are left out.
 *
 * <p>Usage: {@code CorrelationBenchmark job|kpf heap|rocksdb CANDIDATE_FILE [MAX_SECONDS]}.
 */
public final class CorrelationBenchmark {
    private CorrelationBenchmark() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 3 || args.length > 4) {
            System.err.println(
                    "usage: CorrelationBenchmark job|kpf heap|rocksdb CANDIDATE_FILE [MAX_SECONDS]");
            System.exit(2);
        }
        Engine engine = Engine.valueOf(args[0].toUpperCase(Locale.ROOT));
        StateBackend backend = StateBackend.parse(args[1]);
        Path input = Path.of(args[2]);
        long maxSeconds = args.length > 3 ? Long.parseLong(args[3]) : 0;

        CandidateFile.Contents contents = CandidateFile.read(input);
        DetectionRule rule = RuleLoader.loadDefault();
        Path checkpoints = Files.createTempDirectory("capwatch-bench-checkpoints");
        try {
            MatchTally.reset();
            var env = CorrelationPipeline.environment(backend, checkpoints);
            CorrelationPipeline.build(
                            env,
                            engine,
                            contents.rows(),
                            contents.outOfOrderMillis(),
                            rule,
                            maxSeconds)
                    .sinkTo(new MatchTally())
                    .name("Count matches");
            env.execute("correlation benchmark " + engine + " " + backend);
        } finally {
            deleteTree(checkpoints);
        }

        long events = CorrelationPipeline.rowsEmitted();
        double seconds = (MatchTally.endNanos() - CorrelationPipeline.firstRowNanos()) / 1e9;
        System.out.printf(
                Locale.ROOT,
                "engine=%s state=%s events=%d seconds=%.3f events_per_s=%.0f matches=%d"
                        + " digest=%016x capped=%b%n",
                engine.name().toLowerCase(Locale.ROOT),
                backend.name().toLowerCase(Locale.ROOT),
                events,
                seconds,
                events / seconds,
                MatchTally.count(),
                MatchTally.digest(),
                events < contents.rows().size());
    }

    private static void deleteTree(Path root) throws java.io.IOException {
        try (var paths = Files.walk(root)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
