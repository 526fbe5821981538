package io.capwatch.event;

/** The kind of activity a normalized event reports, reduced to the kinds the rule reads. */
public enum EventAction {
    /**
     * A process start: Endpoint category process + type start, Sysmon event 1, a successful
     * auditd {@code executed}.
     */
    PROCESS_START,
    /** An image (EXE or DLL) mapped into a process: Sysmon event 7. */
    IMAGE_LOAD,
    /**
     * A network connection: Endpoint network start/connection events, Sysmon event 3, auditd
     * {@code connected-to}/{@code sent-to}, Auditbeat system/socket flows.
     */
    NETWORK_CONNECTION
}
