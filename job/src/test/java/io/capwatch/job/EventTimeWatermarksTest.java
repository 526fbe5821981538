package io.capwatch.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.junit.jupiter.api.Test;

class EventTimeWatermarksTest {
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final RecordingOutput output = new RecordingOutput();

    private EventTimeWatermarks.Bounded<String> generator(long idle, long advance) {
        return new EventTimeWatermarks.Bounded<>(60_000, false, idle, advance, now::get);
    }

    @Test
    void watermarkTrailsNewestEventByBound() {
        var generator = generator(0, 0);
        generator.onEvent("a", 500_000, output);
        generator.onEvent("b", 400_000, output);
        generator.onPeriodicEmit(output);
        assertEquals(List.of(500_000L - 60_000 - 1), output.watermarks);
    }

    @Test
    void deadLettersDoNotMoveEventTime() {
        var generator = generator(0, 0);
        generator.onEvent("a", 500_000, output);
        generator.onEvent("dead", Long.MIN_VALUE, output);
        generator.onEvent("late-looking", 100_000, output);
        generator.onPeriodicEmit(output);
        assertEquals(List.of(439_999L), output.watermarks);
    }

    @Test
    void silentInputIsMarkedIdle() {
        var generator = generator(30_000, 0);
        generator.onEvent("a", 500_000, output);
        now.addAndGet(30_000);
        generator.onPeriodicEmit(output);
        assertTrue(output.idle, "input not marked idle after the idleness timeout");
        assertTrue(output.watermarks.isEmpty());
    }

    @Test
    void inputWithoutRecordsIsIdle() {
        generator(30_000, 0).onPeriodicEmit(output);
        assertTrue(output.idle);
    }

    @Test
    void longSilenceAdvancesEventTimeWithWallClock() {
        var generator = generator(30_000, 300_000);
        generator.onEvent("a", 500_000, output);
        now.addAndGet(300_000);
        generator.onPeriodicEmit(output);
        now.addAndGet(120_000);
        generator.onPeriodicEmit(output);
        // At the advance threshold the watermark is the usual one. Two minutes later it is two
        // minutes further, as if events had kept arriving in real time.
        assertEquals(List.of(439_999L, 559_999L), output.watermarks);
    }

    @Test
    void perRecordWatermarks() {
        var generator = new EventTimeWatermarks.Bounded<String>(60_000, true, 0, 0, now::get);
        generator.onEvent("a", 500_000, output);
        generator.onEvent("b", 600_000, output);
        assertEquals(List.of(439_999L, 539_999L), output.watermarks);
    }

    private static final class RecordingOutput implements WatermarkOutput {
        final List<Long> watermarks = new ArrayList<>();
        boolean idle;

        @Override
        public void emitWatermark(Watermark watermark) {
            watermarks.add(watermark.getTimestamp());
            idle = false;
        }

        @Override
        public void markIdle() {
            idle = true;
        }

        @Override
        public void markActive() {
            idle = false;
        }
    }
}
