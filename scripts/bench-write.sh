#!/bin/bash
# cdc-write-kafka's benchmark (issue 4), every figure beside its baseline from
# the same run:
#   cdc-read -e | cdc-write-kafka -f cdc   against   kcat -C -e | kcat -P
#   -f debezium rows/s (128-dim float vectors) against -f cdc rows/s, and
#   against kcat -P of the same messages already rendered (the Kafka part)
#   peak RSS of cdc-write-kafka.
# The writers alone: medians of BENCH_REPS (5) runs.  Figures are printed,
# not asserted.
set -eu
cd "$(dirname "$0")/.."
ROWS=${BENCH_ROWS:-50000}
D=$(mktemp -d); K=""
trap 'kill $K 2>/dev/null; wait; rm -rf "$D"' EXIT
# kafka NAME: start a mock cluster; sets BROKER (no subshell, so that K
# keeps every pid for the cleanup).
kafka() {
	build/mock-kafka >"$D/$1" 2>/dev/null & K="$K $!"
	for _ in $(seq 100); do [ -s "$D/$1" ] && break; sleep 0.05; done
	BROKER=$(sed 's/BROKERS=//' "$D/$1")
}
kafka src
SRC=$BROKER
build/milvus-sim -b "$SRC" --workload bench --rows "$ROWS" --dim 128 >/dev/null
./cdc-read -b "$SRC" -e -q >"$D/s.cdc"
topics=$(kcat -b "$SRC" -L 2>/dev/null | sed -n 's/^ *topic "\(by-dev[^"]*\)".*/\1/p' | sort)
m() { scripts/measure.py "$1"; }
# mm CMD: the run of median wall time among $REPS (a single run of a
# 0.1 s command swung by half from run to run here).
REPS=${BENCH_REPS:-5}
mm() {
	for _ in $(seq "$REPS"); do scripts/measure.py "$1"; done |
		python3 -c 'import json, sys; L = sorted((json.loads(l) for l in sys.stdin), key=lambda r: r["wall"]); print(json.dumps(L[len(L) // 2]))'
}
report() {	# name json rows
	python3 - "$@" <<'PY'
import json, sys
name, r, rows = sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3])
print("%-44s %6.2fs wall %6.2fs cpu %9.0f rows/s (%7.0f per cpu s)  peak RSS %6.1f MiB"
      % (name, r["wall"], r["cpu"], rows / r["wall"], rows / max(r["cpu"], 1e-3),
         r["maxrss_kib"] / 1024))
PY
}
for run in 1 2; do
	kafka "dst$run"
	DST=$BROKER
	copy=""
	for t in $topics; do
		copy="$copy kcat -b $SRC -C -t $t -o beginning -e -q 2>/dev/null | kcat -b $DST -P -t copy.$t 2>/dev/null &"
	done
	k=$(m "$copy wait")
	c=$(m "./cdc-read -b $SRC -e -q | ./cdc-write-kafka -b $DST -f cdc -t 'cdc.{collection}'")
	report "kcat -C -e | kcat -P (17 topics at once)" "$k" "$ROWS"
	report "cdc-read -e | cdc-write-kafka -f cdc" "$c" "$ROWS"
	python3 -c 'import json,sys; k,c=json.loads(sys.argv[1]),json.loads(sys.argv[2]); print("ratio (ours / kcat copy throughput): wall %.2f, cpu %.2f" % (k["wall"]/c["wall"], k["cpu"]/c["cpu"]))' "$k" "$c"
	# The writers alone, into topics that exist (a first, untimed run creates
	# them: auto-creation costs ~1 s that a real deployment does not pay).
	./cdc-write-kafka -b "$DST" -f cdc -t 'wc.{collection}' <"$D/s.cdc"
	./cdc-write-kafka -b "$DST" -f debezium -t 'wd.{collection}' <"$D/s.cdc"
	f=$(mm "./cdc-write-kafka -b $DST -f cdc -t 'wc.{collection}' <$D/s.cdc")
	z=$(mm "./cdc-write-kafka -b $DST -f debezium -t 'wd.{collection}' <$D/s.cdc")
	z0=$(mm "./cdc-write-kafka -j 1 -b $DST -f debezium -t 'wd.{collection}' <$D/s.cdc")
	j=$(mm "./cdc-write-json <$D/s.cdc >/dev/null")
	# The Kafka part alone: kcat -P producing Debezium values already
	# rendered, with the same seven headers.  The mock keeps ~5 MB per
	# partition, so the values read back are repeated to $ROWS lines.
	kcat -b "$DST" -C -t wd.bench -o beginning -e -q -f '%s\n' 2>/dev/null |
		python3 -c 'import sys; L = sys.stdin.read().splitlines(); n = int(sys.argv[1]); sys.stdout.write("".join(L[i % len(L)] + "\n" for i in range(n)))' "$ROWS" >"$D/vals"
	hdr="-H cdc.op=c -H cdc.db=default -H cdc.collection=bench -H cdc.ts=446710992092520448 -H cdc.source.topic=by-dev-rootcoord-dml_3 -H cdc.source.partition=0 -H cdc.source.offset=1234"
	kp=$(mm "kcat -b $DST -P -t kp.bench -X enable.idempotence=true -X acks=all -X linger.ms=20 $hdr <$D/vals")
	report "cdc-write-kafka -f cdc (writer alone)" "$f" "$ROWS"
	report "cdc-write-kafka -f debezium (writer alone)" "$z" "$ROWS"
	report "cdc-write-kafka -f debezium -j 1 (a render thread)" "$z0" "$ROWS"
	report "cdc-write-json >/dev/null (the row mapping)" "$j" "$ROWS"
	report "kcat -P of the same values pre-rendered" "$kp" "$ROWS"
	python3 -c 'import json,sys; f,z=json.loads(sys.argv[1]),json.loads(sys.argv[2]); print("debezium / cdc rows/s: wall %.2f, cpu %.2f" % (f["wall"]/z["wall"], f["cpu"]/z["cpu"]))' "$f" "$z"
	python3 -c 'import json,sys; f,z=json.loads(sys.argv[1]),json.loads(sys.argv[2]); print("kcat -P pre-rendered / cdc rows/s: wall %.2f, cpu %.2f" % (f["wall"]/z["wall"], f["cpu"]/z["cpu"]))' "$f" "$kp"
done
