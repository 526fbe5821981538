package io.capwatch.testing;

import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

/** The embedded Flink cluster the pipeline tests share: one TaskManager with two slots. */
public final class MiniClusters {
    private MiniClusters() {}

    /** Creates the extension; register it as a static field with {@code @RegisterExtension}. */
    public static MiniClusterExtension withTwoSlots() {
        return new MiniClusterExtension(
                new MiniClusterResourceConfiguration.Builder()
                        .setNumberTaskManagers(1)
                        .setNumberSlotsPerTaskManager(2)
                        .build());
    }
}
