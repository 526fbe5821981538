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
 * The keyed gate in front of the sequence matcher: it completes Sysmon starts with their image
 * signature and lets through only the connections that a qualifying start of the same key could
 * complete. CEP buffers every event it receives in keyed state until the watermark passes it, which
 * with RocksDB costs several state reads and writes per event. Behind this gate it receives the
 * qualifying starts and the few connections in their windows instead of every external
 * connection of every process in a user-writable folder.
 *
 * <p><b>Signatures.</b> Sysmon's process-creation event (1) carries no signature; the image-load
 * event (7) of the process's own image does, a few hundred milliseconds later. A start whose
 * signature is unknown is held until that image load arrives or until the watermark reaches the
 * start's time, whichever comes first. Unsigned or untrusted: the start goes on. Trusted:
 * dropped. Still unknown at the watermark: counted, and sent on as untrusted only where the
 * start's rule profile treats unknown as untrusted. Starts that already carry their signature go
 * straight on. A start completed by its image load is emitted with the image load's timestamp,
 * because a process function emits with the timestamp of the element it handles; the window is
 * still measured from the start's own time, which the start carries. A load that arrives before
 * its start (out of order) is kept until the watermark passes it.
 *
 * <p><b>Connections.</b> A connection goes on at once when the key's open span, from its earliest
 * qualifying start sent on to the end of its latest start's window, covers the connection's
 * time. Otherwise a start that covers it may still arrive out of order, so the connection is held
 * in keyed state under its own timestamp until the watermark reaches that timestamp; then every
 * start at or before it has arrived (later ones are late and dropped before the gate), and the
 * connection goes on if the span covers it now, or is dropped and counted. It is emitted from a
 * timer for its own timestamp, ahead of the watermark that passes it, so the matcher never sees
 * it late. The span is a superset of the exact windows: the matcher still decides every match.
 * Connections of one key that share a millisecond reach the matcher in their arrival order, as
 * they would without the gate: once one is held, later ones at or before its time are held too.
 */
final class CandidateGate extends KeyedProcessFunction<String, Candidate, Candidate> {
    private static final long serialVersionUID = 1L;

    private final DetectionRule rule;
    private final long windowMillis;

    private transient ValueState<Candidate> heldStart;
    private transient ValueState<Candidate> earlySignature;
    private transient ValueState<GateState> gate;
    private transient MapState<Long, List<Candidate>> heldConnections;
    private transient TimerService timers;
    private transient long openWindows;
    private transient Tally startsUnknown;
    private transient Tally startsTrusted;
    private transient Tally unknownAsUntrusted;
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
        gate = getRuntimeContext().getState(new ValueStateDescriptor<>("gate", GateState.class));
        heldConnections =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "held-connections",
                                        Types.LONG,
                                        Types.LIST(TypeInformation.of(Candidate.class))));
        // NOTE: the count lives on the heap of each subtask, so after a restore it counts only the
        // starts seen since, until the restored windows have closed.
        getRuntimeContext()
                .getMetricGroup()
                .gauge(CounterNames.PENDING_STARTS, (Gauge<Long>) () -> Math.max(0, openWindows));
        startsUnknown = Tally.register(getRuntimeContext(), CounterNames.STARTS_UNKNOWN_SIGNATURE);
        startsTrusted = Tally.register(getRuntimeContext(), CounterNames.STARTS_TRUSTED);
        unknownAsUntrusted =
                Tally.register(getRuntimeContext(), CounterNames.STARTS_UNKNOWN_AS_UNTRUSTED);
        connectionsWithoutStart =
                Tally.register(getRuntimeContext(), CounterNames.CONNECTIONS_WITHOUT_START);
    }

    @Override
    public void processElement(Candidate candidate, Context ctx, Collector<Candidate> out)
            throws Exception {
        timers = ctx.timerService();
        switch (candidate.kind) {
            case CONNECTION -> onConnection(candidate, out);
            case START -> onStart(candidate, out);
            case SIGNATURE -> onSignature(candidate, out);
        }
    }

    private void onConnection(Candidate connection, Collector<Candidate> out) throws Exception {
        long time = connection.timestamp();
        GateState state = gate.value();
        if (state != null && state.covers(time) && !state.mayHoldAt(time)) {
            out.collect(connection);
            return;
        }
        List<Candidate> held = heldConnections.get(time);
        if (held == null) {
            held = new ArrayList<>(1);
            timers.registerEventTimeTimer(time);
        }
        held.add(connection);
        heldConnections.put(time, held);
        if (state == null) {
            state = new GateState();
        }
        if (state.latestHeld < time) {
            state.latestHeld = time;
            gate.update(state);
        }
    }

    private void onStart(Candidate start, Collector<Candidate> out) throws Exception {
        if (start.trust != Trust.UNKNOWN) {
            emitStart(start, out);
            return;
        }
        Candidate previous = heldStart.value();
        if (previous != null) {
            // A newer start of the same key replaces the pending one in the sequence anyway.
            resolveUnknown(previous, out);
            timers.deleteEventTimeTimer(previous.timestamp());
        }
        Candidate early = earlySignature.value();
        if (early != null && sameProcess(start, early)) {
            earlySignature.clear();
            complete(start, early, out);
            return;
        }
        heldStart.update(start);
        timers.registerEventTimeTimer(start.timestamp());
    }

    private void onSignature(Candidate signature, Collector<Candidate> out) throws Exception {
        Candidate start = heldStart.value();
        if (start != null && sameProcess(start, signature)) {
            heldStart.clear();
            timers.deleteEventTimeTimer(start.timestamp());
            complete(start, signature, out);
            return;
        }
        if (start == null) {
            earlySignature.update(signature);
            timers.registerEventTimeTimer(signature.timestamp());
        }
    }

    private void complete(Candidate start, Candidate signature, Collector<Candidate> out)
            throws Exception {
        start.trust = signature.trust;
        start.signatureOrigin = "image_load";
        start.event.signatureExists = signature.event.signatureExists;
        start.event.signatureTrusted = signature.event.signatureTrusted;
        start.event.signatureSubject = signature.event.signatureSubject;
        start.event.signatureStatus = signature.event.signatureStatus;
        switch (signature.trust) {
            case UNTRUSTED -> emitStart(start, out);
            case UNKNOWN -> resolveUnknown(start, out);
            case TRUSTED, NOT_UNTRUSTED -> startsTrusted.inc();
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Candidate> out)
            throws Exception {
        timers = ctx.timerService();
        // A start resolved here may cover connections held for this same millisecond, so starts
        // go first.
        Candidate start = heldStart.value();
        if (start != null && start.timestamp() <= timestamp) {
            heldStart.clear();
            resolveUnknown(start, out);
        }
        Candidate early = earlySignature.value();
        if (early != null && early.timestamp() <= timestamp) {
            earlySignature.clear();
        }
        GateState state = gate.value();
        if (state == null) {
            return;
        }
        List<Candidate> held = heldConnections.get(timestamp);
        if (held != null) {
            heldConnections.remove(timestamp);
            for (Candidate connection : held) {
                if (state.covers(timestamp)) {
                    out.collect(connection);
                } else {
                    connectionsWithoutStart.inc();
                }
            }
        }
        boolean changed = false;
        if (state.latestHeld != GateState.NONE && state.latestHeld <= timestamp) {
            state.latestHeld = GateState.NONE;
            changed = true;
        }
        if (state.hasWindow() && state.windowEnd <= timestamp) {
            state.windowEnd = GateState.NONE;
            state.firstStart = GateState.NONE;
            openWindows--;
            changed = true;
        }
        if (state.isEmpty()) {
            gate.clear();
        } else if (changed) {
            gate.update(state);
        }
    }

    /**
     * Sends a qualifying start to the sequence matcher, widens the key's open span and keeps the
     * {@code pendingStarts} gauge: keys whose latest qualifying start's window is still open,
     * matched or not.
     */
    private void emitStart(Candidate start, Collector<Candidate> out) throws Exception {
        out.collect(start);
        long end = start.timestamp() + windowMillis + 1;
        GateState state = gate.value();
        if (state == null) {
            state = new GateState();
        }
        if (!state.hasWindow()) {
            openWindows++;
            state.firstStart = start.timestamp();
            state.windowEnd = end;
            timers.registerEventTimeTimer(end);
        } else {
            state.firstStart = Math.min(state.firstStart, start.timestamp());
            if (state.windowEnd < end) {
                state.windowEnd = end;
                timers.registerEventTimeTimer(end);
            }
        }
        gate.update(state);
    }

    private void resolveUnknown(Candidate start, Collector<Candidate> out) throws Exception {
        startsUnknown.inc();
        RuleProfile profile = rule.profile(start.platform);
        if (profile != null && profile.unknownSignatureIsUntrusted()) {
            unknownAsUntrusted.inc();
            start.trust = Trust.UNTRUSTED;
            emitStart(start, out);
        }
    }

    /** Process GUIDs must agree where both events carry one (pid reuse gives a new GUID). */
    static boolean sameProcess(Candidate a, Candidate b) {
        String ea = a.event.entityId;
        String eb = b.event.entityId;
        return ea == null || eb == null || ea.equalsIgnoreCase(eb);
    }
}
