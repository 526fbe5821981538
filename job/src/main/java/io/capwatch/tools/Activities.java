package io.capwatch.tools;

import io.capwatch.tools.Activity.Process;
import io.capwatch.tools.Activity.StepType;
import io.capwatch.tools.Activity.Steps;
import io.capwatch.tools.Fleet.Host;
import io.capwatch.tools.Fleet.HostRole;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Creates the benign activity of a fleet and the attack chains injected into it.
 *
 * <p>No benign activity may raise an alert under the shipped rule, so every benign process that
 * starts in a user-writable folder (Downloads, Temp, ProgramData) falls into one of these cases: it
 * is validly signed; it connects only to RFC 1918 or loopback addresses; its first external
 * connection comes more than an hour after its start; its connections are inbound; or it is a
 * {@code go run} or {@code dotnet test} binary that a rule exception suppresses. Unsigned binaries
 * that connect out promptly live under Program Files, which the rule excludes. Linux processes
 * never carry a code signature, and those in /tmp connect only to internal addresses, so they stay
 * benign once the rule reads Linux paths too.
 *
 * <p>External destinations come only from documentation and example ranges: benign traffic goes to
 * 93.184.216.0/24, 198.51.100.0/24 and 203.0.113.0/24, and attackers use 192.0.2.0/24 and
 * 203.0.113.0/24.
 */
final class Activities {

    private static final long SECOND = 1_000L;
    private static final long MINUTE = 60 * SECOND;

    /**
     * A binary that the fleet runs. Its {@code path} may contain {@code {user}} and {@code
     * {token}}.
     */
    private record Binary(String path, String signer, String parent, String arguments) {}

    private static final String MICROSOFT_WINDOWS = "Microsoft Windows";
    private static final String MICROSOFT = "Microsoft Corporation";

    private static final String EXPLORER = "C:\\Windows\\explorer.exe";
    private static final String SERVICES = "C:\\Windows\\System32\\services.exe";
    private static final String SVCHOST = "C:\\Windows\\System32\\svchost.exe";

    private static final List<Binary> SYSTEM_BINARIES =
            List.of(
                    new Binary(SVCHOST, MICROSOFT_WINDOWS, SERVICES, "-k netsvcs -p"),
                    new Binary(
                            "C:\\Windows\\System32\\RuntimeBroker.exe",
                            MICROSOFT_WINDOWS,
                            SVCHOST,
                            "-Embedding"),
                    new Binary(
                            "C:\\Windows\\System32\\conhost.exe",
                            MICROSOFT_WINDOWS,
                            "C:\\Windows\\System32\\cmd.exe",
                            "0xffffffff -ForceV1"),
                    new Binary(
                            "C:\\Windows\\System32\\taskhostw.exe", MICROSOFT_WINDOWS, SVCHOST, ""),
                    new Binary(
                            "C:\\Windows\\System32\\backgroundTaskHost.exe",
                            MICROSOFT_WINDOWS,
                            SVCHOST,
                            "-ServerName:BackgroundTaskHost.WebAccountProvider"),
                    new Binary(
                            "C:\\Windows\\System32\\SearchProtocolHost.exe",
                            MICROSOFT_WINDOWS,
                            "C:\\Windows\\System32\\SearchIndexer.exe",
                            ""),
                    new Binary(
                            "C:\\Windows\\System32\\wbem\\WmiPrvSE.exe",
                            MICROSOFT_WINDOWS,
                            SVCHOST,
                            "-secured -Embedding"),
                    new Binary(
                            "C:\\Windows\\System32\\dllhost.exe",
                            MICROSOFT_WINDOWS,
                            SVCHOST,
                            "/Processid:{AB8902B4-09CA-4BB6-B78D-A8F59079A8D5}"),
                    new Binary(
                            "C:\\Windows\\System32\\cmd.exe",
                            MICROSOFT_WINDOWS,
                            EXPLORER,
                            "/c whoami"),
                    new Binary(
                            "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
                            MICROSOFT_WINDOWS,
                            EXPLORER,
                            "-NoProfile"),
                    new Binary(
                            "C:\\Windows\\System32\\gpupdate.exe",
                            MICROSOFT_WINDOWS,
                            SVCHOST,
                            "/target:computer"),
                    new Binary(
                            "C:\\Windows\\SysWOW64\\msiexec.exe",
                            MICROSOFT_WINDOWS,
                            SERVICES,
                            "/V"));

    /** Signed applications under Program Files that connect out. */
    private static final List<Binary> PROGRAM_FILES_APPLICATIONS =
            List.of(
                    new Binary(
                            "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe",
                            "Google LLC",
                            EXPLORER,
                            ""),
                    new Binary(
                            "C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe",
                            MICROSOFT,
                            EXPLORER,
                            "--single-argument"),
                    new Binary(
                            "C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE",
                            MICROSOFT,
                            EXPLORER,
                            ""),
                    new Binary(
                            "C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE",
                            MICROSOFT,
                            EXPLORER,
                            "/n"),
                    new Binary(
                            "C:\\Program Files\\Microsoft Office\\root\\Office16\\EXCEL.EXE",
                            MICROSOFT,
                            EXPLORER,
                            ""),
                    new Binary(
                            "C:\\Program Files\\Mozilla Firefox\\firefox.exe",
                            "Mozilla Corporation",
                            EXPLORER,
                            ""),
                    new Binary(
                            "C:\\Program Files\\Zoom\\bin\\Zoom.exe",
                            "Zoom Video Communications, Inc.",
                            EXPLORER,
                            ""));

    /** Signed per-user installs under AppData\Local, outside the rule's user-writable folders. */
    private static final List<Binary> USER_PROFILE_APPLICATIONS =
            List.of(
                    new Binary(
                            "C:\\Users\\{user}\\AppData\\Local\\Microsoft\\OneDrive\\OneDrive.exe",
                            MICROSOFT,
                            EXPLORER,
                            "/background"),
                    new Binary(
                            "C:\\Users\\{user}\\AppData\\Local\\Programs\\Microsoft VS Code\\Code.exe",
                            MICROSOFT,
                            EXPLORER,
                            ""),
                    new Binary(
                            "C:\\Users\\{user}\\AppData\\Local\\Microsoft\\Teams\\current\\Teams.exe",
                            MICROSOFT,
                            EXPLORER,
                            "--processStart Teams.exe"));

    /**
     * Validly signed binaries in user-writable folders that connect out. Trusted, so they raise no
     * alert.
     */
    private static final List<Binary> SIGNED_USER_WRITABLE =
            List.of(
                    new Binary(
                            "C:\\Users\\{user}\\Downloads\\ChromeSetup.exe",
                            "Google LLC",
                            EXPLORER,
                            ""),
                    new Binary(
                            "C:\\Users\\{user}\\Downloads\\ZoomInstallerFull.exe",
                            "Zoom Video Communications, Inc.",
                            EXPLORER,
                            ""),
                    new Binary(
                            "C:\\Users\\{user}\\Downloads\\VSCodeUserSetup-x64-1.95.3.exe",
                            MICROSOFT,
                            EXPLORER,
                            ""),
                    new Binary(
                            "C:\\Users\\{user}\\Downloads\\Firefox Installer.exe",
                            "Mozilla Corporation",
                            EXPLORER,
                            ""),
                    new Binary(
                            "C:\\Users\\{user}\\AppData\\Local\\Temp\\GUM{token}.tmp\\GoogleUpdate.exe",
                            "Google LLC",
                            "C:\\Users\\{user}\\Downloads\\ChromeSetup.exe",
                            "/installsource taggedmi"),
                    new Binary(
                            "C:\\ProgramData\\Package Cache\\{token}\\VC_redist.x64.exe",
                            MICROSOFT,
                            "C:\\Windows\\System32\\msiexec.exe",
                            "/quiet"),
                    new Binary(
                            "C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24090.11-0\\MpCmdRun.exe",
                            MICROSOFT,
                            SVCHOST,
                            "-SignatureUpdate"));

    /** Unsigned agents under Program Files, which the rule excludes wherever they connect. */
    private static final List<Binary> UNSIGNED_PROGRAM_FILES =
            List.of(
                    new Binary(
                            "C:\\Program Files\\Contoso\\Agent\\contoso-agent.exe",
                            null,
                            SERVICES,
                            "--service"),
                    new Binary(
                            "C:\\Program Files (x86)\\LegacyERP\\erpclient.exe",
                            null,
                            EXPLORER,
                            ""),
                    new Binary(
                            "C:\\Program Files\\7-Zip\\7zG.exe", null, EXPLORER, "x archive.zip"));

    /** Unsigned in-house tools in user-writable folders that talk only to internal addresses. */
    private static final List<Binary> UNSIGNED_INTERNAL_TOOLS =
            List.of(
                    new Binary(
                            "C:\\ProgramData\\Contoso\\Inventory\\inventory-collector.exe",
                            null,
                            SERVICES,
                            "--report"),
                    new Binary(
                            "C:\\Users\\{user}\\Downloads\\label-printer-setup.exe",
                            null,
                            EXPLORER,
                            ""),
                    new Binary(
                            "C:\\Users\\{user}\\AppData\\Local\\Temp\\{token}\\helpdesk-diag.exe",
                            null,
                            EXPLORER,
                            "/collect"),
                    new Binary(
                            "C:\\Temp\\scripts\\backup-check.exe",
                            null,
                            SVCHOST,
                            "--share \\\\fs01\\backup"));

    /**
     * An unsigned updater whose first external connection comes 61 to 120 minutes after it starts.
     */
    private static final Binary LATE_UPDATER =
            new Binary(
                    "C:\\ProgramData\\Contoso\\Updater\\contoso-update.exe",
                    null,
                    SERVICES,
                    "--check");

    /** An unsigned screen-sharing host in Temp that only accepts connections. */
    private static final Binary LISTENER =
            new Binary(
                    "C:\\Users\\{user}\\AppData\\Local\\Temp\\{token}\\screen-share-host.exe",
                    null,
                    EXPLORER,
                    "--listen 5900");

    /**
     * Binaries that {@code go run} and {@code dotnet test} build. Rule exceptions suppress their
     * matches.
     */
    private static final List<Binary> BUILD_OUTPUTS =
            List.of(
                    new Binary(
                            "C:\\Users\\{user}\\AppData\\Local\\Temp\\go-build{token}\\b001\\exe\\main.exe",
                            null,
                            "C:\\Program Files\\Go\\bin\\go.exe",
                            ""),
                    new Binary(
                            "C:\\Users\\{user}\\AppData\\Local\\Temp\\.net\\testhost\\{token}\\testhost.exe",
                            null,
                            "C:\\Program Files\\dotnet\\dotnet.exe",
                            "--port 51234"));

    /** Processes that run from boot on Windows workstations, so their starts precede the stream. */
    private static final List<Binary> WINDOWS_RESIDENTS =
            List.of(
                    new Binary(SVCHOST, MICROSOFT_WINDOWS, SERVICES, "-k NetworkService -p"),
                    new Binary(
                            "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe",
                            "Google LLC",
                            EXPLORER,
                            "--type=utility"),
                    new Binary(
                            "C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24090.11-0\\MsMpEng.exe",
                            MICROSOFT,
                            SERVICES,
                            ""),
                    new Binary(
                            "C:\\Users\\{user}\\AppData\\Local\\Microsoft\\OneDrive\\OneDrive.exe",
                            MICROSOFT,
                            EXPLORER,
                            "/background"),
                    new Binary(
                            "C:\\ProgramData\\Contoso\\Inventory\\inventory-collector.exe",
                            null,
                            SERVICES,
                            "--daemon"));

    private static final List<Binary> SERVER_RESIDENTS =
            List.of(
                    new Binary(SVCHOST, MICROSOFT_WINDOWS, SERVICES, "-k NetworkService -p"),
                    new Binary(
                            "C:\\Program Files\\Microsoft SQL Server\\MSSQL16.MSSQLSERVER\\MSSQL\\Binn\\sqlservr.exe",
                            MICROSOFT,
                            SERVICES,
                            "-sMSSQLSERVER"),
                    new Binary(
                            "C:\\Windows\\System32\\inetsrv\\w3wp.exe",
                            MICROSOFT_WINDOWS,
                            SVCHOST,
                            "-ap \"DefaultAppPool\""),
                    new Binary(
                            "C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24090.11-0\\MsMpEng.exe",
                            MICROSOFT,
                            SERVICES,
                            ""));

    private static final List<Binary> LINUX_RESIDENTS =
            List.of(
                    new Binary("/usr/sbin/sshd", null, "/usr/lib/systemd/systemd", "-D"),
                    new Binary(
                            "/usr/lib/systemd/systemd-resolved",
                            null,
                            "/usr/lib/systemd/systemd",
                            ""),
                    new Binary(
                            "/usr/sbin/nginx", null, "/usr/lib/systemd/systemd", "-g daemon off;"),
                    new Binary("/usr/bin/containerd", null, "/usr/lib/systemd/systemd", ""),
                    new Binary(
                            "/usr/local/bin/node_exporter",
                            null,
                            "/usr/lib/systemd/systemd",
                            "--web.listen-address=:9100"));

    private static final List<Binary> LINUX_COMMANDS =
            List.of(
                    new Binary("/usr/bin/bash", null, "/usr/sbin/sshd", "-l"),
                    new Binary("/usr/bin/sudo", null, "/usr/bin/bash", "systemctl status nginx"),
                    new Binary("/usr/sbin/cron", null, "/usr/lib/systemd/systemd", "-f"),
                    new Binary(
                            "/usr/bin/python3.11",
                            null,
                            "/usr/sbin/cron",
                            "/opt/app/jobs/cleanup.py"),
                    new Binary("/usr/bin/ls", null, "/usr/bin/bash", "-la /var/log"),
                    new Binary("/usr/bin/psql", null, "/usr/bin/bash", "-h 10.0.5.20 appdb"),
                    new Binary(
                            "/usr/bin/rsync",
                            null,
                            "/usr/sbin/cron",
                            "-a /var/backups/ backup01:/srv/"));

    /** Linux binaries that reach external package and source mirrors. */
    private static final List<Binary> LINUX_NETWORK_COMMANDS =
            List.of(
                    new Binary(
                            "/usr/bin/curl",
                            null,
                            "/usr/bin/bash",
                            "-fsSL https://downloads.example.com/agent.sh"),
                    new Binary("/usr/lib/apt/methods/http", null, "/usr/bin/apt-get", ""),
                    new Binary("/usr/bin/git", null, "/usr/bin/bash", "fetch origin"));

    /** Test binaries that Go builds under /tmp. They reach only local and internal services. */
    private static final Binary LINUX_TMP_BUILD =
            new Binary(
                    "/tmp/go-build{token}/b001/exe/main", null, "/usr/local/go/bin/go", "-test.v");

    private static final String[] STAGER_NAMES = {
        "Invoice_%d.exe",
        "Payroll_Adjustment_Q%d.exe",
        "Shipping-Label-%d.exe",
        "Scan_%d.exe",
        "DocuSign_Review_%d.exe",
        "Order-Confirmation-%d.exe"
    };
    private static final String[] LINUX_IMPLANT_NAMES = {
        "kworkerd", "dbus-helper", ".x", "systemd-upd", "sshd-cache"
    };
    private static final String[] DROPPER_PARENTS = {
        "C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE",
        "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
        "C:\\Windows\\System32\\mshta.exe"
    };

    /** Internal services: domain controllers, file shares, a proxy, WSUS, an app tier, printers. */
    private static final Object[][] INTERNAL_SERVICES = {
        {"10.0.0.10", 389}, {"10.0.0.10", 445}, {"10.0.0.11", 88}, {"10.0.0.11", 53},
        {"10.0.1.20", 445}, {"10.0.2.5", 8080}, {"10.0.3.10", 8530}, {"172.16.4.20", 8443},
        {"172.20.8.15", 5671}, {"192.168.10.50", 9100}, {"10.0.5.20", 5432}
    };

    private static final String[] BENIGN_EXTERNAL_PREFIXES = {
        "93.184.216.", "198.51.100.", "203.0.113."
    };
    private static final String[] ATTACKER_PREFIXES = {"192.0.2.", "203.0.113."};
    private static final String[] EXTERNAL_NAMES = {
        "www.example.com",
        "cdn.example.net",
        "login.example.org",
        "api.example.com",
        "update.example.net"
    };

    private final long streamStartMillis;

    /** Residents per host index, created on first use. */
    private final Process[][] residents;

    Activities(int hostCount, long streamStartMillis) {
        this.streamStartMillis = streamStartMillis;
        this.residents = new Process[hostCount][];
    }

    /** Creates one benign activity on {@code host}, chosen with weights that fit its role. */
    Activity benign(Host host, SplittableRandom random) {
        int roll = random.nextInt(100);
        if (host.role == HostRole.LINUX_SERVER) {
            if (roll < 45) {
                return resident(host, random);
            }
            if (roll < 82) {
                return linuxCommand(host, random);
            }
            if (roll < 92) {
                return linuxNetworkCommand(host, random);
            }
            if (roll < 96) {
                return linuxTmpBuild(host, random);
            }
            return fileNoise(host, random);
        }

        if (host.role == HostRole.WINDOWS_SERVER) {
            if (roll < 45) {
                return resident(host, random);
            }
            if (roll < 75) {
                return systemProcess(host, random);
            }
            if (roll < 80) {
                return unsignedProgramFiles(host, random);
            }
            if (roll < 85) {
                return unsignedInternalTool(host, random);
            }
            if (roll < 87) {
                return lateUpdater(host, random);
            }
            if (roll < 90) {
                return signedUserWritable(host, random);
            }
            return fileNoise(host, random);
        }

        // Workstations.
        if (roll < 36) {
            return resident(host, random);
        }
        if (roll < 56) {
            return systemProcess(host, random);
        }
        if (roll < 70) {
            return application(host, random, PROGRAM_FILES_APPLICATIONS, "signed-application");
        }
        if (roll < 75) {
            return application(host, random, USER_PROFILE_APPLICATIONS, "user-profile-application");
        }
        if (roll < 79) {
            return signedUserWritable(host, random);
        }
        if (roll < 82) {
            return unsignedProgramFiles(host, random);
        }
        if (roll < 86) {
            return unsignedInternalTool(host, random);
        }
        if (roll < 87) {
            return lateUpdater(host, random);
        }
        if (roll < 88) {
            return listener(host, random);
        }
        if (roll < 92 && host.developer) {
            return buildOutput(host, random);
        }
        if (roll < 92) {
            return systemProcess(host, random);
        }
        return fileNoise(host, random);
    }

    /**
     * Creates an attack chain of {@code kind} on {@code host} whose callback comes at most {@code
     * maxCallbackDelayMillis} after the start.
     */
    Activity attack(
            AttackKind kind, Host host, SplittableRandom random, long maxCallbackDelayMillis) {
        String user = host.user(random);
        String executable;
        String parent;
        String commandLine;
        String remoteIp;
        int remotePort;
        long minDelay;
        long maxDelay;
        switch (kind) {
            case WINDOWS_DOWNLOADS_STAGER -> {
                String name =
                        String.format(
                                Locale.ROOT,
                                STAGER_NAMES[random.nextInt(STAGER_NAMES.length)],
                                1000 + random.nextInt(9000));
                executable = "C:\\Users\\" + user + "\\Downloads\\" + name;
                parent = EXPLORER;
                commandLine = quote(executable);
                remoteIp =
                        ATTACKER_PREFIXES[random.nextInt(ATTACKER_PREFIXES.length)]
                                + (10 + random.nextInt(240));
                remotePort = new int[] {443, 8443, 8080, 80}[random.nextInt(4)];
                minDelay = 15 * SECOND;
                maxDelay = 10 * MINUTE;
            }
            case LINUX_TMP_ELF -> {
                user = "www-data";
                executable =
                        "/tmp/" + LINUX_IMPLANT_NAMES[random.nextInt(LINUX_IMPLANT_NAMES.length)];
                parent = "/usr/bin/bash";
                commandLine = executable + " -c 192.0.2.1";
                remoteIp = "192.0.2.1";
                remotePort = 4444;
                minDelay = 5 * SECOND;
                maxDelay = 3 * MINUTE;
            }
            case WINDOWS_RARE_TEMP_BINARY -> {
                executable =
                        String.format(
                                Locale.ROOT,
                                "C:\\Users\\%s\\AppData\\Local\\Temp\\%08x.exe",
                                user,
                                random.nextInt());
                parent = DROPPER_PARENTS[random.nextInt(DROPPER_PARENTS.length)];
                commandLine = quote(executable) + " /s";
                remoteIp =
                        ATTACKER_PREFIXES[random.nextInt(ATTACKER_PREFIXES.length)]
                                + (10 + random.nextInt(240));
                remotePort = 443;
                minDelay = 20 * SECOND;
                maxDelay = 5 * MINUTE;
            }
            default -> throw new IllegalArgumentException("unknown attack kind " + kind);
        }
        // A hash of random bytes, so that no other process in the fleet shares it.
        String sha256 = sha256(kind.label + "|" + random.nextLong() + "|" + random.nextLong());
        Process process =
                new Process(
                        host,
                        host.allocatePid(random),
                        executable,
                        sha256,
                        null,
                        parent,
                        host.allocatePid(random),
                        commandLine,
                        user);

        long ceiling = Math.max(SECOND, Math.min(maxDelay, maxCallbackDelayMillis));
        long floor = Math.min(minDelay, ceiling / 2);
        long callbackDelay = floor + random.nextLong(ceiling - floor + 1);

        Steps steps = new Steps().add(0, StepType.PROCESS_START);
        addImageLoad(steps, host, random);
        if (host.format.isSysmon()) {
            steps.add(
                    callbackDelay - 40,
                    StepType.DNS_QUERY,
                    remoteIp,
                    0,
                    "cdn-" + Integer.toHexString(random.nextInt(0xfffff)) + ".example.org");
        }
        int callback = steps.size();
        steps.add(callbackDelay, StepType.CONNECTION, remoteIp, remotePort, null);
        // Beacons after the callback: the rule alerts once per start, so they add no alert.
        long beacon = callbackDelay;
        for (int i = 0; i < 2; i++) {
            beacon += 50 * SECOND + random.nextLong(20 * SECOND);
            steps.add(beacon, StepType.CONNECTION, remoteIp, remotePort, null);
        }
        return Activity.attack(kind, process, steps.list(), callback);
    }

    private Activity systemProcess(Host host, SplittableRandom random) {
        Binary binary = pick(SYSTEM_BINARIES, random);
        Process process = start(host, binary, random);
        Steps steps = startSteps(host, random);
        long at = 200 + random.nextLong(5 * SECOND);
        int connections = random.nextInt(3);
        for (int i = 0; i < connections; i++) {
            at = addConnection(steps, host, at, internal(random), random);
        }
        if (binary.path.equals(SVCHOST) && random.nextInt(4) == 0) {
            // Windows Update and the certificate trust list, from a signed system binary.
            addConnection(steps, host, at, externalBenign(random), random);
        }
        return Activity.benign("system-process", process, steps.list());
    }

    private Activity application(
            Host host, SplittableRandom random, List<Binary> binaries, String kind) {
        Process process = start(host, pick(binaries, random), random);
        Steps steps = startSteps(host, random);
        long at = 500 + random.nextLong(3 * SECOND);
        int connections = 1 + random.nextInt(5);
        for (int i = 0; i < connections; i++) {
            Destination destination =
                    random.nextInt(5) == 0 ? internal(random) : externalBenign(random);
            at = addConnection(steps, host, at, destination, random);
        }
        return Activity.benign(kind, process, steps.list());
    }

    private Activity signedUserWritable(Host host, SplittableRandom random) {
        Process process = start(host, pick(SIGNED_USER_WRITABLE, random), random);
        Steps steps = startSteps(host, random);
        long at = 300 + random.nextLong(2 * SECOND);
        int connections = 1 + random.nextInt(3);
        for (int i = 0; i < connections; i++) {
            at = addConnection(steps, host, at, externalBenign(random), random);
        }
        return Activity.benign("signed-user-writable", process, steps.list());
    }

    private Activity unsignedProgramFiles(Host host, SplittableRandom random) {
        Process process = start(host, pick(UNSIGNED_PROGRAM_FILES, random), random);
        Steps steps = startSteps(host, random);
        long at = 300 + random.nextLong(5 * SECOND);
        int connections = 1 + random.nextInt(3);
        for (int i = 0; i < connections; i++) {
            at = addConnection(steps, host, at, externalBenign(random), random);
        }
        return Activity.benign("unsigned-program-files", process, steps.list());
    }

    private Activity unsignedInternalTool(Host host, SplittableRandom random) {
        Process process = start(host, pick(UNSIGNED_INTERNAL_TOOLS, random), random);
        Steps steps = startSteps(host, random);
        long at = 300 + random.nextLong(10 * SECOND);
        int connections = 1 + random.nextInt(4);
        for (int i = 0; i < connections; i++) {
            at = addConnection(steps, host, at, internal(random), random);
        }
        return Activity.benign("unsigned-internal-tool", process, steps.list());
    }

    /**
     * Creates an unsigned updater that checks an internal mirror first and the vendor over an hour
     * later.
     */
    private Activity lateUpdater(Host host, SplittableRandom random) {
        Process process = start(host, LATE_UPDATER, random);
        Steps steps = startSteps(host, random);
        addConnection(steps, host, MINUTE + random.nextLong(4 * MINUTE), internal(random), random);
        long late = 61 * MINUTE + random.nextLong(59 * MINUTE);
        addConnection(steps, host, late, externalBenign(random), random);
        return Activity.benign("unsigned-late-external", process, steps.list());
    }

    private Activity listener(Host host, SplittableRandom random) {
        Process process = start(host, LISTENER, random);
        Steps steps = startSteps(host, random);
        long at = SECOND + random.nextLong(30 * SECOND);
        int connections = 1 + random.nextInt(3);
        for (int i = 0; i < connections; i++) {
            String peer = random.nextBoolean() ? externalBenign(random).ip : internal(random).ip;
            steps.add(at, StepType.INBOUND_CONNECTION, peer, 5900, null);
            at += SECOND + random.nextLong(20 * SECOND);
        }
        return Activity.benign("unsigned-inbound-only", process, steps.list());
    }

    private Activity buildOutput(Host host, SplittableRandom random) {
        Process process = start(host, pick(BUILD_OUTPUTS, random), random);
        Steps steps = startSteps(host, random);
        long at = 200 + random.nextLong(2 * SECOND);
        int connections = 1 + random.nextInt(2);
        for (int i = 0; i < connections; i++) {
            at = addConnection(steps, host, at, externalBenign(random), random);
        }
        return Activity.benign("build-output-excepted", process, steps.list());
    }

    private Activity linuxCommand(Host host, SplittableRandom random) {
        Process process = start(host, pick(LINUX_COMMANDS, random), random);
        Steps steps = new Steps().add(0, StepType.PROCESS_START);
        if (random.nextInt(3) == 0) {
            addConnection(steps, host, 100 + random.nextLong(2 * SECOND), internal(random), random);
        }
        return Activity.benign("linux-command", process, steps.list());
    }

    private Activity linuxNetworkCommand(Host host, SplittableRandom random) {
        Process process = start(host, pick(LINUX_NETWORK_COMMANDS, random), random);
        Steps steps = new Steps().add(0, StepType.PROCESS_START);
        long at = 50 + random.nextLong(SECOND);
        int connections = 1 + random.nextInt(2);
        for (int i = 0; i < connections; i++) {
            at = addConnection(steps, host, at, externalBenign(random), random);
        }
        return Activity.benign("linux-network-command", process, steps.list());
    }

    private Activity linuxTmpBuild(Host host, SplittableRandom random) {
        Process process = start(host, LINUX_TMP_BUILD, random);
        Steps steps = new Steps().add(0, StepType.PROCESS_START);
        Destination destination =
                random.nextBoolean() ? new Destination("127.0.0.1", 5432) : internal(random);
        addConnection(steps, host, 100 + random.nextLong(SECOND), destination, random);
        return Activity.benign("linux-tmp-internal", process, steps.list());
    }

    /** Connections of a process that was already running when the stream began. */
    private Activity resident(Host host, SplittableRandom random) {
        Process process = pickResident(host, random);
        Steps steps = new Steps();
        long at = 0;
        int connections = 1 + random.nextInt(3);
        String name = process.name().toLowerCase(Locale.ROOT);
        for (int i = 0; i < connections; i++) {
            if (name.equals("sshd")
                    || name.equals("nginx")
                    || name.equals("node_exporter")
                    || name.equals("sqlservr.exe")
                    || name.equals("w3wp.exe")) {
                int port =
                        switch (name) {
                            case "sshd" -> 22;
                            case "node_exporter" -> 9100;
                            case "sqlservr.exe" -> 1433;
                            default -> 443;
                        };
                steps.add(at, StepType.INBOUND_CONNECTION, internal(random).ip, port, null);
                at += 100 + random.nextLong(3 * SECOND);
            } else if (process.signer == null) {
                // Unsigned residents, the inventory agent and the Linux daemons, talk to internal
                // services only.
                at = addConnection(steps, host, at, internal(random), random);
            } else {
                at = addConnection(steps, host, at, externalBenign(random), random);
            }
        }
        return Activity.benign("resident-traffic", process, steps.list());
    }

    /**
     * Creates a file-creation event of a running process, which the detection counts as ignored.
     */
    private Activity fileNoise(Host host, SplittableRandom random) {
        Process process = pickResident(host, random);
        String path =
                host.isWindows()
                        ? "C:\\Windows\\Temp\\" + Integer.toHexString(random.nextInt()) + ".tmp"
                        : "/var/tmp/" + Integer.toHexString(random.nextInt()) + ".tmp";
        Steps steps = new Steps().add(0, StepType.FILE_CREATE, null, 0, path);
        return Activity.benign("file-create", process, steps.list());
    }

    private Process pickResident(Host host, SplittableRandom random) {
        Process[] processes = residents[host.index];
        if (processes == null) {
            List<Binary> binaries =
                    switch (host.role) {
                        case WORKSTATION -> WINDOWS_RESIDENTS;
                        case WINDOWS_SERVER -> SERVER_RESIDENTS;
                        case LINUX_SERVER -> LINUX_RESIDENTS;
                    };
            processes = new Process[binaries.size()];
            for (int i = 0; i < processes.length; i++) {
                processes[i] = start(host, binaries.get(i), random);
                // Started some hours before the stream, at boot or logon.
                processes[i].startMillis =
                        streamStartMillis - 3_600_000L * (1 + random.nextInt(72));
            }
            residents[host.index] = processes;
        }
        return processes[random.nextInt(processes.length)];
    }

    private Process start(Host host, Binary binary, SplittableRandom random) {
        String user = host.user(random);
        String token =
                Integer.toHexString(0x1000 + random.nextInt(0xefff)).toUpperCase(Locale.ROOT);
        String executable = binary.path.replace("{user}", user).replace("{token}", token);
        String parent = binary.parent.replace("{user}", user);
        String commandLine =
                binary.arguments.isEmpty()
                        ? quoteIfSpaced(executable)
                        : quoteIfSpaced(executable) + " " + binary.arguments;
        // One hash per binary across the fleet, whatever its token or user folder.
        String sha256 = sha256(binary.path + "|" + binary.signer);
        return new Process(
                host,
                host.allocatePid(random),
                executable,
                sha256,
                binary.signer,
                parent,
                host.allocatePid(random),
                commandLine,
                user);
    }

    /** Starts the steps with the start and, on Sysmon hosts, the image loads that follow it. */
    private static Steps startSteps(Host host, SplittableRandom random) {
        Steps steps = new Steps().add(0, StepType.PROCESS_START);
        addImageLoad(steps, host, random);
        return steps;
    }

    private static void addImageLoad(Steps steps, Host host, SplittableRandom random) {
        if (!host.format.isSysmon()) {
            return;
        }
        long at = 20 + random.nextLong(300);
        steps.add(at, StepType.IMAGE_LOAD);
        if (random.nextInt(3) == 0) {
            steps.add(
                    at + 5 + random.nextLong(50),
                    StepType.LIBRARY_LOAD,
                    null,
                    0,
                    "C:\\Windows\\System32\\ntdll.dll");
        }
    }

    /**
     * Adds a connection at {@code at}, preceded on Sysmon hosts by a DNS query for external
     * destinations, and returns the time for the next one.
     */
    private static long addConnection(
            Steps steps, Host host, long at, Destination destination, SplittableRandom random) {
        if (host.format.isSysmon() && destination.external && random.nextBoolean()) {
            steps.add(
                    Math.max(0, at - 30),
                    StepType.DNS_QUERY,
                    destination.ip,
                    0,
                    EXTERNAL_NAMES[random.nextInt(EXTERNAL_NAMES.length)]);
        }
        steps.add(at, StepType.CONNECTION, destination.ip, destination.port, null);
        return at + 200 + random.nextLong(90 * SECOND);
    }

    /** A connection's remote end; {@code external} is true outside RFC 1918 and loopback. */
    private record Destination(String ip, int port, boolean external) {
        Destination(String ip, int port) {
            this(ip, port, false);
        }
    }

    private static Destination internal(SplittableRandom random) {
        if (random.nextInt(4) == 0) {
            // A peer in the client networks, such as a file share on another workstation.
            return new Destination(
                    "10."
                            + (16 + random.nextInt(4))
                            + "."
                            + (1 + random.nextInt(250))
                            + "."
                            + (1 + random.nextInt(250)),
                    random.nextBoolean() ? 445 : 443);
        }
        Object[] service = INTERNAL_SERVICES[random.nextInt(INTERNAL_SERVICES.length)];
        return new Destination((String) service[0], (Integer) service[1]);
    }

    private static Destination externalBenign(SplittableRandom random) {
        String ip =
                BENIGN_EXTERNAL_PREFIXES[random.nextInt(BENIGN_EXTERNAL_PREFIXES.length)]
                        + (1 + random.nextInt(254));
        return new Destination(ip, random.nextInt(8) == 0 ? 80 : 443, true);
    }

    private static <T> T pick(List<T> items, SplittableRandom random) {
        return items.get(random.nextInt(items.size()));
    }

    private static String quote(String path) {
        return "\"" + path + "\"";
    }

    private static String quoteIfSpaced(String path) {
        return path.indexOf(' ') >= 0 ? quote(path) : path;
    }

    static String sha256(String text) {
        try {
            byte[] digest =
                    MessageDigest.getInstance("SHA-256")
                            .digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides SHA-256", e);
        }
    }
}
