package io.capwatch.correlation;

/** The verdict of a code signature on a process image. */
public enum Trust {
    /** {@code code_signature.exists == false} or {@code code_signature.trusted == false}. */
    UNTRUSTED,
    /** A signature that exists and is trusted (Sysmon: Signed=true, SignatureStatus=Valid). */
    TRUSTED,
    /** Signature data that is present but meets neither untrusted condition. */
    NOT_UNTRUSTED,
    /** No signature data at all. */
    UNKNOWN
}
