package io.capwatch.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A service script of {@code deploy/local} ({@code elasticsearch.sh}, {@code kafka.sh}, {@code
 * flink.sh}) that the test extensions run with a {@code CAPWATCH_HOME} of their own under the
 * module's {@code target/} directory.
 */
final class ServiceScript {

    /** Long enough for a first start that downloads the service. */
    private static final Duration TIMEOUT = Duration.ofMinutes(5);

    private final Path script;
    private final Path home;

    private ServiceScript(Path script, Path home) {
        this.script = script;
        this.home = home;
    }

    /**
     * Finds {@code deploy/local/<name>} in the module directory or above it, with the home {@code
     * target/<homePrefix>-<pid>}. The error names {@code variable}, which points the tests at a
     * running service instead.
     */
    static ServiceScript forThisJvm(String name, String homePrefix, String variable) {
        Path moduleDir = Paths.get(System.getProperty("basedir", System.getProperty("user.dir")));
        String homeName = homePrefix + "-" + ProcessHandle.current().pid();
        Path home = moduleDir.resolve("target").resolve(homeName);
        for (Path dir = moduleDir.toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("deploy/local").resolve(name);
            if (Files.isRegularFile(candidate)) {
                return new ServiceScript(candidate, home);
            }
        }
        throw new IllegalStateException(
                "deploy/local/"
                        + name
                        + " not found above "
                        + moduleDir.toAbsolutePath()
                        + "; set "
                        + variable
                        + " to use a running service instead");
    }

    /** Returns the same script with the home {@code target/<homePrefix>-<pid>}. */
    ServiceScript withHome(String homePrefix) {
        Path moduleDir = Paths.get(System.getProperty("basedir", System.getProperty("user.dir")));
        String homeName = homePrefix + "-" + ProcessHandle.current().pid();
        return new ServiceScript(script, moduleDir.resolve("target").resolve(homeName));
    }

    Path script() {
        return script;
    }

    Path home() {
        return home;
    }

    /** The exit code and the combined output of one run of the script. */
    record Result(int exitCode, String output) {}

    /**
     * Runs {@code bash <script> <command>} with {@code CAPWATCH_HOME} set to the home. A run that
     * takes longer than the timeout is killed and returns exit code -1.
     */
    Result run(String command) {
        return run(command, Map.of());
    }

    /**
     * Runs the script as {@link #run(String)} does, with {@code environment} added to its
     * environment variables, such as a fixed port for a restart.
     */
    Result run(String command, Map<String, String> environment) {
        try {
            Files.createDirectories(home);
            Path log = home.resolve("script-" + command + ".log");
            ProcessBuilder builder =
                    new ProcessBuilder("bash", script.toString(), command)
                            .redirectErrorStream(true)
                            .redirectOutput(log.toFile());
            builder.environment().put("CAPWATCH_HOME", home.toString());
            builder.environment().putAll(environment);
            Process process = builder.start();
            if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return new Result(-1, "timed out after " + TIMEOUT + "\n" + Files.readString(log));
            }
            return new Result(process.exitValue(), Files.readString(log));
        } catch (IOException e) {
            throw new UncheckedIOException("Failed to run " + script + " " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while running " + script, e);
        }
    }

    /** Deletes the home with its downloads, data and logs. Call it only after a clean stop. */
    void deleteHome() {
        try (Stream<Path> paths = Files.walk(home)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            System.err.println("Failed to delete " + home + ": " + e);
        }
    }
}
