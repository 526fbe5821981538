package io.capwatch.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes small telemetry files for tests, one record per call: Elastic Endpoint ECS events of any
 * operating system, and Auditbeat auditd and system/socket events.
 */
public final class Telemetry {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<String> lines = new ArrayList<>();
    private int nextId;
    private String osType;

    /**
     * Sets the {@code host.os.type} of the Endpoint records written after this call: {@code
     * linux}, {@code macos}, {@code windows}, or null for none.
     */
    public Telemetry onOs(String osType) {
        this.osType = osType;
        return this;
    }

    /** An Endpoint process start with the given signature ({@code null} for none). */
    public Telemetry start(
            String timestamp, String host, long pid, String entityId, String executable,
            Boolean exists, Boolean trusted) {
        ObjectNode doc = base(timestamp, host, "process", "start", "start");
        ObjectNode process = process(doc, pid, entityId, executable);
        process.putObject("hash").put("sha256", sha256Of(executable));
        process.putObject("parent").put("executable", parentExecutable());
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

    /** Adds an unsigned Endpoint process start. */
    public Telemetry unsignedStart(String timestamp, String host, long pid, String executable) {
        return start(timestamp, host, pid, null, executable, false, null);
    }

    /** An outbound Endpoint connection attempt to port 443. */
    public Telemetry connection(
            String timestamp, String host, long pid, String entityId, String executable,
            String destination) {
        return connection(timestamp, host, pid, entityId, executable, destination, 443);
    }

    /** An outbound Endpoint connection attempt. */
    public Telemetry connection(
            String timestamp, String host, long pid, String entityId, String executable,
            String destination, int port) {
        ObjectNode doc = base(timestamp, host, "network", "start", "connection_attempted");
        process(doc, pid, entityId, executable);
        doc.putObject("network").put("direction", "egress").put("transport", "tcp");
        doc.putObject("destination").put("ip", destination).put("port", port);
        lines.add(doc.toString());
        return this;
    }

    /** An inbound connection that the Endpoint process accepted from {@code remote}. */
    public Telemetry acceptedConnection(
            String timestamp, String host, long pid, String executable, String remote) {
        ObjectNode doc = base(timestamp, host, "network", "start", "connection_accepted");
        process(doc, pid, null, executable);
        doc.putObject("network").put("direction", "ingress").put("transport", "tcp");
        doc.putObject("source").put("ip", remote).put("port", 51000);
        doc.putObject("destination").put("ip", remote).put("port", 4444);
        lines.add(doc.toString());
        return this;
    }

    /** Adds an Auditbeat auditd {@code execve} event, without {@code host.os.type}. */
    public Telemetry auditdExecuted(String timestamp, String host, long pid, String executable) {
        ObjectNode doc = auditd(timestamp, host, "executed", pid, executable);
        ObjectNode event = (ObjectNode) doc.get("event");
        event.putArray("category").add("process");
        event.putArray("type").add("start");
        event.put("outcome", "success");
        lines.add(doc.toString());
        return this;
    }

    /**
     * An Auditbeat auditd {@code connect} event, logged as failed because a non-blocking connect
     * returns EINPROGRESS.
     */
    public Telemetry auditdConnected(
            String timestamp, String host, long pid, String executable, String destination, int port) {
        ObjectNode doc = auditd(timestamp, host, "connected-to", pid, executable);
        ObjectNode event = (ObjectNode) doc.get("event");
        event.putArray("category").add("network");
        event.putArray("type").add("connection").add("start");
        event.put("outcome", "failure");
        doc.putObject("network").put("direction", "egress");
        doc.putObject("destination").put("ip", destination).put("port", Integer.toString(port));
        lines.add(doc.toString());
        return this;
    }

    /** An Auditbeat auditd {@code accept} event: the remote address is the source. */
    public Telemetry auditdAccepted(
            String timestamp, String host, long pid, String executable, String remote) {
        ObjectNode doc = auditd(timestamp, host, "accepted-connection-from", pid, executable);
        doc.putObject("network").put("direction", "ingress");
        doc.putObject("source").put("ip", remote).put("port", "51000");
        lines.add(doc.toString());
        return this;
    }

    /** An Auditbeat system/socket flow of the given direction ({@code egress}, {@code ingress}). */
    public Telemetry socketFlow(
            String timestamp, String host, long pid, String executable, String remote,
            String direction) {
        ObjectNode doc = JSON.createObjectNode();
        doc.put("@timestamp", timestamp);
        doc.putObject("agent").put("type", "auditbeat");
        ObjectNode event = doc.putObject("event");
        event.put("module", "system").put("dataset", "socket").put("action", "network_flow");
        doc.putObject("host").put("name", host);
        doc.putObject("network").put("direction", direction).put("transport", "tcp");
        doc.putObject("destination").put("ip", remote).put("port", 4444);
        doc.putObject("process").put("pid", pid).put("executable", executable);
        lines.add(doc.toString());
        return this;
    }

    public Telemetry connection(
            String timestamp, String host, long pid, String executable, String destination) {
        return connection(timestamp, host, pid, null, executable, destination);
    }

    /** Adds the line at {@code index} again, byte for byte, as a redelivery does. */
    public Telemetry repeat(int index) {
        lines.add(lines.get(index));
        return this;
    }

    /** Adds a raw line, written as given. */
    public Telemetry raw(String line) {
        lines.add(line);
        return this;
    }

    public Path writeTo(Path dir) throws IOException {
        Path file = Files.createTempFile(dir, "telemetry", ".ndjson");
        Files.write(file, lines);
        return file;
    }

    /** Returns a stand-in SHA-256 that differs per executable, so prevalence keys differ too. */
    public static String sha256Of(String executable) {
        String hex = Integer.toHexString(executable.toLowerCase(java.util.Locale.ROOT).hashCode());
        return "0".repeat(64 - hex.length()) + hex;
    }

    private ObjectNode auditd(
            String timestamp, String host, String action, long pid, String executable) {
        ObjectNode doc = JSON.createObjectNode();
        doc.put("@timestamp", timestamp);
        doc.putObject("agent").put("type", "auditbeat");
        doc.putObject("event").put("module", "auditd").put("action", action).put("kind", "event");
        doc.putObject("host").put("id", host).put("name", host);
        doc.putObject("user").put("id", "1001").put("name", "user01");
        doc.putObject("process").put("pid", pid).put("executable", executable);
        return doc;
    }

    private String parentExecutable() {
        if ("linux".equals(osType)) {
            return "/usr/bin/bash";
        }
        if ("macos".equals(osType)) {
            return "/bin/zsh";
        }
        return "C:\\Windows\\explorer.exe";
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
        ObjectNode hostNode = doc.putObject("host").put("id", host).put("name", host);
        if (osType != null) {
            hostNode.putObject("os").put("type", osType);
        }
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
