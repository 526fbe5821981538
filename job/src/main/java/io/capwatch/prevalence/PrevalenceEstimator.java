package io.capwatch.prevalence;

import io.capwatch.metrics.Tally;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.datasketches.hll.HllSketch;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Estimates, per binary, how many distinct hosts started it within the look-back, and emits a
 * {@link PrevalenceRecord} when the estimate changes enough to matter.
 *
 * <p>State per binary: one HyperLogLog sketch of host names per bucket (a day by default), as
 * compact bytes in a {@link MapState}, and a small {@link Progress}. The estimate is the union of
 * the buckets still inside the look-back. A bucket counts until {@code bucket end + look-back},
 * so a start counts for at least the look-back and at most one bucket longer. An event-time timer
 * at the oldest bucket's expiry drops it, so state stays bounded by the look-back. When the last
 * bucket goes, the binary's state is cleared and {@code first_seen} starts again with its next
 * start.
 *
 * <p>A record is emitted for every change of the rounded estimate while it, or the last emitted
 * count, is at most {@code exactUpTo}. Above that, a change of at least {@code relativeChange} is
 * emitted at once, and a smaller one is held back until a timer at the end of the bucket emits the
 * estimate of that moment. Its {@code as_of} is the event time of the start (or timer) behind the
 * estimate, moved forward to one millisecond after the binary's previous record when needed, so
 * that each record is newer than the one before and the enricher, which keeps only newer records,
 * takes every one.
 *
 * <p>At the end of input (watermark {@link Long#MAX_VALUE}, also at the end of every key in batch
 * mode) the timers emit any held-back estimate but drop no bucket: the final estimate stays in
 * effect, rather than every count falling to 0 once the input has ended.
 */
public final class PrevalenceEstimator
        extends KeyedProcessFunction<String, ProcessStart, PrevalenceRecord> {
    private static final long serialVersionUID = 1L;

    /** Counter: starts added to a sketch. */
    public static final String STARTS_COUNTED = "prevalenceStartsCounted";
    /** Counter: starts older than the look-back when they arrived, not counted. */
    public static final String STARTS_TOO_OLD = "prevalenceStartsTooOld";
    /** Counter: prevalence records emitted. */
    public static final String RECORDS_DERIVED = "prevalenceRecordsDerived";

    private static final MapStateDescriptor<Long, byte[]> BUCKETS =
            new MapStateDescriptor<>(
                    "prevalence-host-sketches",
                    Types.LONG,
                    PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
    /** The union of every bucket held but the newest, so an update unions two sketches, not 31. */
    private static final ValueStateDescriptor<byte[]> OLDER_UNION =
            new ValueStateDescriptor<>(
                    "prevalence-older-union",
                    PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
    private static final ValueStateDescriptor<Progress> PROGRESS =
            new ValueStateDescriptor<>("prevalence-progress", Types.POJO(Progress.class));

    private final PrevalenceDerivation.Settings settings;
    private final long bucketMillis;
    private final long lookBackMillis;

    private transient MapState<Long, byte[]> buckets;
    private transient ValueState<byte[]> olderUnion;
    private transient ValueState<Progress> progress;
    private transient Tally counted;
    private transient Tally tooOld;
    private transient Tally derived;

    public PrevalenceEstimator(PrevalenceDerivation.Settings settings) {
        this.settings = settings;
        this.bucketMillis = settings.bucket().toMillis();
        this.lookBackMillis = settings.lookBack().toMillis();
    }

    /** The per-binary bookkeeping next to the sketches. A Flink POJO. */
    public static class Progress {
        /** The earliest start counted, epoch milliseconds. */
        public long firstSeen = Long.MAX_VALUE;
        /** The newest start counted, epoch milliseconds. */
        public long newestStart = Long.MIN_VALUE;
        /** The start of the oldest bucket held. */
        public long oldestBucket = Long.MAX_VALUE;
        /** The start of the newest bucket held. Every older bucket is also in the older union. */
        public long newestBucket = Long.MIN_VALUE;
        /** The estimate after the latest change, or -1 before the first. */
        public long currentHostCount = -1;
        /** The event time of the latest change of the estimate. */
        public long currentReference = Long.MIN_VALUE;
        /** The host count last emitted, or -1 before the first record. */
        public long emittedHostCount = -1;
        /** The {@code as_of} last emitted. */
        public long emittedAsOf = Long.MIN_VALUE;
        /** The bucket that {@link #emittedAsOf} falls in. */
        public long emittedBucket = Long.MIN_VALUE;

        public Progress() {}
    }

    @Override
    public void open(OpenContext openContext) {
        HostSketches.requireSerialization();
        buckets = getRuntimeContext().getMapState(BUCKETS);
        olderUnion = getRuntimeContext().getState(OLDER_UNION);
        progress = getRuntimeContext().getState(PROGRESS);
        counted = Tally.register(getRuntimeContext(), STARTS_COUNTED);
        tooOld = Tally.register(getRuntimeContext(), STARTS_TOO_OLD);
        derived = Tally.register(getRuntimeContext(), RECORDS_DERIVED);
    }

    @Override
    public void processElement(ProcessStart start, Context ctx, Collector<PrevalenceRecord> out)
            throws Exception {
        Progress state = progress.value();
        if (state == null) {
            state = new Progress();
        }
        long bucket = bucketOf(start.timestamp);
        long expiry = expiryOf(bucket);
        long reference = Math.max(start.timestamp, state.newestStart);
        // A start whose bucket has already left the look-back, by the watermark or by this
        // binary's newest start, would never count again.
        if (expiry <= ctx.timerService().currentWatermark() || expiry <= reference) {
            tooOld.inc();
            return;
        }
        counted.inc();
        // Timers drop expired buckets in streaming mode. In batch mode they fire only at the end
        // of the key, so buckets that the newest start has left behind are dropped here.
        if (expiryOf(state.oldestBucket) <= reference
                && !dropBuckets(state, reference, ctx.timerService())) {
            state.firstSeen = Long.MAX_VALUE;
        }
        state.firstSeen = Math.min(state.firstSeen, start.timestamp);
        state.newestStart = reference;

        byte[] stored = buckets.get(bucket);
        HllSketch sketch;
        double before;
        if (stored == null) {
            sketch = HostSketches.create(settings.lgK());
            before = 0;
            if (bucket < state.oldestBucket) {
                moveTimer(ctx.timerService(), state.oldestBucket, bucket);
            }
        } else {
            sketch = HostSketches.fromBytes(stored);
            before = sketch.getEstimate();
        }
        sketch.update(start.host);
        // An update that sets no register (a host already in this bucket) leaves the estimate,
        // and so the union, unchanged: skip the write and the union.
        if (stored != null && sketch.getEstimate() == before) {
            progress.update(state);
            return;
        }
        buckets.put(bucket, HostSketches.toBytes(sketch));
        state.oldestBucket = Math.min(state.oldestBucket, bucket);

        HllSketch newest;
        if (bucket >= state.newestBucket) {
            if (bucket > state.newestBucket && state.newestBucket != Long.MIN_VALUE) {
                addToOlderUnion(HostSketches.fromBytes(buckets.get(state.newestBucket)));
            }
            state.newestBucket = bucket;
            newest = sketch;
        } else {
            // A late start into an older bucket: the older union is a union of host sets, so
            // adding the host to it equals rebuilding it.
            byte[] olderBytes = olderUnion.value();
            HllSketch older =
                    olderBytes == null
                            ? HostSketches.create(settings.lgK())
                            : HostSketches.fromBytes(olderBytes);
            older.update(start.host);
            olderUnion.update(HostSketches.toBytes(older));
            newest = HostSketches.fromBytes(buckets.get(state.newestBucket));
        }
        state.currentHostCount = estimate(newest);
        state.currentReference = reference;
        if (!emit(ctx.getCurrentKey(), state, false, out)) {
            ctx.timerService().registerEventTimeTimer(bucketOf(reference) + bucketMillis);
        }
        progress.update(state);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<PrevalenceRecord> out)
            throws Exception {
        Progress state = progress.value();
        if (state == null) {
            return;
        }
        boolean endOfInput = ctx.timerService().currentWatermark() == Long.MAX_VALUE;
        if (!endOfInput && expiryOf(state.oldestBucket) <= timestamp) {
            if (!dropBuckets(state, timestamp, ctx.timerService())) {
                state.currentHostCount = 0;
                state.currentReference = timestamp;
                emit(ctx.getCurrentKey(), state, true, out);
                buckets.clear();
                olderUnion.clear();
                progress.clear();
                return;
            }
            HllSketch newest = HostSketches.fromBytes(buckets.get(state.newestBucket));
            state.currentHostCount = estimate(newest);
            state.currentReference = Math.max(timestamp, state.currentReference);
        }
        // Every timer, the end-of-bucket one in particular, emits an estimate held back before.
        emit(ctx.getCurrentKey(), state, true, out);
        progress.update(state);
    }

    /**
     * Removes the buckets that no longer count at {@code reference}, rebuilds the older union from
     * those left and moves the timer to the expiry of the oldest one left.
     *
     * @return whether any bucket is left
     */
    private boolean dropBuckets(Progress state, long reference, TimerService timers)
            throws Exception {
        long oldestBefore = state.oldestBucket;
        List<Long> remaining = new ArrayList<>();
        Iterator<Map.Entry<Long, byte[]>> entries = buckets.iterator();
        while (entries.hasNext()) {
            Map.Entry<Long, byte[]> entry = entries.next();
            if (expiryOf(entry.getKey()) <= reference) {
                entries.remove();
            } else {
                remaining.add(entry.getKey());
            }
        }
        olderUnion.clear();
        if (remaining.isEmpty()) {
            moveTimer(timers, oldestBefore, Long.MAX_VALUE);
            state.oldestBucket = Long.MAX_VALUE;
            state.newestBucket = Long.MIN_VALUE;
            return false;
        }
        state.oldestBucket = remaining.stream().min(Long::compare).orElseThrow();
        state.newestBucket = remaining.stream().max(Long::compare).orElseThrow();
        moveTimer(timers, oldestBefore, state.oldestBucket);
        for (long bucket : remaining) {
            if (bucket != state.newestBucket) {
                addToOlderUnion(HostSketches.fromBytes(buckets.get(bucket)));
            }
        }
        return true;
    }

    /**
     * Keeps one expiry timer per binary, at the expiry of its oldest bucket, rather than one per
     * bucket, because each timer stores the key, which is larger than a one-host sketch. {@link
     * Long#MAX_VALUE} is no bucket. The old timer is left to fire, as it may share its instant
     * with an end-of-bucket timer, and a timer that finds nothing to do does nothing.
     */
    private void moveTimer(TimerService timers, long fromBucket, long toBucket) {
        if (fromBucket != toBucket && toBucket != Long.MAX_VALUE) {
            timers.registerEventTimeTimer(expiryOf(toBucket));
        }
    }

    private void addToOlderUnion(HllSketch sketch) throws Exception {
        byte[] stored = olderUnion.value();
        if (stored == null) {
            olderUnion.update(HostSketches.toBytes(sketch));
            return;
        }
        olderUnion.update(
                HostSketches.toBytes(
                        HostSketches.union(
                                settings.lgK(), List.of(HostSketches.fromBytes(stored), sketch))));
    }

    /** Returns the estimate over the older union and the newest bucket's sketch. */
    private long estimate(HllSketch newest) throws Exception {
        byte[] older = olderUnion.value();
        if (older == null) {
            return HostSketches.estimate(newest);
        }
        return HostSketches.estimate(
                settings.lgK(), List.of(HostSketches.fromBytes(older), newest));
    }

    /**
     * Emits the current estimate if it differs from the last one emitted and, unless {@code
     * force}, if the change is significant (see the class comment).
     *
     * @return false when a change was held back
     */
    private boolean emit(
            String binary, Progress state, boolean force, Collector<PrevalenceRecord> out) {
        long hostCount = state.currentHostCount;
        long last = state.emittedHostCount;
        if (hostCount < 0 || hostCount == last || (last < 0 && hostCount == 0)) {
            return true;
        }
        long reference = state.currentReference;
        boolean significant =
                force
                        || last < 0
                        || hostCount <= settings.exactUpTo()
                        || last <= settings.exactUpTo()
                        || Math.abs(hostCount - last) >= settings.relativeChange() * last
                        || bucketOf(reference) != state.emittedBucket;
        if (!significant) {
            return false;
        }
        long asOf =
                state.emittedAsOf == Long.MIN_VALUE
                        ? reference
                        : Math.max(reference, state.emittedAsOf + 1);
        PrevalenceRecord record =
                new PrevalenceRecord(
                        binary,
                        hostCount,
                        state.firstSeen == Long.MAX_VALUE ? null : state.firstSeen,
                        asOf);
        record.source = PrevalenceSource.DERIVED;
        out.collect(record);
        derived.inc();
        state.emittedHostCount = hostCount;
        state.emittedAsOf = asOf;
        state.emittedBucket = bucketOf(asOf);
        return true;
    }

    private long bucketOf(long timestamp) {
        return Math.floorDiv(timestamp, bucketMillis) * bucketMillis;
    }

    /**
     * Returns the instant from which a bucket no longer counts, or {@link Long#MAX_VALUE} for the
     * {@link Progress#oldestBucket} of a binary without buckets.
     */
    private long expiryOf(long bucket) {
        if (bucket == Long.MAX_VALUE) {
            return Long.MAX_VALUE;
        }
        return bucket + bucketMillis + lookBackMillis;
    }
}
