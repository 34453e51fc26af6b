#!/bin/sh
# cdc-write-milvus options against the fake: usage errors (exit 2), the three
# ways to give credentials, TLS options, name mapping and filters, insert
# mode, batching by rows and bytes, --timeout and --retry-max, a 404 naming
# the Milvus version, flush skipped on 2.4, SIGTERM while idle.
. "$(dirname "$0")/lib.sh"
plan 36
D=tests/e2e/data
python3 tests/e2e/cdcgen.py <"$D/alltypes.jsonl" >"$T/all.cdc"
# 20 rows of 64-dim vectors in 2 insert events, a flush, a create_database.
python3 - >"$T/big.jsonl" <<'PY'
import json
src = lambda o: {"topic": "t", "partition": 1, "offset": o}
base = lambda t, o: {"type": t, "ts": 1000 + o, "db": "default", "collection": "big", "src": src(o)}
fs = [{"field_id": 100, "name": "id", "type": "Int64", "primary_key": True, "params": {}},
      {"field_id": 101, "name": "v", "type": "FloatVector", "params": {"dim": "64"}}]
print(json.dumps(dict(base("create_collection", 0), schema={"name": "big", "fields": fs})))
for e in range(2):
    ids = list(range(e * 10, e * 10 + 10))
    print(json.dumps(dict(base("insert", 1 + e), partition="_default", rows=10, pk="id", columns=[
        {"name": "id", "field_id": 100, "type": "Int64", "data": ids},
        {"name": "v", "field_id": 101, "type": "FloatVector", "dim": 64,
         "data": {"$vec_f32": [0.123456789 * (i + 1) for i in range(640)]}}])))
print(json.dumps(dict(base("flush", 3), collections=["big"])))
print(json.dumps({"type": "checkpoint", "positions": [{"topic": "t", "partition": 1, "offset": 4}], "ts": 1004}))
d = dict(base("create_database", 5), properties={}); d["db"] = "other"; del d["collection"]
print(json.dumps(d))
PY
python3 tests/e2e/cdcgen.py <"$T/big.jsonl" >"$T/big.cdc"
head -n 4 "$T/big.jsonl" | python3 tests/e2e/cdcgen.py >"$T/big4.cdc"
start_fake_milvus --token root:Milvus
W=./cdc-write-milvus
reqs() { curl -s "$FAKE_URI/_fake/requests" | python3 -c '
import json, sys
for r in json.load(sys.stdin):
    print(r["path"], r.get("rawBody"))'; }
count() { reqs | grep -c "^/v2/vectordb/$1 " || true; }
reset() { fake_post /_fake/reset '{}'; fake_post /_fake/config '{"token":"root:Milvus","version":"2.6.99"}'; }

# --- usage errors, found before any data moves: exit 2
usage() {
	_want=$1; shift
	rc=0; "$W" "$@" </dev/null >/dev/null 2>"$T/u.err" || rc=$?
	is "$rc:$(head -n 1 "$T/u.err")" "2:$_want" "usage: $*"
}
usage "cdc-write-milvus: missing '--uri'"
usage "cdc-write-milvus: invalid --uri (want http:// or https://) 'localhost:19530'" --uri localhost:19530
usage "cdc-write-milvus: --user needs '--password-file'" --uri http://x --user root
usage "cdc-write-milvus: --dry-run conflicts with '--checkpoint'" --dry-run --checkpoint "$T/x"
usage "cdc-write-milvus: invalid --insert-mode 'replace'" --uri http://x --insert-mode replace
usage "cdc-write-milvus: invalid argument '0'" --uri http://x --batch-rows 0
usage "cdc-write-milvus: cannot open '$T/none': No such file or directory" --uri http://x --token-file "$T/none"
rc=0; $W --dry-run <"$T/big4.cdc" >/dev/full 2>"$T/u.err" || rc=$?
is "$rc:$(grep -c 'write error' "$T/u.err")" "1:1" "--dry-run into /dev/full: exit 1, write error"
usage "cdc-write-milvus: invalid --milvus-version '3.0'" --uri http://x --milvus-version 3.0
check "--version names curl and jansson" sh -c "$W --version | grep -q '^cdc-write-milvus [0-9.]* (libcurl/.*jansson'"
rc=0; $W --dry-run --max-frame 16 <"$T/big4.cdc" >/dev/null 2>"$T/u.err" || rc=$?
is "$rc:$(grep -c 'frame 1 at byte 0: .*exceeds the maximum' "$T/u.err")" "3:1" "--max-frame 16: the first frame is too big, exit 3"
check "--help exits 0 listing --batch-bytes" sh -c "$W --help | grep -q -- --batch-bytes"

# --- credentials
printf 'root:Milvus\n' >"$T/tok"; printf 'Milvus\n' >"$T/pw"
reset
rc=0; MILVUS_TOKEN=root:Milvus $W --uri "$FAKE_URI/" <"$T/big4.cdc" 2>/dev/null || rc=$?
is "$rc" 0 "MILVUS_TOKEN (and a --uri ending in a slash)"
reset
rc=0; $W --uri "$FAKE_URI" --token-file "$T/tok" <"$T/big4.cdc" 2>/dev/null || rc=$?
is "$rc" 0 "--token-file"
reset
rc=0; $W --uri "$FAKE_URI" --user root --password-file "$T/pw" <"$T/big4.cdc" 2>/dev/null || rc=$?
is "$rc" 0 "--user and --password-file"
reset
rc=0; $W --uri "$FAKE_URI" <"$T/big4.cdc" 2>"$T/e" || rc=$?
is "$rc:$(grep -c "code 1800: user hasn't authenticated" "$T/e")" "1:1" "no credentials: exit 1 with Milvus's 401 message"

# --- --milvus-version 2.4: no probe, VarChar keys inline; -q: no warnings
reset
rc=0; MILVUS_TOKEN=root:Milvus $W --uri "$FAKE_URI" --milvus-version 2.4 --collection strs -q <"$T/all.cdc" 2>"$T/e" || rc=$?
is "$rc:$(count databases/list):$(reqs | grep -c 'filter.*in \[')" "0:0:1" "--milvus-version 2.4: no probe, keys inline"
printf '{"type":"mystery","ts":1}\n' | python3 tests/e2e/cdcgen.py >"$T/unknown.cdc"
rc=0; $W --dry-run -q <"$T/unknown.cdc" >/dev/null 2>"$T/e" || rc=$?
is "$rc:$(wc -c <"$T/e" | tr -d ' '):$($W --dry-run <"$T/unknown.cdc" 2>&1 >/dev/null)" \
	"0:0:cdc-write-milvus: skipping events of unknown type 'mystery'" "-q silences the warning about an unknown event type"

# --- TLS options reach libcurl: https to a plain-HTTP server fails the handshake
U=$(echo "$FAKE_URI" | sed 's/^http:/https:/')
rc=0; $W --uri "$U" --retry-max 0 --cacert "$T/none.pem" <"$T/big4.cdc" 2>"$T/e" || rc=$?
is "$rc:$(grep -ci 'CA cert' "$T/e")" "1:1" "--cacert is used (a missing CA file is named)"
rc=0; $W --uri "$U" --retry-max 0 --insecure --cacert "$T/none.pem" <"$T/big4.cdc" 2>"$T/e" || rc=$?
is "$rc:$(grep -ci 'CA cert' "$T/e")" "1:0" "--insecure skips the CA check (the handshake still fails on plain HTTP)"

# --- mapping and filters
reset
curl -s -H 'Authorization: Bearer root:Milvus' -d '{"dbName":"replica"}' "$FAKE_URI/v2/vectordb/databases/create" >/dev/null
rc=0; MILVUS_TOKEN=root:Milvus $W --uri "$FAKE_URI" --map-db default=replica --map-collection 'st*=copy_strs' \
	--collection strs <"$T/all.cdc" 2>"$T/e" || rc=$?
is "$rc:$(fake_rows | python3 -c 'import sys, json; print(sorted({(r["db"], r["collection"]) for r in map(json.loads, sys.stdin)}))')" \
	"0:[('replica', 'copy_strs')]" "--map-db, --map-collection (glob) and --collection"
reset
rc=0; MILVUS_TOKEN=root:Milvus $W --uri "$FAKE_URI" --db 'other*' <"$T/all.cdc" 2>/dev/null || rc=$?
is "$rc:$(count 'collections/create')" "0:0" "--db filters every event of other databases out"

# --- insert mode and batching
export MILVUS_TOKEN=root:Milvus
reset
$W --uri "$FAKE_URI" --insert-mode insert <"$T/big4.cdc"
is "$(count entities/insert):$(count entities/upsert)" "1:0" "--insert-mode insert; the two insert events go in one request"
reset
$W --uri "$FAKE_URI" --batch-rows 3 <"$T/big4.cdc"
is "$(count entities/upsert):$(fake_rows | wc -l)" "7:20" "--batch-rows 3: 20 rows in 7 requests"
reset
$W --uri "$FAKE_URI" --batch-bytes 4k <"$T/big4.cdc"
n=$(count entities/upsert)
check "--batch-bytes 4k: more requests ($n), none above 4k + one row" sh -c \
	"[ $n -gt 2 ] && [ \$(curl -s '$FAKE_URI/_fake/requests' | python3 -c '
import json, sys
print(max(len(r[\"rawBody\"]) for r in json.load(sys.stdin) if r[\"path\"].endswith(\"upsert\")))') -lt 6000 ]"
is "$(fake_rows | wc -l)" 20 "and every row arrives"

# Two collections interleaved (a, b, a, b, ...): each keeps its own batch.
python3 - <<'PY' | python3 tests/e2e/cdcgen.py >"$T/ab.cdc"
import json
fs = [{"field_id": 100, "name": "id", "type": "Int64", "primary_key": True, "params": {}},
      {"field_id": 101, "name": "v", "type": "FloatVector", "params": {"dim": "2"}}]
for c in "ab":
    print(json.dumps({"type": "create_collection", "ts": 1, "db": "default", "collection": c,
                      "src": {"topic": "t", "partition": 0, "offset": 0}, "schema": {"name": c, "fields": fs}}))
for i in range(20):
    c = "ab"[i % 2]
    print(json.dumps({"type": "insert", "ts": 2 + i, "db": "default", "collection": c, "partition": "_default",
                      "src": {"topic": "t", "partition": 0, "offset": 1 + i}, "rows": 5, "pk": "id", "columns": [
        {"name": "id", "field_id": 100, "type": "Int64", "data": list(range(5 * i, 5 * i + 5))},
        {"name": "v", "field_id": 101, "type": "FloatVector", "dim": 2, "data": {"$vec_f32": [0.5] * 10}}]}))
    if i == 13:
        print(json.dumps({"type": "delete", "ts": 100, "db": "default", "collection": "a",
                          "src": {"topic": "t", "partition": 0, "offset": 50}, "pk": "id", "keys": [0, 60]}))
PY
reset
$W --uri "$FAKE_URI" <"$T/ab.cdc"
is "$(count entities/upsert):$(count entities/delete)" "3:1" "interleaved collections batch apart: 3 upserts (a's split by its delete), 1 delete"
is "$(fake_rows | python3 -c 'import json, sys; print(sorted((json.loads(l)["collection"], json.loads(l)["row"]["id"]) for l in sys.stdin if "\"a\"" in l and json.loads(l)["row"]["id"] in (0, 60, 70)))')" \
	"[('a', 70)]" "and a's delete came after a's earlier inserts, before its later ones"

# --- timeouts and retries
reset
fake_post /_fake/faults '{"path":"/v2/vectordb/entities/upsert","nth":1,"count":1,"action":"slow","seconds":2.5}'
rc=0; $W --uri "$FAKE_URI" --timeout 1 --retry-backoff 10 -v <"$T/big4.cdc" 2>"$T/e" || rc=$?
is "$rc:$(grep -c ', 1 retries' "$T/e"):$(fake_rows | wc -l)" "0:1:20" "--timeout 1: a slow answer is given up and retried"
reset
fake_post /_fake/faults '{"path":"/v2/vectordb/entities/upsert","nth":1,"count":5,"action":"http500"}'
rc=0; $W --uri "$FAKE_URI" --retry-max 2 --retry-backoff 1 --checkpoint "$T/c" <"$T/big4.cdc" 2>"$T/e" || rc=$?
is "$rc:$(grep -c 'frame 3 (t\[1\]@1): default.big: HTTP 500: not a Milvus response (after 2 retries)' "$T/e")" "1:1" \
	"--retry-max 2: the third 500 stops it (exit 1, naming the source position)"
check "and no checkpoint was written" test ! -e "$T/c"

# --- versions: 404 names the release; flush skipped on 2.4
reset
fake_post /_fake/config '{"version":"2.4.5"}'
rc=0; $W --uri "$FAKE_URI" --checkpoint "$T/c" <"$T/big.cdc" 2>"$T/e" || rc=$?
is "$rc" 1 "2.4: create_database is refused"
check "naming the version it needs" grep -q 'databases/create not found: it needs Milvus 2.5.0 or later' "$T/e"
check "flush is skipped with a warning, the checkpoint after it kept" sh -c \
	"grep -q 'collections/flush not found: it needs Milvus 2.5.4 or later: flush events skipped' '$T/e' && test -s '$T/c'"

# --- SIGTERM while upstream is idle: stops, checkpoint kept, killed by TERM
reset
mkfifo "$T/fifo"
$W --uri "$FAKE_URI" --checkpoint "$T/c2" <"$T/fifo" 2>"$T/e" &
wp=$!
exec 3>"$T/fifo"
cat "$T/big4.cdc" >&3
for _ in $(seq 100); do [ -s "$T/c2" ] && break; sleep 0.05; done
kill -TERM $wp
rc=0; wait $wp || rc=$?
exec 3>&-
is "$rc:$(fake_rows | wc -l)" "143:20" "SIGTERM while idle: died of TERM after applying everything"

# --- SIGTERM during a slow request: it finishes, the checkpoint right after
# it is kept, nothing more is sent, killed by TERM
reset
fake_post /_fake/faults '{"path":"/v2/vectordb/entities/upsert","nth":1,"count":1,"action":"slow","seconds":1.5}'
$W --uri "$FAKE_URI" --checkpoint "$T/c3" <"$T/all.cdc" 2>"$T/e" &
wp=$!
sleep 0.6
kill -TERM $wp
rc=0; wait $wp || rc=$?
is "$rc:$(build/cdc-dump <"$T/c3" | grep -o '"offset":[0-9]*'):$(fake_rows | cut -d'"' -f4 | sort | uniq -c | tr -s ' ')" \
	"143:\"offset\":4: 2 alltypes" "SIGTERM mid-request: the request finishes, its checkpoint is kept, nothing more is sent"
done_testing
