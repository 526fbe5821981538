# shellcheck shell=bash
# Helpers shared by the service scripts of deploy/local (elasticsearch.sh, kafka.sh, flink.sh).
#
# Source it after setting SCRIPT_NAME, which prefixes every log line, for example:
#   readonly SCRIPT_NAME="kafka.sh"
#   source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# The functions expect the caller's `set -euo pipefail`. Those that take the lock use file
# descriptor 9, which the scripts close for the services they start.

: "${SCRIPT_NAME:?set SCRIPT_NAME to the file name of the script before sourcing lib/common.sh}"

readonly DEPENDENCY_PLUGIN="org.apache.maven.plugins:maven-dependency-plugin:3.8.1"

log() {
    echo "$SCRIPT_NAME: $*" >&2
}

fail() {
    log "error: $*"
    exit 1
}

# Takes the lock <lock_file> on descriptor 9 for `start`, or fails at once when another start or
# stop for this CAPWATCH_HOME holds it.
lock_for_start() {
    local lock_file="$1"
    mkdir -p "$CAPWATCH_HOME"
    exec 9>"$lock_file"
    flock -n 9 || fail "another start or stop is running for CAPWATCH_HOME=$CAPWATCH_HOME"
}

# Takes the lock <lock_file> on descriptor 9 for `stop`, waiting up to 60 s for a start or stop.
lock_for_stop() {
    local lock_file="$1"
    mkdir -p "$CAPWATCH_HOME"
    exec 9>"$lock_file"
    flock -w 60 9 || fail "timed out waiting for another start or stop for CAPWATCH_HOME=$CAPWATCH_HOME"
}

# Succeeds when the process group recorded in <pid_file> still has a live member.
is_group_alive() {
    local pid_file="$1"
    [[ -f "$pid_file" ]] || return 1
    local pgid
    pgid="$(cat "$pid_file")"
    [[ "$pgid" =~ ^[0-9]+$ ]] || return 1
    kill -0 -- "-$pgid" 2>/dev/null
}

# Sends SIGTERM to the process group <pgid>, and SIGKILL when it is still alive after 30 s.
kill_group() {
    local pgid="$1"
    kill -TERM -- "-$pgid" 2>/dev/null || return 0
    local waited=0
    while kill -0 -- "-$pgid" 2>/dev/null; do
        if ((waited >= 60)); then
            log "process group $pgid did not stop within 30 s; sending SIGKILL"
            kill -KILL -- "-$pgid" 2>/dev/null || true
            break
        fi
        sleep 0.5
        waited=$((waited + 1))
    done
}

# Succeeds when something accepts TCP connections on 127.0.0.1:<port>.
port_in_use() {
    local port="$1"
    if ss -Hltn "sport = :$port" 2>/dev/null | grep -q .; then
        return 0
    fi
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
}

# Prints a port in 20000-59999 that nothing listens on. Another process may still take it before
# the service binds it, so `start` retries when the bind fails. The error names <port_variable>,
# which sets a fixed port instead.
pick_free_port() {
    local port_variable="$1"
    local port
    for _ in $(seq 1 50); do
        port=$((20000 + RANDOM % 40000))
        if ! port_in_use "$port"; then
            echo "$port"
            return 0
        fi
    done
    fail "found no free port after 50 random tries in 20000-59999; set $port_variable"
}

# Fails unless the value of the environment variable <name> is a positive number of seconds.
check_timeout_seconds() {
    local name="$1" value="$2"
    if ! [[ "$value" =~ ^[0-9]+$ ]] || ! ((value > 0)); then
        fail "$name='$value' is not a positive number of seconds"
    fi
}

# Fails when the environment variable <name> is set to something other than a free port number.
check_port_variable() {
    local name="$1"
    local port="${!name:-}"
    [[ -n "$port" ]] || return 0
    if ! [[ "$port" =~ ^[0-9]+$ ]] || ! ((port >= 1 && port <= 65535)); then
        fail "$name='$port' is not a port number (1-65535)"
    fi
    if port_in_use "$port"; then
        fail "port $port ($name) is already in use on 127.0.0.1; pick another or unset it"
    fi
}

# Prints the Java home named by the environment variable <java_home_variable>, or else the one of
# `java` on PATH, after checking that it runs Java 17 or newer. <requirement_function> prints what
# needs Java 17 for the error message, and it runs only when the Java is too old.
resolve_java_home() {
    local java_home_variable="$1" requirement_function="$2"
    local java_home="${!java_home_variable:-}"
    if [[ -z "$java_home" ]]; then
        local java_bin
        java_bin="$(command -v java)" || fail "java is not on PATH; install Java 17 or set $java_home_variable"
        java_bin="$(readlink -f "$java_bin")"
        java_home="$(dirname "$(dirname "$java_bin")")"
    fi
    [[ -x "$java_home/bin/java" ]] || fail "no executable $java_home/bin/java; set $java_home_variable to a JDK"

    local version_line major
    version_line="$("$java_home/bin/java" -version 2>&1 | head -n 1)"
    major="$(sed -E 's/.*version "([0-9]+).*/\1/' <<<"$version_line")"
    [[ "$major" =~ ^[0-9]+$ ]] || fail "cannot read the Java version from '$version_line'"
    if ((major < 17)); then
        fail "Java $major at $java_home is too old: $("$requirement_function")"
    fi
    echo "$java_home"
}

# Fails unless Maven is on PATH. <what> names the download in the error message.
require_maven() {
    local what="$1"
    command -v mvn >/dev/null || fail "mvn is not on PATH; it is needed to download $what"
}

# Runs the goal <goal> of the Maven dependency plugin with the given -D options in <staging>, which
# contains the POM to use, if any. On failure it prints the end of Maven's output, deletes
# <staging> and fails with a message that names <what>.
run_dependency_plugin() {
    local staging="$1" what="$2" goal="$3"
    shift 3
    # Running in the staging folder keeps Maven from loading the project's pom.xml.
    if ! (cd "$staging" && mvn -B -q -Dstyle.color=never "$DEPENDENCY_PLUGIN:$goal" "$@" \
        >"$staging/mvn.log" 2>&1); then
        tail -n 30 "$staging/mvn.log" >&2 || true
        rm -rf "$staging"
        fail "download of $what failed; check the Maven output above and the network to Maven Central"
    fi
}

# Succeeds when <lib_dir>/.fetched contains <stamp>, which identifies what the folder was fetched for.
lib_is_current() {
    local lib_dir="$1" stamp="$2"
    [[ -f "$lib_dir/.fetched" && "$(cat "$lib_dir/.fetched")" == "$stamp" ]]
}

# Replaces <lib_dir> with <staging>/lib, stamped with <stamp>, and deletes <staging>.
install_lib() {
    local staging="$1" lib_dir="$2" stamp="$3"
    echo "$stamp" >"$staging/lib/.fetched"
    rm -rf "$lib_dir"
    mv "$staging/lib" "$lib_dir"
    rm -rf "$staging"
}

# Succeeds when one of the given log files reports that a port was taken.
logs_report_bind_failure() {
    grep -q -E "BindException|Address already in use" "$@" 2>/dev/null
}

# Prints the last <lines> lines of each non-empty file to standard error. When every file is empty
# or missing, it logs <empty_message> instead, unless that is empty.
print_log_tails() {
    local lines="$1" empty_message="$2"
    shift 2
    local file printed=0
    for file in "$@"; do
        if [[ -s "$file" ]]; then
            log "last lines of $file:"
            tail -n "$lines" "$file" >&2
            printed=1
        fi
    done
    if ((!printed)) && [[ -n "$empty_message" ]]; then
        log "$empty_message"
    fi
}

# Logs that the service is already running and prints its address, when the process group in
# <pid_file> is alive and <address_file> is not empty. Otherwise deletes both files and returns 1.
report_already_running() {
    local pid_file="$1" address_file="$2"
    if is_group_alive "$pid_file" && [[ -s "$address_file" ]]; then
        log "already running (process group $(cat "$pid_file"))"
        cat "$address_file"
        return 0
    fi
    rm -f "$pid_file" "$address_file"
    return 1
}

# Stops a service that runs as one process group: holding <lock_file>, kills the group in
# <pid_file> and deletes that file and <address_file>.
stop_group_service() {
    local lock_file="$1" pid_file="$2" address_file="$3"
    lock_for_stop "$lock_file"
    if ! is_group_alive "$pid_file"; then
        rm -f "$pid_file" "$address_file"
        log "not running"
        return 0
    fi
    local pgid
    pgid="$(cat "$pid_file")"
    kill_group "$pgid"
    rm -f "$pid_file" "$address_file"
    log "stopped (process group $pgid)"
}
