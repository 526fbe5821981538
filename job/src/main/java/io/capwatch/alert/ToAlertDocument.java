package io.capwatch.alert;

import io.capwatch.metrics.CounterNames;
import io.capwatch.metrics.Tally;
import io.capwatch.rule.RuleMetadata;
import io.capwatch.sink.elasticsearch.IndexedDocument;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;

/** Turns alerts into documents for the alert index, with their deterministic ids. */
public final class ToAlertDocument extends RichMapFunction<Alert, IndexedDocument> {
    private static final long serialVersionUID = 1L;

    private final RuleMetadata rule;
    private final String index;

    private transient Tally alerts;

    public ToAlertDocument(RuleMetadata rule, String index) {
        this.rule = rule;
        this.index = index;
    }

    @Override
    public void open(OpenContext openContext) {
        alerts = Tally.register(getRuntimeContext(), CounterNames.ALERTS);
    }

    @Override
    public IndexedDocument map(Alert alert) {
        alerts.inc();
        return new IndexedDocument(
                index, AlertIds.alertId(rule.id(), alert.match.start), AlertDocument.toJson(alert, rule));
    }
}
