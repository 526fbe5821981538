package io.capwatch.correlation;

import io.capwatch.event.DeadLetterReason;
import io.capwatch.event.Direction;
import io.capwatch.event.EventSource;
import io.capwatch.event.SecurityEvent;
import io.capwatch.ingest.DeadLetter;
import io.capwatch.ingest.ParseFunction;
import io.capwatch.ingest.ParsedEvent;
import io.capwatch.metrics.CounterNames;
import io.capwatch.metrics.Tally;
import io.capwatch.rule.DetectionRule;
import io.capwatch.rule.IpAddress;
import io.capwatch.rule.Platform;
import io.capwatch.rule.RuleProfile;
import io.capwatch.rule.SignaturePolicy;
import io.capwatch.rule.WindowsPath;
import java.util.Locale;
import java.util.Optional;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The stateless front of the correlation: sends late events to the dead-letter output, applies
 * the stage filters that need no state, and turns what is left into small {@link Candidate}s.
 *
 * <p>Each event is judged by the rule profile of its platform (see {@link #platformOf}), which
 * also travels with the candidate to scoring. Everything that cannot take part in a match is
 * dropped here, counted, so the keyed operators downstream see only starts and connections of
 * executables in user-writable folders. A connection of an executable outside those folders can
 * never match, because its key differs from every qualifying start's.
 */
public final class CandidateSelector extends ProcessFunction<ParsedEvent, Candidate> {
    private static final long serialVersionUID = 1L;

    private final DetectionRule rule;

    private transient Tally late;
    private transient Tally withoutProfile;
    private transient Tally startsUserWritable;
    private transient Tally startsTrusted;
    private transient Tally startsUnknown;
    private transient Tally unknownAsUntrusted;
    private transient Tally connectionsUserWritable;
    private transient Tally connectionsInternal;
    private transient Tally connectionsInbound;
    private transient Tally connectionsExternal;

    public CandidateSelector(DetectionRule rule) {
        this.rule = rule;
    }

    @Override
    public void open(OpenContext openContext) {
        late = Tally.register(getRuntimeContext(), CounterNames.LATE_EVENTS);
        withoutProfile = Tally.register(getRuntimeContext(), CounterNames.EVENTS_WITHOUT_PROFILE);
        startsUserWritable = Tally.register(getRuntimeContext(), CounterNames.STARTS_USER_WRITABLE);
        startsTrusted = Tally.register(getRuntimeContext(), CounterNames.STARTS_TRUSTED);
        startsUnknown = Tally.register(getRuntimeContext(), CounterNames.STARTS_UNKNOWN_SIGNATURE);
        unknownAsUntrusted =
                Tally.register(getRuntimeContext(), CounterNames.STARTS_UNKNOWN_AS_UNTRUSTED);
        connectionsUserWritable =
                Tally.register(getRuntimeContext(), CounterNames.CONNECTIONS_USER_WRITABLE);
        connectionsInternal = Tally.register(getRuntimeContext(), CounterNames.CONNECTIONS_INTERNAL);
        connectionsInbound = Tally.register(getRuntimeContext(), CounterNames.CONNECTIONS_INBOUND);
        connectionsExternal = Tally.register(getRuntimeContext(), CounterNames.CONNECTIONS_EXTERNAL);
    }

    @Override
    public void processElement(ParsedEvent parsed, Context ctx, Collector<Candidate> out) {
        SecurityEvent event = parsed.event;
        // Flink's watermark contract: no element with a timestamp at or below it is still to
        // come, so such an element is late. In batch mode the watermark stays at Long.MIN_VALUE.
        if (event.timestamp <= ctx.timerService().currentWatermark()) {
            late.inc();
            ctx.output(
                    ParseFunction.DEAD_LETTERS,
                    new DeadLetter(
                            DeadLetterReason.LATE_EVENT,
                            "event time "
                                    + java.time.Instant.ofEpochMilli(event.timestamp)
                                    + " is at or before the watermark "
                                    + java.time.Instant.ofEpochMilli(
                                            ctx.timerService().currentWatermark()),
                            parsed.origin,
                            event.source.name(),
                            parsed.raw));
            return;
        }

        Platform platform = platformOf(event);
        RuleProfile profile = rule.profile(platform);
        if (profile == null) {
            withoutProfile.inc();
            return;
        }
        if (!profile.isUserWritable(event.executable)) {
            return;
        }
        switch (event.action) {
            case PROCESS_START -> selectStart(event, profile, out);
            case IMAGE_LOAD -> selectSignature(event, platform, out);
            case NETWORK_CONNECTION -> selectConnection(event, platform, out);
        }
    }

    private void selectStart(SecurityEvent event, RuleProfile profile, Collector<Candidate> out) {
        startsUserWritable.inc();
        if (profile.signaturePolicy() == SignaturePolicy.IGNORE) {
            // The path alone decides, so every start that got this far is a candidate.
            Candidate candidate =
                    new Candidate(
                            CandidateKind.START,
                            Trust.UNTRUSTED,
                            keyOf(event),
                            profile.platform(),
                            slim(event));
            candidate.signatureOrigin = "none";
            out.collect(candidate);
            return;
        }
        Trust trust = trustOf(event);
        if (trust == Trust.TRUSTED || trust == Trust.NOT_UNTRUSTED) {
            startsTrusted.inc();
            return;
        }
        Candidate candidate =
                new Candidate(
                        CandidateKind.START, trust, keyOf(event), profile.platform(), slim(event));
        if (trust == Trust.UNKNOWN && !isSysmon(event)) {
            // Only Sysmon sends the signature in a later event; for other sources unknown is final.
            startsUnknown.inc();
            if (!profile.unknownSignatureIsUntrusted()) {
                return;
            }
            unknownAsUntrusted.inc();
            candidate.trust = Trust.UNTRUSTED;
        }
        out.collect(candidate);
    }

    private void selectSignature(SecurityEvent event, Platform platform, Collector<Candidate> out) {
        // A DLL's signature is no evidence about the process image, so only its own image counts.
        if (event.loadedImage == null
                || !WindowsPath.normalize(event.loadedImage)
                        .equals(WindowsPath.normalize(event.executable))) {
            return;
        }
        Candidate signature =
                new Candidate(
                        CandidateKind.SIGNATURE, trustOf(event), keyOf(event), platform, slim(event));
        out.collect(signature);
    }

    private void selectConnection(
            SecurityEvent event, Platform platform, Collector<Candidate> out) {
        connectionsUserWritable.inc();
        if (event.direction == Direction.INBOUND) {
            connectionsInbound.inc();
            return;
        }
        Optional<IpAddress> destination = IpAddress.parse(event.destinationIp);
        if (destination.isEmpty() || rule.isInternal(destination.get())) {
            // The parser dead-letters invalid addresses, so an empty one here is defensive.
            connectionsInternal.inc();
            return;
        }
        connectionsExternal.inc();
        out.collect(
                new Candidate(CandidateKind.CONNECTION, null, keyOf(event), platform, slim(event)));
    }

    /** Reads the signature of a start (process image) or an image load (loaded image). */
    static Trust trustOf(SecurityEvent event) {
        if (Boolean.FALSE.equals(event.signatureExists)
                || Boolean.FALSE.equals(event.signatureTrusted)) {
            return Trust.UNTRUSTED;
        }
        if (Boolean.TRUE.equals(event.signatureTrusted)) {
            return Trust.TRUSTED;
        }
        if (event.signatureExists == null && event.signatureTrusted == null) {
            return Trust.UNKNOWN;
        }
        return Trust.NOT_UNTRUSTED;
    }

    /**
     * Selects the platform of an event's profile: {@code host.os.type}, else the platform of its
     * source, else the style of its executable path (see {@link Platform#select}).
     */
    static Platform platformOf(SecurityEvent event) {
        return Platform.select(event.hostOsType, event.source.platform(), event.executable);
    }

    static boolean isSysmon(SecurityEvent event) {
        return event.source == EventSource.SYSMON_ECS || event.source == EventSource.SYSMON_FLAT;
    }

    static String keyOf(SecurityEvent event) {
        return Candidate.key(
                event.hostKey().toLowerCase(Locale.ROOT),
                WindowsPath.correlationKey(event.executable),
                event.pid);
    }

    /** Drops the fields no alert carries, so pending starts stay small in state. */
    private static SecurityEvent slim(SecurityEvent event) {
        event.commandLine = null;
        return event;
    }
}
