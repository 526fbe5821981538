package io.capwatch.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Property-based fuzzing of {@link EventParser}: records built from the shapes of every source,
 * then cut, spliced, retyped and nested at random. Whatever comes in, the parser must return, not
 * throw, and put the record in exactly one of event, ignored or dead letter. Each property runs a
 * fixed number of tries, so the time it takes in CI is bounded. jqwik prints the seed of a failing
 * run, so that the run can be replayed.
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

    @Property(tries = 3000)
    void parserNeverThrowsAndClassifiesEveryRecord(@ForAll("mutatedRecords") String record) {
        ParseResult result = parse(record);
        assertClassified(result);
        // The byte path must give the same outcome as the string path for valid UTF-8.
        ParseResult fromBytes = PARSER.parse(record.getBytes(StandardCharsets.UTF_8));
        assertEquals(result.outcome(), fromBytes.outcome(), "string and byte outcomes for " + record);
    }

    @Property(tries = 300)
    void deepNestingIsDeadLettered(@ForAll("deepRecords") String record) {
        ParseResult result = parse(record);
        assertClassified(result);
        assertEquals(ParseOutcome.DEAD_LETTER, result.outcome());
    }

    @Property(tries = 2000)
    void arbitraryBytesAreClassified(@ForAll("bytes") byte[] record) {
        ParseResult result;
        try {
            result = PARSER.parse(record);
        } catch (Throwable e) {
            throw new AssertionError("parse threw on " + record.length + " bytes", e);
        }
        assertClassified(result);
    }

    private static ParseResult parse(String record) {
        try {
            return PARSER.parse(record);
        } catch (Throwable e) {
            throw new AssertionError("parse threw on: " + record, e);
        }
    }

    private static void assertClassified(ParseResult result) {
        assertNotNull(result, "a parse result");
        assertNotNull(result.outcome(), "an outcome");
        switch (result.outcome()) {
            case EVENT -> {
                assertNotNull(result.event(), "an event's normalized record");
                assertNull(result.reason(), "an event has no dead-letter reason");
            }
            case IGNORED -> {
                assertNull(result.event(), "an ignored record has no event");
                assertNull(result.reason(), "an ignored record has no dead-letter reason");
            }
            case DEAD_LETTER -> {
                assertNull(result.event(), "a dead letter has no event");
                assertNotNull(result.reason(), "a dead letter's reason");
            }
        }
    }

    @Provide
    Arbitrary<String> mutatedRecords() {
        Arbitrary<String> seed = Arbitraries.of(SEEDS);
        Arbitrary<String> truncated =
                Combinators.combine(seed, Arbitraries.doubles().between(0, 1))
                        .as((s, f) -> s.substring(0, (int) (s.length() * f)));
        Arbitrary<String> spliced =
                Combinators.combine(seed, Arbitraries.doubles().between(0, 1), Arbitraries.strings().ofMaxLength(8))
                        .as((s, f, junk) -> {
                            int at = (int) (s.length() * f);
                            return s.substring(0, at) + junk + s.substring(at);
                        });
        Arbitrary<String> retyped =
                Combinators.combine(seed, Arbitraries.of(ODD_VALUES), Arbitraries.integers().between(0, 40))
                        .as(ParserFuzzTest::replaceValue);
        Arbitrary<String> unrelated = Arbitraries.strings().ofMaxLength(200);
        return Arbitraries.oneOf(seed, truncated, spliced, retyped, retyped, unrelated);
    }

    @Provide
    Arbitrary<String> deepRecords() {
        return Combinators.combine(
                        Arbitraries.integers().between(65, 20_000), Arbitraries.of("[", "{\"a\":"))
                .as((depth, open) -> open.repeat(depth) + "1");
    }

    @Provide
    Arbitrary<byte[]> bytes() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
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
