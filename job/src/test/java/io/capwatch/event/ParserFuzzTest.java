package io.capwatch.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random fuzzing of {@link EventParser}: records built from the shapes of every source, then cut,
 * spliced, retyped and nested at random, and raw bytes. Whatever comes in, the parser must return,
 * not throw, and put the record in exactly one of event, ignored or dead letter. Each test runs a
 * fixed number of tries, so the time it takes in CI is bounded. A new seed is drawn for each run
 * and named in every failure; set {@code -Dcapwatch.fuzz.seed=N} to replay one.
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

    private static final long SEED =
            Long.getLong("capwatch.fuzz.seed", new Random().nextLong());

    @Test
    void parserNeverThrowsAndClassifiesEveryRecord() {
        Random random = new Random(SEED);
        for (int i = 0; i < 3000; i++) {
            String record = mutatedRecord(random);
            ParseResult result = parse(record);
            assertClassified(result, record);
            // The byte path must give the same outcome as the string path for valid UTF-8.
            ParseResult fromBytes = PARSER.parse(record.getBytes(StandardCharsets.UTF_8));
            assertEquals(result.outcome(), fromBytes.outcome(), failure("string and byte outcomes", record));
        }
    }

    @Test
    void deepNestingIsDeadLettered() {
        Random random = new Random(SEED);
        for (int i = 0; i < 300; i++) {
            String open = random.nextBoolean() ? "[" : "{\"a\":";
            String record = open.repeat(65 + random.nextInt(20_000)) + "1";
            ParseResult result = parse(record);
            assertClassified(result, record);
            assertEquals(ParseOutcome.DEAD_LETTER, result.outcome(), failure("outcome", record));
        }
    }

    @Test
    void arbitraryBytesAreClassified() {
        Random random = new Random(SEED);
        for (int i = 0; i < 2000; i++) {
            byte[] record = new byte[random.nextInt(300)];
            random.nextBytes(record);
            ParseResult result;
            try {
                result = PARSER.parse(record);
            } catch (Throwable e) {
                throw new AssertionError(failure("parse threw on " + record.length + " bytes", ""), e);
            }
            assertClassified(result, record.length + " random bytes");
        }
    }

    private static String failure(String what, String record) {
        return what + " (replay with -Dcapwatch.fuzz.seed=" + SEED + "): " + abbreviate(record);
    }

    private static String abbreviate(String record) {
        return record.length() <= 300 ? record : record.substring(0, 300) + "...";
    }

    private static ParseResult parse(String record) {
        try {
            return PARSER.parse(record);
        } catch (Throwable e) {
            throw new AssertionError(failure("parse threw", record), e);
        }
    }

    private static void assertClassified(ParseResult result, String record) {
        assertNotNull(result, failure("a parse result", record));
        assertNotNull(result.outcome(), failure("an outcome", record));
        switch (result.outcome()) {
            case EVENT -> {
                assertNotNull(result.event(), failure("an event's normalized record", record));
                assertNull(result.reason(), failure("an event has no dead-letter reason", record));
            }
            case IGNORED -> {
                assertNull(result.event(), failure("an ignored record has no event", record));
                assertNull(result.reason(), failure("an ignored record has no reason", record));
            }
            case DEAD_LETTER -> {
                assertNull(result.event(), failure("a dead letter has no event", record));
                assertNotNull(result.reason(), failure("a dead letter's reason", record));
            }
        }
    }

    /** Draws a seed record, as it is or cut, spliced with junk, retyped, or unrelated text. */
    private static String mutatedRecord(Random random) {
        String seed = SEEDS.get(random.nextInt(SEEDS.size()));
        switch (random.nextInt(6)) {
            case 0:
                return seed;
            case 1:
                return seed.substring(0, random.nextInt(seed.length() + 1));
            case 2: {
                int at = random.nextInt(seed.length() + 1);
                return seed.substring(0, at) + randomText(random, 8) + seed.substring(at);
            }
            case 3:
            case 4:
                return replaceValue(
                        seed, ODD_VALUES.get(random.nextInt(ODD_VALUES.size())), random.nextInt(41));
            default:
                return randomText(random, 200);
        }
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
