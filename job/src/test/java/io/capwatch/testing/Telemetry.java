package io.capwatch.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Writes small Elastic Endpoint ECS telemetry files for tests, one record per call. */
public final class Telemetry {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<String> lines = new ArrayList<>();
    private int nextId;

    /** An Endpoint process start with the given signature ({@code null} for none). */
    public Telemetry start(
            String timestamp, String host, long pid, String entityId, String executable,
            Boolean exists, Boolean trusted) {
        ObjectNode doc = base(timestamp, host, "process", "start", "start");
        ObjectNode process = process(doc, pid, entityId, executable);
        process.putObject("hash").put("sha256", sha256Of(executable));
        process.putObject("parent").put("executable", "C:\\Windows\\explorer.exe");
        if (exists != null || trusted != null) {
            ObjectNode signature = process.putObject("code_signature");
            if (exists != null) {
                signature.put("exists", exists);
            }
            if (trusted != null) {
                signature.put("trusted", trusted);
            }
        }
        lines.add(doc.toString());
        return this;
    }

    /** An unsigned Endpoint process start. */
    public Telemetry unsignedStart(String timestamp, String host, long pid, String executable) {
        return start(timestamp, host, pid, null, executable, false, null);
    }

    /** An outbound Endpoint connection attempt. */
    public Telemetry connection(
            String timestamp, String host, long pid, String entityId, String executable,
            String destination) {
        ObjectNode doc = base(timestamp, host, "network", "start", "connection_attempted");
        process(doc, pid, entityId, executable);
        doc.putObject("network").put("direction", "egress").put("transport", "tcp");
        doc.putObject("destination").put("ip", destination).put("port", 443);
        lines.add(doc.toString());
        return this;
    }

    public Telemetry connection(
            String timestamp, String host, long pid, String executable, String destination) {
        return connection(timestamp, host, pid, null, executable, destination);
    }

    /** A raw line, written as given. */
    public Telemetry raw(String line) {
        lines.add(line);
        return this;
    }

    public Path writeTo(Path dir) throws IOException {
        Path file = Files.createTempFile(dir, "telemetry", ".ndjson");
        Files.write(file, lines);
        return file;
    }

    /** A stand-in SHA-256 that differs per executable, so prevalence keys differ too. */
    public static String sha256Of(String executable) {
        String hex = Integer.toHexString(executable.toLowerCase(java.util.Locale.ROOT).hashCode());
        return "0".repeat(64 - hex.length()) + hex;
    }

    private ObjectNode base(
            String timestamp, String host, String category, String type, String action) {
        ObjectNode doc = JSON.createObjectNode();
        doc.put("@timestamp", timestamp);
        doc.putObject("agent").put("type", "endpoint");
        ObjectNode event = doc.putObject("event");
        event.put("id", "ev-" + nextId++);
        event.put("kind", "event");
        event.put("module", "endpoint");
        event.put("dataset", "endpoint.events." + category);
        event.putArray("category").add(category);
        event.putArray("type").add(type);
        event.put("action", action);
        doc.putObject("host").put("id", host).put("name", host);
        doc.putObject("user").put("name", "user01");
        return doc;
    }

    private static ObjectNode process(ObjectNode doc, long pid, String entityId, String executable) {
        ObjectNode process = doc.putObject("process");
        process.put("pid", pid);
        if (entityId != null) {
            process.put("entity_id", entityId);
        }
        process.put("executable", executable);
        return process;
    }
}
