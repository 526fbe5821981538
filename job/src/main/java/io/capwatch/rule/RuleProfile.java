package io.capwatch.rule;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * The part of the rule that depends on the operating system of the started process: which folders
 * count as user-writable, how a start is found untrusted, and how its alert is scored. Immutable
 * and serializable, as part of {@link DetectionRule}.
 */
public final class RuleProfile implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Platform platform;
    private final List<String> includePatterns;
    private final List<String> excludePatterns;
    private final SignaturePolicy signaturePolicy;
    private final boolean unknownSignatureIsUntrusted;
    private final RiskScoring scoring;

    private transient List<PathGlob> includes;
    private transient List<PathGlob> excludes;

    RuleProfile(
            Platform platform,
            List<String> includePatterns,
            List<String> excludePatterns,
            SignaturePolicy signaturePolicy,
            boolean unknownSignatureIsUntrusted,
            RiskScoring scoring) {
        this.platform = Objects.requireNonNull(platform, "platform");
        this.includePatterns = List.copyOf(includePatterns);
        this.excludePatterns = List.copyOf(excludePatterns);
        this.signaturePolicy = Objects.requireNonNull(signaturePolicy, "signaturePolicy");
        this.unknownSignatureIsUntrusted = unknownSignatureIsUntrusted;
        this.scoring = Objects.requireNonNull(scoring, "scoring");
        compile();
    }

    private void compile() {
        includes = includePatterns.stream().map(PathGlob::compile).toList();
        excludes = excludePatterns.stream().map(PathGlob::compile).toList();
    }

    private Object readResolve() {
        compile();
        return this;
    }

    /**
     * Returns a copy that treats starts without signature data as untrusted, or not. A profile that
     * ignores signatures is returned unchanged, because it never finds a signature unknown.
     */
    RuleProfile withUnknownSignatureIsUntrusted(boolean value) {
        if (signaturePolicy == SignaturePolicy.IGNORE) {
            return this;
        }
        return new RuleProfile(
                platform, includePatterns, excludePatterns, signaturePolicy, value, scoring);
    }

    /**
     * Tests an executable path, as logged, against the stage-1 folders: it must match an include
     * pattern and no exclude pattern. The path is normalized and compared by the platform's rules
     * (see {@link Platform#normalizePath} and {@link Platform#matches}).
     */
    public boolean isUserWritable(String executable) {
        String normalized = platform.normalizePath(executable);
        if (normalized == null || !anyMatches(includes, normalized)) {
            return false;
        }
        return !anyMatches(excludes, normalized);
    }

    private boolean anyMatches(List<PathGlob> globs, String normalized) {
        for (PathGlob glob : globs) {
            if (platform.matches(glob, normalized)) {
                return true;
            }
        }
        return false;
    }

    public Platform platform() {
        return platform;
    }

    public SignaturePolicy signaturePolicy() {
        return signaturePolicy;
    }

    public boolean unknownSignatureIsUntrusted() {
        return unknownSignatureIsUntrusted;
    }

    public RiskScoring scoring() {
        return scoring;
    }

    public List<String> includePatterns() {
        return includePatterns;
    }

    public List<String> excludePatterns() {
        return excludePatterns;
    }
}
