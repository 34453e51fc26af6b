#!/bin/sh
# milvus-sim's every-type workload for each Milvus version, through
# cdc-read -e | cdc-write-json: applying the events in stream order (a delete
# removes the key, an insert sets it) gives exactly the rows milvus-sim
# computed with Milvus's rules, value for value.
. "$(dirname "$0")/lib.sh"
export ROWS_F32=1	# floats compared as the float32 they denote
plan 6
for v in 2.3 2.4 2.5; do
	start_kafka
	build/milvus-sim -b "$BROKERS" --milvus-version "$v" --workload alltypes --rows 300 \
		--expect "$T/exp.$v" >/dev/null
	rc=0; ./cdc-read -b "$BROKERS" -e --state "$T/state.$v" 2>"$T/err.$v" |
		./cdc-write-json >"$T/out.$v" || rc=$?
	is "$rc" 0 "$v: every type decodes"
	python3 - "$T/out.$v" >"$T/got.$v" <<'PY'
import json, struct, sys
def f32(v):   # compare floats as the float32 they denote, as lib.sh does
    if isinstance(v, float): return struct.unpack("f", struct.pack("f", v))[0]
    if isinstance(v, list): return [f32(x) for x in v]
    if isinstance(v, dict): return {k: f32(x) for k, x in v.items()}
    return v
rows, pks = {}, {}
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e["op"] in ("create_collection", "schema"):
        pks[e["collection"]] = next(f["name"] for f in e["schema"]["fields"] if f["primary_key"])
    elif e["op"] == "insert":
        r = e["row"]
        rows[(e["db"], e["collection"], json.dumps(r[pks[e["collection"]]]))] = r
    elif e["op"] == "delete":
        rows.pop((e["db"], e["collection"], json.dumps(list(e["key"].values())[0])), None)
for (db, coll, _), r in rows.items():
    print(json.dumps({"db": db, "collection": coll, "row": f32(r)}, sort_keys=True))
PY
	sort -o "$T/got.$v" "$T/got.$v"
	expect_rows "$T/exp.$v" >"$T/want.$v"
	cmp_ok "$T/got.$v" "$T/want.$v" "$v: the rows equal milvus-sim's final state"
done
done_testing
