#!/bin/sh
# cdc-write-kafka under faults, fed through a fifo so each step happens at a
# known point of the stream: a produce failure that outlasts the retries
# after a checkpoint was persisted (exit 1 naming the row, checkpoint pinned
# before it), a broker that goes down and comes back (nothing lost), SIGTERM
# while upstream is idle (checkpoint persisted, death by TERM), unknown event
# types (one warning per name, none with -q), usage errors found before data
# moves, the producer's defaults, stopping while the broker is unreachable,
# and checkpoints persisted while input keeps coming.
. "$(dirname "$0")/lib.sh"
plan 27
start_kafka
SRC=$BROKERS
build/milvus-sim -b "$SRC" --workload basic --rows 1000 --dim 4 --batch 100 >/dev/null
./cdc-read -b "$SRC" -e --checkpoint-interval 0 >"$T/s.cdc" 2>/dev/null

# part1 = the frames up to a checkpoint with inserts on both sides,
# part2 = the rest; that checkpoint frame into mid.ckpt, the stream's last
# checkpoint into last.ckpt.
python3 - "$T/s.cdc" "$T" <<'PY'
import sys
sys.path.insert(0, "tests/e2e")
from cdcgen import frames as cut
out = sys.argv[2]
frames = cut(open(sys.argv[1], "rb").read())
kind = lambda f: f[4:48]
ins = [i for i, f in enumerate(frames) if b"\xa4type\xa6insert" in kind(f)]
ck = [i for i, f in enumerate(frames) if b"\xa4type\xaacheckpoint" in kind(f)]
# (a checkpoint with inserts on both sides: the one nearest the middle)
mid = [i for i in ck if ins[0] < i < ins[-1]]
if not mid:
    sys.exit("Bail out! no checkpoint between the inserts")
cut = min(mid, key=lambda i: abs(i - ins[len(ins) // 2]))
open(out + "/part1", "wb").write(b"".join(frames[:cut + 1]))
open(out + "/part2", "wb").write(b"".join(frames[cut + 1:]))
open(out + "/mid.ckpt", "wb").write(frames[cut])
open(out + "/last.ckpt", "wb").write(frames[ck[-1]])
PY

# wait_same FILE WANT: up to 10 s for FILE to hold WANT's bytes.
wait_same() {
	for _ in $(seq 100); do cmp -s "$1" "$2" && return 0; sleep 0.1; done
	return 1
}
count() { kcat -b "$1" -X fetch.wait.max.ms=5 -C -t "$2" -e -q -f 'x\n' 2>/dev/null | wc -l; }
# Messages of part 1 and of the whole stream, from fault-free runs.
start_kafka
./cdc-write-kafka -b "$BROKERS" -t 'ref1.{collection}' <"$T/part1"
./cdc-write-kafka -b "$BROKERS" -t 'ref.{collection}' <"$T/s.cdc"
n1=$(count "$BROKERS" ref1.items)
total=$(count "$BROKERS" ref.items)
check "part 2 has rows of its own (else nothing below is tested)" test "$total" -gt "$n1"

# 1. Permanent failure after a persisted checkpoint.
start_kafka --control "$T/ctl"
mkfifo "$T/in"
./cdc-write-kafka -b "$BROKERS" -t 'pin.{collection}' --checkpoint "$T/k.ckpt" \
	-X message.timeout.ms=2000 <"$T/in" 2>"$T/pin.err" &
w=$!
exec 3>"$T/in"
cat "$T/part1" >&3
check "the checkpoint after part 1 is persisted while upstream is idle" wait_same "$T/k.ckpt" "$T/mid.ckpt"
# The broker refuses every later produce request with INVALID_RECORD, an
# error librdkafka does not retry.  (Slowing the broker past
# message.timeout.ms with rtt did not do it: requests in flight are not
# timed out, and every run delivered everything.)
kafka_ctl "$T/ctl" "push-errors Produce 1000 INVALID_RECORD"
cat "$T/part2" >&3
exec 3>&-
rc=0; wait $w || rc=$?
is "$rc" 1 "a delivery that fails for good exits 1"
cmp_ok "$T/k.ckpt" "$T/mid.ckpt" "the checkpoint never moves past the undelivered message"
# (the first message to fail may be a row or a DDL event of the collection)
check "the error names collection, key and source position" grep -Eq \
	"^cdc-write-kafka: default(\.items row \{\"id\":[0-9]+\}| event \{\"db\":.+\}) \(by-dev-[a-z0-9_-]+@[0-9]+\): delivery to '(pin\.items|milvus\.ddl)' failed: Broker: Broker failed to validate record" "$T/pin.err"
grep -q 'delivery to' "$T/pin.err" || sed 's/^/# /' "$T/pin.err"
check "and says how many messages were not delivered" grep -q '^cdc-write-kafka: [0-9]* messages not delivered$' "$T/pin.err"
check "every message before the checkpoint is in the topic" test "$(count "$BROKERS" pin.items)" -ge "$n1"

# 2. The only broker down for a while mid-stream: retried, nothing lost.
start_kafka --control "$T/ctl2"
rm -f "$T/in"; mkfifo "$T/in"
./cdc-write-kafka -b "$BROKERS" -t 'down.{collection}' --checkpoint "$T/d.ckpt" <"$T/in" 2>"$T/down.err" &
w=$!
exec 3>"$T/in"
cat "$T/part1" >&3
wait_same "$T/d.ckpt" "$T/mid.ckpt" || diag "no checkpoint after part 1"
kafka_ctl "$T/ctl2" "broker-down 1"
cat "$T/part2" >&3
sleep 1.5
kafka_ctl "$T/ctl2" "broker-up 1"
exec 3>&-
rc=0; wait $w || rc=$?
is "$rc" 0 "a broker down for 1.5 s: exit 0 once it is back"
is "$(count "$BROKERS" down.items)" "$total" "every message delivered, none twice"
cmp_ok "$T/d.ckpt" "$T/last.ckpt" "and the last checkpoint persisted"

# 3. SIGTERM while upstream is idle.
rm -f "$T/in"; mkfifo "$T/in"
./cdc-write-kafka -b "$BROKERS" -t 'term.{collection}' --checkpoint "$T/t.ckpt" <"$T/in" 2>"$T/term.err" &
w=$!
exec 3>"$T/in"
cat "$T/part1" >&3
wait_same "$T/t.ckpt" "$T/mid.ckpt" || diag "no checkpoint after part 1"
kill -TERM $w
rc=0; wait $w || rc=$?
exec 3>&-
is "$rc" 143 "SIGTERM with upstream idle: flush, checkpoint, die by TERM"
is "$(count "$BROKERS" term.items)" "$n1" "what was read was delivered"

# 4. Unknown event types: skipped, one warning per type name.
printf '\0\0\0\012\201\244type\243zap\0\0\0\012\201\244type\243zap\0\0\0\012\201\244type\243zip' >"$T/unk"
cat "$T/unk" "$T/part1" "$T/unk" | ./cdc-write-kafka -b "$BROKERS" -t 'unk.{collection}' 2>"$T/unk.err"
printf "cdc-write-kafka: skipping events of unknown type 'zap'\ncdc-write-kafka: skipping events of unknown type 'zip'\n" >"$T/unk.want"
cmp_ok "$T/unk.err" "$T/unk.want" "unknown types: one warning per name, the rest delivered"
rc=0; cat "$T/unk" "$T/part1" "$T/unk" |
	./cdc-write-kafka -q -b "$BROKERS" -t 'unkq.{collection}' 2>"$T/unkq.err" || rc=$?
is "$rc:$(wc -c <"$T/unkq.err"):$(count "$BROKERS" unkq.items)" "0:0:$(count "$BROKERS" unk.items)" \
	"-q: the same without a warning"

# 5. Usage and configuration errors: exit 2 before any data moves.
usage() { rc=0; ./cdc-write-kafka "$@" </dev/null >/dev/null 2>"$T/u.err" || rc=$?; echo "$rc:$(head -1 "$T/u.err")"; }
is "$(usage -t 'a.{dbb}' -b "$BROKERS")" \
	"2:cdc-write-kafka: invalid topic template 'a.{dbb}': '{' at 2 (placeholders are {db}, {collection}, {partition}, {op})" \
	"a bad topic template"
is "$(usage --checkpoint /nonexistent/k.ckpt -b "$BROKERS")" \
	"2:cdc-write-kafka: cannot write checkpoint '/nonexistent/k.ckpt': No such file or directory" \
	"a checkpoint in a missing directory"
is "$(usage)" "2:cdc-write-kafka: no brokers: use -b or set bootstrap.servers with -X or -F" \
	"no brokers (this crashed before the input was opened)"
is "$(usage --with-schema -f json -b "$BROKERS")" \
	"2:cdc-write-kafka: --with-schema needs --format debezium, not 'json'" "--with-schema with -f json"
is "$(usage -F "$T/none.properties" -b "$BROKERS")" \
	"2:cdc-write-kafka: cannot open '$T/none.properties': No such file or directory" \
	"-F with a missing properties file"

# 6. Producer defaults, set before -X so that -X overrides them.
./cdc-write-kafka -b x --dump-config | grep -E '^(enable.idempotence|request.required.acks|partitioner) ' >"$T/conf"
printf 'enable.idempotence = true\nrequest.required.acks = -1\npartitioner = murmur2_random\n' >"$T/conf.want"
cmp_ok "$T/conf" "$T/conf.want" "--dump-config: idempotent, acks=all, murmur2_random"
is "$(./cdc-write-kafka -b x --dump-config -X partitioner=consistent | grep '^partitioner ')" \
	"partitioner = consistent" "-X overrides the defaults"

# 7. Unreachable broker, then SIGTERM: --flush-timeout bounds the wait, a
# second signal abandons it; both exit 1 naming what was not delivered.
start_kafka --control "$T/ctl3"
echo "broker-down 1" >"$T/ctl3"
sleep 0.3
stop_when() {	# SECONDS-BEFORE-2ND-SIGNAL (0: none) writer args...
	second=$1; shift
	./cdc-write-kafka -b "$BROKERS" -t 'dead.{collection}' "$@" <"$T/part1" 2>"$T/dead.err" &
	w=$!
	sleep 1
	start=$(date +%s)
	kill -TERM $w
	if [ "$second" != 0 ]; then sleep "$second"; kill -TERM $w 2>/dev/null || true; fi
	rc=0; wait $w || rc=$?
	echo "$rc $(( $(date +%s) - start ))"
}
r=$(stop_when 0 --flush-timeout 1 --checkpoint "$T/dead.ckpt")
is "${r% *}" 1 "SIGTERM with the broker down: exit 1 after --flush-timeout"
check "within the timeout (${r#* } s)" test "${r#* }" -le 4
check "saying how many messages were not delivered" grep -q 'messages not delivered$' "$T/dead.err"
check "and the checkpoint did not move past them" sh -c "! cmp -s '$T/dead.ckpt' '$T/mid.ckpt'"
r=$(stop_when 0.5 --flush-timeout 60)
is "${r% *}:$(test "${r#* }" -le 4 && echo fast)" "1:fast" "a second signal abandons the flush: exit 1 at once"

# 8. Input that keeps coming, a frame every 20 ms (never the 100 ms pause
# that serves delivery reports when upstream is idle), and fewer than 1024
# messages (produce() polls at every 1024th): part 1, then its checkpoint
# frame again and again.
# The checkpoint after part 1 is persisted all the same (it was not until
# EOF).
start_kafka
: >"$T/slow.ckpt"
python3 - "$T/part1" "$T/slow.ckpt" "$T/mid.ckpt" "$T/slow.res" <<'PY' |
import os, sys, time
sys.path.insert(0, "tests/e2e")
from cdcgen import frames
fs, res = frames(open(sys.argv[1], "rb").read()), "not persisted"
want = open(sys.argv[3], "rb").read()
for f in fs + [fs[-1]] * 250:	# its last checkpoint again: no message
    os.write(1, f)
    time.sleep(0.02)
    if open(sys.argv[2], "rb").read() == want:
        res = "persisted"
        break
open(sys.argv[4], "w").write(res)
PY
	./cdc-write-kafka -b "$BROKERS" -t 'slow.{collection}' --checkpoint "$T/slow.ckpt"
is "$n1:$(cat "$T/slow.res")" "$n1:persisted" \
	"a checkpoint is persisted while frames keep coming ($n1 messages before it)"
done_testing
