package io.capwatch.event;

/**
 * Derivation of the code-signature fields of an image load, whose sources describe a signature
 * differently: Sysmon event 7 logs {@code Signed} and {@code SignatureStatus}, ECS documents carry
 * {@code file.code_signature.*}. A field the record does not carry stays null, so "unknown" never
 * reads as "unsigned".
 */
final class CodeSignatures {

    /** The {@code SignatureStatus} of a signature that Windows verified. */
    private static final String SYSMON_VALID = "Valid";

    private CodeSignatures() {}

    /**
     * Applies Sysmon's fields. {@code Signed=false} means no signature. {@code Signed=true} means a
     * signature that is trusted exactly when the status is {@code Valid}, and of unknown trust
     * when no status is logged.
     */
    static void applySysmon(SecurityEvent event, boolean signed, String status, String subject) {
        event.signatureStatus = status;
        event.signatureSubject = subject;
        event.signatureExists = signed;
        if (signed && status != null) {
            event.signatureTrusted = SYSMON_VALID.equalsIgnoreCase(status);
        }
    }

    /**
     * Applies ECS fields as given. The one inference is that a trusted (or valid) signature
     * exists, because Winlogbeat writes {@code file.code_signature.valid} without {@code exists}.
     *
     * @param exists {@code file.code_signature.exists}, else {@code .signed}
     * @param trusted {@code file.code_signature.trusted}, else {@code .valid}
     */
    static void applyEcs(SecurityEvent event, Boolean exists, Boolean trusted, String status, String subject) {
        event.signatureStatus = status;
        event.signatureSubject = subject;
        event.signatureTrusted = trusted;
        event.signatureExists = exists == null && Boolean.TRUE.equals(trusted) ? Boolean.TRUE : exists;
    }
}
