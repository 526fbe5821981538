package io.capwatch.tools;

/** The attack chains the generator injects. Each Windows chain raises one alert with the shipped rule. */
enum AttackKind {
    /** An unsigned stager started from a user's Downloads folder that calls back within minutes. */
    WINDOWS_DOWNLOADS_STAGER("windows-downloads-stager"),
    /**
     * An ELF binary started from /tmp that connects to 192.0.2.1:4444; the rule's Linux profile
     * decides on its folder alone, since Linux binaries carry no signature.
     */
    LINUX_TMP_ELF("linux-tmp-elf"),
    /** An unsigned binary in %LOCALAPPDATA%\Temp with a hash that no other host has. */
    WINDOWS_RARE_TEMP_BINARY("windows-rare-temp-binary");

    /** The name in the summary and in the injected-attack records. */
    final String label;

    AttackKind(String label) {
        this.label = label;
    }

    boolean isWindows() {
        return this != LINUX_TMP_ELF;
    }
}
