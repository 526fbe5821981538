package io.capwatch.rule;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Objects;

/**
 * A case-insensitive path wildcard pattern with the semantics of EQL's {@code like} and {@code :}
 * operators: {@code *} matches any run of characters, backslashes included, and {@code ?} matches
 * exactly one character. There is no escape character, so a pattern cannot match a literal {@code
 * *} or {@code ?} (Windows file names cannot contain either).
 *
 * <p>The pattern is normalized with {@link WindowsPath#normalize}, so {@code ?:\Temp\*} is
 * anchored at the root of any drive, and its leading {@code ?} also matches the {@code ?:}
 * placeholder of a device path. Matching folds case and treats {@code /} and {@code \} alike on
 * both sides, which makes patterns work on POSIX paths too. A match runs in one pass over the
 * characters with backtracking to the last {@code *}, and compiles no regex.
 */
public final class PathGlob implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String pattern;
    private final char[] folded;

    private PathGlob(String pattern, char[] folded) {
        this.pattern = pattern;
        this.folded = folded;
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
     * Returns whether the whole path matches. The path should be normalized with {@link
     * WindowsPath#normalize}, because matching itself does not strip prefixes such as {@code \\?\}.
     */
    public boolean matches(String normalizedPath) {
        if (normalizedPath == null) {
            return false;
        }
        int length = normalizedPath.length();
        int p = 0;
        int s = 0;
        int starAt = -1;
        int resumeAt = 0;
        while (s < length) {
            if (p < folded.length && folded[p] == '*') {
                // Let the star match nothing first; widen it one character at a time on mismatch.
                starAt = p++;
                resumeAt = s;
            } else if (p < folded.length
                    && (folded[p] == '?' || folded[p] == fold(normalizedPath.charAt(s)))) {
                p++;
                s++;
            } else if (starAt >= 0) {
                p = starAt + 1;
                s = ++resumeAt;
            } else {
                return false;
            }
        }
        while (p < folded.length && folded[p] == '*') {
            p++;
        }
        return p == folded.length;
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
