package io.capwatch.rule;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/** Reads and validates a rule file; every error names the key and the value at fault. */
public final class RuleLoader {
    /** Class-path location of the rule shipped with capwatch. */
    public static final String DEFAULT_RULE_RESOURCE =
            "/rules/untrusted-user-writable-executable-external-connection.yaml";

    private static final ObjectMapper YAML =
            new ObjectMapper(new YAMLFactory())
                    .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private RuleLoader() {}

    /** Loads the rule shipped with capwatch. */
    public static DetectionRule loadDefault() {
        try (InputStream in = RuleLoader.class.getResourceAsStream(DEFAULT_RULE_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(
                        "default rule " + DEFAULT_RULE_RESOURCE + " is missing from the class path");
            }
            return compile(YAML.readValue(in, RuleFile.class), DEFAULT_RULE_RESOURCE);
        } catch (IOException e) {
            throw new UncheckedIOException("failed to read the default rule", e);
        }
    }

    /** Loads a rule file given by the user. */
    public static DetectionRule load(Path file) {
        if (!Files.isReadable(file)) {
            throw new IllegalArgumentException("rule file " + file + " is missing or not readable");
        }
        try (InputStream in = Files.newInputStream(file)) {
            return compile(YAML.readValue(in, RuleFile.class), file.toString());
        } catch (UnrecognizedPropertyException e) {
            throw new IllegalArgumentException(
                    "rule file "
                            + file
                            + ": unknown key '"
                            + e.getPropertyName()
                            + "' at "
                            + e.getPathReference()
                            + "; allowed keys: "
                            + e.getKnownPropertyIds(),
                    e);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IllegalArgumentException(
                    "rule file " + file + " is invalid: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("failed to read rule file " + file, e);
        }
    }

    static DetectionRule compile(RuleFile file, String origin) {
        RuleFile.Metadata meta = file.rule;
        require(meta != null, origin, "rule", "is missing");
        require(notBlank(meta.id), origin, "rule.id", "is missing");
        require(notBlank(meta.name), origin, "rule.name", "is missing");
        require(file.start != null, origin, "start", "is missing");
        require(
                !file.start.executableIncludes.isEmpty(),
                origin,
                "start.executable_includes",
                "needs at least one pattern");
        require(file.connection != null, origin, "connection", "is missing");

        Duration window;
        try {
            window = Duration.parse(file.window);
        } catch (DateTimeParseException | NullPointerException e) {
            throw invalid(origin, "window", file.window, "an ISO-8601 duration such as PT1H");
        }
        require(!window.isNegative() && !window.isZero(), origin, "window", "must be positive");

        try {
            IpNetworks.parse(file.connection.internalNetworks);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    origin + ": connection.internal_networks: " + e.getMessage(), e);
        }

        RiskScoring scoring;
        try {
            RuleFile.Scoring s = file.scoring;
            scoring =
                    new RiskScoring(
                            s.unknownPrevalence, s.rareMaxHosts, s.rare, s.commonMinHosts, s.common);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(origin + ": " + e.getMessage(), e);
        }

        List<RuleException> exceptions = new ArrayList<>();
        for (int i = 0; i < file.exceptions.size(); i++) {
            RuleFile.ExceptionEntry entry = file.exceptions.get(i);
            String key = "exceptions[" + i + "]";
            require(notBlank(entry.id), origin, key + ".id", "is missing");
            require(
                    notBlank(entry.reason),
                    origin,
                    key + ".reason",
                    "is missing: say why the exception is safe");
            RuleException exception =
                    new RuleException(
                            entry.id,
                            entry.reason.strip(),
                            entry.hashes,
                            entry.signers,
                            entry.paths,
                            entry.parentExecutables,
                            entry.hosts);
            require(
                    exception.hasCriteria(),
                    origin,
                    key,
                    "needs at least one of hashes, signers, paths, parent_executables, hosts");
            if (entry.enabled) {
                exceptions.add(exception);
            }
        }

        RuleFile.Threat threat = meta.threat;
        RuleMetadata metadata =
                new RuleMetadata(
                        meta.id,
                        meta.name,
                        meta.version,
                        strip(meta.description),
                        List.copyOf(meta.author),
                        meta.license,
                        List.copyOf(meta.references),
                        threat.framework,
                        threat.tactic.id,
                        threat.tactic.name,
                        threat.tactic.reference,
                        threat.technique.id,
                        threat.technique.name,
                        threat.technique.reference,
                        strip(meta.triage),
                        strip(meta.falsePositives));
        return new DetectionRule(
                metadata,
                file.start.executableIncludes,
                file.start.executableExcludes,
                file.start.unknownSignatureIsUntrusted,
                file.connection.internalNetworks,
                window,
                scoring,
                exceptions);
    }

    private static String strip(String value) {
        return value == null ? null : value.strip();
    }

    private static boolean notBlank(String value) {
        return value != null && !value.isBlank();
    }

    private static void require(boolean condition, String origin, String key, String problem) {
        if (!condition) {
            throw new IllegalArgumentException(origin + ": " + key + " " + problem);
        }
    }

    private static IllegalArgumentException invalid(
            String origin, String key, String value, String allowed) {
        return new IllegalArgumentException(
                origin + ": " + key + " '" + value + "' is invalid; expected " + allowed);
    }
}
