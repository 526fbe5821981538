package io.capwatch.rule;

import java.util.Locale;

/**
 * Normalization of Windows executable paths as endpoint agents log them, so that one file gets
 * one spelling whatever the source wrote.
 *
 * <p>The forms seen in telemetry are drive paths ({@code C:\Users\x.exe}, {@code c:/users/x.exe}),
 * Win32 file-namespace paths ({@code \\?\C:\x.exe}), NT object paths ({@code \??\C:\x.exe}),
 * device paths without a drive letter ({@code \Device\HarddiskVolume3\x.exe}) and UNC paths
 * ({@code \\server\share\x.exe}).
 */
public final class WindowsPath {

    /** The drive placeholder that a {@code \Device\HarddiskVolumeN\} prefix becomes. */
    public static final String UNKNOWN_DRIVE = "?:";

    private static final String WIN32_FILE_PREFIX = "\\\\?\\";
    private static final String WIN32_UNC_PREFIX = "\\\\?\\unc\\";
    private static final String NT_OBJECT_PREFIX = "\\??\\";
    private static final String GLOBALROOT = "globalroot\\";
    private static final String DEVICE_VOLUME_PREFIX = "\\device\\harddiskvolume";

    private WindowsPath() {}

    /**
     * Normalizes a Windows path: lower case ({@link Locale#ROOT}), {@code /} turned into {@code
     * \}, a leading {@code \\?\} or {@code \??\} removed, {@code \Device\HarddiskVolumeN} (any N,
     * any case) replaced by {@code ?:}, and runs of backslashes collapsed to one except the two
     * that start a UNC path. {@code \\?\UNC\} becomes {@code \\}, and {@code \\?\GLOBALROOT\}
     * becomes {@code \}.
     *
     * <p>Examples: {@code \\?\C:\Temp\X.EXE} becomes {@code c:\temp\x.exe}, and {@code
     * \Device\HarddiskVolume3\Temp\x.exe} becomes {@code ?:\temp\x.exe}. A POSIX path (see {@link
     * #isPosix}) is returned unchanged, with its case kept.
     *
     * @return the normalized path, or null when {@code path} is null
     */
    public static String normalize(String path) {
        if (path == null || isPosix(path)) {
            return path;
        }
        String lower = path.replace('/', '\\').toLowerCase(Locale.ROOT);
        String unprefixed;
        if (lower.startsWith(WIN32_UNC_PREFIX)) {
            unprefixed = "\\\\" + lower.substring(WIN32_UNC_PREFIX.length());
        } else if (lower.startsWith(WIN32_FILE_PREFIX + GLOBALROOT)) {
            // \\?\GLOBALROOT\Device\... names an NT device path through the Win32 namespace.
            unprefixed = "\\" + lower.substring(WIN32_FILE_PREFIX.length() + GLOBALROOT.length());
        } else if (lower.startsWith(WIN32_FILE_PREFIX)) {
            unprefixed = lower.substring(WIN32_FILE_PREFIX.length());
        } else if (lower.startsWith(NT_OBJECT_PREFIX)) {
            unprefixed = lower.substring(NT_OBJECT_PREFIX.length());
        } else {
            unprefixed = lower;
        }
        return collapseBackslashes(replaceDeviceVolume(unprefixed));
    }

    /**
     * Returns the normalized path without its drive letter or {@code ?:} placeholder, so that
     * {@code C:\x.exe}, {@code \\?\C:\X.EXE} and {@code \Device\HarddiskVolume3\x.exe} all give
     * {@code \x.exe}. Paths without a drive (UNC, relative, POSIX) keep their normalized form.
     *
     * @return the key, or null when {@code path} is null
     */
    public static String correlationKey(String path) {
        String normalized = normalize(path);
        if (normalized != null && hasDrive(normalized)) {
            return normalized.substring(2);
        }
        return normalized;
    }

    /**
     * Returns whether a path is POSIX: it starts with {@code /} but not with {@code //?/} or
     * {@code /??/}, which are Windows prefixes written with forward slashes.
     */
    static boolean isPosix(String path) {
        return path.startsWith("/") && !path.startsWith("//?/") && !path.startsWith("/??/");
    }

    /** Returns whether a normalized path starts with a drive letter or the {@code ?:} placeholder. */
    static boolean hasDrive(String normalized) {
        if (normalized.length() < 2 || normalized.charAt(1) != ':') {
            return false;
        }
        char drive = normalized.charAt(0);
        return (drive >= 'a' && drive <= 'z') || drive == '?';
    }

    /** Replaces a leading {@code \device\harddiskvolume<digits>} with {@code ?:}. */
    private static String replaceDeviceVolume(String lower) {
        if (!lower.startsWith(DEVICE_VOLUME_PREFIX)) {
            return lower;
        }
        int end = DEVICE_VOLUME_PREFIX.length();
        while (end < lower.length() && lower.charAt(end) >= '0' && lower.charAt(end) <= '9') {
            end++;
        }
        boolean hasNumber = end > DEVICE_VOLUME_PREFIX.length();
        boolean endsComponent = end == lower.length() || lower.charAt(end) == '\\';
        if (!hasNumber || !endsComponent) {
            return lower;
        }
        return UNKNOWN_DRIVE + lower.substring(end);
    }

    private static String collapseBackslashes(String path) {
        if (path.indexOf("\\\\", 1) < 0) {
            return path;
        }
        StringBuilder out = new StringBuilder(path.length());
        int i = 0;
        if (path.startsWith("\\\\")) {
            out.append("\\\\");
            i = 2;
        }
        for (; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '\\' && out.length() > 0 && out.charAt(out.length() - 1) == '\\') {
                continue;
            }
            out.append(c);
        }
        return out.toString();
    }
}
