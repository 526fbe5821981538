package io.capwatch.bench.correlation;

import io.capwatch.correlation.CandidateKind;
import io.capwatch.correlation.Trust;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The correlation's semantics as a plain loop over the whole input, with no streaming at all:
 * each key's rows sorted, then scanned once. The engines must find exactly these matches.
 */
final class ReferenceCorrelation {
    /** A match as (key, start time, connection time), the identity every engine reports. */
    record Triple(String key, long startMillis, long connectionMillis) {}

    private ReferenceCorrelation() {}

    static List<Triple> matches(List<CandidateRow> rows, long windowMillis) {
        Map<String, List<Integer>> byKey = new HashMap<>();
        for (int i = 0; i < rows.size(); i++) {
            byKey.computeIfAbsent(rows.get(i).key(), k -> new ArrayList<>()).add(i);
        }
        Comparator<Integer> order =
                Comparator.<Integer>comparingLong(i -> rows.get(i).timestamp())
                        .thenComparing((a, b) -> compareTies(rows.get(a), rows.get(b)))
                        .thenComparingInt(i -> i);
        List<Triple> found = new ArrayList<>();
        for (List<Integer> indexes : byKey.values()) {
            indexes.sort(order);
            CandidateRow start = null;
            for (int index : indexes) {
                CandidateRow row = rows.get(index);
                if (start != null && row.timestamp() - start.timestamp() > windowMillis) {
                    start = null;
                }
                if (row.kind() == CandidateKind.START && row.trust() == Trust.UNTRUSTED) {
                    start = row;
                } else if (row.kind() == CandidateKind.CONNECTION
                        && start != null
                        && sameProcess(start.entityId(), row.entityId())) {
                    found.add(new Triple(row.key(), start.timestamp(), row.timestamp()));
                    start = null;
                }
            }
        }
        return found;
    }

    private static int compareTies(CandidateRow a, CandidateRow b) {
        if (a.sequence() != null && b.sequence() != null) {
            return Long.compare(a.sequence(), b.sequence());
        }
        return Integer.compare(a.kind().ordinal(), b.kind().ordinal());
    }

    private static boolean sameProcess(String a, String b) {
        return a == null || b == null || a.equalsIgnoreCase(b);
    }
}
