package io.capwatch.correlation;

import io.capwatch.metrics.CounterNames;
import io.capwatch.metrics.Tally;
import io.capwatch.rule.DetectionRule;
import io.capwatch.rule.RuleProfile;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The keyed gate in front of the sequence matcher. It completes Sysmon starts with their image
 * signature, keeps each key's pending start, and hands CEP a start only together with the
 * connection that completes it, so CEP never keeps a partial match across events.
 *
 * <p>Why: CEP keeps every event it receives in keyed state until the watermark passes it, and a
 * partial match stays in its state until the key's next event, however long after its window.
 * With RocksDB each CEP event costs several iterator seeks, and keys that never return leave
 * state behind. Behind this gate, CEP's state for a key lives only from a pair's arrival to the
 * next watermark, and a pending start costs one value and one timer here.
 *
 * <p><b>Signatures.</b> Sysmon's process-creation event (1) carries no signature; the image-load
 * event (7) of the process's own image does, a few hundred milliseconds later. A start whose
 * signature is unknown is held until that image load arrives or until the watermark reaches the
 * start's time, whichever comes first. Unsigned or untrusted: the start goes on. Trusted:
 * dropped. Still unknown at the watermark: counted, and sent on as untrusted only where the
 * start's rule profile treats unknown as untrusted. Starts that already carry their signature go
 * straight on. A load that arrives before its start (out of order) is kept until the watermark
 * passes it.
 *
 * <p><b>The sequence.</b> Qualifying starts and connections wait in keyed state under their own
 * timestamp until the watermark reaches it, because until then an earlier start or connection of
 * the key may still arrive out of order. Each millisecond is then taken in {@link CandidateOrder}
 * (the order CEP applies), and arrival order among equals. A start becomes the key's pending
 * start and replaces an older one (the pattern's "not followed by a newer start"). A connection
 * of the same process at most one window after the pending start completes it: both go to CEP,
 * stamped with the connection's time, and the start is no longer pending, so later connections
 * do not match it again. Other connections are dropped and counted. A pending start expires when
 * the watermark passes the end of its window. CEP applies the pattern to each pair and so still
 * decides every match.
 */
final class CandidateGate extends KeyedProcessFunction<String, Candidate, Candidate> {
    private static final long serialVersionUID = 1L;

    private static final CandidateOrder ORDER = new CandidateOrder();

    private final DetectionRule rule;
    private final long windowMillis;

    private transient ValueState<Candidate> heldStart;
    private transient ValueState<Candidate> earlySignature;
    private transient ValueState<Candidate> pendingStart;
    private transient MapState<Long, List<Candidate>> waiting;
    private transient TimerService timers;
    /** Keys of this subtask with a pending start, for the {@code pendingStarts} gauge. */
    private transient long pendingKeys;
    private transient Tally startsUnknown;
    private transient Tally startsTrusted;
    private transient Tally unknownAsUntrusted;
    private transient Tally startsExpired;
    private transient Tally connectionsWithoutStart;

    CandidateGate(DetectionRule rule) {
        this.rule = rule;
        this.windowMillis = rule.window().toMillis();
    }

    @Override
    public void open(OpenContext openContext) {
        heldStart =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("held-start", Candidate.class));
        earlySignature =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("early-signature", Candidate.class));
        pendingStart =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("pending-start", Candidate.class));
        waiting =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "waiting-for-watermark",
                                        Types.LONG,
                                        Types.LIST(TypeInformation.of(Candidate.class))));
        // NOTE: the count lives on the heap of each subtask, so after a restore it counts only the
        // starts seen since, until the restored windows have closed.
        getRuntimeContext()
                .getMetricGroup()
                .gauge(CounterNames.PENDING_STARTS, (Gauge<Long>) () -> Math.max(0, pendingKeys));
        startsUnknown = Tally.register(getRuntimeContext(), CounterNames.STARTS_UNKNOWN_SIGNATURE);
        startsTrusted = Tally.register(getRuntimeContext(), CounterNames.STARTS_TRUSTED);
        unknownAsUntrusted =
                Tally.register(getRuntimeContext(), CounterNames.STARTS_UNKNOWN_AS_UNTRUSTED);
        startsExpired = Tally.register(getRuntimeContext(), CounterNames.STARTS_EXPIRED);
        connectionsWithoutStart =
                Tally.register(getRuntimeContext(), CounterNames.CONNECTIONS_WITHOUT_START);
    }

    @Override
    public void processElement(Candidate candidate, Context ctx, Collector<Candidate> out)
            throws Exception {
        timers = ctx.timerService();
        switch (candidate.kind) {
            case CONNECTION -> await(candidate);
            case START -> onStart(candidate);
            case SIGNATURE -> onSignature(candidate);
        }
    }

    /** Keeps a qualifying start or a connection until the watermark reaches its time. */
    private void await(Candidate candidate) throws Exception {
        long time = candidate.timestamp();
        List<Candidate> atTime = waiting.get(time);
        if (atTime == null) {
            atTime = new ArrayList<>(1);
            timers.registerEventTimeTimer(time);
        }
        atTime.add(candidate);
        waiting.put(time, atTime);
    }

    private void onStart(Candidate start) throws Exception {
        if (start.trust != Trust.UNKNOWN) {
            await(start);
            return;
        }
        Candidate previous = heldStart.value();
        if (previous != null) {
            // A newer start of the same key replaces the pending one in the sequence anyway.
            if (resolveUnknown(previous)) {
                await(previous);
            }
        }
        Candidate early = earlySignature.value();
        if (early != null && sameProcess(start, early)) {
            earlySignature.clear();
            heldStart.clear();
            complete(start, early);
            return;
        }
        heldStart.update(start);
        timers.registerEventTimeTimer(start.timestamp());
    }

    private void onSignature(Candidate signature) throws Exception {
        Candidate start = heldStart.value();
        if (start != null && sameProcess(start, signature)) {
            // NOTE: the start's timer stays. Events waiting in the same millisecond need it, and
            // it finds nothing else to do.
            heldStart.clear();
            complete(start, signature);
            return;
        }
        if (start == null) {
            earlySignature.update(signature);
            timers.registerEventTimeTimer(signature.timestamp());
        }
    }

    /**
     * Copies the image load's signature onto the start and keeps the start if it qualifies. The
     * watermark is still before the start's time (the start would have been resolved otherwise),
     * so the start waits under its own time.
     */
    private void complete(Candidate start, Candidate signature) throws Exception {
        start.trust = signature.trust;
        start.signatureOrigin = "image_load";
        start.event.signatureExists = signature.event.signatureExists;
        start.event.signatureTrusted = signature.event.signatureTrusted;
        start.event.signatureSubject = signature.event.signatureSubject;
        start.event.signatureStatus = signature.event.signatureStatus;
        switch (signature.trust) {
            case UNTRUSTED -> await(start);
            case UNKNOWN -> {
                if (resolveUnknown(start)) {
                    await(start);
                }
            }
            case TRUSTED, NOT_UNTRUSTED -> startsTrusted.inc();
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Candidate> out)
            throws Exception {
        timers = ctx.timerService();
        List<Candidate> due = waiting.get(timestamp);
        if (due != null) {
            waiting.remove(timestamp);
        } else {
            due = new ArrayList<>(1);
        }
        // A start whose signature never came is resolved at its own time, so it joins the events
        // of this millisecond.
        Candidate held = heldStart.value();
        if (held != null && held.timestamp() <= timestamp) {
            heldStart.clear();
            if (resolveUnknown(held)) {
                due.add(held);
            }
        }
        Candidate early = earlySignature.value();
        if (early != null && early.timestamp() <= timestamp) {
            earlySignature.clear();
        }

        Candidate pending = pendingStart.value();
        Candidate before = pending;
        if (!due.isEmpty()) {
            due.sort(ORDER);
            for (Candidate candidate : due) {
                if (candidate.kind == CandidateKind.START) {
                    pending = candidate;
                    timers.registerEventTimeTimer(windowEnd(candidate));
                } else if (pending != null && completes(pending, candidate)) {
                    out.collect(pending);
                    out.collect(candidate);
                    pending = null;
                } else {
                    connectionsWithoutStart.inc();
                }
            }
        }
        if (pending != null && windowEnd(pending) <= timestamp) {
            startsExpired.inc();
            pending = null;
        }

        if (pending != before) {
            if (pending == null) {
                pendingStart.clear();
                pendingKeys--;
            } else {
                pendingStart.update(pending);
                if (before == null) {
                    pendingKeys++;
                }
            }
        }
    }

    /** Returns the first instant after the start's (inclusive) window, in epoch ms. */
    private long windowEnd(Candidate start) {
        return start.timestamp() + windowMillis + 1;
    }

    /** Returns whether the connection, of the start's process and in its window, completes it. */
    private boolean completes(Candidate start, Candidate connection) {
        long elapsed = connection.timestamp() - start.timestamp();
        return elapsed >= 0 && elapsed <= windowMillis && sameProcess(start, connection);
    }

    /**
     * Counts a start whose signature stayed unknown and returns whether it qualifies anyway,
     * which it does where its rule profile treats unknown as untrusted.
     */
    private boolean resolveUnknown(Candidate start) {
        startsUnknown.inc();
        RuleProfile profile = rule.profile(start.platform);
        if (profile != null && profile.unknownSignatureIsUntrusted()) {
            unknownAsUntrusted.inc();
            start.trust = Trust.UNTRUSTED;
            return true;
        }
        return false;
    }

    /** Process GUIDs must agree where both events carry one (pid reuse gives a new GUID). */
    static boolean sameProcess(Candidate a, Candidate b) {
        String ea = a.event.entityId;
        String eb = b.event.entityId;
        return ea == null || eb == null || ea.equalsIgnoreCase(eb);
    }
}
