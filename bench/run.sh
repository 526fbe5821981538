#!/usr/bin/env bash
# Builds the benchmarks and reruns all of them. They measure the parse ceiling (JMH), end-to-end
# throughput of the job on a MiniCluster with heap and RocksDB state, state per pending start and
# after the windows close, scaling with parallelism, hosts and candidate share, and a JFR profile
# of the RocksDB run. Raw results (JSON, JSON lines, JFR) go to bench/results/<UTC timestamp>/, and a
# summary table is printed at the end (also in summary.txt and summary.json there).
#
# Usage: bench/run.sh [options]
#   --quick            small inputs and short JMH iterations, for checking that everything runs
#                      (about 10 minutes); the figures are not comparable with a full run
#   --only LIST        comma-separated subset of: parse,e2e,state,scaling,profile,correlation
#                      (default: all)
#   --runs N           measured runs per end-to-end configuration (default 3)
#   --fleet-events N   events of the main synthetic fleet (default 1000000; quick 100000)
#   --state-starts N   pending starts of the RocksDB checkpoint benchmark, loaded into CEP's
#                      event-time buffer (default 1000000; quick 20000)
#   --otrf DIR         the OTRF corpus (default: $CAPWATCH_OTRF_DIR, else shared/data/otrf in the
#                      folder that contains the repository)
#   --results DIR      where to write the results (default bench/results/<UTC timestamp>)
#   --correlation-events N  candidates of the correlation-alone benchmark (default 2000000)
#   --skip-build       use the jars already built
# Generated inputs are cached in bench/results/inputs/ and reused by later runs with the same
# options. The job JVMs run with -Xmx2g; every result records its JVM flags and the load average.
# Needs Java 17 (with the jfr tool) and Maven 3.8 or newer.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
quick=0
only="parse,e2e,state,scaling,profile,correlation"
runs=3
fleet_events=
state_starts=
correlation_events=
otrf=${CAPWATCH_OTRF_DIR:-$repo/../shared/data/otrf}
results=
build=1

while [ $# -gt 0 ]; do
    case "$1" in
        --quick) quick=1 ;;
        --only) only=$2; shift ;;
        --runs) runs=$2; shift ;;
        --fleet-events) fleet_events=$2; shift ;;
        --state-starts) state_starts=$2; shift ;;
        --correlation-events) correlation_events=$2; shift ;;
        --otrf) otrf=$2; shift ;;
        --results) results=$2; shift ;;
        --skip-build) build=0 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "run.sh: unknown option '$1'; see bench/run.sh --help" >&2; exit 2 ;;
    esac
    shift
done

if [ "$quick" = 1 ]; then
    fleet_events=${fleet_events:-100000}
    scaling_events=50000
    state_starts=${state_starts:-20000}
    nfa_state_starts=2000
    warmup=0
    jmh_options=(-f 1 -wi 1 -w 1s -i 3 -r 1s)
    parse_records=20000
else
    fleet_events=${fleet_events:-1000000}
    scaling_events=500000
    state_starts=${state_starts:-1000000}
    nfa_state_starts=10000
    warmup=1
    jmh_options=(-f 1 -wi 3 -w 2s -i 5 -r 2s)
    parse_records=200000
fi

wants() { [[ ",$only," == *",$1,"* ]]; }

results=${results:-$repo/bench/results/$(date -u +%Y%m%dT%H%M%SZ)}
inputs=$repo/bench/results/inputs
mkdir -p "$results" "$inputs"
work=$(mktemp -d "${TMPDIR:-/tmp}/capwatch-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

command -v java >/dev/null || { echo "java not found: install a Java 17 JDK" >&2; exit 1; }
command -v mvn >/dev/null || { echo "mvn not found: install Maven 3.8 or newer" >&2; exit 1; }

if [ "$build" = 1 ]; then
    echo "Building the job and the benchmarks (mvn package, tests skipped)..." >&2
    (cd "$repo" && mvn -q -B -ntp -pl bench/flink -am package -DskipTests)
fi
jar=$(ls "$repo"/bench/flink/target/capwatch-bench-flink-*.jar | head -n 1)
classpath="$jar:$(cat "$repo/bench/flink/target/bench-classpath.txt")"
# The module openings Flink needs on Java 17, as the parent pom lists them for the tests.
read -r -a opens <<<"$(sed -n 's:.*<flink.jvm.opens>\(.*\)</flink.jvm.opens>.*:\1:p' "$repo/pom.xml")"
job_jvm=(-Xmx2g -XX:+UseG1GC "${opens[@]}")

bench_java() { java "${job_jvm[@]}" -cp "$classpath" "$@"; }

# The machine and the build the figures come from.
{
    echo "commit: $(git -C "$repo" rev-parse HEAD 2>/dev/null || echo unknown)"
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "nproc: $(nproc)"
    echo "memory (free -g):"; free -g
    echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
    echo "java -version:"; java -version 2>&1
    echo "job JVM flags: ${job_jvm[*]}"
    echo "JMH options: ${jmh_options[*]}"
    echo "quick: $quick"
    echo "load average: $(cat /proc/loadavg)"
} >"$results/environment.txt"

# generate NAME HOSTS EVENTS ATTACKS: writes the fleet once into the input cache.
generate() {
    local dir=$inputs/$1
    if [ ! -s "$dir/fleet.ndjson" ]; then
        echo "Generating $1: $2 hosts, $3 events, $4 attack chains..." >&2
        rm -rf "$dir"
        # Event time runs at 20 events/s per 1,000 hosts, but slower where that would cover less
        # than 300 s, because the generator needs 60 s of event time for an attack chain.
        local rate=$(( $2 / 50 < $3 / 300 ? $2 / 50 : $3 / 300 ))
        rate=$(( rate < 100 ? 100 : rate ))
        java -Xmx3g -cp "$classpath" io.capwatch.tools.FleetGenerator --output-dir "$dir" \
            --hosts "$2" --events "$3" --attacks "$4" --rate "$rate" --seed 7 \
            --start 2026-11-02T09:00:00Z >"$dir.log" 2>&1 || { cat "$dir.log" >&2; exit 1; }
    fi
    echo "$dir/fleet.ndjson"
}

# e2e LABEL STATE PARALLELISM RUNS WARMUP INPUT [OPTIONS...]
e2e() {
    local label=$1 state=$2 parallelism=$3 measured=$4 warm=$5 input=$6
    shift 6
    bench_java io.capwatch.bench.PipelineBenchmark --label "$label" --state "$state" \
        --parallelism "$parallelism" --runs "$measured" --warmup "$warm" --input "$input" \
        --checkpoint-interval 10 --checkpoint-dir "$work/checkpoints" \
        --results "$results/e2e.jsonl" "$@"
    rm -rf "$work/checkpoints"
}

fleet=$(generate "fleet-100k-$fleet_events" 100000 "$fleet_events" $(( fleet_events / 1000 )))
have_otrf=0
if [ -d "$otrf" ]; then
    have_otrf=1
    # The corpus as one stream in event-time order; as 80 separate files a streaming job would
    # drop the older recordings' events as late.
    otrf_replay=$inputs/otrf-replay.ndjson
    if [ ! -s "$otrf_replay" ]; then
        echo "Writing the OTRF corpus as one event-time ordered stream..." >&2
        java -Xmx3g -cp "$classpath" io.capwatch.bench.OtrfReplay --otrf "$otrf" --out "$otrf_replay" >&2
    fi
else
    echo "The OTRF corpus is not at $otrf: set --otrf or CAPWATCH_OTRF_DIR; its benchmarks are skipped." >&2
fi

if wants parse; then
    echo "== Parse ceiling" >&2
    otrf_option=()
    [ "$have_otrf" = 1 ] && otrf_option=(--otrf "$otrf")
    bench_java io.capwatch.bench.ParseInputs "${otrf_option[@]}" --fleet "$fleet" \
        --out "$work/parse" --max-records "$parse_records" >/dev/null
    cp "$work/parse/parse-inputs.json" "$results/"
    parse_files=$(ls "$work"/parse/*.ndjson | paste -sd, -)
    java "${job_jvm[@]}" -cp "$classpath" org.openjdk.jmh.Main ParseBenchmark "${jmh_options[@]}" \
        -t 1 -p input="$parse_files" -jvmArgs "-Xmx2g" -rf json -rff "$results/jmh-parse.json" \
        | tee "$results/jmh-parse.txt" | grep -E '^(Benchmark|ParseBenchmark)' >&2
    rm -rf "$work/parse"
fi

if wants e2e; then
    echo "== End to end, one slot" >&2
    for state in heap rocksdb; do
        e2e fleet-100k "$state" 1 "$runs" "$warmup" "$fleet"
        if [ "$have_otrf" = 1 ]; then
            # The lab's attacker sits on 192.168.56.0/24, which the shipped rule counts as internal.
            e2e otrf "$state" 1 "$runs" "$warmup" "$otrf_replay" --external 192.168.0.0/16
        fi
    done
fi

# state_run STATE STARTS SPAN
state_run() {
    bench_java io.capwatch.bench.StateBenchmark --state "$1" --starts "$2" --span "$3" \
        --work-dir "$work/state" --results "$results/state.jsonl" | grep --line-buffered '^checkpoint' >&2
    rm -rf "$work/state"
}

if wants state; then
    echo "== State" >&2
    # Starts over 20 minutes of event time pass into CEP's NFA. CEP fires a timer per key with a
    # partial match at every watermark, so loading N of them costs O(N^2): keep N small.
    for state in heap rocksdb; do
        state_run "$state" "$nfa_state_starts" PT20M
    done
    # Starts within 50 s, under the one-minute out-of-orderness bound, stay in CEP's event-time
    # buffer until the watermark passes them, so a million load in O(N).
    state_run rocksdb "$state_starts" PT50S
fi

if wants profile; then
    echo "== Profile (JFR) of the e2e RocksDB run" >&2
    bench_java -XX:StartFlightRecording=filename="$results/profile-e2e-rocksdb.jfr",settings=profile \
        io.capwatch.bench.PipelineBenchmark --label profile-fleet-100k --state rocksdb --runs 1 \
        --input "$fleet" --checkpoint-interval 10 --checkpoint-dir "$work/checkpoints" \
        --results "$results/profile-run.jsonl" >&2
    jfr summary "$results/profile-e2e-rocksdb.jfr" >"$results/profile-jfr-summary.txt"
    java -cp "$classpath" io.capwatch.bench.JfrTopFrames "$results/profile-e2e-rocksdb.jfr" \
        "$results/profile-top-frames.json" 40 >"$results/profile-top-frames.txt"
fi

if wants scaling; then
    echo "== Scaling" >&2
    for state in heap rocksdb; do
        e2e fleet-100k "$state" 2 "$runs" "$warmup" "$fleet"
    done
    # Attack chains per 1,000 events come on top of the benign mix, which has candidates of its
    # own, so the summary shows the candidate share each input reached.
    for per_mille in 0 10 40; do
        input=$(generate "fleet-share-$per_mille-$scaling_events" 100000 "$scaling_events" $(( scaling_events * per_mille / 1000 )))
        e2e "share-$per_mille-per-mille-attacks" rocksdb 1 "$runs" "$warmup" "$input"
    done
    for hosts in 10000 1000000; do
        input=$(generate "fleet-$hosts-$scaling_events" "$hosts" "$scaling_events" $(( scaling_events / 1000 )))
        e2e "hosts-$hosts" rocksdb 1 "$runs" "$warmup" "$input"
    done
    input=$(generate "fleet-100000-$scaling_events" 100000 "$scaling_events" $(( scaling_events / 1000 )))
    e2e "hosts-100000" rocksdb 1 "$runs" "$warmup" "$input"
fi

if wants correlation; then
    # The correlation step alone (the job's CEP, a hand-written KeyedProcessFunction and Esper)
    # has its own entry point; it writes into the same results folder.
    if [ -x "$repo/bench/correlation.sh" ]; then
        echo "== Correlation step alone" >&2
        correlation_options=(--results "$results" --runs "$runs")
        [ "$quick" = 1 ] && correlation_options+=(--quick)
        [ -n "$correlation_events" ] && correlation_options+=(--events "$correlation_events")
        "$repo/bench/correlation.sh" "${correlation_options[@]}"
    else
        echo "== Correlation step alone: skipped, bench/correlation.sh does not exist" >&2
    fi
fi

java -cp "$classpath" io.capwatch.bench.Summary "$results" | tee "$results/summary.txt"
echo "Results: $results"
