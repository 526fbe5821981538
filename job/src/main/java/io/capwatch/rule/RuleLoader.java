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
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

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

        Map<Platform, RuleProfile> profiles = compileProfiles(file, origin);

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
                metadata, profiles, file.connection.internalNetworks, window, exceptions);
    }

    /**
     * Compiles {@code profiles}, or for a rule file written before profiles existed, its
     * top-level {@code start} as the Windows profile: such files described Windows only.
     */
    private static Map<Platform, RuleProfile> compileProfiles(RuleFile file, String origin) {
        RuleFile.Scoring sharedScoring =
                file.scoring != null ? file.scoring : new RuleFile.Scoring();
        Map<Platform, RuleProfile> profiles = new EnumMap<>(Platform.class);
        if (file.profiles == null) {
            require(
                    file.start != null,
                    origin,
                    "profiles",
                    "is missing: define at least one of profiles.windows, profiles.linux and"
                            + " profiles.macos");
            profiles.put(
                    Platform.WINDOWS,
                    compileProfile(
                            Platform.WINDOWS, file.start, "start", sharedScoring, "", origin));
            return profiles;
        }
        require(
                file.start == null,
                origin,
                "start",
                "cannot be combined with profiles: move it to profiles.windows.start");
        require(
                !file.profiles.isEmpty(),
                origin,
                "profiles",
                "needs at least one of windows, linux and macos");
        for (Map.Entry<String, RuleFile.Profile> entry : file.profiles.entrySet()) {
            Platform platform = Platform.ofKey(entry.getKey());
            if (platform == null) {
                throw invalid(origin, "profiles key", entry.getKey(), "windows, linux or macos");
            }
            String key = "profiles." + entry.getKey();
            RuleFile.Profile profile = entry.getValue();
            require(profile != null && profile.start != null, origin, key + ".start", "is missing");
            RuleFile.Scoring scoring = profile.scoring != null ? profile.scoring : sharedScoring;
            String scoringContext = profile.scoring != null ? key + ": " : "";
            profiles.put(
                    platform,
                    compileProfile(
                            platform,
                            profile.start,
                            key + ".start",
                            scoring,
                            scoringContext,
                            origin));
        }
        return profiles;
    }

    /**
     * Compiles one profile. Without a {@code signature_policy}, Linux ignores signatures and the
     * other platforms verify them.
     *
     * @param startKey the key of {@code start} in the file, for error messages
     * @param scoringContext the prefix that places a scoring error in the file, or empty for the
     *     top-level {@code scoring}
     */
    private static RuleProfile compileProfile(
            Platform platform,
            RuleFile.Start start,
            String startKey,
            RuleFile.Scoring scoring,
            String scoringContext,
            String origin) {
        require(
                start.executableIncludes != null && !start.executableIncludes.isEmpty(),
                origin,
                startKey + ".executable_includes",
                "needs at least one pattern");
        List<String> excludes =
                start.executableExcludes == null ? List.of() : start.executableExcludes;

        SignaturePolicy policy;
        if (start.signaturePolicy == null) {
            policy = platform == Platform.LINUX ? SignaturePolicy.IGNORE : SignaturePolicy.VERIFY;
        } else {
            policy = SignaturePolicy.ofKey(start.signaturePolicy);
            if (policy == null) {
                throw invalid(
                        origin,
                        startKey + ".signature_policy",
                        start.signaturePolicy,
                        "verify or ignore");
            }
        }
        require(
                policy == SignaturePolicy.VERIFY || start.unknownSignatureIsUntrusted == null,
                origin,
                startKey + ".unknown_signature_is_untrusted",
                "has no effect with signature_policy: ignore, which counts every start as"
                        + " untrusted; remove it");

        RiskScoring riskScoring;
        try {
            riskScoring =
                    new RiskScoring(
                            scoring.unknownPrevalence,
                            scoring.rareMaxHosts,
                            scoring.rare,
                            scoring.commonMinHosts,
                            scoring.common);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(origin + ": " + scoringContext + e.getMessage(), e);
        }
        return new RuleProfile(
                platform,
                start.executableIncludes,
                excludes,
                policy,
                Boolean.TRUE.equals(start.unknownSignatureIsUntrusted),
                riskScoring);
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
