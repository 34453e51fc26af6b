#!/bin/sh
# cdc-write-kafka -j: rows rendered on several threads reach Kafka exactly as
# when one thread renders them (same messages, same order in each partition,
# with and without --with-schema), and a bad row in the middle of a large
# insert stops the writer after exactly the rows before it.
. "$(dirname "$0")/lib.sh"
plan 7
start_kafka
build/milvus-sim -b "$BROKERS" --workload bench --rows 3000 --dim 16 >/dev/null
./cdc-read -b "$BROKERS" -e >"$T/s.cdc"
start_kafka

# dump TOPIC: partition, key, value (processing time cut), headers; stable
# sort by partition (kcat interleaves partitions as they arrive).
dump() {
	kcat -b "$BROKERS" -X fetch.wait.max.ms=5 -C -t "$1" -o beginning -e -q \
		-f '%p %k %s %h\n' 2>/dev/null | sed -E 's/"ts_ms":[0-9]+\}/TS}/g' |
		sort -s -n -k1,1
}
for j in 0 1 3; do
	./cdc-write-kafka -j $j -b "$BROKERS" -t "j$j.{collection}" <"$T/s.cdc"
	./cdc-write-kafka -j $j -b "$BROKERS" --with-schema -t "s$j.{collection}" <"$T/s.cdc"
	dump "j$j.bench" >"$T/j$j"
	dump "s$j.bench" >"$T/s$j"
done
check "the stream has large inserts (else -j is not exercised)" \
	test "$(grep -c '"op":"c"' "$T/j0")" -ge 2000
cmp_ok "$T/j1" "$T/j0" "-j 1: the same messages in the same order as -j 0"
cmp_ok "$T/j3" "$T/j0" "-j 3: the same messages in the same order as -j 0"
cmp_ok "$T/s3" "$T/s0" "--with-schema -j 3: the same as -j 0"

# One insert of 300 rows whose row 200 has a JSON value that is not JSON
# (found only when the row is rendered).
python3 - >"$T/bad.jsonl" <<'PY'
import json
docs = ['{"n":%d}' % i for i in range(300)]
docs[200] = '{"n":'
ev = {"type": "insert", "ts": 446710992076800001, "db": "default",
      "collection": "c", "partition": "_default", "vchannel": "v0",
      "src": {"topic": "by-dev-rootcoord-dml_0", "partition": 0, "offset": 7},
      "pk": "id", "rows": 300, "columns": [
        {"name": "id", "field_id": 100, "type": "Int64", "data": list(range(300))},
        {"name": "doc", "field_id": 101, "type": "JSON", "data": docs},
        {"name": "vec", "field_id": 102, "type": "FloatVector", "dim": 4,
         "data": {"$vec_f32": [i / 8 for i in range(1200)]}}]}
print(json.dumps(ev))
PY
python3 tests/e2e/cdcgen.py <"$T/bad.jsonl" >"$T/bad.cdc"
rc=0; ./cdc-write-kafka -j 3 -b "$BROKERS" -t 'bad.{collection}' <"$T/bad.cdc" 2>"$T/bad.err" || rc=$?
is "$rc" 3 "a bad row with -j 3: exit 3"
check "the error names the frame, its byte offset and the row" grep -q \
	'^cdc-write-kafka: stdin: frame 2 at byte [1-9][0-9]*: column "doc" row 200: invalid JSON value$' "$T/bad.err"
grep -q 'row 200: invalid JSON value$' "$T/bad.err" || sed 's/^/# /' "$T/bad.err"
is "$(dump bad.c | cut -d' ' -f2 | sort -t: -k2 -n | tr -d '\n' | md5sum)" \
	"$(python3 -c 'print("".join("{\"id\":%d}" % i for i in range(200)), end="")' | md5sum)" \
	"exactly the rows before the bad one were produced"
done_testing
