package io.capwatch.tools;

/** The shapes in which the generator writes events, one per host. */
enum TelemetryFormat {
    /** Elastic Endpoint (Elastic Defend) ECS events of a Windows host. */
    ENDPOINT_WINDOWS("endpoint-windows"),
    /** Sysmon events as Winlogbeat writes them, in ECS with {@code winlog.*}. */
    SYSMON_WINLOGBEAT("sysmon-winlogbeat"),
    /** Sysmon events as flat Windows-event JSON, the way NXLog writes them. */
    SYSMON_NXLOG("sysmon-nxlog"),
    /** Elastic Endpoint ECS events of a Linux host: POSIX paths and no code signature. */
    ENDPOINT_LINUX("endpoint-linux");

    /** The name in the generator's summary and in the injected-attack records. */
    final String label;

    TelemetryFormat(String label) {
        this.label = label;
    }

    boolean isSysmon() {
        return this == SYSMON_WINLOGBEAT || this == SYSMON_NXLOG;
    }
}
