package io.capwatch.prevalence;

import io.capwatch.event.EventAction;
import io.capwatch.event.SecurityEvent;
import io.capwatch.ingest.ParsedEvent;
import io.capwatch.ingest.RawRecord;
import java.io.Serializable;
import java.time.Duration;
import java.util.Locale;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.util.Collector;

/**
 * Derives fleet prevalence from the telemetry itself: how many distinct hosts started each binary
 * within a look-back, estimated with one HyperLogLog sketch per binary and time bucket (see {@link
 * PrevalenceEstimator}).
 *
 * <p>Every process start counts, not only the stage-1 candidates, because prevalence is about the
 * whole fleet. The records it emits have the shape of the prevalence files, so they feed the same
 * broadcast state that {@link PrevalenceEnricher} scores with, and can be published to a topic.
 */
public final class PrevalenceDerivation {
    private PrevalenceDerivation() {}

    /**
     * How prevalence is derived.
     *
     * @param lookBack how long a start counts; rounded up to whole buckets (see {@link
     *     PrevalenceEstimator})
     * @param bucket the time span one sketch covers, aligned to the epoch
     * @param lgK log2 of the registers per sketch, 4 to 21
     * @param exactUpTo a record is emitted for every change of the estimate up to this count, so
     *     each small count is seen (the rule's {@code common_min_hosts})
     * @param relativeChange above {@code exactUpTo}, a change of at least this fraction of the last
     *     emitted count is emitted at once, and a smaller change at most once per bucket
     */
    public record Settings(
            Duration lookBack, Duration bucket, int lgK, long exactUpTo, double relativeChange)
            implements Serializable {
        /** 30 days. */
        public static final Duration DEFAULT_LOOK_BACK = Duration.ofDays(30);
        /** One day. */
        public static final Duration DEFAULT_BUCKET = Duration.ofDays(1);
        /** 4,096 registers: a relative standard error of about 1.6 %. */
        public static final int DEFAULT_LG_K = 12;
        /** 10 %. */
        public static final double DEFAULT_RELATIVE_CHANGE = 0.1;

        public Settings {
            if (lookBack == null || lookBack.isNegative() || lookBack.isZero()) {
                throw new IllegalArgumentException(
                        "prevalence look-back " + lookBack + " is invalid; it must be positive");
            }
            if (bucket == null || bucket.isNegative() || bucket.isZero()) {
                throw new IllegalArgumentException(
                        "prevalence bucket " + bucket + " is invalid; it must be positive");
            }
            if (bucket.compareTo(lookBack) > 0) {
                throw new IllegalArgumentException(
                        "prevalence bucket "
                                + bucket
                                + " is longer than the look-back "
                                + lookBack
                                + "; use a bucket of at most the look-back");
            }
            if (lgK < 4 || lgK > 21) {
                throw new IllegalArgumentException(
                        "lgK " + lgK + " is invalid; DataSketches HLL accepts 4 to 21");
            }
            if (exactUpTo < 0) {
                throw new IllegalArgumentException(
                        "exactUpTo " + exactUpTo + " is invalid; it must be 0 or more");
            }
            if (!(relativeChange > 0 && relativeChange <= 1)) {
                throw new IllegalArgumentException(
                        "relativeChange " + relativeChange + " is invalid; expected (0, 1]");
            }
        }

        /** Returns the defaults, with every change up to {@code exactUpTo} hosts emitted. */
        public static Settings defaults(long exactUpTo) {
            return new Settings(
                    DEFAULT_LOOK_BACK,
                    DEFAULT_BUCKET,
                    DEFAULT_LG_K,
                    exactUpTo,
                    DEFAULT_RELATIVE_CHANGE);
        }

        public Settings withLookBack(Duration value) {
            return new Settings(value, bucket, lgK, exactUpTo, relativeChange);
        }

        public Settings withBucket(Duration value) {
            return new Settings(lookBack, value, lgK, exactUpTo, relativeChange);
        }
    }

    /**
     * Adds the derivation behind {@code events}, which must carry event time and watermarks, and
     * returns the prevalence records it emits. Its operators have the uids {@code
     * prevalence-starts} and {@code prevalence-derive} (keyed by binary, holding the sketches).
     */
    public static SingleOutputStreamOperator<PrevalenceRecord> apply(
            DataStream<ParsedEvent> events, Settings settings) {
        return events.flatMap(new StartsOnly())
                .uid("prevalence-starts")
                .name("Process starts for prevalence")
                .keyBy(start -> start.binary)
                .process(new PrevalenceEstimator(settings))
                .uid("prevalence-derive")
                .name("Derive fleet prevalence (HyperLogLog)");
    }

    /**
     * Turns derived records into raw records for the prevalence broadcast input, marked as {@link
     * PrevalenceSource#DERIVED}. The operator's uid is {@code prevalence-derived-records}.
     */
    public static SingleOutputStreamOperator<RawRecord> toRawRecords(
            DataStream<PrevalenceRecord> records) {
        return records.map(PrevalenceRecordJson::toDerivedRawRecord)
                .returns(RawRecord.class)
                .uid("prevalence-derived-records")
                .name("Derived prevalence as records");
    }

    /** Keeps process starts with a host and an executable, reduced to what is counted. */
    static final class StartsOnly implements FlatMapFunction<ParsedEvent, ProcessStart> {
        private static final long serialVersionUID = 1L;

        @Override
        public void flatMap(ParsedEvent parsed, Collector<ProcessStart> out) {
            SecurityEvent event = parsed.event;
            if (event.action != EventAction.PROCESS_START
                    || event.executable == null
                    || event.hostKey() == null) {
                return;
            }
            out.collect(
                    new ProcessStart(
                            PrevalenceKey.of(event.sha256, event.executable),
                            event.hostKey().toLowerCase(Locale.ROOT),
                            event.timestamp));
        }
    }
}
