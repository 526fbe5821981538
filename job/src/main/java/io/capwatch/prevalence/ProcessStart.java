package io.capwatch.prevalence;

import java.io.Serializable;

/** The part of a process start that fleet prevalence counts. A Flink POJO. */
public class ProcessStart implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The binary's prevalence key (see {@link PrevalenceKey}). */
    public String binary;
    /** The host key in lower case: {@code host.id}, else the host name. */
    public String host;
    /** Event time in epoch milliseconds. */
    public long timestamp;

    public ProcessStart() {}

    public ProcessStart(String binary, String host, long timestamp) {
        this.binary = binary;
        this.host = host;
        this.timestamp = timestamp;
    }
}
