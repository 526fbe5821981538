package io.capwatch.rule;

/** How a rule profile decides whether a started executable is untrusted. */
public enum SignaturePolicy {
    /**
     * The code signature decides: untrusted when {@code code_signature.trusted == false} or {@code
     * code_signature.exists == false}, unknown when the event carries neither field.
     */
    VERIFY("verify"),
    /**
     * The signature is not read, and every start from an included folder counts as untrusted. For
     * Linux, where ELF binaries carry no signature that the agents report.
     */
    IGNORE("ignore");

    private final String key;

    SignaturePolicy(String key) {
        this.key = key;
    }

    /** Returns the value of {@code signature_policy} in the rule file. */
    public String key() {
        return key;
    }

    /** Returns the policy named {@code key} in a rule file, or null when none has that name. */
    public static SignaturePolicy ofKey(String key) {
        for (SignaturePolicy policy : values()) {
            if (policy.key.equals(key)) {
                return policy;
            }
        }
        return null;
    }
}
