#!/bin/sh
# cdc-write-milvus: a refused insert in the middle of a stream stops it with
# the checkpoint left before it (exit 1), or with --dead-letter goes to the
# file as its frame while the rest is applied and the checkpoint moves on
# (but one that ran out of retries stops it, exit 1);
# the dead letters replay once the cause is fixed; a whole stream applied
# twice ends in the same state (create/index/alias replays are no errors,
# nor is dropping an alias that is gone).
. "$(dirname "$0")/lib.sh"
plan 14
python3 - >"$T/s.jsonl" <<'PY'
import json
src = lambda o: {"topic": "t", "partition": 2, "offset": o}
base = lambda t, o: {"type": t, "ts": 1000 + o, "db": "default", "collection": "c", "src": src(o)}
fs = [{"field_id": 100, "name": "id", "type": "Int64", "primary_key": True, "params": {}},
      {"field_id": 101, "name": "s", "type": "VarChar", "params": {"max_length": "4"}},
      {"field_id": 102, "name": "v", "type": "FloatVector", "params": {"dim": "2"}}]
def ins(o, ids, s):
    return dict(base("insert", o), partition="_default", rows=len(ids), pk="id", columns=[
        {"name": "id", "field_id": 100, "type": "Int64", "data": ids},
        {"name": "s", "field_id": 101, "type": "VarChar", "data": [s] * len(ids)},
        {"name": "v", "field_id": 102, "type": "FloatVector", "dim": 2, "data": {"$vec_f32": [0.5] * (2 * len(ids))}}])
ck = lambda o: {"type": "checkpoint", "positions": [{"topic": "t", "partition": 2, "offset": o}], "ts": 1000 + o}
print(json.dumps(dict(base("create_collection", 0), schema={"name": "c", "fields": fs})))
print(json.dumps(dict(base("create_index", 1), field="v", index_name="vi", params={"index_type": "FLAT", "metric_type": "L2"})))
print(json.dumps(dict(base("create_alias", 2), alias="cc")))
print(json.dumps(ins(3, [1, 2], "ok")))
print(json.dumps(ck(4)))
print(json.dumps(ins(5, [3], "too long")))
print(json.dumps(ck(6)))
print(json.dumps(ins(7, [4], "ok")))
print(json.dumps(dict(base("delete", 8), pk="id", keys=[2])))
print(json.dumps(ck(9)))
PY
python3 tests/e2e/cdcgen.py <"$T/s.jsonl" >"$T/s.cdc"
ckpt_at() { build/cdc-dump <"$1" | python3 -c 'import json, sys; print(json.load(sys.stdin)["positions"][0]["offset"])'; }
ids() { fake_rows | python3 -c 'import json, sys; print(sorted(json.loads(l)["row"]["id"] for l in sys.stdin if l.strip()))'; }
start_fake_milvus

rc=0; ./cdc-write-milvus --uri "$FAKE_URI" --checkpoint "$T/c" <"$T/s.cdc" 2>"$T/e" || rc=$?
is "$rc:$(ckpt_at "$T/c"):$(ids)" "1:4:[1, 2]" "a refused insert: exit 1, the checkpoint stays before it, nothing after it applied"
check "the error names the source position, the collection and Milvus's message" \
	grep -qF 'frame 7 (t[2]@5): default.c: code 1100: the length (8) of varchar field (s) exceeds max length (4)' "$T/e"

fake_post /_fake/reset '{}'
rc=0; ./cdc-write-milvus --uri "$FAKE_URI" --checkpoint "$T/c" --dead-letter "$T/dead" <"$T/s.cdc" 2>"$T/e" || rc=$?
is "$rc:$(ckpt_at "$T/c"):$(ids)" "0:9:[1, 4]" "--dead-letter: exit 0, the rest applied, the checkpoint at the end"
is "$(./cdc-write-json <"$T/dead" | python3 -c 'import json, sys; print([(e["op"], e["row"]["id"]) for e in map(json.loads, sys.stdin)])')" \
	"[('insert', 3)]" "the dead-letter file holds the refused event as a frame"

# A request that runs out of retries is no refusal: Milvus never saw it.
# The third upsert (ids 4) fails with HTTP 500 past --retry-max 1: exit 1,
# the checkpoint stays before it, only the refused insert is a dead letter.
fake_post /_fake/reset '{}'
fake_post /_fake/faults '{"path":"/v2/vectordb/entities/upsert","nth":3,"count":5,"action":"http500"}'
rc=0; ./cdc-write-milvus --uri "$FAKE_URI" --checkpoint "$T/c" --dead-letter "$T/dead5" \
	--retry-max 1 --retry-backoff 10 <"$T/s.cdc" 2>"$T/e" || rc=$?
fake_post /_fake/faults/clear '{}'
is "$rc:$(ckpt_at "$T/c"):$(ids):$(./cdc-write-json <"$T/dead5" | grep -c '"id":')" "1:6:[1, 2]:1" \
	"--dead-letter: retries run out: exit 1, the checkpoint before it, not a dead letter"
check "naming the frame and the retries" grep -q 'frame 9 (t\[2\]@7): default.c: .*(after 1 retries)$' "$T/e"

# Fix the cause (a wider field on a new target), replay the dead letter.
fake_post /_fake/reset '{}'
sed 's/"max_length": "4"/"max_length": "16"/' "$T/s.jsonl" | head -n 1 | python3 tests/e2e/cdcgen.py >"$T/wide.cdc"
./cdc-write-milvus --uri "$FAKE_URI" <"$T/wide.cdc"
rc=0; ./cdc-write-milvus --uri "$FAKE_URI" "$T/dead" 2>"$T/e" || rc=$?
is "$rc:$(ids)" "0:[3]" "the dead letter applies once the cause is fixed (file argument)"

# The same stream twice: replays of create_collection, create_index,
# create_alias and the rows are no errors and change nothing.
fake_post /_fake/reset '{}'
head -n 5 "$T/s.jsonl" | python3 tests/e2e/cdcgen.py >"$T/ok.cdc"
./cdc-write-milvus --uri "$FAKE_URI" <"$T/ok.cdc"
curl -s "$FAKE_URI/_fake/state" >"$T/state1"
rc=0; ./cdc-write-milvus --uri "$FAKE_URI" <"$T/ok.cdc" 2>"$T/e" || rc=$?
is "$rc" 0 "a replayed stream applies again without error"
[ "$rc" = 0 ] || sed 's/^/# /' "$T/e"
curl -s "$FAKE_URI/_fake/state" >"$T/state2"
cmp_ok "$T/state2" "$T/state1" "and leaves the same state"
is "$(curl -s "$FAKE_URI/_fake/requests" | python3 -c 'import json, sys; print([r["path"][13:] for r in json.load(sys.stdin) if "collections/" in r["path"]])')" \
	"['collections/describe', 'collections/create', 'collections/describe']" \
	"the replay checked the existing collection instead of creating it"
# An alias dropped twice (a replay past the drop): Milvus answers 1600
# "alias not found" the second time, which is no error either.
{ head -n 3 "$T/s.jsonl"; sed -n 3p "$T/s.jsonl" | sed 's/"create_alias"/"drop_alias"/'
	sed -n 3p "$T/s.jsonl" | sed 's/"create_alias"/"drop_alias"/'; } |
	python3 tests/e2e/cdcgen.py >"$T/alias.cdc"
rc=0; ./cdc-write-milvus --uri "$FAKE_URI" <"$T/alias.cdc" 2>"$T/e" || rc=$?
is "$rc:$(cat "$T/e")" "0:" "a replayed drop_alias is no error"
# A schema that differs in dim: exit 3, nothing written.
sed 's/"dim": "2"/"dim": "3"/' "$T/s.jsonl" | head -n 1 | python3 tests/e2e/cdcgen.py >"$T/dim.cdc"
rc=0; ./cdc-write-milvus --uri "$FAKE_URI" <"$T/dim.cdc" 2>"$T/e" || rc=$?
is "$rc:$(cat "$T/e")" '3:cdc-write-milvus: frame 2 (t[2]@0): default.c: schema mismatch: field "v" has dim 2 on the target, 3 in the stream' \
	"a schema mismatch in dim: exit 3 naming the field"

# A torn last frame: everything before it applied, then exit 3 naming it.
fake_post /_fake/reset '{}'
head -n 5 "$T/s.jsonl" | python3 tests/e2e/cdcgen.py >"$T/torn.cdc"
printf '\000\000\001\000\201' >>"$T/torn.cdc"
rc=0; ./cdc-write-milvus --uri "$FAKE_URI" --checkpoint "$T/c4" <"$T/torn.cdc" 2>"$T/e" || rc=$?
is "$rc:$(ids):$(ckpt_at "$T/c4")" "3:[1, 2]:4" "a torn frame: exit 3 after applying and checkpointing everything before it"
check "naming the frame" grep -q 'frame 7 at byte [0-9]*: truncated body' "$T/e"
done_testing
