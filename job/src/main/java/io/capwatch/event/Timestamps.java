package io.capwatch.event;

import java.time.DateTimeException;
import java.time.LocalDate;

/**
 * Parsing of event timestamps to epoch milliseconds. One reader covers both ECS {@code @timestamp}
 * and Sysmon {@code UtcTime}, which {@code DateTimeFormatter.ISO_OFFSET_DATE_TIME} does not.
 *
 * <p>Accepted text: {@code yyyy-MM-dd}, then {@code T} or a space, {@code HH:mm}, optional {@code
 * :ss}, an optional fraction of 1-9 digits (truncated to milliseconds), and an optional zone:
 * {@code Z}, {@code +HH:MM}, {@code +HHMM} or {@code +HH}. Without a zone the time is UTC, as in
 * Sysmon's {@code UtcTime} ({@code 2022-08-08 20:55:37.482}) and as Elasticsearch reads a date
 * without an offset.
 */
final class Timestamps {

    /** 0001-01-01T00:00:00Z, the earliest time the text form can express, in epoch milliseconds. */
    static final long EARLIEST_MILLIS = -62_135_596_800_000L;
    /** 9999-12-31T23:59:59.999Z, the latest time the text form can express, in epoch milliseconds. */
    static final long LATEST_MILLIS = 253_402_300_799_999L;

    private static final long MILLIS_PER_SECOND = 1000L;
    private static final long SECONDS_PER_DAY = 86_400L;
    private static final int MAX_OFFSET_HOURS = 18;

    private Timestamps() {}

    /**
     * Parses an ISO-8601 date-time as described in the class comment.
     *
     * @return epoch milliseconds, or null when the text is not a valid timestamp
     */
    static Long parse(String text) {
        Cursor cursor = new Cursor(text);
        int year = cursor.digits(4);
        if (year < 0 || !cursor.expect('-')) {
            return null;
        }
        int month = cursor.digits(2);
        if (month < 0 || !cursor.expect('-')) {
            return null;
        }
        int day = cursor.digits(2);
        if (day < 0 || !(cursor.expect('T') || cursor.expect('t') || cursor.expect(' '))) {
            return null;
        }

        int hour = cursor.digits(2);
        if (hour < 0 || !cursor.expect(':')) {
            return null;
        }
        int minute = cursor.digits(2);
        if (minute < 0) {
            return null;
        }

        int second = 0;
        int millis = 0;
        if (cursor.expect(':')) {
            second = cursor.digits(2);
            if (second < 0) {
                return null;
            }
            if (cursor.expect('.') || cursor.expect(',')) {
                millis = cursor.fractionMillis();
                if (millis < 0) {
                    return null;
                }
            }
        }

        Integer offsetSeconds = cursor.zoneOffsetSeconds();
        if (offsetSeconds == null || !cursor.atEnd()) {
            return null;
        }
        if (hour > 23 || minute > 59 || second > 59) {
            return null;
        }

        long epochDay;
        try {
            epochDay = LocalDate.of(year, month, day).toEpochDay();
        } catch (DateTimeException invalidDate) {
            return null;
        }
        long epochSecond = epochDay * SECONDS_PER_DAY + hour * 3600L + minute * 60L + second - offsetSeconds;
        return epochSecond * MILLIS_PER_SECOND + millis;
    }

    /** A read position in the timestamp text. Each reader returns -1 or null on a mismatch. */
    private static final class Cursor {
        private final String text;
        private int position;

        Cursor(String text) {
            this.text = text;
        }

        boolean atEnd() {
            return position == text.length();
        }

        boolean expect(char c) {
            if (position < text.length() && text.charAt(position) == c) {
                position++;
                return true;
            }
            return false;
        }

        /** Reads exactly {@code count} ASCII digits. */
        int digits(int count) {
            if (position + count > text.length()) {
                return -1;
            }
            int value = 0;
            for (int i = 0; i < count; i++) {
                char c = text.charAt(position + i);
                if (c < '0' || c > '9') {
                    return -1;
                }
                value = value * 10 + (c - '0');
            }
            position += count;
            return value;
        }

        /** Reads 1-9 fraction digits and returns the whole milliseconds they contain. */
        int fractionMillis() {
            int start = position;
            int millis = 0;
            while (position < text.length() && text.charAt(position) >= '0' && text.charAt(position) <= '9') {
                if (position - start < 3) {
                    millis = millis * 10 + (text.charAt(position) - '0');
                }
                position++;
            }
            int count = position - start;
            if (count == 0 || count > 9) {
                return -1;
            }
            for (int i = count; i < 3; i++) {
                millis *= 10;
            }
            return millis;
        }

        /** Reads an optional zone and returns its offset in seconds: 0 for none or Z, null when invalid. */
        Integer zoneOffsetSeconds() {
            if (atEnd()) {
                return 0;
            }
            if (expect('Z') || expect('z')) {
                return 0;
            }
            int sign;
            if (expect('+')) {
                sign = 1;
            } else if (expect('-')) {
                sign = -1;
            } else {
                return null;
            }
            int hours = digits(2);
            if (hours < 0 || hours > MAX_OFFSET_HOURS) {
                return null;
            }
            int minutes = 0;
            if (!atEnd()) {
                boolean colon = expect(':');
                minutes = digits(2);
                if (minutes < 0 || minutes > 59 || (!colon && !atEnd())) {
                    return null;
                }
            }
            return sign * (hours * 3600 + minutes * 60);
        }
    }
}
