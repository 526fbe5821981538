package io.capwatch.tools;

import io.capwatch.tools.Activity.Step;
import io.capwatch.tools.Activity.StepType;
import io.capwatch.tools.Fleet.Host;
import io.capwatch.tools.Fleet.HostRole;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lays a fleet's activity on a grid of event times: event {@code i} has time {@code start + i /
 * rate}. At each slot the stream writes the next event that an earlier activity scheduled, if one
 * is due, else the first event of a new benign activity on a random host. An event is never written
 * before its scheduled time, so gaps within an activity only grow, by at most the backlog of due
 * events. Attack chains are scheduled up front, spread over the first 70 % of the stream, with
 * callbacks that fit before its end.
 */
final class EventStream {
    private static final Logger LOG = LoggerFactory.getLogger(EventStream.class);

    /**
     * The layout of a stream. With {@code paced}, events are written at {@code rate} in wall-clock
     * time.
     */
    record Settings(
            long startMillis,
            long events,
            int rate,
            int attacks,
            long outOfOrderMillis,
            boolean paced,
            long seed) {

        /** Returns the event time of slot {@code slot}. */
        long slotMillis(long slot) {
            return startMillis + slot * 1000L / rate;
        }

        /** Returns the milliseconds of event time between the first and the last event. */
        long spanMillis() {
            return slotMillis(events - 1) - startMillis;
        }
    }

    /** The counts, event times and injected attack chains of a run. */
    record Result(
            long events,
            long firstMillis,
            long lastMillis,
            Map<TelemetryFormat, Long> eventsByFormat,
            Map<StepType, Long> eventsByType,
            Map<String, Long> activitiesByKind,
            List<Activity> attacks,
            long maxLagMillis) {}

    private record Pending(long dueMillis, long sequence, Activity activity, int step) {}

    private final Fleet fleet;
    private final Settings settings;
    private final Activities activities;
    private final TelemetryRenderer renderer = new TelemetryRenderer();
    private final SplittableRandom activityRandom;
    private final SplittableRandom attackRandom;
    private final SplittableRandom deliveryRandom;
    private final PriorityQueue<Pending> pending =
            new PriorityQueue<>(
                    (a, b) ->
                            a.dueMillis != b.dueMillis
                                    ? Long.compare(a.dueMillis, b.dueMillis)
                                    : Long.compare(a.sequence, b.sequence));
    private long sequence;

    private final Map<TelemetryFormat, Long> eventsByFormat = new EnumMap<>(TelemetryFormat.class);
    private final Map<StepType, Long> eventsByType = new EnumMap<>(StepType.class);
    private final Map<String, Long> activitiesByKind = new TreeMap<>();
    private long maxLagMillis;

    EventStream(Fleet fleet, Settings settings) {
        this.fleet = fleet;
        this.settings = settings;
        this.activities = new Activities(fleet.hosts().size(), settings.startMillis());
        SplittableRandom root = new SplittableRandom(settings.seed());
        this.activityRandom = root.split();
        this.attackRandom = root.split();
        this.deliveryRandom = root.split();
    }

    /** Writes the whole stream to {@code output} and returns what was written. */
    Result run(DeliveryBuffer.Output output) throws IOException {
        List<Activity> attacks = scheduleAttacks();
        DeliveryBuffer buffer =
                new DeliveryBuffer(settings.outOfOrderMillis(), deliveryRandom, output);
        List<Host> hosts = fleet.hosts();
        long wallStart = System.nanoTime();
        long nextProgress = wallStart + Duration.ofSeconds(10).toNanos();

        for (long slot = 0; slot < settings.events(); slot++) {
            long time = settings.slotMillis(slot);
            if (settings.paced()) {
                pace(wallStart, slot);
            }
            Pending next = pending.peek();
            if (next != null && next.dueMillis <= time) {
                pending.poll();
                maxLagMillis = Math.max(maxLagMillis, time - next.dueMillis);
                write(next.activity, next.step, time, buffer);
            } else {
                Host host = hosts.get(activityRandom.nextInt(hosts.size()));
                Activity activity = activities.benign(host, activityRandom);
                activitiesByKind.merge(activity.kind, 1L, Long::sum);
                write(activity, 0, time, buffer);
            }
            if ((slot & 0xFFF) == 0 && System.nanoTime() > nextProgress) {
                LOG.info("Wrote {} of {} events", slot, settings.events());
                nextProgress = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            }
        }
        buffer.flush();
        checkAttacks(attacks);
        return new Result(
                settings.events(),
                settings.startMillis(),
                settings.slotMillis(settings.events() - 1),
                eventsByFormat,
                eventsByType,
                activitiesByKind,
                attacks,
                maxLagMillis);
    }

    /**
     * Writes step {@code index} of {@code activity} at {@code time}. The first step schedules the
     * others relative to its own time, so their delays hold whatever the first step waited for.
     */
    private void write(Activity activity, int index, long time, DeliveryBuffer buffer)
            throws IOException {
        Step step = activity.steps.get(index);
        if (index == 0) {
            activity.firstEventMillis = time;
            for (int i = 1; i < activity.steps.size(); i++) {
                pending.add(
                        new Pending(
                                time + activity.steps.get(i).delayMillis(),
                                sequence++,
                                activity,
                                i));
            }
        }
        if (index == activity.callbackStep) {
            activity.callbackMillis = time;
        }
        Host host = activity.process.host;
        eventsByFormat.merge(host.format, 1L, Long::sum);
        eventsByType.merge(step.type(), 1L, Long::sum);
        buffer.add(time, host.alertHostKey(), renderer.render(activity, step, time));
    }

    /**
     * Schedules {@code settings.attacks()} chains, cycling through the kinds and, for Windows
     * kinds, through the three Windows formats, so that a handful of attacks covers every shape.
     */
    private List<Activity> scheduleAttacks() {
        List<Activity> attacks = new ArrayList<>();
        long span = settings.spanMillis();
        TelemetryFormat[] windowsFormats = {
            TelemetryFormat.ENDPOINT_WINDOWS,
            TelemetryFormat.SYSMON_WINLOGBEAT,
            TelemetryFormat.SYSMON_NXLOG
        };
        int windowsAttacks = 0;
        for (int k = 0; k < settings.attacks(); k++) {
            AttackKind kind = AttackKind.values()[k % AttackKind.values().length];
            TelemetryFormat format =
                    kind.isWindows()
                            ? windowsFormats[windowsAttacks++ % windowsFormats.length]
                            : TelemetryFormat.ENDPOINT_LINUX;
            Host host = pickHost(format, kind == AttackKind.WINDOWS_DOWNLOADS_STAGER);
            double position = 0.05 + 0.65 * (k + attackRandom.nextDouble()) / settings.attacks();
            long due = settings.startMillis() + (long) (span * position);
            Activity attack = activities.attack(kind, host, attackRandom, span / 5);
            attacks.add(attack);
            pending.add(new Pending(due, sequence++, attack, 0));
        }
        return attacks;
    }

    /** Picks a host in {@code format}, a workstation when asked and one exists. */
    private Host pickHost(TelemetryFormat format, boolean workstation) {
        List<Host> candidates = fleet.hostsIn(format);
        if (workstation) {
            List<Host> workstations =
                    candidates.stream().filter(h -> h.role == HostRole.WORKSTATION).toList();
            if (!workstations.isEmpty()) {
                candidates = workstations;
            }
        }
        return candidates.get(attackRandom.nextInt(candidates.size()));
    }

    /**
     * Throws when an attack chain's callback was not written, or came outside the rule's one-hour
     * window, because the injected list would then promise an alert that cannot come.
     */
    private static void checkAttacks(List<Activity> attacks) {
        for (Activity attack : attacks) {
            if (attack.callbackMillis == 0) {
                throw new IllegalStateException(
                        "attack chain "
                                + attack.kind
                                + " on "
                                + attack.process.host.name
                                + " did not complete before the end of the stream; raise --events"
                                + " or --duration");
            }
            long delay = attack.callbackMillis - attack.firstEventMillis;
            if (delay < 0 || delay > Duration.ofHours(1).toMillis()) {
                throw new IllegalStateException(
                        "attack chain "
                                + attack.kind
                                + " on "
                                + attack.process.host.name
                                + " called back "
                                + Duration.ofMillis(delay)
                                + " after its start, outside the one-hour window");
            }
        }
    }

    private void pace(long wallStart, long slot) {
        long target = wallStart + slot * 1_000_000_000L / settings.rate();
        long wait = target - System.nanoTime();
        if (wait > 1_000_000L) {
            LockSupport.parkNanos(wait);
        }
    }
}
