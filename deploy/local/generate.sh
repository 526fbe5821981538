#!/usr/bin/env bash
# Writes a realistic fleet telemetry stream with injected attack chains to a Kafka topic or to
# NDJSON files, with io.capwatch.tools.FleetGenerator. It builds the job first when its jar is
# missing or older than the sources.
#
# Usage: deploy/local/generate.sh [generator options]
#   deploy/local/generate.sh --help lists the options. Without --bootstrap-servers or
#   --output-dir it writes to the broker in CAPWATCH_KAFKA_BOOTSTRAP, else to the one that
#   deploy/local/kafka.sh started for CAPWATCH_HOME.
# Examples:
#   deploy/local/kafka.sh start && deploy/local/kafka.sh create-topic capwatch.telemetry --partitions 4
#   deploy/local/generate.sh --duration 10m --attacks 6 --injected-file injected.jsonl
#   deploy/local/generate.sh --output-dir /tmp/fleet --events 5000000 --rate 5000 --seed 7
# Needs Java 17 and Maven 3.8 or newer.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
export CAPWATCH_HOME=${CAPWATCH_HOME:-$repo/.capwatch}

command -v java >/dev/null || { echo "java not found: install a Java 17 JDK" >&2; exit 1; }
command -v mvn >/dev/null || { echo "mvn not found: install Maven 3.8 or newer" >&2; exit 1; }

args=("$@")
for arg in "${args[@]}"; do
    case "$arg" in
        -h|--help|-V|--version) wants_help=1 ;;
        --bootstrap-servers|--bootstrap-servers=*|--output-dir|--output-dir=*) has_target=1 ;;
    esac
done
if [ -z "${wants_help:-}" ] && [ -z "${has_target:-}" ]; then
    if [ -n "${CAPWATCH_KAFKA_BOOTSTRAP:-}" ]; then
        args=(--bootstrap-servers "$CAPWATCH_KAFKA_BOOTSTRAP" "${args[@]}")
    elif [ -s "$CAPWATCH_HOME/kafka.bootstrap" ]; then
        args=(--bootstrap-servers "$(cat "$CAPWATCH_HOME/kafka.bootstrap")" "${args[@]}")
    else
        echo "generate.sh: no target: pass --output-dir DIR or --bootstrap-servers HOST:PORT," \
            "or start a broker with deploy/local/kafka.sh start" >&2
        exit 2
    fi
fi

jar=$(ls "$repo"/job/target/capwatch-job-*.jar 2>/dev/null | grep -v original | head -n 1 || true)
classpath_file="$repo/job/target/local-classpath.txt"
if [ -z "$jar" ] || [ ! -s "$classpath_file" ] \
    || [ -n "$(find "$repo/job/src/main" "$repo/job/pom.xml" "$repo/pom.xml" -newer "$jar" -print -quit)" ]; then
    echo "Building capwatch (mvn package, tests skipped)..." >&2
    (cd "$repo" && mvn -q -B -ntp -DskipTests package)
    (cd "$repo" && mvn -q -B -ntp -pl job dependency:build-classpath \
        -Dmdep.includeScope=compile -Dmdep.outputFile=target/local-classpath.txt)
    jar=$(ls "$repo"/job/target/capwatch-job-*.jar | grep -v original | head -n 1)
fi

java -Xmx1g -Dlog4j.configurationFile="$repo/deploy/local/log4j2-local.properties" \
    -cp "$jar:$(cat "$classpath_file")" io.capwatch.tools.FleetGenerator "${args[@]}"
