package io.capwatch.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Aggregates the CPU samples of a JFR recording: {@code jdk.ExecutionSample} (threads in Java code)
 * and {@code jdk.NativeMethodSample} (threads in native code, such as RocksDB's JNI calls). It
 * counts the top frame of each sample, the sampled thread, and how many samples have a frame of
 * each component anywhere in their stack, and writes them as JSON. Shares are of the samples of
 * threads at work: native samples of threads waiting for I/O or a lock are counted apart.
 *
 * <p>Usage: {@code JfrTopFrames RECORDING.jfr OUTPUT.json [TOP]}
 */
public final class JfrTopFrames {

    /**
     * Components by class name prefix; a sample counts for each component on its stack, so the
     * shares overlap.
     */
    private static final Map<String, List<String>> COMPONENTS = components();

    /**
     * Native frames where a thread waits rather than works: JFR samples threads in native code
     * whether they use CPU or not, so samples ending in these are counted apart as idle.
     */
    private static final List<String> IDLE_FRAMES =
            List.of(
                    "sun.nio.ch.EPoll.wait",
                    "sun.nio.ch.Net.accept",
                    "sun.nio.ch.Net.poll",
                    "sun.nio.ch.SocketDispatcher.read0",
                    "java.lang.Thread.sleep",
                    "java.lang.Object.wait",
                    "jdk.internal.misc.Unsafe.park");

    private JfrTopFrames() {}

    private static Map<String, List<String>> components() {
        Map<String, List<String>> components = new LinkedHashMap<>();
        components.put("parser (io.capwatch.event, Jackson)", List.of("io.capwatch.event.", "com.fasterxml.jackson."));
        components.put("file source and NDJSON reading", List.of("io.capwatch.ingest.NdjsonFormat", "org.apache.flink.connector.file."));
        components.put("candidate selection", List.of("io.capwatch.correlation.CandidateSelector"));
        components.put("keyed gate", List.of("io.capwatch.correlation.CandidateGate"));
        components.put("Flink CEP", List.of("org.apache.flink.cep."));
        components.put("RocksDB (JNI and Flink's RocksDB backend)", List.of("org.rocksdb.", "org.apache.flink.state.rocksdb."));
        components.put("heap state backend", List.of("org.apache.flink.runtime.state.heap."));
        components.put("Flink serializers", List.of("org.apache.flink.api.common.typeutils.", "org.apache.flink.api.java.typeutils.runtime."));
        components.put("Flink network stack", List.of("org.apache.flink.runtime.io.network."));
        components.put("checkpointing", List.of("org.apache.flink.runtime.checkpoint.", "org.apache.flink.runtime.state.SnapshotStrategyRunner"));
        components.put("prevalence scoring", List.of("io.capwatch.prevalence."));
        return components;
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: JfrTopFrames RECORDING.jfr OUTPUT.json [TOP]");
            System.exit(2);
        }
        int top = args.length > 2 ? Integer.parseInt(args[2]) : 30;
        ObjectNode result = aggregate(Path.of(args[0]), top);
        Files.writeString(Path.of(args[1]), result.toPrettyString());
        print(result);
    }

    static ObjectNode aggregate(Path recording, int top) throws IOException {
        Map<String, Long> frames = new HashMap<>();
        Map<String, Long> threads = new HashMap<>();
        Map<String, Long> componentCounts = new LinkedHashMap<>();
        COMPONENTS.keySet().forEach(name -> componentCounts.put(name, 0L));
        long javaSamples = 0;
        long nativeSamples = 0;
        long idleSamples = 0;
        try (RecordingFile file = new RecordingFile(recording)) {
            while (file.hasMoreEvents()) {
                RecordedEvent event = file.readEvent();
                String type = event.getEventType().getName();
                boolean java = type.equals("jdk.ExecutionSample");
                if (!java && !type.equals("jdk.NativeMethodSample")) {
                    continue;
                }
                RecordedStackTrace stack = event.getStackTrace();
                if (stack == null || stack.getFrames().isEmpty()) {
                    continue;
                }
                String topFrame = frameName(stack.getFrames().get(0));
                if (!java && IDLE_FRAMES.contains(topFrame)) {
                    idleSamples++;
                    continue;
                }
                if (java) {
                    javaSamples++;
                } else {
                    nativeSamples++;
                }

                frames.merge(topFrame + (java ? "" : " [native]"), 1L, Long::sum);
                RecordedThread thread = event.getThread("sampledThread");
                threads.merge(threadGroup(thread), 1L, Long::sum);
                for (Map.Entry<String, List<String>> component : COMPONENTS.entrySet()) {
                    if (onStack(stack, component.getValue())) {
                        componentCounts.merge(component.getKey(), 1L, Long::sum);
                    }
                }
            }
        }

        long samples = javaSamples + nativeSamples;
        ObjectNode result = Results.JSON.createObjectNode();
        result.put("recording", recording.toString());
        result.put("executionSamples", javaSamples);
        result.put("nativeMethodSamples", nativeSamples);
        result.put("idleNativeSamples", idleSamples);
        result.set("topFrames", ranked(frames, samples, top));
        result.set("threads", ranked(threads, samples, top));
        result.set("components", ranked(componentCounts, samples, componentCounts.size()));
        return result;
    }

    private static String frameName(RecordedFrame frame) {
        return frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
    }

    /** Returns the thread's name without the subtask suffix, so subtasks of one chain add up. */
    private static String threadGroup(RecordedThread thread) {
        if (thread == null || thread.getJavaName() == null) {
            return "(unknown)";
        }
        return thread.getJavaName().replaceAll(" \\(\\d+/\\d+\\)#\\d+$", "").replaceAll("-\\d+$", "");
    }

    private static boolean onStack(RecordedStackTrace stack, List<String> prefixes) {
        for (RecordedFrame frame : stack.getFrames()) {
            String type = frame.getMethod().getType().getName();
            for (String prefix : prefixes) {
                if (type.startsWith(prefix)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static ArrayNode ranked(Map<String, Long> counts, long samples, int top) {
        ArrayNode array = Results.JSON.createArrayNode();
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(top)
                .forEach(
                        entry -> {
                            ObjectNode node = array.addObject();
                            node.put("name", entry.getKey());
                            node.put("samples", entry.getValue());
                            node.put("share", samples == 0 ? 0 : (double) entry.getValue() / samples);
                        });
        return array;
    }

    private static void print(ObjectNode result) {
        System.out.printf(
                Locale.ROOT,
                "%d execution samples, %d native method samples at work, %d idle in native code%n",
                result.get("executionSamples").asLong(),
                result.get("nativeMethodSamples").asLong(),
                result.get("idleNativeSamples").asLong());
        for (String section : List.of("components", "topFrames", "threads")) {
            System.out.println(section + ":");
            result.get(section)
                    .forEach(
                            node ->
                                    System.out.printf(
                                            Locale.ROOT,
                                            "  %5.1f %%  %s%n",
                                            100 * node.get("share").asDouble(),
                                            node.get("name").asText()));
        }
    }
}
