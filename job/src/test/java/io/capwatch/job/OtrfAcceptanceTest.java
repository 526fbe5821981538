package io.capwatch.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.capwatch.metrics.CounterNames;
import io.capwatch.rule.DetectionRule;
import io.capwatch.rule.RuleLoader;
import io.capwatch.testing.MiniClusters;
import io.capwatch.testing.PipelineRun;
import io.capwatch.testsupport.SharedData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Backfills over the OTRF Security-Datasets recordings (80 files, 430,884 flat Sysmon and Windows
 * events). The lab's attack infrastructure sits on private addresses, so with the default internal
 * networks nothing alerts. Once 192.168.0.0/16 counts as external, the Metasploit stagers that
 * run from Downloads and call back to 192.168.56.40:8443 must each alert once.
 */
class OtrfAcceptanceTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK =
            MiniClusters.withTwoSlots();

    @Test
    void defaultNetworksGiveNoAlertAndSayWhy() throws Exception {
        Path corpus = SharedData.require("data/otrf");
        PipelineRun.Result result = PipelineRun.over(corpus).inBatchMode().execute();
        RunSummary summary = result.summary();

        assertEquals(0, result.alerts().size());
        assertEquals(430_884, summary.get(CounterNames.RECORDS_READ));
        assertTrue(summary.get(CounterNames.STARTS_USER_WRITABLE) > 0, "no stage-1 path matched");
        assertTrue(summary.get(CounterNames.CONNECTIONS_INTERNAL) > 0, "no internal connection");
        assertEquals(0, summary.get(CounterNames.CONNECTIONS_EXTERNAL));
        assertTrue(
                summary.explainNoAlert().contains("internal networks"), summary.explainNoAlert());
    }

    @Test
    void attackSubnetAsExternalFindsStagers() throws Exception {
        Path corpus = SharedData.require("data/otrf");
        List<String> internal = new ArrayList<>(RuleLoader.loadDefault().internalNetworks());
        internal.remove("192.168.0.0/16");
        DetectionRule rule = RuleLoader.loadDefault().withInternalNetworks(internal);

        PipelineRun.Result result = PipelineRun.over(corpus).withRule(rule).inBatchMode().execute();

        List<JsonNode> stagers =
                result.alerts().stream()
                        .filter(a -> a.path("process").path("executable").asText().toLowerCase()
                                .endsWith("\\downloads\\payload.exe"))
                        .toList();
        assertTrue(!stagers.isEmpty(), "no stager alert among " + result.alerts().size());
        for (JsonNode stager : stagers) {
            assertEquals("192.168.56.40", stager.path("destination").path("ip").asText());
            assertEquals(8443, stager.path("destination").path("port").asInt());
        }
        JsonNode pedro =
                stagers.stream()
                        .filter(a -> a.path("host").path("name").asText().equals("Pedro01"))
                        .filter(a -> a.path("process").path("pid").asLong() == 7836)
                        .findFirst()
                        .orElseThrow(() -> new AssertionError("no alert for Pedro01 pid 7836"));
        assertEquals(
                "2022-08-04T07:50:56.345Z", pedro.path("process").path("start").asText());

        Set<String> starts = new HashSet<>();
        for (var document : result.alertDocuments()) {
            assertTrue(starts.add(document.id()), "two alerts for one start: " + document.id());
        }
    }
}
