#!/usr/bin/env bash
# Runs a single-node Kafka broker for local development and tests, bound to 127.0.0.1 only. The one
# process is both broker and KRaft controller.
#
# Usage: deploy/local/kafka.sh start|stop|status
#        deploy/local/kafka.sh create-topic NAME [--partitions N] [--compact]
#
# Environment:
#   CAPWATCH_HOME                 downloads, data and logs (default: <repo>/.capwatch). Separate
#                                 homes can run side by side.
#   CAPWATCH_KAFKA_VERSION        broker version (default: kafka.server.version in pom.xml)
#   CAPWATCH_KAFKA_PORT           client (PLAINTEXT) port; when unset, a free port is picked
#   CAPWATCH_KAFKA_CONTROLLER_PORT  KRaft controller port; when unset, a free port is picked. Set
#                                 both ports to restart a stopped broker where it was before.
#   CAPWATCH_KAFKA_START_TIMEOUT  seconds to wait for the broker to respond (default: 60)
#   CAPWATCH_KAFKA_HEAP           maximum heap of the broker (default: 512m)
#   CAPWATCH_KAFKA_JAVA_HOME      Java for the broker (default: derived from `java` on PATH;
#                                 Kafka 4.x brokers need Java 17 or newer)
#   CAPWATCH_KAFKA_BOOTSTRAP      for create-topic only: the broker to create the topic on
#                                 (default: the one this script started for CAPWATCH_HOME)
#
# The broker runs from the jars of org.apache.kafka:kafka_2.13:<version> and its runtime
# dependencies, kafka-tools for the topic command and the log4j 2 binding for SLF4J, fetched from
# Maven Central with Maven into $CAPWATCH_HOME/kafka/lib. Topics, offsets and the cluster id stay in
# $CAPWATCH_HOME/kafka/data across restarts. The broker has no authentication, so it is for loopback
# use only. On success `start` prints the bootstrap address and writes it to
# $CAPWATCH_HOME/kafka.bootstrap.
set -euo pipefail

readonly SCRIPT_NAME="kafka.sh"
readonly SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
readonly REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"

readonly CAPWATCH_HOME="${CAPWATCH_HOME:-$REPO_ROOT/.capwatch}"
readonly START_TIMEOUT_SECONDS="${CAPWATCH_KAFKA_START_TIMEOUT:-60}"
readonly HEAP="${CAPWATCH_KAFKA_HEAP:-512m}"

readonly KAFKA_BASE="$CAPWATCH_HOME/kafka"
readonly LIB_DIR="$KAFKA_BASE/lib"
# Names the artifacts that LIB_DIR was fetched for, so that a change of version fetches again.
readonly LIB_STAMP="$LIB_DIR/.fetched"
readonly CONFIG_DIR="$KAFKA_BASE/config"
readonly SERVER_PROPERTIES="$CONFIG_DIR/server.properties"
readonly ADMIN_PROPERTIES="$CONFIG_DIR/admin.properties"
readonly READINESS_PROPERTIES="$CONFIG_DIR/readiness.properties"
readonly SERVER_LOG4J="$CONFIG_DIR/log4j2-server.properties"
readonly TOOLS_LOG4J="$CONFIG_DIR/log4j2-tools.properties"
readonly KAFKA_DATA="$KAFKA_BASE/data"
readonly KAFKA_LOGS="$KAFKA_BASE/logs"
readonly CONSOLE_LOG="$KAFKA_LOGS/console.log"
readonly SERVER_LOG="$KAFKA_LOGS/server.log"
# The process group of the broker, which `stop` signals.
readonly PID_FILE="$CAPWATCH_HOME/kafka.pid"
readonly BOOTSTRAP_FILE="$CAPWATCH_HOME/kafka.bootstrap"
readonly LOCK_FILE="$CAPWATCH_HOME/kafka.lock"

usage() {
    echo "Usage: $0 start|stop|status" >&2
    echo "       $0 create-topic NAME [--partitions N] [--compact]" >&2
    exit 2
}

# Prints the value of <NAME> in the parent pom.xml, or nothing when the pom does not set it.
pom_property() {
    local name="$1"
    [[ -f "$REPO_ROOT/pom.xml" ]] || return 0
    sed -n "s:.*<$name>\([^<]*\)</$name>.*:\1:p" "$REPO_ROOT/pom.xml" | head -n 1
}

kafka_version() {
    local version="${CAPWATCH_KAFKA_VERSION:-$(pom_property kafka.server.version)}"
    [[ -n "$version" ]] || fail "no Kafka version: set CAPWATCH_KAFKA_VERSION (pom.xml sets none in kafka.server.version)"
    echo "$version"
}

log4j_version() {
    local version
    version="$(pom_property log4j.version)"
    [[ -n "$version" ]] || fail "pom.xml sets no log4j.version, which names the log4j 2 binding for the broker"
    echo "$version"
}

is_running() {
    is_group_alive "$PID_FILE"
}

# Prints what needs Java 17, for the error about an older Java.
java_requirement() {
    echo "Kafka $(kafka_version) brokers need Java 17 or newer"
}

# Writes a pom whose runtime class path is the broker's. Maven resolves the transitive
# dependencies, and copy-dependencies copies them into one folder.
write_fetch_pom() {
    local dir="$1" version="$2" log4j="$3"
    cat >"$dir/pom.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by deploy/local/kafka.sh to fetch the broker's jars; not part of the build. -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
    <modelVersion>4.0.0</modelVersion>
    <groupId>io.capwatch.local</groupId>
    <artifactId>kafka-broker-libs</artifactId>
    <version>1</version>
    <packaging>pom</packaging>
    <dependencies>
        <dependency>
            <groupId>org.apache.kafka</groupId>
            <artifactId>kafka_2.13</artifactId>
            <version>$version</version>
        </dependency>
        <!-- TopicCommand, for readiness checks and create-topic. Kafka Connect is only needed by
             the Connect tools. -->
        <dependency>
            <groupId>org.apache.kafka</groupId>
            <artifactId>kafka-tools</artifactId>
            <version>$version</version>
            <exclusions>
                <exclusion>
                    <groupId>org.apache.kafka</groupId>
                    <artifactId>connect-runtime</artifactId>
                </exclusion>
            </exclusions>
        </dependency>
        <!-- The broker logs through SLF4J 1.7; this binding sends it to log4j 2. -->
        <dependency>
            <groupId>org.apache.logging.log4j</groupId>
            <artifactId>log4j-slf4j-impl</artifactId>
            <version>$log4j</version>
        </dependency>
    </dependencies>
</project>
EOF
}

fetch_libs() {
    local version log4j stamp
    version="$(kafka_version)"
    log4j="$(log4j_version)"
    stamp="org.apache.kafka:kafka_2.13:$version org.apache.logging.log4j:log4j-slf4j-impl:$log4j"
    if lib_is_current "$LIB_DIR" "$stamp"; then
        return 0
    fi
    require_maven "Kafka $version"
    mkdir -p "$KAFKA_BASE"
    local staging
    staging="$(mktemp -d "$KAFKA_BASE/fetch.XXXXXX")"
    write_fetch_pom "$staging" "$version" "$log4j"
    log "downloading Kafka $version and its dependencies through Maven"
    run_dependency_plugin "$staging" "org.apache.kafka:kafka_2.13:$version" copy-dependencies \
        -DincludeScope=runtime -DoutputDirectory="$staging/lib"
    [[ -f "$staging/lib/kafka_2.13-$version.jar" ]] || {
        rm -rf "$staging"
        fail "Maven copied no kafka_2.13-$version.jar; check that version $version exists on Maven Central"
    }
    install_lib "$staging" "$LIB_DIR" "$stamp"
}

write_config() {
    local client_port="$1" controller_port="$2"
    mkdir -p "$CONFIG_DIR"
    cat >"$SERVER_PROPERTIES" <<EOF
# Written by deploy/local/kafka.sh; rewritten on every start.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$client_port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$client_port
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$KAFKA_DATA
# One broker: every internal topic has one replica, and one in-sync replica is enough.
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
# Consumer groups start at once instead of waiting 3 s for more members.
group.initial.rebalance.delay.ms=0
# A typo in a topic name fails instead of creating a topic.
auto.create.topics.enable=false
num.partitions=1
num.network.threads=2
num.io.threads=4
EOF
    cat >"$SERVER_LOG4J" <<EOF
# Written by deploy/local/kafka.sh. The broker logs to $SERVER_LOG.
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = File
appender.file.type = File
appender.file.name = File
appender.file.fileName = $SERVER_LOG
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
EOF
    write_tool_config
}

# Writes the client settings and logging of the topic commands that this script runs.
write_tool_config() {
    mkdir -p "$CONFIG_DIR"
    cat >"$ADMIN_PROPERTIES" <<'EOF'
# Written by deploy/local/kafka.sh. The topic commands fail within seconds when the broker does
# not respond, rather than after the clients' default of 60 s.
request.timeout.ms=5000
default.api.timeout.ms=10000
EOF
    # The readiness check gives up sooner, because `start` repeats it until its own timeout. While
    # the broker starts, its port accepts connections before it can serve metadata.
    cat >"$READINESS_PROPERTIES" <<'EOF'
# Written by deploy/local/kafka.sh, for the readiness check of start and status.
request.timeout.ms=1000
default.api.timeout.ms=2000
EOF
    cat >"$TOOLS_LOG4J" <<'EOF'
# Written by deploy/local/kafka.sh. The topic commands log warnings and errors to standard error.
rootLogger.level = WARN
rootLogger.appenderRef.stderr.ref = Stderr
appender.stderr.type = Console
appender.stderr.name = Stderr
appender.stderr.target = SYSTEM_ERR
appender.stderr.layout.type = PatternLayout
appender.stderr.layout.pattern = [%d] %p %m (%c)%n
EOF
}

# Prints a random cluster id: 16 bytes in URL-safe base64 without padding, the form Kafka's Uuid uses.
random_cluster_id() {
    head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n'
}

# Formats the data directory the first time. Later starts keep its topics and cluster id.
format_storage() {
    local java_home="$1"
    if [[ -f "$KAFKA_DATA/meta.properties" ]]; then
        return 0
    fi
    mkdir -p "$KAFKA_DATA"
    local output
    if ! output="$("$java_home/bin/java" -Xmx256m -Dlog4j2.configurationFile="$TOOLS_LOG4J" \
        -cp "$LIB_DIR/*" kafka.tools.StorageTool format \
        -t "$(random_cluster_id)" -c "$SERVER_PROPERTIES" 2>&1)"; then
        echo "$output" >&2
        fail "formatting $KAFKA_DATA failed; see the output above"
    fi
}

# Runs Kafka's TopicCommand against <bootstrap> with the given arguments.
topic_command() {
    local java_home="$1" bootstrap="$2"
    shift 2
    "$java_home/bin/java" -Xmx128m -Dlog4j2.configurationFile="$TOOLS_LOG4J" \
        -cp "$LIB_DIR/*" org.apache.kafka.tools.TopicCommand \
        --bootstrap-server "$bootstrap" --command-config "$ADMIN_PROPERTIES" "$@"
}

# Succeeds when the broker at <bootstrap> lists its topics.
broker_responds() {
    local java_home="$1" bootstrap="$2"
    "$java_home/bin/java" -Xmx128m -Dlog4j2.configurationFile="$TOOLS_LOG4J" \
        -cp "$LIB_DIR/*" org.apache.kafka.tools.TopicCommand \
        --bootstrap-server "$bootstrap" --command-config "$READINESS_PROPERTIES" --list >/dev/null 2>&1
}

print_log_tail() {
    print_log_tails 40 "the broker wrote no log lines yet; its logs go to $KAFKA_LOGS" \
        "$CONSOLE_LOG" "$SERVER_LOG"
}

bind_failed() {
    logs_report_bind_failure "$CONSOLE_LOG" "$SERVER_LOG"
}

# Starts the broker on the given ports and waits until it lists topics. Returns 0 when ready,
# 10 when the client or controller port was taken by the time it bound, and fails otherwise.
launch() {
    local client_port="$1" controller_port="$2" java_home="$3"
    write_config "$client_port" "$controller_port"
    format_storage "$java_home"
    mkdir -p "$KAFKA_LOGS"
    : >"$CONSOLE_LOG"
    : >"$SERVER_LOG"

    # setsid gives the broker its own process group, so `stop` can signal it however it was
    # started. The lock descriptor is closed so that the broker does not hold it.
    setsid "$java_home/bin/java" -Xms256m "-Xmx$HEAP" -XX:+UseG1GC -Djava.awt.headless=true \
        -Dlog4j2.configurationFile="$SERVER_LOG4J" \
        -cp "$LIB_DIR/*" kafka.Kafka "$SERVER_PROPERTIES" \
        >>"$CONSOLE_LOG" 2>&1 </dev/null 9>&- &
    local pgid=$!
    echo "$pgid" >"$PID_FILE"

    local bootstrap="127.0.0.1:$client_port"
    local deadline=$((SECONDS + START_TIMEOUT_SECONDS)) polls=0
    while ((SECONDS < deadline)); do
        polls=$((polls + 1))
        if ! kill -0 "$pgid" 2>/dev/null; then
            rm -f "$PID_FILE"
            if bind_failed; then
                return 10
            fi
            print_log_tail
            fail "the broker exited during start; see the log lines above"
        fi
        # Each check starts a JVM, which slows the broker's own start on a small machine, so the
        # check waits for the broker's start message, and otherwise runs every 2 s.
        if port_in_use "$client_port" \
            && { grep -q "Kafka Server started" "$SERVER_LOG" 2>/dev/null || ((polls % 4 == 0)); } \
            && broker_responds "$java_home" "$bootstrap"; then
            echo "$bootstrap" >"$BOOTSTRAP_FILE"
            return 0
        fi
        if bind_failed; then
            kill_group "$pgid"
            rm -f "$PID_FILE"
            return 10
        fi
        sleep 0.5
    done
    print_log_tail
    kill_group "$pgid"
    rm -f "$PID_FILE"
    fail "the broker did not respond at $bootstrap within $START_TIMEOUT_SECONDS s (CAPWATCH_KAFKA_START_TIMEOUT)"
}

start() {
    local started_at="$EPOCHREALTIME"
    lock_for_start "$LOCK_FILE"
    if report_already_running "$PID_FILE" "$BOOTSTRAP_FILE"; then
        return 0
    fi

    check_timeout_seconds CAPWATCH_KAFKA_START_TIMEOUT "$START_TIMEOUT_SECONDS"
    [[ "$HEAP" =~ ^[0-9]+[mMgG]$ ]] || fail "CAPWATCH_KAFKA_HEAP='$HEAP' is not a heap size such as 512m or 1g"
    check_port_variable CAPWATCH_KAFKA_PORT
    check_port_variable CAPWATCH_KAFKA_CONTROLLER_PORT

    local java_home version
    java_home="$(resolve_java_home CAPWATCH_KAFKA_JAVA_HOME java_requirement)"
    version="$(kafka_version)"
    fetch_libs

    local attempt client_port controller_port result
    for attempt in 1 2 3; do
        client_port="${CAPWATCH_KAFKA_PORT:-$(pick_free_port CAPWATCH_KAFKA_PORT)}"
        controller_port="${CAPWATCH_KAFKA_CONTROLLER_PORT:-$(pick_free_port CAPWATCH_KAFKA_CONTROLLER_PORT)}"
        [[ "$controller_port" != "$client_port" ]] || controller_port="$(pick_free_port CAPWATCH_KAFKA_CONTROLLER_PORT)"
        log "starting Kafka $version on 127.0.0.1:$client_port, controller on 127.0.0.1:$controller_port (CAPWATCH_HOME=$CAPWATCH_HOME)"
        result=0
        launch "$client_port" "$controller_port" "$java_home" || result=$?
        if ((result == 0)); then
            local elapsed_ms
            elapsed_ms=$(( (${EPOCHREALTIME/./} - ${started_at/./}) / 1000 ))
            log "ready $((elapsed_ms / 1000)).$(printf '%03d' $((elapsed_ms % 1000))) s after the script started"
            cat "$BOOTSTRAP_FILE"
            return 0
        fi
        if [[ -n "${CAPWATCH_KAFKA_PORT:-}" || -n "${CAPWATCH_KAFKA_CONTROLLER_PORT:-}" ]]; then
            print_log_tail
            fail "the port $client_port or the controller port $controller_port was taken before the broker could bind it (CAPWATCH_KAFKA_PORT, CAPWATCH_KAFKA_CONTROLLER_PORT)"
        fi
        log "a port was taken before the broker could bind it; trying other ports"
    done
    print_log_tail
    fail "the broker could not bind free ports in 3 tries"
}

stop() {
    stop_group_service "$LOCK_FILE" "$PID_FILE" "$BOOTSTRAP_FILE"
}

status() {
    if ! is_running; then
        log "not running"
        return 3
    fi
    local bootstrap java_home
    bootstrap="$(cat "$BOOTSTRAP_FILE" 2>/dev/null || true)"
    java_home="$(resolve_java_home CAPWATCH_KAFKA_JAVA_HOME java_requirement)"
    if [[ -n "$bootstrap" ]] && broker_responds "$java_home" "$bootstrap"; then
        log "running at $bootstrap (process group $(cat "$PID_FILE"))"
        echo "$bootstrap"
        return 0
    fi
    log "process group $(cat "$PID_FILE") is alive but ${bootstrap:-the broker} does not respond"
    return 1
}

create_topic() {
    [[ $# -ge 1 ]] || usage
    local name="$1" partitions=1 compact=0
    shift
    while [[ $# -gt 0 ]]; do
        case "$1" in
            --partitions)
                [[ $# -ge 2 ]] || fail "--partitions needs a number"
                partitions="$2"
                shift 2
                ;;
            --partitions=*)
                partitions="${1#--partitions=}"
                shift
                ;;
            --compact)
                compact=1
                shift
                ;;
            *) fail "unknown option '$1' for create-topic; expected --partitions N or --compact" ;;
        esac
    done
    # Kafka's own rule for topic names (org.apache.kafka.common.internals.Topic.validate).
    [[ "$name" =~ ^[A-Za-z0-9._-]{1,249}$ && "$name" != "." && "$name" != ".." ]] \
        || fail "invalid topic name '$name': use 1-249 letters, digits, '.', '_' or '-'"
    [[ "$partitions" =~ ^[0-9]+$ ]] && ((partitions >= 1)) \
        || fail "--partitions '$partitions' is not a positive number"

    local bootstrap="${CAPWATCH_KAFKA_BOOTSTRAP:-}"
    if [[ -z "$bootstrap" ]]; then
        is_running && [[ -s "$BOOTSTRAP_FILE" ]] \
            || fail "no broker is running for CAPWATCH_HOME=$CAPWATCH_HOME; run '$0 start' first or set CAPWATCH_KAFKA_BOOTSTRAP"
        bootstrap="$(cat "$BOOTSTRAP_FILE")"
    fi
    [[ -f "$LIB_STAMP" ]] || fetch_libs
    write_tool_config

    local java_home
    java_home="$(resolve_java_home CAPWATCH_KAFKA_JAVA_HOME java_requirement)"
    local -a configs=()
    if ((compact)); then
        configs=(--config cleanup.policy=compact)
    fi
    local output
    if output="$(topic_command "$java_home" "$bootstrap" --create --topic "$name" \
        --partitions "$partitions" --replication-factor 1 "${configs[@]}" 2>&1)"; then
        log "created topic $name with $partitions partition(s)$( ((compact)) && echo ", compacted") on $bootstrap"
        return 0
    fi
    if grep -q "TopicExistsException\|already exists" <<<"$output"; then
        log "topic $name already exists on $bootstrap and was left unchanged:"
        topic_command "$java_home" "$bootstrap" --describe --topic "$name" >&2 || true
        return 0
    fi
    echo "$output" >&2
    fail "creating topic $name on $bootstrap failed; see the output above"
}

main() {
    [[ $# -ge 1 ]] || usage
    local command="$1"
    shift
    case "$command" in
        start) [[ $# -eq 0 ]] || usage; start ;;
        stop) [[ $# -eq 0 ]] || usage; stop ;;
        status) [[ $# -eq 0 ]] || usage; status ;;
        create-topic) create_topic "$@" ;;
        *) usage ;;
    esac
}

main "$@"
