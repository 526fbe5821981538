package io.capwatch.rule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class RiskScoringTest {
    private final RiskScoring scoring = RiskScoring.defaults();

    @Test
    void unknownPrevalenceScores73() {
        assertEquals(73, scoring.score(OptionalLong.empty()));
    }

    @Test
    void singleHostScores99() {
        assertEquals(99, scoring.score(OptionalLong.of(1)));
        assertEquals(99, scoring.score(OptionalLong.of(0)));
    }

    @Test
    void commonThresholdScores47() {
        assertEquals(47, scoring.score(OptionalLong.of(50)));
        assertEquals(47, scoring.score(OptionalLong.of(4200)));
    }

    @Test
    void scoreFallsWithLogOfHosts() {
        // 99 - 52 * ln(12) / ln(50) = 65.97
        assertEquals(66, scoring.score(OptionalLong.of(12)));
        int previous = 99;
        for (long hosts = 2; hosts < 50; hosts++) {
            int score = scoring.score(OptionalLong.of(hosts));
            assertTrue(score <= previous, "score rose at " + hosts + " hosts: " + score);
            assertTrue(score >= 47, "score fell below the common score at " + hosts);
            previous = score;
        }
    }

    @Test
    void severityBandsFollowElasticAnchors() {
        assertEquals("low", RiskScoring.severity(21));
        assertEquals("medium", RiskScoring.severity(22));
        assertEquals("medium", RiskScoring.severity(47));
        assertEquals("high", RiskScoring.severity(48));
        assertEquals("high", RiskScoring.severity(73));
        assertEquals("critical", RiskScoring.severity(74));
        assertEquals("critical", RiskScoring.severity(99));
        assertEquals(73, RiskScoring.severityCode("high"));
    }

    @Test
    void invalidScaleIsRejected() {
        IllegalArgumentException error =
                assertThrows(IllegalArgumentException.class, () -> new RiskScoring(73, 10, 99, 10, 47));
        assertTrue(error.getMessage().contains("common_min_hosts"), error.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new RiskScoring(101, 1, 99, 50, 47));
    }
}
