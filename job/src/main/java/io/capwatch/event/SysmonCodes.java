package io.capwatch.event;

/** The Sysmon event ids that the rule reads, shared by the ECS and the flat format. */
final class SysmonCodes {

    static final long PROCESS_CREATE = 1;
    static final long NETWORK_CONNECT = 3;
    static final long IMAGE_LOAD = 7;

    private SysmonCodes() {}

    /** Returns the action of a Sysmon event id, or null for an event the rule never reads. */
    static EventAction action(long eventId) {
        if (eventId == PROCESS_CREATE) {
            return EventAction.PROCESS_START;
        }
        if (eventId == NETWORK_CONNECT) {
            return EventAction.NETWORK_CONNECTION;
        }
        if (eventId == IMAGE_LOAD) {
            return EventAction.IMAGE_LOAD;
        }
        return null;
    }
}
