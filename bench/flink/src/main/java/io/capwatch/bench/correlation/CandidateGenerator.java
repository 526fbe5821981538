package io.capwatch.bench.correlation;

import io.capwatch.correlation.Candidate;
import io.capwatch.correlation.CandidateKind;
import io.capwatch.correlation.Trust;
import io.capwatch.rule.Platform;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Generates the input of the correlation benchmark: candidates as {@code CandidateSelector}
 * emits them, so only untrusted starts and external outbound connections of executables in
 * user-writable folders, over a fleet of keys (host, path key, pid).
 *
 * <p>The shape, all seeded:
 *
 * <ul>
 *   <li>Starts pick their key uniformly; other connections pick it from a Zipf distribution,
 *       so a few processes are chatty and most connect rarely.
 *   <li>A share of starts is followed by a connection of the same key: in the same millisecond
 *       (the start-first tie rule), exactly one window later (still a match), one millisecond
 *       past it (no match), or after an exponential delay.
 *   <li>A share of events arrives late by up to the out-of-order bound, never more, so no event
 *       is behind a bounded-out-of-orderness watermark with that bound.
 * </ul>
 */
public final class CandidateGenerator {
    /** 2026-01-01T00:00:00Z, the first event time. */
    static final long EPOCH_MILLIS = 1_767_225_600_000L;
    static final long WINDOW_MILLIS = 3_600_000L;

    /** The generator's knobs; {@link #defaults()} is the benchmark's standard input. */
    public record Settings(
            int events,
            int keys,
            double startShare,
            double followUpShare,
            double lateShare,
            long outOfOrderMillis,
            long spanMillis,
            double zipfExponent,
            long seed) {
        public static Settings defaults() {
            return new Settings(
                    2_000_000, 100_000, 0.05, 0.6, 0.1, 60_000L, 8 * WINDOW_MILLIS, 0.6, 1L);
        }

        public Settings withSize(int newEvents, int newKeys) {
            return new Settings(
                    newEvents,
                    newKeys,
                    startShare,
                    followUpShare,
                    lateShare,
                    outOfOrderMillis,
                    spanMillis,
                    zipfExponent,
                    seed);
        }
    }

    private record Timed(CandidateRow row, long arrival, int order) {}

    private final Settings settings;
    private final SplittableRandom random;
    private final String[] keys;
    private final Platform[] platforms;
    private final String[] entityIds;
    private final double[] zipfCumulative;

    public CandidateGenerator(Settings settings) {
        if (settings.events() < 1 || settings.keys() < 1) {
            throw new IllegalArgumentException(
                    "events and keys must be positive, got " + settings.events() + " and "
                            + settings.keys());
        }
        this.settings = settings;
        this.random = new SplittableRandom(settings.seed());
        this.keys = new String[settings.keys()];
        this.platforms = new Platform[settings.keys()];
        this.entityIds = new String[settings.keys()];
        this.zipfCumulative = zipfCumulative(settings.keys(), settings.zipfExponent());
        for (int i = 0; i < keys.length; i++) {
            makeKey(i);
        }
    }

    /** Writes the file: {@code CandidateGenerator OUTPUT [EVENTS [KEYS [SEED]]]}. */
    public static void main(String[] args) throws IOException {
        if (args.length < 1 || args.length > 4) {
            System.err.println("usage: CandidateGenerator OUTPUT [EVENTS [KEYS [SEED]]]");
            System.exit(2);
        }
        Settings defaults = Settings.defaults();
        int events = args.length > 1 ? Integer.parseInt(args[1]) : defaults.events();
        int keyCount = args.length > 2 ? Integer.parseInt(args[2]) : defaults.keys();
        long seed = args.length > 3 ? Long.parseLong(args[3]) : defaults.seed();
        Settings settings =
                new Settings(
                        events,
                        keyCount,
                        defaults.startShare(),
                        defaults.followUpShare(),
                        defaults.lateShare(),
                        defaults.outOfOrderMillis(),
                        defaults.spanMillis(),
                        defaults.zipfExponent(),
                        seed);
        List<CandidateRow> rows = new CandidateGenerator(settings).generate();
        CandidateFile.write(Path.of(args[0]), rows, settings.outOfOrderMillis());
        System.out.printf(
                "wrote %d candidates over %d keys to %s%n", rows.size(), keyCount, args[0]);
    }

    /** Returns the candidates in arrival order. */
    public List<CandidateRow> generate() {
        List<CandidateRow> byTime = new ArrayList<>(settings.events());
        int starts = (int) Math.round(settings.events() * settings.startShare());
        for (int i = 0; i < starts && byTime.size() < settings.events(); i++) {
            int key = random.nextInt(keys.length);
            long time = EPOCH_MILLIS + random.nextLong(settings.spanMillis());
            byTime.add(start(key, time));
            if (byTime.size() < settings.events()
                    && random.nextDouble() < settings.followUpShare()) {
                byTime.add(connection(key, time + followUpDelay()));
            }
        }
        while (byTime.size() < settings.events()) {
            long time = EPOCH_MILLIS + random.nextLong(settings.spanMillis());
            byTime.add(connection(zipfKey(), time));
        }
        return inArrivalOrder(byTime);
    }

    /**
     * Orders rows by event time, with starts first within a millisecond as a source logs them,
     * then delays a share of them by less than the out-of-order bound.
     */
    private List<CandidateRow> inArrivalOrder(List<CandidateRow> rows) {
        rows.sort(
                Comparator.comparingLong(CandidateRow::timestamp)
                        .thenComparing(row -> row.kind().ordinal()));
        Timed[] timed = new Timed[rows.size()];
        for (int i = 0; i < timed.length; i++) {
            CandidateRow row = rows.get(i);
            long delay =
                    random.nextDouble() < settings.lateShare()
                            ? random.nextLong(settings.outOfOrderMillis())
                            : 0;
            timed[i] = new Timed(row, row.timestamp() + delay, i);
        }
        Arrays.sort(
                timed,
                Comparator.comparingLong(Timed::arrival).thenComparingInt(Timed::order));
        List<CandidateRow> arrival = new ArrayList<>(timed.length);
        for (Timed t : timed) {
            arrival.add(t.row());
        }
        return arrival;
    }

    private long followUpDelay() {
        double roll = random.nextDouble();
        if (roll < 0.10) {
            return 0;
        }
        if (roll < 0.12) {
            return WINDOW_MILLIS;
        }
        if (roll < 0.14) {
            return WINDOW_MILLIS + 1;
        }
        // Exponential with a mean of ten minutes: most callbacks come soon, some after the window.
        return (long) (-600_000.0 * Math.log(1.0 - random.nextDouble()));
    }

    private CandidateRow start(int key, long time) {
        return new CandidateRow(
                CandidateKind.START,
                time,
                keys[key],
                Trust.UNTRUSTED,
                platforms[key],
                entityIds[key],
                null,
                null);
    }

    private CandidateRow connection(int key, long time) {
        String destination =
                PUBLIC_FIRST_OCTETS[random.nextInt(PUBLIC_FIRST_OCTETS.length)]
                        + "." + random.nextInt(256)
                        + "." + random.nextInt(256)
                        + "." + (1 + random.nextInt(254));
        return new CandidateRow(
                CandidateKind.CONNECTION,
                time,
                keys[key],
                null,
                platforms[key],
                entityIds[key],
                null,
                destination);
    }

    /** First octets of public unicast ranges, outside every internal network of the rule. */
    private static final int[] PUBLIC_FIRST_OCTETS = {13, 20, 34, 52, 93, 104, 142, 151, 185};

    private static final String[] WINDOWS_FOLDERS = {
        "\\users\\%s\\appdata\\local\\temp\\", "\\users\\%s\\downloads\\", "\\programdata\\%s\\"
    };
    private static final String[] LINUX_FOLDERS = {"/tmp/", "/dev/shm/", "/home/%s/Downloads/"};

    /** Windows keys carry a process GUID, as Sysmon and Elastic Endpoint log one; Linux ones do not. */
    private void makeKey(int index) {
        int hostCount = Math.max(1, keys.length / 50);
        String host = String.format("ws-%05d.corp.example", random.nextInt(hostCount));
        String user = "user" + random.nextInt(5_000);
        String tool = "tool" + random.nextInt(2_000);
        long pid = 1_000 + random.nextInt(64_000);
        boolean linux = random.nextDouble() < 0.2;
        String path;
        if (linux) {
            path = String.format(LINUX_FOLDERS[random.nextInt(LINUX_FOLDERS.length)], user) + tool;
            entityIds[index] = null;
        } else {
            path =
                    String.format(WINDOWS_FOLDERS[random.nextInt(WINDOWS_FOLDERS.length)], user)
                            + tool + ".exe";
            entityIds[index] =
                    String.format("{%016x-%08x}", random.nextLong(), random.nextInt());
        }
        platforms[index] = linux ? Platform.LINUX : Platform.WINDOWS;
        keys[index] = Candidate.key(host, path, pid);
    }

    private int zipfKey() {
        int index = Arrays.binarySearch(zipfCumulative, random.nextDouble());
        return index >= 0 ? index : Math.min(-index - 1, keys.length - 1);
    }

    private static double[] zipfCumulative(int n, double exponent) {
        double[] cumulative = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += 1.0 / Math.pow(i + 1, exponent);
            cumulative[i] = sum;
        }
        for (int i = 0; i < n; i++) {
            cumulative[i] /= sum;
        }
        return cumulative;
    }
}
