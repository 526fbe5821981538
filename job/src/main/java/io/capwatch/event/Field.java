package io.capwatch.event;

/**
 * The fields that the parser keeps, each by its dotted path. {@link RecordReader} skips every
 * other field. Flat Windows-event fields are top-level names and carry no dot.
 */
enum Field {
    TIMESTAMP("@timestamp"),

    // Source detection.
    AGENT_TYPE("agent.type"),
    DATA_STREAM_DATASET("data_stream.dataset"),
    EVENT_DATASET("event.dataset"),
    EVENT_MODULE("event.module"),
    WINLOG_CHANNEL("winlog.channel"),
    WINLOG_PROVIDER_NAME("winlog.provider_name"),

    // ECS event classification and identity.
    EVENT_CATEGORY("event.category"),
    EVENT_TYPE("event.type"),
    EVENT_ACTION("event.action"),
    EVENT_CODE("event.code"),
    EVENT_ID("event.id"),
    EVENT_SEQUENCE("event.sequence"),
    EVENT_OUTCOME("event.outcome"),
    WINLOG_EVENT_ID("winlog.event_id"),
    WINLOG_COMPUTER_NAME("winlog.computer_name"),
    WINLOG_RECORD_ID("winlog.record_id"),

    // ECS host, user and process.
    HOST_ID("host.id"),
    HOST_NAME("host.name"),
    HOST_HOSTNAME("host.hostname"),
    HOST_OS_TYPE("host.os.type"),
    USER_NAME("user.name"),
    USER_DOMAIN("user.domain"),
    PROCESS_EXECUTABLE("process.executable"),
    PROCESS_PID("process.pid"),
    PROCESS_ENTITY_ID("process.entity_id"),
    PROCESS_SHA256("process.hash.sha256"),
    PROCESS_PARENT_EXECUTABLE("process.parent.executable"),
    PROCESS_COMMAND_LINE("process.command_line"),
    PROCESS_SIGNATURE_EXISTS("process.code_signature.exists"),
    PROCESS_SIGNATURE_TRUSTED("process.code_signature.trusted"),
    PROCESS_SIGNATURE_SUBJECT("process.code_signature.subject_name"),
    PROCESS_SIGNATURE_STATUS("process.code_signature.status"),
    PROCESS_SIGNATURE_SIGNING_ID("process.code_signature.signing_id"),
    PROCESS_SIGNATURE_TEAM_ID("process.code_signature.team_id"),

    // ECS image loads: the loaded file and its signature.
    FILE_PATH("file.path"),
    FILE_SHA256("file.hash.sha256"),
    FILE_SIGNATURE_EXISTS("file.code_signature.exists"),
    FILE_SIGNATURE_SIGNED("file.code_signature.signed"),
    FILE_SIGNATURE_TRUSTED("file.code_signature.trusted"),
    FILE_SIGNATURE_VALID("file.code_signature.valid"),
    FILE_SIGNATURE_SUBJECT("file.code_signature.subject_name"),
    FILE_SIGNATURE_STATUS("file.code_signature.status"),
    WINLOG_IMAGE_LOADED("winlog.event_data.ImageLoaded"),
    WINLOG_SIGNED("winlog.event_data.Signed"),
    WINLOG_SIGNATURE("winlog.event_data.Signature"),
    WINLOG_SIGNATURE_STATUS("winlog.event_data.SignatureStatus"),

    // ECS network connections.
    NETWORK_DIRECTION("network.direction"),
    WINLOG_INITIATED("winlog.event_data.Initiated"),
    DESTINATION_IP("destination.ip"),
    DESTINATION_PORT("destination.port"),
    SOURCE_IP("source.ip"),

    // Auditbeat auditd: the system call's result, which older versions write without
    // event.outcome.
    AUDITD_RESULT("auditd.result"),

    // Flat Windows events (NXLog style).
    FLAT_EVENT_ID("EventID"),
    FLAT_CHANNEL("Channel"),
    FLAT_SOURCE_NAME("SourceName"),
    FLAT_PROVIDER_NAME("ProviderName"),
    FLAT_HOSTNAME("Hostname"),
    FLAT_UTC_TIME("UtcTime"),
    FLAT_RECORD_NUMBER("RecordNumber"),
    FLAT_EVENT_RECORD_ID("EventRecordID"),
    FLAT_IMAGE("Image"),
    FLAT_PROCESS_ID("ProcessId"),
    FLAT_PROCESS_GUID("ProcessGuid"),
    FLAT_PARENT_IMAGE("ParentImage"),
    FLAT_COMMAND_LINE("CommandLine"),
    FLAT_USER("User"),
    FLAT_HASHES("Hashes"),
    FLAT_IMAGE_LOADED("ImageLoaded"),
    FLAT_SIGNED("Signed"),
    FLAT_SIGNATURE("Signature"),
    FLAT_SIGNATURE_STATUS("SignatureStatus"),
    FLAT_DESTINATION_IP("DestinationIp"),
    FLAT_DESTINATION_PORT("DestinationPort"),
    FLAT_SOURCE_IP("SourceIp"),
    FLAT_INITIATED("Initiated");

    /** The number of fields, which is the size of a {@link RawRecord}. */
    static final int COUNT = values().length;

    final String path;

    Field(String path) {
        this.path = path;
    }
}
