package io.capwatch.correlation;

import io.capwatch.metrics.CounterNames;
import io.capwatch.metrics.Tally;
import io.capwatch.rule.DetectionRule;
import io.capwatch.rule.RuleException;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFilterFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Counts matches and drops those that one of the rule's exceptions suppresses. */
final class ExceptionFilter extends RichFilterFunction<Match> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ExceptionFilter.class);

    private final DetectionRule rule;

    private transient Tally matches;
    private transient Tally suppressed;

    ExceptionFilter(DetectionRule rule) {
        this.rule = rule;
    }

    @Override
    public void open(OpenContext openContext) {
        matches = Tally.register(getRuntimeContext(), CounterNames.MATCHES);
        suppressed = Tally.register(getRuntimeContext(), CounterNames.SUPPRESSED);
    }

    @Override
    public boolean filter(Match match) {
        matches.inc();
        var start = match.start.event;
        RuleException exception =
                rule.suppressingException(
                        match.start.platform,
                        start.sha256,
                        start.signatureSubject,
                        start.executable,
                        start.parentExecutable,
                        start.hostId,
                        start.hostName);
        if (exception == null) {
            return true;
        }
        suppressed.inc();
        LOG.debug(
                "Match suppressed by exception {}: host={} pid={} executable={}",
                exception.id(),
                start.hostKey(),
                start.pid,
                start.executable);
        return false;
    }
}
