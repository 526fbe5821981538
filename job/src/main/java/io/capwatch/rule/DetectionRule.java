package io.capwatch.rule;

import java.io.Serializable;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The compiled detection rule: what qualifies as a stage-1 start on each platform (its {@link
 * RuleProfile}s) and as a stage-2 connection, the window between them, the exceptions and the
 * scoring. Immutable and serializable, so it travels
 * with the job graph to every operator that needs it.
 */
public final class DetectionRule implements Serializable {
    private static final long serialVersionUID = 1L;

    private final RuleMetadata metadata;
    private final Map<Platform, RuleProfile> profiles;
    private final List<String> internalNetworks;
    private final Duration window;
    private final List<RuleException> exceptions;

    private transient IpNetworks internal;

    DetectionRule(
            RuleMetadata metadata,
            Map<Platform, RuleProfile> profiles,
            List<String> internalNetworks,
            Duration window,
            List<RuleException> exceptions) {
        this.metadata = metadata;
        EnumMap<Platform, RuleProfile> copy = new EnumMap<>(Platform.class);
        copy.putAll(profiles);
        this.profiles = Collections.unmodifiableMap(copy);
        this.internalNetworks = List.copyOf(internalNetworks);
        this.window = window;
        this.exceptions = List.copyOf(exceptions);
        compile();
    }

    private void compile() {
        internal = IpNetworks.parse(internalNetworks);
        exceptions.forEach(RuleException::compile);
    }

    private Object readResolve() {
        compile();
        return this;
    }

    /** Returns a copy of this rule with other internal networks (CIDR notation). */
    public DetectionRule withInternalNetworks(List<String> networks) {
        IpNetworks.parse(networks);
        return new DetectionRule(metadata, profiles, networks, window, exceptions);
    }

    /**
     * Returns a copy of this rule that treats starts with no signature data as untrusted, in
     * every profile that reads signatures.
     */
    public DetectionRule withUnknownSignatureIsUntrusted(boolean value) {
        EnumMap<Platform, RuleProfile> changed = new EnumMap<>(Platform.class);
        profiles.forEach(
                (platform, profile) ->
                        changed.put(platform, profile.withUnknownSignatureIsUntrusted(value)));
        return new DetectionRule(metadata, changed, internalNetworks, window, exceptions);
    }

    /** Returns the profile for a platform, or null when the rule has none for it. */
    public RuleProfile profile(Platform platform) {
        return platform == null ? null : profiles.get(platform);
    }

    /** Returns the profiles by platform, in {@link Platform} order. */
    public Map<Platform, RuleProfile> profiles() {
        return profiles;
    }

    /** Returns each profile's scoring, by platform. */
    public Map<Platform, RiskScoring> scoringByPlatform() {
        EnumMap<Platform, RiskScoring> scoring = new EnumMap<>(Platform.class);
        profiles.forEach((platform, profile) -> scoring.put(platform, profile.scoring()));
        return scoring;
    }

    public boolean isInternal(IpAddress address) {
        return internal.contains(address);
    }

    /**
     * Returns the first enabled exception that matches the started process, or {@code null}.
     * Paths are given as logged and compared by the platform's rules (see {@link
     * Platform#normalizePath} and {@link Platform#matches}).
     *
     * @param platform the platform of the profile that selected the start
     * @param parentExecutable the parent executable, or {@code null}
     */
    public RuleException suppressingException(
            Platform platform,
            String sha256,
            String signer,
            String executable,
            String parentExecutable,
            String hostId,
            String hostName) {
        String normalizedPath = platform.normalizePath(executable);
        String normalizedParent = platform.normalizePath(parentExecutable);
        for (RuleException exception : exceptions) {
            if (exception.matches(
                    platform, sha256, signer, normalizedPath, normalizedParent, hostId, hostName)) {
                return exception;
            }
        }
        return null;
    }

    public RuleMetadata metadata() {
        return metadata;
    }

    public List<String> internalNetworks() {
        return internalNetworks;
    }

    public Duration window() {
        return window;
    }

    public List<RuleException> exceptions() {
        return exceptions;
    }
}
