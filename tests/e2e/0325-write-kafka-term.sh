#!/bin/sh
# cdc-write-kafka stopped by a signal while its stdin is still open (a fifo
# this script holds), each step at a known point of the stream:
#  a) SIGTERM with messages in flight (the broker answers after 2 s) and the
#     writer waiting inside a frame: it stops reading, flushes, persists the
#     checkpoint those messages complete and dies by TERM (cdc-write-kafka(1),
#     EXIT STATUS); the topic holds exactly what came before it;
#  b) SIGTERM with the broker down: exit 1 once --flush-timeout has passed,
#     naming how many messages were not delivered, the checkpoint unmoved;
#  c) a second signal (SIGINT) during that wait: exit 1 at once;
#  d) SIGTERM while librdkafka's queue is full (broker down): as in b.
. "$(dirname "$0")/lib.sh"
plan 19
start_kafka
build/milvus-sim -b "$BROKERS" --workload basic --rows 2000 --dim 4 --batch 20 \
	--tick-every 1 >/dev/null
./cdc-read -b "$BROKERS" -e --checkpoint-interval 0 >"$T/s.cdc" 2>/dev/null

# A = the frames up to checkpoint c1, B1 = the frames after it up to the
# next checkpoint c2, then the insert frame F after c2 in three pieces:
# F1 and F2 (100 bytes each) and R (the rest of F and of the stream).
python3 - "$T/s.cdc" "$T" <<'PY'
import sys
sys.path.insert(0, "tests/e2e")
from cdcgen import frames as cut
out = sys.argv[2]
frames = cut(open(sys.argv[1], "rb").read())
is_ = lambda f, t: b"\xa4type" + bytes([0xa0 + len(t)]) + t in f[4:48]
ck = [i for i, f in enumerate(frames) if is_(f, b"checkpoint")]
# consecutive checkpoints with inserts and deletes between them, an insert
# of more than 300 bytes after the second; the pair nearest the middle
pairs = [(a, b) for a, b in zip(ck, ck[1:])
         if any(is_(f, b"insert") for f in frames[a + 1:b])
         and any(is_(f, b"delete") for f in frames[a + 1:b])
         and b + 1 < len(frames) and is_(frames[b + 1], b"insert")
         and len(frames[b + 1]) > 300]
if not pairs:
    sys.exit("Bail out! no checkpoint pair to cut at")
a, b = min(pairs, key=lambda p: abs(p[0] - len(frames) // 2))
f = frames[b + 1]
w = lambda name, x: open(out + "/" + name, "wb").write(x)
w("A", b"".join(frames[:a + 1]))
w("B1", b"".join(frames[a + 1:b + 1]))
w("F1", f[:100])
w("F2", f[100:200])
w("R", f[200:] + b"".join(frames[b + 2:]))
w("c1", frames[a])
w("c2", frames[b])
PY
# (key, ts, op) of each row message before c2, as cdc-write-json sees them;
# the number of messages B1 makes (a delete is followed by a tombstone).
cat "$T/A" "$T/B1" | ./cdc-write-json | python3 -c '
import json, sys
for l in sys.stdin:
    e = json.loads(l)
    if e["op"] == "insert": print(json.dumps(e["row"]["id"]), e["ts"], "c")
    elif e["op"] == "delete": print(json.dumps(e["key"]["id"]), e["ts"], "d")' |
	sort >"$T/want"
nb1=$(./cdc-write-json <"$T/B1" | python3 -c '
import json, sys
print(sum(2 if json.loads(l)["op"] == "delete" else 1 for l in sys.stdin))')

# got TOPIC: (key, ts, op) of each row message in TOPIC.
got() {
	kcat_dump "$1" | python3 -c '
import json, sys
for l in sys.stdin:
    p = json.loads(l)["payload"]
    if p is None: continue
    v = json.loads(p)
    row = v["after"] or v["before"]
    print(json.dumps(row["id"]), v["source"]["tso"], v["op"])' | sort
}
# wait_same FILE WANT: up to 10 s for FILE to hold WANT's bytes.
wait_same() {
	for _ in $(seq 100); do cmp -s "$1" "$2" && return 0; sleep 0.1; done
	return 1
}
# drained: up to 5 s until the writer has read every byte written to fd 3.
drained() {
	python3 -c 'import fcntl, struct, sys, termios, time
for _ in range(500):
    if struct.unpack("i", fcntl.ioctl(3, termios.FIONREAD, b"\0" * 4))[0] == 0:
        sys.exit(0)
    time.sleep(0.01)
sys.exit(1)' || diag "the writer did not read its input"
}
# writer NAME ARGS...: cdc-write-kafka on the fifo $T/in, its checkpoint in
# $T/NAME.ckpt and its stderr in $T/NAME.err; A written and persisted.
writer() {
	name=$1; shift
	rm -f "$T/in"; mkfifo "$T/in"
	./cdc-write-kafka -b "$BROKERS" -t "$name.{collection}" \
		--checkpoint "$T/$name.ckpt" "$@" <"$T/in" 2>"$T/$name.err" &
	w=$!
	exec 3>"$T/in"
	cat "$T/A" >&3
	wait_same "$T/$name.ckpt" "$T/c1" || diag "$name: no checkpoint after A"
}
# running PID: PID has not exited (a zombie has).  One read of its state:
# the writer wakes every 50 ms while it flushes, so two reads could see R
# and then S (the test failed that way about once in 30 under load).
running() {
	case $(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) in
	"" | Z | X) return 1 ;;
	esac
}
ms() { echo $(( $(date +%s%N) / 1000000 )); }
# finish: wait for the writer, at most 15 s (then kill -9: status 137);
# sets rc and el, the milliseconds since t0.
finish() {
	( for _ in $(seq 150); do
		sleep 0.1; kill -0 "$w" 2>/dev/null || exit 0
	done; kill -9 "$w" 2>/dev/null ) &
	dog=$!
	rc=0; wait "$w" || rc=$?
	el=$(( $(ms) - t0 ))
	wait "$dog" || true
	exec 3>&-
}

# a) Messages in flight, the writer inside frame F: F1 was read while it
# waited, F2 arrives and leaves it reading.  R comes during the flush.
start_kafka --control "$T/ctl.a"
writer a
kafka_ctl "$T/ctl.a" "rtt 1 2000"
cat "$T/B1" "$T/F1" >&3; drained; sleep 0.2
cat "$T/F2" >&3; drained; sleep 0.2
check "a: B1 is unacknowledged when the signal comes (else no flush is tested)" \
	cmp -s "$T/a.ckpt" "$T/c1"
t0=$(ms); kill -TERM "$w"
sleep 0.3; bg cat "$T/R" >&3
finish
is "$rc" 143 "a: SIGTERM with messages in flight: death by TERM"
check "a: within 5 s of the signal ($el ms)" test "$el" -le 5000
cmp_ok "$T/a.ckpt" "$T/c2" "a: the flush delivered B1 and persisted its checkpoint"
kafka_ctl "$T/ctl.a" "rtt 1 0"
got a.items >"$T/got"
is "$(comm -23 "$T/want" "$T/got" | wc -l)" 0 "a: every message before the checkpoint is in the topic"
is "$(comm -13 "$T/want" "$T/got" | wc -l)" 0 "a: and none of the frames after it (it stopped reading)"
is "$(cat "$T/a.err")" "" "a: nothing on stderr"

# b) The broker down once A is delivered: B1 cannot be acknowledged.
start_kafka --control "$T/ctl.b"
writer b --flush-timeout 2
kafka_ctl "$T/ctl.b" "broker-down 1"
cat "$T/B1" >&3; drained; sleep 0.3
t0=$(ms); kill -TERM "$w"
finish
is "$rc" 1 "b: SIGTERM with the broker down: exit 1"
check "b: after --flush-timeout 2 ($el ms)" test "$el" -ge 2000 -a "$el" -le 4000
cmp_ok "$T/b.ckpt" "$T/c1" "b: the checkpoint did not move past the undelivered messages"
check "b: the $nb1 messages of B1 named as not delivered" \
	grep -qx "cdc-write-kafka: $nb1 messages not delivered" "$T/b.err"

# c) As b with --flush-timeout 60, then SIGINT half a second after SIGTERM.
start_kafka --control "$T/ctl.c"
writer c --flush-timeout 60
kafka_ctl "$T/ctl.c" "broker-down 1"
cat "$T/B1" >&3; drained; sleep 0.3
kill -TERM "$w"; sleep 0.5
check "c: still flushing half a second after SIGTERM" running "$w"
t0=$(ms); kill -INT "$w"
finish
is "$rc" 1 "c: a second signal abandons the flush: exit 1"
check "c: at once ($el ms after it)" test "$el" -le 1000
cmp_ok "$T/c.ckpt" "$T/c1" "c: the checkpoint did not move"

# d) As b, with the rest of the stream written and librdkafka's queue
# holding 100 messages: the writer waits for room in it at the signal.
start_kafka --control "$T/ctl.d"
writer d --flush-timeout 1 -X queue.buffering.max.messages=100
kafka_ctl "$T/ctl.d" "broker-down 1"
bg cat "$T/B1" "$T/F1" "$T/F2" "$T/R" >&3; sleep 0.5
t0=$(ms); kill -TERM "$w"
finish
is "$rc" 1 "d: SIGTERM while the producer queue is full: exit 1"
check "d: after --flush-timeout 1 ($el ms)" test "$el" -ge 1000 -a "$el" -le 3000
cmp_ok "$T/d.ckpt" "$T/c1" "d: the checkpoint did not move"
check "d: the 100 queued messages named as not delivered" \
	grep -qx "cdc-write-kafka: 100 messages not delivered" "$T/d.err"
done_testing
