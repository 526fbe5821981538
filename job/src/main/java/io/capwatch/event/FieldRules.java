package io.capwatch.event;

import io.capwatch.rule.IpAddress;
import java.util.List;
import java.util.Locale;

/**
 * Conversions and checks shared by the mappers of all sources: required fields, timestamps,
 * addresses, ports and directions. Each check throws {@link RecordException} naming the field.
 */
final class FieldRules {

    private static final int MAX_PORT = 65_535;

    private FieldRules() {}

    /**
     * Returns the timestamp in epoch milliseconds: an ISO-8601 string (see {@link Timestamps}) or
     * a JSON integer of epoch milliseconds. An integer must lie in the years 0001 to 9999 that the
     * text form covers, which also keeps {@code Long.MIN_VALUE}, Flink's "no timestamp", out.
     *
     * @return the timestamp, or null when the field is absent
     * @throws RecordException when the value is neither, or out of that range
     */
    static Long timestamp(RawRecord record, Field field) {
        Object value = record.raw(field);
        if (value instanceof List<?> list) {
            value = list.isEmpty() ? null : list.get(0);
        }
        if (value == null) {
            return null;
        }
        Long millis = null;
        if (value instanceof String text) {
            millis = Timestamps.parse(text);
        } else if (value instanceof RawRecord.JsonNumber number) {
            millis = RawRecord.parseDecimal(number.text());
            if (millis != null
                    && (millis < Timestamps.EARLIEST_MILLIS || millis > Timestamps.LATEST_MILLIS)) {
                throw RecordException.invalid(
                        field.path, "is epoch milliseconds outside the years 0001 to 9999", number.text());
            }
        }
        if (millis == null) {
            throw RecordException.invalid(
                    field.path,
                    "is not an ISO-8601 timestamp or epoch milliseconds",
                    RawRecord.describe(value));
        }
        return millis;
    }

    /** Returns the text of a required field, treating an empty string as missing. */
    static String requireText(RawRecord record, Field field) {
        String text = record.text(field);
        if (text == null || text.isEmpty()) {
            throw RecordException.missing(field.path + " is missing");
        }
        return text;
    }

    /** Returns the text of an optional field, or null when it is absent or empty. */
    static String optionalText(RawRecord record, Field field) {
        String text = record.text(field);
        return text == null || text.isEmpty() ? null : text;
    }

    /** Returns a required process id, which must be a non-negative integer. */
    static long requirePid(RawRecord record, Field field) {
        Long pid = record.integer(field);
        if (pid == null) {
            throw RecordException.missing(field.path + " is missing");
        }
        if (pid < 0) {
            throw RecordException.invalid(field.path, "is negative", pid.toString());
        }
        return pid;
    }

    /**
     * Returns a required destination address as logged but without a {@code %zone} suffix or
     * brackets, so that it is a valid Elasticsearch {@code ip} value.
     *
     * @throws RecordException when absent, or when not a valid IP literal
     */
    static String requireDestinationIp(RawRecord record, Field field) {
        String text = requireText(record, field);
        if (IpAddress.parse(text).isEmpty()) {
            throw RecordException.invalid(field.path, "is not a valid IP address", text);
        }
        return stripZoneAndBrackets(text);
    }

    /** Returns a port, or null when absent. */
    static Integer port(RawRecord record, Field field) {
        Long port = record.integer(field);
        if (port == null) {
            return null;
        }
        if (port < 0 || port > MAX_PORT) {
            throw RecordException.invalid(field.path, "is not a port number from 0 to 65535", port.toString());
        }
        return port.intValue();
    }

    /** Maps ECS {@code network.direction}. Other values, such as {@code internal}, are unknown. */
    static Direction ecsDirection(String direction) {
        if (direction == null) {
            return Direction.UNKNOWN;
        }
        switch (direction.toLowerCase(Locale.ROOT)) {
            case "egress":
            case "outbound":
                return Direction.OUTBOUND;
            case "ingress":
            case "inbound":
                return Direction.INBOUND;
            default:
                return Direction.UNKNOWN;
        }
    }

    /** Maps Sysmon {@code Initiated}: true means the host opened the connection. */
    static Direction initiatedDirection(Boolean initiated) {
        if (initiated == null) {
            return Direction.UNKNOWN;
        }
        return initiated ? Direction.OUTBOUND : Direction.INBOUND;
    }

    static String lowerCase(String text) {
        return text == null ? null : text.toLowerCase(Locale.ROOT);
    }

    static boolean containsIgnoreCase(List<String> values, String expected) {
        for (String value : values) {
            if (expected.equalsIgnoreCase(value)) {
                return true;
            }
        }
        return false;
    }

    static String firstNonNull(String first, String second) {
        return first != null ? first : second;
    }

    static Boolean firstNonNull(Boolean first, Boolean second) {
        return first != null ? first : second;
    }

    private static String stripZoneAndBrackets(String address) {
        int start = address.startsWith("[") ? 1 : 0;
        int end = address.endsWith("]") ? address.length() - 1 : address.length();
        int zone = address.indexOf('%', start);
        if (zone >= 0 && zone < end) {
            end = zone;
        }
        return start == 0 && end == address.length() ? address : address.substring(start, end);
    }
}
