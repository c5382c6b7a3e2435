#!/usr/bin/env bash
# tests/bench/analyze.sh - time and peak memory of `sandtrace analyze` (not a test; not in CTest).
#
#   bash tests/bench/analyze.sh [BUILD_DIR] [OTHER_SANDTRACE]     (from the repository root)
#
# Runs `sandtrace analyze` (ingest, correlation, timelines, report) into a fresh output folder on:
# a 100,000- and a 400,000-record Security log (forged by the generator of tests/bench/ingest.sh,
# or taken from BENCH_LOGS=DIR holding s100.evtx and s400.evtx), each alone and together with the
# bundled case (two hosts, two sessions), and the bundled case with its malicious session repeated
# BENCH_VMS times (default 300: tests/bench/many_vms.py), for the correlator's loops over VMs and
# records. Prints wall, user and sys seconds, CPU ((user + sys) / wall) and peak RSS
# (/usr/bin/time %M) per run. With OTHER_SANDTRACE (e.g. a build of an earlier commit), each input is
# run by that binary right after this one, so that the two are compared on the same machine state.
# Read CPU seconds and memory: wall time depends on what else runs. Build Release first:
#   cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DSANDTRACE_WERROR=OFF
#   cmake --build build-release -j2 && bash tests/bench/analyze.sh build-release
set -euo pipefail

BUILD=${1:-build}
OTHER=${2:-}
ROOT=$(pwd)
[[ -f "$ROOT/CMakeLists.txt" && -f "$ROOT/tests/bench/ingest.sh" ]] || { echo "run from the repository root" >&2; exit 2; }
command -v /usr/bin/time >/dev/null || { echo "missing: /usr/bin/time (apt-get install time)" >&2; exit 2; }
PY=/usr/bin/python3
[[ -x $PY ]] || PY=$(command -v python3)
SANDTRACE=$(cd "$BUILD" && pwd)/sandtrace
STFORGE=$(cd "$BUILD" && pwd)/stforge
VMS=${BENCH_VMS:-300}

T=$(mktemp -d "${TMPDIR:-/tmp}/sandtrace-bench-analyze.XXXXXX")
trap 'rm -rf "$T"' EXIT

# ---------------------------------------------------------------- 1. the inputs
"$STFORGE" case testdata/case "$T/case" >/dev/null
if [[ -n ${BENCH_LOGS:-} ]]; then
	S100=$BENCH_LOGS/s100.evtx
	S400=$BENCH_LOGS/s400.evtx
else
	echo "forging the 100k and 400k logs in $T ..." >&2
	# the Security log generator of ingest.sh (its gen.py, taken from that script, not copied)
	sed -n "/^cat >\"\$T\/gen.py\" <<'PYEOF'$/,/^PYEOF$/p" tests/bench/ingest.sh | sed '1d;$d' >"$T/gen.py"
	for n in 100 400; do
		$PY "$T/gen.py" $((n * 1000)) 7 1000 "$T/s$n.xml" 2>/dev/null
		"$STFORGE" evtx "$T/s$n.xml" "$T/s$n.evtx" >/dev/null
		rm -f "$T/s$n.xml"
	done
	S100=$T/s100.evtx
	S400=$T/s400.evtx
fi
$PY tests/bench/many_vms.py "$VMS" "$T/vms-src"
"$STFORGE" case "$T/vms-src" "$T/vms" >/dev/null
rm -rf "$T/vms-src"

# ---------------------------------------------------------------- 2. the runs
row() { # LABEL BINARY INPUT...
	local label=$1 bin=$2 wall user sys rss
	shift 2
	rm -rf "$T/out"
	/usr/bin/time -f '%e %U %S %M' -o "$T/t" "$bin" analyze "$@" -o "$T/out" --case-name bench >/dev/null 2>&1
	read -r wall user sys rss <"$T/t"
	printf '| %-34s | %8s s | %7s / %5s s | %4s %% | %6.1f MiB |\n' "$label" "$wall" "$user" "$sys" \
		"$(awk -v w="$wall" -v u="$user" -v s="$sys" 'BEGIN { printf "%.0f", 100 * (u + s) / (w > 0 ? w : 1) }')" \
		"$(awk -v k="$rss" 'BEGIN { print k / 1024 }')"
}
runs() { # LABEL INPUT...
	local label=$1
	shift
	row "$label" "$SANDTRACE" "$@"
	[[ -z $OTHER ]] || row "$label (other)" "$OTHER" "$@"
}
echo "| analyze of | wall | user / sys CPU | CPU | peak RSS |"
echo "| --- | ---: | ---: | ---: | ---: |"
runs "bundled case" "$T/case"
runs "100k Security log" "$S100"
runs "100k log + bundled case" "$S100" "$T/case"
runs "400k Security log" "$S400"
runs "400k log + bundled case" "$S400" "$T/case"
runs "bundled case + $VMS sandbox runs" "$T/vms"
