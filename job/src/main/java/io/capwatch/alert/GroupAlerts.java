package io.capwatch.alert;

import io.capwatch.metrics.CounterNames;
import io.capwatch.metrics.Tally;
import io.capwatch.prevalence.HostSketches;
import io.capwatch.rule.RuleMetadata;
import io.capwatch.sink.elasticsearch.IndexedDocument;
import io.capwatch.sink.elasticsearch.OpType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Groups the alerts of one binary (the keyed stream's key) into epoch-aligned event-time windows
 * and writes one document per window when the watermark passes its end.
 *
 * <p>A group stays in state for one more window length after it closed. An alert for a closed
 * group within that time updates the group, and the updated document replaces the emitted one
 * under the same id (op type {@code index}). An alert later than that is written on its own, as
 * an ungrouped alert document, because its group is gone and rewriting the id would lose the
 * group's earlier matches.
 */
final class GroupAlerts extends KeyedProcessFunction<String, Alert, IndexedDocument> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(GroupAlerts.class);

    private static final MapStateDescriptor<Long, AlertGroup> GROUPS =
            new MapStateDescriptor<>("alert-groups", Types.LONG, Types.POJO(AlertGroup.class));

    private final long windowMillis;
    private final RuleMetadata rule;
    private final String index;

    private transient MapState<Long, AlertGroup> groups;
    private transient Tally alerts;
    private transient Tally grouped;
    private transient Tally updates;
    private transient Tally late;

    GroupAlerts(long windowMillis, RuleMetadata rule, String index) {
        this.windowMillis = windowMillis;
        this.rule = rule;
        this.index = index;
    }

    @Override
    public void open(OpenContext openContext) {
        HostSketches.requireSerialization();
        groups = getRuntimeContext().getMapState(GROUPS);
        alerts = Tally.register(getRuntimeContext(), CounterNames.ALERTS);
        grouped = Tally.register(getRuntimeContext(), AlertGrouping.MATCHES_GROUPED);
        updates = Tally.register(getRuntimeContext(), AlertGrouping.GROUP_UPDATES);
        late = Tally.register(getRuntimeContext(), AlertGrouping.ALERTS_AFTER_GROUP);
    }

    @Override
    public void processElement(Alert alert, Context ctx, Collector<IndexedDocument> out)
            throws Exception {
        long time = AlertGroup.matchTime(alert);
        long windowStart = Math.floorDiv(time, windowMillis) * windowMillis;
        long close = closeTime(windowStart);
        long watermark = ctx.timerService().currentWatermark();
        String alertId = AlertIds.alertId(rule.id(), alert.match.start);

        if (cleanupTime(windowStart) <= watermark) {
            late.inc();
            alerts.inc();
            LOG.warn(
                    "Writing alert {} for {} ungrouped: it arrived at watermark {}, after its"
                            + " group of the window from {} was removed",
                    alertId,
                    ctx.getCurrentKey(),
                    Instant.ofEpochMilli(watermark),
                    Instant.ofEpochMilli(windowStart));
            out.collect(new IndexedDocument(index, alertId, AlertDocument.toJson(alert, rule)));
            return;
        }

        AlertGroup group = groups.get(windowStart);
        if (group == null) {
            group = new AlertGroup();
            ctx.timerService().registerEventTimeTimer(close);
            ctx.timerService().registerEventTimeTimer(cleanupTime(windowStart));
        }
        group.add(alert, alertId);
        grouped.inc();
        if (close <= watermark && group.emitted) {
            updates.inc();
            out.collect(document(ctx.getCurrentKey(), windowStart, group));
        }
        groups.put(windowStart, group);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<IndexedDocument> out)
            throws Exception {
        List<Long> finished = new ArrayList<>();
        for (Map.Entry<Long, AlertGroup> entry : groups.entries()) {
            long windowStart = entry.getKey();
            AlertGroup group = entry.getValue();
            if (closeTime(windowStart) == timestamp && !group.emitted) {
                alerts.inc();
                out.collect(document(ctx.getCurrentKey(), windowStart, group));
                group.emitted = true;
                groups.put(windowStart, group);
            }
            if (cleanupTime(windowStart) <= timestamp) {
                finished.add(windowStart);
            }
        }
        for (long windowStart : finished) {
            groups.remove(windowStart);
        }
    }

    private IndexedDocument document(String binary, long windowStart, AlertGroup group) {
        return new IndexedDocument(
                index,
                AlertGroupDocument.id(rule.id(), binary, windowStart, windowMillis),
                AlertGroupDocument.toJson(group, windowStart, windowStart + windowMillis, rule),
                OpType.INDEX);
    }

    /** Returns the last instant of the window: a timer there fires once the window is complete. */
    private long closeTime(long windowStart) {
        return windowStart + windowMillis - 1;
    }

    private long cleanupTime(long windowStart) {
        return closeTime(windowStart) + windowMillis;
    }
}
