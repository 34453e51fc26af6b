#!/bin/sh
# cdc-write-json: the fixtures' rows as the JSON mapping says, concatenated
# streams, malformed input (exit 3 naming the frame, lines before it kept),
# write errors, checkpoints.
. "$(dirname "$0")/lib.sh"
plan 12
start_kafka
load_fixtures
./cdc-read -b "$BROKERS" -e >"$T/s.cdc"

./cdc-write-json <"$T/s.cdc" >"$T/out.jsonl"
# The rows of expected.jsonl in our mapping: vectors as arrays, binary as
# base64, JSON fields embedded, $meta flattened.
python3 - "$FIXTURES/expected.jsonl" "$T/out.jsonl" >"$T/cmp" <<'PY'
import base64, json, sys
want = [json.loads(l) for l in open(sys.argv[1])]
got = [json.loads(l) for l in open(sys.argv[2])]
rows = [g["row"] for g in got if g["op"] == "insert"]
exp = []
for w in want:
    for r in w.get("rows", []):
        r = dict(r)
        if "bits" in r: r["bits"] = base64.b64encode(bytes.fromhex(r["bits"])).decode()
        if "attrs" in r: r["attrs"] = json.loads(r["attrs"])
        meta = json.loads(r.pop("meta", "{}"))
        if "sparse" in r: r["sparse"] = {k: v for k, v in r["sparse"].items()}
        r.update(meta)
        exp.append(r)
print("same" if rows[:len(exp)] == exp else "differ\n%s\n%s" % (rows, exp))
PY
is "$(head -1 "$T/cmp")" "same" "insert rows equal expected.jsonl in our JSON mapping"
is "$(grep -c '"op":"delete"' "$T/out.jsonl")" 4 "one line per deleted key"
check "deletes carry the key object" grep -q '"op":"delete".*"collection":"notes","key":{"key":"a"}' "$T/out.jsonl"
check "DDL lines carry their fields" grep -q '"op":"create_index".*"index_name":"emb_idx"' "$T/out.jsonl"

cat "$T/s.cdc" "$T/s.cdc" | ./cdc-write-json >"$T/twice.jsonl"
is "$(wc -l <"$T/twice.jsonl")" "$(( $(wc -l <"$T/out.jsonl") * 2 ))" "two concatenated streams"

size=$(wc -c <"$T/s.cdc")
head -c $((size - 7)) "$T/s.cdc" >"$T/torn.cdc"
rc=0; ./cdc-write-json --checkpoint "$T/torn.ckpt" <"$T/torn.cdc" >"$T/torn.jsonl" 2>"$T/torn.err" || rc=$?
is "$rc" 3 "a torn frame exits 3"
check "naming the frame and offset" grep -q '^cdc-write-json: stdin: frame [0-9]* at byte [0-9]*: truncated body' "$T/torn.err"
is "$(wc -l <"$T/torn.jsonl")" "$(wc -l <"$T/out.jsonl")" "every line before the torn frame was written"

# A row that cannot be written (a JSON value that is not JSON), after the
# whole of s.cdc: exit 3 naming input, frame and byte offset (the stream
# cdcgen.py makes has its own header frame first: frame n + 2).
printf '%s\n' '{"type": "insert", "ts": 446710992076800001, "db": "default", "collection": "c",
  "partition": "_default", "vchannel": "v0", "pk": "id", "rows": 2, "columns": [
  {"name": "id", "field_id": 100, "type": "Int64", "data": [1, 2]},
  {"name": "doc", "field_id": 101, "type": "JSON", "data": ["{}", "{\"n\":"]}]}' |
	tr -d '\n' | python3 tests/e2e/cdcgen.py >"$T/badrow.cdc"
rc=0; cat "$T/s.cdc" "$T/badrow.cdc" | ./cdc-write-json >"$T/badrow.jsonl" 2>"$T/badrow.err" || rc=$?
n=$(python3 -c 'import sys; sys.path.insert(0, "tests/e2e"); from cdcgen import frames
fs = frames(open(sys.argv[1], "rb").read()); h = frames(open(sys.argv[2], "rb").read())[0]
print(len(fs) + 2, sum(map(len, fs)) + len(h))' "$T/s.cdc" "$T/badrow.cdc")
is "$rc:$(cat "$T/badrow.err")" "3:cdc-write-json: stdin: frame ${n% *} at byte ${n#* }: column \"doc\" row 1: invalid JSON value" \
	"a bad row exits 3 naming the frame and its byte offset"
cmp_ok "$T/badrow.jsonl" "$T/out.jsonl" "every line of the events before it, none of its own"

rc=0; ./cdc-write-json <"$T/s.cdc" >/dev/full 2>"$T/full.err" || rc=$?
is "$rc" 1 ">/dev/full exits 1"

./cdc-write-json --checkpoint "$T/ok.ckpt" -o "$T/o.jsonl" <"$T/s.cdc"
python3 tests/e2e/lastckpt.py "$T/s.cdc" "$T/last.ckpt" >/dev/null
cmp_ok "$T/ok.ckpt" "$T/last.ckpt" "--checkpoint holds the last checkpoint frame"
done_testing
