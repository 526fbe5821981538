package io.capwatch.tools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.capwatch.event.EventAction;
import io.capwatch.event.EventParser;
import io.capwatch.event.EventSource;
import io.capwatch.event.ParseOutcome;
import io.capwatch.event.ParseResult;
import io.capwatch.event.SecurityEvent;
import io.capwatch.metrics.CounterNames;
import io.capwatch.testing.MiniClusters;
import io.capwatch.testing.PipelineRun;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The fleet generator: its output parses, repeats for a seed and raises alerts for the injected
 * attacks only.
 */
class FleetGeneratorTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK =
            MiniClusters.withTwoSlots();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String START = "2026-11-02T09:00:00Z";

    @TempDir Path dir;

    @Test
    void injectedAttacksAreTheAlerts() throws Exception {
        Path out = dir.resolve("stream");
        Path injected = dir.resolve("injected.jsonl");
        // 24,000 events at 20 per second cover 20 minutes, so every attack has room for its
        // callback.
        generate(
                "--output-dir",
                out.toString(),
                "--hosts",
                "300",
                "--rate",
                "20",
                "--events",
                "24000",
                "--attacks",
                "6",
                "--seed",
                "7",
                "--start",
                START,
                "--injected-file",
                injected.toString());
        List<JsonNode> attacks = readJsonLines(injected);
        assertEquals(6, attacks.size());

        PipelineRun.Result result = PipelineRun.over(out).execute();

        Set<String> expected = new TreeSet<>();
        for (JsonNode attack : attacks) {
            expected.add(
                    alertKey(
                            hostKey(attack.path("host_id"), attack.path("host_name")),
                            attack.path("pid").asLong(),
                            attack.path("destination_ip").asText()));
        }
        Set<String> actual = new TreeSet<>();
        for (JsonNode alert : result.alerts()) {
            actual.add(
                    alertKey(
                            hostKey(alert.path("host").path("id"), alert.path("host").path("name")),
                            alert.path("process").path("pid").asLong(),
                            alert.path("destination").path("ip").asText()));
        }
        assertEquals(6, expected.size());
        assertEquals(expected, actual);
        assertEquals(6, result.alerts().size());
        assertEquals(0, result.deadLetteredRecords());
        assertEquals(0, result.lateEvents());
        // The near misses were there and were filtered: trusted starts, internal and inbound
        // connections, and build outputs that a rule exception suppressed.
        assertTrue(result.summary().get(CounterNames.STARTS_TRUSTED) > 0);
        assertTrue(result.summary().get(CounterNames.CONNECTIONS_INTERNAL) > 0);
        assertTrue(result.summary().get(CounterNames.CONNECTIONS_INBOUND) > 0);
        assertTrue(result.summary().get(CounterNames.SUPPRESSED) > 0);
    }

    @Test
    void injectedRecordsMatchTheStream() throws Exception {
        Path out = dir.resolve("stream");
        Path injected = dir.resolve("injected.jsonl");
        generate(
                "--output-dir",
                out.toString(),
                "--hosts",
                "200",
                "--rate",
                "50",
                "--events",
                "10000",
                "--attacks",
                "3",
                "--seed",
                "11",
                "--start",
                START,
                "--injected-file",
                injected.toString());
        List<JsonNode> attacks = readJsonLines(injected);
        List<ParseResult> parsed = parseAll(out.resolve("fleet.ndjson"));

        assertEquals(
                List.of("windows-downloads-stager", "linux-tmp-elf", "windows-rare-temp-binary"),
                attacks.stream().map(a -> a.path("kind").asText()).toList());
        for (JsonNode attack : attacks) {
            String executable = attack.path("executable").asText();
            long pid = attack.path("pid").asLong();
            long start = Instant.parse(attack.path("start").asText()).toEpochMilli();
            long connection = Instant.parse(attack.path("connection").asText()).toEpochMilli();
            List<SecurityEvent> events =
                    parsed.stream()
                            .filter(r -> r.outcome() == ParseOutcome.EVENT)
                            .map(ParseResult::event)
                            .filter(e -> e.pid == pid && e.executable.equals(executable))
                            .toList();
            SecurityEvent startEvent =
                    events.stream()
                            .filter(e -> e.action == EventAction.PROCESS_START)
                            .findFirst()
                            .orElseThrow();
            assertEquals(start, startEvent.timestamp, executable);
            assertTrue(
                    events.stream()
                            .anyMatch(
                                    e ->
                                            e.action == EventAction.NETWORK_CONNECTION
                                                    && e.timestamp == connection
                                                    && e.destinationIp.equals(
                                                            attack.path("destination_ip").asText())
                                                    && e.destinationPort
                                                            == attack.path("destination_port")
                                                                    .asInt()),
                    executable);
            assertTrue(connection - start > 0, executable);
            assertTrue(connection - start <= 3_600_000L, executable);
        }
        JsonNode linux = attacks.get(1);
        assertEquals("192.0.2.1", linux.path("destination_ip").asText());
        assertEquals(4444, linux.path("destination_port").asInt());
        assertEquals("192.0.2.1:4444", linux.path("destination").asText());
        assertTrue(linux.path("executable").asText().startsWith("/tmp/"));
        assertTrue(attacks.get(0).path("executable").asText().contains("\\Downloads\\"));
        assertTrue(attacks.get(2).path("executable").asText().contains("\\AppData\\Local\\Temp\\"));
    }

    @Test
    void everyLineParsesInItsFormat() throws Exception {
        Path out = dir.resolve("stream");
        generate(
                "--output-dir",
                out.toString(),
                "--hosts",
                "100",
                "--rate",
                "100",
                "--events",
                "20000",
                "--seed",
                "3",
                "--start",
                START);
        List<ParseResult> parsed = parseAll(out.resolve("fleet.ndjson"));

        assertEquals(20000, parsed.size());
        Map<EventSource, Integer> events = new EnumMap<>(EventSource.class);
        Map<EventSource, Integer> ignored = new EnumMap<>(EventSource.class);
        int linuxEvents = 0;
        for (ParseResult result : parsed) {
            assertNotEquals(
                    ParseOutcome.DEAD_LETTER,
                    result.outcome(),
                    () -> result.reason() + ": " + result.detail());
            if (result.outcome() == ParseOutcome.IGNORED) {
                ignored.merge(result.source(), 1, Integer::sum);
                continue;
            }
            events.merge(result.source(), 1, Integer::sum);
            SecurityEvent event = result.event();
            if ("linux".equals(event.hostOsType)) {
                linuxEvents++;
                assertTrue(event.executable.startsWith("/"), event.executable);
                assertEquals(null, event.signatureExists, event.executable);
                assertEquals(null, event.signatureTrusted, event.executable);
            }
        }
        for (EventSource source :
                List.of(EventSource.ENDPOINT, EventSource.SYSMON_ECS, EventSource.SYSMON_FLAT)) {
            assertTrue(events.getOrDefault(source, 0) > 0, source.name());
            // File creations (all formats) and DNS queries (Sysmon) are read but ignored.
            assertTrue(ignored.getOrDefault(source, 0) > 0, source.name());
        }
        assertTrue(linuxEvents > 0);
    }

    @Test
    void outOfOrderStaysWithinBound() throws Exception {
        Path out = dir.resolve("stream");
        generate(
                "--output-dir",
                out.toString(),
                "--hosts",
                "50",
                "--rate",
                "200",
                "--events",
                "20000",
                "--out-of-order-ms",
                "2000",
                "--seed",
                "5",
                "--start",
                START);
        long newest = Long.MIN_VALUE;
        long maxLag = 0;
        boolean reordered = false;
        for (ParseResult result : parseAll(out.resolve("fleet.ndjson"))) {
            if (result.outcome() != ParseOutcome.EVENT) {
                continue;
            }
            long time = result.event().timestamp;
            reordered |= time < newest;
            newest = Math.max(newest, time);
            maxLag = Math.max(maxLag, newest - time);
        }
        assertTrue(reordered);
        assertTrue(maxLag <= 2000, "an event came " + maxLag + " ms behind a newer one");
    }

    @Test
    void sameSeedGivesSameBytes() throws Exception {
        String[] common = {
            "--hosts", "40", "--rate", "50", "--events", "6000", "--attacks", "3", "--start", START
        };
        byte[] first = generateBytes("a", "1", common);
        byte[] second = generateBytes("b", "1", common);
        byte[] otherSeed = generateBytes("c", "2", common);

        assertArrayEquals(first, second);
        assertFalse(java.util.Arrays.equals(first, otherSeed));
    }

    @Test
    void hostsAreStableAcrossLengths() throws Exception {
        Path shortRun = dir.resolve("short");
        Path longRun = dir.resolve("long");
        generate(
                "--output-dir",
                shortRun.toString(),
                "--hosts",
                "30",
                "--events",
                "2000",
                "--start",
                START);
        generate(
                "--output-dir",
                longRun.toString(),
                "--hosts",
                "30",
                "--events",
                "8000",
                "--rate",
                "500",
                "--start",
                START);

        Map<String, String> shortHosts = hostIds(shortRun.resolve("fleet.ndjson"));
        Map<String, String> longHosts = hostIds(longRun.resolve("fleet.ndjson"));
        assertEquals(30, longHosts.size());
        for (Map.Entry<String, String> host : shortHosts.entrySet()) {
            assertEquals(longHosts.get(host.getKey()), host.getValue(), host.getKey());
        }
    }

    @Test
    void benignLongStreamRaisesNoAlert() throws Exception {
        Path out = dir.resolve("stream");
        // 40,000 events at 5 per second cover 2 h 13 min, so updaters that first connect out 61
        // to 120 minutes after their start do connect within the stream.
        generate(
                "--output-dir",
                out.toString(),
                "--hosts",
                "150",
                "--rate",
                "5",
                "--events",
                "40000",
                "--seed",
                "13",
                "--start",
                START);
        long lateExternal = 0;
        Map<String, Long> updaterStarts = new HashMap<>();
        for (ParseResult result : parseAll(out.resolve("fleet.ndjson"))) {
            SecurityEvent event = result.event();
            if (event == null || !event.executable.endsWith("contoso-update.exe")) {
                continue;
            }
            String key = event.hostKey() + "|" + event.pid;
            if (event.action == EventAction.PROCESS_START) {
                updaterStarts.put(key, event.timestamp);
            } else if (event.action == EventAction.NETWORK_CONNECTION
                    && !event.destinationIp.startsWith("10.")
                    && !event.destinationIp.startsWith("172.")
                    && !event.destinationIp.startsWith("192.168.")) {
                long delay = event.timestamp - updaterStarts.get(key);
                assertTrue(
                        delay > 3_600_000L,
                        "an unsigned updater connected out " + delay + " ms after its start");
                lateExternal++;
            }
        }
        assertTrue(lateExternal > 0, "no updater connected out within the stream");

        PipelineRun.Result result = PipelineRun.over(out).execute();

        assertEquals(List.of(), result.alerts());
        assertEquals(0, result.deadLetteredRecords());
        assertEquals(0, result.lateEvents());
        assertTrue(result.summary().get(CounterNames.CONNECTIONS_EXTERNAL) > 0);
    }

    @Test
    void invalidOptionsAreRejected() {
        assertEquals(2, execute("--output-dir", dir.toString(), "--hosts", "3"));
        assertEquals(2, execute("--output-dir", dir.toString(), "--duration", "fast"));
        assertEquals(
                2, execute("--output-dir", dir.toString(), "--events", "100", "--attacks", "1"));
        assertEquals(
                2, execute("--output-dir", dir.toString(), "--bootstrap-servers", "127.0.0.1:9"));
        assertEquals(2, execute("--hosts", "10"));
        assertEquals(2, execute("--bootstrap-servers", "127.0.0.1:9", "--gzip"));
    }

    @Test
    void existingOutputIsNotOverwritten() throws Exception {
        Path out = dir.resolve("stream");
        generate(
                "--output-dir",
                out.toString(),
                "--hosts",
                "10",
                "--events",
                "100",
                "--start",
                START);
        byte[] before = Files.readAllBytes(out.resolve("fleet.ndjson"));

        assertEquals(
                1,
                execute(
                        "--output-dir",
                        out.toString(),
                        "--hosts",
                        "10",
                        "--events",
                        "200",
                        "--start",
                        START));
        assertArrayEquals(before, Files.readAllBytes(out.resolve("fleet.ndjson")));
    }

    @Test
    void filesRollAfterEventLimit() throws Exception {
        Path out = dir.resolve("stream");
        generate(
                "--output-dir",
                out.toString(),
                "--hosts",
                "10",
                "--events",
                "2500",
                "--file-events",
                "1000",
                "--gzip",
                "--start",
                START);
        try (var files = Files.list(out)) {
            assertEquals(
                    List.of(
                            "fleet-00000.ndjson.gz",
                            "fleet-00001.ndjson.gz",
                            "fleet-00002.ndjson.gz"),
                    files.map(f -> f.getFileName().toString()).sorted().toList());
        }
    }

    /** Runs the generator and fails with its output unless it exits with 0. */
    static void generate(String... args) {
        StringWriter err = new StringWriter();
        CommandLine command = FleetGenerator.commandLine();
        command.setErr(new PrintWriter(err));
        int exitCode = command.execute(args);
        assertEquals(0, exitCode, () -> "generator failed: " + err);
    }

    private static int execute(String... args) {
        CommandLine command = FleetGenerator.commandLine();
        command.setErr(new PrintWriter(new StringWriter()));
        return command.execute(args);
    }

    private byte[] generateBytes(String name, String seed, String... common) throws IOException {
        Path out = dir.resolve(name);
        List<String> args =
                new ArrayList<>(List.of("--output-dir", out.toString(), "--seed", seed));
        args.addAll(List.of(common));
        generate(args.toArray(String[]::new));
        return Files.readAllBytes(out.resolve("fleet.ndjson"));
    }

    static List<ParseResult> parseAll(Path file) throws IOException {
        EventParser parser = EventParser.withDefaults();
        List<ParseResult> results = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            results.add(parser.parse(line));
        }
        return results;
    }

    private static Map<String, String> hostIds(Path file) throws IOException {
        Map<String, String> ids = new HashMap<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            JsonNode node = JSON.readTree(line);
            String name =
                    node.has("Hostname")
                            ? node.path("Hostname").asText()
                            : node.path("host").path("name").asText();
            ids.put(name, node.path("host").path("id").asText(""));
        }
        return ids;
    }

    private static List<JsonNode> readJsonLines(Path file) throws IOException {
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            nodes.add(JSON.readTree(line));
        }
        return nodes;
    }

    private static String hostKey(JsonNode id, JsonNode name) {
        return id.isTextual() ? id.asText() : name.asText();
    }

    private static String alertKey(String host, long pid, String destination) {
        return host.toLowerCase(java.util.Locale.ROOT) + " pid " + pid + " -> " + destination;
    }
}
