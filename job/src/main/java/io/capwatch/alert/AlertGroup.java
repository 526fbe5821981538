package io.capwatch.alert;

import io.capwatch.prevalence.HostSketches;
import java.io.Serializable;
import java.util.Arrays;
import java.util.Locale;
import org.apache.datasketches.hll.HllSketch;

/**
 * The matches of one binary within one grouping window, as state: the first match, the counts
 * and a bounded list of hosts. A Flink POJO, with arrays in place of lists so that Flink
 * serializes it without Kryo.
 *
 * <p>Every choice here is independent of arrival order, so a backfill and a streaming run over the
 * same matches build the same group: the first match is the earliest by time, then by alert id,
 * and the listed hosts are the {@link #MAX_LISTED_HOSTS} with the earliest first match, then by
 * name.
 */
public class AlertGroup implements Serializable {
    private static final long serialVersionUID = 1L;

    /** At most this many host names are listed; {@link #hostSketch} counts all of them. */
    public static final int MAX_LISTED_HOSTS = 100;
    /**
     * 16,384 registers: the host count is exact up to about 1,500 hosts and within a relative
     * standard error of about 0.8 % beyond.
     */
    static final int LG_K = 14;

    /** The earliest match, whose document the group document extends. */
    public Alert first;
    /** The alert id of {@link #first}, the tie-breaker between matches at the same instant. */
    public String firstId;
    public long matchCount;
    /** The time of the latest match, epoch milliseconds. */
    public long lastMatch = Long.MIN_VALUE;
    public int maxRiskScore;
    /** Host names as first seen, in no particular order ({@link #sortedHosts()} orders them). */
    public String[] hosts = new String[0];
    /** The first match time of each of {@link #hosts}, at the same index. */
    public long[] hostFirstMatch = new long[0];
    /** A HyperLogLog sketch of every host, in lower case, as compact bytes. */
    public byte[] hostSketch;
    /** Whether the group was emitted at the close of its window. */
    public boolean emitted;

    public AlertGroup() {}

    /** Adds a match, raised as {@code alert} with id {@code alertId}. */
    public void add(Alert alert, String alertId) {
        long time = matchTime(alert);
        boolean earlier =
                first == null
                        || time < matchTime(first)
                        || (time == matchTime(first) && alertId.compareTo(firstId) < 0);
        if (earlier) {
            first = alert;
            firstId = alertId;
        }
        matchCount++;
        lastMatch = Math.max(lastMatch, time);
        maxRiskScore = matchCount == 1 ? alert.riskScore : Math.max(maxRiskScore, alert.riskScore);

        String host = hostName(alert);
        HllSketch sketch =
                hostSketch == null ? HostSketches.create(LG_K) : HostSketches.fromBytes(hostSketch);
        sketch.update(host.toLowerCase(Locale.ROOT));
        hostSketch = HostSketches.toBytes(sketch);
        listHost(host, time);
    }

    /** Returns the estimated number of distinct hosts, exact up to about 1,500. */
    public long hostCount() {
        return hostSketch == null ? 0 : HostSketches.estimate(HostSketches.fromBytes(hostSketch));
    }

    /** Returns the listed hosts ordered by their first match, then by name. */
    public String[] sortedHosts() {
        Integer[] order = new Integer[hosts.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(
                order,
                (a, b) -> compare(hostFirstMatch[a], hosts[a], hostFirstMatch[b], hosts[b]));
        String[] sorted = new String[hosts.length];
        for (int i = 0; i < order.length; i++) {
            sorted[i] = hosts[order[i]];
        }
        return sorted;
    }

    /** Returns the time a match is grouped by: its connection, the alert's {@code @timestamp}. */
    public static long matchTime(Alert alert) {
        return alert.match.connection.event.timestamp;
    }

    /** Returns the host name an alert is listed under: {@code host.name}, else {@code host.id}. */
    static String hostName(Alert alert) {
        String name = alert.match.start.event.hostName;
        return name != null ? name : alert.match.start.event.hostId;
    }

    /**
     * Keeps {@code host} in the list if it is among the {@link #MAX_LISTED_HOSTS} with the
     * earliest first match. A host left out of a full list can only come back with an earlier
     * match, so the list ends as the same set whatever the arrival order.
     */
    private void listHost(String host, long time) {
        for (int i = 0; i < hosts.length; i++) {
            if (hosts[i].equalsIgnoreCase(host)) {
                if (compare(time, host, hostFirstMatch[i], hosts[i]) < 0) {
                    hosts[i] = host;
                    hostFirstMatch[i] = time;
                }
                return;
            }
        }
        if (hosts.length < MAX_LISTED_HOSTS) {
            hosts = Arrays.copyOf(hosts, hosts.length + 1);
            hostFirstMatch = Arrays.copyOf(hostFirstMatch, hostFirstMatch.length + 1);
            hosts[hosts.length - 1] = host;
            hostFirstMatch[hostFirstMatch.length - 1] = time;
            return;
        }
        int latest = 0;
        for (int i = 1; i < hosts.length; i++) {
            if (compare(hostFirstMatch[i], hosts[i], hostFirstMatch[latest], hosts[latest]) > 0) {
                latest = i;
            }
        }
        if (compare(time, host, hostFirstMatch[latest], hosts[latest]) < 0) {
            hosts[latest] = host;
            hostFirstMatch[latest] = time;
        }
    }

    private static int compare(long timeA, String hostA, long timeB, String hostB) {
        int byTime = Long.compare(timeA, timeB);
        if (byTime != 0) {
            return byTime;
        }
        return hostA.toLowerCase(Locale.ROOT).compareTo(hostB.toLowerCase(Locale.ROOT));
    }
}
