package io.capwatch.event;

import static io.capwatch.event.Records.assertWellFormed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.capwatch.testsupport.NdjsonLines;
import io.capwatch.testsupport.SharedData;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/**
 * Parses every record of the OTRF Security-Datasets recordings: 80 gzip NDJSON files of flat
 * Windows events from lab attacks, 430,884 records in all. It checks that each record lands in
 * exactly one outcome, that none throws, and that the corpus yields Sysmon process starts,
 * connections and image loads, including the start of a Metasploit stager.
 */
class OtrfCorpusTest {

    private static final String STAGER_HOST = "Pedro01";
    private static final long STAGER_PID = 7836L;
    private static final long STAGER_TIME = Instant.parse("2022-08-04T07:50:56.345Z").toEpochMilli();

    /** One line of MANIFEST.tsv: a recording and its record count. */
    private record Recording(String file, long events) {}

    private static List<Recording> manifest(Path dir) throws IOException {
        List<Recording> recordings = new ArrayList<>();
        List<String> lines = Files.readAllLines(dir.resolve("MANIFEST.tsv"));
        for (String line : lines.subList(1, lines.size())) {
            if (line.isBlank()) {
                continue;
            }
            String[] columns = line.split("\t");
            recordings.add(new Recording(columns[0], Long.parseLong(columns[1])));
        }
        return recordings;
    }

    /** Returns a count key: outcome, source, then the action of an event or the reason of a dead letter. */
    private static String key(ParseResult result) {
        Object detail = result.outcome() == ParseOutcome.EVENT ? result.event().action : result.reason();
        return result.outcome() + " " + result.source() + (detail == null ? "" : " " + detail);
    }

    @Test
    void wholeCorpusParses() throws Exception {
        Path dir = SharedData.require("data/otrf");
        List<Recording> recordings = manifest(dir);
        assertEquals(80, recordings.size(), "recordings listed in MANIFEST.tsv");
        EventParser parser = EventParser.withDefaults();
        Map<String, LongAdder> counts = new ConcurrentHashMap<>();
        Map<String, String> sampleDetails = new ConcurrentHashMap<>();
        AtomicReference<SecurityEvent> stager = new AtomicReference<>();

        // Recordings are parsed in parallel, because the parser is thread-safe and the files are independent.
        recordings.parallelStream().forEach(recording -> {
            long lines;
            try (InputStream in = new GZIPInputStream(Files.newInputStream(dir.resolve(recording.file())), 1 << 16)) {
                lines = NdjsonLines.forEach(in, line -> {
                    ParseResult result = parser.parse(line);
                    assertWellFormed(result);
                    String key = key(result);
                    counts.computeIfAbsent(key, unused -> new LongAdder()).increment();
                    if (result.detail() != null) {
                        sampleDetails.putIfAbsent(key, result.detail());
                    }
                    SecurityEvent event = result.event();
                    if (event != null
                            && event.action == EventAction.PROCESS_START
                            && event.pid == STAGER_PID
                            && STAGER_HOST.equals(event.hostName)
                            && event.timestamp == STAGER_TIME) {
                        stager.set(event);
                    }
                });
            } catch (IOException e) {
                throw new AssertionError("failed to read " + recording.file(), e);
            }
            assertEquals(recording.events(), lines, recording.file() + " record count");
        });

        Map<String, Long> totals = new TreeMap<>();
        counts.forEach((key, count) -> totals.put(key, count.sum()));
        StringBuilder report = new StringBuilder("OTRF outcome counts:\n");
        totals.forEach((key, count) -> report.append(String.format("  %9d  %s%s%n",
                count, key, sampleDetails.containsKey(key) ? "  (e.g. " + sampleDetails.get(key) + ")" : "")));
        System.out.print(report);

        long expectedTotal = recordings.stream().mapToLong(Recording::events).sum();
        assertEquals(430_884L, expectedTotal, "records listed in MANIFEST.tsv");
        assertEquals(expectedTotal, totals.values().stream().mapToLong(Long::longValue).sum(), "records parsed");
        assertTrue(totals.getOrDefault("EVENT SYSMON_FLAT PROCESS_START", 0L) > 0, report::toString);
        assertTrue(totals.getOrDefault("EVENT SYSMON_FLAT NETWORK_CONNECTION", 0L) > 0, report::toString);
        assertTrue(totals.getOrDefault("EVENT SYSMON_FLAT IMAGE_LOAD", 0L) > 0, report::toString);
        assertTrue(totals.getOrDefault("IGNORED SYSMON_FLAT", 0L) > 0, report::toString);
        totals.keySet().forEach(key -> {
            assertTrue(key.contains("SYSMON_FLAT"), () -> "every record is a flat Windows event, got " + key);
            assertFalse(key.contains("INVALID_JSON"), key);
            assertFalse(key.contains("UNKNOWN_SHAPE"), key);
        });

        SecurityEvent event = stager.get();
        assertNotNull(event, "the Metasploit stager start on " + STAGER_HOST + " pid " + STAGER_PID);
        assertTrue(event.executable.endsWith("\\Downloads\\payload.exe"), event.executable);
        assertEquals("{625b42a0-dcd0-62eb-4207-000000000900}", event.entityId);
        assertEquals("C:\\Windows\\explorer.exe", event.parentExecutable);
        assertEquals("3b57e2be22e224ad6e9c43d9d25930594aa4d2c0f411a3a0111fe7cfb29c601e", event.sha256);
        assertEquals("pedro", event.userName);
        assertEquals("PEDRO01", event.userDomain);
    }
}
