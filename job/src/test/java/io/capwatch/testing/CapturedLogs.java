package io.capwatch.testing;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Collects the log lines of this JVM, including those of MiniCluster tasks, while open: each
 * line is the level, the logger, the formatted message and any stack trace. It is an appender of
 * the root logger, so it receives what the test logging configuration lets through (capwatch from
 * INFO, libraries from ERROR).
 */
public final class CapturedLogs implements AutoCloseable {

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final AbstractAppender appender;

    private CapturedLogs() {
        appender =
                new AbstractAppender(
                        "captured-" + UUID.randomUUID(), null, null, true, Property.EMPTY_ARRAY) {
                    @Override
                    public void append(LogEvent event) {
                        lines.add(format(event));
                    }
                };
    }

    /** Starts collecting. */
    public static CapturedLogs start() {
        CapturedLogs logs = new CapturedLogs();
        logs.appender.start();
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        context.getConfiguration().getRootLogger().addAppender(logs.appender, Level.ALL, null);
        context.updateLoggers();
        return logs;
    }

    private static String format(LogEvent event) {
        StringBuilder line =
                new StringBuilder()
                        .append(event.getLevel())
                        .append(' ')
                        .append(event.getLoggerName())
                        .append(" - ")
                        .append(event.getMessage().getFormattedMessage());
        if (event.getThrown() != null) {
            StringWriter trace = new StringWriter();
            event.getThrown().printStackTrace(new PrintWriter(trace));
            line.append('\n').append(trace);
        }
        return line.toString();
    }

    /** Returns the lines collected so far. */
    public List<String> lines() {
        return List.copyOf(lines);
    }

    /** Returns the lines that contain {@code text}. */
    public List<String> linesContaining(String text) {
        return lines.stream().filter(line -> line.contains(text)).toList();
    }

    @Override
    public void close() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        context.getConfiguration().getRootLogger().removeAppender(appender.getName());
        context.updateLoggers();
        appender.stop();
    }
}
