package io.capwatch.alert;

import io.capwatch.rule.RiskScoring;
import java.io.Serializable;

/**
 * The anchors of the risk scale an alert was scored on, copied from the rule's {@link
 * RiskScoring}, so that the alert shows how its score came about. A Flink POJO.
 */
public class ScoreInputs implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The score of a binary without a prevalence record. */
    public int unknownPrevalence;
    /** Binaries on at most this many hosts score {@link #rare}. */
    public long rareMaxHosts;
    public int rare;
    /** Binaries on at least this many hosts score {@link #common}. */
    public long commonMinHosts;
    public int common;

    public ScoreInputs() {}

    /** Copies the anchors of {@code scoring}. */
    public static ScoreInputs of(RiskScoring scoring) {
        ScoreInputs inputs = new ScoreInputs();
        inputs.unknownPrevalence = scoring.unknown();
        inputs.rareMaxHosts = scoring.rareMaxHosts();
        inputs.rare = scoring.rare();
        inputs.commonMinHosts = scoring.commonMinHosts();
        inputs.common = scoring.common();
        return inputs;
    }
}
