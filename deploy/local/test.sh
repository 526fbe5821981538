#!/usr/bin/env bash
# Runs every test of capwatch: unit tests, Flink MiniCluster tests, the tests against a real
# Elasticsearch and a real Kafka broker, and the integration tests that submit the packaged job to
# a real Flink session cluster. The script starts Elasticsearch, Kafka and the Flink cluster on
# free loopback ports and stops them again at the end.
#
# Usage: deploy/local/test.sh [extra Maven arguments]
# Needs Java 17 and Maven 3.8 or newer; everything else is fetched from Maven Central.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
export CAPWATCH_HOME=${CAPWATCH_HOME:-$repo/.capwatch/test}

command -v java >/dev/null || { echo "java not found: install a Java 17 JDK" >&2; exit 1; }
command -v mvn >/dev/null || { echo "mvn not found: install Maven 3.8 or newer" >&2; exit 1; }

stop_services() {
    "$repo/deploy/local/flink.sh" stop || true
    "$repo/deploy/local/elasticsearch.sh" stop || true
    "$repo/deploy/local/kafka.sh" stop || true
}
trap stop_services EXIT

"$repo/deploy/local/elasticsearch.sh" start
CAPWATCH_ES_URL=$(cat "$CAPWATCH_HOME/elasticsearch.url")
export CAPWATCH_ES_URL
"$repo/deploy/local/kafka.sh" start
CAPWATCH_KAFKA_BOOTSTRAP=$(cat "$CAPWATCH_HOME/kafka.bootstrap")
export CAPWATCH_KAFKA_BOOTSTRAP

"$repo/deploy/local/flink.sh" start
CAPWATCH_FLINK_ADDRESS=$(cat "$CAPWATCH_HOME/flink.address")
export CAPWATCH_FLINK_ADDRESS

cd "$repo"
mvn -B -ntp -Dstyle.color=never verify "$@"
