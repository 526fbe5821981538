package io.capwatch.tools;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.capwatch.tools.Activity.Process;
import io.capwatch.tools.Activity.Step;
import io.capwatch.tools.Fleet.Host;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Locale;

/**
 * Writes one event of an activity as a JSON line in its host's format, with the fields that each
 * agent writes for it: Elastic Endpoint ECS for Windows and Linux, Sysmon through Winlogbeat (ECS
 * plus {@code winlog.*}), and Sysmon as flat NXLog JSON.
 */
final class TelemetryRenderer {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter ISO_MILLIS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT)
                    .withZone(ZoneOffset.UTC);

    /** Sysmon's {@code UtcTime}, without the {@code T} and zone. */
    private static final DateTimeFormatter SYSMON_UTC =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS", Locale.ROOT)
                    .withZone(ZoneOffset.UTC);

    private static final String SYSMON_CHANNEL = "Microsoft-Windows-Sysmon/Operational";
    private static final String SYSMON_PROVIDER = "Microsoft-Windows-Sysmon";
    private static final String SYSMON_PROVIDER_GUID = "{5770385f-c22a-43e0-bf4c-06f5698ffbd9}";
    private static final String AGENT_VERSION = "8.15.0";

    private long eventCounter;
    // Consecutive events often share a millisecond, so the last formatted times are kept.
    private long isoTimeMillis;
    private String isoTimeText;
    private long sysmonTimeMillis;
    private String sysmonTimeText;

    /** Returns the event as one line of UTF-8 JSON, without the line break. */
    byte[] render(Activity activity, Step step, long timeMillis) {
        Process process = activity.process;
        if (step.type() == Activity.StepType.PROCESS_START) {
            process.startMillis = timeMillis;
        }
        ObjectNode event =
                switch (process.host.format) {
                    case ENDPOINT_WINDOWS, ENDPOINT_LINUX -> endpoint(process, step, timeMillis);
                    case SYSMON_WINLOGBEAT -> winlogbeat(process, step, timeMillis);
                    case SYSMON_NXLOG -> nxlog(process, step, timeMillis);
                };
        try {
            return JSON.writeValueAsBytes(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an ObjectNode always serializes", e);
        }
    }

    // Elastic Endpoint

    private ObjectNode endpoint(Process process, Step step, long time) {
        Host host = process.host;
        String dataset =
                switch (step.type()) {
                    case PROCESS_START -> "endpoint.events.process";
                    case CONNECTION, INBOUND_CONNECTION -> "endpoint.events.network";
                    case FILE_CREATE -> "endpoint.events.file";
                    default ->
                            throw new IllegalArgumentException(
                                    step.type() + " is not an Endpoint event");
                };
        ObjectNode doc = JSON.createObjectNode();
        String timestamp = isoTime(time);
        doc.put("@timestamp", timestamp);
        doc.putObject("agent")
                .put("id", host.agentId)
                .put("type", "endpoint")
                .put("version", AGENT_VERSION);
        doc.putObject("data_stream")
                .put("dataset", dataset)
                .put("namespace", "default")
                .put("type", "logs");
        doc.putObject("ecs").put("version", "8.10.0");

        ObjectNode event = doc.putObject("event");
        event.put("created", timestamp);
        event.put("dataset", dataset);
        event.put("id", endpointEventId(host));
        event.put("kind", "event");
        event.put("module", "endpoint");
        event.put("sequence", host.nextRecordNumber());
        endpointHost(doc, host);

        ObjectNode processNode = doc.putObject("process");
        processNode.put("pid", process.pid);
        processNode.put("entity_id", endpointEntityId(process));
        processNode.put("executable", process.executable);
        processNode.put("name", process.name());
        switch (step.type()) {
            case PROCESS_START -> {
                event.put("action", "start");
                event.putArray("category").add("process");
                event.putArray("type").add("start");
                doc.put("message", "Endpoint process event");
                processNode.put("command_line", process.commandLine);
                processNode.putObject("hash").put("sha256", process.sha256);
                ObjectNode parent = processNode.putObject("parent");
                parent.put("pid", process.parentPid);
                parent.put("executable", process.parentExecutable);
                parent.put("name", fileName(process.parentExecutable));
                if (host.isWindows()) {
                    ObjectNode signature = processNode.putObject("code_signature");
                    if (process.signer == null) {
                        signature.put("exists", false);
                    } else {
                        signature.put("exists", true);
                        signature.put("status", "trusted");
                        signature.put("subject_name", process.signer);
                        signature.put("trusted", true);
                    }
                }
            }
            case CONNECTION, INBOUND_CONNECTION -> {
                boolean inbound = step.type() == Activity.StepType.INBOUND_CONNECTION;
                event.put("action", inbound ? "connection_accepted" : "connection_attempted");
                event.putArray("category").add("network");
                event.putArray("type").add("start");
                doc.put("message", "Endpoint network event");
                doc.putObject("network")
                        .put("direction", inbound ? "ingress" : "egress")
                        .put("transport", "tcp")
                        .put("type", "ipv4");
                putEnds(doc, host, step, inbound);
            }
            case FILE_CREATE -> {
                event.put("action", "creation");
                event.putArray("category").add("file");
                event.putArray("type").add("creation");
                doc.put("message", "Endpoint file event");
                doc.putObject("file")
                        .put("path", step.detail())
                        .put("name", fileName(step.detail()));
            }
            default ->
                    throw new IllegalArgumentException(step.type() + " is not an Endpoint event");
        }
        ObjectNode user = doc.putObject("user").put("name", process.user);
        if (host.isWindows()) {
            user.put("domain", "CORP");
        }
        return doc;
    }

    private static void endpointHost(ObjectNode doc, Host host) {
        ObjectNode hostNode = doc.putObject("host");
        hostNode.put("architecture", "x86_64");
        hostNode.put("hostname", host.name);
        hostNode.put("id", host.id);
        hostNode.putArray("ip").add(host.ip);
        hostNode.put("name", host.name);
        ObjectNode os = hostNode.putObject("os");
        if (host.isWindows()) {
            boolean server = host.role == Fleet.HostRole.WINDOWS_SERVER;
            os.put("family", "windows");
            os.put("name", "Windows");
            os.put("platform", "windows");
            os.put("type", "windows");
            os.put("version", server ? "21H2 (10.0.20348.2849)" : "22H2 (10.0.19045.5011)");
            os.put("full", server ? "Windows Server 2022 Datacenter" : "Windows 10 Enterprise");
        } else {
            os.put("family", "debian");
            os.put("kernel", "5.15.0-91-generic");
            os.put("name", "Ubuntu");
            os.put("platform", "ubuntu");
            os.put("type", "linux");
            os.put("version", "22.04.3");
            os.put("full", "Ubuntu 22.04.3");
        }
    }

    /** Endpoint's entity id: base64 of the agent id, pid and start time. */
    private static String endpointEntityId(Process process) {
        if (process.entityId == null) {
            String raw = process.host.agentId + "-" + process.pid + "-" + process.startMillis;
            process.entityId =
                    Base64.getEncoder().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
        }
        return process.entityId;
    }

    private String endpointEventId(Host host) {
        long counter = ++eventCounter;
        return Integer.toHexString(host.index).toUpperCase(Locale.ROOT) + "-" + counter;
    }

    // Sysmon through Winlogbeat

    private ObjectNode winlogbeat(Process process, Step step, long time) {
        Host host = process.host;
        SysmonEvent kind = SysmonEvent.of(step.type());
        ObjectNode doc = JSON.createObjectNode();
        String timestamp = isoTime(time);
        doc.put("@timestamp", timestamp);
        doc.putObject("agent")
                .put("id", host.agentId)
                .put("name", host.name)
                .put("type", "winlogbeat")
                .put("version", AGENT_VERSION);
        doc.putObject("ecs").put("version", "8.0.0");

        ObjectNode event = doc.putObject("event");
        event.put("action", kind.action);
        event.putArray("category").add(kind.category);
        ArrayNode types = event.putArray("type");
        for (String type : kind.types) {
            types.add(type);
        }
        event.put("code", Integer.toString(kind.code));
        event.put("created", timestamp);
        event.put("kind", "event");
        event.put("module", "sysmon");
        event.put("provider", SYSMON_PROVIDER);

        ObjectNode hostNode = doc.putObject("host");
        hostNode.put("hostname", shortName(host.name));
        hostNode.put("id", host.id);
        hostNode.putArray("ip").add(host.ip);
        hostNode.put("name", host.name);
        hostNode.putObject("os")
                .put("family", "windows")
                .put("platform", "windows")
                .put("type", "windows")
                .put(
                        "name",
                        host.role == Fleet.HostRole.WINDOWS_SERVER
                                ? "Windows Server 2022 Datacenter"
                                : "Windows 10 Enterprise");
        doc.putObject("log").put("level", "information");

        ObjectNode winlog = doc.putObject("winlog");
        winlog.put("api", "wineventlog");
        winlog.put("channel", SYSMON_CHANNEL);
        winlog.put("computer_name", host.name);
        winlog.put("event_id", Integer.toString(kind.code));
        winlog.put("provider_guid", SYSMON_PROVIDER_GUID);
        winlog.put("provider_name", SYSMON_PROVIDER);
        winlog.put("record_id", Long.toString(host.nextRecordNumber()));
        winlog.putObject("process").put("pid", sysmonServicePid(host));
        winlog.put("version", 5);
        ObjectNode eventData = winlog.putObject("event_data");
        eventData.put("RuleName", "-");

        ObjectNode processNode = doc.putObject("process");
        processNode.put("entity_id", processGuid(process));
        processNode.put("executable", process.executable);
        processNode.put("name", process.name());
        processNode.put("pid", process.pid);
        switch (step.type()) {
            case PROCESS_START -> {
                processNode.put("command_line", process.commandLine);
                processNode.putObject("hash").put("sha256", process.sha256);
                processNode
                        .putObject("parent")
                        .put("executable", process.parentExecutable)
                        .put("name", fileName(process.parentExecutable))
                        .put("pid", process.parentPid);
                eventData.put("IntegrityLevel", "Medium");
                eventData.put("LogonId", "0x3e7");
                eventData.put("TerminalSessionId", "1");
            }
            case IMAGE_LOAD, LIBRARY_LOAD -> {
                boolean own = step.type() == Activity.StepType.IMAGE_LOAD;
                String path = own ? process.executable : step.detail();
                String signer = own ? process.signer : "Microsoft Windows";
                ObjectNode file = doc.putObject("file");
                file.put("path", path);
                file.put("name", fileName(path));
                file.putObject("hash")
                        .put("sha256", own ? process.sha256 : Activities.sha256(path));
                ObjectNode signature = file.putObject("code_signature");
                if (signer == null) {
                    signature.put("status", "Unavailable").put("valid", false);
                    eventData.put("Signed", "false");
                    eventData.put("SignatureStatus", "Unavailable");
                } else {
                    signature.put("status", "Valid").put("subject_name", signer).put("valid", true);
                    eventData.put("Signed", "true");
                    eventData.put("Signature", signer);
                    eventData.put("SignatureStatus", "Valid");
                }
            }
            case CONNECTION, INBOUND_CONNECTION -> {
                boolean inbound = step.type() == Activity.StepType.INBOUND_CONNECTION;
                doc.putObject("network")
                        .put("direction", inbound ? "ingress" : "egress")
                        .put("transport", "tcp")
                        .put("type", "ipv4");
                putEnds(doc, host, step, inbound);
                eventData.put("Initiated", inbound ? "false" : "true");
            }
            case DNS_QUERY -> {
                ObjectNode dns = doc.putObject("dns");
                dns.putObject("question").put("name", step.detail());
                dns.putArray("resolved_ip").add(step.remoteIp());
                doc.putObject("network").put("protocol", "dns");
                eventData.put("QueryStatus", "0");
            }
            case FILE_CREATE ->
                    doc.putObject("file")
                            .put("path", step.detail())
                            .put("name", fileName(step.detail()));
        }
        doc.putObject("user").put("domain", "CORP").put("name", process.user);
        return doc;
    }

    // Sysmon as flat NXLog JSON

    private ObjectNode nxlog(Process process, Step step, long time) {
        Host host = process.host;
        SysmonEvent kind = SysmonEvent.of(step.type());
        ObjectNode doc = JSON.createObjectNode();
        String utcTime = sysmonTime(time);
        doc.put("EventTime", utcTime.substring(0, 19));
        doc.put("Hostname", host.name);
        doc.put("Keywords", "-9223372036854775808");
        doc.put("EventType", "INFO");
        doc.put("SeverityValue", 2);
        doc.put("Severity", "INFO");

        doc.put("EventID", kind.code);
        doc.put("SourceName", SYSMON_PROVIDER);
        doc.put("ProviderGuid", SYSMON_PROVIDER_GUID.toUpperCase(Locale.ROOT));
        doc.put("Version", 5);
        doc.put("TaskValue", kind.code);
        doc.put("OpcodeValue", 0);
        doc.put("RecordNumber", host.nextRecordNumber());
        // The System ProcessID of the event is Sysmon's own service, not the process described.
        doc.put("ProcessID", sysmonServicePid(host));
        doc.put("ThreadID", 3000 + host.index % 997);
        doc.put("Channel", SYSMON_CHANNEL);
        doc.put("Domain", "NT AUTHORITY");
        doc.put("AccountName", "SYSTEM");
        doc.put("UserID", "S-1-5-18");
        doc.put("AccountType", "User");
        doc.put("Category", kind.nxlogCategory);
        doc.put("Opcode", "Info");
        doc.put("RuleName", "-");

        doc.put("UtcTime", utcTime);
        doc.put("ProcessGuid", processGuid(process));
        doc.put("ProcessId", Integer.toString(process.pid));
        doc.put("Image", process.executable);
        String user = "CORP\\" + process.user;

        switch (step.type()) {
            case PROCESS_START -> {
                doc.put("CommandLine", process.commandLine);
                doc.put("CurrentDirectory", "C:\\Windows\\system32\\");
                doc.put("User", user);
                doc.put("LogonId", "0x3e7");
                doc.put("TerminalSessionId", "1");
                doc.put("IntegrityLevel", "Medium");
                doc.put("Hashes", "SHA256=" + process.sha256.toUpperCase(Locale.ROOT));
                doc.put("ParentProcessId", Integer.toString(process.parentPid));
                doc.put("ParentImage", process.parentExecutable);
            }
            case IMAGE_LOAD, LIBRARY_LOAD -> {
                boolean own = step.type() == Activity.StepType.IMAGE_LOAD;
                String path = own ? process.executable : step.detail();
                String signer = own ? process.signer : "Microsoft Windows";
                String sha256 = own ? process.sha256 : Activities.sha256(path);
                doc.put("ImageLoaded", path);
                doc.put("Hashes", "SHA256=" + sha256.toUpperCase(Locale.ROOT));
                doc.put("Signed", signer == null ? "false" : "true");
                doc.put("Signature", signer == null ? "-" : signer);
                doc.put("SignatureStatus", signer == null ? "Unavailable" : "Valid");
                doc.put("User", user);
            }
            case CONNECTION, INBOUND_CONNECTION -> {
                boolean inbound = step.type() == Activity.StepType.INBOUND_CONNECTION;
                doc.put("User", user);
                doc.put("Protocol", "tcp");
                doc.put("Initiated", inbound ? "false" : "true");
                doc.put("SourceIsIpv6", "false");
                doc.put("SourceIp", inbound ? step.remoteIp() : host.ip);
                doc.put("SourcePort", Integer.toString(ephemeralPort(step)));
                doc.put("DestinationIsIpv6", "false");
                doc.put("DestinationIp", inbound ? host.ip : step.remoteIp());
                doc.put("DestinationPort", Integer.toString(step.remotePort()));
            }
            case DNS_QUERY -> {
                doc.put("QueryName", step.detail());
                doc.put("QueryStatus", "0");
                doc.put("QueryResults", "::ffff:" + step.remoteIp() + ";");
                doc.put("User", user);
            }
            case FILE_CREATE -> {
                doc.put("TargetFilename", step.detail());
                doc.put("CreationUtcTime", utcTime);
                doc.put("User", user);
            }
        }

        doc.put("EventReceivedTime", utcTime.substring(0, 19));
        doc.put("SourceModuleName", "in_sysmon");
        doc.put("SourceModuleType", "im_msvistalog");
        doc.put("@timestamp", isoTime(time));
        return doc;
    }

    // Shared helpers

    /** Returns {@code @timestamp} text for {@code time}, reusing the text of the previous event. */
    private String isoTime(long time) {
        if (time != isoTimeMillis || isoTimeText == null) {
            isoTimeMillis = time;
            isoTimeText = ISO_MILLIS.format(Instant.ofEpochMilli(time));
        }
        return isoTimeText;
    }

    /**
     * Returns Sysmon {@code UtcTime} text for {@code time}, reusing the text of the previous event.
     */
    private String sysmonTime(long time) {
        if (time != sysmonTimeMillis || sysmonTimeText == null) {
            sysmonTimeMillis = time;
            sysmonTimeText = SYSMON_UTC.format(Instant.ofEpochMilli(time));
        }
        return sysmonTimeText;
    }

    /**
     * Sets {@code source} and {@code destination}. An outbound connection goes from the host to the
     * remote end; for an accepted one, the remote end is the source.
     */
    private static void putEnds(ObjectNode doc, Host host, Step step, boolean inbound) {
        String remote = step.remoteIp();
        int port = ephemeralPort(step);
        if (inbound) {
            doc.putObject("source").put("address", remote).put("ip", remote).put("port", port);
            doc.putObject("destination")
                    .put("address", host.ip)
                    .put("ip", host.ip)
                    .put("port", step.remotePort());
        } else {
            doc.putObject("source").put("address", host.ip).put("ip", host.ip).put("port", port);
            doc.putObject("destination")
                    .put("address", remote)
                    .put("ip", remote)
                    .put("port", step.remotePort());
        }
    }

    /** Returns an ephemeral port for the client end, stable for the step. */
    private static int ephemeralPort(Step step) {
        return 49152 + Math.floorMod((int) (step.delayMillis() * 31 + step.remotePort()), 16383);
    }

    /** Sysmon's ProcessGuid: a per-host prefix, the start time and the pid. */
    private static String processGuid(Process process) {
        if (process.entityId == null) {
            long seconds = process.startMillis / 1000;
            process.entityId =
                    String.format(
                            Locale.ROOT,
                            "{%s-%04x-%04x-%04x-%012x}",
                            process.host.guidPrefix,
                            (seconds >>> 16) & 0xffff,
                            seconds & 0xffff,
                            0x0100 | (process.pid >>> 24 & 0xff),
                            process.pid & 0xffffffL);
        }
        return process.entityId;
    }

    private static int sysmonServicePid(Host host) {
        return 2000 + (host.index % 250) * 4;
    }

    private static String fileName(String path) {
        int slash = Math.max(path.lastIndexOf('\\'), path.lastIndexOf('/'));
        return path.substring(slash + 1);
    }

    private static String shortName(String name) {
        int dot = name.indexOf('.');
        return dot < 0 ? name : name.substring(0, dot);
    }

    /** The Sysmon event ids the generator writes, with the names Winlogbeat and NXLog give them. */
    private enum SysmonEvent {
        PROCESS_CREATE(
                1,
                "Process Create",
                "process",
                new String[] {"start"},
                "Process Create (rule: ProcessCreate)"),
        NETWORK_CONNECT(
                3,
                "Network connection detected",
                "network",
                new String[] {"start", "connection", "protocol"},
                "Network connection detected (rule: NetworkConnect)"),
        IMAGE_LOAD(
                7,
                "Image loaded",
                "process",
                new String[] {"change"},
                "Image loaded (rule: ImageLoad)"),
        FILE_CREATE(
                11,
                "File created",
                "file",
                new String[] {"creation"},
                "File created (rule: FileCreate)"),
        DNS_QUERY(
                22,
                "Dns query",
                "network",
                new String[] {"connection", "protocol", "info"},
                "Dns query (rule: DnsQuery)");

        final int code;
        final String action;
        final String category;
        final String[] types;
        final String nxlogCategory;

        SysmonEvent(
                int code, String action, String category, String[] types, String nxlogCategory) {
            this.code = code;
            this.action = action;
            this.category = category;
            this.types = types;
            this.nxlogCategory = nxlogCategory;
        }

        static SysmonEvent of(Activity.StepType type) {
            return switch (type) {
                case PROCESS_START -> PROCESS_CREATE;
                case CONNECTION, INBOUND_CONNECTION -> NETWORK_CONNECT;
                case IMAGE_LOAD, LIBRARY_LOAD -> IMAGE_LOAD;
                case FILE_CREATE -> FILE_CREATE;
                case DNS_QUERY -> DNS_QUERY;
            };
        }
    }
}
