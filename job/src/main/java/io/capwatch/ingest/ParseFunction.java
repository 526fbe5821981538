package io.capwatch.ingest;

import io.capwatch.event.DeadLetterReason;
import io.capwatch.event.EventParser;
import io.capwatch.event.ParseResult;
import io.capwatch.event.ParserLimits;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Parses raw records and routes them (see {@link ParseRouter}): events on, ignored records
 * counted, everything else to the dead-letter output with its reason.
 */
public final class ParseFunction extends ProcessFunction<RawRecord, ParsedEvent> {
    private static final long serialVersionUID = 1L;

    /** The dead-letter side output, shared by every operator that dead-letters records. */
    public static final OutputTag<DeadLetter> DEAD_LETTERS = ParseRouter.DEAD_LETTERS;

    private final ParserLimits limits;

    private transient EventParser parser;
    private transient ParseRouter router;

    public ParseFunction(ParserLimits limits) {
        this.limits = limits;
    }

    @Override
    public void open(OpenContext openContext) {
        parser = new EventParser(limits);
        router = new ParseRouter(getRuntimeContext());
    }

    @Override
    public void processElement(RawRecord record, Context ctx, Collector<ParsedEvent> out) {
        ParseResult result =
                record.readError != null
                        ? ParseResult.deadLetter(
                                null, DeadLetterReason.UNREADABLE_INPUT, record.readError)
                        : parser.parse(record.text);
        router.route(record.origin, record.text, result, ctx, out);
    }

    /** Routes records that a source has parsed already (see {@link ParsedRecord}). */
    public static final class Preparsed extends ProcessFunction<ParsedRecord, ParsedEvent> {
        private static final long serialVersionUID = 1L;

        private transient ParseRouter router;

        @Override
        public void open(OpenContext openContext) {
            router = new ParseRouter(getRuntimeContext());
        }

        @Override
        public void processElement(ParsedRecord record, Context ctx, Collector<ParsedEvent> out) {
            router.route(record.origin, record.raw, record.result, ctx, out);
        }
    }
}
