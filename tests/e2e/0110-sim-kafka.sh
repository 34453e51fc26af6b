#!/bin/sh
# milvus-sim into the embedded Kafka, read back with kcat (the independent
# client): the topics, record counts, values and msg_type headers are those
# of its --dump, and the headers follow the Milvus version.
. "$(dirname "$0")/lib.sh"
plan 15
start_kafka

# kcat's view of every topic with PREFIX, as dump-format JSON Lines sorted
# by topic (stable within a topic, so offset order is kept).
kcat_records() {
	for t in $(kcat -b "$BROKERS" -L 2>/dev/null |
	    sed -n "s/^ *topic \"\($1-[^\"]*\)\".*/\1/p" | sort); do
		# fetch.wait.max.ms: 500 ms per topic at the end otherwise
		kcat -b "$BROKERS" -C -t "$t" -o beginning -e -q -J \
		    -X fetch.wait.max.ms=5 2>/dev/null
	done | python3 -c '
import base64, json, sys
for line in sys.stdin.buffer:
    r = json.loads(line.decode("latin-1"))
    h = r.get("headers") or []
    pairs = [[h[i], h[i + 1]] for i in range(0, len(h), 2)]
    v = (r["payload"] or "").encode("latin-1")
    print(json.dumps({"topic": r["topic"], "partition": r["partition"],
                      "headers": pairs,
                      "value_b64": base64.b64encode(v).decode()}))'
}
sorted_dump() {
	python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
rows.sort(key=lambda r: r["topic"])
for r in rows: print(json.dumps(r))' "$1"
}
# header_kinds FILE: "topic-kind header" counts, e.g. "dml Insert 12".
header_kinds() {
	python3 -c '
import json, sys, collections
c = collections.Counter()
for l in open(sys.argv[1]):
    r = json.loads(l)
    kind = "rep" if r["topic"].endswith("replicate-msg") else "dml"
    c[(kind, " ".join(v for k, v in r["headers"]) or "-")] += 1
for (k, h), n in sorted(c.items()): print(k, h, n)' "$1"
}

for v in 2.3 2.4 2.5; do
	p=v${v#2.}
	build/milvus-sim -b "$BROKERS" --prefix "$p" --milvus-version "$v" \
	    --workload multi --rows 120 --batch 40 --dump "$T/$p.jsonl" \
	    2>"$T/$p.err"
	is "$?" 0 "milvus-sim --milvus-version $v exits 0"
	kcat_records "$p" >"$T/$p.kcat"
	sorted_dump "$T/$p.jsonl" >"$T/$p.want"
	cmp_ok "$T/$p.kcat" "$T/$p.want" \
	    "$v: kcat reads back exactly the dumped records"
done

header_kinds "$T/v3.jsonl" >"$T/h3"
is "$(cut -d' ' -f2 "$T/h3" | sort -u | tr '\n' ' ')" "- " \
    "2.3: no record has a header"
header_kinds "$T/v5.jsonl" >"$T/h5"
is "$(awk '$1 == "dml" { print $2 }' "$T/h5" | tr '\n' ' ')" \
    "- Delete Insert " "2.5: DML headers are Delete and Insert, broadcasts none"
is "$(awk '$1 == "rep" && $2 == "-"' "$T/h5" | wc -l)" 0 \
    "2.5: every replicate-msg record has msg_type"
is "$(grep -c '"AlterAlias"\|"RenameCollection"' "$T/v5.jsonl")" 2 \
    "2.5 multi: rename and alter-alias requests"
is "$(grep -c '"RenameCollection"\|"AlterIndex"' "$T/v4.jsonl")" 1 \
    "2.4 multi: AlterIndex but no rename"
is "$(kcat -b "$BROKERS" -L 2>/dev/null | grep -c 'topic "v5-rootcoord-dml_')" \
    "$(python3 -c 'import json,sys
print(len({json.loads(l)["topic"] for l in open(sys.argv[1])} - {"v5-replicate-msg"}))' "$T/v5.jsonl")" \
    "2.5: one Kafka topic per DML channel written"

build/milvus-sim --dump "$T/a.jsonl" --seed 9 --workload alltypes --rows 50
build/milvus-sim --dump "$T/b.jsonl" --seed 9 --workload alltypes --rows 50
build/milvus-sim --dump "$T/c.jsonl" --seed 10 --workload alltypes --rows 50
check "same seed, identical records" cmp -s "$T/a.jsonl" "$T/b.jsonl"
check "another seed, other records" sh -c "! cmp -s '$T/a.jsonl' '$T/c.jsonl'"

set +e
build/milvus-sim --dump "$T/x" --workload nope 2>"$T/err"
is "$?:$(head -1 "$T/err")" \
    "2:milvus-sim: invalid --workload 'nope': want basic, bench, alltypes or multi" \
    "unknown workload: exit 2 and one line naming it"
set -e
done_testing
