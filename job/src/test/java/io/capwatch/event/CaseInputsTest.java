package io.capwatch.event;

import static io.capwatch.event.Records.assertDeadLetter;
import static io.capwatch.event.Records.assertEvent;
import static io.capwatch.event.Records.assertIgnored;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.capwatch.rule.WindowsPath;
import io.capwatch.testsupport.SharedData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Parses every line of the detection cases' inputs. Each case folder contains an {@code
 * input.ndjson} of Endpoint and Sysmon ECS records mixed with junk, and an {@code expected.json}
 * that may give the exact number of dead-lettered records.
 */
class CaseInputsTest {

    /**
     * The lines that are not events, by case folder prefix and 1-based line number. Every other
     * line of every case must parse to an event.
     */
    private static final Map<String, ParseOutcome> NON_EVENTS = Map.of(
            "BR-06:4", ParseOutcome.DEAD_LETTER,
            "BR-12:38", ParseOutcome.DEAD_LETTER,
            "BR-15:3", ParseOutcome.IGNORED,
            "BR-15:4", ParseOutcome.DEAD_LETTER);

    private final EventParser parser = EventParser.withDefaults();

    private static List<Path> caseDirs() throws IOException {
        Path cases = SharedData.require("cases");
        try (Stream<Path> listing = Files.list(cases)) {
            return listing.filter(dir -> Files.exists(dir.resolve("input.ndjson"))).sorted().toList();
        }
    }

    private static Path caseDir(String prefix) throws IOException {
        return caseDirs().stream()
                .filter(dir -> dir.getFileName().toString().startsWith(prefix + "-"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no case folder starts with " + prefix));
    }

    private List<ParseResult> parseCase(String prefix) throws IOException {
        return Files.readAllLines(caseDir(prefix).resolve("input.ndjson")).stream().map(parser::parse).toList();
    }

    private static String caseId(Path dir) {
        String name = dir.getFileName().toString();
        int second = name.indexOf('-', name.indexOf('-') + 1);
        return second < 0 ? name : name.substring(0, second);
    }

    /**
     * Checks each line against the same record read with the tree model: the source follows
     * {@code event.module}, and the host, pid, executable, time, event id and destination match
     * (the destination without its zone).
     */
    @Test
    void everyCaseLineParses() throws IOException {
        List<Path> dirs = caseDirs();
        assertFalse(dirs.isEmpty(), "no case folders");
        for (Path dir : dirs) {
            String caseId = caseId(dir);
            List<String> lines = Files.readAllLines(dir.resolve("input.ndjson"));
            int deadLetters = 0;
            for (int i = 0; i < lines.size(); i++) {
                String where = caseId + ":" + (i + 1);
                String line = lines.get(i);
                ParseResult result = parser.parse(line);
                ParseResult fromBytes = parser.parse(line.getBytes(StandardCharsets.UTF_8));
                assertEquals(Records.describe(result), Records.describe(fromBytes), where + " string vs bytes");
                if (result.outcome() == ParseOutcome.DEAD_LETTER) {
                    deadLetters++;
                }
                ParseOutcome expectedOutcome = NON_EVENTS.getOrDefault(where, ParseOutcome.EVENT);
                assertEquals(expectedOutcome, result.outcome(), () -> where + ": " + Records.describe(result));
                if (expectedOutcome == ParseOutcome.EVENT) {
                    assertMatchesTree(where, Records.JSON.readTree(line), result.event());
                }
            }
            JsonNode expected = Records.JSON.readTree(dir.resolve("expected.json").toFile());
            if (expected.has("dead_lettered")) {
                assertEquals(expected.get("dead_lettered").asInt(), deadLetters, caseId + " dead letters");
            }
        }
    }

    private static void assertMatchesTree(String where, JsonNode record, SecurityEvent event) {
        String module = record.at("/event/module").asText();
        EventSource source = module.equals("sysmon") ? EventSource.SYSMON_ECS : EventSource.ENDPOINT;
        assertEquals(source, event.source, where);
        assertEquals(Instant.parse(record.get("@timestamp").asText()).toEpochMilli(), event.timestamp, where);
        assertEquals(record.at("/host/id").asText(), event.hostId, where);
        assertEquals(record.at("/host/name").asText(), event.hostName, where);
        assertEquals(record.at("/process/pid").asLong(), event.pid, where);
        assertEquals(record.at("/process/executable").asText(), event.executable, where);
        JsonNode entityId = record.at("/process/entity_id");
        assertEquals(entityId.isMissingNode() ? null : entityId.asText(), event.entityId, where);
        if (record.at("/event/id").isTextual()) {
            assertEquals(record.at("/event/id").asText(), event.eventId, where);
        } else {
            assertEquals(record.at("/winlog/computer_name").asText() + ":" + record.at("/winlog/record_id").asText(),
                    event.eventId, where);
        }
        JsonNode destination = record.at("/destination/ip");
        if (event.action == EventAction.NETWORK_CONNECTION) {
            String logged = destination.asText();
            int zone = logged.indexOf('%');
            assertEquals(zone < 0 ? logged : logged.substring(0, zone), event.destinationIp, where);
        } else {
            assertNull(event.destinationIp, where);
        }
    }

    @Test
    void syslogLineIsUnknownShape() throws IOException {
        assertDeadLetter(parseCase("BR-06").get(3), DeadLetterReason.UNKNOWN_SHAPE);
    }

    @Test
    void invalidDestinationIsDeadLettered() throws IOException {
        List<ParseResult> results = parseCase("BR-12");
        assertDeadLetter(results.get(37), DeadLetterReason.INVALID_FIELD, "destination.ip", "999.12.0.1");
        SecurityEvent retry = assertEvent(results.get(42));
        assertEquals(6017L, retry.pid);
        assertEquals("93.184.216.35", retry.destinationIp);
    }

    @Test
    void zonedDestinationsLoseZone() throws IOException {
        Map<Long, String> destinations = new HashMap<>();
        for (ParseResult result : parseCase("BR-12")) {
            if (result.event() != null && result.event().action == EventAction.NETWORK_CONNECTION) {
                destinations.put(result.event().pid, result.event().destinationIp);
            }
        }
        assertEquals("fe80::1", destinations.get(6006L));
        assertEquals("2606:2800:220:1:248:1893:25c8:1946", destinations.get(6020L));
        assertEquals("::ffff:93.184.216.34", destinations.get(6003L));
        assertEquals("0:0:0:0:0:0:0:1", destinations.get(6013L));
    }

    @Test
    void pathFormsAreKeptAsLogged() throws IOException {
        List<ParseResult> results = parseCase("BR-13");
        assertEquals("\\\\?\\C:\\Windows\\Temp\\upd.exe", assertEvent(results.get(2)).executable);
        assertEquals("\\Device\\HarddiskVolume3\\ProgramData\\svc\\upd.exe", assertEvent(results.get(3)).executable);
        SecurityEvent start = assertEvent(results.get(6));
        SecurityEvent connection = assertEvent(results.get(28));
        assertEquals(7007L, start.pid);
        assertEquals(7007L, connection.pid);
        assertEquals(WindowsPath.correlationKey(start.executable), WindowsPath.correlationKey(connection.executable));
    }

    /** Signature fields per pid: absent stays null, which differs from exists=false. */
    @Test
    void signatureAbsentDiffersFromUnsigned() throws IOException {
        Map<String, String> expected = Map.ofEntries(
                Map.entry("PROCESS_START 8001", "false/null/null"),
                Map.entry("PROCESS_START 8002", "true/false/errorExpired"),
                Map.entry("PROCESS_START 8003", "null/null/null"),
                Map.entry("PROCESS_START 8004", "true/true/trusted"),
                Map.entry("PROCESS_START 8005", "true/null/null"),
                Map.entry("PROCESS_START 8006", "null/null/null"),
                Map.entry("PROCESS_START 8007", "null/null/null"),
                Map.entry("PROCESS_START 8008", "null/null/null"),
                Map.entry("PROCESS_START 8009", "null/null/null"),
                Map.entry("IMAGE_LOAD 8006", "false/null/Unavailable"),
                Map.entry("IMAGE_LOAD 8007", "true/true/Valid"),
                Map.entry("IMAGE_LOAD 8008", "false/null/Unavailable"));
        Map<String, String> actual = new HashMap<>();
        Map<Long, String> loadedImages = new HashMap<>();
        for (ParseResult result : parseCase("BR-14")) {
            SecurityEvent event = assertEvent(result);
            if (event.action == EventAction.NETWORK_CONNECTION) {
                continue;
            }
            actual.put(
                    event.action + " " + event.pid,
                    event.signatureExists + "/" + event.signatureTrusted + "/" + event.signatureStatus);
            if (event.action == EventAction.IMAGE_LOAD) {
                loadedImages.put(event.pid, event.loadedImage);
            }
        }
        assertEquals(expected, actual);
        assertEquals("C:\\Users\\user01\\Downloads\\f.exe", loadedImages.get(8006L));
        assertEquals("C:\\Users\\user01\\Downloads\\helper.dll", loadedImages.get(8008L));
    }

    @Test
    void inboundDnsAndEmptyDestinations() throws IOException {
        List<ParseResult> results = parseCase("BR-15");
        assertEquals(Direction.UNKNOWN, assertEvent(results.get(0)).direction);

        SecurityEvent sysmonInbound = assertEvent(results.get(1));
        assertEquals(EventSource.SYSMON_ECS, sysmonInbound.source);
        assertEquals(Direction.INBOUND, sysmonInbound.direction);
        assertEquals("93.184.216.50", sysmonInbound.destinationIp);
        assertNull(sysmonInbound.entityId);

        assertIgnored(results.get(2), EventSource.SYSMON_ECS);

        ParseResult noDestination = results.get(3);
        assertDeadLetter(noDestination, DeadLetterReason.MISSING_FIELD, "destination.ip");
        assertEquals(EventSource.ENDPOINT, noDestination.source());

        SecurityEvent zero = assertEvent(results.get(4));
        assertEquals("0.0.0.0", zero.destinationIp);
        assertEquals(0, zero.destinationPort);
        assertEquals(Direction.OUTBOUND, zero.direction);

        SecurityEvent accepted = assertEvent(results.get(5));
        assertEquals(Direction.INBOUND, accepted.direction);
        assertEquals("93.184.216.36", accepted.sourceIp);

        SecurityEvent outbound = assertEvent(results.get(6));
        assertEquals(EventSource.SYSMON_ECS, outbound.source);
        assertEquals(Direction.OUTBOUND, outbound.direction);
        assertEquals("93.184.216.34", outbound.destinationIp);
        assertEquals(443, outbound.destinationPort);
        assertEquals("srv9:5014", outbound.eventId);

        assertEquals(Direction.OUTBOUND, assertEvent(results.get(7)).direction);
    }
}
