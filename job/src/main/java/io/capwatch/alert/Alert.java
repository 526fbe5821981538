package io.capwatch.alert;

import io.capwatch.correlation.Match;
import io.capwatch.prevalence.PrevalenceSource;
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
    /** The input the prevalence record came from, or {@code null} when none was found. */
    public PrevalenceSource prevalenceSource;
    public int riskScore;
    public String severity;
    /** The anchors of the risk scale {@link #riskScore} was computed on. */
    public ScoreInputs scoreInputs;

    public Alert() {}
}
