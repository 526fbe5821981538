#!/usr/bin/env bash
# Runs a single-node Elasticsearch for local development and tests, bound to 127.0.0.1 only.
#
# Usage: deploy/local/elasticsearch.sh start|stop|purge|status
#   purge stops the server and deletes its distribution and data.
#
# Environment:
#   CAPWATCH_HOME                 downloads, data and logs (default: <repo>/.capwatch). Separate
#                                 homes can run side by side. Run as root, the server's files go
#                                 to /var/tmp/capwatch-elasticsearch/ instead (see ES_BASE).
#   CAPWATCH_ES_VERSION           Elasticsearch version (default: 8.19.4)
#   CAPWATCH_ES_PORT              HTTP port; when unset, a free port is picked
#   CAPWATCH_ES_START_TIMEOUT     seconds to wait for the cluster to respond (default: 120)
#   CAPWATCH_ES_JAVA_HOME         Java for Elasticsearch (default: derived from `java` on PATH;
#                                 8.x needs Java 17 or newer, 9.x needs Java 21 or newer)
#   CAPWATCH_ES_SECURITY_DIR      optional folder that turns security on (used by the security
#                                 tests): security.yml contains the xpack.security.* settings that
#                                 replace `xpack.security.enabled: false`; every other file except
#                                 file-users and *.password is copied into the server's config
#                                 folder (certificates, keys, roles.yml), so security.yml names
#                                 them relative to it; bootstrap.password holds the `elastic`
#                                 user's first password, stored in the server's keystore;
#                                 file-users lists `NAME ROLE` lines of file-realm users, each
#                                 with its password in NAME.password; http-ca.crt, when present,
#                                 is the CA that the readiness check trusts, and makes the URL
#                                 https.
#
# The distribution is org.elasticsearch.distribution.integ-test-zip:elasticsearch:<version>:zip
# from Maven Central, fetched with Maven. Without CAPWATCH_ES_SECURITY_DIR it runs without
# security, so it is for loopback use only.
# On success `start` prints the URL and writes it to $CAPWATCH_HOME/elasticsearch.url.
set -euo pipefail

readonly SCRIPT_NAME="elasticsearch.sh"
readonly SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
readonly REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"

readonly CAPWATCH_HOME="${CAPWATCH_HOME:-$REPO_ROOT/.capwatch}"
readonly ES_VERSION="${CAPWATCH_ES_VERSION:-8.19.4}"
readonly START_TIMEOUT_SECONDS="${CAPWATCH_ES_START_TIMEOUT:-120}"
readonly ES_USER="capwatch-es"
readonly ES_ARTIFACT="org.elasticsearch.distribution.integ-test-zip:elasticsearch:${ES_VERSION}:zip"

readonly DOWNLOAD_DIR="$CAPWATCH_HOME/downloads"
readonly ES_ZIP="$DOWNLOAD_DIR/elasticsearch-${ES_VERSION}.zip"
# Root runs Elasticsearch as $ES_USER, which cannot enter private folders such as /root, where a
# clone may sit. Root therefore keeps the distribution and data under /var/tmp (searchable by
# everyone), in a folder named after CAPWATCH_HOME so that separate homes stay apart.
if ((EUID == 0)); then
    readonly ES_BASE="/var/tmp/capwatch-elasticsearch/$(printf '%s' "$CAPWATCH_HOME" | sha256sum | cut -c1-16)"
else
    readonly ES_BASE="$CAPWATCH_HOME/elasticsearch"
fi
readonly ES_HOME="$ES_BASE/elasticsearch-${ES_VERSION}"
readonly ES_DATA="$ES_BASE/data"
readonly ES_LOGS="$ES_BASE/logs"
readonly CONSOLE_LOG="$ES_LOGS/console.log"
# The Elasticsearch server writes its pid here, so the ES user must be able to write it.
readonly SERVER_PID_FILE="$ES_LOGS/server.pid"
# The process group of the launcher, which `stop` signals.
readonly PID_FILE="$CAPWATCH_HOME/elasticsearch.pid"
readonly URL_FILE="$CAPWATCH_HOME/elasticsearch.url"
readonly LOCK_FILE="$CAPWATCH_HOME/elasticsearch.lock"
readonly SECURITY_DIR="${CAPWATCH_ES_SECURITY_DIR:-}"

usage() {
    echo "Usage: $0 start|stop|purge|status" >&2
    exit 2
}

is_running() {
    is_group_alive "$PID_FILE"
}

# Prints what needs Java 17, for the error about an older Java.
java_requirement() {
    echo "Elasticsearch $ES_VERSION needs Java 17 or newer"
}

download_distribution() {
    if [[ -s "$ES_ZIP" ]]; then
        return 0
    fi
    require_maven "$ES_ARTIFACT"
    mkdir -p "$DOWNLOAD_DIR"
    local staging
    staging="$(mktemp -d "$DOWNLOAD_DIR/fetch.XXXXXX")"
    log "downloading $ES_ARTIFACT through Maven"
    run_dependency_plugin "$staging" "$ES_ARTIFACT" copy \
        -Dartifact="$ES_ARTIFACT" -DoutputDirectory="$staging" -Dmdep.stripVersion=false
    mv "$staging/elasticsearch-${ES_VERSION}.zip" "$ES_ZIP"
    rm -rf "$staging"
}

unpack_distribution() {
    if [[ -x "$ES_HOME/bin/elasticsearch" ]]; then
        return 0
    fi
    mkdir -p "$ES_BASE"
    local staging
    staging="$(mktemp -d "$ES_BASE/unpack.XXXXXX")"
    unzip -q "$ES_ZIP" -d "$staging" || { rm -rf "$staging"; fail "cannot unzip $ES_ZIP; delete it to download it again"; }
    [[ -d "$staging/elasticsearch-${ES_VERSION}" ]] || {
        rm -rf "$staging"
        fail "$ES_ZIP does not contain elasticsearch-${ES_VERSION}/; delete it to download it again"
    }
    mv "$staging/elasticsearch-${ES_VERSION}" "$ES_HOME"
    rm -rf "$staging"
}

# Prints the security settings: the given folder's security.yml, else security off.
security_settings() {
    if [[ -n "$SECURITY_DIR" ]]; then
        cat "$SECURITY_DIR/security.yml"
    else
        echo "xpack.security.enabled: false"
    fi
}

write_config() {
    local http_port="$1" transport_port="$2"
    cat >"$ES_HOME/config/elasticsearch.yml" <<EOF
# Written by deploy/local/elasticsearch.sh; rewritten on every start.
cluster.name: capwatch-local
node.name: capwatch-local-1
path.data: $ES_DATA
path.logs: $ES_LOGS
discovery.type: single-node
network.host: 127.0.0.1
http.port: $http_port
transport.port: $transport_port
$(security_settings)
# A nearly full disk on a shared development machine would otherwise make every index read-only.
cluster.routing.allocation.disk.threshold_enabled: false
EOF
}

# Copies the security folder's certificates and keys into the config folder and stores the
# bootstrap password in the keystore. The password goes through standard input, never the
# command line.
install_security() {
    [[ -n "$SECURITY_DIR" ]] || return 0
    [[ -f "$SECURITY_DIR/security.yml" ]] || fail "CAPWATCH_ES_SECURITY_DIR=$SECURITY_DIR has no security.yml"
    local file
    for file in "$SECURITY_DIR"/*; do
        case "$(basename "$file")" in
            security.yml | file-users | *.password) ;;
            *) install -m 600 "$file" "$ES_HOME/config/" ;;
        esac
    done
    [[ $EUID -ne 0 ]] || chown -R "$ES_USER:" "$ES_HOME/config"

    local -a run_as=()
    ((EUID != 0)) || run_as=(setpriv --reuid="$ES_USER" --regid="$ES_USER" --init-groups)
    if [[ -f "$SECURITY_DIR/bootstrap.password" ]]; then
        rm -f "$ES_HOME/config/elasticsearch.keystore.tmp"
        "${run_as[@]}" env ES_JAVA_HOME="$1" ES_PATH_CONF="$ES_HOME/config" \
            "$ES_HOME/bin/elasticsearch-keystore" add -x -f bootstrap.password \
            <"$SECURITY_DIR/bootstrap.password" >/dev/null \
            || fail "cannot store bootstrap.password in the keystore of $ES_HOME"
    fi

    if [[ -f "$SECURITY_DIR/file-users" ]]; then
        local name role password
        while read -r name role; do
            [[ -n "$name" ]] || continue
            password="$(cat "$SECURITY_DIR/$name.password")"
            # The users file survives a restart, and useradd rejects an existing user.
            "${run_as[@]}" env ES_JAVA_HOME="$1" ES_PATH_CONF="$ES_HOME/config" \
                "$ES_HOME/bin/elasticsearch-users" userdel "$name" >/dev/null 2>&1 || true
            # useradd prompts for the password and its confirmation. Without a console it reads
            # both from standard input.
            "${run_as[@]}" env ES_JAVA_HOME="$1" ES_PATH_CONF="$ES_HOME/config" \
                "$ES_HOME/bin/elasticsearch-users" useradd "$name" -r "$role" \
                <<<"$password"$'\n'"$password" >/dev/null \
                || fail "cannot add the file-realm user $name to $ES_HOME/config/users"
        done <"$SECURITY_DIR/file-users"
    fi
}

# Prints the HTTP status of the cluster health API; with security, over TLS as `elastic`. curl
# reads the credentials from standard input, so they do not show in `ps`.
health_status() {
    local url="$1"
    local -a tls=()
    local config=""
    if [[ -f "$SECURITY_DIR/http-ca.crt" ]]; then
        tls=(--cacert "$SECURITY_DIR/http-ca.crt")
    fi
    if [[ -f "$SECURITY_DIR/bootstrap.password" ]]; then
        config="user = \"elastic:$(cat "$SECURITY_DIR/bootstrap.password")\""
    fi
    printf '%s\n' "$config" | curl --noproxy '*' -s -o /dev/null -w '%{http_code}' --max-time 5 \
        "${tls[@]}" -K - "$url/_cluster/health?wait_for_status=yellow&timeout=1s" || true
}

# Elasticsearch does not run as root, so root runs it as a dedicated system user.
prepare_user() {
    if ((EUID != 0)); then
        return 0
    fi
    if ! id -u "$ES_USER" >/dev/null 2>&1; then
        # A parallel start may create the user first. It is an error only if the user is still missing.
        useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$ES_USER" 2>/dev/null \
            || id -u "$ES_USER" >/dev/null 2>&1 \
            || fail "cannot create the user $ES_USER to run Elasticsearch"
    fi
    chmod 755 /var/tmp/capwatch-elasticsearch
    chown -R "$ES_USER:" "$ES_BASE"
    if ! setpriv --reuid="$ES_USER" --regid="$ES_USER" --init-groups test -r "$ES_HOME/bin/elasticsearch"; then
        fail "the user $ES_USER cannot read $ES_HOME; make every parent directory of $ES_BASE searchable (chmod o+x)"
    fi
}

print_log_tail() {
    print_log_tails 40 "Elasticsearch wrote no log lines yet; its logs go to $ES_LOGS" \
        "$CONSOLE_LOG" "$ES_LOGS/capwatch-local.log"
}

# Starts Elasticsearch on the given ports and waits until it responds. Returns 0 when ready,
# 10 when the HTTP or transport port was taken by the time it bound, and fails otherwise.
launch() {
    local http_port="$1" transport_port="$2" java_home="$3"
    write_config "$http_port" "$transport_port"
    # A start killed while creating the keystore leaves this file, and the next start then fails
    # with FileAlreadyExistsException. No server runs for this home while the lock is held.
    rm -f "$SERVER_PID_FILE" "$ES_HOME/config/elasticsearch.keystore.tmp"
    : >"$CONSOLE_LOG"
    [[ $EUID -ne 0 ]] || chown "$ES_USER:" "$CONSOLE_LOG"

    local -a run_as=()
    if ((EUID == 0)); then
        run_as=(setpriv --reuid="$ES_USER" --regid="$ES_USER" --init-groups)
    fi
    # setsid gives Elasticsearch its own process group, so `stop` can signal the launcher and
    # the server together. The lock descriptor is closed so that it is not held after this exits.
    setsid "${run_as[@]}" env ES_JAVA_HOME="$java_home" ES_JAVA_OPTS="-Xms512m -Xmx512m" \
        ES_PATH_CONF="$ES_HOME/config" \
        "$ES_HOME/bin/elasticsearch" -p "$SERVER_PID_FILE" \
        >>"$CONSOLE_LOG" 2>&1 </dev/null 9>&- &
    local pgid=$!
    echo "$pgid" >"$PID_FILE"

    local scheme=http
    [[ ! -f "$SECURITY_DIR/http-ca.crt" ]] || scheme=https
    local url="$scheme://127.0.0.1:$http_port"
    local deadline=$((SECONDS + START_TIMEOUT_SECONDS))
    while ((SECONDS < deadline)); do
        if ! kill -0 "$pgid" 2>/dev/null; then
            rm -f "$PID_FILE"
            if logs_report_bind_failure "$CONSOLE_LOG" "$ES_LOGS"/*.log; then
                return 10
            fi
            print_log_tail
            fail "Elasticsearch exited during start; see the log lines above"
        fi
        # This distribution responds 405 to GET /, so readiness is checked on the health API.
        local status
        status="$(health_status "$url")"
        if [[ "$status" == "200" ]]; then
            echo "$url" >"$URL_FILE"
            return 0
        fi
        sleep 1
    done
    print_log_tail
    kill_group "$pgid"
    rm -f "$PID_FILE"
    fail "Elasticsearch did not become ready at $url within $START_TIMEOUT_SECONDS s (CAPWATCH_ES_START_TIMEOUT)"
}

start() {
    lock_for_start "$LOCK_FILE"
    if report_already_running "$PID_FILE" "$URL_FILE"; then
        return 0
    fi

    check_timeout_seconds CAPWATCH_ES_START_TIMEOUT "$START_TIMEOUT_SECONDS"
    check_port_variable CAPWATCH_ES_PORT

    local java_home
    java_home="$(resolve_java_home CAPWATCH_ES_JAVA_HOME java_requirement)"
    download_distribution
    unpack_distribution
    mkdir -p "$ES_DATA" "$ES_LOGS"
    prepare_user
    install_security "$java_home"

    local attempt http_port transport_port result
    for attempt in 1 2 3; do
        http_port="${CAPWATCH_ES_PORT:-$(pick_free_port CAPWATCH_ES_PORT)}"
        transport_port="$(pick_free_port CAPWATCH_ES_PORT)"
        [[ "$transport_port" != "$http_port" ]] || transport_port="$(pick_free_port CAPWATCH_ES_PORT)"
        log "starting Elasticsearch $ES_VERSION on 127.0.0.1:$http_port (CAPWATCH_HOME=$CAPWATCH_HOME)"
        result=0
        launch "$http_port" "$transport_port" "$java_home" || result=$?
        if ((result == 0)); then
            log "ready $SECONDS s after the script started"
            cat "$URL_FILE"
            return 0
        fi
        if [[ -n "${CAPWATCH_ES_PORT:-}" ]]; then
            print_log_tail
            fail "port $CAPWATCH_ES_PORT (CAPWATCH_ES_PORT) was taken before Elasticsearch could bind it"
        fi
        log "a port was taken before Elasticsearch could bind it; trying other ports"
    done
    print_log_tail
    fail "Elasticsearch could not bind a free port in 3 tries"
}

stop() {
    stop_group_service "$LOCK_FILE" "$PID_FILE" "$URL_FILE"
}

# Stops the server and deletes its distribution and data, for test runs that leave nothing behind.
purge() {
    stop
    rm -rf "$ES_BASE"
    log "deleted $ES_BASE"
}

status() {
    if ! is_running; then
        log "not running"
        return 3
    fi
    local url
    url="$(cat "$URL_FILE" 2>/dev/null || true)"
    if [[ -n "$url" ]] && curl --noproxy '*' -sf -o /dev/null --max-time 5 "$url/_cluster/health"; then
        log "running at $url (process group $(cat "$PID_FILE"))"
        echo "$url"
        return 0
    fi
    log "process group $(cat "$PID_FILE") is alive but ${url:-the cluster} does not answer"
    return 1
}

main() {
    [[ $# -eq 1 ]] || usage
    case "$1" in
        start) start ;;
        stop) stop ;;
        purge) purge ;;
        status) status ;;
        *) usage ;;
    esac
}

main "$@"
