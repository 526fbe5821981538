package io.capwatch.rule;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The rule file as written in YAML. Field names follow the file's snake_case keys; {@link
 * RuleLoader} validates it and {@link DetectionRule} is its compiled, serializable form.
 */
public final class RuleFile {
    public Metadata rule = new Metadata();

    /** The profiles by platform name ({@code windows}, {@code linux}, {@code macos}). */
    public Map<String, Profile> profiles;

    /**
     * The Windows profile's stage 1 in rule files written before profiles existed. A file sets
     * this or {@link #profiles}, not both.
     */
    public Start start;

    public Connection connection = new Connection();
    /** ISO-8601 duration, e.g. {@code PT1H}. */
    public String window = "PT1H";

    /** The scoring of every profile that has no {@code scoring} of its own. */
    public Scoring scoring;

    public List<ExceptionEntry> exceptions = new ArrayList<>();

    /** Identity and documentation of the rule, copied into every alert. */
    public static final class Metadata {
        public String id;
        public String name;
        public int version = 1;
        public String description;
        public List<String> author = new ArrayList<>();
        public String license;
        public List<String> references = new ArrayList<>();
        public Threat threat = new Threat();
        public String triage;

        @JsonProperty("false_positives")
        public String falsePositives;
    }

    /** The MITRE ATT&amp;CK classification. */
    public static final class Threat {
        public String framework = "MITRE ATT&CK";
        public Reference tactic = new Reference();
        public Reference technique = new Reference();
    }

    /** A tactic or technique: id, name and reference URL. */
    public static final class Reference {
        public String id;
        public String name;
        public String reference;
    }

    /** The rule for one platform: its stage 1 and its scoring. */
    public static final class Profile {
        public Start start;
        public Scoring scoring;
    }

    /** Stage 1: which process starts qualify. */
    public static final class Start {
        @JsonProperty("executable_includes")
        public List<String> executableIncludes = new ArrayList<>();

        @JsonProperty("executable_excludes")
        public List<String> executableExcludes = new ArrayList<>();

        /** {@code verify} or {@code ignore}; null for the platform's default. */
        @JsonProperty("signature_policy")
        public String signaturePolicy;

        /** Null when not set, so that a profile that ignores signatures can reject it. */
        @JsonProperty("unknown_signature_is_untrusted")
        public Boolean unknownSignatureIsUntrusted;
    }

    /** Stage 2: which connections qualify. */
    public static final class Connection {
        @JsonProperty("internal_networks")
        public List<String> internalNetworks = new ArrayList<>();
    }

    /** The risk-score inputs, on Elastic's 0-100 scale. */
    public static final class Scoring {
        @JsonProperty("unknown_prevalence")
        public int unknownPrevalence = 73;

        @JsonProperty("rare_max_hosts")
        public long rareMaxHosts = 1;

        public int rare = 99;

        @JsonProperty("common_min_hosts")
        public long commonMinHosts = 50;

        public int common = 47;
    }

    /** One known false positive. */
    public static final class ExceptionEntry {
        public String id;
        public String reason;
        public boolean enabled = true;
        public List<String> hashes = new ArrayList<>();
        public List<String> signers = new ArrayList<>();
        public List<String> paths = new ArrayList<>();
        public List<String> hosts = new ArrayList<>();

        @JsonProperty("parent_executables")
        public List<String> parentExecutables = new ArrayList<>();
    }
}
