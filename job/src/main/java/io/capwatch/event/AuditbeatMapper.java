package io.capwatch.event;

import static io.capwatch.event.FieldRules.firstNonNull;
import static io.capwatch.event.FieldRules.optionalText;

import java.util.Set;

/**
 * Recognizes and maps Auditbeat documents, which come only from Linux hosts: the auditd module's
 * {@code execve} and socket system calls, and the system module's socket dataset.
 *
 * <p>Auditbeat writes the same ECS fields as the Endpoint agent for what the rule reads ({@code
 * process.executable}, {@code process.pid}, {@code destination.ip}, {@code host.*}), but it names
 * its events by {@code event.action} and it writes no code signature.
 */
final class AuditbeatMapper {

    /** The auditd action of a successful or failed {@code execve}/{@code execveat}. */
    private static final String EXECUTED = "executed";

    /**
     * The auditd actions of the calls that send to a remote address: {@code connect} and {@code
     * send}/{@code sendto}/{@code sendmsg}. Auditbeat writes the address as {@code destination}.
     */
    private static final Set<String> OUTBOUND_ACTIONS = Set.of("connected-to", "sent-to");

    /**
     * The system/socket actions: {@code network_flow} from the kprobe-based dataset, and {@code
     * socket_opened}/{@code socket_closed} from its older versions.
     */
    private static final Set<String> SOCKET_ACTIONS =
            Set.of("network_flow", "socket_opened", "socket_closed");

    /** The suffix the kernel appends to the path of an executable deleted after it started. */
    private static final String DELETED_SUFFIX = " (deleted)";

    private AuditbeatMapper() {}

    /** Returns whether the record comes from the auditd module ({@code event.module: auditd}). */
    static boolean isAuditd(RawRecord record) {
        return "auditd".equalsIgnoreCase(record.peekText(Field.EVENT_MODULE));
    }

    /**
     * Returns whether the record comes from Auditbeat's system/socket dataset: {@code event.module:
     * system} with {@code event.dataset: socket}. Filebeat's and Metricbeat's system datasets are
     * named {@code system.*} and do not match.
     */
    static boolean isSystemSocket(RawRecord record) {
        return "system".equalsIgnoreCase(record.peekText(Field.EVENT_MODULE))
                && "socket".equalsIgnoreCase(record.peekText(Field.EVENT_DATASET));
    }

    /**
     * Maps an auditd document. A successful {@code executed} event is a process start. A {@code
     * connected-to} or {@code sent-to} event with a {@code destination.ip} is an outbound
     * connection, whatever its result, because a non-blocking {@code connect} returns {@code
     * EINPROGRESS} and is logged as failed. Every other event is ignored: failed {@code execve}
     * calls, connections to Unix sockets (no address), accepted connections and received data (the
     * remote address is the source), and file and identity events.
     */
    static ParseResult mapAuditd(RawRecord record) {
        String action = FieldRules.lowerCase(record.peekText(Field.EVENT_ACTION));
        EventAction eventAction;
        if (EXECUTED.equals(action)) {
            if (failed(record)) {
                // A failed execve leaves the calling image in place, so it starts nothing.
                return ParseResult.ignored(EventSource.AUDITBEAT_AUDITD);
            }
            eventAction = EventAction.PROCESS_START;
        } else if (action != null
                && OUTBOUND_ACTIONS.contains(action)
                && record.has(Field.DESTINATION_IP)) {
            eventAction = EventAction.NETWORK_CONNECTION;
        } else {
            return ParseResult.ignored(EventSource.AUDITBEAT_AUDITD);
        }
        try {
            SecurityEvent event = toEvent(record, EventSource.AUDITBEAT_AUDITD, eventAction);
            if (eventAction == EventAction.NETWORK_CONNECTION) {
                // The action names the system call, which fixes the direction.
                event.direction = Direction.OUTBOUND;
            }
            return ParseResult.event(event);
        } catch (RecordException e) {
            return ParseResult.deadLetter(EventSource.AUDITBEAT_AUDITD, e.reason(), e.detail());
        }
    }

    /**
     * Maps a system/socket document that names its process and its destination as a connection, its
     * direction taken from {@code network.direction}. A flow that the dataset could not attribute
     * to a process carries no {@code process.executable} and is ignored, as are events of other
     * actions.
     *
     * <p>NOTE: {@code @timestamp} of a {@code network_flow} event is when Auditbeat reported the
     * flow, which can be later than the connection ({@code event.start}). The window is measured to
     * {@code @timestamp}, so a flow reported more than one window after its process started does
     * not match.
     */
    static ParseResult mapSystemSocket(RawRecord record) {
        String action = FieldRules.lowerCase(record.peekText(Field.EVENT_ACTION));
        if (action == null
                || !SOCKET_ACTIONS.contains(action)
                || !record.has(Field.PROCESS_EXECUTABLE)
                || !record.has(Field.DESTINATION_IP)) {
            return ParseResult.ignored(EventSource.AUDITBEAT_SYSTEM);
        }
        try {
            SecurityEvent event =
                    toEvent(record, EventSource.AUDITBEAT_SYSTEM, EventAction.NETWORK_CONNECTION);
            event.direction = FieldRules.ecsDirection(record.text(Field.NETWORK_DIRECTION));
            return ParseResult.event(event);
        } catch (RecordException e) {
            return ParseResult.deadLetter(EventSource.AUDITBEAT_SYSTEM, e.reason(), e.detail());
        }
    }

    private static SecurityEvent toEvent(RawRecord record, EventSource source, EventAction action) {
        String hostName =
                firstNonNull(
                        optionalText(record, Field.HOST_NAME),
                        optionalText(record, Field.HOST_HOSTNAME));
        SecurityEvent event = EcsMapper.requiredFields(record, source, action, hostName);
        event.eventId = optionalText(record, Field.EVENT_ID);
        EcsMapper.processFields(record, event);
        event.executable = withoutDeletedSuffix(event.executable);
        return event;
    }

    /**
     * Returns whether the system call failed: {@code event.outcome: failure}, or {@code
     * auditd.result: fail} in versions that write no outcome.
     */
    private static boolean failed(RawRecord record) {
        return "failure".equalsIgnoreCase(record.peekText(Field.EVENT_OUTCOME))
                || "fail".equalsIgnoreCase(record.peekText(Field.AUDITD_RESULT));
    }

    /**
     * Removes the {@code " (deleted)"} suffix that the kernel appends to the path of an executable
     * unlinked while it runs. Implants often delete themselves after they start, and their
     * connections must still share the start's key.
     */
    static String withoutDeletedSuffix(String executable) {
        if (executable.endsWith(DELETED_SUFFIX) && executable.length() > DELETED_SUFFIX.length()) {
            return executable.substring(0, executable.length() - DELETED_SUFFIX.length());
        }
        return executable;
    }
}
