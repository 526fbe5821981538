package io.capwatch.job;

import java.time.Duration;
import java.util.function.LongSupplier;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * Event-time watermarks for telemetry: bounded out-of-orderness, optionally a watermark after
 * every record instead of Flink's periodic one, and two rules for silent inputs.
 *
 * <ul>
 *   <li>After {@code idleness} without records an input (a Kafka partition, a file split) is
 *       marked idle, so the others carry event time on without it.
 *   <li>After {@code idleAdvance} without records its event time moves on with the wall clock.
 *       When every input is silent, nothing else would move event time, and the last pending
 *       start would neither alert nor expire. With this rule a match whose connection has arrived
 *       is emitted after {@code idleAdvance} plus the out-of-orderness bound, and a start without
 *       one expires an hour after that.
 * </ul>
 *
 * <p>NOTE: the advance assumes telemetry arrives close to real time. A streaming job replaying
 * history faster than real time should switch it off, or run as a backfill in batch mode.
 */
final class EventTimeWatermarks {
    private EventTimeWatermarks() {}

    /** A serializable way to read a record's event time, in epoch milliseconds. */
    interface EventTime<T> extends java.io.Serializable {
        long of(T record);
    }

    static <T> WatermarkStrategy<T> strategy(
            EventTime<T> eventTime,
            Duration outOfOrderness,
            Duration idleness,
            Duration idleAdvance,
            boolean perRecord) {
        return WatermarkStrategy.<T>forGenerator(
                        context ->
                                new Bounded<>(
                                        outOfOrderness.toMillis(),
                                        perRecord,
                                        idleness.toMillis(),
                                        idleAdvance.toMillis(),
                                        System::currentTimeMillis))
                .withTimestampAssigner((record, previous) -> eventTime.of(record));
    }

    /**
     * Emits {@code max timestamp - bound - 1}, Flink's convention for bounded out-of-orderness:
     * an event exactly {@code bound} behind the newest one is still on time. Records with the
     * timestamp {@code Long.MIN_VALUE} (dead letters) do not count as events.
     */
    static final class Bounded<T> implements WatermarkGenerator<T> {
        private final long bound;
        private final boolean perRecord;
        private final long idleMillis;
        private final long advanceMillis;
        private final LongSupplier clock;

        private long maxTimestamp;
        private long lastEmitted = Long.MIN_VALUE;
        private long lastEventAt = -1;

        Bounded(long bound, boolean perRecord, long idleMillis, long advanceMillis, LongSupplier clock) {
            this.bound = bound;
            this.perRecord = perRecord;
            this.idleMillis = idleMillis;
            this.advanceMillis = advanceMillis;
            this.clock = clock;
            // Start low enough that the first watermark cannot underflow.
            this.maxTimestamp = Long.MIN_VALUE + bound + 1;
        }

        @Override
        public void onEvent(T event, long timestamp, WatermarkOutput output) {
            if (timestamp == Long.MIN_VALUE) {
                return;
            }
            maxTimestamp = Math.max(maxTimestamp, timestamp);
            lastEventAt = clock.getAsLong();
            if (perRecord) {
                emit(output, maxTimestamp);
            }
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
            long silentFor = lastEventAt < 0 ? 0 : clock.getAsLong() - lastEventAt;
            if (advanceMillis > 0 && silentFor >= advanceMillis) {
                emit(output, maxTimestamp + (silentFor - advanceMillis));
            } else if (idleMillis > 0 && (lastEventAt < 0 || silentFor >= idleMillis)) {
                output.markIdle();
            } else {
                emit(output, maxTimestamp);
            }
        }

        private void emit(WatermarkOutput output, long newest) {
            long watermark = newest - bound - 1;
            if (watermark > lastEmitted) {
                lastEmitted = watermark;
                output.emitWatermark(new Watermark(watermark));
            } else {
                output.markActive();
            }
        }
    }
}
