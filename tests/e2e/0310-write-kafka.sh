#!/bin/sh
# cdc-write-kafka on the fixtures, read back with kcat -J (the independent
# client): topics, keys, envelopes, tombstones and headers as cdc-write-kafka(1)
# specifies; -f json and -f cdc; -F, --ddl-topic, -v; checkpoints; malformed
# input.
. "$(dirname "$0")/lib.sh"
plan 20
start_kafka
load_fixtures
./cdc-read -b "$BROKERS" -e >"$T/s.cdc"
start_kafka
DST=$BROKERS

./cdc-write-kafka -b "$DST" --checkpoint "$T/k.ckpt" <"$T/s.cdc"
is "$?" 0 "cdc-write-kafka exits 0 once everything is delivered"
kcat -b "$DST" -L 2>/dev/null | sed -n 's/^ *topic "\([^"]*\)".*/\1/p' | sort >"$T/topics"
printf 'milvus.ddl\nmilvus.default.notes\nmilvus.default.products\n' >"$T/topics.want"
cmp_ok "$T/topics" "$T/topics.want" "topics from the template and the DDL topic"

# Per key, in partition order: key, op (or TOMBSTONE), before/after ids.
kcat -b "$DST" -C -t milvus.default.products -e -q -J 2>/dev/null >"$T/p.json"
python3 - "$T/p.json" >"$T/seq" <<'PY'
import json, sys
msgs = [json.loads(l) for l in open(sys.argv[1], encoding="latin-1")]
msgs.sort(key=lambda m: (m["partition"], m["offset"]))
for m in msgs:
    v = m["payload"]
    if v is None:
        print(m["key"], "TOMBSTONE")
        continue
    v = json.loads(v)
    print(m["key"], v["op"], json.dumps(v["before"]), "after" if v["after"] else "null",
          v["source"]["connector"], v["source"]["collection"], v["source"]["kafka_topic"])
PY
sort -s -k1,1 "$T/seq" >"$T/seq.sorted"
cat >"$T/seq.want" <<'EOF2'
{"id":1} c null after milvus products by-dev-rootcoord-dml_0
{"id":1} d {"id": 1} null milvus products by-dev-rootcoord-dml_0
{"id":1} TOMBSTONE
{"id":2} c null after milvus products by-dev-rootcoord-dml_0
{"id":2} d {"id": 2} null milvus products by-dev-rootcoord-dml_0
{"id":2} TOMBSTONE
{"id":2} c null after milvus products by-dev-rootcoord-dml_0
{"id":3} c null after milvus products by-dev-rootcoord-dml_0
{"id":3} d {"id": 3} null milvus products by-dev-rootcoord-dml_0
{"id":3} TOMBSTONE
EOF2
cmp_ok "$T/seq.sorted" "$T/seq.want" "per key: insert, delete (before = key), tombstone, in order"

python3 - "$T/p.json" >"$T/row" <<'PY'
import json, sys
for l in open(sys.argv[1], encoding="latin-1"):
    m = json.loads(l)
    if m["key"] == '{"id":1}' and m["payload"] and '"op":"c"' in m["payload"]:
        print(json.dumps(json.loads(m["payload"])["after"], sort_keys=True))
PY
cat >"$T/row.want" <<'EOF2'
{"active": true, "attrs": {"size": 42}, "bits": "oAE=", "brain": [0.5, 3.0], "color": "red", "embedding": [0.1, 0.2, 0.3, 0.4], "half": [1.0, -2.0], "id": 1, "price": 19.5, "sparse": {"17": 1.25, "3": 0.5}, "stock": 5, "tags": ["shoe", "red"], "title": "red shoe"}
EOF2
cmp_ok "$T/row" "$T/row.want" "the row image as the mapping specifies"

kcat -b "$DST" -C -t milvus.default.products -e -q -f '%h\n' 2>/dev/null | head -1 |
	tr ',' '\n' | sed 's/=.*//' >"$T/hdrs"
printf 'cdc.op\ncdc.db\ncdc.collection\ncdc.ts\ncdc.source.topic\ncdc.source.partition\ncdc.source.offset\n' >"$T/hdrs.want"
cmp_ok "$T/hdrs" "$T/hdrs.want" "headers on every message"
is "$(kcat -b "$DST" -C -t milvus.ddl -e -q -f '%s\n' 2>/dev/null | grep -c '"op":"create_collection"')" 2 \
	"DDL events on the DDL topic"
python3 tests/e2e/lastckpt.py "$T/s.cdc" "$T/last.ckpt" >/dev/null
cmp_ok "$T/k.ckpt" "$T/last.ckpt" "the checkpoint file holds the last checkpoint once delivered"

./cdc-write-kafka -b "$DST" -f json -t 'flat.{collection}' --no-tombstones <"$T/s.cdc"
is "$(kcat -b "$DST" -C -t flat.notes -e -q -f '%s\n' 2>/dev/null | python3 -c '
import json, sys
print(" ".join(sorted("%s:%s" % (json.loads(l)["__op"], json.loads(l)["key"]) for l in sys.stdin)))')" \
	"c:a c:b d:a" "-f json: flat rows with __op"

./cdc-write-kafka -b "$DST" -f cdc -t 'raw.{db}' <"$T/s.cdc"
is "$(kcat -b "$DST" -C -t raw.default -e -q -f 'x\n' 2>/dev/null | wc -l)" 6 "-f cdc: one message per data event (3 inserts, 3 deletes)"
is "$(kcat -b "$DST" -C -t raw.default -e -q -f '%h\n' 2>/dev/null | tr ',' '\n' |
	sed -n 's/^cdc\.op=//p' | sort | uniq -c | tr -s ' \n' ' ')" " 3 c 3 d " \
	"-f cdc: the cdc.op header is c or d, as with -f debezium (it was insert, delete)"
# A template that gives no topic name for an event: deletes have no
# partition, so '{partition}' alone is empty for the first delete (frame 6).
rc=0; ./cdc-write-kafka -b "$DST" -t '{partition}' <"$T/s.cdc" 2>"$T/tp.err" || rc=$?
is "$rc:$(cat "$T/tp.err")" "3:cdc-write-kafka: stdin: frame 6 at byte $(python3 -c '
import sys; sys.path.insert(0, "tests/e2e"); from cdcgen import frames
print(sum(map(len, frames(open(sys.argv[1], "rb").read())[:5])))' "$T/s.cdc"): default.products: the topic template '{partition}' gives an empty name for this delete" \
	"a template with no name for an event: exit 3 saying why (it printed garbage)"

# -F: the brokers (and any secrets) from a properties file rather than argv;
# --ddl-topic; -v: a summary at the end: 10 rows (6 inserted, 4 deleted
# keys), 20 messages (and 4 tombstones, 6 DDL events).
printf '# the target cluster\nbootstrap.servers=%s\n' "$DST" >"$T/dst.properties"
./cdc-write-kafka -F "$T/dst.properties" --ddl-topic ops.ddl -t 'cf.{collection}' -v \
	<"$T/s.cdc" 2>"$T/cf.err"
n=""
for t in cf.products cf.notes ops.ddl; do
	n="$n $(kcat -b "$DST" -C -t $t -e -q -f 'x\n' 2>/dev/null | wc -l)"
done
is "$n" " 10 4 6" "-F: bootstrap.servers from a properties file; --ddl-topic: DDL events there"
check "-v: a summary at the end" grep -qx 'cdc-write-kafka: 10 rows, 20 messages' "$T/cf.err"

./cdc-write-kafka -b "$DST" --with-schema -t 'ws.{collection}' <"$T/s.cdc"
kcat -b "$DST" -C -t ws.products -e -q -f '%k\t%s\n' 2>/dev/null | grep '"payload":{"id":1}' | python3 -c '
import json, sys
for line in sys.stdin:
    k, v = line.rstrip("\n").split("\t", 1)
    k, v = json.loads(k), json.loads(v)
    if v["payload"]["op"] == "c": break
after = {f["field"]: f for f in v["schema"]["fields"] if f["field"] == "after"}["after"]
types = {f["field"]: f["type"] + ("/" + f["items"]["type"] if "items" in f else "") for f in after["fields"]}
print(k["schema"]["fields"][0]["type"], k["payload"]["id"], types["id"], types["title"], types["embedding"],
      types["half"], types["sparse"], types["bits"], after["fields"][0]["optional"],
      v["payload"]["op"], v["payload"]["after"]["attrs"], v["schema"]["name"])' >"$T/ws"
echo 'int64 1 int64 string array/float array/float map bytes False c {"size":42} milvus.default.products.Envelope' >"$T/ws.want"
cmp_ok "$T/ws" "$T/ws.want" "--with-schema: Kafka Connect JsonConverter schema and payload"

# A torn stream: everything before it delivered and checkpointed, exit 3.
head -c $(( $(wc -c <"$T/s.cdc") - 7 )) "$T/s.cdc" >"$T/torn.cdc"
rc=0; ./cdc-write-kafka -b "$DST" -t 'torn.{collection}' --checkpoint "$T/t.ckpt" <"$T/torn.cdc" 2>"$T/torn.err" || rc=$?
is "$rc" 3 "a torn frame exits 3"
is "$(kcat -b "$DST" -C -t torn.products -e -q -f 'x\n' 2>/dev/null | wc -l)" 10 \
	"every message before it was delivered"

# Produce errors that outlast the retries: exit 1, checkpoint not written.
start_kafka --control "$T/ctl"
kafka_ctl "$T/ctl" "push-errors 0 10000 TOPIC_AUTHORIZATION_FAILED"
sleep 0.2
rc=0; ./cdc-write-kafka -b "$BROKERS" --checkpoint "$T/f.ckpt" -X message.timeout.ms=3000 \
	<"$T/s.cdc" 2>"$T/f.err" || rc=$?
if [ "$rc" = 1 ] && [ ! -e "$T/f.ckpt" ]; then ok "a failed delivery exits 1 and writes no checkpoint"
else not_ok "a failed delivery exits 1 and writes no checkpoint (rc=$rc)"; cat "$T/f.err" | sed 's/^/# /'; fi

# Retriable produce errors: retried by the idempotent producer, nothing lost.
# One request in flight: librdkafka's mock checks no sequence numbers for an
# idempotent (non-transactional) producer, so with two batches of a partition
# in flight it accepts the second while the first is refused; librdkafka
# then takes the first as delivered ("implicitly acked by subsequent batch
# success") and it is lost.  A real broker refuses the second with
# OUT_OF_ORDER_SEQUENCE_NUMBER and both are retried.
start_kafka --control "$T/ctl2"
kafka_ctl "$T/ctl2" "push-errors 0 5 NOT_ENOUGH_REPLICAS"
sleep 0.2
rc=0; ./cdc-write-kafka -b "$BROKERS" -t 'tr.{collection}' \
	-X max.in.flight.requests.per.connection=1 <"$T/s.cdc" 2>"$T/tr.err" || rc=$?
n=""
for t in tr.products tr.notes milvus.ddl; do
	n="$n $(kcat -b "$BROKERS" -C -t $t -e -q -f 'x\n' 2>/dev/null | wc -l)"
done
is "$rc:$n" "0: 10 4 6" "transient produce errors are retried and nothing is lost"

# A message larger than message.max.bytes is an error naming the row.
long=$(printf '%01500d' 0)
rc=0; ./cdc-write-kafka -b "$DST" --name "$long" -X message.max.bytes=1000 -t 'big.{collection}' \
	<"$T/s.cdc" 2>"$T/big.err" || rc=$?
is "$rc" 1 "a row larger than message.max.bytes exits 1"
check "naming the event, its source position and key" grep -q \
	'^cdc-write-kafka: default.products (by-dev-rootcoord-dml_0@0): cannot produce key {.*}.*: Broker: Message size too large' "$T/big.err"
done_testing
