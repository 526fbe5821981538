package io.capwatch.alert;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.capwatch.correlation.Candidate;
import io.capwatch.event.SecurityEvent;
import io.capwatch.rule.IpAddress;
import io.capwatch.rule.Platform;
import io.capwatch.rule.RiskScoring;
import io.capwatch.rule.RuleMetadata;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Writes an {@link Alert} as an ECS document that Elastic Security lists as an external alert
 * ({@code event.kind: alert} in a {@code logs-*} index).
 *
 * <p>{@code event.severity} is numeric, as ECS defines it (a {@code long}; a label there would
 * be rejected by every ECS mapping); the label sits in {@code capwatch.severity}. Fields with no
 * ECS home are under {@code capwatch.*}.
 */
public final class AlertDocument {
    private static final ObjectMapper JSON = new ObjectMapper();

    private AlertDocument() {}

    /** Serializes the alert to UTF-8 JSON. */
    public static byte[] toJson(Alert alert, RuleMetadata rule) {
        return toNode(alert, rule).toString().getBytes(StandardCharsets.UTF_8);
    }

    static ObjectNode toNode(Alert alert, RuleMetadata rule) {
        Candidate start = alert.match.start;
        Candidate connection = alert.match.connection;
        SecurityEvent s = start.event;
        SecurityEvent c = connection.event;
        String destination = outputAddress(c.destinationIp);

        ObjectNode doc = JSON.createObjectNode();
        doc.put("@timestamp", Instant.ofEpochMilli(c.timestamp).toString());
        doc.put("message", message(rule, s, destination, c.destinationPort));

        ObjectNode event = doc.putObject("event");
        event.put("kind", "alert");
        event.putArray("category").add("malware").add("network").add("process");
        event.putArray("type").add("info").add("connection").add("start");
        event.put("module", "capwatch");
        event.put("dataset", "capwatch.alerts");
        event.put("risk_score", alert.riskScore);
        event.put("severity", RiskScoring.severityCode(alert.severity));
        ArrayNode eventReferences = event.putArray("reference");
        rule.references().forEach(eventReferences::add);

        ObjectNode ruleNode = doc.putObject("rule");
        ruleNode.put("id", rule.id());
        ruleNode.put("uuid", rule.id());
        ruleNode.put("name", rule.name());
        ruleNode.put("version", Integer.toString(rule.version()));
        ruleNode.put("description", rule.description());
        ruleNode.put("ruleset", "capwatch");
        ruleNode.put("category", "Resource Development");
        ruleNode.put("license", rule.license());
        ArrayNode authors = ruleNode.putArray("author");
        rule.author().forEach(authors::add);
        if (!rule.references().isEmpty()) {
            ruleNode.put("reference", rule.references().get(0));
        }

        ObjectNode threat = doc.putObject("threat");
        threat.put("framework", rule.threatFramework());
        ObjectNode tactic = threat.putObject("tactic");
        tactic.putArray("id").add(rule.tacticId());
        tactic.putArray("name").add(rule.tacticName());
        tactic.putArray("reference").add(rule.tacticReference());
        ObjectNode technique = threat.putObject("technique");
        technique.putArray("id").add(rule.techniqueId());
        technique.putArray("name").add(rule.techniqueName());
        technique.putArray("reference").add(rule.techniqueReference());

        ObjectNode host = doc.putObject("host");
        putIfPresent(host, "id", s.hostId);
        putIfPresent(host, "name", s.hostName);
        String osType = osType(s, start.platform);
        if (osType != null) {
            host.putObject("os").put("type", osType);
        }

        if (s.userName != null) {
            ObjectNode user = doc.putObject("user");
            user.put("name", s.userName);
            putIfPresent(user, "domain", s.userDomain);
        }

        ObjectNode process = doc.putObject("process");
        process.put("executable", s.executable);
        process.put("name", fileName(s.executable));
        process.put("pid", s.pid);
        putIfPresent(process, "entity_id", s.entityId);
        process.put("start", Instant.ofEpochMilli(s.timestamp).toString());
        if (s.sha256 != null) {
            process.putObject("hash").put("sha256", s.sha256);
        }
        if (s.parentExecutable != null) {
            process.putObject("parent").put("executable", s.parentExecutable);
        }
        ObjectNode signature = process.putObject("code_signature");
        putIfPresent(signature, "exists", s.signatureExists);
        putIfPresent(signature, "trusted", s.signatureTrusted);
        putIfPresent(signature, "subject_name", s.signatureSubject);
        putIfPresent(signature, "status", s.signatureStatus);
        putIfPresent(signature, "signing_id", s.signatureSigningId);
        putIfPresent(signature, "team_id", s.signatureTeamId);

        ObjectNode dest = doc.putObject("destination");
        dest.put("ip", destination);
        if (c.destinationPort != null) {
            dest.put("port", c.destinationPort);
        }
        if (c.sourceIp != null && IpAddress.parse(c.sourceIp).isPresent()) {
            doc.putObject("source").put("ip", outputAddress(c.sourceIp));
        }
        doc.putObject("network").put("direction", "egress");

        ObjectNode related = doc.putObject("related");
        ArrayNode relatedIps = related.putArray("ip").add(destination);
        if (c.sourceIp != null && IpAddress.parse(c.sourceIp).isPresent()) {
            relatedIps.add(outputAddress(c.sourceIp));
        }
        ArrayNode relatedHosts = related.putArray("hosts");
        hosts(s).forEach(relatedHosts::add);
        if (s.sha256 != null) {
            related.putArray("hash").add(s.sha256);
        }
        if (s.userName != null) {
            related.putArray("user").add(s.userName);
        }

        ObjectNode capwatch = doc.putObject("capwatch");
        capwatch.put("severity", alert.severity);
        capwatch.put("source", s.source.name().toLowerCase(java.util.Locale.ROOT));
        if (start.platform != null) {
            capwatch.put("profile", start.platform.key());
        }
        capwatch.putObject("signature").put("origin", start.signatureOrigin);
        ObjectNode startNode = capwatch.putObject("start");
        putIfPresent(startNode, "event_id", s.eventId);
        startNode.put("timestamp", Instant.ofEpochMilli(s.timestamp).toString());
        ObjectNode connectionNode = capwatch.putObject("connection");
        putIfPresent(connectionNode, "event_id", c.eventId);
        connectionNode.put(
                "seconds_after_start", (c.timestamp - s.timestamp) / 1000.0);
        ObjectNode prevalence = capwatch.putObject("prevalence");
        prevalence.put("binary", alert.binary);
        prevalence.put("known", alert.prevalenceKnown);
        if (alert.prevalenceKnown) {
            prevalence.put("host_count", alert.hostCount);
            if (alert.firstSeen != null) {
                prevalence.put("first_seen", Instant.ofEpochMilli(alert.firstSeen).toString());
            }
            prevalence.put("as_of", Instant.ofEpochMilli(alert.asOf).toString());
            if (alert.prevalenceSource != null) {
                prevalence.put("source", alert.prevalenceSource.label());
            }
        }
        if (alert.scoreInputs != null) {
            putScoreInputs(capwatch.putObject("score").putObject("inputs"), alert);
        }
        return doc;
    }

    /**
     * Writes what {@code event.risk_score} was computed from: the host count, when known, and the
     * anchors of the rule's risk scale (see {@link RiskScoring}).
     */
    private static void putScoreInputs(ObjectNode inputs, Alert alert) {
        if (alert.prevalenceKnown) {
            inputs.put("host_count", alert.hostCount);
        }
        ScoreInputs anchors = alert.scoreInputs;
        inputs.put("unknown_prevalence", anchors.unknownPrevalence);
        inputs.put("rare_max_hosts", anchors.rareMaxHosts);
        inputs.put("rare", anchors.rare);
        inputs.put("common_min_hosts", anchors.commonMinHosts);
        inputs.put("common", anchors.common);
    }

    /** Returns an address as Elasticsearch's {@code ip} type accepts it: no zone, mapped IPv4 kept. */
    static String outputAddress(String logged) {
        int zone = logged.indexOf('%');
        String address = zone >= 0 ? logged.substring(0, zone) : logged;
        if (address.startsWith("[") && address.endsWith("]")) {
            address = address.substring(1, address.length() - 1);
        }
        return address;
    }

    /**
     * Returns {@code host.os.type} as the start logged it, else the platform of the profile that
     * selected the start: Sysmon and Auditbeat events name no operating system.
     */
    private static String osType(SecurityEvent s, Platform platform) {
        if (s.hostOsType != null) {
            return s.hostOsType;
        }
        return platform == null ? null : platform.key();
    }

    private static Set<String> hosts(SecurityEvent s) {
        Set<String> hosts = new LinkedHashSet<>();
        if (s.hostName != null) {
            hosts.add(s.hostName);
        }
        if (s.hostId != null) {
            hosts.add(s.hostId);
        }
        return hosts;
    }

    private static String message(
            RuleMetadata rule, SecurityEvent s, String destination, Integer port) {
        return rule.name()
                + ": "
                + s.executable
                + " (pid "
                + s.pid
                + ") on "
                + s.hostKey()
                + " connected to "
                + destination
                + (port == null ? "" : ":" + port);
    }

    static String fileName(String path) {
        int cut = Math.max(path.lastIndexOf('\\'), path.lastIndexOf('/'));
        return cut >= 0 ? path.substring(cut + 1) : path;
    }

    private static void putIfPresent(ObjectNode node, String field, String value) {
        if (value != null) {
            node.put(field, value);
        }
    }

    private static void putIfPresent(ObjectNode node, String field, Boolean value) {
        if (value != null) {
            node.put(field, value);
        }
    }
}
