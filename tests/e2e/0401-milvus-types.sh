#!/bin/sh
# cdc-write-milvus, every data type and the delete encodings, on streams built
# by cdcgen.py from tests/e2e/data/alltypes.jsonl: the schema the fake stores
# (autoID off, params as strings, nullable, default, partition key, BM25
# function, dynamic field), the rows (function outputs never sent, no
# partitionName in partition-key mode), VarChar delete keys with quotes,
# backslashes and control characters as exprParams (2.5+) or inline (2.4,
# probed), INT64_MIN, an insert/delete/insert of one key kept in order, and
# the --dry-run output byte for byte.
. "$(dirname "$0")/lib.sh"
plan 14
D=tests/e2e/data
python3 tests/e2e/cdcgen.py <"$D/alltypes.jsonl" >"$T/all.cdc"
start_fake_milvus

schema_of() {
	curl -s "$FAKE_URI/_fake/state" | python3 -c '
import json, sys
s = json.load(sys.stdin)
for cn, c in sorted(s["databases"]["default"]["collections"].items()):
    sc = c["schema"]
    print(cn, "autoID=%s dyn=%s shards=%s cl=%s props=%s" % (sc.get("autoID"),
          sc.get("enableDynamicField"), c.get("shardsNum"), c.get("consistencyLevel"),
          json.dumps(c["properties"], sort_keys=True)))
    for f in sc["fields"]:
        print(" ", json.dumps({k: v for k, v in f.items() if k != "id"}, sort_keys=True))
    for f in sc.get("functions") or []:
        print(" fn", json.dumps(f, sort_keys=True))
    print(" indexes", json.dumps(c["indexes"], sort_keys=True), "loaded", c["loaded"])'
}
# requests: the bodies the fake received, one a line as sent.
# exact_rows: the fake's rows as sorted JSON lines, floats as stored (lib.sh's
# fake_rows rounds them to float32; Double values must stay exact here).
exact_rows() {
	curl -s "$FAKE_URI/_fake/state" | python3 -c '
import json, sys
s = json.load(sys.stdin)
out = []
for dn, d in s["databases"].items():
    for cn, c in d["collections"].items():
        for r in c["rows"]:
            r = {k: v for k, v in r.items() if k != "__partition"}
            out.append(json.dumps({"db": dn, "collection": cn, "row": r}, sort_keys=True))
print("\n".join(sorted(out)))'
}
requests() {
	curl -s "$FAKE_URI/_fake/requests" | python3 -c '
import json, sys
for r in json.load(sys.stdin):
    print(r["path"], r.get("rawBody"))'
}

rc=0; ./cdc-write-milvus --uri "$FAKE_URI" --checkpoint "$T/ckpt" <"$T/all.cdc" 2>"$T/err" || rc=$?
is "$rc" 0 "every type applied"
[ "$rc" = 0 ] || sed 's/^/# /' "$T/err"
schema_of >"$T/schema"
cmp_ok "$T/schema" "$D/alltypes.schema" "the fake stores every field as the stream declares it"
exact_rows >"$T/rows"
cmp_ok "$T/rows" "$D/alltypes.rows" "rows: every type, NULLs, \$meta flattened, deletes applied in order"
requests >"$T/req"
check "the BM25 output is never sent" sh -c "! grep -q '\"bm25\":' '$T/req'"
check "no partitionName for the partition-key collection" sh -c \
	"! grep 'alltypes' '$T/req' | grep -q partitionName"
check "string keys go as exprParams on 2.5+" grep -qF '"filter":"k in {keys}","exprParams":{"keys":["plain", "q\"uote", "back\\slash", "new\nline", "tab\tx", "' "$T/req"
check "INT64_MIN is deleted in a request of its own" grep -qF '"filter":"pk < -9223372036854775807"' "$T/req"
python3 tests/e2e/lastckpt.py "$T/all.cdc" "$T/last" >/dev/null
cmp_ok "$T/ckpt" "$T/last" "the checkpoint is the last one"

# Loads are asynchronous: the writer waits for LoadStateLoaded, so the
# INT64_MIN delete that needs a loaded collection is not refused (103).
fake_post /_fake/reset '{}'
fake_post /_fake/config '{"asyncPolls":3}'
rc=0; ./cdc-write-milvus --uri "$FAKE_URI" -v <"$T/all.cdc" 2>"$T/err" || rc=$?
is "$rc:$(grep -c ', 0 retries' "$T/err"):$(requests | grep -c '^/v2/vectordb/collections/get_load_state ')" "0:1:4" \
	"a load is waited for (4 polls), nothing retried"
exact_rows >"$T/rows"
cmp_ok "$T/rows" "$D/alltypes.rows" "and the rows are the same"

# 2.4 has no exprParams: probed through databases/list (404), keys inline.
fake_post /_fake/reset '{}'
fake_post /_fake/config '{"version":"2.4.5"}'
rc=0; ./cdc-write-milvus --uri "$FAKE_URI" --collection strs <"$T/all.cdc" 2>"$T/err" || rc=$?
requests >"$T/req"
is "$rc:$(exact_rows | grep -c '"k": "keep"'):$(exact_rows | wc -l)" "0:1:1" "2.4: the escaped inline keys delete exactly their rows"
check "2.4: inline literals, escaped" grep -qF '"filter":"k in [\"plain\", \"q\\\"uote\", \"back\\\\slash\", \"new\\x0aline\", \"tab\\x09x\", ' "$T/req"
rc=0; ./cdc-write-milvus --uri "$FAKE_URI" --collection alltypes <"$T/all.cdc" 2>"$T/err" || rc=$?
is "$rc" 1 "2.4 refuses what it cannot hold: exit 1"

./cdc-write-milvus --dry-run <"$T/all.cdc" >"$T/dry" 2>&1
cmp_ok "$T/dry" "$D/alltypes.dry-run" "--dry-run prints the requests (golden)"
done_testing
