package io.capwatch.bench.esper;

import com.espertech.esper.common.client.EPCompiled;
import com.espertech.esper.common.client.EventBean;
import com.espertech.esper.common.client.configuration.Configuration;
import com.espertech.esper.compiler.client.CompilerArguments;
import com.espertech.esper.compiler.client.EPCompileException;
import com.espertech.esper.compiler.client.EPCompilerProvider;
import com.espertech.esper.runtime.client.EPDeployException;
import com.espertech.esper.runtime.client.EPDeployment;
import com.espertech.esper.runtime.client.EPEventService;
import com.espertech.esper.runtime.client.EPRuntime;
import com.espertech.esper.runtime.client.EPRuntimeProvider;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.Consumer;

/**
 * The correlation's sequence as one Esper EPL pattern on external time: each candidate's event
 * time drives the runtime clock, so {@code timer:within} measures event time.
 *
 * <p>Semantics, as in the job: per key, an untrusted start followed by the first connection 0
 * to 1 hour later (both ends inclusive) whose process GUID agrees where both carry one; a newer
 * start of the key ends the pending one ({@code and not StartEvent}); a start completes at most
 * once, because {@code b=ConnectionEvent} without {@code every} stops after its first event.
 * Esper needs its input in time order, so the feeder sorts the arrival stream as a Flink
 * watermark would: it holds candidates in a priority queue until the newest event time is more
 * than the out-of-order bound past theirs, then sends them by event time, then {@code
 * event.sequence} where both carry one, else starts first, then arrival.
 */
public final class EsperCorrelation {
    /**
     * The window of the rule that the job ships (PT1H). The EPL waits one millisecond longer,
     * because the runtime fires a timer before the events of its millisecond. A connection
     * exactly one hour after its start then still matches.
     */
    static final long WINDOW_MILLIS = 3_600_000L;

    static final String EPL =
            "@name('sequence') select a.key as key, a.timestamp as startMillis,"
                    + " b.timestamp as connectionMillis from pattern ["
                    + " every a=StartEvent -> ("
                    + "   (b=ConnectionEvent(key = a.key,"
                    + "        EsperCorrelation.sameProcess(entityId, a.entityId))"
                    + "     and not StartEvent(key = a.key))"
                    + "   where timer:within(" + (WINDOW_MILLIS + 1) + " milliseconds))"
                    + "]";

    /** A completed sequence: the key and the two event times. */
    public record Match(String key, long startMillis, long connectionMillis) {}

    private static final Comparator<CandidateEvents.Row> ORDER =
            Comparator.comparingLong(CandidateEvents.Row::timestamp)
                    .thenComparing(EsperCorrelation::compareTies)
                    .thenComparingInt(CandidateEvents.Row::arrival);

    private final EPRuntime runtime;
    private final EPEventService events;
    private long clock = Long.MIN_VALUE;

    private EsperCorrelation(String runtimeName, long firstMillis, Consumer<Match> matches)
            throws EPCompileException, EPDeployException {
        Configuration configuration = new Configuration();
        configuration.getCommon().addEventType(StartEvent.class);
        configuration.getCommon().addEventType(ConnectionEvent.class);
        configuration.getCommon().addImport(EsperCorrelation.class);
        configuration.getRuntime().getThreading().setInternalTimerEnabled(false);
        EPCompiled compiled =
                EPCompilerProvider.getCompiler().compile(EPL, new CompilerArguments(configuration));
        runtime = EPRuntimeProvider.getRuntime(runtimeName, configuration);
        runtime.initialize();
        events = runtime.getEventService();
        advanceTo(firstMillis);
        EPDeployment deployment = runtime.getDeploymentService().deploy(compiled);
        deployment.getStatements()[0].addListener(
                (newEvents, oldEvents, statement, rt) -> {
                    for (EventBean event : newEvents) {
                        matches.accept(
                                new Match(
                                        (String) event.get("key"),
                                        (Long) event.get("startMillis"),
                                        (Long) event.get("connectionMillis")));
                    }
                });
    }

    /** Returns whether the GUIDs agree where both events carry one, as the job requires. */
    public static boolean sameProcess(String a, String b) {
        return a == null || b == null || a.equalsIgnoreCase(b);
    }

    /**
     * Runs the pattern over candidates in arrival order and hands each match to {@code
     * matches}.
     *
     * @throws IllegalArgumentException if a candidate arrives more than {@code
     *     outOfOrderMillis} behind the newest event time before it, so behind the watermark
     *
     * @return the nanoseconds spent feeding candidates, without compiling and deploying the EPL
     */
    static long run(
            List<CandidateEvents.Row> arrivals, long outOfOrderMillis, Consumer<Match> matches)
            throws EPCompileException, EPDeployException {
        if (arrivals.isEmpty()) {
            return 0;
        }
        EsperCorrelation correlation =
                new EsperCorrelation(
                        "capwatch-bench-" + System.nanoTime(), arrivals.get(0).timestamp(), matches);
        long begin = System.nanoTime();
        try {
            PriorityQueue<CandidateEvents.Row> waiting = new PriorityQueue<>(ORDER);
            long newest = Long.MIN_VALUE;
            for (CandidateEvents.Row row : arrivals) {
                long watermark = newest - outOfOrderMillis - 1;
                if (newest != Long.MIN_VALUE && row.timestamp() <= watermark) {
                    throw new IllegalArgumentException(
                            "candidate " + row.arrival() + " at " + row.timestamp()
                                    + " is behind the watermark " + watermark
                                    + "; generate the file with a larger out-of-order bound");
                }
                newest = Math.max(newest, row.timestamp());
                waiting.add(row);
                watermark = newest - outOfOrderMillis - 1;
                while (!waiting.isEmpty() && waiting.peek().timestamp() <= watermark) {
                    correlation.send(waiting.poll());
                }
            }
            while (!waiting.isEmpty()) {
                correlation.send(waiting.poll());
            }
            return System.nanoTime() - begin;
        } finally {
            correlation.runtime.destroy();
        }
    }

    /** Runs the pattern over a candidate file and returns its matches in the order found. */
    public static List<Match> matches(Path candidateFile)
            throws IOException, EPCompileException, EPDeployException {
        CandidateEvents.Contents contents = CandidateEvents.read(candidateFile);
        List<Match> found = new ArrayList<>();
        run(contents.rows(), contents.outOfOrderMillis(), found::add);
        return found;
    }

    private void send(CandidateEvents.Row row) {
        advanceTo(row.timestamp());
        if (row.start()) {
            events.sendEventBean(
                    new StartEvent(row.key(), row.timestamp(), row.entityId()), "StartEvent");
        } else {
            events.sendEventBean(
                    new ConnectionEvent(row.key(), row.timestamp(), row.entityId()),
                    "ConnectionEvent");
        }
    }

    private void advanceTo(long millis) {
        if (millis > clock) {
            events.advanceTime(millis);
            clock = millis;
        }
    }

    private static int compareTies(CandidateEvents.Row a, CandidateEvents.Row b) {
        if (a.sequence() != null && b.sequence() != null) {
            return Long.compare(a.sequence(), b.sequence());
        }
        return Boolean.compare(!a.start(), !b.start());
    }
}
