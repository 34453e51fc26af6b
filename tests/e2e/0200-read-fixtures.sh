#!/bin/sh
# cdc-read -e on the public fixtures gives exactly the events of
# expected.jsonl, in that order, ending with a checkpoint; it is
# deterministic; malformed records stop it with exit 3 and the position.
. "$(dirname "$0")/lib.sh"
plan 9
start_kafka
load_fixtures

rc=0; ./cdc-read -b "$BROKERS" -e >"$T/out.cdc" 2>"$T/err" || rc=$?
is "$rc" 0 "cdc-read -e exits 0"
build/cdc-dump <"$T/out.cdc" >"$T/out.jsonl"

# The neutral form of expected.jsonl: op, collection, ts, and the keys of
# deletes and inserts (values are checked field by field in test_fixtures).
python3 - "$FIXTURES/expected.jsonl" "$T/out.jsonl" >"$T/cmp" <<'PY'
import json, sys
want = [json.loads(l) for l in open(sys.argv[1])]
got = [json.loads(l) for l in open(sys.argv[2])]
types = [g["type"] for g in got]
assert types[0] == "header" and types[-1] == "checkpoint", types
ev = [g for g in got if g["type"] not in ("header", "checkpoint")]
def keys(g):
    if g["type"] == "delete":
        return g["keys"]
    if g["type"] == "insert":
        col = next(c for c in g["columns"] if c["name"] in ("id", "key"))
        return col["data"]
    return None
for i, (w, g) in enumerate(zip(want, ev)):
    assert w["op"] == g["type"], (i, w, g["type"])
    assert w["ts"] == g["ts"], (i, w["ts"], g["ts"])
    if "collection" in w:
        assert w["collection"] == g.get("collection"), (i, w, g.get("collection"))
    if "pks" in w:
        assert w["pks"] == keys(g), (i, w["pks"], keys(g))
    if "rows" in w:
        assert [r.get("id", r.get("key")) for r in w["rows"]] == keys(g), i
assert len(want) == len(ev), (len(want), len(ev))
print("same")
PY
is "$(cat "$T/cmp")" "same" "events equal expected.jsonl in order"

./cdc-read -b "$BROKERS" -e >"$T/again.cdc" 2>/dev/null
# The header names the brokers; everything after it is the same bytes.
build/cdc-dump <"$T/again.cdc" | tail -n +2 >"$T/a"
tail -n +2 "$T/out.jsonl" >"$T/b"
cmp_ok "$T/a" "$T/b" "a second run gives the same events"

./cdc-read -b "$BROKERS" -e -c 3 | build/cdc-dump >"$T/c3.jsonl"
is "$(grep -vc '"type":"\(header\|checkpoint\)"' "$T/c3.jsonl")" 3 "-c 3 stops after 3 events"

./cdc-read -b "$BROKERS" -e --collection notes --op insert,delete |
	build/cdc-dump | grep -v '"type":"\(header\|checkpoint\)"' |
	sed 's/.*"type":"\([a-z_]*\)".*"collection":"\([a-z]*\)".*/\1 \2/' >"$T/f"
printf 'schema notes\ninsert notes\ndelete notes\n' >"$T/fwant"
cmp_ok "$T/f" "$T/fwant" "--collection and --op filter, with a schema event first"

# A torn protobuf on a DML channel: everything before it, then exit 3.
bad=$(printf '\n\021\010\220\003\020' | base64)
echo '{"topic":"by-dev-rootcoord-dml_1","partition":0,"headers":[["msg_type","Insert"]],"value_b64":"'"$bad"'"}' >"$T/bad.jsonl"
load_fixtures "$T/bad.jsonl"
rc=0; ./cdc-read -b "$BROKERS" -e >"$T/bad.cdc" 2>"$T/bad.err" || rc=$?
is "$rc" 3 "an undecodable record exits 3"
diag "$(cat "$T/bad.err")"
is "$(build/cdc-dump <"$T/bad.cdc" | grep -c '"type":"insert"')" 3 \
	"the inserts before the bad record still came out"
check "the error names topic, partition and offset" \
	grep -q 'by-dev-rootcoord-dml_1 \[0\] at offset 6: cannot decode InsertRequest' "$T/bad.err"
rc=0; ./cdc-read -b "$BROKERS" -e --skip-bad >"$T/skip.cdc" 2>/dev/null || rc=$?
is "$rc" 0 "--skip-bad goes on"
done_testing
