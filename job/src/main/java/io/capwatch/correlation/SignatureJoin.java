package io.capwatch.correlation;

import io.capwatch.metrics.CounterNames;
import io.capwatch.metrics.Tally;
import io.capwatch.rule.DetectionRule;
import io.capwatch.rule.RuleProfile;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Completes Sysmon process starts with the signature of their own image. Sysmon's process-creation
 * event (1) carries no signature; the image-load event (7) of the process's own image does, a
 * few hundred milliseconds later.
 *
 * <p>A start whose signature is unknown is held until that image load arrives or until the
 * watermark reaches the start's time, whichever comes first. Unsigned or untrusted: the start goes
 * on to the sequence matcher. Trusted: dropped. Still unknown at the watermark: counted, and sent
 * on as untrusted only where the start's rule profile treats unknown as untrusted. Starts that
 * already carry their signature and connections pass straight through.
 *
 * <p>A start completed by its image load is emitted with the image load's timestamp, because a
 * process function emits with the timestamp of the element it handles. The window is still
 * measured from the start's own time, which the start carries. A load that arrives before its
 * start (out of order) is kept until the watermark passes it.
 */
final class SignatureJoin extends KeyedProcessFunction<String, Candidate, Candidate> {
    private static final long serialVersionUID = 1L;

    private final DetectionRule rule;

    private transient ValueState<Candidate> heldStart;
    private transient ValueState<Long> windowEnd;
    private transient TimerService timers;
    private transient long openWindows;
    private transient ValueState<Candidate> earlySignature;
    private transient Tally startsUnknown;
    private transient Tally startsTrusted;
    private transient Tally unknownAsUntrusted;

    SignatureJoin(DetectionRule rule) {
        this.rule = rule;
    }

    @Override
    public void open(OpenContext openContext) {
        heldStart =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("held-start", Candidate.class));
        earlySignature =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("early-signature", Candidate.class));
        windowEnd =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("pending-window-end", Long.class));
        // NOTE: the count lives on the heap of each subtask, so after a restore it counts only the
        // starts seen since, until the restored windows have closed.
        getRuntimeContext()
                .getMetricGroup()
                .gauge(CounterNames.PENDING_STARTS, (Gauge<Long>) () -> Math.max(0, openWindows));
        startsUnknown = Tally.register(getRuntimeContext(), CounterNames.STARTS_UNKNOWN_SIGNATURE);
        startsTrusted = Tally.register(getRuntimeContext(), CounterNames.STARTS_TRUSTED);
        unknownAsUntrusted =
                Tally.register(getRuntimeContext(), CounterNames.STARTS_UNKNOWN_AS_UNTRUSTED);
    }

    @Override
    public void processElement(Candidate candidate, Context ctx, Collector<Candidate> out)
            throws Exception {
        timers = ctx.timerService();
        switch (candidate.kind) {
            case CONNECTION -> out.collect(candidate);
            case START -> onStart(candidate, ctx, out);
            case SIGNATURE -> onSignature(candidate, ctx, out);
        }
    }

    private void onStart(Candidate start, Context ctx, Collector<Candidate> out) throws Exception {
        if (start.trust != Trust.UNKNOWN) {
            emitStart(start, out);
            return;
        }
        Candidate previous = heldStart.value();
        if (previous != null) {
            // A newer start of the same key replaces the pending one in the sequence anyway.
            resolveUnknown(previous, out);
            ctx.timerService().deleteEventTimeTimer(previous.timestamp());
        }
        Candidate early = earlySignature.value();
        if (early != null && sameProcess(start, early)) {
            earlySignature.clear();
            complete(start, early, out);
            return;
        }
        heldStart.update(start);
        ctx.timerService().registerEventTimeTimer(start.timestamp());
    }

    private void onSignature(Candidate signature, Context ctx, Collector<Candidate> out)
            throws Exception {
        Candidate start = heldStart.value();
        if (start != null && sameProcess(start, signature)) {
            heldStart.clear();
            ctx.timerService().deleteEventTimeTimer(start.timestamp());
            complete(start, signature, out);
            return;
        }
        if (start == null) {
            earlySignature.update(signature);
            ctx.timerService().registerEventTimeTimer(signature.timestamp());
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
        Long end = windowEnd.value();
        if (end != null && end <= timestamp) {
            windowEnd.clear();
            openWindows--;
        }
        Candidate start = heldStart.value();
        if (start != null && start.timestamp() <= timestamp) {
            heldStart.clear();
            resolveUnknown(start, out);
        }
        Candidate early = earlySignature.value();
        if (early != null && early.timestamp() <= timestamp) {
            earlySignature.clear();
        }
    }

    /**
     * Sends a qualifying start to the sequence matcher and keeps the {@code pendingStarts} gauge:
     * keys whose latest qualifying start's window is still open, matched or not.
     */
    private void emitStart(Candidate start, Collector<Candidate> out) throws Exception {
        out.collect(start);
        long end = start.timestamp() + rule.window().toMillis() + 1;
        Long current = windowEnd.value();
        if (current == null) {
            openWindows++;
        }
        if (current == null || current < end) {
            windowEnd.update(end);
            timers.registerEventTimeTimer(end);
        }
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
