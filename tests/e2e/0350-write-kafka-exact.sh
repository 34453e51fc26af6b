#!/bin/sh
# The messages of one row, exactly: the fixtures' insert and delete of
# notes key "a" (records 1 and 2 of by-dev-rootcoord-dml_1, see
# /work/shared/fixtures/milvus-2.5), read back with kcat -J and compared with
# what cdc-write-kafka(1) specifies, written out by hand below: key, value
# (all but the processing time), tombstone, headers, in partition order.
. "$(dirname "$0")/lib.sh"
plan 4
start_kafka
load_fixtures
./cdc-read -b "$BROKERS" -e >"$T/s.cdc"
start_kafka
./cdc-write-kafka -b "$BROKERS" --name lake <"$T/s.cdc"
kcat_dump milvus.default.notes >"$T/notes.json"

cat >"$T/want.json" <<'EOF'
[{"key": {"key": "a"},
  "value": {"before": null, "after": {"key": "a", "v": [1.0, 2.0]},
            "source": {"version": "VERSION", "connector": "milvus", "name": "lake",
                       "ts_ms": 1764000000100, "db": "default", "collection": "notes",
                       "partition": "_default",
                       "vchannel": "by-dev-rootcoord-dml_1_455000000000000050v0",
                       "kafka_topic": "by-dev-rootcoord-dml_1", "kafka_partition": 0,
                       "kafka_offset": 1, "tso": 462422016026214400},
            "op": "c"},
  "headers": ["cdc.op", "c", "cdc.db", "default", "cdc.collection", "notes",
              "cdc.ts", "462422016026214400", "cdc.source.topic", "by-dev-rootcoord-dml_1",
              "cdc.source.partition", "0", "cdc.source.offset", "1"]},
 {"key": {"key": "a"},
  "value": {"before": {"key": "a"}, "after": null,
            "source": {"version": "VERSION", "connector": "milvus", "name": "lake",
                       "ts_ms": 1764000000150, "db": "default", "collection": "notes",
                       "vchannel": "by-dev-rootcoord-dml_1_455000000000000050v0",
                       "kafka_topic": "by-dev-rootcoord-dml_1", "kafka_partition": 0,
                       "kafka_offset": 2, "tso": 462422016039321600},
            "op": "d"},
  "headers": ["cdc.op", "d", "cdc.db", "default", "cdc.collection", "notes",
              "cdc.ts", "462422016039321600", "cdc.source.topic", "by-dev-rootcoord-dml_1",
              "cdc.source.partition", "0", "cdc.source.offset", "2"]},
 {"key": {"key": "a"}, "value": null,
  "headers": ["cdc.op", "d", "cdc.db", "default", "cdc.collection", "notes",
              "cdc.ts", "462422016039321600", "cdc.source.topic", "by-dev-rootcoord-dml_1",
              "cdc.source.partition", "0", "cdc.source.offset", "2"]}]
EOF
version=$(./cdc-write-kafka --version | sed 's/^cdc-write-kafka \([^ ]*\).*/\1/')
# The messages of key "a", in order; ts_ms (processing time) checked apart.
python3 - "$T/notes.json" "$T/want.json" "$version" >"$T/cmp" <<'PY'
import json, sys, time
msgs = [json.loads(l) for l in open(sys.argv[1])]
msgs.sort(key=lambda m: (m["partition"], m["offset"]))
want = json.loads(open(sys.argv[2]).read().replace("VERSION", sys.argv[3]))
got, now = [], time.time() * 1000
for m in msgs:
    if json.loads(m["key"]) != {"key": "a"}:
        continue
    v = None if m["payload"] is None else json.loads(m["payload"])
    ts = v.pop("ts_ms") if v else None
    print("ts_ms", "ok" if v is None or abs(ts - now) < 600000 else "bad %s" % ts)
    got.append({"key": json.loads(m["key"]), "value": v, "headers": m["headers"]})
print("same" if got == want else "differ\n%s\n%s" % (json.dumps(got), json.dumps(want)))
print("partitions", len({m["partition"] for m in msgs if json.loads(m["key"]) == {"key": "a"}}))
PY
is "$(grep -c '^ts_ms ok$' "$T/cmp")" 3 "ts_ms is the processing time (3 messages)"
is "$(grep -v '^ts_ms\|^partitions' "$T/cmp")" "same" \
	"insert, delete and tombstone of key \"a\": keys, values, headers as specified"
is "$(sed -n 's/^partitions //p' "$T/cmp")" 1 "all in one partition"
# murmur2_random: a key's partition is Java's murmur2(key) mod partitions,
# so the rows co-partition with Java producers.
nparts=$(kcat -b "$BROKERS" -L -t milvus.default.notes 2>/dev/null | grep -c 'partition [0-9]')
cat >"$T/murmur2.py" <<'PY'
import json, sys
def murmur2(d):
    m, h = 0x5bd1e995, (0x9747b28c ^ len(d)) & 0xffffffff
    n4 = len(d) // 4
    for i in range(n4):
        k = int.from_bytes(d[4 * i:4 * i + 4], "little")
        k = (k * m) & 0xffffffff; k ^= k >> 24; k = (k * m) & 0xffffffff
        h = ((h * m) & 0xffffffff) ^ k
    t, r = d[4 * n4:], len(d) % 4
    if r >= 3: h ^= t[2] << 16
    if r >= 2: h ^= t[1] << 8
    if r >= 1: h ^= t[0]; h = (h * m) & 0xffffffff
    h ^= h >> 13; h = (h * m) & 0xffffffff; h ^= h >> 15
    return h
n = int(sys.argv[2])
msgs = [json.loads(l) for l in open(sys.argv[1])]
bad = [m for m in msgs if m["partition"] != (murmur2(m["key"].encode()) & 0x7fffffff) % n]
print("%d messages, %d partitions, %d misplaced" % (len(msgs), n, len(bad)))
PY
is "$(python3 "$T/murmur2.py" "$T/notes.json" "$nparts")" "4 messages, $nparts partitions, 0 misplaced" \
	"each key in the partition Java's murmur2 gives"
done_testing
