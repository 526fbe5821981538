package io.capwatch.rule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WindowsPathTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "C:\\Users\\user01\\AppData\\Local\\Temp\\upd.exe|c:\\users\\user01\\appdata\\local\\temp\\upd.exe",
                "c:\\users\\user01\\appdata\\local\\temp\\upd.exe|c:\\users\\user01\\appdata\\local\\temp\\upd.exe",
                "C:/Users/user01/Downloads/upd.exe|c:\\users\\user01\\downloads\\upd.exe",
                "e:/windows/temp/upd.exe|e:\\windows\\temp\\upd.exe",
                "\\\\?\\C:\\Windows\\Temp\\upd.exe|c:\\windows\\temp\\upd.exe",
                "//?/C:/Windows/Temp/upd.exe|c:\\windows\\temp\\upd.exe",
                "\\??\\C:\\Temp\\upd.exe|c:\\temp\\upd.exe",
                "/??/C:/Temp/upd.exe|c:\\temp\\upd.exe",
                "\\Device\\HarddiskVolume3\\ProgramData\\svc\\upd.exe|?:\\programdata\\svc\\upd.exe",
                "\\DEVICE\\HARDDISKVOLUME12\\Temp\\upd.exe|?:\\temp\\upd.exe",
                "\\device\\harddiskvolume2\\Program Files\\x.exe|?:\\program files\\x.exe",
                "\\\\?\\GLOBALROOT\\Device\\HarddiskVolume3\\x.exe|?:\\x.exe",
                "\\Device\\HarddiskVolume\\x.exe|\\device\\harddiskvolume\\x.exe",
                "\\Device\\HarddiskVolume3x\\y.exe|\\device\\harddiskvolume3x\\y.exe",
                "\\Device\\Mup\\server\\share\\x.exe|\\device\\mup\\server\\share\\x.exe",
                "C:\\\\Users\\\\\\x.exe|c:\\users\\x.exe",
                "C:\\Temp\\\\sub//x.exe|c:\\temp\\sub\\x.exe",
                "\\\\server\\share\\x.exe|\\\\server\\share\\x.exe",
                "\\\\\\server\\\\share\\x.exe|\\\\server\\share\\x.exe",
                "\\\\?\\UNC\\server\\share\\x.exe|\\\\server\\share\\x.exe",
                "C:\\Users\\user01\\DOWNLO~1\\upd.exe|c:\\users\\user01\\downlo~1\\upd.exe",
                "relative\\Path.EXE|relative\\path.exe",
                "x.exe|x.exe",
                "C:\\Program Files (x86)\\App\\A.exe|c:\\program files (x86)\\app\\a.exe",
                "C:\\Users\\Ünïcode\\X.exe|c:\\users\\ünïcode\\x.exe",
            })
    void normalizeWindowsForms(String path, String normalized) {
        assertEquals(normalized, WindowsPath.normalize(path));
    }

    @ParameterizedTest(name = "{0} unchanged")
    @CsvSource({"/usr/bin/Curl", "/tmp//x", "/home/User/Downloads/a.out", "/"})
    void normalizeKeepsPosix(String path) {
        assertEquals(path, WindowsPath.normalize(path));
    }

    @Test
    void normalizeNullIsNull() {
        assertNull(WindowsPath.normalize(null));
        assertNull(WindowsPath.correlationKey(null));
    }

    @Test
    void normalizeEmptyIsEmpty() {
        assertEquals("", WindowsPath.normalize(""));
        assertEquals("", WindowsPath.correlationKey(""));
    }

    @Test
    void normalizeIsIdempotent() {
        String[] paths = {
            "\\\\?\\C:\\Temp\\pref.exe",
            "\\Device\\HarddiskVolume3\\Temp\\upd.exe",
            "\\\\server\\share\\x.exe",
            "C:/a//b.exe",
        };
        for (String path : paths) {
            String once = WindowsPath.normalize(path);
            assertEquals(once, WindowsPath.normalize(once), path);
        }
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "C:\\x.exe|\\x.exe",
                "\\\\?\\C:\\X.EXE|\\x.exe",
                "\\Device\\HarddiskVolume3\\x.exe|\\x.exe",
                "D:/Temp/Upd.exe|\\temp\\upd.exe",
                "\\??\\C:\\Temp\\upd.exe|\\temp\\upd.exe",
                "\\\\server\\share\\x.exe|\\\\server\\share\\x.exe",
                "relative\\x.exe|relative\\x.exe",
                "/usr/bin/Curl|/usr/bin/Curl",
                "C:|''",
            })
    void correlationKeyDropsDrive(String path, String key) {
        assertEquals(key, WindowsPath.correlationKey(path));
    }

    @Test
    void correlationKeyEqualForSpellings() {
        String key = WindowsPath.correlationKey("C:\\Users\\user01\\AppData\\Local\\Temp\\upd.exe");
        assertEquals(key, WindowsPath.correlationKey("\\\\?\\C:\\USERS\\user01\\AppData\\Local\\Temp\\UPD.EXE"));
        assertEquals(key, WindowsPath.correlationKey("\\Device\\HarddiskVolume3\\Users\\user01\\AppData\\Local\\Temp\\upd.exe"));
        assertEquals(key, WindowsPath.correlationKey("c:/users/user01/appdata/local/temp/upd.exe"));
        assertEquals(key, WindowsPath.correlationKey("\\??\\C:\\Users\\user01\\AppData\\Local\\Temp\\upd.exe"));
        assertEquals("\\users\\user01\\appdata\\local\\temp\\upd.exe", key);
    }

    @Test
    void correlationKeyDiffersForOtherFile() {
        assertNotEquals(
                WindowsPath.correlationKey("C:\\Temp\\a.exe"), WindowsPath.correlationKey("C:\\Temp2\\a.exe"));
    }
}
