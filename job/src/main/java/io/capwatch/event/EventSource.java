package io.capwatch.event;

/** The telemetry format a record was recognized as. */
public enum EventSource {
    /** Elastic Endpoint / Elastic Defend ECS documents (process and network data streams). */
    ENDPOINT,
    /** Sysmon events in ECS, as Winlogbeat or the Elastic Agent Windows integration write them. */
    SYSMON_ECS,
    /** Sysmon events as flat Windows-event JSON (NXLog-style: EventID, Image, ProcessId, ...). */
    SYSMON_FLAT
}
