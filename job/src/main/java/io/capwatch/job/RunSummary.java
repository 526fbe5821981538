package io.capwatch.job;

import io.capwatch.event.DeadLetterReason;
import io.capwatch.event.EventSource;
import io.capwatch.metrics.CounterNames;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/** The totals of a bounded run, read from the job's accumulators and printed for the user. */
public final class RunSummary {
    private final Map<String, Object> accumulators;

    public RunSummary(Map<String, Object> accumulators) {
        this.accumulators = accumulators;
    }

    /** Returns the total of one counter (see {@link CounterNames}), 0 when it never counted. */
    public long get(String name) {
        Object value = accumulators.get(name);
        return value instanceof Number number ? number.longValue() : 0L;
    }

    public long deadLettered() {
        long total = 0;
        for (DeadLetterReason reason : DeadLetterReason.values()) {
            total += get(CounterNames.DEAD_LETTERED_PREFIX + reason.name());
        }
        return total;
    }

    public long alerts() {
        return get(CounterNames.ALERTS);
    }

    public void print(PrintStream out) {
        out.println("capwatch run summary");
        line(out, "records read", get(CounterNames.RECORDS_READ), "");
        for (EventSource source : EventSource.values()) {
            String name = source.name().toLowerCase(Locale.ROOT);
            line(
                    out,
                    "  " + name,
                    get(CounterNames.EVENTS_PREFIX + name),
                    String.format(
                            "events, %,d ignored (event types the rule does not read)",
                            get(CounterNames.IGNORED_PREFIX + name)));
        }
        line(out, "dead-lettered", deadLettered(), "");
        for (DeadLetterReason reason : DeadLetterReason.values()) {
            long count = get(CounterNames.DEAD_LETTERED_PREFIX + reason.name());
            if (count > 0) {
                line(out, "  " + reason.name(), count, "");
            }
        }
        line(out, "late events", get(CounterNames.LATE_EVENTS), "");
        long withoutProfile = get(CounterNames.EVENTS_WITHOUT_PROFILE);
        if (withoutProfile > 0) {
            line(
                    out,
                    "events without a rule profile",
                    withoutProfile,
                    "(the rule has no profile for their OS)");
        }
        line(
                out,
                "starts in user-writable folders",
                get(CounterNames.STARTS_USER_WRITABLE),
                String.format(
                        "(trusted %,d, unknown signature %,d)",
                        get(CounterNames.STARTS_TRUSTED),
                        get(CounterNames.STARTS_UNKNOWN_SIGNATURE)));
        line(out, "stage-1 candidates", stage1Candidates(), "untrusted starts");
        line(
                out,
                "connections of those executables",
                get(CounterNames.CONNECTIONS_USER_WRITABLE),
                String.format(
                        "(internal %,d, inbound %,d)",
                        get(CounterNames.CONNECTIONS_INTERNAL),
                        get(CounterNames.CONNECTIONS_INBOUND)));
        line(out, "stage-2 candidates", get(CounterNames.CONNECTIONS_EXTERNAL), "outbound, external");
        line(
                out,
                "matches",
                get(CounterNames.MATCHES),
                String.format("(suppressed by exceptions %,d)", get(CounterNames.SUPPRESSED)));
        line(out, "alerts", alerts(), "sent to the alert sink");
        if (alerts() == 0) {
            out.println("  why no alert: " + explainNoAlert());
        }
        long late = get(CounterNames.LATE_EVENTS);
        if (late > 0) {
            out.printf(
                    "  note: %,d events were later than --out-of-orderness allows and were not"
                            + " matched. Files recorded at different times, read in one streaming"
                            + " run, fall behind each other: run them with --mode batch, or raise"
                            + " --out-of-orderness.%n",
                    late);
        }
    }

    private static void line(PrintStream out, String label, long count, String note) {
        out.printf("  %-34s %,10d %s%n", label, count, note);
    }

    /**
     * Stage-1 candidates: starts found untrusted, by their own signature or their image load, plus
     * unknown ones treated as untrusted. Sysmon starts are resolved in the signature join, so the
     * count is starts minus trusted minus unknown (not treated as untrusted).
     */
    long stage1Candidates() {
        long unknownDropped =
                get(CounterNames.STARTS_UNKNOWN_SIGNATURE)
                        - get(CounterNames.STARTS_UNKNOWN_AS_UNTRUSTED);
        return get(CounterNames.STARTS_USER_WRITABLE)
                - get(CounterNames.STARTS_TRUSTED)
                - unknownDropped;
    }

    String explainNoAlert() {
        if (get(CounterNames.RECORDS_READ) == 0) {
            return "no record was read: check the input paths (in folders, only names ending in"
                    + " .json, .ndjson, .jsonl or .log, optionally compressed, are read).";
        }
        if (get(CounterNames.STARTS_USER_WRITABLE) == 0) {
            long withoutProfile = get(CounterNames.EVENTS_WITHOUT_PROFILE);
            if (withoutProfile > 0) {
                return "no process started from a user-writable folder, and "
                        + withoutProfile
                        + " events came from an operating system that the rule has no profile for.";
            }
            return "no process started from a user-writable folder.";
        }
        if (stage1Candidates() == 0) {
            return "every start from a user-writable folder was trusted or had no signature data.";
        }
        if (get(CounterNames.CONNECTIONS_EXTERNAL) == 0) {
            long connections = get(CounterNames.CONNECTIONS_USER_WRITABLE);
            if (connections == 0) {
                return "no executable in a user-writable folder made a network connection.";
            }
            return "all "
                    + connections
                    + " connections of executables in user-writable folders were to internal"
                    + " networks or inbound; none went out to an external address.";
        }
        if (get(CounterNames.MATCHES) > 0) {
            return "every match was suppressed by a rule exception.";
        }
        return "no external connection came from an untrusted start within its window.";
    }
}
