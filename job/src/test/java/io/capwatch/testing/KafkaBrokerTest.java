package io.capwatch.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.capwatch.testing.KafkaBroker.Message;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The test broker, used through the extension's API: records make a round trip through it. */
class KafkaBrokerTest {
    @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Test
    void producedValuesAreReadBack() {
        String topic = KAFKA.createTopic("round-trip", 1);
        List<String> values = List.of("{\"n\":1}", "{\"n\":2}", "{\"n\":3}");

        KAFKA.produce(topic, values);
        List<ConsumerRecord<String, String>> records = KAFKA.consumeAll(topic, TIMEOUT);

        assertEquals(values, records.stream().map(ConsumerRecord::value).toList());
        assertEquals(List.of(0L, 1L, 2L), records.stream().map(ConsumerRecord::offset).toList());
    }

    @Test
    void partitionsAndKeysAreKept() {
        String topic = KAFKA.createTopic("partitions", 3);
        List<Message> messages =
                List.of(
                        Message.toPartition(2, "host-a", "a1"),
                        Message.toPartition(0, null, "b1"),
                        Message.toPartition(2, "host-a", "a2"),
                        Message.toPartition(1, "host-c", "c1"));

        List<RecordMetadata> written = KAFKA.produceMessages(topic, messages);
        List<ConsumerRecord<String, String>> records = KAFKA.consumeAll(topic, TIMEOUT);

        assertEquals(List.of(2, 0, 2, 1), written.stream().map(RecordMetadata::partition).toList());
        assertEquals(4, records.size());
        assertEquals(
                List.of("b1", "c1", "a1", "a2"),
                records.stream().map(ConsumerRecord::value).toList());
        assertEquals(List.of(0, 1, 2, 2), records.stream().map(ConsumerRecord::partition).toList());
        assertEquals("host-a", records.get(2).key());
        assertNull(records.get(0).key());
    }

    @Test
    void sameKeyGoesToOnePartition() {
        String topic = KAFKA.createTopic("keyed", 4);
        List<RecordMetadata> written =
                KAFKA.produceMessages(
                        topic,
                        List.of(
                                Message.keyed("ws-fin-014", "1"),
                                Message.keyed("ws-fin-014", "2"),
                                Message.keyed("ws-fin-014", "3")));

        assertEquals(1, written.stream().map(RecordMetadata::partition).distinct().count());
        assertEquals(3, KAFKA.consumeAll(topic, TIMEOUT).size());
    }

    @Test
    void emptyTopicReadsNothing() {
        String topic = KAFKA.createTopic("empty", 2);
        assertEquals(List.of(), KAFKA.consumeAll(topic, TIMEOUT));
    }

    @Test
    void compactedTopicKeepsItsPolicy() {
        String topic = KAFKA.createTopic("compacted", 1, Map.of("cleanup.policy", "compact"));
        assertEquals("compact", KAFKA.topicConfig(topic, "cleanup.policy"));
        assertEquals("delete", KAFKA.topicConfig(KAFKA.createTopic("plain", 1), "cleanup.policy"));
    }

    @Test
    void topicNamesAreUnique() {
        String first = KAFKA.createTopic("same-prefix", 1);
        String second = KAFKA.createTopic("same-prefix", 1);

        assertNotEquals(first, second);
        assertTrue(KAFKA.listTopics().containsAll(List.of(first, second)));
        assertEquals(1, KAFKA.describeTopic(first).partitions().size());
    }

    @Test
    void missingPartitionIsRejected() {
        String topic = KAFKA.createTopic("one-partition", 1);
        assertThrows(
                RuntimeException.class,
                () -> KAFKA.produceMessages(topic, List.of(Message.toPartition(5, null, "x"))));
    }

    @Test
    void brokerDoesNotCreateTopicsOnUse() {
        String missing = KafkaBroker.uniqueTopicName("never-created");
        assertThrows(RuntimeException.class, () -> KAFKA.produce(missing, List.of("x")));
        assertFalse(KAFKA.listTopics().contains(missing));
    }
}
