package io.capwatch.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Builders of typical records for the parser tests, and assertions on parse results. */
final class Records {

    static final ObjectMapper JSON = new ObjectMapper();

    private Records() {}

    /** Returns the object at a dotted path below {@code root}, creating missing objects. */
    static ObjectNode at(ObjectNode root, String dottedPath) {
        ObjectNode node = root;
        for (String name : dottedPath.split("\\.")) {
            node = node.get(name) instanceof ObjectNode child ? child : node.putObject(name);
        }
        return node;
    }

    /** Returns an Elastic Endpoint process start, nested. */
    static ObjectNode endpointStart() {
        return parseObject(
                """
                {"@timestamp":"2024-05-14T10:00:00.000Z",
                 "agent":{"type":"endpoint"},
                 "data_stream":{"dataset":"endpoint.events.process"},
                 "event":{"id":"s-1","sequence":17,"category":["process"],"type":["start"],"action":"start",
                          "module":"endpoint","dataset":"endpoint.events.process"},
                 "host":{"id":"h-a1","name":"ws-a1","os":{"type":"windows"}},
                 "user":{"name":"user01","domain":"WS-A1"},
                 "process":{"pid":4242,"entity_id":"ea1-4242-1","executable":"C:\\\\Users\\\\user01\\\\AppData\\\\Local\\\\Temp\\\\upd.exe",
                            "command_line":"upd.exe /silent",
                            "hash":{"sha256":"C58D60B3F26FF0264D95CF12F08FE41F6EE9D9A67B87A60BD6D17B951EF9D805"},
                            "parent":{"executable":"C:\\\\Windows\\\\explorer.exe","pid":1},
                            "code_signature":{"exists":true,"trusted":false,"subject_name":"Contoso Ltd","status":"errorExpired"}}}
                """);
    }

    /** Returns an Elastic Endpoint outbound connection, nested. */
    static ObjectNode endpointConnection() {
        return parseObject(
                """
                {"@timestamp":"2024-05-14T10:05:00.000Z",
                 "agent":{"type":"endpoint"},
                 "event":{"id":"n-1","category":["network"],"type":["start"],"action":"connection_attempted"},
                 "host":{"id":"h-a1","name":"ws-a1"},
                 "process":{"pid":4242,"entity_id":"ea1-4242-1","executable":"C:\\\\Users\\\\user01\\\\AppData\\\\Local\\\\Temp\\\\upd.exe"},
                 "network":{"direction":"egress","transport":"tcp"},
                 "source":{"ip":"10.20.0.15","port":53001},
                 "destination":{"ip":"93.184.216.34","port":443}}
                """);
    }

    /** Returns a Sysmon ECS record of the given event code, as Winlogbeat writes it. */
    static ObjectNode sysmonEcs(String code) {
        return parseObject(
                """
                {"@timestamp":"2024-05-14T10:00:00.000Z",
                 "event":{"code":"%s","module":"sysmon","provider":"Microsoft-Windows-Sysmon"},
                 "host":{"name":"ws-a1"},
                 "winlog":{"channel":"Microsoft-Windows-Sysmon/Operational","computer_name":"ws-a1","event_id":"%s",
                           "provider_name":"Microsoft-Windows-Sysmon","record_id":"5001","process":{"pid":1676}},
                 "process":{"pid":8003,"entity_id":"{6e4d1a2b-0000-0000-0000-000000008003}",
                            "executable":"C:\\\\Users\\\\user01\\\\Downloads\\\\c.exe"},
                 "user":{"domain":"WS-A1","name":"user01"}}
                """
                        .formatted(code, code));
    }

    /** Returns a flat Sysmon record of the given event id, as NXLog-style collectors write it. */
    static ObjectNode flatSysmon(int eventId) {
        return parseObject(
                """
                {"SourceName":"Microsoft-Windows-Sysmon","Channel":"Microsoft-Windows-Sysmon/Operational",
                 "Hostname":"Pedro01","@timestamp":"2022-08-04T07:50:56.345Z","EventID":%d,
                 "UtcTime":"2022-08-04 14:50:56.154","RecordNumber":90210,
                 "ProcessGuid":"{625b42a0-dcd0-62eb-4207-000000000900}","ProcessId":"7836",
                 "Image":"C:\\\\Users\\\\IT01-Pedro\\\\Downloads\\\\payload.exe",
                 "CommandLine":"\\"C:\\\\Users\\\\IT01-Pedro\\\\Downloads\\\\payload.exe\\" ",
                 "User":"PEDRO01\\\\pedro","ParentImage":"C:\\\\Windows\\\\explorer.exe",
                 "Hashes":"SHA1=91F9CE0E19F8E64418B3C4FDF1D939AAF8765E0F,MD5=7FA1FEC0D8C1740731B50CA00C7F1FDC,SHA256=3B57E2BE22E224AD6E9C43D9D25930594AA4D2C0F411A3A0111FE7CFB29C601E,IMPHASH=B4C6FFF030479AA3B12625BE67BF4914",
                 "Message":"Process Create: ...", "host":"wec.internal.cloudapp.net", "tags":["mordorDataset"]}
                """
                        .formatted(eventId));
    }

    /** Returns an Auditbeat auditd {@code execve} event, as Auditbeat 8 writes it. */
    static ObjectNode auditdExecuted() {
        return parseObject(
                """
                {"@timestamp":"2024-05-14T10:00:00.000Z",
                 "agent":{"type":"auditbeat"},
                 "event":{"module":"auditd","action":"executed","category":["process"],"type":["start"],
                          "outcome":"success","kind":"event"},
                 "auditd":{"result":"success","sequence":8972,"message_type":"syscall"},
                 "host":{"id":"7e1b0a9c","name":"lnx-b2","os":{"type":"linux"}},
                 "user":{"id":"1001","name":"user01"},
                 "process":{"pid":31337,"executable":"/tmp/.x/beacon","name":"beacon",
                            "parent":{"pid":30001},"args":["/tmp/.x/beacon","-d"]}}
                """);
    }

    /** Returns an Auditbeat auditd {@code connect} event to a public address. */
    static ObjectNode auditdConnected() {
        return parseObject(
                """
                {"@timestamp":"2024-05-14T10:00:05.000Z",
                 "agent":{"type":"auditbeat"},
                 "event":{"module":"auditd","action":"connected-to","category":["network"],
                          "type":["connection","start"],"outcome":"failure"},
                 "auditd":{"result":"fail","data":{"syscall":"connect","exit":"EINPROGRESS",
                           "socket":{"addr":"192.0.2.1","family":"ipv4","port":"4444"}}},
                 "host":{"id":"7e1b0a9c","name":"lnx-b2"},
                 "network":{"direction":"egress"},
                 "destination":{"ip":"192.0.2.1","port":"4444"},
                 "process":{"pid":31337,"executable":"/tmp/.x/beacon","name":"beacon"}}
                """);
    }

    /** Returns an Auditbeat system/socket {@code network_flow} event. */
    static ObjectNode systemSocketFlow() {
        return parseObject(
                """
                {"@timestamp":"2024-05-14T10:01:00.000Z",
                 "agent":{"type":"auditbeat"},
                 "event":{"module":"system","dataset":"socket","action":"network_flow",
                          "category":["network"],"type":["info","connection"],
                          "start":"2024-05-14T10:00:05.000Z"},
                 "host":{"name":"lnx-b2"},
                 "network":{"direction":"egress","transport":"tcp","type":"ipv4"},
                 "source":{"ip":"10.20.0.31","port":40112},
                 "destination":{"ip":"192.0.2.1","port":4444},
                 "user":{"id":"1001","name":"user01"},
                 "process":{"pid":31337,"name":"beacon","executable":"/tmp/.x/beacon"}}
                """);
    }

    static ObjectNode parseObject(String json) {
        try {
            return (ObjectNode) JSON.readTree(json);
        } catch (Exception e) {
            throw new AssertionError("invalid test JSON: " + e.getMessage(), e);
        }
    }

    /** Asserts that a result is an event and returns the event. */
    static SecurityEvent assertEvent(ParseResult result) {
        assertEquals(ParseOutcome.EVENT, result.outcome(), () -> "expected an event, got " + describe(result));
        assertNotNull(result.event());
        assertNull(result.reason());
        assertNull(result.detail());
        assertEquals(result.event().source, result.source());
        return result.event();
    }

    /** Asserts that a result is a dead letter of {@code reason} whose detail contains each fragment. */
    static void assertDeadLetter(ParseResult result, DeadLetterReason reason, String... detailFragments) {
        assertEquals(ParseOutcome.DEAD_LETTER, result.outcome(), () -> "expected a dead letter, got " + describe(result));
        assertEquals(reason, result.reason(), () -> describe(result));
        assertNull(result.event());
        assertNotNull(result.detail());
        for (String fragment : detailFragments) {
            assertTrue(
                    result.detail().contains(fragment),
                    () -> "detail should contain \"" + fragment + "\": " + result.detail());
        }
    }

    static void assertIgnored(ParseResult result, EventSource source) {
        assertEquals(ParseOutcome.IGNORED, result.outcome(), () -> "expected ignored, got " + describe(result));
        assertEquals(source, result.source());
        assertNull(result.event());
        assertNull(result.reason());
    }

    /**
     * Asserts the invariants that every result must meet: an event exactly for EVENT, a reason and
     * detail exactly for DEAD_LETTER, and a source for EVENT and IGNORED.
     */
    static void assertWellFormed(ParseResult result) {
        assertNotNull(result);
        assertNotNull(result.outcome());
        switch (result.outcome()) {
            case EVENT -> {
                assertNotNull(result.event());
                assertNotNull(result.source());
                assertNull(result.reason());
            }
            case IGNORED -> {
                assertNull(result.event());
                assertNotNull(result.source());
                assertNull(result.reason());
            }
            case DEAD_LETTER -> {
                assertNull(result.event());
                assertNotNull(result.reason());
                assertNotNull(result.detail());
            }
        }
    }

    static String describe(ParseResult result) {
        return result.outcome() + " " + result.source() + " " + result.reason() + " " + result.detail()
                + (result.event() == null ? "" : " " + result.event());
    }
}
