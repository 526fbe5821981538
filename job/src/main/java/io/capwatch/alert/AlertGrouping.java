package io.capwatch.alert;

import io.capwatch.rule.RuleMetadata;
import io.capwatch.sink.elasticsearch.IndexedDocument;
import java.time.Duration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * Alert grouping in the manner of Elastic Security's alert suppression: the matches of one binary
 * (its prevalence key) within an event-time window become one alert document that counts the
 * matches and lists the hosts (see {@link AlertGroupDocument} for the fields).
 *
 * <p>Windows are aligned to the epoch, so the window of a match, and with it the group's id,
 * depends only on the match's time. A group is written when the watermark passes its window's
 * end, and at the end of a bounded input, so a backfill and a streaming run over the same matches
 * write the same final documents. Grouped documents are written with op type {@code index}, so a
 * later version of a group replaces the earlier one.
 */
public final class AlertGrouping {
    /** Counter: matches added to a group. */
    public static final String MATCHES_GROUPED = "matchesGrouped";
    /** Counter: groups written again after their window closed, because a late match came. */
    public static final String GROUP_UPDATES = "alertGroupUpdates";
    /** Counter: alerts written ungrouped because their group had already been removed. */
    public static final String ALERTS_AFTER_GROUP = "alertsAfterGroupRemoved";

    private AlertGrouping() {}

    /**
     * Adds the grouping behind {@code alerts}, which must carry watermarks, and returns the alert
     * documents for the alert index. The keyed operator's uid is {@code alert-grouping}.
     *
     * @param window the window length, at least one millisecond
     */
    public static SingleOutputStreamOperator<IndexedDocument> apply(
            DataStream<Alert> alerts, Duration window, RuleMetadata rule, String index) {
        if (window == null || window.toMillis() < 1) {
            throw new IllegalArgumentException(
                    "alert grouping window " + window + " is invalid; it must be at least 1 ms");
        }
        return alerts.keyBy(alert -> alert.binary)
                .process(new GroupAlerts(window.toMillis(), rule, index))
                .uid("alert-grouping")
                .name("Group alerts per binary and window");
    }
}
