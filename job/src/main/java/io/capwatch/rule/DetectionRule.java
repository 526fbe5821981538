package io.capwatch.rule;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;

/**
 * The compiled detection rule: what qualifies as a stage-1 start and a stage-2 connection, the
 * window between them, the exceptions and the scoring. Immutable and serializable, so it travels
 * with the job graph to every operator that needs it.
 */
public final class DetectionRule implements Serializable {
    private static final long serialVersionUID = 1L;

    private final RuleMetadata metadata;
    private final List<String> includePatterns;
    private final List<String> excludePatterns;
    private final boolean unknownSignatureIsUntrusted;
    private final List<String> internalNetworks;
    private final Duration window;
    private final RiskScoring scoring;
    private final List<RuleException> exceptions;

    private transient List<PathGlob> includes;
    private transient List<PathGlob> excludes;
    private transient IpNetworks internal;

    DetectionRule(
            RuleMetadata metadata,
            List<String> includePatterns,
            List<String> excludePatterns,
            boolean unknownSignatureIsUntrusted,
            List<String> internalNetworks,
            Duration window,
            RiskScoring scoring,
            List<RuleException> exceptions) {
        this.metadata = metadata;
        this.includePatterns = List.copyOf(includePatterns);
        this.excludePatterns = List.copyOf(excludePatterns);
        this.unknownSignatureIsUntrusted = unknownSignatureIsUntrusted;
        this.internalNetworks = List.copyOf(internalNetworks);
        this.window = window;
        this.scoring = scoring;
        this.exceptions = List.copyOf(exceptions);
        compile();
    }

    private void compile() {
        includes = includePatterns.stream().map(PathGlob::compile).toList();
        excludes = excludePatterns.stream().map(PathGlob::compile).toList();
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
        return new DetectionRule(
                metadata,
                includePatterns,
                excludePatterns,
                unknownSignatureIsUntrusted,
                networks,
                window,
                scoring,
                exceptions);
    }

    /** Returns a copy of this rule that treats starts with no signature data as untrusted. */
    public DetectionRule withUnknownSignatureIsUntrusted(boolean value) {
        return new DetectionRule(
                metadata,
                includePatterns,
                excludePatterns,
                value,
                internalNetworks,
                window,
                scoring,
                exceptions);
    }

    /**
     * Tests a path normalized by {@link WindowsPath#normalize} against the stage-1 folders: it
     * must match an include pattern and no exclude pattern.
     */
    public boolean isUserWritablePath(String normalizedPath) {
        if (normalizedPath == null) {
            return false;
        }
        boolean included = false;
        for (PathGlob glob : includes) {
            if (glob.matches(normalizedPath)) {
                included = true;
                break;
            }
        }
        if (!included) {
            return false;
        }
        for (PathGlob glob : excludes) {
            if (glob.matches(normalizedPath)) {
                return false;
            }
        }
        return true;
    }

    public boolean isInternal(IpAddress address) {
        return internal.contains(address);
    }

    /**
     * Returns the first enabled exception that matches the started process, or {@code null}.
     *
     * @param normalizedPath the executable, normalized by {@link WindowsPath#normalize}
     * @param normalizedParent the parent executable, normalized the same way, or {@code null}
     */
    public RuleException suppressingException(
            String sha256,
            String signer,
            String normalizedPath,
            String normalizedParent,
            String hostId,
            String hostName) {
        for (RuleException exception : exceptions) {
            if (exception.matches(
                    sha256, signer, normalizedPath, normalizedParent, hostId, hostName)) {
                return exception;
            }
        }
        return null;
    }

    public RuleMetadata metadata() {
        return metadata;
    }

    public boolean unknownSignatureIsUntrusted() {
        return unknownSignatureIsUntrusted;
    }

    public List<String> internalNetworks() {
        return internalNetworks;
    }

    public Duration window() {
        return window;
    }

    public RiskScoring scoring() {
        return scoring;
    }

    public List<RuleException> exceptions() {
        return exceptions;
    }

    public List<String> includePatterns() {
        return includePatterns;
    }

    public List<String> excludePatterns() {
        return excludePatterns;
    }
}
