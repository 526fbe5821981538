package io.capwatch.bench.correlation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.capwatch.bench.correlation.CorrelationPipeline.Engine;
import io.capwatch.bench.correlation.CorrelationPipeline.StateBackend;
import io.capwatch.bench.correlation.ReferenceCorrelation.Triple;
import io.capwatch.bench.esper.EsperCorrelation;
import io.capwatch.correlation.CandidateKind;
import io.capwatch.correlation.Match;
import io.capwatch.correlation.Trust;
import io.capwatch.rule.Platform;
import io.capwatch.rule.DetectionRule;
import io.capwatch.rule.RuleLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The three engines of the correlation benchmark, on one small generated file: each must find
 * the reference match set, as a multiset of (key, start time, connection time). No timing.
 */
class CorrelationAgreementTest {
    private static final DetectionRule RULE = RuleLoader.loadDefault();

    @TempDir static Path dir;

    private static Path file;
    private static CandidateFile.Contents contents;
    private static Map<Triple, Integer> expected;

    @BeforeAll
    static void generate() throws Exception {
        CandidateGenerator.Settings settings =
                CandidateGenerator.Settings.defaults().withSize(4_000, 300);
        List<CandidateRow> rows = new ArrayList<>(new CandidateGenerator(settings).generate());
        appendEdgeCases(rows);
        file = dir.resolve("candidates.tsv");
        CandidateFile.write(file, rows, settings.outOfOrderMillis());
        contents = CandidateFile.read(file);
        expected = multiset(ReferenceCorrelation.matches(contents.rows(), RULE.window().toMillis()));
    }

    @Test
    void referenceCoversEdgeCases() {
        long window = RULE.window().toMillis();
        assertTrue(expected.size() > 50, "reference matches: " + expected.size());
        assertTrue(outOfOrderRows() > 0, "rows that arrive out of event-time order");
        assertEquals(1, expected.get(new Triple(key("window-end"), EDGE, EDGE + window)));
        assertNull(expected.get(new Triple(key("past-window"), EDGE, EDGE + window + 1)));
        assertEquals(1, expected.get(new Triple(key("same-millisecond"), EDGE, EDGE)));
        assertEquals(1, expected.get(new Triple(key("newer-start"), EDGE + 1_000, EDGE + 2_000)));
        assertNull(expected.get(new Triple(key("newer-start"), EDGE, EDGE + 2_000)));
        assertNull(expected.get(new Triple(key("other-guid"), EDGE, EDGE + 1)));
        assertEquals(1, expected.get(new Triple(key("other-guid"), EDGE, EDGE + 2)));
    }

    @ParameterizedTest(name = "{0} on {1}")
    @CsvSource({"JOB, HEAP", "JOB, ROCKSDB", "KPF, HEAP", "KPF, ROCKSDB"})
    void flinkEngineAgrees(Engine engine, StateBackend backend) throws Exception {
        assertEquals(expected, flink(engine, backend));
    }

    @Test
    void esperPatternAgrees() throws Exception {
        List<Triple> found = new ArrayList<>();
        for (EsperCorrelation.Match match : EsperCorrelation.matches(file)) {
            found.add(new Triple(match.key(), match.startMillis(), match.connectionMillis()));
        }
        assertEquals(expected, multiset(found));
    }

    @Test
    void digestsAgreeForSameMatches() throws Exception {
        long reference = 0;
        for (Map.Entry<Triple, Integer> entry : expected.entrySet()) {
            Triple t = entry.getKey();
            reference += entry.getValue() * MatchTally.hash(t.key(), t.startMillis(), t.connectionMillis());
        }
        MatchTally.reset();
        StreamExecutionEnvironment env =
                CorrelationPipeline.environment(StateBackend.HEAP, dir.resolve("digest"));
        CorrelationPipeline.build(env, Engine.KPF, contents.rows(), contents.outOfOrderMillis(), RULE, 0)
                .sinkTo(new MatchTally());
        env.execute("digest");
        assertEquals(expected.values().stream().mapToLong(Integer::longValue).sum(), MatchTally.count());
        assertEquals(reference, MatchTally.digest());
    }

    /** First event time of the hand-written cases, after every generated one. */
    private static final long EDGE = CandidateGenerator.EPOCH_MILLIS + 30 * 3_600_000L;

    /**
     * Appends one key per edge case of the semantics, in arrival order. The connection of the
     * same-millisecond case arrives before its start.
     */
    private static void appendEdgeCases(List<CandidateRow> rows) {
        long window = RULE.window().toMillis();
        rows.add(start("window-end", EDGE, null));
        rows.add(start("past-window", EDGE, null));
        rows.add(connection("same-millisecond", EDGE, null));
        rows.add(start("same-millisecond", EDGE, null));
        rows.add(start("newer-start", EDGE, null));
        rows.add(start("other-guid", EDGE, "{guid-a}"));
        rows.add(connection("other-guid", EDGE + 1, "{GUID-B}"));
        rows.add(connection("other-guid", EDGE + 2, "{GUID-A}"));
        rows.add(start("newer-start", EDGE + 1_000, null));
        rows.add(connection("newer-start", EDGE + 2_000, null));
        rows.add(connection("window-end", EDGE + window, null));
        rows.add(connection("past-window", EDGE + window + 1, null));
    }

    private static String key(String host) {
        return io.capwatch.correlation.Candidate.key(host, "\\temp\\edge.exe", 4242);
    }

    private static CandidateRow start(String host, long millis, String entityId) {
        return new CandidateRow(
                CandidateKind.START, millis, key(host), Trust.UNTRUSTED, Platform.WINDOWS,
                entityId, null, null);
    }

    private static CandidateRow connection(String host, long millis, String entityId) {
        return new CandidateRow(
                CandidateKind.CONNECTION, millis, key(host), null, Platform.WINDOWS, entityId,
                null, "93.184.216.34");
    }

    private static Map<Triple, Integer> flink(Engine engine, StateBackend backend) throws Exception {
        StreamExecutionEnvironment env =
                CorrelationPipeline.environment(backend, dir.resolve(engine + "-" + backend));
        List<Triple> found = new ArrayList<>();
        CloseableIterator<Match> matches =
                CorrelationPipeline.build(
                                env, engine, contents.rows(), contents.outOfOrderMillis(), RULE, 0)
                        .executeAndCollect();
        try {
            while (matches.hasNext()) {
                Match match = matches.next();
                found.add(
                        new Triple(
                                match.start.key,
                                match.start.timestamp(),
                                match.connection.timestamp()));
            }
        } finally {
            matches.close();
        }
        return multiset(found);
    }

    private static Map<Triple, Integer> multiset(List<Triple> triples) {
        Map<Triple, Integer> counts = new HashMap<>();
        for (Triple triple : triples) {
            counts.merge(triple, 1, Integer::sum);
        }
        return counts;
    }

    private static long outOfOrderRows() {
        long newest = Long.MIN_VALUE;
        long behind = 0;
        for (CandidateRow row : contents.rows()) {
            if (row.timestamp() < newest) {
                behind++;
            }
            newest = Math.max(newest, row.timestamp());
        }
        return behind;
    }
}
