package io.capwatch.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.capwatch.rule.IpAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Random fuzzing of {@link EventParser}: records of every source, then cut, spliced, retyped,
 * nested, padded with huge strings and odd Unicode, or damaged byte by byte, and raw bytes.
 * Whatever comes in, the parser must return, not throw, and put the record in exactly one of
 * event, ignored or dead letter, and an event must carry every field the rule needs.
 *
 * <p>A new seed is drawn for each run and named in every failure with the try that failed. The
 * two mutation tests stop after {@code capwatch.fuzz.tries} tries (default 5000 and a third of
 * that) or {@code capwatch.fuzz.seconds} seconds each (default 3), whichever comes first, so their
 * time in CI is bounded. Set {@code -Dcapwatch.fuzz.seed=N} to replay a seed: the same records
 * are drawn, and every try runs whatever the time.
 */
class ParserFuzzTest {
    private static final EventParser PARSER = EventParser.withDefaults();

    private static final List<String> SEEDS =
            List.of(
                    "{\"@timestamp\":\"2024-05-14T10:00:00.000Z\",\"agent\":{\"type\":\"endpoint\"},"
                            + "\"event\":{\"id\":\"s-1\",\"category\":[\"process\"],\"type\":[\"start\"]},"
                            + "\"host\":{\"id\":\"h-a1\",\"name\":\"ws-a1\",\"os\":{\"type\":\"windows\"}},"
                            + "\"process\":{\"pid\":4242,\"entity_id\":\"e-1\","
                            + "\"executable\":\"C:\\\\Users\\\\u\\\\Downloads\\\\a.exe\","
                            + "\"hash\":{\"sha256\":\"c58d60b3f26ff0264d95cf12f08fe41f6ee9d9a67b87a60bd6d17b951ef9d805\"},"
                            + "\"code_signature\":{\"exists\":false}}}",
                    "{\"@timestamp\":\"2024-05-14T10:05:00.000Z\",\"agent\":{\"type\":\"endpoint\"},"
                            + "\"event\":{\"category\":[\"network\"],\"type\":[\"start\"],"
                            + "\"action\":\"connection_attempted\"},\"host\":{\"id\":\"h-a1\"},"
                            + "\"process\":{\"pid\":4242,\"executable\":\"C:\\\\Temp\\\\a.exe\"},"
                            + "\"network\":{\"direction\":\"egress\"},"
                            + "\"destination\":{\"ip\":\"93.184.216.34\",\"port\":443}}",
                    "{\"@timestamp\":\"2024-05-14T10:00:00.020Z\",\"event\":{\"code\":\"7\",\"module\":\"sysmon\"},"
                            + "\"host\":{\"name\":\"ws-a1\"},\"winlog\":{\"channel\":\"Microsoft-Windows-Sysmon/Operational\","
                            + "\"record_id\":\"5005\",\"event_data\":{\"Signed\":\"false\"}},"
                            + "\"process\":{\"pid\":8006,\"executable\":\"C:\\\\Users\\\\u\\\\Downloads\\\\f.exe\"},"
                            + "\"file\":{\"path\":\"C:\\\\Users\\\\u\\\\Downloads\\\\f.exe\"}}",
                    "{\"EventID\":3,\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"Hostname\":\"Pedro01\","
                            + "\"@timestamp\":\"2022-08-04T07:50:58.740Z\",\"UtcTime\":\"2022-08-04 07:50:58.740\","
                            + "\"Image\":\"C:\\\\Users\\\\IT01-Pedro\\\\Downloads\\\\payload.exe\",\"ProcessId\":\"7836\","
                            + "\"ProcessGuid\":\"{625b42a0-7849-62f1-8f02-000000000a00}\",\"Initiated\":\"true\","
                            + "\"DestinationIp\":\"192.168.56.40\",\"DestinationPort\":\"8443\"}",
                    "{\"@timestamp\":\"2024-05-14T10:00:00Z\",\"event\":{\"module\":\"auditd\","
                            + "\"action\":\"executed\",\"category\":[\"process\"],\"type\":[\"start\"]},"
                            + "\"host\":{\"name\":\"srv\",\"os\":{\"type\":\"linux\"}},"
                            + "\"process\":{\"pid\":101,\"executable\":\"/tmp/x\"}}");

    private static final List<String> ODD_VALUES =
            List.of(
                    "null", "true", "-1", "1e309", "9223372036854775808", "\"\"", "\"4242\"",
                    "\"999.1.1.1\"", "\"fe80::1%eth0\"", "\"::ffff:10.0.0.1\"", "[]", "[1,\"a\",null]",
                    "{}", "{\"a\":{\"b\":[{}]}}", "\"2024-13-45T99:99:99Z\"", "\"\\u0000\\ud800\"",
                    "\"C:\\\\\\\\?\\\\C:\\\\Temp\\\\x.exe\"");

    /** Keys of the fields the rule reads, in the nested and the flat Windows-event forms. */
    private static final List<String> RULE_KEYS =
            List.of(
                    "@timestamp", "UtcTime", "pid", "ProcessId", "executable", "Image", "ip",
                    "DestinationIp", "port", "DestinationPort", "category", "type", "action",
                    "code", "EventID", "name", "id", "exists", "trusted", "Signed", "Initiated",
                    "direction", "result");

    private static final long SEED =
            Long.getLong("capwatch.fuzz.seed", new Random().nextLong());

    private static final int TRIES = Integer.getInteger("capwatch.fuzz.tries", 5000);
    private static final long BUDGET_NANOS =
            TimeUnit.SECONDS.toNanos(Long.getLong("capwatch.fuzz.seconds", 3));
    private static final boolean REPLAY = System.getProperty("capwatch.fuzz.seed") != null;

    /** The inline seeds and every record builder of the parser tests. */
    private static final List<String> RECORDS = allRecords();

    /** Code points that trip naive text handling: surrogates, BOM, RTL override, NUL, U+10FFFF. */
    private static final String ODD_UNICODE =
            "\ud800\udfff\ufeff\ufffd\u202e\u0000\u001f\u007f\u0085\u2028\udbff\udfff\u00e9\u0301";

    @Test
    void parserNeverThrowsAndClassifiesEveryRecord() {
        Random random = new Random(SEED);
        long start = System.nanoTime();
        for (int i = 0; i < TRIES && withinBudget(start); i++) {
            String record = mutatedRecord(random);
            ParseResult result = parse(record, i);
            assertClassified(result, record, i);
            if (isWellFormedUtf16(record)) {
                // The byte path must give the same outcome as the string path for valid UTF-8.
                ParseResult fromBytes = parse(record.getBytes(StandardCharsets.UTF_8), i);
                assertEquals(
                        result.outcome(), fromBytes.outcome(), failure("string and byte outcomes", record, i));
            }
        }
    }

    @Test
    void damagedBytesAreClassified() {
        Random random = new Random(SEED);
        long start = System.nanoTime();
        for (int i = 0; i < TRIES / 3 && withinBudget(start); i++) {
            byte[] record = RECORDS.get(random.nextInt(RECORDS.size())).getBytes(StandardCharsets.UTF_8);
            int flips = 1 + random.nextInt(3);
            for (int flip = 0; flip < flips; flip++) {
                int at = random.nextInt(record.length);
                record[at] = random.nextBoolean()
                        ? (byte) (record[at] ^ (1 << random.nextInt(8)))
                        : (byte) random.nextInt(256);
            }
            String printable = new String(record, StandardCharsets.UTF_8);
            assertClassified(parse(record, i), printable, i);
        }
    }

    @Test
    void deepNestingIsDeadLettered() {
        Random random = new Random(SEED);
        for (int i = 0; i < 300; i++) {
            String open = random.nextBoolean() ? "[" : "{\"a\":";
            String record = open.repeat(65 + random.nextInt(20_000)) + "1";
            ParseResult result = parse(record, i);
            assertClassified(result, record, i);
            assertEquals(ParseOutcome.DEAD_LETTER, result.outcome(), failure("outcome", record, i));
        }
    }

    @Test
    void arbitraryBytesAreClassified() {
        Random random = new Random(SEED);
        for (int i = 0; i < 2000; i++) {
            byte[] record = new byte[random.nextInt(300)];
            random.nextBytes(record);
            assertClassified(parse(record, i), record.length + " random bytes", i);
        }
    }

    /** Returns whether a test begun at {@code startNanos} may draw another try. */
    private static boolean withinBudget(long startNanos) {
        return REPLAY || System.nanoTime() - startNanos < BUDGET_NANOS;
    }

    /** Returns the failure message, built only when an assertion fails. */
    private static Supplier<String> failure(String check, String record, int index) {
        return () -> check
                + " (try "
                + index
                + ", replay with -Dcapwatch.fuzz.seed="
                + SEED
                + "): "
                + abbreviate(record);
    }

    private static String abbreviate(String record) {
        return record.length() <= 300 ? record : record.substring(0, 300) + "...";
    }

    private static ParseResult parse(String record, int index) {
        try {
            return PARSER.parse(record);
        } catch (Throwable e) {
            throw new AssertionError(failure("parse threw", record, index).get(), e);
        }
    }

    private static ParseResult parse(byte[] record, int index) {
        try {
            return PARSER.parse(record);
        } catch (Throwable e) {
            throw new AssertionError(
                    failure("parse threw", new String(record, StandardCharsets.UTF_8), index).get(), e);
        }
    }

    private static void assertClassified(ParseResult result, String record, int index) {
        assertNotNull(result, failure("a parse result", record, index));
        assertNotNull(result.outcome(), failure("an outcome", record, index));
        switch (result.outcome()) {
            case EVENT -> {
                assertNotNull(result.event(), failure("an event's normalized record", record, index));
                assertNull(result.reason(), failure("an event has no dead-letter reason", record, index));
                assertUsable(result.event(), record, index);
            }
            case IGNORED -> {
                assertNull(result.event(), failure("an ignored record has no event", record, index));
                assertNull(result.reason(), failure("an ignored record has no reason", record, index));
                assertNotNull(result.source(), failure("an ignored record's source", record, index));
            }
            case DEAD_LETTER -> {
                assertNull(result.event(), failure("a dead letter has no event", record, index));
                assertNotNull(result.reason(), failure("a dead letter's reason", record, index));
                assertNotNull(result.detail(), failure("a dead letter's detail", record, index));
                assertTrue(
                        result.detail().length() <= 1000,
                        failure("a detail of at most 1000 chars", record, index));
            }
        }
    }

    /** Asserts that an event carries every field the rule reads, each within its range. */
    private static void assertUsable(SecurityEvent event, String record, int index) {
        assertNotNull(event.source, failure("an event's source", record, index));
        assertNotNull(event.action, failure("an event's action", record, index));
        assertTrue(
                event.timestamp >= Timestamps.EARLIEST_MILLIS,
                failure("an event time from year 0001", record, index));
        long latest = System.currentTimeMillis() + ParserLimits.DEFAULT_MAX_FUTURE_SKEW.toMillis();
        assertTrue(event.timestamp <= latest, failure("an event time within the future skew", record, index));
        assertNotNull(event.hostKey(), failure("an event's host", record, index));
        assertFalse(
                event.executable == null || event.executable.isEmpty(),
                failure("an event's executable", record, index));
        assertTrue(event.pid >= 0, failure("a non-negative pid", record, index));
        if (event.action == EventAction.NETWORK_CONNECTION) {
            assertTrue(
                    IpAddress.parse(event.destinationIp).isPresent(),
                    failure("a connection's valid destination", record, index));
            assertFalse(
                    event.destinationIp.contains("%"), failure("a destination without zone", record, index));
            assertTrue(
                    event.destinationPort == null
                            || (event.destinationPort >= 0 && event.destinationPort <= 65_535),
                    failure("a port from 0 to 65535", record, index));
        }
    }

    /** Draws a record, as it is or cut, spliced with junk, retyped, nested, padded, or unrelated text. */
    private static String mutatedRecord(Random random) {
        String seed = RECORDS.get(random.nextInt(RECORDS.size()));
        // Weights out of 20. Huge strings are the rarest, because each is 100 to 1000 times a record.
        int draw = random.nextInt(20);
        if (draw == 0) {
            return seed;
        }
        if (draw <= 2) {
            return seed.substring(0, random.nextInt(seed.length() + 1));
        }
        if (draw <= 4) {
            int at = random.nextInt(seed.length() + 1);
            return seed.substring(0, at) + randomText(random, 8) + seed.substring(at);
        }
        if (draw <= 8) {
            String value = ODD_VALUES.get(random.nextInt(ODD_VALUES.size()));
            return replaceValue(seed, value, random.nextBoolean() ? ruleFieldColon(seed, random) : random.nextInt(41));
        }
        if (draw <= 10) {
            // Around the default nesting limit of 64, so both sides of it are drawn.
            int depth = 50 + random.nextInt(30);
            return replaceValue(seed, "[".repeat(depth) + "1" + "]".repeat(depth), random.nextInt(41));
        }
        if (draw == 11) {
            // Around the default string limit of 128 Ki chars, and now and then the 1 MiB record limit.
            int length = random.nextInt(10) == 0
                    ? 1_040_000 + random.nextInt(20_000)
                    : 120_000 + random.nextInt(20_000);
            return replaceValue(seed, "\"" + "x".repeat(length) + "\"", random.nextInt(41));
        }
        if (draw <= 14) {
            return replaceValue(seed, "\"" + oddUnicode(random) + "\"", random.nextInt(41));
        }
        if (draw <= 16) {
            // Splices two records, which can leave a key twice or an object half closed.
            String other = RECORDS.get(random.nextInt(RECORDS.size()));
            return seed.substring(0, random.nextInt(seed.length() + 1))
                    + other.substring(random.nextInt(other.length() + 1));
        }
        return randomText(random, 200);
    }

    /** Returns up to 16 characters of {@link #ODD_UNICODE}, with JSON escapes mixed in. */
    private static String oddUnicode(Random random) {
        StringBuilder text = new StringBuilder();
        int length = random.nextInt(17);
        for (int i = 0; i < length; i++) {
            char c = ODD_UNICODE.charAt(random.nextInt(ODD_UNICODE.length()));
            if (c < 0x20 || random.nextBoolean()) {
                text.append(String.format("\\u%04x", (int) c));
            } else {
                text.append(c);
            }
        }
        return text.toString();
    }

    /** Returns whether {@code text} has no unpaired surrogate, so that UTF-8 encodes it exactly. */
    private static boolean isWellFormedUtf16(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    private static List<String> allRecords() {
        List<String> records = new ArrayList<>(SEEDS);
        for (ObjectNode record :
                List.of(
                        Records.endpointStart(),
                        Records.endpointConnection(),
                        Records.sysmonEcs("1"),
                        Records.sysmonEcs("3"),
                        Records.sysmonEcs("7"),
                        Records.flatSysmon(1),
                        Records.flatSysmon(3),
                        Records.flatSysmon(7),
                        Records.auditdExecuted(),
                        Records.auditdConnected(),
                        Records.systemSocketFlow())) {
            records.add(record.toString());
        }
        return List.copyOf(records);
    }

    /** Random text of up to {@code maxLength} characters, JSON punctuation and any code unit. */
    private static String randomText(Random random, int maxLength) {
        String punctuation = "{}[]:,\"\\ \n\t0123456789.-eE";
        StringBuilder text = new StringBuilder();
        int length = random.nextInt(maxLength + 1);
        for (int i = 0; i < length; i++) {
            text.append(
                    random.nextBoolean()
                            ? punctuation.charAt(random.nextInt(punctuation.length()))
                            : (char) random.nextInt(Character.MAX_VALUE + 1));
        }
        return text.toString();
    }

    /**
     * Returns the ordinal, as {@link #replaceValue} counts colons, of the colon after a random
     * one of the rule's keys that the record contains, or a random ordinal when it has none.
     */
    private static int ruleFieldColon(String record, Random random) {
        List<Integer> keyColons = new ArrayList<>();
        for (String key : RULE_KEYS) {
            int at = record.indexOf("\"" + key + "\":");
            if (at >= 0) {
                keyColons.add(at + key.length() + 2);
            }
        }
        if (keyColons.isEmpty()) {
            return random.nextInt(41);
        }
        int keyColon = keyColons.get(random.nextInt(keyColons.size()));
        int ordinal = 0;
        for (int i = record.indexOf(':'); i >= 0 && i < keyColon; i = record.indexOf(':', i + 1)) {
            ordinal++;
        }
        return ordinal;
    }

    /** Replaces the value after the {@code n}-th colon with {@code value}, up to the next comma. */
    private static String replaceValue(String record, String value, int n) {
        int colon = -1;
        for (int i = 0; i <= n; i++) {
            int next = record.indexOf(':', colon + 1);
            if (next < 0) {
                break;
            }
            colon = next;
        }
        if (colon < 0) {
            return record;
        }
        int end = colon + 1;
        int depth = 0;
        boolean inString = false;
        for (; end < record.length(); end++) {
            char c = record.charAt(end);
            if (inString) {
                if (c == '\\') {
                    end++;
                } else if (c == '"') {
                    inString = false;
                }
                continue;
            }
            if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                if (depth == 0) {
                    break;
                }
                depth--;
            } else if (c == ',' && depth == 0) {
                break;
            }
        }
        return record.substring(0, colon + 1) + value + record.substring(Math.min(end, record.length()));
    }
}
