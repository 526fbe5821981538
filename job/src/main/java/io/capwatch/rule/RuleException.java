package io.capwatch.rule;

import java.io.Serializable;
import java.util.List;
import java.util.Locale;

/**
 * One tuning exception: a known false positive that suppresses matches of the rule. Every
 * criterion it lists must match (AND); any value within a criterion may match (OR). An exception
 * with no criterion is rejected by {@link RuleLoader}.
 */
public final class RuleException implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String id;
    private final String reason;
    private final List<String> hashes;
    private final List<String> signers;
    private final List<String> paths;
    private final List<String> parentExecutables;
    private final List<String> hosts;

    private transient List<PathGlob> pathGlobs;
    private transient List<PathGlob> parentGlobs;
    private transient List<PathGlob> hostGlobs;

    RuleException(
            String id,
            String reason,
            List<String> hashes,
            List<String> signers,
            List<String> paths,
            List<String> parentExecutables,
            List<String> hosts) {
        this.id = id;
        this.reason = reason;
        this.hashes = hashes.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList();
        this.signers = signers.stream().map(s -> s.toLowerCase(Locale.ROOT)).toList();
        this.paths = List.copyOf(paths);
        this.parentExecutables = List.copyOf(parentExecutables);
        this.hosts = List.copyOf(hosts);
        compile();
    }

    void compile() {
        pathGlobs = paths.stream().map(PathGlob::compile).toList();
        parentGlobs = parentExecutables.stream().map(PathGlob::compile).toList();
        // Host names are not paths: lower-case them and match with the same wildcards.
        hostGlobs = hosts.stream().map(h -> PathGlob.compile(h.toLowerCase(Locale.ROOT))).toList();
    }

    boolean hasCriteria() {
        return !(hashes.isEmpty()
                && signers.isEmpty()
                && paths.isEmpty()
                && parentExecutables.isEmpty()
                && hosts.isEmpty());
    }

    /** Tests a start whose paths were normalized by {@link Platform#normalizePath}. */
    boolean matches(
            Platform platform,
            String sha256,
            String signer,
            String normalizedPath,
            String normalizedParent,
            String hostId,
            String hostName) {
        if (!hashes.isEmpty() && (sha256 == null || !hashes.contains(sha256))) {
            return false;
        }
        if (!signers.isEmpty()
                && (signer == null || !signers.contains(signer.toLowerCase(Locale.ROOT)))) {
            return false;
        }
        if (!paths.isEmpty() && !anyPathMatches(platform, pathGlobs, normalizedPath)) {
            return false;
        }
        if (!parentExecutables.isEmpty()
                && !anyPathMatches(platform, parentGlobs, normalizedParent)) {
            return false;
        }
        if (!hosts.isEmpty()
                && !anyHostMatches(lower(hostId))
                && !anyHostMatches(lower(hostName))) {
            return false;
        }
        return true;
    }

    private static String lower(String value) {
        return value == null ? null : value.toLowerCase(Locale.ROOT);
    }

    private static boolean anyPathMatches(Platform platform, List<PathGlob> globs, String path) {
        if (path == null) {
            return false;
        }
        for (PathGlob glob : globs) {
            if (platform.matches(glob, path)) {
                return true;
            }
        }
        return false;
    }

    private boolean anyHostMatches(String host) {
        if (host == null) {
            return false;
        }
        for (PathGlob glob : hostGlobs) {
            if (glob.matches(host)) {
                return true;
            }
        }
        return false;
    }

    private Object readResolve() {
        compile();
        return this;
    }

    public String id() {
        return id;
    }

    public String reason() {
        return reason;
    }
}
