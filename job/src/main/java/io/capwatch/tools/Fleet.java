package io.capwatch.tools;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * The simulated fleet: Windows workstations and servers, each reporting in one telemetry format,
 * and Linux servers. Every host's id, name, address, users and resident processes derive from the
 * seed and the host's index alone, so a seed gives the same fleet at any rate or length.
 */
final class Fleet {

    /** Departments in workstation names. */
    private static final String[] DEPARTMENTS = {
        "fin", "eng", "mkt", "hr", "ops", "sal", "leg", "it"
    };

    private static final String[] SERVER_ROLES = {"app", "db", "file", "web", "print", "backup"};
    private static final String[] LINUX_ROLES = {"web", "db", "build", "k8s", "cache", "mq"};
    private static final String[] FIRST_NAMES = {
        "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy",
        "mallory", "nina", "oscar", "peggy", "rupert", "sybil", "trent", "uma", "victor", "wendy"
    };
    private static final String[] LAST_NAMES = {
        "nguyen",
        "smith",
        "garcia",
        "mueller",
        "rossi",
        "kowalski",
        "tanaka",
        "silva",
        "dubois",
        "jensen",
        "okafor",
        "novak",
        "haddad",
        "larsen",
        "moreau",
        "schmidt"
    };

    private final List<Host> hosts;
    private final Map<TelemetryFormat, List<Host>> byFormat = new EnumMap<>(TelemetryFormat.class);

    private Fleet(List<Host> hosts) {
        this.hosts = List.copyOf(hosts);
        for (TelemetryFormat format : TelemetryFormat.values()) {
            byFormat.put(format, new ArrayList<>());
        }
        for (Host host : hosts) {
            byFormat.get(host.format).add(host);
        }
    }

    /**
     * Creates {@code count} hosts. About 78 % are Windows workstations, 7 % Windows servers and 15
     * % Linux servers. Windows hosts report as Elastic Endpoint (half), Sysmon through Winlogbeat
     * (30 %) or Sysmon as flat NXLog JSON (20 %). The first four hosts cover one of each format, so
     * that every kind of attack has a host even in a small fleet.
     */
    static Fleet create(int count, long seed) {
        List<Host> hosts = new ArrayList<>(count);
        for (int index = 0; index < count; index++) {
            hosts.add(createHost(index, new SplittableRandom(seed * 1_000_003L + index)));
        }
        return new Fleet(hosts);
    }

    List<Host> hosts() {
        return hosts;
    }

    /** Returns the hosts that report in {@code format}, in index order. */
    List<Host> hostsIn(TelemetryFormat format) {
        return byFormat.get(format);
    }

    private static Host createHost(int index, SplittableRandom random) {
        HostRole role;
        TelemetryFormat format;
        switch (index) {
            case 0 -> {
                role = HostRole.LINUX_SERVER;
                format = TelemetryFormat.ENDPOINT_LINUX;
            }
            case 1 -> {
                role = HostRole.WORKSTATION;
                format = TelemetryFormat.ENDPOINT_WINDOWS;
            }
            case 2 -> {
                role = HostRole.WORKSTATION;
                format = TelemetryFormat.SYSMON_WINLOGBEAT;
            }
            case 3 -> {
                role = HostRole.WORKSTATION;
                format = TelemetryFormat.SYSMON_NXLOG;
            }
            default -> {
                int roll = random.nextInt(100);
                if (roll < 15) {
                    role = HostRole.LINUX_SERVER;
                    format = TelemetryFormat.ENDPOINT_LINUX;
                } else {
                    role = roll < 22 ? HostRole.WINDOWS_SERVER : HostRole.WORKSTATION;
                    format = windowsFormat(random);
                }
            }
        }

        String shortName =
                switch (role) {
                    case WORKSTATION ->
                            String.format(
                                    Locale.ROOT,
                                    "ws-%s-%04d",
                                    DEPARTMENTS[random.nextInt(DEPARTMENTS.length)],
                                    index);
                    case WINDOWS_SERVER ->
                            String.format(
                                    Locale.ROOT,
                                    "srv-%s-%04d",
                                    SERVER_ROLES[random.nextInt(SERVER_ROLES.length)],
                                    index);
                    case LINUX_SERVER ->
                            String.format(
                                    Locale.ROOT,
                                    "lnx-%s-%04d",
                                    LINUX_ROLES[random.nextInt(LINUX_ROLES.length)],
                                    index);
                };
        // Winlogbeat reports the FQDN and NXLog the upper-case NetBIOS name, as each does by
        // default.
        String name =
                switch (format) {
                    case SYSMON_WINLOGBEAT -> shortName + ".corp.example";
                    case SYSMON_NXLOG -> shortName.toUpperCase(Locale.ROOT);
                    default -> shortName;
                };
        String id = randomUuid(random);
        String agentId = randomUuid(random);
        String ip =
                String.format(
                        Locale.ROOT,
                        "10.%d.%d.%d",
                        16 + index / 64516,
                        (index / 254) % 254 + 1,
                        index % 254 + 1);
        List<String> users = users(role, random);
        boolean developer =
                role == HostRole.WORKSTATION
                        && shortName.startsWith("ws-eng-")
                        && random.nextInt(100) < 40;
        // Sysmon's ProcessGuid starts with a per-host prefix derived from the machine GUID.
        String guidPrefix = String.format(Locale.ROOT, "%08x", random.nextInt());
        return new Host(index, id, agentId, name, role, format, ip, users, developer, guidPrefix);
    }

    private static TelemetryFormat windowsFormat(SplittableRandom random) {
        int roll = random.nextInt(10);
        return roll < 5
                ? TelemetryFormat.ENDPOINT_WINDOWS
                : roll < 8 ? TelemetryFormat.SYSMON_WINLOGBEAT : TelemetryFormat.SYSMON_NXLOG;
    }

    private static List<String> users(HostRole role, SplittableRandom random) {
        return switch (role) {
            case WORKSTATION -> {
                String user =
                        FIRST_NAMES[random.nextInt(FIRST_NAMES.length)]
                                + "."
                                + LAST_NAMES[random.nextInt(LAST_NAMES.length)];
                yield List.of(user);
            }
            case WINDOWS_SERVER -> List.of("svc-app", "Administrator");
            case LINUX_SERVER -> List.of("root", "deploy", "www-data");
        };
    }

    private static String randomUuid(SplittableRandom random) {
        long most = (random.nextLong() & ~0xF000L) | 0x4000L;
        long least = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(most, least).toString();
    }

    /** What a host is for, which decides the software it runs. */
    enum HostRole {
        WORKSTATION,
        WINDOWS_SERVER,
        LINUX_SERVER
    }

    /**
     * One host. Its fields are fixed for the run. Its counters give each new process a pid that no
     * earlier process of the host had, and each event a record number.
     */
    static final class Host {
        final int index;

        /**
         * {@code host.id}; flat NXLog records carry none, so alerts for them name the host only.
         */
        final String id;

        final String agentId;
        final String name;
        final HostRole role;
        final TelemetryFormat format;
        final String ip;
        final List<String> users;

        /** Whether the host builds and tests code, which starts unsigned binaries from Temp. */
        final boolean developer;

        final String guidPrefix;

        private int nextPid;
        private long nextRecord = 1;

        Host(
                int index,
                String id,
                String agentId,
                String name,
                HostRole role,
                TelemetryFormat format,
                String ip,
                List<String> users,
                boolean developer,
                String guidPrefix) {
            this.index = index;
            this.id = id;
            this.agentId = agentId;
            this.name = name;
            this.role = role;
            this.format = format;
            this.ip = ip;
            this.users = users;
            this.developer = developer;
            this.guidPrefix = guidPrefix;
            this.nextPid = isWindows() ? 1000 : 900;
        }

        boolean isWindows() {
            return format != TelemetryFormat.ENDPOINT_LINUX;
        }

        /** Returns the host id as an alert shows it: {@code host.id}, else the host name. */
        String alertHostKey() {
            return format == TelemetryFormat.SYSMON_NXLOG ? name : id;
        }

        /**
         * Returns a pid that no earlier process of this host had. Windows pids are multiples of 4.
         * They grow without wrapping, so a pid is never reused within a run.
         */
        int allocatePid(SplittableRandom random) {
            nextPid += isWindows() ? 4 * (1 + random.nextInt(8)) : 1 + random.nextInt(6);
            return nextPid;
        }

        long nextRecordNumber() {
            return nextRecord++;
        }

        String user(SplittableRandom random) {
            return users.get(random.nextInt(users.size()));
        }
    }
}
