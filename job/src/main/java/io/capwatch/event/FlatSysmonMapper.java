package io.capwatch.event;

import static io.capwatch.event.FieldRules.firstNonNull;
import static io.capwatch.event.FieldRules.optionalText;

/**
 * Recognizes and maps flat Windows-event JSON, the shape NXLog-style collectors write: the event's
 * own fields at top level next to {@code EventID}, {@code Channel} and {@code Hostname}.
 *
 * <p>NOTE: {@code ProcessID} (capital D) is not read. In NXLog output it is the event's System
 * ProcessID, which Windows defines as the process of the provider that logged the event, and it
 * repeats across events of different images. A Sysmon record that carries only {@code ProcessID}
 * and not Sysmon's own {@code ProcessId} is dead-lettered as missing {@code ProcessId}.
 */
final class FlatSysmonMapper {

    private FlatSysmonMapper() {}

    /** Returns whether the record is a flat Windows event: {@code EventID} and a channel or provider. */
    static boolean isFlatWindowsEvent(RawRecord record) {
        return record.has(Field.FLAT_EVENT_ID)
                && (record.has(Field.FLAT_CHANNEL)
                        || record.has(Field.FLAT_SOURCE_NAME)
                        || record.has(Field.FLAT_PROVIDER_NAME));
    }

    /**
     * Maps a flat Windows event. Sysmon events 1, 3 and 7 become events. Other Sysmon events and
     * events of other channels (Security, PowerShell, ...) are ignored.
     */
    static ParseResult map(RawRecord record) {
        boolean sysmon = EcsMapper.SYSMON_CHANNEL.equalsIgnoreCase(record.peekText(Field.FLAT_CHANNEL))
                || EcsMapper.SYSMON_PROVIDER.equalsIgnoreCase(record.peekText(Field.FLAT_SOURCE_NAME))
                || EcsMapper.SYSMON_PROVIDER.equalsIgnoreCase(record.peekText(Field.FLAT_PROVIDER_NAME));
        if (!sysmon) {
            return ParseResult.ignored(EventSource.SYSMON_FLAT);
        }
        String eventIdText = record.peekText(Field.FLAT_EVENT_ID);
        Long eventId = eventIdText == null ? null : RawRecord.parseDecimal(eventIdText);
        if (eventId == null) {
            return ParseResult.deadLetter(
                    EventSource.SYSMON_FLAT,
                    DeadLetterReason.INVALID_FIELD,
                    "EventID is not a valid integer: " + RecordException.quote(eventIdText));
        }
        EventAction action = SysmonCodes.action(eventId);
        if (action == null) {
            return ParseResult.ignored(EventSource.SYSMON_FLAT);
        }
        try {
            return ParseResult.event(toEvent(record, action));
        } catch (RecordException e) {
            return ParseResult.deadLetter(EventSource.SYSMON_FLAT, e.reason(), e.detail());
        }
    }

    private static SecurityEvent toEvent(RawRecord record, EventAction action) {
        SecurityEvent event = new SecurityEvent();
        event.source = EventSource.SYSMON_FLAT;
        event.action = action;

        // Required, in the same order as for ECS: timestamp, host, executable, pid, destination.
        Long timestamp = FieldRules.timestamp(record, Field.TIMESTAMP);
        if (timestamp == null) {
            timestamp = FieldRules.timestamp(record, Field.FLAT_UTC_TIME);
        }
        if (timestamp == null) {
            throw RecordException.missing("@timestamp and UtcTime are missing");
        }
        event.timestamp = timestamp;
        event.hostName = FieldRules.requireText(record, Field.FLAT_HOSTNAME);
        event.executable = FieldRules.requireText(record, Field.FLAT_IMAGE);
        event.pid = FieldRules.requirePid(record, Field.FLAT_PROCESS_ID);
        if (action == EventAction.NETWORK_CONNECTION) {
            event.destinationIp = FieldRules.requireDestinationIp(record, Field.FLAT_DESTINATION_IP);
            event.destinationPort = FieldRules.port(record, Field.FLAT_DESTINATION_PORT);
            event.sourceIp = optionalText(record, Field.FLAT_SOURCE_IP);
            event.direction = FieldRules.initiatedDirection(record.bool(Field.FLAT_INITIATED));
        }

        event.eventId = firstNonNull(
                optionalText(record, Field.FLAT_RECORD_NUMBER), optionalText(record, Field.FLAT_EVENT_RECORD_ID));
        event.entityId = optionalText(record, Field.FLAT_PROCESS_GUID);
        event.parentExecutable = record.text(Field.FLAT_PARENT_IMAGE);
        event.commandLine = record.text(Field.FLAT_COMMAND_LINE);
        setUser(event, optionalText(record, Field.FLAT_USER));
        event.sha256 = sha256(optionalText(record, Field.FLAT_HASHES));
        if (action == EventAction.IMAGE_LOAD) {
            event.loadedImage = optionalText(record, Field.FLAT_IMAGE_LOADED);
            Boolean signed = record.bool(Field.FLAT_SIGNED);
            if (signed != null) {
                CodeSignatures.applySysmon(
                        event,
                        signed,
                        record.text(Field.FLAT_SIGNATURE_STATUS),
                        record.text(Field.FLAT_SIGNATURE));
            }
        }
        return event;
    }

    /** Splits Sysmon's {@code DOMAIN\name} into domain and name. A user without a backslash has no domain. */
    private static void setUser(SecurityEvent event, String user) {
        if (user == null) {
            return;
        }
        int backslash = user.indexOf('\\');
        if (backslash < 0) {
            event.userName = user;
            return;
        }
        event.userDomain = backslash == 0 ? null : user.substring(0, backslash);
        event.userName = user.substring(backslash + 1);
    }

    /**
     * Returns the lower-cased SHA256 of Sysmon's {@code Hashes} ({@code
     * SHA1=..,MD5=..,SHA256=..,IMPHASH=..}), or null when it lists none.
     */
    static String sha256(String hashes) {
        if (hashes == null) {
            return null;
        }
        int start = 0;
        while (start < hashes.length()) {
            int comma = hashes.indexOf(',', start);
            int end = comma < 0 ? hashes.length() : comma;
            int equals = hashes.indexOf('=', start);
            if (equals > start && equals < end && hashes.substring(start, equals).trim().equalsIgnoreCase("SHA256")) {
                String value = hashes.substring(equals + 1, end).trim();
                return value.isEmpty() ? null : FieldRules.lowerCase(value);
            }
            start = end + 1;
        }
        return null;
    }
}
