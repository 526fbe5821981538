package io.capwatch.metrics;

/**
 * Names of the job's counters. Each is a Flink metric on the operator that counts it and an
 * accumulator of the same name that the run summary reads.
 */
public final class CounterNames {
    /** Raw records read from the sources, before parsing. */
    public static final String RECORDS_READ = "recordsRead";
    /** Records normalized into events the rule reads, per source: suffix with the source name. */
    public static final String EVENTS_PREFIX = "events_";
    /** Records of a supported source but of an event type the rule never reads, per source. */
    public static final String IGNORED_PREFIX = "ignored_";
    /** Records sent to the dead-letter output at parsing, per reason: suffix with the reason. */
    public static final String DEAD_LETTERED_PREFIX = "deadLettered_";
    /** Events older than the watermark, sent to the dead-letter output with reason LATE_EVENT. */
    public static final String LATE_EVENTS = "lateEvents";
    /** Events of a platform for which the rule has no profile, dropped. */
    public static final String EVENTS_WITHOUT_PROFILE = "eventsWithoutProfile";

    /** Process starts from a user-writable folder, whatever their signature. */
    public static final String STARTS_USER_WRITABLE = "startsFromUserWritableFolders";
    /** Of those, starts with an untrusted signature: stage-1 candidates. */
    public static final String STARTS_UNTRUSTED = "stage1Candidates";
    /** Of those, starts with a trusted (or not untrusted) signature, dropped. */
    public static final String STARTS_TRUSTED = "startsTrusted";
    /** Of those, starts whose signature stayed unknown. */
    public static final String STARTS_UNKNOWN_SIGNATURE = "startsUnknownSignature";
    /** Of the unknown ones, starts treated as untrusted because the rule is set so. */
    public static final String STARTS_UNKNOWN_AS_UNTRUSTED = "startsUnknownTreatedAsUntrusted";

    /** Connections by executables in user-writable folders, before the destination test. */
    public static final String CONNECTIONS_USER_WRITABLE = "connectionsFromUserWritableFolders";
    /** Of those, connections to internal networks. */
    public static final String CONNECTIONS_INTERNAL = "connectionsInternal";
    /** Of those, inbound or accepted connections. */
    public static final String CONNECTIONS_INBOUND = "connectionsInbound";
    /** Of those, outbound connections to external addresses: stage-2 candidates. */
    public static final String CONNECTIONS_EXTERNAL = "stage2Candidates";

    /**
     * A gauge, per candidate-gate subtask: keys whose latest qualifying start's window is still
     * open, which are the starts the sequence matcher keeps in state or has just completed.
     */
    public static final String PENDING_STARTS = "pendingStarts";
    /**
     * External connections the keyed gate dropped at the watermark because they complete no
     * pending start of their key. They never reach the sequence matcher.
     */
    public static final String CONNECTIONS_WITHOUT_START = "connectionsWithoutPendingStart";
    /** Pending starts whose window closed without a qualifying connection. */
    public static final String STARTS_EXPIRED = "startsExpired";
    /** Completed sequences, before exceptions. */
    public static final String MATCHES = "matches";
    /** Matches suppressed by a rule exception. */
    public static final String SUPPRESSED = "matchesSuppressed";
    /** Alerts sent to the alert index. */
    public static final String ALERTS = "alerts";
    /** Prevalence records loaded into the broadcast state. */
    public static final String PREVALENCE_RECORDS = "prevalenceRecords";
    /** Prevalence records older than the one already held for their binary, ignored. */
    public static final String PREVALENCE_STALE = "prevalenceStale";
    /** Alerts scored with no prevalence record for their binary. */
    public static final String ALERTS_UNKNOWN_PREVALENCE = "alertsUnknownPrevalence";

    private CounterNames() {}
}
