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
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RuleLoaderTest {
    @TempDir Path dir;

    @Test
    void defaultRuleLoads() {
        DetectionRule rule = RuleLoader.loadDefault();
        assertEquals("T1587", rule.metadata().techniqueId());
        assertEquals("TA0042", rule.metadata().tacticId());
        assertEquals(Duration.ofHours(1), rule.window());
        assertEquals(13, rule.internalNetworks().size());
        // The two templates are disabled, so the go (Windows and POSIX) and dotnet exceptions
        // are active.
        assertEquals(3, rule.exceptions().size());
        assertEquals(Set.of(Platform.WINDOWS, Platform.LINUX, Platform.MACOS), rule.profiles().keySet());
    }

    @Test
    void defaultProfilesHaveOwnPolicies() {
        DetectionRule rule = RuleLoader.loadDefault();
        RuleProfile windows = rule.profile(Platform.WINDOWS);
        RuleProfile linux = rule.profile(Platform.LINUX);
        RuleProfile macos = rule.profile(Platform.MACOS);
        assertEquals(SignaturePolicy.VERIFY, windows.signaturePolicy());
        assertEquals(SignaturePolicy.IGNORE, linux.signaturePolicy());
        assertEquals(SignaturePolicy.VERIFY, macos.signaturePolicy());
        assertFalse(windows.unknownSignatureIsUntrusted());
        assertFalse(macos.unknownSignatureIsUntrusted());
        assertEquals(new RiskScoring(73, 1, 99, 50, 47), windows.scoring());
        assertEquals(new RiskScoring(47, 1, 73, 50, 21), linux.scoring());
        assertEquals(new RiskScoring(73, 1, 99, 50, 47), macos.scoring());
        assertTrue(linux.excludePatterns().isEmpty());
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
        assertTrue(copy.profile(Platform.WINDOWS).isUserWritable("C:\\Users\\a\\Downloads\\x.exe"));
        assertTrue(copy.profile(Platform.LINUX).isUserWritable("/tmp/.x/beacon"));
        assertTrue(copy.profile(Platform.MACOS).isUserWritable("/Users/u/Downloads/x"));
        assertNotNull(
                copy.suppressingException(
                        Platform.WINDOWS,
                        null,
                        null,
                        "C:\\Users\\a\\AppData\\Local\\Temp\\go-build1\\b001\\exe\\m.exe",
                        "C:\\Go\\bin\\go.exe",
                        "h",
                        "h"));
    }

    @Test
    void userWritablePathsFollowTheRule() {
        RuleProfile windows = RuleLoader.loadDefault().profile(Platform.WINDOWS);
        assertTrue(windows.isUserWritable("C:\\Users\\a\\AppData\\Local\\Temp\\upd.exe"));
        assertTrue(windows.isUserWritable("D:\\Temp\\x.exe"));
        assertTrue(windows.isUserWritable("C:\\Users\\a\\AppData\\Local\\Temp\\Program Files\\x.exe"));
        assertFalse(windows.isUserWritable("C:\\Program Files\\Vendor\\Downloads\\x.exe"));
        assertFalse(windows.isUserWritable("C:\\Windows\\System32\\svchost.exe"));
        assertFalse(windows.isUserWritable("C:\\Temp2\\x.exe"));
    }

    @ParameterizedTest(name = "linux {0}: {1}")
    @CsvSource({
        "/tmp/.x/beacon, true",
        "/var/tmp/kworker, true",
        "/dev/shm/.s, true",
        "/home/user01/Downloads/tool, true",
        "/run/user/1000/agent, true",
        "/memfd:payload, true",
        "/tmp/go-build123/b001/exe/main, true",
        "/usr/bin/curl, false",
        "/opt/vendor/agent, false",
        "/home/user01/.cache/ms-playwright/chrome, false",
        "/home/user01/downloads/tool, false",
        "/TMP/x, false",
        "/tmpfoo/x, false",
    })
    void linuxPathsFollowTheRule(String path, boolean expected) {
        assertEquals(expected, RuleLoader.loadDefault().profile(Platform.LINUX).isUserWritable(path));
    }

    @ParameterizedTest(name = "macos {0}: {1}")
    @CsvSource({
        "/Users/u/Downloads/Viewer.app/Contents/MacOS/Viewer, true",
        "/users/u/downloads/viewer, true",
        "/private/tmp/x, true",
        "/tmp/x, true",
        "/private/var/folders/zz/abc123/T/x, true",
        "/var/folders/zz/abc123/T/x, true",
        "/Users/Shared/x, true",
        "/Applications/Safari.app/Contents/MacOS/Safari, false",
        "/usr/bin/curl, false",
        "/System/Library/CoreServices/x, false",
        "/Users/u/Documents/x, false",
    })
    void macosPathsFollowTheRule(String path, boolean expected) {
        assertEquals(expected, RuleLoader.loadDefault().profile(Platform.MACOS).isUserWritable(path));
    }

    @Test
    void legacyStartIsWindowsProfile() throws Exception {
        DetectionRule rule = RuleLoader.load(write(minimalRule()));
        assertEquals(Set.of(Platform.WINDOWS), rule.profiles().keySet());
        RuleProfile windows = rule.profile(Platform.WINDOWS);
        assertEquals(SignaturePolicy.VERIFY, windows.signaturePolicy());
        assertEquals(RiskScoring.defaults(), windows.scoring());
        assertTrue(windows.isUserWritable("C:\\Users\\a\\AppData\\Local\\Temp\\x.exe"));
        assertEquals(null, rule.profile(Platform.LINUX));
    }

    @Test
    void legacySharedScoringApplies() throws Exception {
        Path file = write(minimalRule() + "scoring:\n  unknown_prevalence: 50\n");
        assertEquals(50, RuleLoader.load(file).profile(Platform.WINDOWS).scoring().unknown());
    }

    @Test
    void profileWithoutScoringTakesShared() throws Exception {
        Path file =
                write(
                        profileRule("linux", "    start:\n      executable_includes: ['/tmp/*']\n")
                                + "scoring:\n  unknown_prevalence: 40\n");
        RuleProfile linux = RuleLoader.load(file).profile(Platform.LINUX);
        assertEquals(40, linux.scoring().unknown());
        assertEquals(SignaturePolicy.IGNORE, linux.signaturePolicy(), "the Linux default");
    }

    @Test
    void profileScoringOverridesShared() throws Exception {
        Path file =
                write(
                        profileRule(
                                        "macos",
                                        "    start:\n      executable_includes: ['/tmp/*']\n"
                                                + "    scoring:\n      unknown_prevalence: 60\n")
                                + "scoring:\n  unknown_prevalence: 40\n");
        RuleProfile macos = RuleLoader.load(file).profile(Platform.MACOS);
        assertEquals(60, macos.scoring().unknown());
        assertEquals(SignaturePolicy.VERIFY, macos.signaturePolicy(), "the macOS default");
    }

    @Test
    void startAndProfilesTogetherAreRejected() throws Exception {
        Path file =
                write(
                        minimalRule()
                                + "profiles:\n  linux:\n    start:\n      executable_includes: ['/tmp/*']\n");
        IllegalArgumentException error =
                assertThrows(IllegalArgumentException.class, () -> RuleLoader.load(file));
        assertTrue(error.getMessage().contains("profiles.windows.start"), error.getMessage());
    }

    @Test
    void unknownProfileIsRejected() throws Exception {
        Path file = write(profileRule("freebsd", "    start:\n      executable_includes: ['/tmp/*']\n"));
        IllegalArgumentException error =
                assertThrows(IllegalArgumentException.class, () -> RuleLoader.load(file));
        assertTrue(error.getMessage().contains("'freebsd'"), error.getMessage());
        assertTrue(error.getMessage().contains("windows, linux or macos"), error.getMessage());
    }

    @Test
    void profileWithoutStartIsRejected() throws Exception {
        Path file = write(profileRule("linux", "    scoring:\n      rare: 90\n"));
        IllegalArgumentException error =
                assertThrows(IllegalArgumentException.class, () -> RuleLoader.load(file));
        assertTrue(error.getMessage().contains("profiles.linux.start is missing"), error.getMessage());
    }

    @Test
    void profileWithoutIncludesIsRejected() throws Exception {
        Path file = write(profileRule("linux", "    start:\n      executable_excludes: ['/tmp/a/*']\n"));
        IllegalArgumentException error =
                assertThrows(IllegalArgumentException.class, () -> RuleLoader.load(file));
        assertTrue(
                error.getMessage().contains("profiles.linux.start.executable_includes"),
                error.getMessage());
    }

    @Test
    void noProfileIsRejected() throws Exception {
        Path file = write("rule:\n  id: r1\n  name: test rule\nconnection:\n  internal_networks: []\n");
        IllegalArgumentException error =
                assertThrows(IllegalArgumentException.class, () -> RuleLoader.load(file));
        assertTrue(error.getMessage().contains("profiles is missing"), error.getMessage());
    }

    @Test
    void invalidSignaturePolicyIsRejected() throws Exception {
        Path file =
                write(
                        profileRule(
                                "linux",
                                "    start:\n      executable_includes: ['/tmp/*']\n"
                                        + "      signature_policy: trust\n"));
        IllegalArgumentException error =
                assertThrows(IllegalArgumentException.class, () -> RuleLoader.load(file));
        assertTrue(
                error.getMessage().contains("profiles.linux.start.signature_policy 'trust' is invalid"),
                error.getMessage());
    }

    @Test
    void unknownSignatureSettingNeedsVerify() throws Exception {
        Path file =
                write(
                        profileRule(
                                "linux",
                                "    start:\n      executable_includes: ['/tmp/*']\n"
                                        + "      unknown_signature_is_untrusted: false\n"));
        IllegalArgumentException error =
                assertThrows(IllegalArgumentException.class, () -> RuleLoader.load(file));
        assertTrue(
                error.getMessage().contains("unknown_signature_is_untrusted has no effect"),
                error.getMessage());
    }

    @Test
    void profileScoringErrorNamesProfile() throws Exception {
        Path file =
                write(
                        profileRule(
                                "linux",
                                "    start:\n      executable_includes: ['/tmp/*']\n"
                                        + "    scoring:\n      rare: 120\n"));
        IllegalArgumentException error =
                assertThrows(IllegalArgumentException.class, () -> RuleLoader.load(file));
        assertTrue(error.getMessage().contains("profiles.linux: scoring.rare"), error.getMessage());
    }

    @Test
    void unknownAsUntrustedChangesVerifyProfiles() {
        DetectionRule rule = RuleLoader.loadDefault().withUnknownSignatureIsUntrusted(true);
        assertTrue(rule.profile(Platform.WINDOWS).unknownSignatureIsUntrusted());
        assertTrue(rule.profile(Platform.MACOS).unknownSignatureIsUntrusted());
        assertFalse(rule.profile(Platform.LINUX).unknownSignatureIsUntrusted());
        assertEquals(SignaturePolicy.IGNORE, rule.profile(Platform.LINUX).signaturePolicy());
    }

    @Test
    void posixGoRunExceptionNeedsGoParent() {
        DetectionRule rule = RuleLoader.loadDefault();
        String built = "/tmp/go-build4242/b001/exe/main";
        assertNotNull(rule.suppressingException(Platform.LINUX, null, null, built, "/usr/local/go/bin/go", "h", "h"));
        assertEquals(null, rule.suppressingException(Platform.LINUX, null, null, built, "/tmp/.x/dropper", "h", "h"));
        assertEquals(null, rule.suppressingException(Platform.LINUX, null, null, built, null, "h", "h"));
    }

    @Test
    void linuxExceptionPathsAreCaseSensitive() {
        DetectionRule rule = RuleLoader.loadDefault();
        String parent = "/usr/local/go/bin/go";
        assertEquals(
                null,
                rule.suppressingException(
                        Platform.LINUX, null, null, "/tmp/GO-BUILD1/b001/exe/main", parent, "h", "h"));
        assertNotNull(
                rule.suppressingException(
                        Platform.MACOS, null, null, "/private/var/folders/zz/x/T/GO-BUILD1/b/exe/m", parent, "h", "h"));
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
        String temp = "C:\\Users\\b\\AppData\\Local\\Temp\\t.exe";
        assertNotNull(rule.suppressingException(Platform.WINDOWS, null, null, temp, null, null, "CI-agent-7"));
        assertEquals(null, rule.suppressingException(Platform.WINDOWS, null, null, temp, null, null, "ws-1"));
    }

    private static String minimalRule() {
        return "rule:\n  id: r1\n  name: test rule\n"
                + "start:\n  executable_includes: ['*\\Temp\\*']\n"
                + "connection:\n  internal_networks: []\n";
    }

    private static String profileRule(String platform, String profileBody) {
        return "rule:\n  id: r1\n  name: test rule\n"
                + "profiles:\n  " + platform + ":\n" + profileBody
                + "connection:\n  internal_networks: []\n";
    }

    private Path write(String yaml) throws Exception {
        Path file = Files.createTempFile(dir, "rule", ".yaml");
        Files.writeString(file, yaml);
        return file;
    }
}
