#!/bin/sh
# cdc-read's options on the public fixtures: --from, --until now, -c with
# --op, --db and --collection filters, malformed records of every kind
# (exit 3 naming topic, partition and offset; --skip-bad goes on),
# --version, --dump-config, -X list, -v progress, -vv start offsets, -u.
. "$(dirname "$0")/lib.sh"
plan 20
start_kafka
load_fixtures
R="./cdc-read -b $BROKERS -X fetch.wait.max.ms=10"
events() { build/cdc-dump | grep -v '"type":"\(header\|checkpoint\|schema\)"'; }

$R -e | events >"$T/full"
is "$(wc -l <"$T/full")" 12 "the fixtures give 12 events"

is "$($R -e --from latest | events | wc -l)" 0 "--from latest: nothing old"

# dml_0 from offset 5: its events before that are left out, no others
# (by type and source: products' schema is unknown without its creation).
srcs() {
	python3 -c '
import json, sys
for l in sys.stdin:
    e = json.loads(l)
    s = e["src"]
    if s["topic"] != sys.argv[1] or s["offset"] >= int(sys.argv[2]):
        print(e["type"], s["topic"], s["offset"])' "$@"
}
$R -e --from by-dev-rootcoord-dml_0:5 | events | srcs - 0 >"$T/from"
srcs by-dev-rootcoord-dml_0 5 <"$T/full" >"$T/from.want"
cmp_ok "$T/from" "$T/from.want" "--from TOPIC:OFFSET starts that topic there"

rc=0; timeout 20 $R --until now >"$T/until.cdc" || rc=$?
is "$rc:$(events <"$T/until.cdc" | wc -l)" "0:12" \
	"--until now stops, without -e, once everything up to now is out"

is "$($R -c 2 --op delete | events | grep -c '"type":"delete"')" 2 \
	"-c 2 --op delete: two deletes, also without -e"
is "$($R -e --db analytics | events | sed 's/.*"type":"\([a-z_]*\)".*/\1/')" \
	create_database "--db analytics: its create_database only"
$R -e --collection 'default.prod*' | events >"$T/coll"
check "--collection db.glob: products events only" \
	sh -c "[ \$(grep -c . '$T/coll') -eq 8 ] && ! grep -q '\"collection\":\"notes\"' '$T/coll'"
is "$($R -e --collection 'analytics.*' | events | cut -d, -f1,3 | tr '\n' ' ')" \
	'{"type":"create_database","db":"analytics" ' \
	"--collection 'analytics.*': a database-level event matches as analytics. with an empty name"

# Malformed records, produced with kcat: an unknown msg type on dml_1, a
# wrong wire type in an Insert on dml_0, a truncated request on the
# replicate-msg topic.
printf '\n\003\010\217\116' >"$T/unknown.bin"
printf '\010\001' >"$T/wire.bin"
printf '\n\003\010\220' >"$T/trunc.bin"
kcat -b "$BROKERS" -P -t by-dev-rootcoord-dml_1 -p 0 "$T/unknown.bin"
kcat -b "$BROKERS" -P -t by-dev-rootcoord-dml_0 -p 0 -H msg_type=Insert "$T/wire.bin"
kcat -b "$BROKERS" -P -t by-dev-replicate-msg -p 0 "$T/trunc.bin"
rc=0; $R -e >"$T/bad.cdc" 2>"$T/bad.err" || rc=$?
is "$rc" 3 "malformed records exit 3"
diag "$(cat "$T/bad.err")"
check "an unknown msg type names topic, partition and offset" \
	grep -q '^cdc-read: by-dev-rootcoord-dml_1 \[0\] at offset 6: unsupported message type 9999' "$T/bad.err"
check "a wrong wire type too" \
	grep -q '^cdc-read: by-dev-rootcoord-dml_0 \[0\] at offset 10: cannot decode InsertRequest: .*wire type' "$T/bad.err"
check "a truncated record too" \
	grep -q '^cdc-read: by-dev-replicate-msg \[0\] at offset 3: .*truncated' "$T/bad.err"
events <"$T/bad.cdc" >"$T/bad"
cmp_ok "$T/bad" "$T/full" "every event before them came out"
rc=0; $R -e --skip-bad 2>/dev/null | events >"$T/skip" || rc=$?
cmp_ok "$T/skip" "$T/full" "--skip-bad: the rest comes out"

check "--version names the libraries" sh -c "./cdc-read --version | grep -Eq '^cdc-read [0-9.]+ \(librdkafka [0-9.]+, protobuf-c [0-9.]+, msgpack-c [0-9.]+\)$'"
check "--dump-config shows -X settings" sh -c "$R --dump-config | grep -q 'fetch.wait.max.ms *= *10'"
check "-X list lists properties" sh -c "./cdc-read -X list | grep -q bootstrap.servers"

# -vv: each topic's start offset and librdkafka's notices; -v: neither.
$R -e -vv -t by-dev-rootcoord-dml_0 2>&1 >/dev/null | grep -c 'dml_0: from offset 0 (end 1[0-9])$' >"$T/vv" || true
$R -e -v -t by-dev-rootcoord-dml_0 2>&1 >/dev/null | grep -c 'from offset\|kafka: ' >"$T/v1" || true
is "$(cat "$T/vv"):$(cat "$T/v1")" "1:0" "-vv names the start offsets; -v only the tool's progress"

# -v: a progress line with rates and lag; -u: frames out before the end.
$R -v -u --skip-bad >"$T/live.cdc" 2>"$T/live.err" &
pid=$!
sleep 6
n=$(events <"$T/live.cdc" | wc -l)
kill -TERM $pid
wait $pid || true
check "-v prints progress with lag, -u flushes as it goes ($n events)" \
	sh -c "grep -q 'events (.*/s), .* rows (.*/s), .* MB/s, .*lag' '$T/live.err' && [ $n -eq 12 ]"

# Following: a channel that ran dry holds the others back for --idle-after
# seconds.  dml_0's records arrive first, dml_1's (with earlier timestamps)
# a second later: still the order of the whole stream.
start_kafka
grep '"by-dev-rootcoord-dml_0"' "$FIXTURES/records.jsonl" >"$T/first.jsonl"
grep -v '"by-dev-rootcoord-dml_0"' "$FIXTURES/records.jsonl" >"$T/later.jsonl"
./cdc-read -b "$BROKERS" -t by-dev-rootcoord-dml_0 -t by-dev-rootcoord-dml_1 \
    -t by-dev-replicate-msg --idle-after 5 -u >"$T/follow.cdc" 2>/dev/null &
pid=$!
sleep 1
load_fixtures "$T/first.jsonl"
sleep 1
load_fixtures "$T/later.jsonl"
for _ in $(seq 200); do
	[ "$(events <"$T/follow.cdc" | wc -l)" -ge 12 ] && break
	sleep 0.1
done
kill -TERM $pid
wait $pid 2>/dev/null || true
events <"$T/follow.cdc" | sed 's/"src":{[^}]*}//' >"$T/follow"
sed 's/"src":{[^}]*}//' "$T/full" >"$T/full.nosrc"
cmp_ok "$T/follow" "$T/full.nosrc" "--idle-after: a late channel still merges in order"
done_testing
