#!/usr/bin/env bash
# Builds capwatch, starts a local Elasticsearch (unless one is given) and runs the detection job
# on an embedded Flink MiniCluster, or on a Flink cluster with --flink-cluster HOST:PORT.
#
# Usage: deploy/local/run.sh [job options]
#   Without options it backfills the sample telemetry in deploy/sample/. Any option of the job
#   can be given (deploy/local/run.sh --help lists them). --es-url, or CAPWATCH_ES_URL, names an
#   Elasticsearch to use instead of starting one. The paths given to --input, --prevalence, --rule
#   and --es-properties are made absolute, because a Flink cluster's processes resolve them in
#   their own working directory.
#   deploy/local/run.sh --flink-cluster "$(deploy/local/flink.sh start)" submits to a local cluster.
# Needs Java 17 and Maven 3.8 or newer.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
export CAPWATCH_HOME=${CAPWATCH_HOME:-$repo/.capwatch}

command -v java >/dev/null || { echo "java not found: install a Java 17 JDK" >&2; exit 1; }
command -v mvn >/dev/null || { echo "mvn not found: install Maven 3.8 or newer" >&2; exit 1; }

# Prints a local path as an absolute one; a URI such as s3://bucket/path is printed as it is.
absolute_path() {
    case "$1" in
        *://*) echo "$1" ;;
        *) realpath -m -- "$1" ;;
    esac
}

args=()
path_option=
for arg in "$@"; do
    if [ -n "$path_option" ]; then
        arg=$(absolute_path "$arg")
        path_option=
    else
        case "$arg" in
            --input|--prevalence|--rule|--es-properties) path_option=1 ;;
            --input=*|--prevalence=*|--rule=*|--es-properties=*)
                arg="${arg%%=*}=$(absolute_path "${arg#*=}")" ;;
        esac
    fi
    args+=("$arg")
done
if [ ${#args[@]} -eq 0 ]; then
    args=(--input "$repo/deploy/sample/telemetry" --prevalence "$repo/deploy/sample/prevalence.ndjson")
fi
alert_index=logs-capwatch.alerts-default
previous=
for arg in "${args[@]}"; do
    case "$arg" in
        -h|--help|-V|--version) wants_help=1 ;;
        --es-url|--es-url=*) has_es=1 ;;
        --alert-index=*) alert_index=${arg#*=} ;;
    esac
    [ "$previous" != --alert-index ] || alert_index=$arg
    previous=$arg
done

echo "Building capwatch (mvn package, tests skipped)..."
(cd "$repo" && mvn -q -B -ntp -Dstyle.color=never -DskipTests package)
jar=$(ls "$repo"/job/target/capwatch-job-*.jar | grep -v original | head -n 1)
# The package phase writes the job's compile and provided dependencies, Flink included, there.
classpath="$jar:$(cat "$repo/job/target/client-classpath.txt")"

es_args=()
if [ -z "${wants_help:-}" ] && [ -z "${has_es:-}" ]; then
    if [ -n "${CAPWATCH_ES_URL:-}" ]; then
        es_url=$CAPWATCH_ES_URL
    else
        "$repo/deploy/local/elasticsearch.sh" start
        es_url=$(cat "$CAPWATCH_HOME/elasticsearch.url")
    fi
    es_args=(--es-url "$es_url")
fi

# The JVM options the job needs on Java 17: the module openings Flink needs (the same list as
# its own config.yaml) and the incubator module that DataSketches serializes sketches with.
opens=$(sed -n 's:.*<flink.jvm.opens>\(.*\)</flink.jvm.opens>.*:\1:p' "$repo/job/pom.xml")

# shellcheck disable=SC2086
java -Xmx1g $opens \
    -Dlog4j.configurationFile="$repo/deploy/local/log4j2-local.properties" \
    -cp "$classpath" io.capwatch.job.CapwatchMain "${args[@]}" "${es_args[@]}"

if [ -n "${es_url:-}" ] && command -v curl >/dev/null; then
    fields=@timestamp,host.name,process.executable,process.pid,destination.ip,destination.port
    fields=$fields,event.risk_score,capwatch.severity,capwatch.prevalence.host_count
    filter=$(echo "$fields" | sed 's/[^,]*/hits.hits._source.&/g')
    echo
    # Indexed documents become searchable at the next refresh; ask for it now.
    curl -s -X POST "$es_url/$alert_index/_refresh" >/dev/null || true
    echo "Alerts in Elasticsearch index $alert_index (this run's and any written there before):"
    curl -s "$es_url/$alert_index/_search?size=20&sort=@timestamp&filter_path=$filter&pretty" \
        || echo "(failed to query $es_url)"
fi
if [ -n "${es_url:-}" ]; then
    cat <<MSG

List the alerts:   curl -s '$es_url/$alert_index/_search?pretty'
Dead letters:      curl -s '$es_url/logs-capwatch.deadletter-*/_search?pretty'
Stop Elasticsearch: deploy/local/elasticsearch.sh stop
MSG
fi
