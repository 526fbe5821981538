package io.capwatch.job;

import io.capwatch.ingest.ParsedEvent;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * Event-time watermarks for telemetry: bounded out-of-orderness, an idleness timeout so a silent
 * input does not stall detection, and optionally a watermark after every record instead of
 * Flink's periodic one.
 */
final class EventTimeWatermarks {
    private EventTimeWatermarks() {}

    static WatermarkStrategy<ParsedEvent> strategy(
            Duration outOfOrderness, Duration idleness, boolean perRecord) {
        WatermarkStrategy<ParsedEvent> strategy =
                WatermarkStrategy.<ParsedEvent>forGenerator(
                                context -> new Bounded(outOfOrderness.toMillis(), perRecord))
                        .withTimestampAssigner((parsed, previous) -> parsed.event.timestamp);
        return idleness.isZero() ? strategy : strategy.withIdleness(idleness);
    }

    /**
     * Emits {@code max timestamp - bound - 1}, Flink's convention for bounded out-of-orderness:
     * an event exactly {@code bound} behind the newest one is still on time.
     */
    static final class Bounded implements WatermarkGenerator<ParsedEvent> {
        private final long bound;
        private final boolean perRecord;
        private long maxTimestamp;
        private long lastEmitted = Long.MIN_VALUE;

        Bounded(long bound, boolean perRecord) {
            this.bound = bound;
            this.perRecord = perRecord;
            // Start low enough that the first watermark cannot underflow.
            this.maxTimestamp = Long.MIN_VALUE + bound + 1;
        }

        @Override
        public void onEvent(ParsedEvent event, long timestamp, WatermarkOutput output) {
            maxTimestamp = Math.max(maxTimestamp, timestamp);
            if (perRecord) {
                emit(output);
            }
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
            emit(output);
        }

        private void emit(WatermarkOutput output) {
            long watermark = maxTimestamp - bound - 1;
            if (watermark > lastEmitted) {
                lastEmitted = watermark;
                output.emitWatermark(new Watermark(watermark));
            }
        }
    }
}
