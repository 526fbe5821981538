package io.capwatch.rule;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Objects;

/**
 * A path wildcard pattern with the semantics of EQL's {@code like} and {@code :} operators: {@code
 * *} matches any run of characters, slashes and backslashes included, and {@code ?} matches
 * exactly one character. There is no escape character, so a pattern cannot match a literal {@code
 * *} or {@code ?} (Windows file names cannot contain either).
 *
 * <p>{@link #matches} normalizes the pattern with {@link WindowsPath#normalize}, so {@code
 * ?:\Temp\*} is anchored at the root of any drive, and its leading {@code ?} also matches the
 * {@code ?:} placeholder of a device path. It folds case and treats {@code /} and {@code \} alike
 * on both sides, which makes patterns work on POSIX paths of case-insensitive file systems too.
 * {@link #matchesCaseSensitive} compares the pattern as written, character for character, as
 * Linux file systems do. A match runs in one pass over the characters with backtracking to the
 * last {@code *}, and compiles no regex.
 */
public final class PathGlob implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String pattern;
    private final char[] folded;
    private final char[] exact;

    private PathGlob(String pattern, char[] folded) {
        this.pattern = pattern;
        this.folded = folded;
        this.exact = pattern.toCharArray();
    }

    /**
     * Compiles a pattern such as {@code *\AppData\Local\Temp\*} or {@code ?:\Windows\System32\*}.
     *
     * @throws NullPointerException when {@code pattern} is null
     */
    public static PathGlob compile(String pattern) {
        Objects.requireNonNull(pattern, "pattern");
        String normalized = WindowsPath.normalize(pattern);
        char[] folded = new char[normalized.length()];
        for (int i = 0; i < folded.length; i++) {
            folded[i] = fold(normalized.charAt(i));
        }
        return new PathGlob(pattern, folded);
    }

    /**
     * Returns whether the whole path matches, ignoring case and the difference between {@code /}
     * and {@code \}. The path should be normalized with {@link WindowsPath#normalize}, because
     * matching itself does not strip prefixes such as {@code \\?\}.
     */
    public boolean matches(String normalizedPath) {
        return normalizedPath != null && matches(folded, normalizedPath, true);
    }

    /**
     * Returns whether the whole path matches the pattern as written, with case and each slash
     * significant: {@code /tmp/*} matches {@code /tmp/x} but neither {@code /TMP/x} nor {@code
     * \tmp\x}.
     */
    public boolean matchesCaseSensitive(String path) {
        return path != null && matches(exact, path, false);
    }

    private static boolean matches(char[] pattern, String path, boolean fold) {
        int length = path.length();
        int p = 0;
        int s = 0;
        int starAt = -1;
        int resumeAt = 0;
        while (s < length) {
            if (p < pattern.length && pattern[p] == '*') {
                // Let the star match nothing first; widen it one character at a time on mismatch.
                starAt = p++;
                resumeAt = s;
            } else if (p < pattern.length
                    && (pattern[p] == '?' || pattern[p] == charAt(path, s, fold))) {
                p++;
                s++;
            } else if (starAt >= 0) {
                p = starAt + 1;
                s = ++resumeAt;
            } else {
                return false;
            }
        }
        while (p < pattern.length && pattern[p] == '*') {
            p++;
        }
        return p == pattern.length;
    }

    private static char charAt(String path, int index, boolean fold) {
        char c = path.charAt(index);
        return fold ? fold(c) : c;
    }

    /** Returns the pattern as given to {@link #compile}. */
    public String pattern() {
        return pattern;
    }

    @Override
    public String toString() {
        return pattern;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof PathGlob glob && Arrays.equals(folded, glob.folded);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(folded);
    }

    private static char fold(char c) {
        if (c == '/') {
            return '\\';
        }
        if (c < 0x80) {
            return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
        }
        return Character.toLowerCase(c);
    }
}
