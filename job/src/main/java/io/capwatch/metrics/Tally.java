package io.capwatch.metrics;

import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.metrics.Counter;

/**
 * A count published twice: as a Flink metric, for dashboards while the job runs, and as an
 * accumulator, so a bounded run can print its totals when it ends. Accumulators of the same name
 * from every subtask and operator are summed by Flink.
 */
public final class Tally implements Counter {
    private final LongCounter accumulator = new LongCounter();
    private long count;

    private Tally() {}

    /**
     * Registers a tally named {@code name} (see {@link CounterNames}) on a function's context.
     * Contexts without accumulators (Flink CEP's) get the metric alone, so such a count is
     * missing from the run summary.
     */
    public static Tally register(RuntimeContext context, String name) {
        Tally tally = new Tally();
        try {
            context.addAccumulator(name, tally.accumulator);
        } catch (UnsupportedOperationException e) {
            // Only the metric remains; see the method comment.
        }
        context.getMetricGroup().counter(name, tally);
        return tally;
    }

    @Override
    public void inc() {
        count++;
        accumulator.add(1L);
    }

    @Override
    public void inc(long n) {
        count += n;
        accumulator.add(n);
    }

    @Override
    public void dec() {
        throw new UnsupportedOperationException("a tally only counts up");
    }

    @Override
    public void dec(long n) {
        throw new UnsupportedOperationException("a tally only counts up");
    }

    @Override
    public long getCount() {
        return count;
    }
}
