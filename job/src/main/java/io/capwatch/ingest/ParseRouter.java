package io.capwatch.ingest;

import io.capwatch.event.DeadLetterReason;
import io.capwatch.event.EventSource;
import io.capwatch.event.ParseResult;
import io.capwatch.metrics.CounterNames;
import io.capwatch.metrics.Tally;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Sends each parse result where it belongs and counts it: events on, records the rule never reads
 * counted per source and dropped, everything else to the dead-letter output with its reason.
 * Every record lands in exactly one of these, and the counters add up to {@code recordsRead}.
 */
final class ParseRouter {
    /** The dead-letter side output of the parsing operators. */
    static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>(
                    "dead-letters",
                    org.apache.flink.api.common.typeinfo.TypeInformation.of(DeadLetter.class));

    private final Tally recordsRead;
    private final Map<EventSource, Tally> events = new EnumMap<>(EventSource.class);
    private final Map<EventSource, Tally> ignored = new EnumMap<>(EventSource.class);
    private final Map<DeadLetterReason, Tally> deadLettered = new EnumMap<>(DeadLetterReason.class);

    ParseRouter(RuntimeContext context) {
        recordsRead = Tally.register(context, CounterNames.RECORDS_READ);
        for (EventSource source : EventSource.values()) {
            String name = source.name().toLowerCase(Locale.ROOT);
            events.put(source, Tally.register(context, CounterNames.EVENTS_PREFIX + name));
            ignored.put(source, Tally.register(context, CounterNames.IGNORED_PREFIX + name));
        }
        for (DeadLetterReason reason : DeadLetterReason.values()) {
            if (reason != DeadLetterReason.LATE_EVENT) {
                // Late events are counted by the late check, under their own name.
                deadLettered.put(
                        reason,
                        Tally.register(context, CounterNames.DEAD_LETTERED_PREFIX + reason.name()));
            }
        }
    }

    void route(
            String origin,
            String raw,
            ParseResult result,
            ProcessFunction<?, ParsedEvent>.Context ctx,
            Collector<ParsedEvent> out) {
        recordsRead.inc();
        switch (result.outcome()) {
            case EVENT -> {
                events.get(result.source()).inc();
                out.collect(new ParsedEvent(result.event(), origin, raw));
            }
            case IGNORED -> ignored.get(result.source()).inc();
            case DEAD_LETTER -> {
                DeadLetterReason reason = result.reason();
                deadLettered.getOrDefault(reason, deadLettered.get(DeadLetterReason.INVALID_FIELD))
                        .inc();
                String source = result.source() == null ? null : result.source().name();
                ctx.output(DEAD_LETTERS, new DeadLetter(reason, result.detail(), origin, source, raw));
            }
        }
    }
}
