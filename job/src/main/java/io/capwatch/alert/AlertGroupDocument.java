package io.capwatch.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.capwatch.rule.RuleMetadata;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Writes an {@link AlertGroup} as one alert document: the first match's document (see {@link
 * AlertDocument}), with its message extended and the group under {@code capwatch.group}.
 */
public final class AlertGroupDocument {
    private AlertGroupDocument() {}

    /**
     * Returns the group's document id, from the rule id, the binary, the window start and the
     * window length, so that every version of a group, in any run, has the same id.
     */
    public static String id(String ruleId, String binary, long windowStart, long windowMillis) {
        return AlertIds.sha256Hex(
                ruleId + "\ngroup\n" + binary + '\n' + windowStart + '\n' + windowMillis);
    }

    /** Serializes the group of the window {@code [windowStart, windowEnd)} to UTF-8 JSON. */
    public static byte[] toJson(
            AlertGroup group, long windowStart, long windowEnd, RuleMetadata rule) {
        ObjectNode doc = AlertDocument.toNode(group.first, rule);
        long hostCount = group.hostCount();
        String[] hosts = group.sortedHosts();
        String start = Instant.ofEpochMilli(windowStart).toString();
        String end = Instant.ofEpochMilli(windowEnd).toString();

        doc.put(
                "message",
                doc.path("message").asText()
                        + String.format(
                                " (first of %d matches on %d hosts between %s and %s)",
                                group.matchCount,
                                hostCount,
                                start,
                                end));

        ObjectNode related = (ObjectNode) doc.path("related");
        Set<String> relatedHosts = new LinkedHashSet<>();
        for (JsonNode host : related.path("hosts")) {
            relatedHosts.add(host.asText());
        }
        relatedHosts.addAll(java.util.List.of(hosts));
        ArrayNode relatedArray = related.putArray("hosts");
        relatedHosts.forEach(relatedArray::add);

        ObjectNode node = ((ObjectNode) doc.path("capwatch")).putObject("group");
        node.put("match_count", group.matchCount);
        node.put("host_count", hostCount);
        ArrayNode listed = node.putArray("hosts");
        for (String host : hosts) {
            listed.add(host);
        }
        node.put("hosts_truncated", hostCount > hosts.length);
        node.put("last_match", Instant.ofEpochMilli(group.lastMatch).toString());
        node.put("max_risk_score", group.maxRiskScore);
        ObjectNode window = node.putObject("window");
        window.put("start", start);
        window.put("end", end);
        return doc.toString().getBytes(StandardCharsets.UTF_8);
    }
}
