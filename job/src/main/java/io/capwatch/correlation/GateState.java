package io.capwatch.correlation;

/**
 * The keyed gate's memory of one key: the span of event time its qualifying starts cover and the
 * time of the latest held connection. It is one value so that a connection costs one state read.
 * A Flink POJO, in which {@link #NONE} marks an absent bound.
 */
public class GateState {
    static final long NONE = Long.MIN_VALUE;

    /** Event time of the earliest start sent on since the span opened, in epoch milliseconds. */
    public long firstStart = NONE;
    /** First instant after the latest start's window, in epoch milliseconds (exclusive). */
    public long windowEnd = NONE;
    /** Event time of the latest connection held for the watermark, in epoch milliseconds. */
    public long latestHeld = NONE;

    public GateState() {}

    boolean hasWindow() {
        return windowEnd != NONE;
    }

    /** Returns whether a connection at {@code timestamp} could complete a start of the span. */
    boolean covers(long timestamp) {
        return hasWindow() && timestamp >= firstStart && timestamp < windowEnd;
    }

    /** Returns whether a connection at {@code timestamp} may share its time with a held one. */
    boolean mayHoldAt(long timestamp) {
        return latestHeld != NONE && timestamp <= latestHeld;
    }

    boolean isEmpty() {
        return windowEnd == NONE && latestHeld == NONE;
    }
}
