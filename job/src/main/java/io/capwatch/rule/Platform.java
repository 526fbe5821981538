package io.capwatch.rule;

import java.util.Locale;

/**
 * The operating system a rule profile is written for. Each has its own user-writable folders, its
 * own notion of a trusted binary and its own path rules.
 */
public enum Platform {
    WINDOWS("windows", false),
    LINUX("linux", true),
    MACOS("macos", false);

    /**
     * Top-level folders that exist on macOS and not on Linux, used to tell the two apart by path
     * when a record names no operating system.
     */
    private static final String[] MACOS_ROOTS = {
        "/Users/", "/Applications/", "/Library/", "/System/", "/private/", "/Volumes/"
    };

    private final String key;
    private final boolean caseSensitivePaths;

    Platform(String key, boolean caseSensitivePaths) {
        this.key = key;
        this.caseSensitivePaths = caseSensitivePaths;
    }

    /** Returns the name of the platform in the rule file and in ECS {@code host.os.type}. */
    public String key() {
        return key;
    }

    /**
     * Returns whether paths on this platform differ by case. Linux file systems are case sensitive.
     * NTFS is not, and neither is APFS in its default format.
     */
    public boolean caseSensitivePaths() {
        return caseSensitivePaths;
    }

    /**
     * Normalizes an executable path for matching on this platform: Windows paths with {@link
     * WindowsPath#normalize}, POSIX paths as logged.
     *
     * @return the normalized path, or null when {@code path} is null
     */
    public String normalizePath(String path) {
        return this == WINDOWS ? WindowsPath.normalize(path) : path;
    }

    /**
     * Tests a path normalized by {@link #normalizePath} against a pattern, case-sensitively where
     * the platform's file systems are.
     */
    public boolean matches(PathGlob glob, String normalizedPath) {
        return caseSensitivePaths
                ? glob.matchesCaseSensitive(normalizedPath)
                : glob.matches(normalizedPath);
    }

    /**
     * Returns the platform of an ECS {@code host.os.type} value, or null for a value that names
     * none of them ({@code unix}, {@code ios}, {@code android}) or for null.
     */
    public static Platform ofOsType(String osType) {
        if (osType == null) {
            return null;
        }
        return ofKey(osType.toLowerCase(Locale.ROOT));
    }

    /** Returns the platform named {@code key} in a rule file, or null when none has that name. */
    public static Platform ofKey(String key) {
        for (Platform platform : values()) {
            if (platform.key.equals(key)) {
                return platform;
            }
        }
        return null;
    }

    /**
     * Guesses the platform from the style of an executable path: a POSIX path (see {@link
     * WindowsPath#isPosix}) is macOS when it starts in a folder only macOS has ({@code /Users/},
     * {@code /Applications/}, {@code /Library/}, {@code /System/}, {@code /private/}, {@code
     * /Volumes/}), otherwise Linux. Every other path is Windows.
     */
    public static Platform ofPath(String executable) {
        if (executable == null || !WindowsPath.isPosix(executable)) {
            return WINDOWS;
        }
        for (String root : MACOS_ROOTS) {
            if (executable.startsWith(root)) {
                return MACOS;
            }
        }
        return LINUX;
    }

    /**
     * Selects the platform whose profile applies to an event: {@code host.os.type} when it names a
     * platform, else the platform the telemetry source runs on (Auditbeat runs only on Linux), else
     * the path style of the executable.
     *
     * @param sourcePlatform the only platform the event's source runs on, or null when it runs on
     *     several
     */
    public static Platform select(String osType, Platform sourcePlatform, String executable) {
        Platform named = ofOsType(osType);
        if (named != null) {
            return named;
        }
        if (sourcePlatform != null) {
            return sourcePlatform;
        }
        return ofPath(executable);
    }
}
