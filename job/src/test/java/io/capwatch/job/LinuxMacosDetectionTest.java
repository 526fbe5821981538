package io.capwatch.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.capwatch.metrics.CounterNames;
import io.capwatch.rule.RuleLoader;
import io.capwatch.testing.MiniClusters;
import io.capwatch.testing.PipelineRun;
import io.capwatch.testing.Telemetry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Linux and macOS profiles of the shipped rule on the real pipeline: Auditbeat and Endpoint
 * Linux events decided by path alone, Endpoint macOS events by path and signature, each scored by
 * its own profile.
 */
class LinuxMacosDetectionTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK =
            MiniClusters.withTwoSlots();

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String BEACON = "/tmp/.x/beacon";

    /** TEST-NET-1, which the default rule counts as external. */
    private static final String C2 = "192.0.2.1";

    private static final String MAC_VIEWER = "/Users/u/Downloads/Viewer.app/Contents/MacOS/Viewer";

    @TempDir Path dir;

    // Linux through Auditbeat auditd.

    @Test
    void auditdBeaconInTmpAlerts() throws Exception {
        Path input =
                new Telemetry()
                        .auditdExecuted("2024-05-14T10:00:00Z", "lnx-b2", 31337, BEACON)
                        .auditdConnected("2024-05-14T10:00:05Z", "lnx-b2", 31337, BEACON, C2, 4444)
                        .writeTo(dir);
        PipelineRun.Result result = PipelineRun.over(input).execute();

        assertEquals(1, result.alerts().size());
        JsonNode alert = result.alerts().get(0);
        assertEquals("lnx-b2", alert.at("/host/id").asText());
        assertEquals("lnx-b2", alert.at("/host/name").asText());
        assertEquals("linux", alert.at("/host/os/type").asText(), "inferred from the source");
        assertEquals(31337, alert.at("/process/pid").asLong());
        assertEquals(BEACON, alert.at("/process/executable").asText());
        assertEquals("beacon", alert.at("/process/name").asText());
        assertEquals(C2, alert.at("/destination/ip").asText());
        assertEquals(4444, alert.at("/destination/port").asInt());
        assertEquals("2024-05-14T10:00:05Z", alert.at("/@timestamp").asText());
        assertEquals(
                47, alert.at("/event/risk_score").asInt(), "the Linux unknown-prevalence score");
        assertEquals("medium", alert.at("/capwatch/severity").asText());
        assertEquals("linux", alert.at("/capwatch/profile").asText());
        assertEquals("auditbeat_auditd", alert.at("/capwatch/source").asText());
        assertEquals("none", alert.at("/capwatch/signature/origin").asText());
        assertFalse(alert.at("/process/code_signature").has("exists"));
        assertEquals(BEACON, alert.at("/capwatch/prevalence/binary").asText());
        assertEquals(2, result.summary().get(CounterNames.EVENTS_PREFIX + "auditbeat_auditd"));
    }

    @Test
    void sameBinaryFromUsrBinDoesNotAlert() throws Exception {
        Path input =
                new Telemetry()
                        .auditdExecuted("2024-05-14T10:00:00Z", "lnx-b2", 31337, "/usr/bin/beacon")
                        .auditdConnected(
                                "2024-05-14T10:00:05Z",
                                "lnx-b2",
                                31337,
                                "/usr/bin/beacon",
                                C2,
                                4444)
                        .writeTo(dir);
        PipelineRun.Result result = PipelineRun.over(input).execute();
        assertEquals(0, result.alerts().size());
        assertEquals(0, result.summary().get(CounterNames.STARTS_USER_WRITABLE));
        assertEquals(0, result.summary().get(CounterNames.CONNECTIONS_USER_WRITABLE));
    }

    @Test
    void internalConnectionDoesNotAlert() throws Exception {
        Path input =
                new Telemetry()
                        .auditdExecuted("2024-05-14T10:00:00Z", "lnx-b2", 31337, BEACON)
                        .auditdConnected(
                                "2024-05-14T10:00:05Z", "lnx-b2", 31337, BEACON, "10.20.0.5", 4444)
                        .writeTo(dir);
        PipelineRun.Result result = PipelineRun.over(input).execute();
        assertEquals(0, result.alerts().size());
        assertEquals(1, result.summary().get(CounterNames.STARTS_USER_WRITABLE));
        assertEquals(1, result.summary().get(CounterNames.CONNECTIONS_INTERNAL));
    }

    @Test
    void auditdAcceptDoesNotAlert() throws Exception {
        Path input =
                new Telemetry()
                        .auditdExecuted("2024-05-14T10:00:00Z", "lnx-b2", 31337, BEACON)
                        .auditdAccepted("2024-05-14T10:00:05Z", "lnx-b2", 31337, BEACON, C2)
                        .writeTo(dir);
        PipelineRun.Result result = PipelineRun.over(input).execute();
        assertEquals(0, result.alerts().size());
        assertEquals(1, result.summary().get(CounterNames.IGNORED_PREFIX + "auditbeat_auditd"));
        assertEquals(0, result.deadLetteredRecords());
    }

    @Test
    void selfDeletedBeaconStillMatches() throws Exception {
        Path input =
                new Telemetry()
                        .auditdExecuted("2024-05-14T10:00:00Z", "lnx-b2", 31337, BEACON)
                        .auditdConnected(
                                "2024-05-14T10:00:05Z",
                                "lnx-b2",
                                31337,
                                BEACON + " (deleted)",
                                C2,
                                4444)
                        .writeTo(dir);
        assertEquals(1, PipelineRun.over(input).execute().alerts().size());
    }

    @Test
    void socketFlowCompletesAuditdStart() throws Exception {
        Path input =
                new Telemetry()
                        .auditdExecuted("2024-05-14T10:00:00Z", "lnx-b2", 31337, BEACON)
                        .socketFlow("2024-05-14T10:01:00Z", "lnx-b2", 31337, BEACON, C2, "egress")
                        .writeTo(dir);
        PipelineRun.Result result = PipelineRun.over(input).execute();
        assertEquals(1, result.alerts().size());
        assertEquals(1, result.summary().get(CounterNames.EVENTS_PREFIX + "auditbeat_system"));
    }

    @Test
    void inboundSocketFlowDoesNotAlert() throws Exception {
        Path input =
                new Telemetry()
                        .auditdExecuted("2024-05-14T10:00:00Z", "lnx-b2", 31337, BEACON)
                        .socketFlow("2024-05-14T10:01:00Z", "lnx-b2", 31337, BEACON, C2, "ingress")
                        .writeTo(dir);
        PipelineRun.Result result = PipelineRun.over(input).execute();
        assertEquals(0, result.alerts().size());
        assertEquals(1, result.summary().get(CounterNames.CONNECTIONS_INBOUND));
    }

    // Linux through Elastic Endpoint.

    @Test
    void endpointLinuxBeaconAlerts() throws Exception {
        Path input =
                new Telemetry()
                        .onOs("linux")
                        .start(
                                "2024-05-14T10:00:00Z",
                                "lnx-c3",
                                4100,
                                "ent-4100",
                                BEACON,
                                null,
                                null)
                        .connection(
                                "2024-05-14T10:02:00Z",
                                "lnx-c3",
                                4100,
                                "ent-4100",
                                BEACON,
                                C2,
                                4444)
                        .writeTo(dir);
        PipelineRun.Result result = PipelineRun.over(input).execute();

        assertEquals(1, result.alerts().size());
        JsonNode alert = result.alerts().get(0);
        assertEquals("lnx-c3", alert.at("/host/id").asText());
        assertEquals("linux", alert.at("/host/os/type").asText());
        assertEquals(4100, alert.at("/process/pid").asLong());
        assertEquals("ent-4100", alert.at("/process/entity_id").asText());
        assertEquals(C2, alert.at("/destination/ip").asText());
        assertEquals(4444, alert.at("/destination/port").asInt());
        assertEquals(47, alert.at("/event/risk_score").asInt());
        assertEquals("linux", alert.at("/capwatch/profile").asText());
        assertEquals("endpoint", alert.at("/capwatch/source").asText());
        assertEquals(0, result.summary().get(CounterNames.STARTS_UNKNOWN_SIGNATURE));
    }

    @Test
    void endpointLinuxAcceptDoesNotAlert() throws Exception {
        Path input =
                new Telemetry()
                        .onOs("linux")
                        .start("2024-05-14T10:00:00Z", "lnx-c3", 4100, null, BEACON, null, null)
                        .acceptedConnection("2024-05-14T10:02:00Z", "lnx-c3", 4100, BEACON, C2)
                        .writeTo(dir);
        PipelineRun.Result result = PipelineRun.over(input).execute();
        assertEquals(0, result.alerts().size());
        assertEquals(1, result.summary().get(CounterNames.CONNECTIONS_INBOUND));
    }

    @Test
    void linuxPathsAreCaseSensitive() throws Exception {
        Path input =
                new Telemetry()
                        .onOs("linux")
                        .start(
                                "2024-05-14T10:00:00Z",
                                "lnx-c3",
                                4100,
                                null,
                                "/TMP/beacon",
                                null,
                                null)
                        .connection(
                                "2024-05-14T10:02:00Z",
                                "lnx-c3",
                                4100,
                                null,
                                "/TMP/beacon",
                                C2,
                                4444)
                        .writeTo(dir);
        PipelineRun.Result result = PipelineRun.over(input).execute();
        assertEquals(0, result.alerts().size());
        assertEquals(0, result.summary().get(CounterNames.STARTS_USER_WRITABLE));
    }

    // macOS through Elastic Endpoint.

    @Test
    void macosUnsignedDownloadAlerts() throws Exception {
        Path input =
                new Telemetry()
                        .raw(macosStart("2024-05-14T10:00:00Z", 812, false, false))
                        .onOs("macos")
                        .connection(
                                "2024-05-14T10:00:40Z",
                                "mac-d4",
                                812,
                                "ent-812",
                                MAC_VIEWER,
                                C2,
                                4444)
                        .writeTo(dir);
        PipelineRun.Result result = PipelineRun.over(input).execute();

        assertEquals(1, result.alerts().size());
        JsonNode alert = result.alerts().get(0);
        assertEquals("mac-d4", alert.at("/host/id").asText());
        assertEquals("macos", alert.at("/host/os/type").asText());
        assertEquals(812, alert.at("/process/pid").asLong());
        assertEquals(MAC_VIEWER, alert.at("/process/executable").asText());
        assertEquals(C2, alert.at("/destination/ip").asText());
        assertEquals(
                73, alert.at("/event/risk_score").asInt(), "the macOS unknown-prevalence score");
        assertEquals("macos", alert.at("/capwatch/profile").asText());
        assertEquals("process", alert.at("/capwatch/signature/origin").asText());
        assertFalse(alert.at("/process/code_signature/trusted").asBoolean(true));
        assertEquals("com.example.viewer", alert.at("/process/code_signature/signing_id").asText());
        assertEquals("ABCDE12345", alert.at("/process/code_signature/team_id").asText());
    }

    @Test
    void macosTrustedDownloadDoesNotAlert() throws Exception {
        Path input =
                new Telemetry()
                        .raw(macosStart("2024-05-14T10:00:00Z", 812, true, true))
                        .onOs("macos")
                        .connection(
                                "2024-05-14T10:00:40Z",
                                "mac-d4",
                                812,
                                "ent-812",
                                MAC_VIEWER,
                                C2,
                                4444)
                        .writeTo(dir);
        PipelineRun.Result result = PipelineRun.over(input).execute();
        assertEquals(0, result.alerts().size());
        assertEquals(1, result.summary().get(CounterNames.STARTS_TRUSTED));
    }

    @Test
    void macosWithoutSignatureIsUnknown() throws Exception {
        Path input =
                new Telemetry()
                        .onOs("macos")
                        .start("2024-05-14T10:00:00Z", "mac-d4", 812, null, MAC_VIEWER, null, null)
                        .connection("2024-05-14T10:00:40Z", "mac-d4", 812, MAC_VIEWER, C2)
                        .writeTo(dir);
        PipelineRun.Result result = PipelineRun.over(input).execute();
        assertEquals(0, result.alerts().size());
        assertEquals(1, result.summary().get(CounterNames.STARTS_UNKNOWN_SIGNATURE));
    }

    // Profiles and scoring across platforms.

    /** Every binary is seen on one host, so each profile gives its own "rare" score. */
    @Test
    void scoreFollowsProfileOfStart() throws Exception {
        String windowsExe = "C:\\Users\\u\\AppData\\Local\\Temp\\implant.exe";
        Path input =
                new Telemetry()
                        .unsignedStart("2024-05-14T10:00:00Z", "win-a1", 100, windowsExe)
                        .auditdExecuted("2024-05-14T10:00:00Z", "lnx-b2", 200, BEACON)
                        .raw(macosStart("2024-05-14T10:00:00Z", 300, false, false))
                        .connection("2024-05-14T10:01:00Z", "win-a1", 100, windowsExe, C2)
                        .auditdConnected("2024-05-14T10:01:00Z", "lnx-b2", 200, BEACON, C2, 4444)
                        .onOs("macos")
                        .connection(
                                "2024-05-14T10:01:00Z",
                                "mac-d4",
                                300,
                                "ent-812",
                                MAC_VIEWER,
                                C2,
                                4444)
                        .writeTo(dir);
        Path prevalence = dir.resolve("prevalence.ndjson");
        Files.write(
                prevalence,
                List.of(
                        prevalenceRecord(Telemetry.sha256Of(windowsExe)),
                        prevalenceRecord(BEACON),
                        prevalenceRecord(Telemetry.sha256Of(MAC_VIEWER))));
        PipelineRun.Result result = PipelineRun.over(input).withPrevalence(prevalence).execute();

        Map<String, Integer> scores =
                result.alerts().stream()
                        .collect(
                                Collectors.toMap(
                                        alert -> alert.at("/capwatch/profile").asText(),
                                        alert -> alert.at("/event/risk_score").asInt()));
        assertEquals(3, scores.size(), scores.toString());
        assertEquals(99, scores.get("windows"));
        assertEquals(73, scores.get("linux"));
        assertEquals(99, scores.get("macos"));
    }

    /** A rule file written before profiles existed describes Windows only. */
    @Test
    void legacyRuleDropsLinuxEvents() throws Exception {
        Path rule = dir.resolve("legacy-rule.yaml");
        Files.writeString(
                rule,
                "rule:\n  id: r1\n  name: legacy rule\n"
                        + "start:\n  executable_includes: ['*\\Temp\\*', '*/tmp/*']\n"
                        + "connection:\n  internal_networks: [10.0.0.0/8]\n");
        Path input =
                new Telemetry()
                        .auditdExecuted("2024-05-14T10:00:00Z", "lnx-b2", 31337, BEACON)
                        .auditdConnected("2024-05-14T10:00:05Z", "lnx-b2", 31337, BEACON, C2, 4444)
                        .writeTo(dir);
        PipelineRun.Result result =
                PipelineRun.over(input).withRule(RuleLoader.load(rule)).execute();
        assertEquals(0, result.alerts().size());
        assertEquals(2, result.summary().get(CounterNames.EVENTS_WITHOUT_PROFILE));
    }

    /** Returns an Endpoint macOS start of {@link #MAC_VIEWER} on host {@code mac-d4}. */
    private static String macosStart(String timestamp, long pid, boolean exists, boolean trusted) {
        ObjectNode doc = JSON.createObjectNode();
        doc.put("@timestamp", timestamp);
        doc.putObject("agent").put("type", "endpoint");
        ObjectNode event = doc.putObject("event");
        event.put("id", "mac-start-" + pid).put("module", "endpoint").put("action", "exec");
        event.put("dataset", "endpoint.events.process");
        event.putArray("category").add("process");
        event.putArray("type").add("start");
        ObjectNode host = doc.putObject("host").put("id", "mac-d4").put("name", "mac-d4");
        host.putObject("os").put("type", "macos");
        doc.putObject("user").put("name", "u");
        ObjectNode process = doc.putObject("process");
        process.put("pid", pid).put("entity_id", "ent-812").put("executable", MAC_VIEWER);
        process.putObject("hash").put("sha256", Telemetry.sha256Of(MAC_VIEWER));
        process.putObject("parent")
                .put("executable", "/System/Library/CoreServices/launchservicesd");
        ObjectNode signature = process.putObject("code_signature");
        signature.put("exists", exists).put("trusted", trusted);
        signature.put("signing_id", "com.example.viewer").put("team_id", "ABCDE12345");
        return doc.toString();
    }

    private static String prevalenceRecord(String binary) {
        ObjectNode record = JSON.createObjectNode();
        record.put("binary", binary);
        record.put("host_count", 1);
        record.put("first_seen", "2024-05-01T00:00:00Z");
        record.put("as_of", "2024-05-14T00:00:00Z");
        return record.toString();
    }
}
