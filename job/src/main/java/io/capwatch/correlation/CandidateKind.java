package io.capwatch.correlation;

/** The role an event can play in the sequence. */
public enum CandidateKind {
    /** A process start from a user-writable folder whose signature is untrusted or unknown. */
    START,
    /** A Sysmon image load of the process's own image, carrying its signature. */
    SIGNATURE,
    /** An outbound connection to an address outside the internal networks. */
    CONNECTION
}
