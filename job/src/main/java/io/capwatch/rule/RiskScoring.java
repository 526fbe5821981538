package io.capwatch.rule;

import java.io.Serializable;
import java.util.OptionalLong;

/**
 * Turns fleet prevalence into Elastic's 0-100 {@code event.risk_score}.
 *
 * <p>Unknown prevalence scores {@code unknown}; at most {@code rareMaxHosts} hosts scores {@code
 * rare}; at least {@code commonMinHosts} scores {@code common}. In between the score falls
 * linearly in log(hosts) from {@code rare} to {@code common}, so each tenfold rise in hosts costs
 * the same number of points, and it is rounded half up.
 */
public record RiskScoring(int unknown, long rareMaxHosts, int rare, long commonMinHosts, int common)
        implements Serializable {

    /** Returns the default scale: 73 unknown, 99 on at most 1 host, 47 from 50 hosts. */
    public static RiskScoring defaults() {
        return new RiskScoring(73, 1, 99, 50, 47);
    }

    public RiskScoring {
        requireScore("unknown_prevalence", unknown);
        requireScore("rare", rare);
        requireScore("common", common);
        if (rareMaxHosts < 0) {
            throw new IllegalArgumentException(
                    "scoring.rare_max_hosts must be 0 or more, got " + rareMaxHosts);
        }
        if (commonMinHosts <= rareMaxHosts) {
            throw new IllegalArgumentException(
                    "scoring.common_min_hosts ("
                            + commonMinHosts
                            + ") must be greater than scoring.rare_max_hosts ("
                            + rareMaxHosts
                            + ")");
        }
    }

    private static void requireScore(String name, int value) {
        if (value < 0 || value > 100) {
            throw new IllegalArgumentException(
                    "scoring." + name + " must be between 0 and 100, got " + value);
        }
    }

    /** Scores a binary seen on {@code hostCount} hosts, or of unknown prevalence when empty. */
    public int score(OptionalLong hostCount) {
        if (hostCount.isEmpty()) {
            return unknown;
        }
        long hosts = hostCount.getAsLong();
        if (hosts <= rareMaxHosts) {
            return rare;
        }
        if (hosts >= commonMinHosts) {
            return common;
        }
        // Interpolate between the two anchors on a log scale; max(1, ...) keeps log defined when
        // rare_max_hosts is 0.
        double low = Math.log(Math.max(1, rareMaxHosts));
        double high = Math.log(commonMinHosts);
        double fraction = (Math.log(hosts) - low) / (high - low);
        return (int) Math.round(rare - fraction * (rare - common));
    }

    /**
     * Returns the severity label for a risk score, in the bands Elastic Security uses for its
     * default scores 21, 47, 73 and 99: 0-21 low, 22-47 medium, 48-73 high, 74-100 critical.
     */
    public static String severity(int riskScore) {
        if (riskScore <= 21) {
            return "low";
        }
        if (riskScore <= 47) {
            return "medium";
        }
        if (riskScore <= 73) {
            return "high";
        }
        return "critical";
    }

    /** Returns the numeric {@code event.severity} for a label: Elastic's anchor score of its band. */
    public static int severityCode(String label) {
        return switch (label) {
            case "low" -> 21;
            case "medium" -> 47;
            case "high" -> 73;
            default -> 99;
        };
    }
}
