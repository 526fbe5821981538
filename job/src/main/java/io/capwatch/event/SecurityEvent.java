package io.capwatch.event;

import java.io.Serializable;

/**
 * One telemetry record normalized to the ECS fields the detection rule reads.
 *
 * <p>A Flink POJO: public fields and a no-argument constructor, so Flink serializes it without
 * Kryo. String fields hold values as logged (not normalized); {@code null} means absent.
 */
public class SecurityEvent implements Serializable {
    private static final long serialVersionUID = 1L;

    public EventSource source;
    public EventAction action;

    /** Event time in epoch milliseconds: {@code @timestamp}, else Sysmon {@code UtcTime}. */
    public long timestamp;
    /** {@code event.sequence}, or {@code null} when the record carries none. */
    public Long sequence;
    /** {@code event.id}, else the Windows event record id, else {@code null}. */
    public String eventId;

    /** {@code host.id}; {@code null} for flat Sysmon. */
    public String hostId;
    /** {@code host.name}, else {@code host.hostname}, else Sysmon {@code Hostname}. */
    public String hostName;
    /** {@code host.os.type} (windows, linux, macos), or {@code null}. */
    public String hostOsType;
    /** {@code user.name}; for Sysmon {@code User} without its domain prefix. */
    public String userName;
    /** {@code user.domain}, or the domain part of Sysmon {@code User}. */
    public String userDomain;

    /** {@code process.executable} / Sysmon {@code Image}, as logged. */
    public String executable;
    /** {@code process.pid} / Sysmon {@code ProcessId}. */
    public long pid;
    /** {@code process.entity_id} / Sysmon {@code ProcessGuid}, or {@code null}. */
    public String entityId;
    /**
     * {@code process.hash.sha256} (or the SHA256 of Sysmon {@code Hashes}), lower case. For image
     * loads, the hash of the loaded image: {@code file.hash.sha256} or Sysmon event 7 {@code Hashes}.
     */
    public String sha256;
    /** {@code process.parent.executable} / Sysmon {@code ParentImage}. */
    public String parentExecutable;
    /** {@code process.command_line} / Sysmon {@code CommandLine}. */
    public String commandLine;

    /**
     * Code signature of the process image ({@code process.code_signature.*}) for starts, or of
     * the loaded image ({@code file.code_signature.*}, Sysmon {@code Signed}) for image loads.
     * Each is {@code null} when the record does not carry it.
     */
    public Boolean signatureExists;

    public Boolean signatureTrusted;
    public String signatureSubject;
    public String signatureStatus;
    /** macOS {@code process.code_signature.signing_id}, the bundle or binary identifier. */
    public String signatureSigningId;
    /** macOS {@code process.code_signature.team_id}, the developer team of the certificate. */
    public String signatureTeamId;

    /** The loaded image's path for image loads ({@code file.path} / Sysmon {@code ImageLoaded}). */
    public String loadedImage;

    /** {@code destination.ip} as logged, or {@code null}. */
    public String destinationIp;
    /** {@code destination.port}, or {@code null}. */
    public Integer destinationPort;
    /** {@code source.ip}, or {@code null}. */
    public String sourceIp;

    public Direction direction = Direction.UNKNOWN;

    public SecurityEvent() {}

    /** Returns the host part of the correlation key: {@code host.id}, else the host name. */
    public String hostKey() {
        return hostId != null ? hostId : hostName;
    }

    @Override
    public String toString() {
        return source
                + " "
                + action
                + " host="
                + hostKey()
                + " pid="
                + pid
                + " exe="
                + executable
                + " ts="
                + timestamp;
    }
}
