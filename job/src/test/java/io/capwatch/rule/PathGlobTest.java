package io.capwatch.rule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PathGlobTest {

    /** User-writable folders that an untrusted executable may start from. */
    private static final List<PathGlob> INCLUDES = compileAll(
            "*\\AppData\\Local\\Temp\\*",
            "*\\Downloads\\*",
            "*\\ProgramData\\*",
            "?:\\Temp\\*",
            "?:\\Windows\\Temp\\*");

    /** Folders that only administrators and installers write to. */
    private static final List<PathGlob> EXCLUDES = compileAll(
            "?:\\Windows\\System32\\*",
            "?:\\Windows\\SysWOW64\\*",
            "?:\\Program Files\\*",
            "?:\\Program Files (x86)\\*",
            "?:\\Windows\\WinSxS\\*");

    private static List<PathGlob> compileAll(String... patterns) {
        return Arrays.stream(patterns).map(PathGlob::compile).toList();
    }

    private static boolean anyMatches(List<PathGlob> globs, String normalizedPath) {
        return globs.stream().anyMatch(glob -> glob.matches(normalizedPath));
    }

    /**
     * Executable paths written in the forms agents log, with whether the default lists select
     * them (an include matches and no exclude does).
     */
    @ParameterizedTest(name = "{0}: {1} selected={2}")
    @CsvSource(
            delimiter = '|',
            value = {
                "lower case|c:\\users\\user01\\appdata\\local\\temp\\upd.exe|true",
                "forward slashes|C:/Users/user01/Downloads/upd.exe|true",
                "win32 file prefix|\\\\?\\C:\\Windows\\Temp\\upd.exe|true",
                "device path|\\Device\\HarddiskVolume3\\ProgramData\\svc\\upd.exe|true",
                "8.3 short name|C:\\Users\\user01\\DOWNLO~1\\upd.exe|false",
                "mixed case|C:\\Users\\user01\\Downloads\\Mixed.exe|true",
                "mixed case upper|c:\\users\\user01\\downloads\\MIXED.EXE|true",
                "prefix on drive-root temp|\\\\?\\C:\\Temp\\pref.exe|true",
                "no prefix on drive-root temp|C:\\Temp\\pref.exe|true",
                "nt object prefix|\\??\\C:\\Temp\\upd.exe|true",
                "device path drive-root temp|\\Device\\HarddiskVolume3\\Temp\\upd.exe|true",
                "other drive with slashes|e:/windows/temp/upd.exe|true",
                "fake program files under temp|C:\\Users\\user01\\AppData\\Local\\Temp\\Program Files\\upd.exe|true",
                "system32 under windows temp|C:\\Windows\\Temp\\System32\\upd.exe|true",
                "temp under program files|C:\\Program Files\\Contoso\\Temp\\upd.exe|false",
                "winsxs|C:\\Windows\\WinSxS\\amd64_x\\upd.exe|false",
                "other drive temp|D:\\Temp\\upd.exe|true",
                "system profile temp|C:\\Windows\\System32\\config\\systemprofile\\AppData\\Local\\Temp\\upd.exe|false",
                "downloads under program files with prefix|\\\\?\\C:\\Program Files\\Contoso\\Downloads\\upd.exe|false",
                "downloads under program files on device|\\Device\\HarddiskVolume2\\Program Files\\Contoso\\Downloads\\upd.exe|false",
                "programdata under program files x86|C:\\Program Files (x86)\\Contoso\\ProgramData\\upd.exe|false",
                "temp2 at drive root|C:\\Temp2\\upd.exe|false",
                "temporary internet files|C:\\Users\\user01\\AppData\\Local\\Temporary Internet Files\\upd.exe|false",
                "syswow64 lower case slashes|c:/windows/syswow64/config/systemprofile/appdata/local/temp/upd.exe|false",
            })
    void defaultListsSelectPaths(String description, String path, boolean selected) {
        String normalized = WindowsPath.normalize(path);
        boolean included = anyMatches(INCLUDES, normalized);
        boolean excluded = anyMatches(EXCLUDES, normalized);
        assertEquals(selected, included && !excluded, description + ": " + normalized);
    }

    @Test
    void excludesAnchorAtDriveRoot() {
        String fake = WindowsPath.normalize("C:\\Users\\user01\\AppData\\Local\\Temp\\Program Files\\upd.exe");
        assertTrue(anyMatches(INCLUDES, fake));
        assertFalse(PathGlob.compile("?:\\Program Files\\*").matches(fake));
        assertTrue(PathGlob.compile("*\\Program Files\\*").matches(fake));
    }

    @Test
    void shortNameNeedsOwnPattern() {
        String shortName = WindowsPath.normalize("C:\\Users\\user01\\DOWNLO~1\\upd.exe");
        assertFalse(anyMatches(INCLUDES, shortName));
        assertTrue(PathGlob.compile("*\\DOWNLO~1\\*").matches(shortName));
    }

    @ParameterizedTest(name = "{0} matches {1}: {2}")
    @CsvSource(
            delimiter = '|',
            value = {
                "*|''|true",
                "*|anything\\at\\all|true",
                "''|''|true",
                "''|a|false",
                "?|a|true",
                "?|''|false",
                "?|ab|false",
                "a?c|abc|true",
                "a?c|a\\c|true",
                "a?c|ac|false",
                "a*c|ac|true",
                "a*c|a\\b\\c|true",
                "a*c|a\\b\\cd|false",
                "*.exe|c:\\x\\y.exe|true",
                "*.exe|c:\\x\\y.exe.bak|false",
                "*\\temp\\*|c:\\temp\\x|true",
                "*\\temp\\*|c:\\temp|false",
                "*\\temp\\*|c:\\temp2\\x|false",
                "?:\\temp\\*|c:\\temp\\x.exe|true",
                "?:\\temp\\*|?:\\temp\\x.exe|true",
                "?:\\temp\\*|c:\\x\\temp\\x.exe|false",
                "?:\\temp\\*|\\\\server\\temp\\x.exe|false",
                "*a*a*a*b|aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa|false",
                "*a*a*a*b|aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab|true",
                "**\\x|\\x|true",
                "*?|''|false",
                "*?|a|true",
            })
    void wildcardSemantics(String pattern, String path, boolean matches) {
        assertEquals(matches, PathGlob.compile(pattern).matches(path));
    }

    @Test
    void patternCaseAndSlashesFold() {
        PathGlob glob = PathGlob.compile("?:/WINDOWS/Temp/*");
        assertTrue(glob.matches("c:\\windows\\temp\\x.exe"));
        assertTrue(glob.matches("C:\\Windows\\TEMP\\X.EXE"));
        assertTrue(glob.matches("c:/windows/temp/x.exe"));
    }

    @Test
    void patternPrefixIsNormalized() {
        assertTrue(PathGlob.compile("\\\\?\\C:\\Temp\\*").matches("c:\\temp\\x.exe"));
    }

    @Test
    void posixPathsMatch() {
        assertTrue(PathGlob.compile("/tmp/*").matches("/tmp/payload"));
        assertTrue(PathGlob.compile("/home/*/Downloads/*").matches("/home/user01/Downloads/a.out"));
        assertTrue(PathGlob.compile("*/Downloads/*").matches("/home/user01/downloads/a.out"));
        assertFalse(PathGlob.compile("/tmp/*").matches("/var/tmp/payload"));
    }

    @ParameterizedTest(name = "{0} matches {1} case-sensitively: {2}")
    @CsvSource(
            delimiter = '|',
            value = {
                "/tmp/*|/tmp/.x/beacon|true",
                "/tmp/*|/TMP/.x/beacon|false",
                "/tmp/*|\\tmp\\beacon|false",
                "/home/*/Downloads/*|/home/u/Downloads/a.out|true",
                "/home/*/Downloads/*|/home/u/downloads/a.out|false",
                "/home/*/Downloads/*|/home/u/x/Downloads/a.out|true",
                "/run/user/*/*|/run/user/1000/app|true",
                "/run/user/*/*|/run/user/1000|false",
                "/dev/shm/?|/dev/shm/x|true",
                "/dev/shm/?|/dev/shm/xy|false",
                "*/Beacon|/tmp/Beacon|true",
                "*/Beacon|/tmp/beacon|false",
            })
    void caseSensitiveMatching(String pattern, String path, boolean matches) {
        assertEquals(matches, PathGlob.compile(pattern).matchesCaseSensitive(path));
    }

    @Test
    void caseSensitiveKeepsPatternAsWritten() {
        // Case-insensitive matching normalizes the pattern; case-sensitive matching does not.
        PathGlob glob = PathGlob.compile("*/Downloads/*");
        assertTrue(glob.matches("/home/u/downloads/a.out"));
        assertFalse(glob.matchesCaseSensitive("/home/u/downloads/a.out"));
        assertTrue(glob.matchesCaseSensitive("/home/u/Downloads/a.out"));
    }

    @Test
    void nullPathDoesNotMatchCaseSensitively() {
        assertFalse(PathGlob.compile("*").matchesCaseSensitive(null));
    }

    @Test
    void nullPathDoesNotMatch() {
        assertFalse(PathGlob.compile("*").matches(null));
    }

    @Test
    void nullPatternIsRejected() {
        assertThrows(NullPointerException.class, () -> PathGlob.compile(null));
    }

    @Test
    void patternKeepsOriginalText() {
        assertEquals("?:\\Windows\\Temp\\*", PathGlob.compile("?:\\Windows\\Temp\\*").pattern());
        assertEquals(PathGlob.compile("?:\\WINDOWS\\temp\\*"), PathGlob.compile("?:/windows/temp/*"));
    }
}
