package io.capwatch.rule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PlatformTest {

    @ParameterizedTest(name = "host.os.type {0} is {1}")
    @CsvSource({"windows, WINDOWS", "linux, LINUX", "macos, MACOS", "Linux, LINUX", "MacOS, MACOS"})
    void osTypeNamesPlatform(String osType, Platform expected) {
        assertEquals(expected, Platform.ofOsType(osType));
    }

    @ParameterizedTest(name = "host.os.type {0} names no platform")
    @CsvSource({"unix", "ios", "android", "darwin", "''"})
    void otherOsTypesNameNone(String osType) {
        assertNull(Platform.ofOsType(osType));
    }

    @Test
    void nullOsTypeNamesNone() {
        assertNull(Platform.ofOsType(null));
    }

    @ParameterizedTest(name = "{0} looks like {1}")
    @CsvSource({
        "C:\\Users\\u\\Downloads\\x.exe, WINDOWS",
        "\\Device\\HarddiskVolume3\\Temp\\x.exe, WINDOWS",
        "//?/C:/Temp/x.exe, WINDOWS",
        "x.exe, WINDOWS",
        "/tmp/.x/beacon, LINUX",
        "/home/u/Downloads/tool, LINUX",
        "/memfd:payload, LINUX",
        "/Users/u/Downloads/x, MACOS",
        "/private/var/folders/zz/T/x, MACOS",
        "/Applications/X.app/Contents/MacOS/X, MACOS",
        "/Volumes/Installer/x, MACOS",
        "/Library/Application Support/x, MACOS",
        "/System/Library/x, MACOS",
    })
    void pathStyleGuessesPlatform(String path, Platform expected) {
        assertEquals(expected, Platform.ofPath(path));
    }

    @Test
    void osTypeWinsOverSourceAndPath() {
        assertEquals(Platform.MACOS, Platform.select("macos", Platform.LINUX, "/tmp/x"));
        assertEquals(Platform.WINDOWS, Platform.select("windows", null, "/tmp/x"));
    }

    @Test
    void sourceWinsOverPath() {
        assertEquals(Platform.LINUX, Platform.select(null, Platform.LINUX, "/Users/u/Downloads/x"));
    }

    @Test
    void pathDecidesLast() {
        assertEquals(Platform.MACOS, Platform.select(null, null, "/Users/u/Downloads/x"));
        assertEquals(Platform.LINUX, Platform.select("unix", null, "/tmp/x"));
        assertEquals(Platform.WINDOWS, Platform.select(null, null, "C:\\Temp\\x.exe"));
    }

    @Test
    void onlyLinuxPathsAreCaseSensitive() {
        assertTrue(Platform.LINUX.caseSensitivePaths());
        assertFalse(Platform.MACOS.caseSensitivePaths());
        assertFalse(Platform.WINDOWS.caseSensitivePaths());
    }

    @Test
    void windowsPathsAreNormalized() {
        assertEquals("c:\\temp\\x.exe", Platform.WINDOWS.normalizePath("\\\\?\\C:\\Temp\\X.EXE"));
        assertEquals("/tmp/X", Platform.LINUX.normalizePath("/tmp/X"));
        assertEquals("/Users/U/x", Platform.MACOS.normalizePath("/Users/U/x"));
    }

    @Test
    void matchingFollowsCaseRule() {
        PathGlob glob = PathGlob.compile("/tmp/*");
        assertFalse(Platform.LINUX.matches(glob, "/TMP/x"));
        assertTrue(Platform.MACOS.matches(glob, "/TMP/x"));
        assertTrue(Platform.LINUX.matches(glob, "/tmp/x"));
    }
}
