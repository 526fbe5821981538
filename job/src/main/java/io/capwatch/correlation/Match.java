package io.capwatch.correlation;

import java.io.Serializable;

/** A completed sequence: a qualifying start and the first qualifying connection after it. */
public class Match implements Serializable {
    private static final long serialVersionUID = 1L;

    public Candidate start;
    public Candidate connection;

    public Match() {}

    public Match(Candidate start, Candidate connection) {
        this.start = start;
        this.connection = connection;
    }
}
