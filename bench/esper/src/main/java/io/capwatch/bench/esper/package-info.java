/** The correlation in Esper, run in a JVM of its own as a peer for the Flink figures. */
package io.capwatch.bench.esper;
