package io.capwatch.event;

import static io.capwatch.event.Records.assertDeadLetter;
import static io.capwatch.event.Records.assertEvent;
import static io.capwatch.event.Records.assertIgnored;
import static io.capwatch.event.Records.at;
import static io.capwatch.event.Records.endpointConnection;
import static io.capwatch.event.Records.endpointStart;
import static io.capwatch.event.Records.flatSysmon;
import static io.capwatch.event.Records.sysmonEcs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Mapping of each source format and the handling of odd field values. */
class EventParserTest {

    private final EventParser parser = EventParser.withDefaults();

    private ParseResult parse(ObjectNode record) {
        return parser.parse(record.toString());
    }

    private static long millis(String instant) {
        return Instant.parse(instant).toEpochMilli();
    }

    // Elastic Endpoint.

    @Test
    void endpointStartMapsAllFields() {
        SecurityEvent event = assertEvent(parse(endpointStart()));
        assertEquals(EventSource.ENDPOINT, event.source);
        assertEquals(EventAction.PROCESS_START, event.action);
        assertEquals(millis("2024-05-14T10:00:00Z"), event.timestamp);
        assertEquals(17L, event.sequence);
        assertEquals("s-1", event.eventId);
        assertEquals("h-a1", event.hostId);
        assertEquals("ws-a1", event.hostName);
        assertEquals("windows", event.hostOsType);
        assertEquals("user01", event.userName);
        assertEquals("WS-A1", event.userDomain);
        assertEquals("C:\\Users\\user01\\AppData\\Local\\Temp\\upd.exe", event.executable);
        assertEquals(4242L, event.pid);
        assertEquals("ea1-4242-1", event.entityId);
        assertEquals("c58d60b3f26ff0264d95cf12f08fe41f6ee9d9a67b87a60bd6d17b951ef9d805", event.sha256);
        assertEquals("C:\\Windows\\explorer.exe", event.parentExecutable);
        assertEquals("upd.exe /silent", event.commandLine);
        assertEquals(Boolean.TRUE, event.signatureExists);
        assertEquals(Boolean.FALSE, event.signatureTrusted);
        assertEquals("Contoso Ltd", event.signatureSubject);
        assertEquals("errorExpired", event.signatureStatus);
        assertNull(event.destinationIp);
        assertNull(event.loadedImage);
        assertEquals(Direction.UNKNOWN, event.direction);
    }

    @Test
    void dottedKeysEqualNestedObjects() {
        String dotted =
                """
                {"@timestamp":"2024-05-14T10:00:00.000Z","agent.type":"endpoint",
                 "event.id":"s-1","event.sequence":17,"event.category":["process"],"event.type":["start"],
                 "host.id":"h-a1","host.name":"ws-a1","host.os.type":"windows",
                 "user.name":"user01","user.domain":"WS-A1",
                 "process.pid":4242,"process.entity_id":"ea1-4242-1",
                 "process.executable":"C:\\\\Users\\\\user01\\\\AppData\\\\Local\\\\Temp\\\\upd.exe",
                 "process.command_line":"upd.exe /silent",
                 "process.hash.sha256":"C58D60B3F26FF0264D95CF12F08FE41F6EE9D9A67B87A60BD6D17B951EF9D805",
                 "process.parent.executable":"C:\\\\Windows\\\\explorer.exe",
                 "process.code_signature.exists":true,"process.code_signature.trusted":false,
                 "process.code_signature.subject_name":"Contoso Ltd","process.code_signature.status":"errorExpired"}
                """;
        SecurityEvent fromDotted = assertEvent(parser.parse(dotted));
        SecurityEvent fromNested = assertEvent(parse(endpointStart()));
        assertEquals(fromNested.toString(), fromDotted.toString());
        assertEquals(fromNested.sequence, fromDotted.sequence);
        assertEquals(fromNested.eventId, fromDotted.eventId);
        assertEquals(fromNested.hostOsType, fromDotted.hostOsType);
        assertEquals(fromNested.userName, fromDotted.userName);
        assertEquals(fromNested.userDomain, fromDotted.userDomain);
        assertEquals(fromNested.entityId, fromDotted.entityId);
        assertEquals(fromNested.sha256, fromDotted.sha256);
        assertEquals(fromNested.parentExecutable, fromDotted.parentExecutable);
        assertEquals(fromNested.commandLine, fromDotted.commandLine);
        assertEquals(fromNested.signatureExists, fromDotted.signatureExists);
        assertEquals(fromNested.signatureTrusted, fromDotted.signatureTrusted);
        assertEquals(fromNested.signatureSubject, fromDotted.signatureSubject);
        assertEquals(fromNested.signatureStatus, fromDotted.signatureStatus);
    }

    @Test
    void mixedDottedAndNestedKeys() {
        String mixed =
                """
                {"@timestamp":"2024-05-14T10:00:00Z","agent":{"type":"endpoint"},
                 "event":{"category":"process","type.":"x","type":"start"},
                 "host":{"id":"h-a1"},
                 "process":{"code_signature.exists":false,"hash.sha256":"AB"},
                 "process.pid":"77","process.executable":"C:\\\\x.exe"}
                """;
        SecurityEvent event = assertEvent(parser.parse(mixed));
        assertEquals(77L, event.pid);
        assertEquals(Boolean.FALSE, event.signatureExists);
        assertNull(event.signatureTrusted);
        assertEquals("ab", event.sha256);
    }

    @Test
    void dottedKeyWithObjectValue() {
        String record =
                """
                {"@timestamp":"2024-05-14T10:00:00Z","agent.type":"endpoint",
                 "event":{"category":["process"],"type":["start"]},"host.id":"h-a1",
                 "process.code_signature":{"exists":true,"trusted":true},
                 "process":{"pid":5,"executable":"C:\\\\a.exe"}}
                """;
        SecurityEvent event = assertEvent(parser.parse(record));
        assertEquals(Boolean.TRUE, event.signatureExists);
        assertEquals(Boolean.TRUE, event.signatureTrusted);
        assertEquals("C:\\a.exe", event.executable);
    }

    @Test
    void laterDuplicateFieldWins() {
        String duplicated =
                """
                {"@timestamp":"2024-05-14T10:00:00Z","agent":{"type":"endpoint"},
                 "event":{"category":["process"],"type":["start"]},"host.id":"h-a1",
                 "process":{"pid":1,"executable":"C:\\\\a.exe"},"process.pid":2}
                """;
        assertEquals(2L, assertEvent(parser.parse(duplicated)).pid);
    }

    @Test
    void unrelatedNestedFieldsAreSkipped() {
        ObjectNode record = endpointStart();
        at(record, "process.Ext").putArray("code_signature").addObject().put("trusted", true);
        at(record, "winlog.process").put("pid", 1676);
        at(record, "process.parent.code_signature").put("trusted", true);
        SecurityEvent event = assertEvent(parse(record));
        assertEquals(Boolean.FALSE, event.signatureTrusted);
        assertEquals(4242L, event.pid);
    }

    @ParameterizedTest(name = "detected by {0}")
    @CsvSource({
        "agent.type,endpoint",
        "data_stream.dataset,endpoint.events.process",
        "event.dataset,endpoint.events.process",
        "event.module,endpoint",
        "event.module,ENDPOINT",
    })
    void endpointDetectedByAnyMarker(String path, String value) {
        ObjectNode record = endpointStart();
        record.remove("agent");
        record.remove("data_stream");
        ObjectNode eventNode = at(record, "event");
        eventNode.remove("module");
        eventNode.remove("dataset");
        record.put(path, value);
        assertEquals(EventSource.ENDPOINT, assertEvent(parse(record)).source);
    }

    @Test
    void eventTypeAsString() {
        ObjectNode record = endpointStart();
        at(record, "event").put("type", "start").put("category", "process");
        assertEquals(EventAction.PROCESS_START, assertEvent(parse(record)).action);
    }

    @Test
    void categoryArrayWithTypeString() {
        // ECS declares both as keyword arrays, and Elasticsearch stores a lone string the same way.
        ObjectNode record = endpointStart();
        at(record, "event").put("type", "start");
        assertEquals(EventAction.PROCESS_START, assertEvent(parse(record)).action);
    }

    @Test
    void categoryObjectIsInvalid() {
        ObjectNode record = endpointStart();
        at(record, "event").putObject("category").put("name", "process");
        assertDeadLetter(parse(record), DeadLetterReason.INVALID_FIELD, "event.category is an object");
    }

    @ParameterizedTest(name = "event.type {0}")
    @ValueSource(strings = {"null", "[]", "1", "true", "{}", "[\"end\"]", "\"START \""})
    void typeWithoutStartIsIgnored(String typeJson) {
        ObjectNode record = endpointStart();
        at(record, "event").set("type", Records.parseObject("{\"v\":" + typeJson + "}").get("v"));
        assertIgnored(parse(record), EventSource.ENDPOINT);
    }

    @Test
    void scalarFieldAsArrayTakesFirst() {
        ObjectNode record = endpointStart();
        at(record, "process").putArray("pid").addNull().add("4243").add(1);
        at(record, "host").putArray("name").add("ws-a1").add("alias");
        SecurityEvent event = assertEvent(parse(record));
        assertEquals(4243L, event.pid);
        assertEquals("ws-a1", event.hostName);
    }

    @Test
    void objectsInsideCollectedArrayAreSkipped() {
        ObjectNode record = endpointStart();
        ArrayNode types = at(record, "event").putArray("type");
        types.addObject().put("x", 1);
        types.add("start");
        assertEquals(EventAction.PROCESS_START, assertEvent(parse(record)).action);
    }

    @Test
    void numericStringsAreAccepted() {
        ObjectNode record = endpointConnection();
        at(record, "process").put("pid", "4242");
        at(record, "destination").put("port", "443");
        at(record, "event").put("sequence", "36090");
        SecurityEvent event = assertEvent(parse(record));
        assertEquals(4242L, event.pid);
        assertEquals(443, event.destinationPort);
        assertEquals(36090L, event.sequence);
    }

    @ParameterizedTest(name = "pid {0}")
    @ValueSource(strings = {"\"abc\"", "\"42a\"", "\"\"", "\" 42\"", "\"0x1c\"", "4242.5", "-1", "true", "{}", "99999999999999999999"})
    void pidNotAnIntegerIsInvalid(String pidJson) {
        ObjectNode record = endpointStart();
        at(record, "process").set("pid", Records.parseObject("{\"v\":" + pidJson + "}").get("v"));
        assertDeadLetter(parse(record), DeadLetterReason.INVALID_FIELD, "process.pid");
    }

    @Test
    void invalidPidDetailQuotesValue() {
        ObjectNode record = endpointStart();
        at(record, "process").put("pid", "four");
        assertDeadLetter(parse(record), DeadLetterReason.INVALID_FIELD, "process.pid", "\"four\"");
    }

    @Test
    void longInvalidValueIsTruncated() {
        ObjectNode record = endpointStart();
        at(record, "process").put("pid", "x".repeat(5000));
        ParseResult result = parse(record);
        assertDeadLetter(result, DeadLetterReason.INVALID_FIELD, "process.pid", "(5000 chars)");
        assertFalse(result.detail().length() > 300, result.detail());
    }

    @Test
    void nullPidIsMissing() {
        ObjectNode record = endpointStart();
        at(record, "process").putNull("pid");
        assertDeadLetter(parse(record), DeadLetterReason.MISSING_FIELD, "process.pid");
    }

    @Test
    void absentPidIsMissing() {
        ObjectNode record = endpointStart();
        at(record, "process").remove("pid");
        assertDeadLetter(parse(record), DeadLetterReason.MISSING_FIELD, "process.pid");
    }

    @Test
    void emptyPidArrayIsMissing() {
        ObjectNode record = endpointStart();
        at(record, "process").putArray("pid");
        assertDeadLetter(parse(record), DeadLetterReason.MISSING_FIELD, "process.pid");
    }

    @ParameterizedTest(name = "executable {0}")
    @ValueSource(strings = {"null", "\"\"", "[]", "absent"})
    void executableAbsentOrEmptyIsMissing(String executableJson) {
        ObjectNode record = endpointStart();
        if (executableJson.equals("absent")) {
            at(record, "process").remove("executable");
        } else {
            at(record, "process").set("executable", Records.parseObject("{\"v\":" + executableJson + "}").get("v"));
        }
        assertDeadLetter(parse(record), DeadLetterReason.MISSING_FIELD, "process.executable");
    }

    @Test
    void executableObjectIsInvalid() {
        ObjectNode record = endpointStart();
        at(record, "process").putObject("executable").put("path", "C:\\x.exe");
        assertDeadLetter(parse(record), DeadLetterReason.INVALID_FIELD, "process.executable");
    }

    @Test
    void hostMissingIsDeadLettered() {
        ObjectNode record = endpointStart();
        record.remove("host");
        assertDeadLetter(parse(record), DeadLetterReason.MISSING_FIELD, "host.id", "host.name");
    }

    @Test
    void hostNameFallsBackToHostname() {
        ObjectNode record = endpointStart();
        record.remove("host");
        at(record, "host").put("hostname", "mgmt-win-1");
        SecurityEvent event = assertEvent(parse(record));
        assertNull(event.hostId);
        assertEquals("mgmt-win-1", event.hostName);
        assertEquals("mgmt-win-1", event.hostKey());
    }

    @Test
    void nullHostIdUsesName() {
        ObjectNode record = endpointStart();
        at(record, "host").putNull("id");
        SecurityEvent event = assertEvent(parse(record));
        assertNull(event.hostId);
        assertEquals("ws-a1", event.hostKey());
    }

    @Test
    void timestampMissingIsDeadLettered() {
        ObjectNode record = endpointStart();
        record.remove("@timestamp");
        assertDeadLetter(parse(record), DeadLetterReason.MISSING_FIELD, "@timestamp");
    }

    @Test
    void timestampAsEpochMillis() {
        ObjectNode record = endpointStart();
        record.put("@timestamp", 1715680800123L);
        assertEquals(1715680800123L, assertEvent(parse(record)).timestamp);
    }

    @ParameterizedTest(name = "@timestamp {0}")
    @ValueSource(
            strings = {
                "\"yesterday\"",
                "\"\"",
                "\"2024-13-01T00:00:00Z\"",
                "\"2024-02-30T00:00:00Z\"",
                "\"2024-05-14T24:00:00Z\"",
                "\"2024-05-14T10:00:00.1234567890Z\"",
                "\"2024-05-14T10:00:00+25:00\"",
                "\"2024-05-14\"",
                "\"1715680800000\"",
                "1715680800000.5",
                "true",
                "{}",
            })
    void oddTimestampIsInvalid(String timestampJson) {
        ObjectNode record = endpointStart();
        record.set("@timestamp", Records.parseObject("{\"v\":" + timestampJson + "}").get("v"));
        assertDeadLetter(parse(record), DeadLetterReason.INVALID_FIELD, "@timestamp");
    }

    @Test
    void signatureAbsentStaysNull() {
        ObjectNode record = endpointStart();
        at(record, "process").remove("code_signature");
        SecurityEvent event = assertEvent(parse(record));
        assertNull(event.signatureExists);
        assertNull(event.signatureTrusted);
        assertNull(event.signatureSubject);
        assertNull(event.signatureStatus);
    }

    @Test
    void signatureBooleansAsStrings() {
        ObjectNode record = endpointStart();
        at(record, "process.code_signature").put("exists", "TRUE").put("trusted", "false");
        SecurityEvent event = assertEvent(parse(record));
        assertEquals(Boolean.TRUE, event.signatureExists);
        assertEquals(Boolean.FALSE, event.signatureTrusted);
    }

    @ParameterizedTest(name = "exists {0}")
    @ValueSource(strings = {"\"yes\"", "1", "\"\""})
    void signatureNotBooleanIsInvalid(String existsJson) {
        ObjectNode record = endpointStart();
        at(record, "process.code_signature").set("exists", Records.parseObject("{\"v\":" + existsJson + "}").get("v"));
        assertDeadLetter(parse(record), DeadLetterReason.INVALID_FIELD, "process.code_signature.exists");
    }

    @Test
    void endpointConnectionMapsDestination() {
        SecurityEvent event = assertEvent(parse(endpointConnection()));
        assertEquals(EventAction.NETWORK_CONNECTION, event.action);
        assertEquals("93.184.216.34", event.destinationIp);
        assertEquals(443, event.destinationPort);
        assertEquals("10.20.0.15", event.sourceIp);
        assertEquals(Direction.OUTBOUND, event.direction);
        assertEquals("n-1", event.eventId);
    }

    @ParameterizedTest(name = "action={0} direction={1} -> {2}")
    @CsvSource({
        "connection_attempted,egress,OUTBOUND",
        "connection_attempted,,OUTBOUND",
        "connection_accepted,ingress,INBOUND",
        "connection_accepted,,INBOUND",
        "connection_accepted,egress,INBOUND",
        ",ingress,INBOUND",
        ",inbound,INBOUND",
        ",egress,OUTBOUND",
        ",outbound,OUTBOUND",
        ",internal,UNKNOWN",
        ",,UNKNOWN",
    })
    void endpointDirection(String action, String direction, Direction expected) {
        ObjectNode record = endpointConnection();
        ObjectNode eventNode = at(record, "event");
        eventNode.remove("action");
        if (action != null) {
            eventNode.put("action", action);
        }
        at(record, "network").remove("direction");
        if (direction != null) {
            at(record, "network").put("direction", direction);
        }
        assertEquals(expected, assertEvent(parse(record)).direction);
    }

    @Test
    void connectionTypeWithoutStart() {
        ObjectNode record = endpointConnection();
        at(record, "event").remove("action");
        at(record, "event").putArray("type").add("connection");
        assertEquals(EventAction.NETWORK_CONNECTION, assertEvent(parse(record)).action);
    }

    @ParameterizedTest(name = "{0}/{1}/{2} ignored")
    @CsvSource({
        "network,end,disconnect_received",
        "network,protocol,lookup_result",
        "process,end,end",
        "file,creation,creation",
        "library,start,load",
        "registry,change,modification",
    })
    void otherEndpointEventsAreIgnored(String category, String type, String action) {
        ObjectNode record = endpointConnection();
        ObjectNode eventNode = at(record, "event");
        eventNode.putArray("category").add(category);
        eventNode.putArray("type").add(type);
        eventNode.put("action", action);
        assertIgnored(parse(record), EventSource.ENDPOINT);
    }

    @Test
    void endpointWithoutCategoryIsMissing() {
        ObjectNode record = endpointStart();
        at(record, "event").remove("category");
        assertDeadLetter(parse(record), DeadLetterReason.MISSING_FIELD, "event.category");
    }

    @Test
    void ignoredEventSkipsFieldChecks() {
        ObjectNode record = endpointConnection();
        at(record, "event").putArray("type").add("end");
        at(record, "event").put("action", "disconnect_received");
        at(record, "process").put("pid", "not a pid");
        record.remove("@timestamp");
        assertIgnored(parse(record), EventSource.ENDPOINT);
    }

    @ParameterizedTest(name = "destination {0} -> {1}")
    @CsvSource({
        "fe80::1%12,fe80::1",
        "fe80::1%eth0,fe80::1",
        "[::ffff:10.0.0.1],::ffff:10.0.0.1",
        "2606:2800:220:1:248:1893:25c8:1946%3,2606:2800:220:1:248:1893:25c8:1946",
        "[::1],::1",
        "::ffff:93.184.216.34,::ffff:93.184.216.34",
        "0.0.0.0,0.0.0.0",
        "0:0:0:0:0:0:0:1,0:0:0:0:0:0:0:1",
    })
    void destinationKeepsLoggedFormWithoutZone(String logged, String expected) {
        ObjectNode record = endpointConnection();
        at(record, "destination").put("ip", logged);
        assertEquals(expected, assertEvent(parse(record)).destinationIp);
    }

    @ParameterizedTest(name = "destination {0}")
    @ValueSource(
            strings = {
                "999.12.0.1",
                "999.1.1.1",
                "1.2.3",
                "example.com",
                "fe80::1%",
                " 1.2.3.4",
                "1.2.3.4:443",
                "10.0.0.1%eth0",
                "\uff11.2.3.4",
                "010.0.0.1",
                "0x0a.0.0.1",
                "167772161",
                "::ffff:999.1.1.1",
            })
    void destinationNotAnIpIsInvalid(String logged) {
        ObjectNode record = endpointConnection();
        at(record, "destination").put("ip", logged);
        assertDeadLetter(parse(record), DeadLetterReason.INVALID_FIELD, "destination.ip", logged);
    }

    @Test
    void destinationAbsentIsMissing() {
        ObjectNode record = endpointConnection();
        at(record, "destination").remove("ip");
        assertDeadLetter(parse(record), DeadLetterReason.MISSING_FIELD, "destination.ip");
    }

    @Test
    void destinationNullIsMissing() {
        ObjectNode record = endpointConnection();
        at(record, "destination").putNull("ip");
        assertDeadLetter(parse(record), DeadLetterReason.MISSING_FIELD, "destination.ip");
    }

    @ParameterizedTest(name = "port {0}")
    @ValueSource(strings = {"70000", "-1", "\"https\""})
    void portOutOfRangeIsInvalid(String portJson) {
        ObjectNode record = endpointConnection();
        at(record, "destination").set("port", Records.parseObject("{\"v\":" + portJson + "}").get("v"));
        assertDeadLetter(parse(record), DeadLetterReason.INVALID_FIELD, "destination.port");
    }

    @Test
    void portAbsentIsNull() {
        ObjectNode record = endpointConnection();
        at(record, "destination").remove("port");
        assertNull(assertEvent(parse(record)).destinationPort);
    }

    @Test
    void processStartIgnoresDestination() {
        ObjectNode record = endpointStart();
        at(record, "destination").put("ip", "not an address");
        assertNull(assertEvent(parse(record)).destinationIp);
    }

    @ParameterizedTest
    @ValueSource(strings = {"exec", "fork"})
    void endpointLinuxStart(String action) {
        ObjectNode record = endpointStart();
        at(record, "event").put("action", action);
        at(record, "host.os").put("type", "linux");
        ObjectNode process = at(record, "process");
        process.put("executable", "/tmp/.x/beacon");
        process.remove("code_signature");
        SecurityEvent event = assertEvent(parse(record));
        assertEquals(EventSource.ENDPOINT, event.source);
        assertEquals(EventAction.PROCESS_START, event.action);
        assertEquals("linux", event.hostOsType);
        assertEquals("/tmp/.x/beacon", event.executable);
        assertNull(event.signatureExists);
        assertNull(event.signatureTrusted);
    }

    @Test
    void endpointLinuxAlreadyRunningIsIgnored() {
        ObjectNode record = endpointStart();
        at(record, "event").put("action", "already_running").putArray("type").add("info");
        at(record, "host.os").put("type", "linux");
        assertIgnored(parse(record), EventSource.ENDPOINT);
    }

    @Test
    void endpointMacosSignatureFields() {
        ObjectNode record = endpointStart();
        at(record, "host.os").put("type", "macos");
        ObjectNode process = at(record, "process");
        process.put("executable", "/Users/u/Downloads/Viewer.app/Contents/MacOS/Viewer");
        ObjectNode signature = process.putObject("code_signature");
        signature.put("exists", true).put("trusted", false).put("status", "code failed to satisfy specified code requirement(s)");
        signature.put("signing_id", "com.example.viewer").put("team_id", "ABCDE12345");
        SecurityEvent event = assertEvent(parse(record));
        assertEquals("macos", event.hostOsType);
        assertEquals(Boolean.TRUE, event.signatureExists);
        assertEquals(Boolean.FALSE, event.signatureTrusted);
        assertEquals("com.example.viewer", event.signatureSigningId);
        assertEquals("ABCDE12345", event.signatureTeamId);
        assertNull(event.signatureSubject);
    }

    // Sysmon ECS.

    @ParameterizedTest(name = "code {0} -> {1}")
    @CsvSource({"1,PROCESS_START", "3,NETWORK_CONNECTION", "7,IMAGE_LOAD"})
    void sysmonCodeSelectsAction(String code, EventAction action) {
        ObjectNode record = sysmonEcs(code);
        at(record, "destination").put("ip", "93.184.216.34");
        SecurityEvent event = assertEvent(parse(record));
        assertEquals(EventSource.SYSMON_ECS, event.source);
        assertEquals(action, event.action);
    }

    @Test
    void sysmonCodeAsNumber() {
        ObjectNode record = sysmonEcs("1");
        at(record, "event").put("code", 1);
        assertEquals(EventAction.PROCESS_START, assertEvent(parse(record)).action);
    }

    @Test
    void sysmonCodeFallsBackToEventId() {
        ObjectNode record = sysmonEcs("1");
        at(record, "event").remove("code");
        at(record, "winlog").put("event_id", 7);
        assertEquals(EventAction.IMAGE_LOAD, assertEvent(parse(record)).action);
    }

    @ParameterizedTest(name = "code {0} ignored")
    @ValueSource(strings = {"22", "5", "10", "12", "255", "0"})
    void otherSysmonCodesAreIgnored(String code) {
        assertIgnored(parse(sysmonEcs(code)), EventSource.SYSMON_ECS);
    }

    @Test
    void sysmonDnsIsNeverConnection() {
        ObjectNode record = sysmonEcs("22");
        at(record, "event").putArray("category").add("network");
        at(record, "event").putArray("type").add("connection");
        at(record, "dns").putArray("resolved_ip").add("93.184.216.34");
        assertIgnored(parse(record), EventSource.SYSMON_ECS);
    }

    @Test
    void sysmonWithoutCodeIsMissing() {
        ObjectNode record = sysmonEcs("1");
        at(record, "event").remove("code");
        at(record, "winlog").remove("event_id");
        assertDeadLetter(parse(record), DeadLetterReason.MISSING_FIELD, "event.code");
    }

    @Test
    void sysmonCodeNotNumericIsInvalid() {
        ObjectNode record = sysmonEcs("one");
        assertDeadLetter(parse(record), DeadLetterReason.INVALID_FIELD, "event.code", "\"one\"");
    }

    @ParameterizedTest(name = "detected by {0}")
    @CsvSource({
        "event.module,sysmon",
        "winlog.channel,Microsoft-Windows-Sysmon/Operational",
        "winlog.provider_name,Microsoft-Windows-Sysmon",
    })
    void sysmonDetectedByAnyMarker(String path, String value) {
        ObjectNode record = sysmonEcs("1");
        at(record, "event").remove("module");
        at(record, "winlog").remove("channel");
        at(record, "winlog").remove("provider_name");
        record.put(path, value);
        assertEquals(EventSource.SYSMON_ECS, assertEvent(parse(record)).source);
    }

    @Test
    void sysmonStartMapsFields() {
        SecurityEvent event = assertEvent(parse(sysmonEcs("1")));
        assertEquals("ws-a1:5001", event.eventId);
        assertEquals("ws-a1", event.hostName);
        assertNull(event.hostId);
        assertEquals(8003L, event.pid);
        assertEquals("{6e4d1a2b-0000-0000-0000-000000008003}", event.entityId);
        assertEquals("user01", event.userName);
        assertEquals("WS-A1", event.userDomain);
        assertNull(event.signatureExists);
        assertNull(event.signatureTrusted);
    }

    @Test
    void sysmonEventIdPrefersEventId() {
        ObjectNode record = sysmonEcs("1");
        at(record, "event").put("id", "abc");
        assertEquals("abc", assertEvent(parse(record)).eventId);
    }

    @Test
    void sysmonHostFallsBackToComputerName() {
        ObjectNode record = sysmonEcs("1");
        record.remove("host");
        assertEquals("ws-a1", assertEvent(parse(record)).hostName);
    }

    @Test
    void winlogProcessPidIsNotPid() {
        ObjectNode record = sysmonEcs("1");
        at(record, "process").remove("pid");
        assertDeadLetter(parse(record), DeadLetterReason.MISSING_FIELD, "process.pid");
    }

    @ParameterizedTest(name = "direction={0} Initiated={1} -> {2}")
    @CsvSource({
        "egress,,OUTBOUND",
        "outbound,,OUTBOUND",
        "ingress,,INBOUND",
        "inbound,,INBOUND",
        ",true,OUTBOUND",
        ",false,INBOUND",
        "outbound,false,OUTBOUND",
        ",,UNKNOWN",
    })
    void sysmonDirection(String direction, String initiated, Direction expected) {
        ObjectNode record = sysmonEcs("3");
        at(record, "destination").put("ip", "93.184.216.34");
        if (direction != null) {
            at(record, "network").put("direction", direction);
        }
        if (initiated != null) {
            at(record, "winlog.event_data").put("Initiated", initiated);
        }
        assertEquals(expected, assertEvent(parse(record)).direction);
    }

    @Test
    void sysmonConnectionWithoutDestinationIsMissing() {
        assertDeadLetter(parse(sysmonEcs("3")), DeadLetterReason.MISSING_FIELD, "destination.ip");
    }

    /** Image-load signature fields: Signed, SignatureStatus, file.code_signature.valid and .exists. */
    @ParameterizedTest(name = "Signed={0} status={1} valid={2} exists={3} -> {4}/{5}")
    @CsvSource({
        "false,Unavailable,,,false,",
        "true,Valid,,,true,true",
        "TRUE,valid,,,true,true",
        "true,Expired,,,true,false",
        "true,,,,true,",
        ",,,,,",
        ",Valid,true,,true,true",
        ",Unavailable,false,,,false",
        ",,,false,false,",
        ",,,true,true,",
        "false,Unavailable,true,true,false,",
    })
    void sysmonImageLoadSignature(
            String signed, String status, String valid, String exists, Boolean expectedExists, Boolean expectedTrusted) {
        ObjectNode record = sysmonEcs("7");
        at(record, "file").put("path", "C:\\Users\\user01\\Downloads\\c.exe");
        if (signed != null) {
            at(record, "winlog.event_data").put("Signed", signed);
        }
        if (status != null) {
            at(record, "winlog.event_data").put("SignatureStatus", status);
        }
        if (valid != null) {
            at(record, "file.code_signature").put("valid", Boolean.parseBoolean(valid));
        }
        if (exists != null) {
            at(record, "file.code_signature").put("exists", Boolean.parseBoolean(exists));
        }
        SecurityEvent event = assertEvent(parse(record));
        assertEquals(expectedExists, event.signatureExists, "signatureExists");
        assertEquals(expectedTrusted, event.signatureTrusted, "signatureTrusted");
        assertEquals(status, event.signatureStatus, "signatureStatus");
    }

    @Test
    void imageLoadReadsLoadedFile() {
        ObjectNode record = sysmonEcs("7");
        at(record, "process.hash").put("sha256", "AAAA");
        at(record, "file").put("path", "C:\\Users\\user01\\Downloads\\helper.dll");
        at(record, "file.hash").put("sha256", "BBBB");
        at(record, "file.code_signature").put("subject_name", "Contoso Ltd");
        SecurityEvent event = assertEvent(parse(record));
        assertEquals("C:\\Users\\user01\\Downloads\\helper.dll", event.loadedImage);
        assertEquals("bbbb", event.sha256);
        assertEquals("Contoso Ltd", event.signatureSubject);
        assertEquals("C:\\Users\\user01\\Downloads\\c.exe", event.executable);
    }

    @Test
    void imageLoadWithoutFileHashHasNoHash() {
        ObjectNode record = sysmonEcs("7");
        at(record, "process.hash").put("sha256", "AAAA");
        assertNull(assertEvent(parse(record)).sha256);
    }

    @Test
    void imageLoadFallsBackToEventData() {
        ObjectNode record = sysmonEcs("7");
        at(record, "winlog.event_data")
                .put("ImageLoaded", "C:\\Windows\\System32\\IDStore.dll")
                .put("Signature", "Microsoft Windows");
        SecurityEvent event = assertEvent(parse(record));
        assertEquals("C:\\Windows\\System32\\IDStore.dll", event.loadedImage);
        assertEquals("Microsoft Windows", event.signatureSubject);
    }

    @Test
    void imageLoadSignedNotBooleanIsInvalid() {
        ObjectNode record = sysmonEcs("7");
        at(record, "winlog.event_data").put("Signed", "maybe");
        assertDeadLetter(parse(record), DeadLetterReason.INVALID_FIELD, "winlog.event_data.Signed", "maybe");
    }

    // Flat Sysmon.

    @Test
    void flatStartMapsFields() {
        SecurityEvent event = assertEvent(parse(flatSysmon(1)));
        assertEquals(EventSource.SYSMON_FLAT, event.source);
        assertEquals(EventAction.PROCESS_START, event.action);
        assertEquals(millis("2022-08-04T07:50:56.345Z"), event.timestamp);
        assertEquals("Pedro01", event.hostName);
        assertNull(event.hostId);
        assertEquals("C:\\Users\\IT01-Pedro\\Downloads\\payload.exe", event.executable);
        assertEquals(7836L, event.pid);
        assertEquals("{625b42a0-dcd0-62eb-4207-000000000900}", event.entityId);
        assertEquals("C:\\Windows\\explorer.exe", event.parentExecutable);
        assertEquals("\"C:\\Users\\IT01-Pedro\\Downloads\\payload.exe\" ", event.commandLine);
        assertEquals("PEDRO01", event.userDomain);
        assertEquals("pedro", event.userName);
        assertEquals("3b57e2be22e224ad6e9c43d9d25930594aa4d2c0f411a3a0111fe7cfb29c601e", event.sha256);
        assertEquals("90210", event.eventId);
        assertNull(event.sequence);
        assertNull(event.signatureExists);
        assertNull(event.signatureTrusted);
    }

    @Test
    void flatTimestampFallsBackToUtcTime() {
        ObjectNode record = flatSysmon(1);
        record.remove("@timestamp");
        assertEquals(millis("2022-08-04T14:50:56.154Z"), assertEvent(parse(record)).timestamp);
    }

    @Test
    void flatWithoutTimeIsMissing() {
        ObjectNode record = flatSysmon(1);
        record.remove("@timestamp");
        record.remove("UtcTime");
        assertDeadLetter(parse(record), DeadLetterReason.MISSING_FIELD, "@timestamp", "UtcTime");
    }

    @Test
    void flatEventIdAsString() {
        ObjectNode record = flatSysmon(1);
        record.put("EventID", "1");
        assertEquals(EventAction.PROCESS_START, assertEvent(parse(record)).action);
    }

    @Test
    void flatEventRecordIdFallback() {
        ObjectNode record = flatSysmon(1);
        record.remove("RecordNumber");
        record.put("EventRecordID", "1234");
        assertEquals("1234", assertEvent(parse(record)).eventId);
    }

    @Test
    void flatUserWithoutDomain() {
        ObjectNode record = flatSysmon(1);
        record.put("User", "SYSTEM");
        SecurityEvent event = assertEvent(parse(record));
        assertEquals("SYSTEM", event.userName);
        assertNull(event.userDomain);
    }

    @Test
    void flatConnectionMapsFields() {
        ObjectNode record = flatSysmon(3);
        record.put("DestinationIp", "0:0:0:0:0:0:0:1").put("DestinationPort", "443").put("SourceIp", "10.0.0.5");
        record.put("Initiated", "true");
        SecurityEvent event = assertEvent(parse(record));
        assertEquals(EventAction.NETWORK_CONNECTION, event.action);
        assertEquals("0:0:0:0:0:0:0:1", event.destinationIp);
        assertEquals(443, event.destinationPort);
        assertEquals("10.0.0.5", event.sourceIp);
        assertEquals(Direction.OUTBOUND, event.direction);
    }

    @Test
    void flatInitiatedFalseIsInbound() {
        ObjectNode record = flatSysmon(3);
        record.put("DestinationIp", "172.18.39.5").put("Initiated", "false");
        assertEquals(Direction.INBOUND, assertEvent(parse(record)).direction);
    }

    @Test
    void flatConnectionWithoutDestinationIsMissing() {
        assertDeadLetter(parse(flatSysmon(3)), DeadLetterReason.MISSING_FIELD, "DestinationIp");
    }

    @ParameterizedTest(name = "Signed={0} status={1} -> {2}/{3}")
    @CsvSource({
        "false,Unavailable,false,",
        "true,Valid,true,true",
        "true,Expired,true,false",
        ",,,",
    })
    void flatImageLoadSignature(String signed, String status, Boolean exists, Boolean trusted) {
        ObjectNode record = flatSysmon(7);
        record.put("ImageLoaded", "C:\\Users\\IT01-Pedro\\Downloads\\payload.exe").put("Signature", "-");
        if (signed != null) {
            record.put("Signed", signed);
        }
        if (status != null) {
            record.put("SignatureStatus", status);
        }
        SecurityEvent event = assertEvent(parse(record));
        assertEquals(EventAction.IMAGE_LOAD, event.action);
        assertEquals("C:\\Users\\IT01-Pedro\\Downloads\\payload.exe", event.loadedImage);
        assertEquals(exists, event.signatureExists, "signatureExists");
        assertEquals(trusted, event.signatureTrusted, "signatureTrusted");
        assertEquals(status, event.signatureStatus, "signatureStatus");
        assertEquals(signed == null ? null : "-", event.signatureSubject, "signatureSubject");
    }

    @ParameterizedTest(name = "EventID {0} ignored")
    @ValueSource(ints = {2, 5, 10, 11, 12, 13, 22, 23})
    void otherFlatSysmonEventsAreIgnored(int eventId) {
        assertIgnored(parse(flatSysmon(eventId)), EventSource.SYSMON_FLAT);
    }

    @ParameterizedTest(name = "channel {0} ignored")
    @ValueSource(strings = {"Security", "security", "Windows PowerShell", "Application", "Linux-Sysmon/Operational"})
    void otherChannelsAreIgnored(String channel) {
        ObjectNode record = flatSysmon(1);
        record.put("Channel", channel).put("SourceName", "Microsoft-Windows-Security-Auditing");
        assertIgnored(parse(record), EventSource.SYSMON_FLAT);
    }

    @Test
    void flatDetectedBySourceName() {
        ObjectNode record = flatSysmon(1);
        record.remove("Channel");
        assertEquals(EventSource.SYSMON_FLAT, assertEvent(parse(record)).source);
    }

    @Test
    void flatDetectedByProviderName() {
        ObjectNode record = flatSysmon(1);
        record.remove("Channel");
        record.remove("SourceName");
        record.put("ProviderName", "Microsoft-Windows-Sysmon");
        assertEquals(EventSource.SYSMON_FLAT, assertEvent(parse(record)).source);
    }

    @Test
    void nxlogProcessIdIsNotRead() {
        ObjectNode record = flatSysmon(3);
        record.remove("ProcessId");
        record.put("ProcessID", 2644).put("DestinationIp", "172.18.39.255");
        assertDeadLetter(parse(record), DeadLetterReason.MISSING_FIELD, "ProcessId");
    }

    @Test
    void flatHostnameMissing() {
        ObjectNode record = flatSysmon(1);
        record.remove("Hostname");
        assertDeadLetter(parse(record), DeadLetterReason.MISSING_FIELD, "Hostname");
    }

    @Test
    void flatEventIdNotNumericIsInvalid() {
        ObjectNode record = flatSysmon(1);
        record.put("EventID", "Process Create");
        assertDeadLetter(parse(record), DeadLetterReason.INVALID_FIELD, "EventID");
    }

    @ParameterizedTest(name = "Hashes {0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "SHA1=AA,MD5=BB,SHA256=CC,IMPHASH=DD|cc",
                "SHA256=CC|cc",
                "sha256=Cc|cc",
                "MD5=BB, SHA256=CC |cc",
                "SHA1=AA,MD5=BB|",
                "SHA256=|",
                "garbage|",
                "=CC,SHA256|",
            })
    void flatHashesSha256(String hashes, String sha256) {
        assertEquals(sha256, FlatSysmonMapper.sha256(hashes));
    }

    // Records of no supported source.

    @ParameterizedTest(name = "unknown shape {0}")
    @ValueSource(
            strings = {
                "{}",
                "{\"message\":\"<13>May 14 10:00:30 ws-a1 agent: upload queue flushed\",\"log\":{\"syslog\":{\"priority\":13}}}",
                "{\"event\":{\"module\":\"system\",\"dataset\":\"system.cpu\"},\"host\":{\"name\":\"lnx-b2\"}}",
                "{\"EventID\":4688}",
                "{\"Channel\":\"Security\"}",
                "{\"agent\":{\"type\":\"winlogbeat\"},\"winlog\":{\"channel\":\"Security\"}}",
                "{\"agent\":{\"type\":{\"name\":\"endpoint\"}}}",
            })
    void unknownShapeIsDeadLettered(String record) {
        ParseResult result = parser.parse(record);
        assertDeadLetter(result, DeadLetterReason.UNKNOWN_SHAPE);
        assertNull(result.source());
    }
}
