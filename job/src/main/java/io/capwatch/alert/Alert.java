package io.capwatch.alert;

import io.capwatch.correlation.Match;
import java.io.Serializable;

/** A scored match, ready to be written as an ECS alert document. A Flink POJO. */
public class Alert implements Serializable {
    private static final long serialVersionUID = 1L;

    public Match match;
    /** The prevalence key looked up: a SHA-256 or a path in correlation form. */
    public String binary;
    /** Whether a prevalence record was found for {@link #binary}. */
    public boolean prevalenceKnown;

    public long hostCount;
    public Long firstSeen;
    public Long asOf;
    public int riskScore;
    public String severity;

    public Alert() {}
}
