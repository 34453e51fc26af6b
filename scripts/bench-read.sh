#!/bin/bash
# cdc-read against kcat on the same topics, in the same run (issue 3's
# benchmark).  milvus-sim's bench workload: Int64 pk, a VarChar and 128-dim
# float vectors over 16 channels, kept under the mock's ~5 MB per partition.
# Figures are printed, not asserted.  CALLGRIND=1 also runs cdc-read once
# under callgrind and prints where its instructions go (last measured: half
# in librdkafka's zstd decompression, 14% memcpy (msgpack packing, protobuf
# unpacking), 10% protobuf-c unpack, 7% malloc/free; cdc-read's own code,
# the ordering included, a few percent).
set -eu
cd "$(dirname "$0")/.."
ROWS=${BENCH_ROWS:-100000}
D=$(mktemp -d); trap 'kill $K 2>/dev/null; rm -rf "$D"' EXIT
build/mock-kafka >"$D/k" 2>/dev/null & K=$!
for _ in $(seq 100); do [ -s "$D/k" ] && break; sleep 0.05; done
B=$(sed 's/BROKERS=//' "$D/k")
build/milvus-sim -b "$B" --workload bench --rows "$ROWS" --dim 128 >/dev/null
topics=$(kcat -b "$B" -L 2>/dev/null | sed -n 's/^ *topic "\(by-dev[^"]*\)".*/\1/p' | sort)
bytes=0
for t in $topics; do
	n=$(kcat -b "$B" -C -t "$t" -o beginning -e -q -f '%S\n' 2>/dev/null | awk '{s+=$1} END {print s+0}')
	bytes=$((bytes + n))
done
m() { scripts/measure.py "$1"; }
# kcat reads one topic per process: the baseline runs one kcat per topic,
# all at once, and counts their wall time and summed CPU time.
kcat_cmd=""
for t in $topics; do kcat_cmd="$kcat_cmd kcat -b $B -C -t $t -o beginning -e -q >/dev/null 2>&1 &"; done
kcat_cmd="$kcat_cmd wait"
for _ in 1 2 3; do
	k=$(m "$kcat_cmd")
	c=$(m "./cdc-read -b $B -e -q >/dev/null")
	python3 - "$k" "$c" "$bytes" "$ROWS" <<'PY'
import json, sys
k, c = json.loads(sys.argv[1]), json.loads(sys.argv[2])
mb, rows = int(sys.argv[3]) / 1e6, int(sys.argv[4])
print("kcat     %6.1f MB in %.2fs wall %.2fs cpu: %6.1f MB/s" % (mb, k["wall"], k["cpu"], mb / k["wall"]))
print("cdc-read %6.1f MB in %.2fs wall %.2fs cpu: %6.1f MB/s, %.0f rows/s, peak RSS %.1f MiB"
      % (mb, c["wall"], c["cpu"], mb / c["wall"], rows / c["wall"], c["maxrss_kib"] / 1024))
print("ratio (cdc-read throughput / kcat): wall %.2f, cpu %.2f" % (k["wall"] / c["wall"], k["cpu"] / c["cpu"]))
PY
done
if [ "${CALLGRIND:-0}" = 1 ]; then
	valgrind --tool=callgrind --callgrind-out-file="$D/cg" \
	    ./cdc-read -b "$B" -e -q >/dev/null 2>"$D/cg.err"
	callgrind_annotate --inclusive=no "$D/cg" 2>/dev/null |
	    grep -E '^ *[0-9,]+ \(' | head -14
fi
