package io.capwatch.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.state.rocksdb.RocksDBConfigurableOptions;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;

/**
 * A MiniCluster with one TaskManager, configured for one state backend, and a client for its REST
 * API. The REST endpoint binds to 127.0.0.1 on a free port.
 */
final class BenchCluster implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The state backends the benchmarks compare. */
    enum StateBackend {
        HEAP("hashmap"),
        ROCKSDB("rocksdb");

        /** The value of {@code state.backend.type}. */
        final String type;

        StateBackend(String type) {
            this.type = type;
        }

        static StateBackend parse(String text) {
            return switch (text.toLowerCase(Locale.ROOT)) {
                case "heap", "hashmap" -> HEAP;
                case "rocksdb" -> ROCKSDB;
                default ->
                        throw new IllegalArgumentException(
                                "state backend '" + text + "' is invalid; expected heap or rocksdb");
            };
        }

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final MiniCluster cluster;
    private final Configuration configuration;
    private final HttpClient http = HttpClient.newHttpClient();
    private URI restAddress;

    private BenchCluster(MiniCluster cluster, Configuration configuration) {
        this.cluster = cluster;
        this.configuration = configuration;
    }

    /**
     * Returns the configuration of a run: the state backend, incremental checkpoints for RocksDB,
     * checkpoints under {@code checkpointDir}, and metrics that the REST API refreshes every 500 ms
     * rather than every 10 s.
     */
    static Configuration configuration(StateBackend backend, Path checkpointDir) {
        Configuration config = new Configuration();
        config.set(StateBackendOptions.STATE_BACKEND, backend.type);
        config.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, backend == StateBackend.ROCKSDB);
        // The keyed gate reads state by point lookups, many of them for keys that are absent. A
        // bloom filter resolves those without reading every SST file (Flink leaves it off).
        config.set(RocksDBConfigurableOptions.USE_BLOOM_FILTER, backend == StateBackend.ROCKSDB);
        config.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpointDir.toUri().toString());
        // The empty prevalence source finishes at once; without this no checkpoint would complete.
        config.set(CheckpointingOptions.ENABLE_CHECKPOINTS_AFTER_TASKS_FINISH, true);
        config.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.parse("256m"));
        config.set(MetricOptions.METRIC_FETCHER_UPDATE_INTERVAL, Duration.ofMillis(500));
        // The REST API caches checkpoint statistics for 3 s by default, and the state benchmark
        // reads each checkpoint right after it completes.
        config.set(RestOptions.CACHE_CHECKPOINT_STATISTICS_TIMEOUT, Duration.ofMillis(100));
        // Every server of the cluster (REST, blob server, TaskManager) listens on loopback only.
        config.set(JobManagerOptions.BIND_HOST, "127.0.0.1");
        config.set(JobManagerOptions.ADDRESS, "127.0.0.1");
        config.set(TaskManagerOptions.BIND_HOST, "127.0.0.1");
        config.set(TaskManagerOptions.HOST, "127.0.0.1");
        config.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        config.set(RestOptions.ADDRESS, "127.0.0.1");
        config.set(RestOptions.BIND_PORT, "0");
        return config;
    }

    /** Starts a cluster of one TaskManager with {@code slots} slots. */
    static BenchCluster start(Configuration configuration, int slots) throws Exception {
        MiniCluster cluster =
                new MiniCluster(
                        new MiniClusterConfiguration.Builder()
                                .setConfiguration(configuration)
                                .setNumTaskManagers(1)
                                .setNumSlotsPerTaskManager(slots)
                                .build());
        cluster.start();
        BenchCluster bench = new BenchCluster(cluster, configuration);
        bench.restAddress = cluster.getRestAddress().get();
        return bench;
    }

    MiniCluster cluster() {
        return cluster;
    }

    Configuration configuration() {
        return configuration;
    }

    /** Fetches {@code path} (such as {@code /jobs/<id>/checkpoints}) from the REST API. */
    JsonNode get(String path) throws IOException, InterruptedException {
        HttpRequest request =
                HttpRequest.newBuilder(restAddress.resolve(path))
                        .timeout(Duration.ofSeconds(30))
                        .GET()
                        .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException(
                    "GET " + path + " failed with HTTP " + response.statusCode() + ": "
                            + response.body());
        }
        return JSON.readTree(response.body());
    }

    /** Fetches the checkpoint statistics of a job, which stay available after it ends. */
    JsonNode checkpoints(JobID job) throws IOException, InterruptedException {
        return get("/jobs/" + job + "/checkpoints");
    }

    @Override
    public void close() throws IOException {
        try {
            cluster.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while stopping the MiniCluster", e);
        } catch (Exception e) {
            throw new IOException("failed to stop the MiniCluster", e);
        }
    }
}
