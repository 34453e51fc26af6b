#!/bin/sh
# cdc-write-milvus and SIGTERM while a request is under way (cdc-write-milvus(1),
# SIGNALS): that request finishes, no other one starts (another collection's
# batch, a DDL event, the rest of an event split by --batch-rows), no
# checkpoint passes what is left unsent, nothing goes to --dead-letter,
# nothing is logged, and the writer dies of the signal.
. "$(dirname "$0")/lib.sh"
plan 9
python3 - "$T" <<'PY'
import json, sys
src = lambda o: {"topic": "t", "partition": 0, "offset": o}
base = lambda t, c, o: {"type": t, "ts": 1000 + o, "db": "default", "collection": c, "src": src(o)}
fs = [{"field_id": 100, "name": "id", "type": "Int64", "primary_key": True, "params": {}},
      {"field_id": 101, "name": "v", "type": "FloatVector", "params": {"dim": "2"}}]
create = lambda c, o: base("create_collection", c, o) | {"schema": {"name": c, "fields": fs}}
def ins(c, o, ids):
    return base("insert", c, o) | {"partition": "_default", "rows": len(ids), "pk": "id", "columns": [
        {"name": "id", "field_id": 100, "type": "Int64", "data": ids},
        {"name": "v", "field_id": 101, "type": "FloatVector", "dim": 2,
         "data": {"$vec_f32": [0.5] * (2 * len(ids))}}]}
ck = lambda o: {"type": "checkpoint", "positions": [{"topic": "t", "partition": 0, "offset": o}], "ts": 1000 + o}
streams = {
    # two pending batches when the checkpoint comes: a's is sent slowly
    "two": [create("a", 0), create("b", 1), ins("a", 2, [1]), ins("b", 3, [2]), ck(4), ins("a", 5, [3])],
    # a DDL event flushes a's batch (slowly), then would drop b
    "ddl": [create("a", 0), create("b", 1), ins("a", 2, [1]), base("drop_collection", "b", 3), ck(4)],
    # one event of three rows, one request each with --batch-rows 1
    "split": [create("a", 0), ins("a", 1, [1, 2, 3]), ck(2)],
}
for name, evs in streams.items():
    with open("%s/%s.jsonl" % (sys.argv[1], name), "w") as f:
        f.writelines(json.dumps(e) + "\n" for e in evs)
PY
for s in two ddl split; do python3 tests/e2e/cdcgen.py <"$T/$s.jsonl" >"$T/$s.cdc"; done
start_fake_milvus
reqs() { curl -s "$FAKE_URI/_fake/requests" | python3 -c '
import json, sys
for r in json.load(sys.stdin):
    print(r["path"], (r.get("body") or {}).get("collectionName"))'; }

# term STREAM ARGS...: the writer on STREAM; SIGTERM once the fake holds its
# first upsert (slowed to 4 s, so the signal surely comes during it).  Sets
# rc, and n to the number of requests the fake had seen at the signal.
term() {
	_s=$1; shift
	fake_post /_fake/reset '{}'
	fake_post /_fake/faults '{"path":"/v2/vectordb/entities/upsert","nth":1,"count":1,"action":"slow","seconds":4}'
	rm -f "$T/c" "$T/dead"
	# not through bg: its stdin would be /dev/null (an asynchronous list's)
	./cdc-write-milvus --uri "$FAKE_URI" --checkpoint "$T/c" "$@" <"$T/$_s.cdc" 2>"$T/e" &
	wp=$!
	_pids="$_pids $wp"
	for _ in $(seq 200); do
		curl -s "$FAKE_URI/_fake/requests" | grep -q '"path": "/v2/vectordb/entities/upsert"' && break
		sleep 0.05
	done
	n=$(reqs | wc -l)
	kill -TERM $wp
	rc=0; wait $wp || rc=$?
}
# after: what the fake saw after the signal (empty when nothing)
after() { reqs | tail -n +$((n + 1)); }

term two --dead-letter "$T/dead"
is "$rc:$(after)" "143:" "two batches pending: died of TERM, nothing sent after the signal"
is "$(reqs | grep -c '^/v2/vectordb/entities/upsert ')" 1 "b's batch was not sent"
check "no checkpoint written (it would pass b's batch)" test ! -e "$T/c"
check "nothing went to --dead-letter" test ! -s "$T/dead"
check "and nothing was logged" test ! -s "$T/e"

term ddl
is "$rc:$(after):$(reqs | grep -c collections/drop)" "143::0" "a DDL event after the slow batch is not sent"
check "and nothing was logged" test ! -s "$T/e"

term split --batch-rows 1
is "$rc:$(after):$(reqs | grep -c '^/v2/vectordb/entities/upsert ')" "143::1" \
	"an event split by --batch-rows: its later parts are not sent"
check "no checkpoint, nothing logged" sh -c "test ! -e '$T/c' && test ! -s '$T/e'"
done_testing
