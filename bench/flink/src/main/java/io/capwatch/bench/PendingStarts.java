package io.capwatch.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Writes Elastic Endpoint process starts, shaped like the fleet generator's, that the shipped rule
 * keeps as stage-1 candidates: unsigned binaries in a user's Downloads folder. Every start has a
 * key of its own (host, executable, pid), and none connects out, so each stays pending for the
 * rule's window.
 */
final class PendingStarts {
    private PendingStarts() {}

    /**
     * Writes {@code count} starts over {@code hosts} hosts, evenly spread over {@code span} from
     * {@code first}, and returns the bytes written.
     */
    static long write(Path file, int count, int hosts, Instant first, Duration span)
            throws IOException {
        SplittableRandom random = new SplittableRandom(42);
        long bytes = 0;
        try (BufferedWriter writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (int i = 0; i < count; i++) {
                int host = i % hosts;
                long pid = 4000 + i / hosts;
                Instant time = first.plusMillis(span.toMillis() * i / count);
                String line = start(i, host, pid, time, random);
                writer.write(line);
                writer.newLine();
                bytes += line.length() + 1;
            }
        }
        return bytes;
    }

    /** Writes one start of a signed system binary at {@code time}: no candidate, only event time. */
    static void writeSentinel(Path file, Instant time) throws IOException {
        String line =
                "{\"@timestamp\":\"" + time + "\",\"agent\":{\"id\":\"" + hostId(0)
                        + "\",\"type\":\"endpoint\",\"version\":\"8.15.0\"},"
                        + "\"data_stream\":{\"dataset\":\"endpoint.events.process\",\"namespace\":\"default\",\"type\":\"logs\"},"
                        + "\"event\":{\"created\":\"" + time + "\",\"dataset\":\"endpoint.events.process\",\"id\":\"after-windows\","
                        + "\"kind\":\"event\",\"module\":\"endpoint\",\"action\":\"start\",\"category\":[\"process\"],\"type\":[\"start\"]},"
                        + "\"host\":{\"hostname\":\"ws-bench-0\",\"id\":\"" + hostId(0) + "\",\"name\":\"ws-bench-0\","
                        + "\"os\":{\"family\":\"windows\",\"name\":\"Windows\",\"platform\":\"windows\",\"type\":\"windows\"}},"
                        + "\"process\":{\"pid\":4,\"entity_id\":\"after-windows\",\"executable\":\"C:\\\\Windows\\\\System32\\\\svchost.exe\","
                        + "\"name\":\"svchost.exe\",\"hash\":{\"sha256\":\"" + "0".repeat(64) + "\"},"
                        + "\"code_signature\":{\"exists\":true,\"status\":\"trusted\",\"subject_name\":\"Microsoft Windows\",\"trusted\":true}},"
                        + "\"user\":{\"name\":\"SYSTEM\",\"domain\":\"NT AUTHORITY\"}}";
        Files.writeString(file, line + "\n", StandardCharsets.UTF_8);
    }

    private static String start(int index, int host, long pid, Instant time, SplittableRandom random) {
        String hostId = hostId(host);
        String hostName = "ws-bench-" + host;
        String user = "user" + host;
        String binary = "Setup_" + (index % 997) + ".exe";
        String executable = "C:\\\\Users\\\\" + user + "\\\\Downloads\\\\" + binary;
        String sha256 =
                String.format(Locale.ROOT, "%016x%016x%016x%016x",
                        random.nextLong(), random.nextLong(), random.nextLong(), random.nextLong());
        return "{\"@timestamp\":\"" + time + "\",\"agent\":{\"id\":\"" + hostId
                + "\",\"type\":\"endpoint\",\"version\":\"8.15.0\"},"
                + "\"data_stream\":{\"dataset\":\"endpoint.events.process\",\"namespace\":\"default\",\"type\":\"logs\"},"
                + "\"event\":{\"created\":\"" + time + "\",\"dataset\":\"endpoint.events.process\",\"id\":\"start-" + index + "\","
                + "\"kind\":\"event\",\"module\":\"endpoint\",\"action\":\"start\",\"category\":[\"process\"],\"type\":[\"start\"]},"
                + "\"host\":{\"hostname\":\"" + hostName + "\",\"id\":\"" + hostId + "\",\"name\":\"" + hostName + "\","
                + "\"os\":{\"family\":\"windows\",\"name\":\"Windows\",\"platform\":\"windows\",\"type\":\"windows\"}},"
                + "\"process\":{\"pid\":" + pid + ",\"entity_id\":\"start-" + index + "\",\"executable\":\"" + executable + "\","
                + "\"name\":\"" + binary + "\",\"command_line\":\"\\\"" + executable + "\\\"\","
                + "\"hash\":{\"sha256\":\"" + sha256 + "\"},"
                + "\"parent\":{\"pid\":1020,\"executable\":\"C:\\\\Windows\\\\explorer.exe\",\"name\":\"explorer.exe\"},"
                + "\"code_signature\":{\"exists\":false}},"
                + "\"user\":{\"name\":\"" + user + "\",\"domain\":\"CORP\"}}";
    }

    /** Returns a stable UUID-shaped host id. */
    private static String hostId(int host) {
        return String.format(Locale.ROOT, "00000000-0000-4000-8000-%012d", host);
    }
}
