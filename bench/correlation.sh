#!/usr/bin/env bash
# Benchmarks the correlation step alone, three ways, on the same candidate file. Two run on one
# Flink slot, each with heap and with RocksDB state: the job's Correlation.apply (keyed gate
# and CEP) and a hand-written KeyedProcessFunction. The third is the same sequence as an Esper 9
# EPL pattern in a JVM of its own. Each run is a fresh JVM. Raw result lines, /proc/loadavg
# before and after each run, and any JFR profile go to bench/results/<timestamp>/correlation/.
# The summary prints min/median/max events/s per engine and state backend and checks that the
# match counts and digests agree.
#
# Usage: bench/correlation.sh [options]
#   --runs N           runs per engine and backend (default 3)
#   --events N         candidates to generate (default 2000000)
#   --keys N           distinct keys (host, path key, pid) (default 100000)
#   --seed N           generator seed (default 1)
#   --input FILE       use this candidate file instead of generating one
#   --engines LIST     comma-separated subset of job-heap,job-rocksdb,kpf-heap,kpf-rocksdb,esper
#                      (default all five)
#   --max-seconds S    stop feeding a Flink run S seconds after its first candidate, 0 for no
#                      limit (default 0). A capped run reports its events/s but finds only part
#                      of the match set, so the agreement check leaves it out
#   --profile          also run job-rocksdb once under JFR and print its hottest frames
#   --profile-seconds S  feed the profiled run for at most S seconds (default 60)
#   --skip-build       reuse the jars and classpaths of the last build
#   --results DIR      write into DIR/correlation (bench/run.sh passes its own results folder)
#   --quick            200000 candidates and one run per engine, to check that everything runs
# CAPWATCH_BENCH_JVM_FLAGS adds JVM flags to every run; -Dcapwatch.bench.flink="key=value;..." in
# it adds Flink settings to the Flink runs, for trying state backend options.
# Needs Java 17 (with jfr for --profile) and Maven 3.8 or newer.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
runs=3
events=2000000
keys=100000
seed=1
input=
engines=job-heap,job-rocksdb,kpf-heap,kpf-rocksdb,esper
max_seconds=0
profile=
profile_seconds=60
skip_build=
results=
disagree=

while [ $# -gt 0 ]; do
    case "$1" in
        --runs) runs=$2; shift 2 ;;
        --events) events=$2; shift 2 ;;
        --keys) keys=$2; shift 2 ;;
        --seed) seed=$2; shift 2 ;;
        --input) input=$2; shift 2 ;;
        --engines) engines=$2; shift 2 ;;
        --max-seconds) max_seconds=$2; shift 2 ;;
        --profile) profile=1; shift ;;
        --profile-seconds) profile_seconds=$2; shift 2 ;;
        --skip-build) skip_build=1; shift ;;
        --results) results=$2; shift 2 ;;
        --quick) events=200000; runs=1; shift ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "correlation.sh: unknown option '$1'; --help lists the options" >&2; exit 2 ;;
    esac
done

cd "$repo"
flink_cp_file=bench/flink/target/correlation-classpath.txt
esper_cp_file=bench/esper/target/correlation-classpath.txt
out="${results:-bench/results/$(date -u +%Y%m%dT%H%M%SZ)}/correlation"
mkdir -p "$out"
# Results are never committed; bench/run.sh and this script share bench/results.
if ! git check-ignore -q bench/results/x 2>/dev/null; then
    echo '*' > bench/results/.gitignore
fi

if [ -z "$skip_build" ]; then
    echo "building (log in $out/build.log)..."
    mvn -B -ntp -pl bench/flink,bench/esper -am package -DskipTests > "$out/build.log" \
        || { echo "correlation.sh: the build failed, see $out/build.log" >&2; exit 1; }
    mvn -B -ntp -pl bench/flink dependency:build-classpath -Dmdep.includeScope=runtime \
        -Dmdep.outputFile=target/correlation-classpath.txt >> "$out/build.log"
    mvn -B -ntp -pl bench/esper dependency:build-classpath -Dmdep.includeScope=runtime \
        -Dmdep.outputFile=target/correlation-classpath.txt >> "$out/build.log"
fi
for file in "$flink_cp_file" "$esper_cp_file"; do
    [ -s "$file" ] || { echo "correlation.sh: $file is missing: run without --skip-build" >&2; exit 1; }
done
flink_cp="$(ls bench/flink/target/capwatch-bench-flink-*.jar | grep -v -e sources -e original | head -n 1):$(cat "$flink_cp_file")"
esper_cp="$(ls bench/esper/target/capwatch-bench-esper-*.jar | head -n 1):$(cat "$esper_cp_file")"

log_config="$repo/bench/esper/src/main/resources/log4j2.properties"
opens=$(sed -n 's:.*<flink.jvm.opens>\(.*\)</flink.jvm.opens>.*:\1:p' pom.xml)
# One heap size for every engine, within what a shared 2-core, 24 GiB machine can spare.
jvm_flags=(-Xms1536m -Xmx1536m -Dlog4j.configurationFile="$log_config" ${CAPWATCH_BENCH_JVM_FLAGS:-})

if [ -z "$input" ]; then
    input="$out/candidates.tsv"
    java "${jvm_flags[@]}" -cp "$flink_cp" io.capwatch.bench.correlation.CandidateGenerator \
        "$input" "$events" "$keys" "$seed"
fi

{
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "commit: $(git rev-parse HEAD)$(git diff --quiet HEAD -- . 2>/dev/null || echo ' (modified)')"
    echo "input: $input ($(($(wc -l < "$input") - 1)) candidates)"
    echo "cores: $(nproc)"
    echo "memory: $(free -h | awk '/^Mem:/ {print $2}')"
    echo "cpu: $(sed -n 's/^model name\t*: //p' /proc/cpuinfo | head -n 1)"
    echo "java: $(java -version 2>&1 | head -n 2 | tr '\n' ' ')"
    echo "jvm flags: ${jvm_flags[*]}"
} > "$out/machine.txt"
cat "$out/machine.txt"

run_one() {  # engine-backend run-number
    local engine=${1%-*} backend=${1#*-} before after line
    before=$(cut -d' ' -f1-3 /proc/loadavg)
    if [ "$engine" = esper ]; then
        line=$(java "${jvm_flags[@]}" -cp "$esper_cp" io.capwatch.bench.esper.EsperBenchmark "$input" \
            2>>"$out/stderr.log" | grep '^engine=')
    else
        line=$(java "${jvm_flags[@]}" $opens -cp "$flink_cp" \
            io.capwatch.bench.correlation.CorrelationBenchmark "$engine" "$backend" "$input" \
            "$max_seconds" 2>>"$out/stderr.log" | grep '^engine=')
    fi
    after=$(cut -d' ' -f1-3 /proc/loadavg)
    echo "$line run=$2 load_before=${before// /,} load_after=${after// /,}" | tee -a "$out/results.txt"
}

IFS=, read -r -a engine_list <<< "$engines"
for name in "${engine_list[@]}"; do
    case "$name" in
        job-heap|job-rocksdb|kpf-heap|kpf-rocksdb|esper) ;;
        *) echo "correlation.sh: unknown engine '$name'" >&2; exit 2 ;;
    esac
done
for run in $(seq 1 "$runs"); do
    for name in "${engine_list[@]}"; do
        [ "$name" = esper ] && name=esper-heap
        run_one "$name" "$run"
    done
done

echo
echo "events/s over $runs runs (min / median / max), matches, digest:"
awk '
    { for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
      name = f["engine"] "-" f["state"]
      rates[name] = rates[name] " " f["events_per_s"]
      result[name] = f["matches"] " " f["digest"] (f["capped"] == "true" ? " (capped)" : "")
      if (!(name in seen)) { order[++n] = name; seen[name] = 1 }
      if (f["capped"] == "false") { digests[f["matches"] " " f["digest"]] = 1 } }
    END {
      for (k = 1; k <= n; k++) {
        name = order[k]; m = split(substr(rates[name], 2), r, " ")
        for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (r[j] < r[i]) { t = r[i]; r[i] = r[j]; r[j] = t }
        median = (m % 2) ? r[(m + 1) / 2] : (r[m / 2] + r[m / 2 + 1]) / 2
        printf "  %-12s %9d / %9d / %9d   %s\n", name, r[1], median, r[m], result[name]
      }
      distinct = 0; for (d in digests) distinct++
      print (distinct <= 1 ? "match sets agree across all uncapped runs" \
                           : "MATCH SETS DISAGREE: " distinct " distinct (count, digest) pairs")
      exit (distinct <= 1 ? 0 : 1)
    }' "$out/results.txt" > "$out/summary.txt" || disagree=1
cat "$out/summary.txt"

if [ -n "$profile" ]; then
    recording="$out/job-rocksdb.jfr"
    java "${jvm_flags[@]}" $opens -XX:StartFlightRecording=filename="$recording",settings=profile \
        -cp "$flink_cp" io.capwatch.bench.correlation.CorrelationBenchmark job rocksdb "$input" \
        "$profile_seconds" 2>>"$out/stderr.log" | grep '^engine=' | tee "$out/profile-run.txt"
    jfr print --events jdk.ExecutionSample,jdk.NativeMethodSample --stack-depth 64 "$recording" \
        > "$out/samples.txt"
    # Only the Flink task threads, whose names end in "(1/1)#N". ExecutionSample catches a
    # thread running Java code, NativeMethodSample one inside native code such as RocksDB's
    # JNI. The two have different sampling periods, so they are counted apart. Leaf frames
    # show where a thread is. Inclusive frames count each method once per sample in which it
    # is anywhere on the stack, restricted to Flink, RocksDB and capwatch code.
    awk '
        /^jdk\.(ExecutionSample|NativeMethodSample) \{/ { type = ($1 == "jdk.ExecutionSample") ? "java" : "native"; thread = ""; next }
        /sampledThread = / { thread = $0; sub(/^[^"]*"/, "", thread); sub(/".*$/, "", thread); next }
        /stackTrace = \[/ { in_stack = thread ~ /\(1\/1\)#[0-9]+$/; depth = 0; delete on_stack; if (in_stack) { threads[type " " thread]++; samples[type]++ }; next }
        in_stack && /^[ \t]*\]/ { in_stack = 0; next }
        in_stack {
            frame = $0; sub(/^[ \t]+/, "", frame); sub(/[ \t]+line:.*$/, "", frame)
            if (frame == "...") next
            if (depth++ == 0) leaf[type " " frame]++
            if (!(frame in on_stack) && frame ~ /^(org\.apache\.flink|org\.rocksdb|io\.capwatch)/) { on_stack[frame] = 1; inclusive[type " " frame]++ }
        }
        END {
            printf "task-thread samples by type and thread:\n"
            for (t in threads) printf "%6d  %s\n", threads[t], t | "sort -rn"
            close("sort -rn")
            for (pass = 1; pass <= 2; pass++) {
                type = pass == 1 ? "java" : "native"
                printf "\ntop %s leaf frames (of %d samples):\n", type, samples[type]
                for (f in leaf) if (index(f, type " ") == 1) printf "%6d %5.1f%%  %s\n", leaf[f], 100 * leaf[f] / samples[type], substr(f, length(type) + 2) | "sort -rn | head -n 15"
                close("sort -rn | head -n 15")
                printf "\ntop %s inclusive frames:\n", type
                for (f in inclusive) if (index(f, type " ") == 1) printf "%6d %5.1f%%  %s\n", inclusive[f], 100 * inclusive[f] / samples[type], substr(f, length(type) + 2) | "sort -rn | head -n 40"
                close("sort -rn | head -n 40")
            }
        }' "$out/samples.txt" | tee "$out/profile.txt"
fi
echo "raw results in $out"
[ -z "$disagree" ]
