package io.capwatch.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The address of a service that a test extension provides: either the value of an environment
 * variable, which points at a running service, or what the service's {@code deploy/local} script
 * wrote after starting it with a home under the module's {@code target/} directory.
 *
 * <p>A started service stops once, on {@link #close()} or from a shutdown hook when the JVM exits
 * first, and its home is deleted after a clean stop. An external service is left running.
 */
final class ScriptedService implements AutoCloseable {

    /**
     * How to reach one kind of service.
     *
     * @param name the service's name in error messages, such as {@code Kafka}
     * @param variable the environment variable with the address of a running service
     * @param scriptName the script in {@code deploy/local}, such as {@code kafka.sh}, which also
     *     names the home {@code target/<scriptName without .sh>-<pid>}
     * @param addressFileName the file in the home where {@code start} writes the address
     * @param stopCommand the script command that stops the service, {@code stop} or {@code purge}
     * @param shutdownHookName the name of the shutdown hook's thread
     */
    record Definition(
            String name,
            String variable,
            String scriptName,
            String addressFileName,
            String stopCommand,
            String shutdownHookName) {}

    private final Definition definition;
    private final String address;
    /** The script that started the service, or {@code null} for an external service. */
    private final ServiceScript script;

    private final Thread shutdownHook;

    private ScriptedService(Definition definition, String address, ServiceScript script) {
        this.definition = definition;
        this.address = address;
        this.script = script;
        if (script != null) {
            shutdownHook = new Thread(this::stopQuietly, definition.shutdownHookName());
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        } else {
            shutdownHook = null;
        }
    }

    /**
     * Returns the service named by the definition's environment variable when it is set and not
     * blank, and otherwise starts one through the script.
     *
     * @throws IllegalStateException when the script is not found or its start fails
     */
    static ScriptedService connectOrStart(Definition definition) {
        String external = System.getenv(definition.variable());
        if (external != null && !external.isBlank()) {
            return new ScriptedService(definition, external.strip(), null);
        }
        String homePrefix = definition.scriptName().replaceFirst("\\.sh$", "");
        ServiceScript script =
                ServiceScript.forThisJvm(definition.scriptName(), homePrefix, definition.variable());
        return new ScriptedService(definition, start(definition, script), script);
    }

    /** Runs the script's {@code start} and returns the address that it wrote. */
    private static String start(Definition definition, ServiceScript script) {
        ServiceScript.Result start = script.run("start");
        Path addressFile = script.home().resolve(definition.addressFileName());
        if (start.exitCode() != 0 || !Files.exists(addressFile)) {
            throw new IllegalStateException(
                    "Failed to start "
                            + definition.name()
                            + " with "
                            + script.script()
                            + " start (exit code "
                            + start.exitCode()
                            + "):\n"
                            + start.output());
        }
        try {
            return Files.readString(addressFile).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("Failed to read " + addressFile, e);
        }
    }

    /**
     * Starts a service of its own through the script, even when the definition's environment
     * variable is set, with the home {@code target/<homePrefix>-<pid>}. A fault test uses it for a
     * service that it stops, kills or restarts, which the other tests must not share.
     *
     * @throws IllegalStateException when the script is not found or its start fails
     */
    static ScriptedService startDedicated(Definition definition, String homePrefix) {
        ServiceScript script =
                ServiceScript.forThisJvm(definition.scriptName(), homePrefix, definition.variable());
        return new ScriptedService(definition, start(definition, script), script);
    }

    /**
     * Returns the value that the root store of {@code context} keeps for {@code type} in the
     * namespace of {@code extension}, computing it with {@code start} the first time. JUnit closes
     * the value once, after the last test class of the run.
     */
    static <T> T shared(
            ExtensionContext context, Class<?> extension, Class<T> type, Supplier<T> start) {
        return context.getRoot()
                .getStore(ExtensionContext.Namespace.create(extension))
                .getOrComputeIfAbsent(type, key -> start.get(), type);
    }

    /**
     * Returns {@code value}, or throws when it is {@code null} because the {@code extension} has not
     * run its {@code beforeAll} yet.
     */
    static <T> T requireStarted(T value, Class<?> extension) {
        if (value == null) {
            throw new IllegalStateException(
                    extension.getSimpleName()
                            + " is not started: register it with @RegisterExtension on a static"
                            + " field");
        }
        return value;
    }

    /** Returns the address from the environment variable or from the script's address file. */
    String address() {
        return address;
    }

    /** Returns the home of a service that this JVM started. */
    Path home() {
        return requireScript().home();
    }

    /**
     * Runs {@code command} of the script of a service that this JVM started, with {@code
     * environment} added, and fails with the script's output unless it exits with 0.
     */
    void run(String command, Map<String, String> environment) {
        ServiceScript.Result result = requireScript().run(command, environment);
        if (result.exitCode() != 0) {
            throw new IllegalStateException(
                    requireScript().script()
                            + " "
                            + command
                            + " failed for "
                            + definition.name()
                            + " (exit code "
                            + result.exitCode()
                            + "):\n"
                            + result.output());
        }
    }

    private ServiceScript requireScript() {
        if (script == null) {
            throw new IllegalStateException(
                    definition.name()
                            + " at "
                            + address
                            + " runs outside this JVM ("
                            + definition.variable()
                            + "), so its script cannot control it");
        }
        return script;
    }

    @Override
    public void close() {
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // The JVM is already shutting down and runs the hook itself.
                return;
            }
        }
        stopQuietly();
    }

    private void stopQuietly() {
        if (script == null) {
            return;
        }
        ServiceScript.Result stop = script.run(definition.stopCommand());
        if (stop.exitCode() != 0) {
            System.err.println("Failed to stop " + definition.name() + ":\n" + stop.output());
            return;
        }
        // The home contains the downloads, data and logs, which take 45 MB (Kafka) to 200 MB
        // (Elasticsearch).
        script.deleteHome();
    }
}
