package io.capwatch.sink.elasticsearch;

import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Records dead letters for a test. Flink serializes the listener into the job, so the records live
 * in a static map under the key of the instance that the test created.
 */
final class RecordingDeadLetterListener implements SinkDeadLetterListener {

    private static final long serialVersionUID = 1L;
    private static final Map<String, Queue<SinkDeadLetter>> RECEIVED = new ConcurrentHashMap<>();

    private final String key = UUID.randomUUID().toString();

    RecordingDeadLetterListener() {
        RECEIVED.put(key, new ConcurrentLinkedQueue<>());
    }

    @Override
    public void onDeadLetter(SinkDeadLetter deadLetter) {
        RECEIVED.get(key).add(deadLetter);
    }

    List<SinkDeadLetter> received() {
        return List.copyOf(RECEIVED.get(key));
    }
}
