package io.capwatch.event;

import static io.capwatch.event.FieldRules.containsIgnoreCase;
import static io.capwatch.event.FieldRules.firstNonNull;
import static io.capwatch.event.FieldRules.optionalText;

import java.util.List;

/**
 * Recognizes and maps ECS documents: Elastic Endpoint (Elastic Defend) events and Sysmon events as
 * Winlogbeat or the Elastic Agent Windows integration write them.
 */
final class EcsMapper {

    static final String SYSMON_CHANNEL = "Microsoft-Windows-Sysmon/Operational";
    static final String SYSMON_PROVIDER = "Microsoft-Windows-Sysmon";

    private static final String CONNECTION_ATTEMPTED = "connection_attempted";
    private static final String CONNECTION_ACCEPTED = "connection_accepted";

    private EcsMapper() {}

    /** Returns whether the record comes from Elastic Endpoint. */
    static boolean isEndpoint(RawRecord record) {
        return "endpoint".equalsIgnoreCase(record.peekText(Field.AGENT_TYPE))
                || startsWithEndpoint(record.peekText(Field.DATA_STREAM_DATASET))
                || startsWithEndpoint(record.peekText(Field.EVENT_DATASET))
                || "endpoint".equalsIgnoreCase(record.peekText(Field.EVENT_MODULE));
    }

    /** Returns whether the record is a Sysmon event in ECS. */
    static boolean isSysmon(RawRecord record) {
        return "sysmon".equalsIgnoreCase(record.peekText(Field.EVENT_MODULE))
                || SYSMON_CHANNEL.equalsIgnoreCase(record.peekText(Field.WINLOG_CHANNEL))
                || SYSMON_PROVIDER.equalsIgnoreCase(record.peekText(Field.WINLOG_PROVIDER_NAME));
    }

    /**
     * Maps an Endpoint document: process starts (category {@code process}, type {@code start})
     * and connections (category {@code network} with action {@code connection_attempted} or
     * {@code connection_accepted}, or type {@code start} or {@code connection}). Any other
     * Endpoint event is ignored.
     */
    static ParseResult mapEndpoint(RawRecord record) {
        if (record.raw(Field.EVENT_CATEGORY) == RawRecord.NESTED) {
            return ParseResult.deadLetter(
                    EventSource.ENDPOINT,
                    DeadLetterReason.INVALID_FIELD,
                    "event.category is an object, expected a string or an array of strings");
        }
        List<String> categories = record.peekTexts(Field.EVENT_CATEGORY);
        if (categories.isEmpty()) {
            return ParseResult.deadLetter(
                    EventSource.ENDPOINT,
                    DeadLetterReason.MISSING_FIELD,
                    "event.category is missing, so the type of the Endpoint event is unknown");
        }
        List<String> types = record.peekTexts(Field.EVENT_TYPE);
        String eventAction = record.peekText(Field.EVENT_ACTION);
        EventAction action;
        if (containsIgnoreCase(categories, "process") && containsIgnoreCase(types, "start")) {
            action = EventAction.PROCESS_START;
        } else if (containsIgnoreCase(categories, "network")
                && (CONNECTION_ATTEMPTED.equalsIgnoreCase(eventAction)
                        || CONNECTION_ACCEPTED.equalsIgnoreCase(eventAction)
                        || containsIgnoreCase(types, "start")
                        || containsIgnoreCase(types, "connection"))) {
            action = EventAction.NETWORK_CONNECTION;
        } else {
            return ParseResult.ignored(EventSource.ENDPOINT);
        }
        try {
            String hostName = firstNonNull(
                    optionalText(record, Field.HOST_NAME), optionalText(record, Field.HOST_HOSTNAME));
            SecurityEvent event = requiredFields(record, EventSource.ENDPOINT, action, hostName);
            event.eventId = optionalText(record, Field.EVENT_ID);
            processFields(record, event);
            processSignature(record, event);
            if (action == EventAction.NETWORK_CONNECTION) {
                event.direction = endpointDirection(eventAction, record.text(Field.NETWORK_DIRECTION));
            }
            return ParseResult.event(event);
        } catch (RecordException e) {
            return ParseResult.deadLetter(EventSource.ENDPOINT, e.reason(), e.detail());
        }
    }

    /**
     * Maps a Sysmon ECS document by its event code ({@code event.code}, else {@code
     * winlog.event_id}): 1 process start, 3 network connection, 7 image load. Every other code,
     * DNS queries (22) included, is ignored.
     */
    static ParseResult mapSysmon(RawRecord record) {
        Field codeField = record.has(Field.EVENT_CODE) ? Field.EVENT_CODE : Field.WINLOG_EVENT_ID;
        String code = record.peekText(codeField);
        if (code == null) {
            return ParseResult.deadLetter(
                    EventSource.SYSMON_ECS,
                    DeadLetterReason.MISSING_FIELD,
                    "event.code and winlog.event_id are missing, so the type of the Sysmon event is"
                            + " unknown");
        }
        Long eventCode = RawRecord.parseDecimal(code);
        if (eventCode == null) {
            return ParseResult.deadLetter(
                    EventSource.SYSMON_ECS,
                    DeadLetterReason.INVALID_FIELD,
                    codeField.path + " is not a valid integer: " + RecordException.quote(code));
        }
        EventAction action = SysmonCodes.action(eventCode);
        if (action == null) {
            return ParseResult.ignored(EventSource.SYSMON_ECS);
        }
        try {
            String hostName = firstNonNull(
                    firstNonNull(optionalText(record, Field.HOST_NAME), optionalText(record, Field.HOST_HOSTNAME)),
                    optionalText(record, Field.WINLOG_COMPUTER_NAME));
            SecurityEvent event = requiredFields(record, EventSource.SYSMON_ECS, action, hostName);
            event.eventId = sysmonEventId(record);
            processFields(record, event);
            if (action == EventAction.IMAGE_LOAD) {
                imageLoadFields(record, event);
            } else {
                processSignature(record, event);
            }
            if (action == EventAction.NETWORK_CONNECTION) {
                Direction direction = FieldRules.ecsDirection(record.text(Field.NETWORK_DIRECTION));
                event.direction = direction != Direction.UNKNOWN
                        ? direction
                        : FieldRules.initiatedDirection(record.bool(Field.WINLOG_INITIATED));
            }
            return ParseResult.event(event);
        } catch (RecordException e) {
            return ParseResult.deadLetter(EventSource.SYSMON_ECS, e.reason(), e.detail());
        }
    }

    /**
     * Creates the event with the fields every event needs, checked in this order: timestamp,
     * host, executable, pid, and for a connection the destination address.
     */
    static SecurityEvent requiredFields(
            RawRecord record, EventSource source, EventAction action, String hostName) {
        SecurityEvent event = new SecurityEvent();
        event.source = source;
        event.action = action;
        Long timestamp = FieldRules.timestamp(record, Field.TIMESTAMP);
        if (timestamp == null) {
            throw RecordException.missing("@timestamp is missing");
        }
        event.timestamp = timestamp;
        event.hostId = optionalText(record, Field.HOST_ID);
        event.hostName = hostName;
        if (event.hostId == null && hostName == null) {
            throw RecordException.missing("host.id and host.name are missing");
        }
        event.executable = FieldRules.requireText(record, Field.PROCESS_EXECUTABLE);
        event.pid = FieldRules.requirePid(record, Field.PROCESS_PID);
        if (action == EventAction.NETWORK_CONNECTION) {
            event.destinationIp = FieldRules.requireDestinationIp(record, Field.DESTINATION_IP);
            event.destinationPort = FieldRules.port(record, Field.DESTINATION_PORT);
            event.sourceIp = optionalText(record, Field.SOURCE_IP);
        }
        return event;
    }

    /** Fills the optional process, host and user fields that every ECS source writes alike. */
    static void processFields(RawRecord record, SecurityEvent event) {
        event.sequence = record.integer(Field.EVENT_SEQUENCE);
        event.hostOsType = optionalText(record, Field.HOST_OS_TYPE);
        event.userName = optionalText(record, Field.USER_NAME);
        event.userDomain = optionalText(record, Field.USER_DOMAIN);
        event.entityId = optionalText(record, Field.PROCESS_ENTITY_ID);
        event.sha256 = FieldRules.lowerCase(optionalText(record, Field.PROCESS_SHA256));
        event.parentExecutable = record.text(Field.PROCESS_PARENT_EXECUTABLE);
        event.commandLine = record.text(Field.PROCESS_COMMAND_LINE);
    }

    private static void processSignature(RawRecord record, SecurityEvent event) {
        event.signatureExists = record.bool(Field.PROCESS_SIGNATURE_EXISTS);
        event.signatureTrusted = record.bool(Field.PROCESS_SIGNATURE_TRUSTED);
        event.signatureSubject = record.text(Field.PROCESS_SIGNATURE_SUBJECT);
        event.signatureStatus = record.text(Field.PROCESS_SIGNATURE_STATUS);
        event.signatureSigningId = record.text(Field.PROCESS_SIGNATURE_SIGNING_ID);
        event.signatureTeamId = record.text(Field.PROCESS_SIGNATURE_TEAM_ID);
    }

    /**
     * Fills the loaded image, its hash and its signature. Sysmon's own {@code Signed} field wins
     * over {@code file.code_signature.*} when both are present.
     */
    private static void imageLoadFields(RawRecord record, SecurityEvent event) {
        event.loadedImage = firstNonNull(
                optionalText(record, Field.FILE_PATH), optionalText(record, Field.WINLOG_IMAGE_LOADED));
        // The process hash does not describe a loaded DLL, so it is not a fallback.
        event.sha256 = FieldRules.lowerCase(optionalText(record, Field.FILE_SHA256));
        String status = firstNonNull(
                record.text(Field.WINLOG_SIGNATURE_STATUS), record.text(Field.FILE_SIGNATURE_STATUS));
        String subject = firstNonNull(
                record.text(Field.WINLOG_SIGNATURE), record.text(Field.FILE_SIGNATURE_SUBJECT));
        Boolean signed = record.bool(Field.WINLOG_SIGNED);
        if (signed != null) {
            CodeSignatures.applySysmon(event, signed, status, subject);
            return;
        }
        Boolean exists = firstNonNull(
                record.bool(Field.FILE_SIGNATURE_EXISTS), record.bool(Field.FILE_SIGNATURE_SIGNED));
        Boolean trusted = firstNonNull(
                record.bool(Field.FILE_SIGNATURE_TRUSTED), record.bool(Field.FILE_SIGNATURE_VALID));
        CodeSignatures.applyEcs(event, exists, trusted, status, subject);
    }

    /** Returns {@code event.id}, else {@code winlog.computer_name:winlog.record_id}. */
    private static String sysmonEventId(RawRecord record) {
        String eventId = optionalText(record, Field.EVENT_ID);
        if (eventId != null) {
            return eventId;
        }
        String recordId = optionalText(record, Field.WINLOG_RECORD_ID);
        if (recordId == null) {
            return null;
        }
        String computer = optionalText(record, Field.WINLOG_COMPUTER_NAME);
        return computer == null ? recordId : computer + ":" + recordId;
    }

    /**
     * Maps an Endpoint connection's direction. The action wins over {@code network.direction}
     * when they disagree, because it names the socket call that the agent observed.
     */
    private static Direction endpointDirection(String eventAction, String networkDirection) {
        if (CONNECTION_ACCEPTED.equalsIgnoreCase(eventAction)) {
            return Direction.INBOUND;
        }
        if (CONNECTION_ATTEMPTED.equalsIgnoreCase(eventAction)) {
            return Direction.OUTBOUND;
        }
        return FieldRules.ecsDirection(networkDirection);
    }

    private static boolean startsWithEndpoint(String dataset) {
        return dataset != null && dataset.regionMatches(true, 0, "endpoint.", 0, "endpoint.".length());
    }
}
