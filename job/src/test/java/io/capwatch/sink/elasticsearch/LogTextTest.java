package io.capwatch.sink.elasticsearch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LogTextTest {

    @Test
    void shortTextIsKept() {
        String text = "x".repeat(LogText.MAX_CHARS);
        assertEquals(text, LogText.truncate(text));
        assertNull(LogText.truncate(null));
    }

    @Test
    void longTextIsCutWithCount() {
        String text = "x".repeat(LogText.MAX_CHARS + 100);

        String cut = LogText.truncate(text);

        assertTrue(cut.startsWith("x".repeat(LogText.MAX_CHARS)), cut);
        assertTrue(cut.endsWith("... (100 more characters)"), cut);
    }

    @Test
    void cutDoesNotSplitSurrogatePair() {
        String text = "x".repeat(LogText.MAX_CHARS - 1) + "\uD83D\uDE00" + "tail";

        String cut = LogText.truncate(text);

        assertTrue(cut.startsWith("x".repeat(LogText.MAX_CHARS - 1) + "..."), cut);
    }
}
