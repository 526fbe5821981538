package io.capwatch.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.capwatch.tools.FleetGenerator;

import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Seeded fleet telemetry with injected attack chains, and a marker record after every {@code
 * markerInterval} records. A marker is valid JSON of no supported source, so the job dead-letters
 * it with an id derived from its offset. The markers found in the dead-letter index then show which
 * stretches of the stream the job read, one sample per interval.
 */
final class FaultInput {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The records in the order produced; on a one-partition topic, index is offset. */
    final List<String> records;

    /** Offsets of the marker records. */
    final Set<Long> markerOffsets;

    /** Chain keys ({@link #chainKey}) of the injected attacks. */
    final Set<String> injectedChains;

    private FaultInput(List<String> records, Set<Long> markerOffsets, Set<String> injectedChains) {
        this.records = records;
        this.markerOffsets = markerOffsets;
        this.injectedChains = injectedChains;
    }

    /**
     * Generates {@code events} events of 300 hosts at 100 events per second of event time with
     * {@code attacks} chains, starting 2024-05-14T10:00:00Z, into {@code dir}.
     */
    static FaultInput generate(Path dir, int events, int attacks, long seed, int markerInterval)
            throws IOException {
        Path stream = dir.resolve("stream");
        Path injected = dir.resolve("injected.jsonl");
        int exitCode =
                new CommandLine(new FleetGenerator())
                        .execute(
                                "--output-dir", stream.toString(),
                                "--hosts", "300",
                                "--rate", "100",
                                "--events", Integer.toString(events),
                                "--attacks", Integer.toString(attacks),
                                "--seed", Long.toString(seed),
                                "--start", "2024-05-14T10:00:00Z",
                                "--injected-file", injected.toString());
        if (exitCode != 0) {
            throw new IllegalStateException("FleetGenerator exited with " + exitCode);
        }
        List<String> records = new ArrayList<>();
        Set<Long> markers = new TreeSet<>();
        for (String line : Files.readAllLines(stream.resolve("fleet.ndjson"))) {
            records.add(line);
            if (records.size() % (markerInterval + 1) == markerInterval) {
                markers.add((long) records.size());
                records.add("{\"fault_test_marker\":" + markers.size() + "}");
            }
        }
        Set<String> chains = new TreeSet<>();
        for (String line : Files.readAllLines(injected)) {
            JsonNode attack = JSON.readTree(line);
            chains.add(
                    chainKey(
                            attack.path("host_name").asText(),
                            attack.path("pid").asLong(),
                            attack.path("destination_ip").asText()));
        }
        if (chains.size() != attacks) {
            throw new IllegalStateException(
                    "expected " + attacks + " distinct injected chains, got " + chains);
        }
        return new FaultInput(records, markers, chains);
    }

    /**
     * Identifies an attack chain, or the chain an alert document reports, by host, pid and peer.
     */
    static String chainKey(String hostName, long pid, String destinationIp) {
        return hostName + " pid " + pid + " -> " + destinationIp;
    }
}
