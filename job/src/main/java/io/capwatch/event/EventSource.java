package io.capwatch.event;

import io.capwatch.rule.Platform;

/** The telemetry format a record was recognized as. */
public enum EventSource {
    /** Elastic Endpoint / Elastic Defend ECS documents (process and network data streams). */
    ENDPOINT(null),
    /** Sysmon events in ECS, as Winlogbeat or the Elastic Agent Windows integration write them. */
    SYSMON_ECS(null),
    /** Sysmon events as flat Windows-event JSON (NXLog-style: EventID, Image, ProcessId, ...). */
    SYSMON_FLAT(null),
    /**
     * Auditbeat's auditd module (also the Elastic Agent Auditd Manager integration): execve and
     * socket system calls, {@code event.module: auditd}.
     */
    AUDITBEAT_AUDITD(Platform.LINUX),
    /** Auditbeat's system module, socket dataset: network flows attributed to a process. */
    AUDITBEAT_SYSTEM(Platform.LINUX);

    private final Platform platform;

    EventSource(Platform platform) {
        this.platform = platform;
    }

    /**
     * Returns the only platform this source runs on, or null when it runs on several. Sysmon
     * returns null because Sysmon for Linux exists too.
     */
    public Platform platform() {
        return platform;
    }
}
