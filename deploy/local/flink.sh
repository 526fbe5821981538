#!/usr/bin/env bash
# Runs a Flink standalone session cluster for local development and tests: one JobManager and one
# TaskManager with 2 slots, every address bound to 127.0.0.1.
#
# Usage: deploy/local/flink.sh start|stop|status|start-taskmanager
#
# `start-taskmanager` starts a new TaskManager for a running JobManager after the TaskManager has
# died (after a crash or a SIGKILL in a fault test). Jobs that wait for slots then run on it.
#
# Environment:
#   CAPWATCH_HOME                  downloads, configuration and logs (default: <repo>/.capwatch).
#                                  Separate homes can run side by side.
#   CAPWATCH_FLINK_VERSION         Flink version (default: flink.version in the parent pom.xml)
#   CAPWATCH_FLINK_REST_PORT       REST and web UI port; when unset, a free port is picked
#   CAPWATCH_FLINK_START_TIMEOUT   seconds to wait for the TaskManager to register (default: 120)
#   CAPWATCH_FLINK_JAVA_HOME       Java for both processes (default: derived from `java` on PATH;
#                                  the job is built for Java 17, so 17 or newer is required)
#
# No flink-dist is published to Maven Central, so the cluster runs from the Flink module jars:
# flink-runtime (with the entry points), flink-runtime-web (the /jars upload and run handlers),
# flink-clients, flink-streaming-java, flink-rpc-akka-loader, and, as in a distribution's lib/,
# flink-cep, flink-connector-files (which contains flink-connector-base), the RocksDB state
# backend (so `state.backend.type: rocksdb` works as on a distribution) and log4j 2. Maven
# copies them with their dependencies into $CAPWATCH_HOME/flink/lib once per version.
#
# On success `start` prints HOST:PORT of the REST endpoint, which is what `--flink-cluster` and
# `flink run -m` take, and writes it to $CAPWATCH_HOME/flink.address. The cluster has no
# authentication, so it is for loopback use only.
set -euo pipefail

readonly SCRIPT_NAME="flink.sh"
readonly SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
readonly REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"

readonly CAPWATCH_HOME="${CAPWATCH_HOME:-$REPO_ROOT/.capwatch}"
readonly START_TIMEOUT_SECONDS="${CAPWATCH_FLINK_START_TIMEOUT:-120}"
readonly TASK_SLOTS=2

readonly FLINK_BASE="$CAPWATCH_HOME/flink"
readonly LIB_DIR="$FLINK_BASE/lib"
# $LIB_DIR/.fetched contains the hash of the POM that $LIB_DIR was fetched with. Another version
# or artifact list fetches it again.
readonly CONF_DIR="$FLINK_BASE/conf"
readonly LOG_DIR="$FLINK_BASE/log"
readonly PLUGINS_DIR="$FLINK_BASE/plugins"
readonly UPLOAD_DIR="$FLINK_BASE/upload"
readonly TMP_DIR="$FLINK_BASE/tmp"
readonly JOBMANAGER_LOG="$LOG_DIR/jobmanager.log"
readonly JOBMANAGER_OUT="$LOG_DIR/jobmanager.out"
readonly TASKMANAGER_LOG="$LOG_DIR/taskmanager.log"
readonly TASKMANAGER_OUT="$LOG_DIR/taskmanager.out"
# Each file contains the process group id of one process, which `stop` signals.
readonly JOBMANAGER_PID_FILE="$CAPWATCH_HOME/flink-jobmanager.pid"
readonly TASKMANAGER_PID_FILE="$CAPWATCH_HOME/flink-taskmanager.pid"
readonly ADDRESS_FILE="$CAPWATCH_HOME/flink.address"
readonly LOCK_FILE="$CAPWATCH_HOME/flink.lock"

# The JVM options a Flink distribution's config.yaml sets in env.java.opts.all for Java 17
# (Flink 2.2), so that Kryo and Flink's own reflection can reach JDK internals.
readonly JAVA_17_OPTIONS=(
    --add-exports=java.base/sun.net.util=ALL-UNNAMED
    --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED
    --add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED
    --add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED
    --add-exports=jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED
    --add-exports=jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED
    --add-exports=jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED
    --add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED
    --add-opens=java.base/java.lang=ALL-UNNAMED
    --add-opens=java.base/java.net=ALL-UNNAMED
    --add-opens=java.base/java.io=ALL-UNNAMED
    --add-opens=java.base/java.nio=ALL-UNNAMED
    --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
    --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
    --add-opens=java.base/java.text=ALL-UNNAMED
    --add-opens=java.base/java.time=ALL-UNNAMED
    --add-opens=java.base/java.util=ALL-UNNAMED
    --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
    --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
    --add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED
    # DataSketches 7 (derived fleet prevalence) runs on Java 17's incubating foreign-memory API.
    --add-modules=jdk.incubator.foreign
)

usage() {
    echo "Usage: $0 start|stop|status|start-taskmanager" >&2
    exit 2
}

flink_version() {
    if [[ -n "${CAPWATCH_FLINK_VERSION:-}" ]]; then
        echo "$CAPWATCH_FLINK_VERSION"
        return 0
    fi
    local version
    version="$(sed -n 's:.*<flink.version>\(.*\)</flink.version>.*:\1:p' "$REPO_ROOT/pom.xml" | head -n 1)"
    [[ -n "$version" ]] || fail "no <flink.version> in $REPO_ROOT/pom.xml; set CAPWATCH_FLINK_VERSION"
    echo "$version"
}

is_running() {
    is_group_alive "$JOBMANAGER_PID_FILE" && is_group_alive "$TASKMANAGER_PID_FILE"
}

# Prints what needs Java 17, for the error about an older Java.
java_requirement() {
    echo "the capwatch job needs Java 17 or newer"
}

# Writes a POM whose runtime dependencies are the jars of the cluster's lib/. Importing
# flink-parent pins every transitive version, log4j's included, to the ones Flink was built with.
write_lib_pom() {
    local pom="$1" version="$2"
    local modules="flink-runtime flink-runtime-web flink-clients flink-streaming-java flink-rpc-akka-loader flink-cep flink-connector-files flink-statebackend-rocksdb"
    {
        cat <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by deploy/local/flink.sh: the jars of a local Flink cluster's lib/. -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
    <modelVersion>4.0.0</modelVersion>
    <groupId>io.capwatch.local</groupId>
    <artifactId>flink-lib</artifactId>
    <version>$version</version>
    <packaging>pom</packaging>
    <dependencyManagement>
        <dependencies>
            <dependency>
                <groupId>org.apache.flink</groupId>
                <artifactId>flink-parent</artifactId>
                <version>$version</version>
                <type>pom</type>
                <scope>import</scope>
            </dependency>
        </dependencies>
    </dependencyManagement>
    <dependencies>
EOF
        local module
        for module in $modules; do
            cat <<EOF
        <dependency>
            <groupId>org.apache.flink</groupId>
            <artifactId>$module</artifactId>
            <version>$version</version>
        </dependency>
EOF
        done
        for module in log4j-slf4j-impl log4j-api log4j-core log4j-1.2-api; do
            cat <<EOF
        <dependency>
            <groupId>org.apache.logging.log4j</groupId>
            <artifactId>$module</artifactId>
        </dependency>
EOF
        done
        cat <<EOF
    </dependencies>
</project>
EOF
    } >"$pom"
}

fetch_lib() {
    local version="$1"
    mkdir -p "$FLINK_BASE"
    local staging
    staging="$(mktemp -d "$FLINK_BASE/fetch.XXXXXX")"
    write_lib_pom "$staging/pom.xml" "$version"
    local stamp
    stamp="$(sha256sum "$staging/pom.xml" | cut -d ' ' -f 1)"
    if lib_is_current "$LIB_DIR" "$stamp"; then
        rm -rf "$staging"
        return 0
    fi
    require_maven "the Flink $version jars"
    log "downloading the Flink $version jars through Maven into $LIB_DIR"
    run_dependency_plugin "$staging" "the Flink $version jars" copy-dependencies \
        -DincludeScope=runtime -DoutputDirectory="$staging/lib"
    install_lib "$staging" "$LIB_DIR" "$stamp"
}

write_config() {
    local rest_port="$1" rpc_port="$2"
    cat >"$CONF_DIR/config.yaml" <<EOF
# Written by deploy/local/flink.sh; rewritten on every start.
# Every address is 127.0.0.1. The script picks the REST and JobManager RPC ports. The other ports
# are 0, so the operating system assigns a free one.
jobmanager.rpc.address: 127.0.0.1
jobmanager.rpc.port: $rpc_port
jobmanager.bind-host: 127.0.0.1
taskmanager.host: 127.0.0.1
taskmanager.bind-host: 127.0.0.1
taskmanager.rpc.port: 0
taskmanager.data.port: 0
blob.server.port: 0
metrics.internal.query-service.port: 0
rest.address: 127.0.0.1
rest.bind-address: 127.0.0.1
rest.port: $rest_port

taskmanager.numberOfTaskSlots: $TASK_SLOTS
parallelism.default: 1

# About 320 MB of heap for each process.
jobmanager.memory.heap.size: 320m
jobmanager.memory.off-heap.size: 64m
taskmanager.memory.framework.heap.size: 128m
taskmanager.memory.task.heap.size: 192m
# Batch jobs sort keyed inputs in managed memory, shared by the slots.
taskmanager.memory.managed.size: 128m
# Each result partition of a batch job's sort-merge shuffle takes at least 512 buffers of 32 KB
# (taskmanager.network.sort-shuffle.min-buffers in Flink 2.2). With 64 MB, a capwatch backfill at
# parallelism 2 failed with "Insufficient number of network buffers".
taskmanager.memory.network.min: 128m
taskmanager.memory.network.max: 128m

io.tmp.dirs: $TMP_DIR
web.tmpdir: $TMP_DIR/web
web.upload.dir: $UPLOAD_DIR
EOF
}

write_log_config() {
    cat >"$CONF_DIR/log4j.properties" <<'EOF'
# Written by deploy/local/flink.sh; rewritten on every start. Each process writes to the file
# named by its log.file system property, which the web UI also shows. A start deletes the files of
# the previous run.
monitorInterval = 30
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = MainAppender

appender.main.name = MainAppender
appender.main.type = RollingFile
appender.main.append = true
appender.main.fileName = ${sys:log.file}
appender.main.filePattern = ${sys:log.file}.%i
appender.main.layout.type = PatternLayout
appender.main.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-60c %x - %m%n
appender.main.policies.type = Policies
appender.main.policies.size.type = SizeBasedTriggeringPolicy
appender.main.policies.size.size = 100MB
appender.main.strategy.type = DefaultRolloverStrategy
appender.main.strategy.max = 5

# In batch mode this class warns about every timer still registered when a key ends; CEP and the
# signature join leave such timers by design, because the end of input closes every window.
logger.batchtimers.name = org.apache.flink.streaming.api.operators.sorted.state.BatchExecutionInternalTimeService
logger.batchtimers.level = ERROR
EOF
}

# Prints the JVM memory flags (line 1) and the dynamic properties (line 2) that Flink derives from
# config.yaml for the JobManager (GET_JM_RESOURCE_PARAMS) or TaskManager (GET_TM_RESOURCE_PARAMS).
resource_params() {
    local java="$1" command="$2"
    local output results
    if ! output="$("$java" -cp "$LIB_DIR/*" org.apache.flink.runtime.util.bash.BashJavaUtils \
        "$command" --configDir "$CONF_DIR" 2>&1)"; then
        echo "$output" | tail -n 30 >&2
        fail "BashJavaUtils $command failed on $CONF_DIR/config.yaml; see the output above"
    fi
    results="$(grep '^BASH_JAVA_UTILS_EXEC_RESULT:' <<<"$output" | sed 's/^BASH_JAVA_UTILS_EXEC_RESULT://')" || true
    if [[ "$(wc -l <<<"$results")" -ne 2 || -z "$results" ]]; then
        echo "$output" | tail -n 30 >&2
        fail "BashJavaUtils $command printed no JVM flags and dynamic properties; see the output above"
    fi
    echo "$results"
}

# Starts one Flink process in its own process group, so that `stop` can signal it with its
# children, and writes the group to the pid file. The lock descriptor is closed so that it is
# not held after this script exits.
launch_process() {
    local java="$1" pid_file="$2" log_file="$3" out_file="$4" main_class="$5" params="$6"
    local -a jvm_flags dynamic_properties
    read -r -a jvm_flags <<<"$(sed -n 1p <<<"$params")"
    read -r -a dynamic_properties <<<"$(sed -n 2p <<<"$params")"
    : >"$out_file"
    (
        cd "$FLINK_BASE"
        export FLINK_CONF_DIR="$CONF_DIR" FLINK_LIB_DIR="$LIB_DIR" FLINK_PLUGINS_DIR="$PLUGINS_DIR"
        exec setsid "$java" "${jvm_flags[@]}" "${JAVA_17_OPTIONS[@]}" \
            -Dlog.file="$log_file" \
            -Dlog4j.configurationFile="file:$CONF_DIR/log4j.properties" \
            -cp "$LIB_DIR/*" "$main_class" --configDir "$CONF_DIR" "${dynamic_properties[@]}" \
            >>"$out_file" 2>&1 </dev/null 9>&-
    ) &
    local pid=$!
    echo "$pid" >"$pid_file"
    # The process group exists only once setsid has run in the child, so a liveness check right
    # after the launch could find no group and report a start failure. Wait for the group, or for
    # the child to end.
    local tries=0
    while ((tries < 100)) && kill -0 "$pid" 2>/dev/null && ! kill -0 -- "-$pid" 2>/dev/null; do
        sleep 0.05
        tries=$((tries + 1))
    done
}

print_log_tail() {
    print_log_tails 30 "" "$JOBMANAGER_OUT" "$JOBMANAGER_LOG" "$TASKMANAGER_OUT" "$TASKMANAGER_LOG"
}

# Stops the TaskManager first, so that it does not log failed reconnects to a stopped JobManager.
stop_processes() {
    local pid_file
    for pid_file in "$TASKMANAGER_PID_FILE" "$JOBMANAGER_PID_FILE"; do
        if is_group_alive "$pid_file"; then
            kill_group "$(cat "$pid_file")"
        fi
        rm -f "$pid_file"
    done
}

# Prints the value of a numeric field of the JSON object from GET /overview, or nothing.
overview_field() {
    local json="$1" field="$2"
    grep -o "\"$field\":[0-9]*" <<<"$json" | head -n 1 | cut -d ':' -f 2
}

# Succeeds when the REST endpoint at the URL belongs to this cluster. Another process may listen on
# the port while this JobManager is still starting, because the JobManager fails to bind it later.
serves_this_cluster() {
    local url="$1"
    curl --noproxy '*' -s --max-time 5 "$url/jobmanager/config" 2>/dev/null \
        | grep -q -F "\"key\":\"web.upload.dir\",\"value\":\"$UPLOAD_DIR\""
}

bind_failed() {
    logs_report_bind_failure "$JOBMANAGER_LOG" "$JOBMANAGER_OUT" "$TASKMANAGER_LOG" "$TASKMANAGER_OUT"
}

# Starts the cluster on the given ports and waits until the TaskManager has registered its slots.
# Returns 0 when ready, 10 when a port was taken by the time Flink bound it, and fails otherwise.
launch() {
    local rest_port="$1" rpc_port="$2" java="$3"
    write_config "$rest_port" "$rpc_port"
    write_log_config
    # `start` calls this function in a condition, where `set -e` does not apply, so a failure of
    # resource_params, which has already printed its error, ends the script here.
    local jobmanager_params taskmanager_params
    jobmanager_params="$(resource_params "$java" GET_JM_RESOURCE_PARAMS)" || exit 1
    taskmanager_params="$(resource_params "$java" GET_TM_RESOURCE_PARAMS)" || exit 1
    rm -f "$JOBMANAGER_LOG" "$TASKMANAGER_LOG"

    launch_process "$java" "$JOBMANAGER_PID_FILE" "$JOBMANAGER_LOG" "$JOBMANAGER_OUT" \
        org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint "$jobmanager_params"
    launch_process "$java" "$TASKMANAGER_PID_FILE" "$TASKMANAGER_LOG" "$TASKMANAGER_OUT" \
        org.apache.flink.runtime.taskexecutor.TaskManagerRunner "$taskmanager_params"

    local url="http://127.0.0.1:$rest_port"
    local deadline=$((SECONDS + START_TIMEOUT_SECONDS))
    while ((SECONDS < deadline)); do
        if ! is_group_alive "$JOBMANAGER_PID_FILE" || ! is_group_alive "$TASKMANAGER_PID_FILE"; then
            # Give a process that is still alive a moment to log, then stop it.
            sleep 1
            stop_processes
            if bind_failed; then
                return 10
            fi
            print_log_tail
            fail "a Flink process exited during start; see the log lines above"
        fi
        local overview taskmanagers slots
        overview="$(curl --noproxy '*' -s --max-time 5 "$url/overview" || true)"
        taskmanagers="$(overview_field "$overview" taskmanagers)"
        slots="$(overview_field "$overview" slots-total)"
        if [[ "$taskmanagers" == "1" && "$slots" == "$TASK_SLOTS" ]] && serves_this_cluster "$url"; then
            echo "127.0.0.1:$rest_port" >"$ADDRESS_FILE"
            return 0
        fi
        sleep 1
    done
    print_log_tail
    stop_processes
    fail "the TaskManager did not register its $TASK_SLOTS slots at $url within $START_TIMEOUT_SECONDS s (CAPWATCH_FLINK_START_TIMEOUT)"
}

start() {
    lock_for_start "$LOCK_FILE"

    if is_running && [[ -s "$ADDRESS_FILE" ]]; then
        log "already running (JobManager process group $(cat "$JOBMANAGER_PID_FILE"), TaskManager $(cat "$TASKMANAGER_PID_FILE"))"
        cat "$ADDRESS_FILE"
        return 0
    fi
    # One of the two may have survived a crash of the other, so both start afresh.
    stop_processes
    rm -f "$ADDRESS_FILE"

    check_timeout_seconds CAPWATCH_FLINK_START_TIMEOUT "$START_TIMEOUT_SECONDS"
    check_port_variable CAPWATCH_FLINK_REST_PORT

    local java version
    java="$(resolve_java_home CAPWATCH_FLINK_JAVA_HOME java_requirement)/bin/java"
    version="$(flink_version)"
    fetch_lib "$version"
    rm -rf "$UPLOAD_DIR" "$TMP_DIR"
    mkdir -p "$CONF_DIR" "$LOG_DIR" "$PLUGINS_DIR" "$UPLOAD_DIR" "$TMP_DIR/web"

    local attempt rest_port rpc_port result
    for attempt in 1 2 3; do
        rest_port="${CAPWATCH_FLINK_REST_PORT:-$(pick_free_port CAPWATCH_FLINK_REST_PORT)}"
        rpc_port="$(pick_free_port CAPWATCH_FLINK_REST_PORT)"
        [[ "$rpc_port" != "$rest_port" ]] || rpc_port="$(pick_free_port CAPWATCH_FLINK_REST_PORT)"
        log "starting Flink $version on 127.0.0.1:$rest_port (CAPWATCH_HOME=$CAPWATCH_HOME)"
        result=0
        launch "$rest_port" "$rpc_port" "$java" || result=$?
        if ((result == 0)); then
            log "ready $SECONDS s after the script started; web UI at http://127.0.0.1:$rest_port"
            cat "$ADDRESS_FILE"
            return 0
        fi
        if [[ -n "${CAPWATCH_FLINK_REST_PORT:-}" ]]; then
            print_log_tail
            fail "port $CAPWATCH_FLINK_REST_PORT (CAPWATCH_FLINK_REST_PORT) or the RPC port $rpc_port was taken before Flink could bind it"
        fi
        log "a port was taken before Flink could bind it; trying other ports"
    done
    print_log_tail
    fail "Flink could not bind free ports in 3 tries"
}

# Prints the ids of the TaskManagers that the JobManager at the URL lists, one per line.
taskmanager_ids() {
    local url="$1"
    curl --noproxy '*' -s --max-time 5 "$url/taskmanagers" 2>/dev/null \
        | grep -o '"id":"[^"]*"' | cut -d '"' -f 4 || true
}

# Starts a TaskManager for the running JobManager when the recorded one is dead, and waits until
# the JobManager lists a TaskManager id that it did not list before. The JobManager may still list
# the dead TaskManager until its heartbeats time out, so the count alone does not tell.
start_taskmanager() {
    lock_for_start "$LOCK_FILE"
    is_group_alive "$JOBMANAGER_PID_FILE" && [[ -s "$ADDRESS_FILE" ]] \
        || fail "no JobManager is running for CAPWATCH_HOME=$CAPWATCH_HOME; run '$0 start'"
    if is_group_alive "$TASKMANAGER_PID_FILE"; then
        fail "the TaskManager (process group $(cat "$TASKMANAGER_PID_FILE")) is still running"
    fi
    check_timeout_seconds CAPWATCH_FLINK_START_TIMEOUT "$START_TIMEOUT_SECONDS"

    local java url known
    java="$(resolve_java_home CAPWATCH_FLINK_JAVA_HOME java_requirement)/bin/java"
    url="http://$(cat "$ADDRESS_FILE")"
    known="$(taskmanager_ids "$url")"
    # Keep the dead TaskManager's log for a look at what it did last.
    if [[ -f "$TASKMANAGER_LOG" ]]; then
        mv "$TASKMANAGER_LOG" "$TASKMANAGER_LOG.$(date +%s)"
    fi
    local taskmanager_params
    taskmanager_params="$(resource_params "$java" GET_TM_RESOURCE_PARAMS)"
    launch_process "$java" "$TASKMANAGER_PID_FILE" "$TASKMANAGER_LOG" "$TASKMANAGER_OUT" \
        org.apache.flink.runtime.taskexecutor.TaskManagerRunner "$taskmanager_params"

    local deadline=$((SECONDS + START_TIMEOUT_SECONDS)) id
    while ((SECONDS < deadline)); do
        if ! is_group_alive "$TASKMANAGER_PID_FILE"; then
            print_log_tails 30 "" "$TASKMANAGER_OUT" "$TASKMANAGER_LOG"
            fail "the new TaskManager exited during start; see the log lines above"
        fi
        for id in $(taskmanager_ids "$url"); do
            if ! grep -q -x -F "$id" <<<"$known"; then
                log "TaskManager $id registered (process group $(cat "$TASKMANAGER_PID_FILE"))"
                return 0
            fi
        done
        sleep 1
    done
    print_log_tails 30 "" "$TASKMANAGER_OUT" "$TASKMANAGER_LOG"
    fail "the new TaskManager did not register at $url within $START_TIMEOUT_SECONDS s (CAPWATCH_FLINK_START_TIMEOUT)"
}

stop() {
    lock_for_stop "$LOCK_FILE"
    if ! is_group_alive "$JOBMANAGER_PID_FILE" && ! is_group_alive "$TASKMANAGER_PID_FILE"; then
        rm -f "$JOBMANAGER_PID_FILE" "$TASKMANAGER_PID_FILE" "$ADDRESS_FILE"
        log "not running"
        return 0
    fi
    stop_processes
    rm -f "$ADDRESS_FILE"
    log "stopped"
}

status() {
    if ! is_group_alive "$JOBMANAGER_PID_FILE" && ! is_group_alive "$TASKMANAGER_PID_FILE"; then
        log "not running"
        return 3
    fi
    if ! is_running; then
        log "only one of JobManager and TaskManager is alive; run '$0 stop' and start again"
        return 1
    fi
    local address overview
    address="$(cat "$ADDRESS_FILE" 2>/dev/null || true)"
    overview="$(curl --noproxy '*' -sf --max-time 5 "http://$address/overview" 2>/dev/null || true)"
    if [[ -n "$address" && -n "$overview" ]] && serves_this_cluster "http://$address"; then
        local taskmanagers free slots jobs
        taskmanagers="$(overview_field "$overview" taskmanagers)"
        free="$(overview_field "$overview" slots-available)"
        slots="$(overview_field "$overview" slots-total)"
        jobs="$(overview_field "$overview" jobs-running)"
        log "running at http://$address: $taskmanagers TaskManager(s), $free of $slots slots free, $jobs job(s) running"
        echo "$address"
        return 0
    fi
    log "the processes are alive but ${address:-the REST endpoint} does not answer"
    return 1
}

main() {
    [[ $# -eq 1 ]] || usage
    case "$1" in
        start) start ;;
        stop) stop ;;
        status) status ;;
        start-taskmanager) start_taskmanager ;;
        *) usage ;;
    esac
}

main "$@"
