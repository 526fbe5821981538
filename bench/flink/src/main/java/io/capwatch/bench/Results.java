package io.capwatch.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/** Writes benchmark results as JSON lines, each with the machine's load and the JVM's flags. */
final class Results {
    static final ObjectMapper JSON = new ObjectMapper();

    private Results() {}

    /** Creates a result object with the benchmark's name, the time and the JVM it ran in. */
    static ObjectNode create(String benchmark) {
        ObjectNode node = JSON.createObjectNode();
        node.put("benchmark", benchmark);
        node.put("time", Instant.now().toString());
        node.put("cores", Runtime.getRuntime().availableProcessors());
        node.put("javaVersion", System.getProperty("java.vm.version"));
        node.put("maxHeapBytes", Runtime.getRuntime().maxMemory());
        node.set(
                "jvmFlags",
                JSON.valueToTree(ManagementFactory.getRuntimeMXBean().getInputArguments()));
        return node;
    }

    /**
     * Returns the first three fields of {@code /proc/loadavg} (1, 5 and 15 minute load averages),
     * or "unknown" where the file does not exist.
     */
    static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException | ArrayIndexOutOfBoundsException e) {
            return "unknown";
        }
    }

    /** Appends {@code result} as one line to {@code file}, creating it and its folders. */
    static void append(Path file, ObjectNode result) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(
                file,
                JSON.writeValueAsString(result) + "\n",
                StandardCharsets.UTF_8,
                StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }
}
