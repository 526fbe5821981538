package io.capwatch.rule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuleLoaderTest {
    @TempDir Path dir;

    @Test
    void defaultRuleLoads() {
        DetectionRule rule = RuleLoader.loadDefault();
        assertEquals("T1587", rule.metadata().techniqueId());
        assertEquals("TA0042", rule.metadata().tacticId());
        assertEquals(Duration.ofHours(1), rule.window());
        assertFalse(rule.unknownSignatureIsUntrusted());
        assertEquals(13, rule.internalNetworks().size());
        // The two templates are disabled, so only the go and dotnet exceptions are active.
        assertEquals(2, rule.exceptions().size());
    }

    @Test
    void defaultRuleSurvivesJavaSerialization() throws Exception {
        DetectionRule rule = RuleLoader.loadDefault();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(rule);
        }
        DetectionRule copy;
        try (ObjectInputStream in =
                new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (DetectionRule) in.readObject();
        }
        assertTrue(copy.isUserWritablePath(WindowsPath.normalize("C:\\Users\\a\\Downloads\\x.exe")));
        assertNotNull(
                copy.suppressingException(
                        null,
                        null,
                        WindowsPath.normalize("C:\\Users\\a\\AppData\\Local\\Temp\\go-build1\\b001\\exe\\m.exe"),
                        WindowsPath.normalize("C:\\Go\\bin\\go.exe"),
                        "h",
                        "h"));
    }

    @Test
    void userWritablePathsFollowTheRule() {
        DetectionRule rule = RuleLoader.loadDefault();
        assertTrue(matches(rule, "C:\\Users\\a\\AppData\\Local\\Temp\\upd.exe"));
        assertTrue(matches(rule, "D:\\Temp\\x.exe"));
        assertTrue(matches(rule, "C:\\Users\\a\\AppData\\Local\\Temp\\Program Files\\x.exe"));
        assertFalse(matches(rule, "C:\\Program Files\\Vendor\\Downloads\\x.exe"));
        assertFalse(matches(rule, "C:\\Windows\\System32\\svchost.exe"));
        assertFalse(matches(rule, "C:\\Temp2\\x.exe"));
    }

    private static boolean matches(DetectionRule rule, String path) {
        return rule.isUserWritablePath(WindowsPath.normalize(path));
    }

    @Test
    void internalNetworksCanBeReplaced() {
        DetectionRule rule = RuleLoader.loadDefault().withInternalNetworks(List.of("10.0.0.0/8"));
        assertFalse(rule.isInternal(IpAddress.parse("192.168.56.40").orElseThrow()));
        assertTrue(rule.isInternal(IpAddress.parse("10.1.2.3").orElseThrow()));
    }

    @Test
    void unknownKeyIsNamed() throws Exception {
        Path file = write("rule:\n  id: x\n  name: y\n  colour: blue\n");
        IllegalArgumentException error =
                assertThrows(IllegalArgumentException.class, () -> RuleLoader.load(file));
        assertTrue(error.getMessage().contains("colour"), error.getMessage());
    }

    @Test
    void invalidWindowIsRejected() throws Exception {
        Path file = write(minimalRule() + "window: one hour\n");
        IllegalArgumentException error =
                assertThrows(IllegalArgumentException.class, () -> RuleLoader.load(file));
        assertTrue(error.getMessage().contains("window 'one hour' is invalid"), error.getMessage());
    }

    @Test
    void invalidNetworkIsRejected() throws Exception {
        Path file =
                write(minimalRule().replace("internal_networks: []", "internal_networks: [10.0.0/8]"));
        IllegalArgumentException error =
                assertThrows(IllegalArgumentException.class, () -> RuleLoader.load(file));
        assertTrue(error.getMessage().contains("internal_networks"), error.getMessage());
    }

    @Test
    void exceptionNeedsReasonAndCriteria() throws Exception {
        Path noReason = write(minimalRule() + "exceptions:\n  - id: e1\n    hashes: [ab]\n");
        IllegalArgumentException error =
                assertThrows(IllegalArgumentException.class, () -> RuleLoader.load(noReason));
        assertTrue(error.getMessage().contains("exceptions[0].reason"), error.getMessage());

        Path noCriteria = write(minimalRule() + "exceptions:\n  - id: e1\n    reason: because\n");
        error = assertThrows(IllegalArgumentException.class, () -> RuleLoader.load(noCriteria));
        assertTrue(error.getMessage().contains("needs at least one of"), error.getMessage());
    }

    @Test
    void exceptionCriteriaAreAnded() throws Exception {
        Path file =
                write(
                        minimalRule()
                                + "exceptions:\n"
                                + "  - id: ci\n"
                                + "    reason: CI agents build and run tools from Temp\n"
                                + "    paths: ['*\\Temp\\*']\n"
                                + "    hosts: ['ci-*']\n");
        DetectionRule rule = RuleLoader.load(file);
        String temp = WindowsPath.normalize("C:\\Users\\b\\AppData\\Local\\Temp\\t.exe");
        assertNotNull(rule.suppressingException(null, null, temp, null, null, "CI-agent-7"));
        assertEquals(null, rule.suppressingException(null, null, temp, null, null, "ws-1"));
    }

    private static String minimalRule() {
        return "rule:\n  id: r1\n  name: test rule\n"
                + "start:\n  executable_includes: ['*\\Temp\\*']\n"
                + "connection:\n  internal_networks: []\n";
    }

    private Path write(String yaml) throws Exception {
        Path file = Files.createTempFile(dir, "rule", ".yaml");
        Files.writeString(file, yaml);
        return file;
    }
}
