package io.capwatch.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.capwatch.rule.IpAddress;
import io.capwatch.rule.WindowsPath;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The expected outcome of a detection case folder ({@code expected.json}) and the comparison of
 * a run's alerts with it. Alerts match on host id, pid, executable (normalized), destination
 * address and timestamp (as an instant), and risk score where the case gives one. The expected
 * list is complete.
 */
public final class CaseExpectations {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String name;
    private final JsonNode expected;

    private CaseExpectations(String name, JsonNode expected) {
        this.name = name;
        this.expected = expected;
    }

    public static CaseExpectations load(Path caseFolder) throws IOException {
        return new CaseExpectations(
                caseFolder.getFileName().toString(),
                JSON.readTree(Files.readString(caseFolder.resolve("expected.json"))));
    }

    /** Asserts the alerts, the late-event minimum and the dead-letter count of a run. */
    public void assertMatches(PipelineRun.Result result) {
        List<JsonNode> unmatched = new ArrayList<>(result.alerts());
        for (JsonNode want : expected.path("alerts")) {
            JsonNode found = null;
            for (JsonNode actual : unmatched) {
                if (sameAlert(want, actual)) {
                    found = actual;
                    break;
                }
            }
            assertTrue(
                    found != null,
                    name + ": expected alert " + want + " not found among " + describe(unmatched));
            unmatched.remove(found);
        }
        assertTrue(unmatched.isEmpty(), name + ": unexpected alerts " + describe(unmatched));

        for (JsonNode none : expected.path("no_alert_for")) {
            for (JsonNode actual : result.alerts()) {
                boolean same =
                        actual.path("host").path("id").asText().equals(none.path("host.id").asText())
                                && actual.path("process").path("pid").asLong()
                                        == none.path("process.pid").asLong();
                assertTrue(!same, name + ": no alert expected for " + none + " but got " + actual);
            }
        }
        if (expected.has("late_events")) {
            long minimum = expected.get("late_events").asLong();
            assertTrue(
                    result.lateEvents() >= minimum,
                    name + ": expected at least " + minimum + " late events, got "
                            + result.lateEvents());
        }
        if (expected.has("dead_lettered")) {
            assertEquals(
                    expected.get("dead_lettered").asLong(),
                    result.deadLetteredRecords(),
                    name + ": dead-lettered records");
        }
    }

    static boolean sameAlert(JsonNode want, JsonNode actual) {
        if (!want.path("host.id").asText().equals(actual.path("host").path("id").asText())) {
            return false;
        }
        if (want.path("process.pid").asLong() != actual.path("process").path("pid").asLong()) {
            return false;
        }
        String wantPath = WindowsPath.correlationKey(want.path("process.executable").asText());
        String actualPath =
                WindowsPath.correlationKey(actual.path("process").path("executable").asText());
        if (!wantPath.equals(actualPath)) {
            return false;
        }
        var wantIp = IpAddress.parse(want.path("destination.ip").asText());
        var actualIp = IpAddress.parse(actual.path("destination").path("ip").asText());
        if (wantIp.isEmpty() || !wantIp.equals(actualIp)) {
            return false;
        }
        if (!Instant.parse(want.path("@timestamp").asText())
                .equals(Instant.parse(actual.path("@timestamp").asText()))) {
            return false;
        }
        return !want.has("event.risk_score")
                || want.get("event.risk_score").asInt()
                        == actual.path("event").path("risk_score").asInt();
    }

    private static String describe(List<JsonNode> alerts) {
        StringBuilder text = new StringBuilder("[");
        for (JsonNode alert : alerts) {
            text.append("\n  ")
                    .append(alert.path("host").path("id").asText())
                    .append(" pid ")
                    .append(alert.path("process").path("pid").asText())
                    .append(' ')
                    .append(alert.path("process").path("executable").asText())
                    .append(" -> ")
                    .append(alert.path("destination").path("ip").asText())
                    .append(" at ")
                    .append(alert.path("@timestamp").asText())
                    .append(" score ")
                    .append(alert.path("event").path("risk_score").asText());
        }
        return text.append("]").toString();
    }
}
