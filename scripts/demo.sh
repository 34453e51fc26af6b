#!/bin/bash
# make demo: the main job in one command.  Two embedded Kafka clusters
# ("Milvus's Kafka" and "the target Kafka"), milvus-sim writing a Milvus 2.5
# workload into the first, then
#   cdc-read -e | tee >(cdc-write-json) | cdc-write-kafka
# and a readable summary of what arrived in the target, read back with kcat.
set -eu
cd "$(dirname "$0")/.."
D=$(mktemp -d "${TMPDIR:-/tmp}/cdc-demo.XXXXXX")
PIDS=""
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$D"
}
trap cleanup EXIT INT TERM

start_kafka() {	# $1 = name; sets BROKER (no subshell: PIDS must keep the pid)
	build/mock-kafka >"$D/$1.out" 2>"$D/$1.err" &
	PIDS="$PIDS $!"
	for _ in $(seq 100); do [ -s "$D/$1.out" ] && break; sleep 0.05; done
	BROKER=$(sed -n 's/^BROKERS=//p' "$D/$1.out")
}

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

start_kafka milvus
SRC=$BROKER
start_kafka target
DST=$BROKER
say "Milvus's Kafka at $SRC, target Kafka at $DST"

say "milvus-sim writes a Milvus 2.5 workload (collection with vectors; inserts, deletes, upserts; index and load requests)"
build/milvus-sim -b "$SRC" --milvus-version 2.5 --workload basic --rows 2000 --dim 8 \
	--seed 7 --expect "$D/expect.jsonl"
kcat -b "$SRC" -L 2>/dev/null | grep -c 'topic "by-dev' | sed 's/^/topics written: /'

say "cdc-read -e | tee >(cdc-write-json -o demo.jsonl) | cdc-write-kafka -t 'milvus.{db}.{collection}'"
mkfifo "$D/tee"
./cdc-write-json -o "$D/demo.jsonl" --checkpoint "$D/json.ckpt" <"$D/tee" &
json=$!
./cdc-read -b "$SRC" -e --state "$D/state" \
	| tee "$D/tee" \
	| ./cdc-write-kafka -b "$DST" -t 'milvus.{db}.{collection}' --checkpoint "$D/kafka.ckpt"
wait $json

say "messages per target topic (kcat -L / -C)"
for t in $(kcat -b "$DST" -L 2>/dev/null | sed -n 's/^ *topic "\([^"]*\)".*/\1/p' | sort); do
	printf '%-40s %s\n' "$t" "$(kcat -b "$DST" -C -t "$t" -e -q -f 'x\n' 2>/dev/null | wc -l)"
done

T=$(kcat -b "$DST" -L 2>/dev/null | sed -n 's/^ *topic "\(milvus\.default\.[^"]*\)".*/\1/p' | head -1)
say "one insert on $T (key, then Debezium value, vectors shortened)"
kcat -b "$DST" -C -t "$T" -e -q -f '%k\n%s\n' 2>/dev/null | sed -n '1,2p' | cut -c1-400
say "one delete and its tombstone"
kcat -b "$DST" -C -t "$T" -e -q -Z -f '%k %s\n' 2>/dev/null | grep -A1 -m1 '"op":"d"' | cut -c1-400

say "the target topic, compacted (last value per key, tombstones drop keys), against milvus-sim's final state"
kcat -b "$DST" -C -t "$T" -e -q -Z -f '%k\t%s\n' 2>/dev/null | python3 -c '
import json, sys
rows = {}
for line in sys.stdin:
    k, v = line.rstrip("\n").split("\t", 1)
    if v == "NULL": rows.pop(k, None)
    elif json.loads(v)["after"] is not None: rows[k] = json.loads(v)["after"]
    else: rows.pop(k, None)
want = [json.loads(l)["row"] for l in open(sys.argv[1])]
same = sorted(map(json.dumps, rows.values())) == sorted(map(json.dumps, want))
print("%d rows in the target, %d expected: %s" % (len(rows), len(want), "identical" if same else "DIFFERENT"))
sys.exit(0 if same else 1)' "$D/expect.jsonl"

say "JSON Lines sink: $(wc -l <"$D/demo.jsonl") lines; first DDL lines:"
grep -v '"op":"insert"' "$D/demo.jsonl" | head -4 | cut -c1-200
say "checkpoints persisted by each sink"
./cdc-write-json <"$D/kafka.ckpt" --checkpoints | cut -c1-200
