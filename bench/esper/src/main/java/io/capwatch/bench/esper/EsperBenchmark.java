package io.capwatch.bench.esper;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Runs the Esper correlation once over a candidate file and prints one result line in the
 * format of the Flink benchmark: engine, state, events, seconds, events_per_s, matches, digest,
 * capped. Time runs from the first candidate sent to the last one handled, so reading the
 * file and compiling the EPL are left out.
 *
 * <p>Usage: {@code EsperBenchmark CANDIDATE_FILE}.
 */
public final class EsperBenchmark {
    private EsperBenchmark() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: EsperBenchmark CANDIDATE_FILE");
            System.exit(2);
        }
        CandidateEvents.Contents contents = CandidateEvents.read(Path.of(args[0]));
        long[] tally = new long[2];
        long nanos =
                EsperCorrelation.run(
                contents.rows(),
                contents.outOfOrderMillis(),
                match -> {
                    tally[0]++;
                    tally[1] += hash(match.key(), match.startMillis(), match.connectionMillis());
                });
        double seconds = nanos / 1e9;
        System.out.printf(
                Locale.ROOT,
                "engine=esper state=heap events=%d seconds=%.3f events_per_s=%.0f matches=%d"
                        + " digest=%016x capped=false%n",
                contents.linesRead(),
                seconds,
                contents.linesRead() / seconds,
                tally[0],
                tally[1]);
    }

    /**
     * Hashes a match as {@code io.capwatch.bench.correlation.MatchTally#hash} does. The copy
     * keeps Flink and the job off this module's class path. Change both or neither, or the
     * digests of the engines stop agreeing.
     */
    static long hash(String key, long startMillis, long connectionMillis) {
        long h = (key.hashCode() * 0x9E3779B97F4A7C15L + startMillis) * 0xC2B2AE3D27D4EB4FL;
        h = ((h + connectionMillis) ^ (h >>> 31)) * 0xFF51AFD7ED558CCDL;
        return h ^ (h >>> 33);
    }
}
