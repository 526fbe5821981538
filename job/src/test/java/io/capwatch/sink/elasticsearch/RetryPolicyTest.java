package io.capwatch.sink.elasticsearch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

class RetryPolicyTest {

    private static final RetryBackoff BACKOFF =
            new RetryBackoff(Duration.ofMillis(100), Duration.ofSeconds(10), false);

    private static DocumentRequest document() {
        return new DocumentRequest("alerts", "a-1", "{}".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void retriesUntilTimeoutPasses() {
        RetryPolicy policy = new RetryPolicy(BACKOFF, Duration.ofMinutes(5), Integer.MAX_VALUE);
        long start = 1_000_000;
        DocumentRequest failed = document().withOneMoreFailedAttempt(start);
        for (int i = 0; i < 200; i++) {
            failed = failed.withOneMoreFailedAttempt(start + i * 1000L);
        }

        assertEquals(start, failed.firstFailureMillis());
        assertTrue(policy.allowsRetry(failed, start + Duration.ofMinutes(5).toMillis() - 1));
        assertFalse(policy.allowsRetry(failed, start + Duration.ofMinutes(5).toMillis()));
    }

    @Test
    void attemptLimitEndsRetriesEarlier() {
        RetryPolicy policy = new RetryPolicy(BACKOFF, Duration.ofMinutes(5), 3);
        DocumentRequest twice = document().withOneMoreFailedAttempt(10).withOneMoreFailedAttempt(20);

        assertTrue(policy.allowsRetry(twice, 30));
        assertFalse(policy.allowsRetry(twice.withOneMoreFailedAttempt(30), 40));
    }

    @Test
    void delayFollowsBackoff() {
        RetryPolicy policy = new RetryPolicy(BACKOFF, Duration.ofMinutes(5), Integer.MAX_VALUE);

        assertEquals(100, policy.delayMillis(1));
        assertEquals(10_000, policy.delayMillis(50));
    }

    @Test
    void firstFailureIsNotCheckpointState() throws Exception {
        DocumentRequest failed = document().withOneMoreFailedAttempt(5_000);
        DocumentRequestStateSerializer serializer = new DocumentRequestStateSerializer();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            serializer.serializeRequestToStream(failed, out);
        }
        DocumentRequest restored;
        try (DataInputStream in =
                new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            restored = serializer.deserializeRequestFromStream(bytes.size(), in);
        }

        assertEquals(failed, restored);
        assertEquals(1, restored.failedAttempts());
        assertEquals(0, restored.firstFailureMillis());
    }
}
