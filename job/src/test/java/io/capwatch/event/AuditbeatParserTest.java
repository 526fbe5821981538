package io.capwatch.event;

import static io.capwatch.event.Records.assertDeadLetter;
import static io.capwatch.event.Records.assertEvent;
import static io.capwatch.event.Records.assertIgnored;
import static io.capwatch.event.Records.at;
import static io.capwatch.event.Records.auditdConnected;
import static io.capwatch.event.Records.auditdExecuted;
import static io.capwatch.event.Records.systemSocketFlow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.capwatch.rule.Platform;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Mapping of Auditbeat auditd and system/socket documents, on synthetic records. */
class AuditbeatParserTest {

    private final EventParser parser = EventParser.withDefaults();

    private ParseResult parse(ObjectNode record) {
        return parser.parse(record.toString());
    }

    // auditd process starts.

    @Test
    void executedMapsAllFields() {
        SecurityEvent event = assertEvent(parse(auditdExecuted()));
        assertEquals(EventSource.AUDITBEAT_AUDITD, event.source);
        assertEquals(EventAction.PROCESS_START, event.action);
        assertEquals(Instant.parse("2024-05-14T10:00:00Z").toEpochMilli(), event.timestamp);
        assertEquals("7e1b0a9c", event.hostId);
        assertEquals("lnx-b2", event.hostName);
        assertEquals("linux", event.hostOsType);
        assertEquals("user01", event.userName);
        assertEquals("/tmp/.x/beacon", event.executable);
        assertEquals(31337L, event.pid);
        assertNull(event.sha256, "auditd hashes nothing");
        assertNull(event.signatureExists);
        assertNull(event.signatureTrusted);
        assertEquals(Direction.UNKNOWN, event.direction);
    }

    @Test
    void executedWithoutEcsCategoryIsStart() {
        // Auditbeat 6 wrote the legacy category and no event.type, as its published samples show.
        ObjectNode record = auditdExecuted();
        ObjectNode eventNode = at(record, "event");
        eventNode.put("category", "audit-rule");
        eventNode.remove("type");
        eventNode.remove("outcome");
        assertEquals(EventAction.PROCESS_START, assertEvent(parse(record)).action);
    }

    @Test
    void failedExecveIsIgnored() {
        ObjectNode record = auditdExecuted();
        at(record, "event").put("outcome", "failure");
        assertIgnored(parse(record), EventSource.AUDITBEAT_AUDITD);
    }

    @Test
    void failedResultWithoutOutcomeIsIgnored() {
        ObjectNode record = auditdExecuted();
        at(record, "event").remove("outcome");
        at(record, "auditd").put("result", "fail");
        assertIgnored(parse(record), EventSource.AUDITBEAT_AUDITD);
    }

    @Test
    void deletedExecutableLosesSuffix() {
        ObjectNode record = auditdExecuted();
        at(record, "process").put("executable", "/tmp/.x/beacon (deleted)");
        assertEquals("/tmp/.x/beacon", assertEvent(parse(record)).executable);
    }

    @Test
    void posixPathKeepsItsCase() {
        ObjectNode record = auditdExecuted();
        at(record, "process").put("executable", "/tmp/.X/Beacon");
        assertEquals("/tmp/.X/Beacon", assertEvent(parse(record)).executable);
    }

    @Test
    void executedWithoutTimestampIsMissing() {
        ObjectNode record = auditdExecuted();
        record.remove("@timestamp");
        ParseResult result = parse(record);
        assertDeadLetter(result, DeadLetterReason.MISSING_FIELD, "@timestamp");
        assertEquals(EventSource.AUDITBEAT_AUDITD, result.source());
    }

    @Test
    void executedWithoutHostIsMissing() {
        ObjectNode record = auditdExecuted();
        record.remove("host");
        assertDeadLetter(parse(record), DeadLetterReason.MISSING_FIELD, "host.id and host.name");
    }

    @Test
    void executedWithoutExecutableIsMissing() {
        ObjectNode record = auditdExecuted();
        at(record, "process").remove("executable");
        assertDeadLetter(parse(record), DeadLetterReason.MISSING_FIELD, "process.executable");
    }

    // auditd connections.

    @Test
    void connectedToMapsDestination() {
        SecurityEvent event = assertEvent(parse(auditdConnected()));
        assertEquals(EventSource.AUDITBEAT_AUDITD, event.source);
        assertEquals(EventAction.NETWORK_CONNECTION, event.action);
        assertEquals("192.0.2.1", event.destinationIp);
        assertEquals(4444, event.destinationPort);
        assertEquals(Direction.OUTBOUND, event.direction);
        assertEquals("/tmp/.x/beacon", event.executable);
        assertEquals(31337L, event.pid);
    }

    /** A non-blocking connect is logged as failed (EINPROGRESS) and still an attempt. */
    @Test
    void failedConnectIsConnection() {
        ObjectNode record = auditdConnected();
        at(record, "event").put("outcome", "failure");
        at(record, "auditd").put("result", "fail");
        SecurityEvent event = assertEvent(parse(record));
        assertEquals(EventAction.NETWORK_CONNECTION, event.action);
    }

    @Test
    void actionDecidesDirection() {
        ObjectNode record = auditdConnected();
        at(record, "network").put("direction", "ingress");
        assertEquals(Direction.OUTBOUND, assertEvent(parse(record)).direction);
    }

    @Test
    void sentToWithAddressIsConnection() {
        ObjectNode record = auditdConnected();
        at(record, "event").put("action", "sent-to");
        assertEquals(EventAction.NETWORK_CONNECTION, assertEvent(parse(record)).action);
    }

    @Test
    void unixSocketConnectIsIgnored() {
        ObjectNode record = auditdConnected();
        record.remove("destination");
        at(record, "destination").put("path", "/run/systemd/notify");
        assertIgnored(parse(record), EventSource.AUDITBEAT_AUDITD);
    }

    @Test
    void invalidDestinationIsInvalid() {
        ObjectNode record = auditdConnected();
        at(record, "destination").put("ip", "192.0.2");
        assertDeadLetter(
                parse(record), DeadLetterReason.INVALID_FIELD, "destination.ip", "192.0.2");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "accepted-connection-from",
                "received-from",
                "bound-socket",
                "listen-for-connections",
                "opened-file",
                "changed-identity-of"
            })
    void otherAuditdActionsAreIgnored(String action) {
        ObjectNode record = auditdConnected();
        at(record, "event").put("action", action);
        assertIgnored(parse(record), EventSource.AUDITBEAT_AUDITD);
    }

    @Test
    void auditdWithoutActionIsIgnored() {
        ObjectNode record = auditdExecuted();
        at(record, "event").remove("action");
        assertIgnored(parse(record), EventSource.AUDITBEAT_AUDITD);
    }

    // system/socket.

    @Test
    void socketFlowMapsConnection() {
        SecurityEvent event = assertEvent(parse(systemSocketFlow()));
        assertEquals(EventSource.AUDITBEAT_SYSTEM, event.source);
        assertEquals(EventAction.NETWORK_CONNECTION, event.action);
        assertEquals(Instant.parse("2024-05-14T10:01:00Z").toEpochMilli(), event.timestamp);
        assertEquals("lnx-b2", event.hostName);
        assertNull(event.hostId);
        assertEquals("/tmp/.x/beacon", event.executable);
        assertEquals(31337L, event.pid);
        assertEquals("192.0.2.1", event.destinationIp);
        assertEquals(4444, event.destinationPort);
        assertEquals("10.20.0.31", event.sourceIp);
        assertEquals(Direction.OUTBOUND, event.direction);
    }

    @ParameterizedTest
    @CsvSource({
        "egress,OUTBOUND",
        "outbound,OUTBOUND",
        "ingress,INBOUND",
        "inbound,INBOUND",
        "internal,UNKNOWN"
    })
    void socketFlowDirection(String direction, Direction expected) {
        ObjectNode record = systemSocketFlow();
        at(record, "network").put("direction", direction);
        assertEquals(expected, assertEvent(parse(record)).direction);
    }

    @Test
    void socketFlowWithoutProcessIsIgnored() {
        ObjectNode record = systemSocketFlow();
        record.remove("process");
        assertIgnored(parse(record), EventSource.AUDITBEAT_SYSTEM);
    }

    @Test
    void socketFlowWithoutDestinationIsIgnored() {
        ObjectNode record = systemSocketFlow();
        record.remove("destination");
        assertIgnored(parse(record), EventSource.AUDITBEAT_SYSTEM);
    }

    @Test
    void otherSocketActionIsIgnored() {
        ObjectNode record = systemSocketFlow();
        at(record, "event").put("action", "dns_query");
        assertIgnored(parse(record), EventSource.AUDITBEAT_SYSTEM);
    }

    @Test
    void otherSystemDatasetsAreNotAuditbeat() {
        ObjectNode record = systemSocketFlow();
        at(record, "event").put("dataset", "system.auth");
        ParseResult result = parse(record);
        assertDeadLetter(result, DeadLetterReason.UNKNOWN_SHAPE);
        assertNull(result.source());
    }

    @Test
    void auditbeatSourcesRunOnLinux() {
        assertEquals(Platform.LINUX, EventSource.AUDITBEAT_AUDITD.platform());
        assertEquals(Platform.LINUX, EventSource.AUDITBEAT_SYSTEM.platform());
        assertNull(EventSource.ENDPOINT.platform());
        assertNull(EventSource.SYSMON_ECS.platform());
    }
}
