package io.capwatch.event;

import static io.capwatch.event.Records.assertEvent;
import static io.capwatch.event.Records.assertIgnored;
import static io.capwatch.event.Records.assertWellFormed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.capwatch.testsupport.SharedData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Parses the sample documents that Elastic publishes for each data source: Elastic Endpoint
 * sample events, Winlogbeat Sysmon golden files and Auditbeat samples. Each file contains one
 * pretty-printed document or a JSON array of documents.
 */
class ElasticSamplesTest {

    private static final Set<Long> SYSMON_EVENT_CODES = Set.of(1L, 3L, 7L);

    private final EventParser parser = EventParser.withDefaults();

    private static Path sample(String name) {
        return SharedData.require("data/elastic/" + name);
    }

    /** Returns the documents of a sample file: the array elements, or the single document. */
    private static List<JsonNode> documents(Path file) throws IOException {
        JsonNode root = Records.JSON.readTree(file.toFile());
        List<JsonNode> documents = new ArrayList<>();
        if (root.isArray()) {
            root.forEach(documents::add);
        } else {
            documents.add(root);
        }
        return documents;
    }

    private static long millis(JsonNode document) {
        return Instant.parse(document.get("@timestamp").asText()).toEpochMilli();
    }

    /**
     * Checks every document of every sample file against values read with the tree model. Sysmon
     * events 1, 3 and 7 become events with the logged pid, executable, host and time. Other Sysmon
     * events are ignored, and Auditbeat documents are recognized as Auditbeat.
     */
    @Test
    void everySampleDocumentParses() throws IOException {
        Path dir = SharedData.require("data/elastic");
        List<Path> files;
        try (Stream<Path> listing = Files.list(dir)) {
            files = listing.filter(path -> path.toString().endsWith(".json")).sorted().toList();
        }
        assertFalse(files.isEmpty(), "no sample files in " + dir);
        int events = 0;
        int ignored = 0;
        int auditbeat = 0;
        for (Path file : files) {
            for (JsonNode document : documents(file)) {
                String name = file.getFileName().toString();
                ParseResult result = parser.parse(document.toString());
                assertWellFormed(result);
                JsonNode eventNode = document.path("event");
                String module = eventNode.path("module").asText();
                if (name.contains("auditbeat")) {
                    // The samples carry no @timestamp and no host: what the parser can check is
                    // that it recognizes the source.
                    assertTrue(
                            result.source() == EventSource.AUDITBEAT_AUDITD
                                    || result.source() == EventSource.AUDITBEAT_SYSTEM,
                            () -> name + ": " + Records.describe(result));
                    auditbeat++;
                } else if (module.equals("sysmon")) {
                    long code = Long.parseLong(eventNode.path("code").asText());
                    if (SYSMON_EVENT_CODES.contains(code)) {
                        SecurityEvent event = assertEvent(result);
                        assertEquals(EventSource.SYSMON_ECS, event.source, name);
                        assertEquals(millis(document), event.timestamp, name);
                        assertEquals(document.at("/process/pid").asLong(), event.pid, name);
                        assertEquals(document.at("/process/executable").asText(), event.executable, name);
                        assertEquals(document.at("/host/name").asText(), event.hostName, name);
                        events++;
                    } else {
                        assertIgnored(result, EventSource.SYSMON_ECS);
                        ignored++;
                    }
                } else {
                    assertEquals(EventSource.ENDPOINT, result.source(), name);
                    assertTrue(result.outcome() != ParseOutcome.DEAD_LETTER, () -> name + ": " + result.detail());
                    if (result.outcome() == ParseOutcome.EVENT) {
                        events++;
                    } else {
                        ignored++;
                    }
                }
            }
        }
        assertTrue(events > 0, "no events in the samples");
        assertTrue(ignored > 0, "no ignored records in the samples");
        assertEquals(3, auditbeat, "Auditbeat documents");
    }

    @Test
    void prettyPrintedFileIsOneRecord() throws IOException {
        byte[] file = Files.readAllBytes(sample("endpoint-package__package__endpoint__data_stream__process__sample_event.json"));
        SecurityEvent event = assertEvent(parser.parse(file));
        assertEquals(2772L, event.pid);
    }

    @Test
    void endpointProcessSample() throws IOException {
        Path file = sample("endpoint-package__package__endpoint__data_stream__process__sample_event.json");
        SecurityEvent event = assertEvent(parser.parse(Files.readString(file)));
        assertEquals(EventSource.ENDPOINT, event.source);
        assertEquals(EventAction.PROCESS_START, event.action);
        assertEquals(Instant.parse("2022-04-04T18:53:08.657Z").toEpochMilli(), event.timestamp);
        assertEquals(36236L, event.sequence);
        assertEquals("MYfZG00oEwD2/fqT+++++CLz", event.eventId);
        assertEquals("2beebb8e-e5f0-46ca-8635-97ba7bb8ccca", event.hostId);
        assertEquals("data-viz-win-1", event.hostName);
        assertEquals("windows", event.hostOsType);
        assertEquals("SYSTEM", event.userName);
        assertEquals("NT AUTHORITY", event.userDomain);
        assertEquals("C:\\Windows\\System32\\svchost.exe", event.executable);
        assertEquals(2772L, event.pid);
        assertEquals(
                "NGM5YzljYjMtZjgwZi00NGQ4LTljODktNjE2ODI0M2I3ZjIxLTI3NzItMTMyOTM1NzE5ODguNjU3ODk4NjAw",
                event.entityId);
        assertEquals("cb19fd67b1d028e01f54c426a0924528c4a8d8ed8996cfe0ee0c6e45285436a1", event.sha256);
        assertEquals("C:\\Windows\\System32\\services.exe", event.parentExecutable);
        assertEquals("C:\\Windows\\System32\\svchost.exe -k WerSvcGroup", event.commandLine);
        assertEquals(Boolean.TRUE, event.signatureExists);
        assertEquals(Boolean.TRUE, event.signatureTrusted);
        assertEquals("Microsoft Windows Publisher", event.signatureSubject);
        assertEquals("trusted", event.signatureStatus);
    }

    @Test
    void endpointDisconnectSampleIsIgnored() throws IOException {
        Path file = sample("endpoint-package__package__endpoint__data_stream__network__sample_event.json");
        assertIgnored(parser.parse(Files.readString(file)), EventSource.ENDPOINT);
    }

    /** The network sample rewritten as the connection_attempted event of the same socket. */
    @Test
    void endpointNetworkSampleAsConnection() throws IOException {
        Path file = sample("endpoint-package__package__endpoint__data_stream__network__sample_event.json");
        ObjectNode document = (ObjectNode) Records.JSON.readTree(file.toFile());
        ObjectNode eventNode = Records.at(document, "event");
        eventNode.put("action", "connection_attempted");
        eventNode.putArray("type").add("start");
        SecurityEvent event = assertEvent(parser.parse(document.toString()));
        assertEquals(EventAction.NETWORK_CONNECTION, event.action);
        assertEquals(Instant.parse("2022-04-04T18:52:00.600Z").toEpochMilli(), event.timestamp);
        assertEquals("51b19c6c-27e3-4c80-ac2a-b72ed52c40c9", event.hostId);
        assertEquals("mgmt-win-1", event.hostName);
        assertEquals(580L, event.pid);
        assertEquals("C:\\Program Files\\Google\\Compute Engine\\agent\\GCEWindowsAgent.exe", event.executable);
        assertEquals("64.233.191.95", event.destinationIp);
        assertEquals(443, event.destinationPort);
        assertEquals("10.201.0.32", event.sourceIp);
        assertEquals(Direction.OUTBOUND, event.direction);
        assertEquals(Boolean.TRUE, event.signatureExists);
        assertEquals(Boolean.FALSE, event.signatureTrusted);
        assertEquals("errorExpired", event.signatureStatus);
    }

    @Test
    void sysmonProcessCreateSample() throws IOException {
        JsonNode document = documents(sample(
                "beats__x-pack__winlogbeat__module__sysmon__test__testdata__ingest__sysmon-12-processcreate.golden.json"))
                .get(0);
        SecurityEvent event = assertEvent(parser.parse(document.toString()));
        assertEquals(EventAction.PROCESS_START, event.action);
        assertEquals("vagrant:20", event.eventId);
        assertEquals("vagrant", event.hostName);
        assertNull(event.hostId);
        assertEquals(3616L, event.pid);
        assertEquals("C:\\Windows\\System32\\notepad.exe", event.executable);
        assertEquals("{9f32b55f-7c4e-5f98-5803-000000000500}", event.entityId);
        assertEquals("C:\\Windows\\explorer.exe", event.parentExecutable);
        assertEquals("vagrant", event.userName);
        assertEquals("VAGRANT", event.userDomain);
        assertNull(event.sha256, "the sample carries only a SHA1");
        assertNull(event.signatureExists);
        assertNull(event.signatureTrusted);
    }

    @Test
    void sysmonImageLoadSample() throws IOException {
        JsonNode document = documents(sample(
                "beats__x-pack__winlogbeat__module__sysmon__test__testdata__ingest__sysmon-12-loadimage.golden.json"))
                .get(0);
        SecurityEvent event = assertEvent(parser.parse(document.toString()));
        assertEquals(EventAction.IMAGE_LOAD, event.action);
        assertEquals(5184L, event.pid);
        assertEquals("C:\\Windows\\System32\\dllhost.exe", event.executable);
        assertEquals("C:\\Windows\\System32\\IDStore.dll", event.loadedImage);
        assertEquals("4808f1101f4e42387d8ddb7a355668bae3bf6f781c42d3bcd82e23446b1deb3e", event.sha256);
        assertEquals(Boolean.TRUE, event.signatureExists);
        assertEquals(Boolean.TRUE, event.signatureTrusted);
        assertEquals("Microsoft Windows", event.signatureSubject);
        assertEquals("Valid", event.signatureStatus);
    }

    @Test
    void sysmonNetworkSamplesHaveDirection() throws IOException {
        List<JsonNode> documents = documents(
                sample("beats__x-pack__winlogbeat__module__sysmon__test__testdata__ingest__sysmon-9.01.golden.json"));
        int connections = 0;
        int outbound = 0;
        for (JsonNode document : documents) {
            if (!document.at("/event/code").asText().equals("3")) {
                continue;
            }
            SecurityEvent event = assertEvent(parser.parse(document.toString()));
            String direction = document.at("/network/direction").asText();
            Direction expected = direction.equals("egress") ? Direction.OUTBOUND : Direction.INBOUND;
            assertEquals(expected, event.direction, document.at("/winlog/record_id").asText());
            assertEquals(document.at("/destination/ip").asText(), event.destinationIp);
            assertEquals(document.at("/destination/port").asInt(), event.destinationPort);
            assertEquals(document.at("/source/ip").asText(), event.sourceIp);
            connections++;
            if (event.direction == Direction.OUTBOUND) {
                outbound++;
            }
        }
        assertEquals(16, connections);
        assertEquals(13, outbound);
    }

    @Test
    void sysmonDnsSampleIsIgnored() throws IOException {
        JsonNode document = documents(
                        sample("beats__x-pack__winlogbeat__module__sysmon__test__testdata__ingest__sysmon-no-evtx.golden.json"))
                .get(0);
        assertEquals("22", document.at("/event/code").asText());
        assertIgnored(parser.parse(document.toString()), EventSource.SYSMON_ECS);
    }

    // Auditbeat. The published samples omit @timestamp and host, which Auditbeat adds to every
    // event it sends, so the tests that map fields add those two.

    private static ObjectNode auditbeatSample(String name) throws IOException {
        return (ObjectNode) documents(sample(name)).get(0);
    }

    private static ObjectNode withTimeAndHost(ObjectNode document) {
        document.put("@timestamp", "2017-10-12T08:05:34.853Z");
        Records.at(document, "host").put("name", "lnx-sample");
        return document;
    }

    @Test
    void auditdExecveSampleWithoutTimeIsMissing() throws IOException {
        ObjectNode document = auditbeatSample("beats__auditbeat__module__auditd___meta__execve.json");
        ParseResult result = parser.parse(document.toString());
        Records.assertDeadLetter(result, DeadLetterReason.MISSING_FIELD, "@timestamp");
        assertEquals(EventSource.AUDITBEAT_AUDITD, result.source());
    }

    @Test
    void auditdExecveSampleIsStart() throws IOException {
        ObjectNode document =
                withTimeAndHost(auditbeatSample("beats__auditbeat__module__auditd___meta__execve.json"));
        SecurityEvent event = assertEvent(parser.parse(document.toString()));
        assertEquals(EventSource.AUDITBEAT_AUDITD, event.source);
        assertEquals(EventAction.PROCESS_START, event.action);
        assertEquals(Instant.parse("2017-10-12T08:05:34.853Z").toEpochMilli(), event.timestamp);
        assertEquals("lnx-sample", event.hostName);
        assertNull(event.hostId);
        assertNull(event.hostOsType);
        assertEquals("/bin/uname", event.executable);
        assertEquals(10043L, event.pid);
        assertNull(event.userName, "the sample carries only user ids");
        assertNull(event.entityId);
        assertNull(event.sha256);
        assertNull(event.signatureExists);
        assertNull(event.signatureTrusted);
    }

    @Test
    void auditdAcceptSampleIsIgnored() throws IOException {
        ObjectNode document = auditbeatSample("beats__auditbeat__module__auditd___meta__accept.json");
        assertEquals("accepted-connection-from", document.at("/event/action").asText());
        assertIgnored(parser.parse(document.toString()), EventSource.AUDITBEAT_AUDITD);
        assertIgnored(parser.parse(withTimeAndHost(document).toString()), EventSource.AUDITBEAT_AUDITD);
    }

    /** The accept sample rewritten as the connect of the same socket: its address becomes the destination. */
    @Test
    void auditdAcceptSampleAsConnect() throws IOException {
        ObjectNode document =
                withTimeAndHost(auditbeatSample("beats__auditbeat__module__auditd___meta__accept.json"));
        Records.at(document, "event").put("action", "connected-to");
        Records.at(document, "network").put("direction", "outbound");
        JsonNode remote = document.remove("source");
        document.set("destination", remote);
        SecurityEvent event = assertEvent(parser.parse(document.toString()));
        assertEquals(EventAction.NETWORK_CONNECTION, event.action);
        assertEquals("/usr/sbin/sshd", event.executable);
        assertEquals(1663L, event.pid);
        assertEquals("root", event.userName);
        assertEquals("72.83.230.100", event.destinationIp);
        assertEquals(58140, event.destinationPort);
        assertEquals(Direction.OUTBOUND, event.direction);
    }

    @Test
    void socketSampleWithoutExecutableIsIgnored() throws IOException {
        ObjectNode document = auditbeatSample("beats__x-pack__auditbeat__module__system__socket___meta__data.json");
        assertEquals("socket_closed", document.at("/event/action").asText());
        assertIgnored(parser.parse(document.toString()), EventSource.AUDITBEAT_SYSTEM);
    }

    @Test
    void socketSampleWithExecutableIsInbound() throws IOException {
        ObjectNode document = auditbeatSample("beats__x-pack__auditbeat__module__system__socket___meta__data.json");
        Records.at(document, "host").put("name", "lnx-sample");
        Records.at(document, "process").put("executable", "/usr/sbin/sshd");
        SecurityEvent event = assertEvent(parser.parse(document.toString()));
        assertEquals(EventSource.AUDITBEAT_SYSTEM, event.source);
        assertEquals(EventAction.NETWORK_CONNECTION, event.action);
        assertEquals(Instant.parse("2017-10-12T08:05:34.853Z").toEpochMilli(), event.timestamp);
        assertEquals(22799L, event.pid);
        assertEquals("10.0.2.15", event.destinationIp);
        assertEquals(22, event.destinationPort);
        assertEquals("10.0.2.2", event.sourceIp);
        assertEquals("root", event.userName);
        assertEquals(Direction.INBOUND, event.direction);
    }
}
