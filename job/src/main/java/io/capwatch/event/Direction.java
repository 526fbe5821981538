package io.capwatch.event;

/** Direction of a network connection as seen from the host that logged it. */
public enum Direction {
    /** The host initiated it (ECS egress/outbound, Sysmon Initiated=true, auditd connect). */
    OUTBOUND,
    /** The host received or accepted it (ECS ingress/inbound, connection_accepted, Initiated=false). */
    INBOUND,
    /** The record carries no direction. */
    UNKNOWN
}
