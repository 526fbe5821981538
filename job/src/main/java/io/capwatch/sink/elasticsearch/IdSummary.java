package io.capwatch.sink.elasticsearch;

import java.util.List;
import java.util.function.Function;

/** Formats document ids for log lines, listing at most {@link #MAX_LISTED} of them. */
final class IdSummary {

    static final int MAX_LISTED = 10;

    private IdSummary() {}

    static <T> String of(List<T> items, Function<T, String> id) {
        StringBuilder summary = new StringBuilder("[");
        int listed = Math.min(items.size(), MAX_LISTED);
        for (int i = 0; i < listed; i++) {
            if (i > 0) {
                summary.append(", ");
            }
            summary.append(id.apply(items.get(i)));
        }
        summary.append(']');
        if (items.size() > listed) {
            summary.append(" and ").append(items.size() - listed).append(" more");
        }
        return summary.toString();
    }
}
