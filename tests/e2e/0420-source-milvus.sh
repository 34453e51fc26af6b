#!/bin/sh
# cdc-read --source-milvus: a stream that starts after the CreateCollection
# (no state file) learns the schema, db and primary key from the source
# Milvus's REST API and declares it with a schema event; -q keeps
# librdkafka's warnings off stderr.
. "$(dirname "$0")/lib.sh"
plan 5
start_kafka
build/milvus-sim -b "$BROKERS" --workload basic --rows 500 >/dev/null
start_fake_milvus
# The source Milvus: the collection exists there (created from the stream).
./cdc-read -b "$BROKERS" -e -c 1 | ./cdc-write-milvus --uri "$FAKE_URI"
# A checkpoint past the CreateCollection records (offset 0 of each DML
# topic), as on a cluster whose Kafka retention dropped them long ago.
python3 - "$T/first.ckpt" <<'PY'
import struct, sys
def s(x):
    b = x.encode(); return bytes([0xa0 | len(b)]) + b if len(b) < 32 else b"\xd9" + bytes([len(b)]) + b
def m(d):
    out = bytes([0x80 | len(d)])
    for k, v in d.items():
        out += s(k) + (s(v) if isinstance(v, str) else bytes([v]) if isinstance(v, int) and v < 128
                       else b"\x90" if v == [] else arr(v))
    return out
def arr(a): return bytes([0x90 | len(a)]) + b"".join(m(x) for x in a)
pos = [{"topic": "by-dev-rootcoord-dml_%d" % i, "partition": 0, "offset": 1} for i in range(16)]
pos.append({"topic": "by-dev-replicate-msg", "partition": 0, "offset": 0})
body = bytes([0x83]) + s("type") + s("checkpoint") + s("ts") + b"\x00" + s("positions") + \
    b"\xdc" + struct.pack(">H", len(pos)) + b"".join(m(p) for p in pos)
open(sys.argv[1], "wb").write(struct.pack(">I", len(body)) + body)
PY
./cdc-write-json --checkpoints <"$T/first.ckpt" >/dev/null

./cdc-read -b "$BROKERS" -e --resume "$T/first.ckpt" 2>"$T/plain.err" | build/cdc-dump >"$T/plain.jsonl"
is "$(grep -c '"type":"schema"' "$T/plain.jsonl")" 0 "without a state file no schema is known"
check "and inserts carry no primary key name" sh -c "! grep '\"type\":\"insert\"' '$T/plain.jsonl' | grep -q '\"pk\"'"

./cdc-read -b "$BROKERS" -e --resume "$T/first.ckpt" --source-milvus "$FAKE_URI" --state "$T/state" \
	-q 2>"$T/src.err" | build/cdc-dump >"$T/src.jsonl"
s=$(grep -n '"type":"schema".*"collection":"items".*"primary_key":true' "$T/src.jsonl" | head -1 | cut -d: -f1)
i=$(grep -n '"type":"insert"' "$T/src.jsonl" | head -1 | cut -d: -f1)
check "--source-milvus declares the schema before the first insert" test -n "$s" -a "${s:-0}" -lt "${i:-0}"
is "$(grep '"type":"insert"' "$T/src.jsonl" | grep -vc '"pk":"id"')" 0 "and every insert names its primary key"
# Offset 1 is past the end of the empty DML topics: librdkafka warns that
# it resets them to the beginning, in the first run; -q silences that.
check "-q: no warnings (the run without it had librdkafka's offset resets)" \
	sh -c "grep -q 'Offset out of range' '$T/plain.err' && [ ! -s '$T/src.err' ]"
done_testing
