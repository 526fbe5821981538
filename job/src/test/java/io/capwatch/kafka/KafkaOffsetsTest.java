package io.capwatch.kafka;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaOffsetsTest {
    @TempDir Path dir;

    @Test
    void startingOffsetsAcceptEveryForm() {
        assertNotNull(KafkaOffsets.starting("--o", "committed"));
        assertNotNull(KafkaOffsets.starting("--o", "earliest"));
        assertNotNull(KafkaOffsets.starting("--o", "LATEST"));
        assertNotNull(KafkaOffsets.starting("--o", "timestamp:2024-05-14T10:00:00Z"));
        assertNotNull(KafkaOffsets.starting("--o", "offsets:capwatch.telemetry:0:10,capwatch.telemetry:1:0"));
        assertNotNull(KafkaOffsets.stopping("--o", "offsets:t:0:99"));
    }

    @Test
    void invalidPartitionOffsetsAreRejected() {
        for (String value : new String[] {"offsets:t:0", "offsets:t:x:1", "offsets::0:1", "offsets:t:0:-1"}) {
            IllegalArgumentException error =
                    assertThrows(IllegalArgumentException.class, () -> KafkaOffsets.stopping("--s", value));
            assertTrue(error.getMessage().contains("offsets:<topic>:<partition>:<offset>"), error.getMessage());
        }
    }

    @Test
    void invalidOffsetsNameTheOptionAndValue() {
        IllegalArgumentException error =
                assertThrows(IllegalArgumentException.class, () -> KafkaOffsets.starting("--o", "newest"));
        assertTrue(error.getMessage().contains("--o 'newest' is invalid"), error.getMessage());
        error =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> KafkaOffsets.stopping("--s", "timestamp:yesterday"));
        assertTrue(error.getMessage().contains("ISO-8601"), error.getMessage());
        assertThrows(IllegalArgumentException.class, () -> KafkaOffsets.stopping("--s", "earliest"));
    }

    @Test
    void clientPropertiesAreDescribedWithoutValues() throws Exception {
        Path file = dir.resolve("kafka.properties");
        Files.writeString(
                file,
                "security.protocol=SASL_SSL\nsasl.jaas.config=secret-jaas-line\nssl.truststore.password=hunter2\n");
        KafkaSettings settings = new KafkaSettings().withPropertiesFile(file.toString());
        String described = settings.describe();
        assertTrue(described.contains("sasl.jaas.config"), described);
        assertTrue(!described.contains("hunter2"), described);
        assertTrue(!described.contains("secret-jaas-line"), described);
        assertTrue(settings.copyOfClientProperties().getProperty("security.protocol").equals("SASL_SSL"));
    }
}
