package io.capwatch.ingest;

import io.capwatch.event.DeadLetterReason;
import io.capwatch.event.EventParser;
import io.capwatch.event.EventSource;
import io.capwatch.event.ParseResult;
import io.capwatch.event.ParserLimits;
import io.capwatch.metrics.CounterNames;
import io.capwatch.metrics.Tally;
import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Parses raw records. Events go on; records the rule never reads are counted per source and
 * dropped; everything else goes to the dead-letter output with its reason. Every record read
 * lands in exactly one of these, and the counters add up to {@code recordsRead}.
 */
public final class ParseFunction extends ProcessFunction<RawRecord, ParsedEvent> {
    private static final long serialVersionUID = 1L;

    /** The dead-letter side output. */
    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("dead-letters", org.apache.flink.api.common.typeinfo.TypeInformation.of(
                    DeadLetter.class));

    private final ParserLimits limits;

    private transient EventParser parser;
    private transient Tally recordsRead;
    private transient Map<EventSource, Tally> events;
    private transient Map<EventSource, Tally> ignored;
    private transient Map<DeadLetterReason, Tally> deadLettered;

    public ParseFunction(ParserLimits limits) {
        this.limits = limits;
    }

    @Override
    public void open(OpenContext openContext) {
        parser = new EventParser(limits);
        recordsRead = Tally.register(getRuntimeContext(), CounterNames.RECORDS_READ);
        events = new EnumMap<>(EventSource.class);
        ignored = new EnumMap<>(EventSource.class);
        for (EventSource source : EventSource.values()) {
            String name = source.name().toLowerCase(java.util.Locale.ROOT);
            events.put(
                    source, Tally.register(getRuntimeContext(), CounterNames.EVENTS_PREFIX + name));
            ignored.put(
                    source,
                    Tally.register(getRuntimeContext(), CounterNames.IGNORED_PREFIX + name));
        }
        deadLettered = new EnumMap<>(DeadLetterReason.class);
        for (DeadLetterReason reason : DeadLetterReason.values()) {
            if (reason == DeadLetterReason.LATE_EVENT) {
                continue; // counted by the late check, under its own name
            }
            deadLettered.put(
                    reason,
                    Tally.register(
                            getRuntimeContext(), CounterNames.DEAD_LETTERED_PREFIX + reason.name()));
        }
    }

    @Override
    public void processElement(RawRecord record, Context ctx, Collector<ParsedEvent> out) {
        recordsRead.inc();
        ParseResult result = parser.parse(record.text);
        switch (result.outcome()) {
            case EVENT -> {
                events.get(result.source()).inc();
                out.collect(new ParsedEvent(result.event(), record.origin, record.text));
            }
            case IGNORED -> ignored.get(result.source()).inc();
            case DEAD_LETTER -> {
                DeadLetterReason reason = result.reason();
                Tally tally = deadLettered.get(reason);
                if (tally == null) {
                    tally = deadLettered.get(DeadLetterReason.INVALID_FIELD);
                }
                tally.inc();
                String source = result.source() == null ? null : result.source().name();
                ctx.output(
                        DEAD_LETTERS,
                        new DeadLetter(reason, result.detail(), record.origin, source, record.text));
            }
        }
    }
}
