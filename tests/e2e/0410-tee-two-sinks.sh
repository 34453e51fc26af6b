#!/bin/sh
# One reader, two sinks through tee, each with its own checkpoint:
#   cdc-read --resume a --resume b | tee >(cdc-write-kafka --checkpoint a) |
#   cdc-write-milvus --checkpoint b
# kill -9 of the Milvus sink mid-way, then the same command again: both
# targets end complete.
. "$(dirname "$0")/lib.sh"
export ROWS_F32=1	# milvus-sim's floats against the fake's, as float32
plan 4
start_kafka
SRC=$BROKERS
build/milvus-sim -b "$SRC" --workload basic --rows 6000 --dim 4 --batch 100 --expect "$T/exp" >/dev/null
start_kafka
DST=$BROKERS
start_fake_milvus
fake_post /_fake/faults '{"path":"/v2/vectordb/entities/upsert","nth":1,"count":1000,"action":"slow","seconds":0.05}'

pipeline() {
	rm -f "$T/tee"
	mkfifo "$T/tee"
	./cdc-write-kafka -b "$DST" -t 'tee.{collection}' --checkpoint "$T/a.ckpt" <"$T/tee" 2>>"$T/k.err" &
	k=$!
	./cdc-read -b "$SRC" -e --state "$T/state" --checkpoint-interval 0 \
		--resume "$T/a.ckpt" --resume "$T/b.ckpt" 2>/dev/null | tee "$T/tee" |
		./cdc-write-milvus --uri "$FAKE_URI" --batch-rows 100 --checkpoint "$T/b.ckpt" 2>/dev/null
	wait $k
}

pipeline &
p=$!
sleep 2
pkill -9 -f "cdc-write-milvus --uri $FAKE_URI" || true
wait $p 2>/dev/null || true
check "the Milvus sink died mid-way with a checkpoint" test -s "$T/b.ckpt"
rc=0; pipeline || rc=$?
is "$rc" 0 "the same pipeline again finishes"
fake_rows >"$T/got"; expect_rows "$T/exp" >"$T/want"
cmp_ok "$T/got" "$T/want" "the Milvus target holds every row"
kcat -b "$DST" -C -t tee.items -e -q -Z -f '%k\t%s\n' 2>/dev/null | python3 -c "$F32"'
import json, sys
rows = {}
for line in sys.stdin:
    k, v = line.rstrip("\n").split("\t", 1)
    v = None if v == "NULL" else json.loads(v)
    if v is None or v["after"] is None: rows.pop(k, None)
    else: rows[k] = v["after"]
for r in rows.values():
    print(json.dumps({"db": "default", "collection": "items", "row": f32(r)}, sort_keys=True))' | sort >"$T/kgot"
cmp_ok "$T/kgot" "$T/want" "the Kafka target, compacted, holds every row"
done_testing
