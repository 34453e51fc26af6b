#!/bin/sh
# kill -9 of cdc-write-kafka in the middle of a large workload, then a
# restart from its checkpoint: every source row reaches the target at least
# once, and the only duplicates are rows after the checkpoint it had
# persisted when it died.
. "$(dirname "$0")/lib.sh"
plan 5
start_kafka
SRC=$BROKERS
build/milvus-sim -b "$SRC" --workload basic --rows 20000 --dim 4 --batch 200 >/dev/null
start_kafka
DST=$BROKERS
throttle='import sys, time
while True:
    b = sys.stdin.buffer.read1(4096)
    if not b: break
    try:
        sys.stdout.buffer.write(b); sys.stdout.buffer.flush(); time.sleep(0.01)
    except BrokenPipeError:
        break'

./cdc-read -b "$SRC" -e --state "$T/state" --checkpoint-interval 0 2>/dev/null | python3 -c "$throttle" |
	./cdc-write-kafka -b "$DST" -t 'crash.{collection}' --checkpoint "$T/k.ckpt" 2>/dev/null &
pipe=$!
# Kill it once a few thousand rows are out, whatever the machine's speed.
for _ in $(seq 100); do
	n=$(kcat -b "$DST" -X fetch.wait.max.ms=5 -C -t crash.items -e -q -f 'x\n' 2>/dev/null | wc -l)
	[ "$n" -ge 2000 ] && break
	sleep 0.2
done
kill -9 "$pipe" 2>/dev/null || true	# $! of a pipeline: its last command, the writer
wait $pipe 2>/dev/null || true
check "a checkpoint was persisted before the crash" test -s "$T/k.ckpt"
cp "$T/k.ckpt" "$T/crash.ckpt"
n1=$(kcat -b "$DST" -C -t crash.items -e -q -f 'x\n' 2>/dev/null | wc -l)

rc=0; ./cdc-read -b "$SRC" -e --state "$T/state" --resume "$T/k.ckpt" 2>/dev/null |
	./cdc-write-kafka -b "$DST" -t 'crash.{collection}' --checkpoint "$T/k.ckpt" || rc=$?
is "$rc" 0 "the restarted pipeline finishes"
n2=$(kcat -b "$DST" -C -t crash.items -e -q -f 'x\n' 2>/dev/null | wc -l)
check "the crash came mid-way ($n1 of $n2 messages)" test "$n1" -gt 0 -a "$n1" -lt "$n2"

# Every (key, tso, op) of one uninterrupted run, and what the target holds.
./cdc-read -b "$SRC" -e 2>/dev/null | ./cdc-write-json | python3 -c '
import json, sys
for l in sys.stdin:
    e = json.loads(l)
    if e["op"] == "insert": print(json.dumps(e["row"]["id"]), e["ts"], "c")
    elif e["op"] == "delete": print(json.dumps(e["key"]["id"]), e["ts"], "d")' | sort >"$T/want"
kcat -b "$DST" -C -t crash.items -e -q -f '%s\n' 2>/dev/null | grep -v '^$' | python3 -c '
import json, sys
for l in sys.stdin:
    v = json.loads(l)
    row = v["after"] or v["before"]
    print(json.dumps(row["id"]), v["source"]["tso"], v["op"])' | sort >"$T/got"
is "$(sort -u "$T/got" | comm -23 "$T/want" - | wc -l)" 0 "every source row is in the target"
wm=$(./cdc-write-json --checkpoints <"$T/crash.ckpt" | python3 -c 'import json,sys; print(json.load(sys.stdin)["ts"])')
# (timestamps above 2^53: compare them as integers in python, not awk)
is "$(uniq -d "$T/got" | python3 -c 'import sys; wm = int(sys.argv[1])
print(sum(1 for l in sys.stdin if int(l.split()[1]) <= wm))' "$wm")" 0 \
	"duplicates only after the checkpoint persisted before the crash"
done_testing
