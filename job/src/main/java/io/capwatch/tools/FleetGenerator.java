package io.capwatch.tools;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.capwatch.tools.Activity.StepType;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Command line entry point of the telemetry generator: writes a seeded, realistic stream of a
 * fleet's process and network events, with injected attack chains, to a Kafka topic or to NDJSON
 * files, and reports exactly which attacks it injected.
 */
@Command(
        name = "capwatch-fleet-generator",
        mixinStandardHelpOptions = true,
        version = "capwatch fleet generator 0.1.0",
        sortOptions = false,
        description = {
            "Writes a realistic telemetry stream of a fleet of Windows and Linux hosts in the"
                    + " formats capwatch reads (Elastic Endpoint, Sysmon through Winlogbeat, flat NXLog"
                    + " Sysmon), with --attacks injected attack chains, to a Kafka topic or to NDJSON"
                    + " files.",
            "Benign traffic raises no alert with the shipped rule; each Windows attack chain raises"
                    + " exactly one. The same options and --start give the same output."
        })
public final class FleetGenerator implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MIN_ATTACK_SPAN_MILLIS = 60_000L;

    @Spec CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    static final class Target {
        @Option(
                names = "--bootstrap-servers",
                paramLabel = "HOST:PORT[,...]",
                description = "Kafka bootstrap servers to write to.")
        String bootstrapServers;

        @Option(
                names = "--output-dir",
                paramLabel = "DIR",
                description = "Folder to write NDJSON files to, for backfills and benchmarks.")
        Path outputDir;
    }

    @Option(
            names = "--topic",
            defaultValue = "capwatch.telemetry",
            paramLabel = "NAME",
            description = "Kafka topic, which must exist (default ${DEFAULT-VALUE}).")
    String topic;

    @Option(
            names = "--hosts",
            defaultValue = "2000",
            paramLabel = "N",
            description = "Number of hosts in the fleet, at least 4 (default ${DEFAULT-VALUE}).")
    int hosts;

    @Option(
            names = "--rate",
            defaultValue = "2000",
            paramLabel = "N",
            description = "Events per second of event time (default ${DEFAULT-VALUE}).")
    int rate;

    @ArgGroup(exclusive = true)
    Length length;

    static final class Length {
        @Option(
                names = "--duration",
                paramLabel = "DURATION",
                description =
                        "Event time the stream covers, as ISO-8601 (PT10M) or 30s/10m/2h"
                                + " (default 10m).")
        String duration;

        @Option(names = "--events", paramLabel = "N", description = "Number of events to write.")
        Long events;
    }

    @Option(
            names = "--seed",
            defaultValue = "1",
            paramLabel = "N",
            description = "Random seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--start",
            paramLabel = "INSTANT",
            description =
                    "Event time of the first event, as ISO-8601 (2026-11-02T09:00:00Z) or now."
                            + " Default: now minus the stream's duration.")
    String start;

    @Option(
            names = "--attacks",
            defaultValue = "0",
            paramLabel = "N",
            description =
                    "Attack chains to inject, cycling through windows-downloads-stager,"
                            + " linux-tmp-elf and windows-rare-temp-binary (default ${DEFAULT-VALUE}).")
    int attacks;

    @Option(
            names = "--out-of-order-ms",
            defaultValue = "5000",
            paramLabel = "MILLIS",
            description =
                    "Shuffle delivery so that no event comes after one more than this much event"
                            + " time newer (default ${DEFAULT-VALUE}; 0 keeps event-time order).")
    long outOfOrderMillis;

    @Option(
            names = "--injected-file",
            paramLabel = "FILE",
            description = "Also write the injected attack chains to FILE as JSON lines.")
    Path injectedFile;

    @Option(
            names = "--paced",
            description =
                    "Write at --rate events per wall-clock second instead of as fast as possible;"
                            + " combine with --start now for a live stream.")
    boolean paced;

    @Option(
            names = "--compression",
            defaultValue = "lz4",
            paramLabel = "TYPE",
            description =
                    "Kafka compression: none, gzip, snappy, lz4 or zstd (default"
                            + " ${DEFAULT-VALUE}).")
    String compression;

    @Option(
            names = "--file-events",
            defaultValue = "0",
            paramLabel = "N",
            description =
                    "Start a new file after N events (default ${DEFAULT-VALUE}: one file). A"
                            + " streaming job reading several files at once sees them out of order.")
    long fileEvents;

    @Option(names = "--gzip", description = "Compress the NDJSON files with gzip.")
    boolean gzip;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /**
     * Creates the command line. Invalid options exit with 2 and a usage message. A failure while
     * generating, such as a missing topic or an existing output file, exits with 1 and one line
     * that names the cause.
     */
    public static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new FleetGenerator());
        commandLine.setExecutionExceptionHandler(
                (exception, failed, parseResult) -> {
                    failed.getErr()
                            .println("capwatch-fleet-generator: error: " + exception.getMessage());
                    failed.getErr().flush();
                    return 1;
                });
        return commandLine;
    }

    @Override
    public Integer call() throws Exception {
        EventStream.Settings settings = settings();
        Fleet fleet = Fleet.create(hosts, seed);
        EventStream stream = new EventStream(fleet, settings);

        EventStream.Result result;
        String description;
        long begin;
        if (target.bootstrapServers != null) {
            KafkaOutput kafka = new KafkaOutput(target.bootstrapServers, topic, compression);
            try {
                kafka.checkTopic();
                begin = System.nanoTime();
                result = stream.run(kafka);
            } finally {
                // Waits for every acknowledgement, so the elapsed time below includes them.
                kafka.close();
            }
            description = kafka.description();
        } else {
            begin = System.nanoTime();
            try (FileOutput files = new FileOutput(target.outputDir, fileEvents, gzip)) {
                result = stream.run(files);
                description = files.description();
            }
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - begin);
        if (injectedFile != null) {
            writeInjected(result.attacks(), injectedFile);
        }
        printSummary(System.out, fleet, settings, result, description, elapsed);
        return 0;
    }

    /** Validates the options and turns them into the stream's settings. */
    EventStream.Settings settings() {
        if (hosts < 4) {
            throw new ParameterException(
                    spec.commandLine(), "--hosts " + hosts + " is invalid; it must be at least 4");
        }
        if (rate < 1) {
            throw new ParameterException(
                    spec.commandLine(), "--rate " + rate + " is invalid; it must be at least 1");
        }
        if (attacks < 0) {
            throw new ParameterException(
                    spec.commandLine(),
                    "--attacks " + attacks + " is invalid; it must be 0 or more");
        }
        if (outOfOrderMillis < 0) {
            throw new ParameterException(
                    spec.commandLine(),
                    "--out-of-order-ms " + outOfOrderMillis + " is invalid; it must be 0 or more");
        }
        if (fileEvents < 0) {
            throw new ParameterException(
                    spec.commandLine(),
                    "--file-events " + fileEvents + " is invalid; it must be 0 or more");
        }
        if (target.outputDir == null && (fileEvents > 0 || gzip)) {
            throw new ParameterException(
                    spec.commandLine(), "--file-events and --gzip need --output-dir");
        }
        if (!List.of("none", "gzip", "snappy", "lz4", "zstd").contains(compression)) {
            throw new ParameterException(
                    spec.commandLine(),
                    "--compression "
                            + compression
                            + " is invalid; expected none, gzip, snappy, lz4 or zstd");
        }

        long events;
        if (length != null && length.events != null) {
            events = length.events;
            if (events < 1) {
                throw new ParameterException(
                        spec.commandLine(),
                        "--events " + events + " is invalid; it must be at least 1");
            }
        } else {
            Duration duration =
                    parseDuration(
                            length == null || length.duration == null ? "10m" : length.duration);
            events = Math.multiplyExact(duration.toMillis(), (long) rate) / 1000;
            if (events < 1) {
                throw new ParameterException(
                        spec.commandLine(),
                        "--duration " + duration + " at --rate " + rate + " gives no event");
            }
        }
        long durationMillis = events * 1000L / rate;
        long startMillis;
        long nowMillis = Instant.now().truncatedTo(ChronoUnit.MILLIS).toEpochMilli();
        if (start == null) {
            startMillis = nowMillis - durationMillis;
        } else if (start.equalsIgnoreCase("now")) {
            startMillis = nowMillis;
        } else {
            try {
                startMillis = Instant.parse(start).toEpochMilli();
            } catch (DateTimeParseException e) {
                throw new ParameterException(
                        spec.commandLine(),
                        "--start "
                                + start
                                + " is invalid; expected an instant such as 2026-11-02T09:00:00Z");
            }
        }

        EventStream.Settings settings =
                new EventStream.Settings(
                        startMillis, events, rate, attacks, outOfOrderMillis, paced, seed);
        if (attacks > 0 && settings.spanMillis() < MIN_ATTACK_SPAN_MILLIS) {
            throw new ParameterException(
                    spec.commandLine(),
                    "attack chains need at least 60 s of event time so that their callbacks fit,"
                            + " but "
                            + events
                            + " events at --rate "
                            + rate
                            + " cover "
                            + Duration.ofMillis(settings.spanMillis())
                            + "; raise --events or --duration, or lower --rate");
        }
        if (attacks > events / 20) {
            throw new ParameterException(
                    spec.commandLine(),
                    "--attacks "
                            + attacks
                            + " is too many for "
                            + events
                            + " events; allow 20 events per attack");
        }
        return settings;
    }

    /** Parses {@code PT10M}, {@code 30s}, {@code 10m}, {@code 2h} or {@code 1d}. */
    private Duration parseDuration(String value) {
        String text = value.strip().toLowerCase(Locale.ROOT);
        try {
            Duration duration;
            if (text.startsWith("p")) {
                duration = Duration.parse(text.toUpperCase(Locale.ROOT));
            } else {
                long amount = Long.parseLong(text.substring(0, text.length() - 1));
                duration =
                        switch (text.charAt(text.length() - 1)) {
                            case 's' -> Duration.ofSeconds(amount);
                            case 'm' -> Duration.ofMinutes(amount);
                            case 'h' -> Duration.ofHours(amount);
                            case 'd' -> Duration.ofDays(amount);
                            default -> throw new NumberFormatException(text);
                        };
            }
            if (duration.isNegative() || duration.isZero()) {
                throw new NumberFormatException(text);
            }
            return duration;
        } catch (NumberFormatException
                | DateTimeParseException
                | StringIndexOutOfBoundsException e) {
            throw new ParameterException(
                    spec.commandLine(),
                    "--duration "
                            + value
                            + " is invalid; expected a positive duration such as PT10M, 30s, 10m or"
                            + " 2h");
        }
    }

    /** Returns an injected attack chain as the JSON object of one line of --injected-file. */
    static ObjectNode toJson(Activity attack) {
        Activity.Process process = attack.process;
        Activity.Step callback = attack.callback();
        ObjectNode node = JSON.createObjectNode();
        node.put("kind", attack.kind);
        node.put("os", process.host.isWindows() ? "windows" : "linux");
        node.put("format", process.host.format.label);
        if (process.host.format == TelemetryFormat.SYSMON_NXLOG) {
            node.putNull("host_id");
        } else {
            node.put("host_id", process.host.id);
        }
        node.put("host_name", process.host.name);
        node.put("pid", process.pid);
        node.put("executable", process.executable);
        node.put("sha256", process.sha256);
        node.put("destination_ip", callback.remoteIp());
        node.put("destination_port", callback.remotePort());
        node.put("destination", callback.remoteIp() + ":" + callback.remotePort());
        node.put("start", Instant.ofEpochMilli(attack.firstEventMillis).toString());
        node.put("connection", Instant.ofEpochMilli(attack.callbackMillis).toString());
        return node;
    }

    private static void writeInjected(List<Activity> attacks, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (BufferedWriter writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (Activity attack : attacks) {
                writer.write(toJson(attack).toString());
                writer.newLine();
            }
        }
    }

    private void printSummary(
            PrintStream out,
            Fleet fleet,
            EventStream.Settings settings,
            EventStream.Result result,
            String description,
            Duration elapsed) {
        double seconds = Math.max(elapsed.toNanos() / 1e9, 1e-9);
        out.printf(
                Locale.ROOT,
                "Wrote %,d events to %s in %.1f s (%,.0f events/s).%n",
                result.events(),
                description,
                seconds,
                result.events() / seconds);
        out.printf(
                Locale.ROOT,
                "  event time: %s to %s, %d events/s, seed %d, delivery shuffled within %d ms%n",
                Instant.ofEpochMilli(result.firstMillis()),
                Instant.ofEpochMilli(result.lastMillis()),
                settings.rate(),
                settings.seed(),
                settings.outOfOrderMillis());
        out.printf(Locale.ROOT, "  fleet: %d hosts:", fleet.hosts().size());
        for (TelemetryFormat format : TelemetryFormat.values()) {
            out.printf(Locale.ROOT, " %s %d", format.label, fleet.hostsIn(format).size());
        }
        out.println();
        out.print("  events by format:");
        for (Map.Entry<TelemetryFormat, Long> entry : result.eventsByFormat().entrySet()) {
            out.printf(Locale.ROOT, " %s %,d", entry.getKey().label, entry.getValue());
        }
        out.println();
        out.print("  events by type:");
        for (Map.Entry<StepType, Long> entry : result.eventsByType().entrySet()) {
            out.printf(
                    Locale.ROOT,
                    " %s %,d",
                    entry.getKey().name().toLowerCase(Locale.ROOT),
                    entry.getValue());
        }
        out.println();
        out.print("  benign activities:");
        for (Map.Entry<String, Long> entry : result.activitiesByKind().entrySet()) {
            out.printf(Locale.ROOT, " %s %,d", entry.getKey(), entry.getValue());
        }
        out.println();
        out.printf(
                Locale.ROOT,
                "  largest delay of a scheduled event behind its time: %d ms%n",
                result.maxLagMillis());
        out.printf(Locale.ROOT, "Injected %d attack chains:%n", result.attacks().size());
        for (Activity attack : result.attacks()) {
            Activity.Step callback = attack.callback();
            out.printf(
                    Locale.ROOT,
                    "  %-25s %-22s host.id %-36s pid %-6d %s -> %s:%d, start %s, connection %s (+%d"
                            + " s)%n",
                    attack.kind,
                    attack.process.host.name,
                    attack.process.host.format == TelemetryFormat.SYSMON_NXLOG
                            ? "-"
                            : attack.process.host.id,
                    attack.process.pid,
                    attack.process.executable,
                    callback.remoteIp(),
                    callback.remotePort(),
                    Instant.ofEpochMilli(attack.firstEventMillis),
                    Instant.ofEpochMilli(attack.callbackMillis),
                    (attack.callbackMillis - attack.firstEventMillis) / 1000);
        }
    }
}
