package io.capwatch.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import io.capwatch.testing.ElasticsearchServer;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What one job run left in Elasticsearch: its alert documents counted by attack chain, their ids,
 * and the Kafka offsets of the dead letters of one topic.
 */
record IndexedOutput(
        Map<String, Integer> alertsByChain,
        Set<String> alertIds,
        long alertDocuments,
        Set<Long> deadLetterOffsets) {

    /** Search results larger than this fail the read instead of being cut off. */
    private static final int MAX_DOCUMENTS = 10_000;

    static IndexedOutput read(
            ElasticsearchServer elasticsearch,
            String alertIndex,
            String deadLetterIndex,
            String topic) {
        Map<String, Integer> byChain = new TreeMap<>();
        Set<String> ids = new TreeSet<>();
        JsonNode alerts =
                search(
                        elasticsearch,
                        alertIndex,
                        "[\"host.name\",\"process.pid\",\"destination.ip\"]");
        for (JsonNode hit : alerts) {
            ids.add(hit.path("_id").asText());
            JsonNode source = hit.path("_source");
            String chain =
                    FaultInput.chainKey(
                            source.path("host").path("name").asText(),
                            source.path("process").path("pid").asLong(),
                            source.path("destination").path("ip").asText());
            byChain.merge(chain, 1, Integer::sum);
        }
        Set<Long> offsets = new TreeSet<>();
        String prefix = topic + "-0@";
        for (JsonNode hit :
                search(elasticsearch, deadLetterIndex, "[\"capwatch.dead_letter.origin\"]")) {
            String origin =
                    hit.path("_source")
                            .path("capwatch")
                            .path("dead_letter")
                            .path("origin")
                            .asText();
            if (origin.startsWith(prefix)) {
                offsets.add(Long.parseLong(origin.substring(prefix.length())));
            }
        }
        return new IndexedOutput(byChain, ids, alerts.size(), offsets);
    }

    /** Alert documents beyond the first for the same chain. */
    long duplicates() {
        return alertsByChain.values().stream().mapToLong(count -> Math.max(0, count - 1)).sum();
    }

    /** Expected chains that raised no alert. */
    Set<String> missing(Set<String> expectedChains) {
        Set<String> missing = new TreeSet<>(expectedChains);
        missing.removeAll(alertsByChain.keySet());
        return missing;
    }

    /** Markers whose dead letter is not in the index. */
    Set<Long> missingMarkers(Set<Long> markerOffsets) {
        Set<Long> missing = new TreeSet<>(markerOffsets);
        missing.removeAll(deadLetterOffsets);
        return missing;
    }

    /** Returns the documents in {@code index}, or 0 while the job has not created it. */
    static long countOrZero(ElasticsearchServer elasticsearch, String index) {
        return refreshIfExists(elasticsearch, index) ? elasticsearch.count(index) : 0;
    }

    private static boolean refreshIfExists(ElasticsearchServer elasticsearch, String index) {
        return elasticsearch.request("POST", "/" + index + "/_refresh", null).status() != 404;
    }

    /** Returns the hits of {@code index}, none when the job has not created it. */
    private static JsonNode search(ElasticsearchServer elasticsearch, String index, String fields) {
        if (!refreshIfExists(elasticsearch, index)) {
            return JsonNodeFactory.instance.arrayNode();
        }
        ElasticsearchServer.Response response =
                elasticsearch.request(
                        "POST",
                        "/" + index + "/_search?size=" + MAX_DOCUMENTS,
                        "{\"_source\":" + fields + ",\"track_total_hits\":true}");
        JsonNode hits = response.json().path("hits");
        long total = hits.path("total").path("value").asLong();
        if (response.status() != 200 || total > MAX_DOCUMENTS) {
            throw new IllegalStateException(
                    "search of "
                            + index
                            + " failed or has over "
                            + MAX_DOCUMENTS
                            + " documents: "
                            + response.body());
        }
        return hits.path("hits");
    }
}
