#!/usr/bin/env bash
# Shows the streaming path end to end on this machine. It starts Elasticsearch, a Kafka broker and
# a Flink session cluster on loopback, and submits the job's shaded jar to the cluster, reading a
# Kafka topic. Then it writes a fleet stream with injected attack chains to the topic, waits for
# the alerts and prints them next to what was injected. Exits 0 when every injected chain alerted
# exactly once and nothing else did.
#
# Usage: deploy/local/demo.sh [--keep]
#   --keep leaves the services and the job running at the end (stop them with
#   deploy/local/demo.sh --stop).
# Environment: CAPWATCH_DEMO_HOSTS (default 2000), CAPWATCH_DEMO_DURATION of event time the
#   stream covers, ending now (default PT10M), CAPWATCH_DEMO_RATE events per second of event time
#   (default 300; the generator writes them as fast as the broker takes them),
#   CAPWATCH_DEMO_ATTACKS (default 6), CAPWATCH_DEMO_TIMEOUT seconds to wait for the alerts
#   (default 240).
# Needs Java 17 and Maven 3.8 or newer; everything else comes from Maven Central.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
export CAPWATCH_HOME=${CAPWATCH_HOME:-$repo/.capwatch/demo}
hosts=${CAPWATCH_DEMO_HOSTS:-2000}
duration=${CAPWATCH_DEMO_DURATION:-PT10M}
rate=${CAPWATCH_DEMO_RATE:-300}
attacks=${CAPWATCH_DEMO_ATTACKS:-6}
timeout=${CAPWATCH_DEMO_TIMEOUT:-240}
telemetry_topic=capwatch.telemetry
prevalence_topic=capwatch.prevalence
dead_letter_topic=capwatch.dead-letters
alert_index=logs-capwatch.alerts-demo
local_dir="$repo/deploy/local"

log() {
    echo "demo.sh: $*" >&2
}

stop_all() {
    if [ -f "$CAPWATCH_HOME/flink.address" ]; then
        local address
        address=$(cat "$CAPWATCH_HOME/flink.address")
        for job in $(curl -s --max-time 5 "http://$address/jobs/overview" \
            | grep -o '"jid":"[0-9a-f]*","name":"capwatch[^"]*","[^}]*"state":"RUNNING"' \
            | sed 's/"jid":"\([0-9a-f]*\)".*/\1/'); do
            curl -s --max-time 10 -X PATCH "http://$address/jobs/$job?mode=cancel" >/dev/null || true
        done
    fi
    [ -z "${submit_pid:-}" ] || kill "$submit_pid" 2>/dev/null || true
    "$local_dir/flink.sh" stop || true
    "$local_dir/kafka.sh" stop || true
    "$local_dir/elasticsearch.sh" stop || true
}

if [ "${1:-}" = "--stop" ]; then
    stop_all
    exit 0
fi
keep=
[ "${1:-}" != "--keep" ] || keep=1
if [ -z "$keep" ]; then
    trap stop_all EXIT
fi

command -v java >/dev/null || { echo "java not found: install a Java 17 JDK" >&2; exit 1; }
command -v mvn >/dev/null || { echo "mvn not found: install Maven 3.8 or newer" >&2; exit 1; }
command -v curl >/dev/null || { echo "curl not found: install curl" >&2; exit 1; }

log "starting Elasticsearch, Kafka and a Flink session cluster under $CAPWATCH_HOME"
"$local_dir/elasticsearch.sh" start >/dev/null
"$local_dir/kafka.sh" start >/dev/null
"$local_dir/flink.sh" start >/dev/null
es_url=$(cat "$CAPWATCH_HOME/elasticsearch.url")
bootstrap=$(cat "$CAPWATCH_HOME/kafka.bootstrap")
flink=$(cat "$CAPWATCH_HOME/flink.address")
log "Elasticsearch $es_url, Kafka $bootstrap, Flink http://$flink"

"$local_dir/kafka.sh" create-topic "$telemetry_topic" --partitions 4 >/dev/null 2>&1 \
    || { log "error: failed to create the topics"; exit 1; }
"$local_dir/kafka.sh" create-topic "$prevalence_topic" --compact >/dev/null 2>&1 \
    || { log "error: failed to create the topics"; exit 1; }
"$local_dir/kafka.sh" create-topic "$dead_letter_topic" >/dev/null 2>&1 \
    || { log "error: failed to create the topics"; exit 1; }
# A fresh alert index per demo, so the comparison counts this run's alerts only.
curl -s -X DELETE "$es_url/$alert_index" >/dev/null || true

# The job keeps running until it is cancelled, so its submission runs in the background. A short
# idle advance lets the last matches out once the generator stops writing.
submit_log="$CAPWATCH_HOME/demo-submit.log"
log "submitting the job to the Flink cluster (log: $submit_log)"
"$local_dir/run.sh" \
    --kafka-bootstrap-servers "$bootstrap" \
    --kafka-topic "$telemetry_topic" \
    --kafka-group-id "capwatch-demo-$$" \
    --kafka-starting-offsets latest \
    --prevalence-topic "$prevalence_topic" \
    --derive-prevalence \
    --dead-letter-topic "$dead_letter_topic" \
    --mode streaming \
    --checkpoint-interval 10s \
    --idleness 5s \
    --idle-advance 20s \
    --out-of-orderness 30s \
    --alert-index "$alert_index" \
    --es-url "$es_url" \
    --flink-cluster "$flink" >"$submit_log" 2>&1 &
submit_pid=$!

for _ in $(seq 1 120); do
    if curl -s --max-time 5 "http://$flink/jobs/overview" | grep -q '"state":"RUNNING"'; then
        break
    fi
    if ! kill -0 "$submit_pid" 2>/dev/null; then
        tail -n 30 "$submit_log" >&2
        log "error: the job submission ended before the job ran; see $submit_log"
        exit 1
    fi
    sleep 2
done
# The source reads from the latest offsets once its readers are assigned their partitions.
sleep 10

injected="$CAPWATCH_HOME/demo-injected.jsonl"
rm -f "$injected"
log "writing $duration of fleet telemetry from $hosts hosts, $rate events/s, $attacks attack chains"
if ! "$local_dir/generate.sh" \
    --bootstrap-servers "$bootstrap" \
    --topic "$telemetry_topic" \
    --hosts "$hosts" \
    --duration "$duration" \
    --rate "$rate" \
    --attacks "$attacks" \
    --injected-file "$injected" >"$CAPWATCH_HOME/demo-generator.log" 2>&1; then
    tail -n 20 "$CAPWATCH_HOME/demo-generator.log" >&2
    log "error: the generator failed; see $CAPWATCH_HOME/demo-generator.log"
    exit 1
fi
expected=$(grep -c . "$injected")

log "waiting up to $timeout s for $expected alerts in $alert_index"
count=0
for _ in $(seq 1 $((timeout / 5))); do
    count=$(curl -s "$es_url/$alert_index/_count" 2>/dev/null | grep -o '"count":[0-9]*' | cut -d: -f2 || true)
    count=${count:-0}
    [ "$count" -lt "$expected" ] || break
    sleep 5
done
sleep 10
curl -s -X POST "$es_url/$alert_index/_refresh" >/dev/null

echo
echo "Injected attack chains, each with the alert found for it in $alert_index:"
found=$(curl -s "$es_url/$alert_index/_count" | grep -o '"count":[0-9]*' | cut -d: -f2)
missing=0
while IFS= read -r line; do
    kind=$(echo "$line" | grep -o '"kind":"[^"]*"' | cut -d'"' -f4)
    pid=$(echo "$line" | grep -o '"pid":[0-9]*' | cut -d: -f2)
    host=$(echo "$line" | grep -o '"host_name":"[^"]*"' | cut -d'"' -f4)
    destination=$(echo "$line" | grep -o '"destination":"[^"]*"' | cut -d'"' -f4)
    query="{\"query\":{\"bool\":{\"filter\":[{\"term\":{\"process.pid\":$pid}},{\"term\":{\"host.name\":\"$host\"}}]}}}"
    response=$(curl -s "$es_url/$alert_index/_search?filter_path=hits.total.value,hits.hits._source.event.risk_score,hits.hits._source.destination" \
        -H 'Content-Type: application/json' -d "$query")
    hits=$(echo "$response" | grep -o '"value":[0-9]*' | cut -d: -f2)
    score=$(echo "$response" | grep -o '"risk_score":[0-9.]*' | head -n 1 | cut -d: -f2)
    ip=$(echo "$response" | grep -o '"ip":"[^"]*"' | head -n 1 | cut -d'"' -f4)
    port=$(echo "$response" | grep -o '"port":[0-9]*' | head -n 1 | cut -d: -f2)
    if [ "${hits:-0}" = 1 ]; then
        echo "  $kind  $host  pid $pid  -> $destination   alert: $ip:$port, risk score $score"
    else
        echo "  $kind  $host  pid $pid  -> $destination   MISSED or duplicated (${hits:-0} alerts)"
        missing=$((missing + 1))
    fi
done <"$injected"

echo
echo "Injected: $expected   alerts: $found   missed or duplicated: $missing"
if [ "$missing" -eq 0 ] && [ "$found" -eq "$expected" ]; then
    echo "Every injected chain alerted once, and the benign traffic raised no alert."
    [ -z "$keep" ] || log "services and job left running; stop them with $0 --stop"
    exit 0
fi
echo "The alerts do not match what was injected; see $submit_log and the Flink logs under $CAPWATCH_HOME/flink/log"
exit 1
