package io.capwatch.tools;

import io.capwatch.tools.Fleet.Host;
import java.util.ArrayList;
import java.util.List;

/**
 * A process and the events written about it: a start (unless the process was already running when
 * the stream began), then image loads, connections and other events, each at a delay after the
 * first event. An attack chain is an activity whose {@link #callbackStep} is the connection that
 * completes the detection's sequence.
 */
final class Activity {

    /** The kind of one event. */
    enum StepType {
        PROCESS_START,
        /** Sysmon event 7 for the process's own image, carrying the image's signature. */
        IMAGE_LOAD,
        /** Sysmon event 7 for a DLL, whose signature does not describe the process image. */
        LIBRARY_LOAD,
        /** An outbound connection to {@link Step#remoteIp}. */
        CONNECTION,
        /** An inbound connection accepted from {@link Step#remoteIp}. */
        INBOUND_CONNECTION,
        /** A DNS query for {@link Step#detail} resolving to {@link Step#remoteIp}. */
        DNS_QUERY,
        /** A file created at {@link Step#detail}; the detection ignores such events. */
        FILE_CREATE
    }

    /** One event of an activity, {@code delayMillis} after the activity's first event. */
    record Step(long delayMillis, StepType type, String remoteIp, int remotePort, String detail) {}

    /** A process as the telemetry describes it. */
    static final class Process {
        final Host host;
        final int pid;
        final String executable;
        final String sha256;

        /** The code-signing subject, or null for an unsigned binary. */
        final String signer;

        final String parentExecutable;
        final int parentPid;
        final String commandLine;
        final String user;

        /** Event time of the start in epoch milliseconds, set when the start is written. */
        long startMillis;

        /** The entity id or ProcessGuid, derived from the start time on first use. */
        String entityId;

        Process(
                Host host,
                int pid,
                String executable,
                String sha256,
                String signer,
                String parentExecutable,
                int parentPid,
                String commandLine,
                String user) {
            this.host = host;
            this.pid = pid;
            this.executable = executable;
            this.sha256 = sha256;
            this.signer = signer;
            this.parentExecutable = parentExecutable;
            this.parentPid = parentPid;
            this.commandLine = commandLine;
            this.user = user;
        }

        /** Returns the file name of the executable, after the last {@code \} or {@code /}. */
        String name() {
            int slash = Math.max(executable.lastIndexOf('\\'), executable.lastIndexOf('/'));
            return executable.substring(slash + 1);
        }
    }

    final String kind;
    final Process process;
    final List<Step> steps;

    /** The attack this activity injects, or null for benign activity. */
    final AttackKind attack;

    /** The index of the connection that should raise the alert, or -1 for benign activity. */
    final int callbackStep;

    /** Event time of the first event, set when it is written. */
    long firstEventMillis;

    /** Event time of the callback connection, set when it is written; 0 until then. */
    long callbackMillis;

    private Activity(
            String kind, Process process, List<Step> steps, AttackKind attack, int callbackStep) {
        this.kind = kind;
        this.process = process;
        this.steps = List.copyOf(steps);
        this.attack = attack;
        this.callbackStep = callbackStep;
    }

    static Activity benign(String kind, Process process, List<Step> steps) {
        return new Activity(kind, process, steps, null, -1);
    }

    static Activity attack(AttackKind attack, Process process, List<Step> steps, int callbackStep) {
        return new Activity(attack.label, process, steps, attack, callbackStep);
    }

    Step callback() {
        return steps.get(callbackStep);
    }

    /** Collects the steps of an activity, each at a delay after the first. */
    static final class Steps {
        private final List<Step> steps = new ArrayList<>();

        Steps add(long delayMillis, StepType type) {
            return add(delayMillis, type, null, 0, null);
        }

        Steps add(long delayMillis, StepType type, String remoteIp, int remotePort, String detail) {
            steps.add(new Step(delayMillis, type, remoteIp, remotePort, detail));
            return this;
        }

        /** Returns the index that the next step will have. */
        int size() {
            return steps.size();
        }

        List<Step> list() {
            return steps;
        }
    }
}
