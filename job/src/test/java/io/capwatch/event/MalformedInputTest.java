package io.capwatch.event;

import static io.capwatch.event.Records.assertDeadLetter;
import static io.capwatch.event.Records.assertEvent;
import static io.capwatch.event.Records.assertWellFormed;
import static io.capwatch.event.Records.at;
import static io.capwatch.event.Records.endpointConnection;
import static io.capwatch.event.Records.endpointStart;
import static io.capwatch.event.Records.flatSysmon;
import static io.capwatch.event.Records.sysmonEcs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Records that are not JSON, exceed a limit or are damaged, and the records just inside each limit. */
class MalformedInputTest {

    private final EventParser parser = EventParser.withDefaults();

    @ParameterizedTest(name = "invalid JSON {0}")
    @ValueSource(
            strings = {
                "",
                "   ",
                "\n",
                "not json",
                "<13>May 14 10:00:30 ws-a1 agent: upload queue flushed",
                "[1,2]",
                "[]",
                "\"a string\"",
                "42",
                "null",
                "true",
                "{",
                "{\"a\":",
                "{\"a\":1",
                "{\"a\":1,}",
                "{\"a\" 1}",
                "{a:1}",
                "{'a':1}",
                "{\"a\":1} x",
                "{\"a\":1}}",
                "{\"a\":1}{\"b\":2}",
                "{\"a\":1} {\"b\":2}",
                "{\"a\":1}\n{\"b\":2}",
                "{\"a\":NaN}",
                "{\"a\":01}",
                "{/* comment */\"a\":1}",
                "{\"a\":\"unterminated}",
                "{\"a\":\"bad \\x escape\"}",
            })
    void invalidJsonIsDeadLettered(String record) {
        ParseResult fromString = parser.parse(record);
        assertDeadLetter(fromString, DeadLetterReason.INVALID_JSON);
        ParseResult fromBytes = parser.parse(record.getBytes(StandardCharsets.UTF_8));
        assertDeadLetter(fromBytes, DeadLetterReason.INVALID_JSON);
    }

    @Test
    void trailingWhitespaceIsAccepted() {
        assertEvent(parser.parse(endpointStart().toString() + " \r\n"));
    }

    @Test
    void unexpectedExceptionIsDeadLettered() {
        ParseResult result = EventParser.failure(new IllegalStateException("boom"));
        assertDeadLetter(result, DeadLetterReason.INVALID_FIELD, "unexpected error", "IllegalStateException", "boom");
    }

    @Test
    void nullInputIsDeadLettered() {
        assertDeadLetter(parser.parse((String) null), DeadLetterReason.INVALID_JSON, "null");
        assertDeadLetter(parser.parse((byte[]) null), DeadLetterReason.INVALID_JSON, "null");
    }

    @Test
    void invalidUtf8IsDeadLettered() {
        byte[] record = endpointStart().toString().getBytes(StandardCharsets.UTF_8);
        int at = indexOf(record, "upd.exe");
        record[at] = (byte) 0xC3;
        record[at + 1] = (byte) 0x28;
        assertDeadLetter(parser.parse(record), DeadLetterReason.INVALID_JSON);
    }

    /** Ill-formed UTF-8 put in place of "upd" in the executable, each named by what it encodes. */
    @ParameterizedTest(name = "bytes {0}")
    @ValueSource(
            strings = {
                "c0af", // overlong '/', which Jackson would read as '/'
                "e080af", // overlong '/' in three bytes
                "f08080af", // overlong '/' in four bytes
                "eda080", // the surrogate U+D800 (CESU-8)
                "f4908080", // past U+10FFFF
                "f5808080",
                "ff",
                "80", // a continuation byte without a lead
                "e282", // a three-byte sequence cut after two
                "00", // NUL, which JSON text cannot contain
            })
    void illFormedUtf8IsInvalidJson(String hex) {
        byte[] record = withBytesAt(endpointStart().toString(), "upd", HexFormat.of().parseHex(hex));
        assertDeadLetter(parser.parse(record), DeadLetterReason.INVALID_JSON, "invalid UTF-8", "offset");
    }

    @Test
    void illFormedUtf8InSkippedFieldIsInvalidJson() {
        ObjectNode record = endpointStart();
        record.put("message", "xyz");
        byte[] bytes = withBytesAt(record.toString(), "xyz", HexFormat.of().parseHex("c0af"));
        assertDeadLetter(parser.parse(bytes), DeadLetterReason.INVALID_JSON, "invalid UTF-8");
    }

    @Test
    void wellFormedMultibyteIsParsed() {
        // Two-, three- and four-byte sequences, U+10FFFF the highest of them.
        String name = "\u00e9\u20ac\ud83d\ude00\udbff\udfff";
        String text = endpointStart().toString().replace("upd.exe", name + ".exe");
        SecurityEvent event = assertEvent(parser.parse(text.getBytes(StandardCharsets.UTF_8)));
        assertTrue(event.executable.endsWith(name + ".exe"), event.executable);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"UTF-16LE", "UTF-16BE", "UTF-16", "UTF-32LE", "ISO-8859-1"})
    void otherEncodingsAreInvalidJson(String charset) {
        String text = endpointStart().toString().replace("upd.exe", "\u00e9.exe");
        byte[] record = text.getBytes(java.nio.charset.Charset.forName(charset));
        assertDeadLetter(parser.parse(record), DeadLetterReason.INVALID_JSON, "invalid UTF-8");
    }

    @Test
    void loneSurrogateEscapeInPathIsKept() {
        // NTFS names are UTF-16 without validation, so a path may hold an unpaired surrogate.
        String text = endpointStart().toString().replace("upd.exe", "a\\ud800.exe");
        String expected = "C:\\Users\\user01\\AppData\\Local\\Temp\\a\ud800.exe";
        assertEquals(expected, assertEvent(parser.parse(text)).executable);
        assertEquals(expected, assertEvent(parser.parse(text.getBytes(StandardCharsets.UTF_8))).executable);
    }

    @Test
    void controlCharactersInPathAreKept() {
        ObjectNode record = endpointStart();
        at(record, "process").put("executable", "C:\\Temp\\a\u0000\u001b\u202e.exe");
        assertEquals("C:\\Temp\\a\u0000\u001b\u202e.exe", assertEvent(parser.parse(record.toString())).executable);
    }

    @Test
    void longestWindowsPathIsParsed() {
        // 32,767 chars, the limit of an extended-length path.
        String path = "\\\\?\\C:\\" + "d\\".repeat(16_376) + "abcd.exe";
        assertEquals(32_767, path.length());
        ObjectNode record = endpointStart();
        at(record, "process").put("executable", path);
        assertEquals(path, assertEvent(parser.parse(record.toString())).executable);
    }

    @Test
    void severalMegabyteRecordIsTooLarge() {
        ObjectNode record = endpointStart();
        at(record, "process").put("command_line", "A".repeat(5 * 1024 * 1024));
        assertDeadLetter(parser.parse(record.toString()), DeadLetterReason.TOO_LARGE, "over the limit of 1048576 bytes");
        assertDeadLetter(parser.parse(record.toString().getBytes(StandardCharsets.UTF_8)), DeadLetterReason.TOO_LARGE);
    }

    @Test
    void notAnObjectDetailNamesType() {
        assertDeadLetter(parser.parse("[{\"a\":1}]"), DeadLetterReason.INVALID_JSON, "not a JSON object", "array");
    }

    @Test
    void trailingGarbageDetailSaysSo() {
        assertDeadLetter(parser.parse("{\"a\":1} {\"b\":2}"), DeadLetterReason.INVALID_JSON, "after the JSON object");
    }

    @Test
    void invalidJsonDetailHasLocation() {
        assertDeadLetter(parser.parse("{\"a\":1,}"), DeadLetterReason.INVALID_JSON, "line 1, column");
    }

    /** Every proper prefix of a record is truncated JSON, wherever the cut falls. */
    @Test
    void everyTruncationIsInvalidJson() {
        List<String> records = List.of(
                endpointStart().toString(),
                endpointConnection().toString(),
                sysmonEcs("7").toString(),
                flatSysmon(1).toString());
        for (String record : records) {
            byte[] bytes = record.getBytes(StandardCharsets.UTF_8);
            for (int length = 0; length < bytes.length; length++) {
                byte[] prefix = Arrays.copyOf(bytes, length);
                ParseResult result = parser.parse(prefix);
                int cut = length;
                assertEquals(
                        DeadLetterReason.INVALID_JSON,
                        result.reason(),
                        () -> "cut at " + cut + ": " + Records.describe(result));
            }
        }
    }

    /** Damaged copies of valid records: whatever comes out, the parser returns a well-formed result. */
    @Test
    void randomDamageNeverThrows() {
        Random random = new Random(20240514L);
        List<byte[]> records = List.of(
                endpointStart().toString().getBytes(StandardCharsets.UTF_8),
                endpointConnection().toString().getBytes(StandardCharsets.UTF_8),
                sysmonEcs("3").toString().getBytes(StandardCharsets.UTF_8),
                flatSysmon(7).toString().getBytes(StandardCharsets.UTF_8));
        byte[] interesting = "{}[]\":,.\\-+0123456789eE%tfn \u00ff".getBytes(StandardCharsets.ISO_8859_1);
        for (int round = 0; round < 20_000; round++) {
            byte[] damaged = records.get(round % records.size()).clone();
            int edits = 1 + random.nextInt(4);
            for (int edit = 0; edit < edits; edit++) {
                int position = random.nextInt(damaged.length);
                damaged[position] = random.nextBoolean()
                        ? interesting[random.nextInt(interesting.length)]
                        : (byte) random.nextInt(256);
            }
            ParseResult fromBytes = parser.parse(damaged);
            assertWellFormed(fromBytes);
            ParseResult fromString = parser.parse(new String(damaged, StandardCharsets.UTF_8));
            assertWellFormed(fromString);
        }
    }

    @Test
    void recordOverByteLimitIsTooLarge() {
        ObjectNode record = endpointStart();
        record.put("message", "x".repeat(ParserLimits.DEFAULT_MAX_RECORD_BYTES));
        String json = record.toString();
        assertDeadLetter(parser.parse(json), DeadLetterReason.TOO_LARGE, "bytes", "1048576");
        assertDeadLetter(parser.parse(json.getBytes(StandardCharsets.UTF_8)), DeadLetterReason.TOO_LARGE, "1048576");
    }

    @Test
    void multibyteStringMeasuredInBytes() {
        // 400,000 chars of two-byte UTF-8 are 800,000 bytes, which the limit of 500,000 bytes rejects.
        EventParser limited = new EventParser(new ParserLimits(500_000, 64, 1_000_000));
        ObjectNode record = endpointStart();
        record.put("message", "\u00e9".repeat(400_000));
        assertDeadLetter(limited.parse(record.toString()), DeadLetterReason.TOO_LARGE, "bytes");
    }

    @Test
    void recordAtByteLimitIsParsed() {
        String json = endpointStart().toString();
        int size = json.getBytes(StandardCharsets.UTF_8).length;
        EventParser exact = new EventParser(new ParserLimits(size, 64, 1000));
        assertEvent(exact.parse(json));
        assertEvent(exact.parse(json.getBytes(StandardCharsets.UTF_8)));
        EventParser oneLess = new EventParser(new ParserLimits(size - 1, 64, 1000));
        assertDeadLetter(oneLess.parse(json), DeadLetterReason.TOO_LARGE);
    }

    @ParameterizedTest(name = "nesting {0}")
    @ValueSource(strings = {"{\"a\":", "{\"process\":", "[", "{\"a\":["})
    void deepNestingIsTooLarge(String opener) {
        int depth = 5000;
        StringBuilder json = new StringBuilder("{\"agent\":{\"type\":\"endpoint\"},\"x\":");
        json.append(opener.repeat(depth)).append("1");
        String closer = new StringBuilder(opener.replaceAll("[^\\[{]", "")).reverse().toString()
                .replace('{', '}')
                .replace('[', ']');
        json.append(closer.repeat(depth)).append('}');
        ParseResult result = parser.parse(json.toString());
        assertDeadLetter(result, DeadLetterReason.TOO_LARGE, "nesting depth");
        assertDeadLetter(parser.parse(json.toString().getBytes(StandardCharsets.UTF_8)), DeadLetterReason.TOO_LARGE);
    }

    @Test
    void deepNestingUnderKeptPath() {
        String json = "{\"process\":{\"parent\":" + "{\"parent\":".repeat(5000) + "1" + "}".repeat(5002);
        assertDeadLetter(parser.parse(json), DeadLetterReason.TOO_LARGE, "nesting depth");
    }

    @Test
    void nestingAtLimitIsParsed() {
        // The root object is depth 1, so 3 more levels reach a limit of 4.
        EventParser limited = new EventParser(new ParserLimits(10_000, 4, 1000));
        ObjectNode record = endpointStart();
        at(record, "a.b.c");
        assertEvent(limited.parse(record.toString()));
        at(record, "a.b.c.d");
        assertDeadLetter(limited.parse(record.toString()), DeadLetterReason.TOO_LARGE);
    }

    @Test
    void longStringInReadFieldIsTooLarge() {
        EventParser limited = new EventParser(new ParserLimits(1_000_000, 64, 1000));
        ObjectNode record = endpointStart();
        at(record, "process").put("command_line", "a".repeat(5000));
        assertDeadLetter(limited.parse(record.toString()), DeadLetterReason.TOO_LARGE, "String value length");
    }

    @Test
    void longStringInSkippedFieldIsParsed() {
        EventParser limited = new EventParser(new ParserLimits(1_000_000, 64, 1000));
        ObjectNode record = endpointStart();
        record.put("message", "a".repeat(5000));
        assertEvent(limited.parse(record.toString()));
    }

    @Test
    void limitsMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> new ParserLimits(0, 64, 1000));
        assertThrows(IllegalArgumentException.class, () -> new ParserLimits(1000, -1, 1000));
        assertThrows(IllegalArgumentException.class, () -> new ParserLimits(1000, 64, 0));
        assertThrows(NullPointerException.class, () -> new EventParser(null));
    }

    @Test
    void defaultLimitsAreDocumented() {
        ParserLimits limits = EventParser.withDefaults().limits();
        assertEquals(1024 * 1024, limits.maxRecordBytes());
        assertEquals(64, limits.maxNestingDepth());
        assertEquals(128 * 1024, limits.maxStringLength());
    }

    @Test
    void parserSurvivesSerialization() throws Exception {
        Instant now = Instant.parse("2024-05-14T10:00:00Z");
        EventParser original =
                new EventParser(new ParserLimits(10_000, 8, 1000), Clock.fixed(now, ZoneOffset.UTC));
        assertEvent(original.parse(endpointStart().toString()));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(original);
        }
        EventParser copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (EventParser) in.readObject();
        }
        assertEquals(original.limits(), copy.limits());
        assertEvent(copy.parse(endpointStart().toString()));
        assertDeadLetter(copy.parse("{\"a\":" + "[".repeat(20) + "]".repeat(20) + "}"), DeadLetterReason.TOO_LARGE);
        // The copy keeps the fixed clock, so the same event is in the future for it.
        ObjectNode future = endpointStart();
        future.put("@timestamp", now.plus(ParserLimits.DEFAULT_MAX_FUTURE_SKEW).plusSeconds(1).toString());
        assertDeadLetter(copy.parse(future.toString()), DeadLetterReason.FUTURE_TIMESTAMP);
    }

    @Test
    void utf8LengthCountsEncodedBytes() {
        assertEquals(0, EventParser.utf8Length("", 100));
        assertEquals(3, EventParser.utf8Length("abc", 100));
        assertEquals(2, EventParser.utf8Length("\u00e9", 100));
        assertEquals(3, EventParser.utf8Length("\u20ac", 100));
        assertEquals(4, EventParser.utf8Length("\ud83d\ude00", 100));
        assertEquals("\ud83d\ude00\u20ac\u00e9a".getBytes(StandardCharsets.UTF_8).length,
                EventParser.utf8Length("\ud83d\ude00\u20ac\u00e9a", 100));
        assertTrue(EventParser.utf8Length("x".repeat(1000), 10) > 10);
    }

    /** Returns the UTF-8 bytes of {@code text} with the first {@code marker} replaced by {@code bytes}. */
    private static byte[] withBytesAt(String text, String marker, byte[] bytes) {
        byte[] original = text.getBytes(StandardCharsets.UTF_8);
        int at = indexOf(original, marker);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(original, 0, at);
        out.write(bytes, 0, bytes.length);
        int after = at + marker.getBytes(StandardCharsets.UTF_8).length;
        out.write(original, after, original.length - after);
        return out.toByteArray();
    }

    private static int indexOf(byte[] haystack, String needle) {
        byte[] pattern = needle.getBytes(StandardCharsets.UTF_8);
        outer:
        for (int i = 0; i + pattern.length <= haystack.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (haystack[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError(needle + " not found");
    }
}
