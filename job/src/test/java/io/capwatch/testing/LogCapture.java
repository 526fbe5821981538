package io.capwatch.testing;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * Watches every log4j 2 event of the JVM at {@code INFO} and above for given strings, such as
 * passwords, while it is open.
 *
 * <p>Opening it lowers the root logger from its configured level to {@code INFO} and keeps the
 * root's other appenders at their configured level, so the console shows no more than before.
 * The message, the logger name and the stack trace of each event are searched. Only events that
 * contain a watched string are kept. Loggers configured with their own level, such as {@code
 * io.capwatch} in {@code log4j2-test.properties}, keep it. Close it to restore the configuration.
 * It changes the JVM-wide configuration, so tests that run at the same time are watched too.
 */
public final class LogCapture implements AutoCloseable {
    private final List<String> watched;
    private final LoggerContext context;
    private final LoggerConfig root;
    private final Level rootLevel;
    private final List<Appender> rootAppenders;
    private final Watcher watcher;

    private LogCapture(List<String> watched, List<String> markers) {
        this.watched = List.copyOf(watched);
        context = (LoggerContext) LogManager.getContext(false);
        Configuration configuration = context.getConfiguration();
        root = configuration.getRootLogger();
        rootLevel = root.getLevel();
        rootAppenders = List.copyOf(root.getAppenders().values());
        watcher = new Watcher("log-capture-" + UUID.randomUUID(), markers);
        watcher.start();

        for (Appender appender : rootAppenders) {
            root.removeAppender(appender.getName());
            root.addAppender(appender, rootLevel, null);
        }
        root.addAppender(watcher, Level.INFO, null);
        root.setLevel(Level.INFO);
        context.updateLoggers();
    }

    /**
     * Starts watching for {@code watched}, and counting the events that contain each of {@code
     * markers}. Every string must be non-empty.
     */
    public static LogCapture watching(List<String> watched, List<String> markers) {
        for (String text : Stream.concat(watched.stream(), markers.stream()).toList()) {
            if (text == null || text.isEmpty()) {
                throw new IllegalArgumentException("a watched string or marker is null or empty");
            }
        }
        return new LogCapture(watched, markers);
    }

    /** Returns the events that contained a watched string, as logger name, message and trace. */
    public List<String> matches() {
        return List.copyOf(watcher.matches);
    }

    /** Returns how many events at {@code INFO} or above the capture saw. */
    public long eventCount() {
        return watcher.events.get();
    }

    /** Returns how many events contained {@code marker}, one of the markers given at the start. */
    public long markerCount(String marker) {
        AtomicLong count = watcher.markerCounts.get(marker);
        if (count == null) {
            throw new IllegalArgumentException(marker + " is not a marker of this capture");
        }
        return count.get();
    }

    @Override
    public void close() {
        // The level first, so that no INFO event reaches the console between the two steps.
        root.setLevel(rootLevel);
        context.updateLoggers();
        root.removeAppender(watcher.getName());
        for (Appender appender : rootAppenders) {
            root.removeAppender(appender.getName());
            root.addAppender(appender, null, null);
        }
        context.updateLoggers();
        watcher.stop();
    }

    private final class Watcher extends AbstractAppender {
        final Queue<String> matches = new ConcurrentLinkedQueue<>();
        final Map<String, AtomicLong> markerCounts = new LinkedHashMap<>();
        final AtomicLong events = new AtomicLong();

        Watcher(String name, List<String> markers) {
            super(name, null, null, true, Property.EMPTY_ARRAY);
            for (String marker : markers) {
                markerCounts.put(marker, new AtomicLong());
            }
        }

        @Override
        public void append(LogEvent event) {
            events.incrementAndGet();
            String text = event.getLoggerName() + " " + event.getMessage().getFormattedMessage();
            if (event.getThrown() != null) {
                StringWriter trace = new StringWriter();
                event.getThrown().printStackTrace(new PrintWriter(trace));
                text = text + "\n" + trace;
            }
            for (String watchedText : watched) {
                if (text.contains(watchedText)) {
                    matches.add(text);
                    break;
                }
            }
            for (Map.Entry<String, AtomicLong> marker : markerCounts.entrySet()) {
                if (text.contains(marker.getKey())) {
                    marker.getValue().incrementAndGet();
                }
            }
        }
    }
}
