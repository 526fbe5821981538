package io.capwatch.correlation;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.capwatch.event.Direction;
import io.capwatch.event.EventAction;
import io.capwatch.event.EventSource;
import io.capwatch.event.SecurityEvent;
import io.capwatch.rule.Platform;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * Candidates sit in keyed state by the million, so they must stay Flink POJOs (no Kryo fallback)
 * and small: a typical pending start, serialized as Flink stores it, stays under 1 KiB.
 */
class CandidateStateSizeTest {
    @Test
    void candidateIsFlinkPojo() {
        assertTrue(TypeInformation.of(Candidate.class) instanceof PojoTypeInfo);
        assertTrue(TypeInformation.of(SecurityEvent.class) instanceof PojoTypeInfo);
        assertTrue(TypeInformation.of(Match.class) instanceof PojoTypeInfo);
    }

    @Test
    void pendingStartSerializesUnderOneKibibyte() throws Exception {
        SecurityEvent start = new SecurityEvent();
        start.source = EventSource.SYSMON_ECS;
        start.action = EventAction.PROCESS_START;
        start.timestamp = 1_715_680_800_000L;
        start.eventId = "ws-mkt-031.corp.example:90311";
        start.hostId = "1f6e2b9a-7c4d-4a8e-b1f3-2b9a7c4d4a8e";
        start.hostName = "ws-mkt-031.corp.example";
        start.hostOsType = "windows";
        start.userName = "bob";
        start.userDomain = "CORP";
        start.executable = "C:\\Users\\bob\\AppData\\Local\\Temp\\7zS1A2B\\setup-helper.exe";
        start.pid = 5144;
        start.entityId = "{3b1f2c4d-8e9a-61f0-a401-000000001a00}";
        start.sha256 = "c58d60b3f26ff0264d95cf12f08fe41f6ee9d9a67b87a60bd6d17b951ef9d805";
        start.parentExecutable = "C:\\Users\\bob\\Downloads\\setup.exe";
        start.signatureExists = false;
        start.direction = Direction.UNKNOWN;
        Candidate candidate =
                new Candidate(
                        CandidateKind.START,
                        Trust.UNTRUSTED,
                        Candidate.key(
                                start.hostId,
                                "\\users\\bob\\appdata\\local\\temp\\7zs1a2b\\setup-helper.exe",
                                start.pid),
                        Platform.WINDOWS,
                        start);

        TypeSerializer<Candidate> serializer =
                TypeInformation.of(Candidate.class).createSerializer(new SerializerConfigImpl());
        DataOutputSerializer out = new DataOutputSerializer(1024);
        serializer.serialize(candidate, out);
        int bytes = out.length();
        assertTrue(bytes < 1024, "a pending start takes " + bytes + " bytes");
    }
}
