# shellcheck shell=sh
# lib.sh - sourced by every e2e test: a temp dir, TAP helpers, the embedded
# Kafka, fixture loading.  Tests run from the top of the source tree and
# leave no process behind, also when they fail.
set -eu
cd "$(dirname "$0")/../.."
TOP=$(pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/cdc-e2e.XXXXXX")
FIXTURES=${CDC_FIXTURES:-$TOP/../shared/fixtures/milvus-2.5}
[ -d "$FIXTURES" ] || FIXTURES=/work/shared/fixtures/milvus-2.5
VALGRIND=
[ "${CDC_VALGRIND:-0}" = 1 ] && export VALGRIND="valgrind -q --error-exitcode=99 --leak-check=full"
_pids=""
_n=0
_failed=0

_cleanup() {
	for p in $_pids; do kill "$p" 2>/dev/null || true; done
	for p in $_pids; do wait "$p" 2>/dev/null || true; done
	rm -rf "$T"
}
trap _cleanup EXIT
trap 'exit 1' INT TERM

plan() { echo "1..$1"; }
diag() { printf '# %s\n' "$*"; }
ok() { _n=$((_n + 1)); echo "ok $_n - $*"; }
not_ok() { _n=$((_n + 1)); _failed=$((_failed + 1)); echo "not ok $_n - $*"; }
# check NAME COMMAND...: ok when the command succeeds.
check() {
	_name=$1; shift
	if "$@"; then ok "$_name"; else not_ok "$_name"; fi
}
# is GOT WANT NAME
is() {
	if [ "$1" = "$2" ]; then ok "$3"; else
		not_ok "$3"; diag "got:  $1"; diag "want: $2"; fi
}
# cmp_ok FILE WANTFILE NAME: byte comparison, a diff on failure.
cmp_ok() {
	if cmp -s "$1" "$2"; then ok "$3"; else
		not_ok "$3"; diff "$2" "$1" | head -20 | sed 's/^/# /'; fi
}
# Run a command in the background, remembering it for the cleanup.
bg() { "$@" & _pids="$_pids $!"; }

# start_kafka [mock-kafka args]: exports BROKERS, KAFKA_PID and KAFKA_ERR
# (mock-kafka's stderr, where it echoes each control line it applied).
start_kafka() {
	_f=$T/kafka.$$.$_n.$(date +%s%N)
	KAFKA_ERR=$_f.err
	build/mock-kafka "$@" >"$_f" 2>"$KAFKA_ERR" &
	KAFKA_PID=$!
	_pids="$_pids $KAFKA_PID"
	for _i in $(seq 100); do
		[ -s "$_f" ] && break
		sleep 0.05
	done
	BROKERS=$(sed -n 's/^BROKERS=//p' "$_f")
	[ -n "$BROKERS" ] || { echo "Bail out! mock-kafka did not start"; exit 1; }
	export BROKERS KAFKA_PID KAFKA_ERR
}

# kafka_ctl FIFO LINE: send a control line to the last started mock-kafka
# (--control FIFO) and wait until it has been applied (at most 5 s).
kafka_ctl() {
	_c=$(grep -c 'control: ' "$KAFKA_ERR" || true)
	echo "$2" >"$1"
	for _i in $(seq 100); do
		[ "$(grep -c 'control: ' "$KAFKA_ERR" || true)" -gt "$_c" ] && return 0
		sleep 0.05
	done
	echo "# mock-kafka did not apply '$2'"
	return 1
}

load_fixtures() { build/fixture-load -b "$BROKERS" "${1:-$FIXTURES/records.jsonl}"; }

# kcat_dump TOPIC: every record as one JSON line (kcat -J), to stdout.
# A failure shows kcat's messages on stderr (as "# kcat: ...").
kcat_dump() {
	kcat -b "$BROKERS" -X fetch.wait.max.ms=5 -C -t "$1" -o beginning -e \
		-q -J 2>"$T/kcat.err" || {
		sed 's/^/# kcat: /' "$T/kcat.err" >&2
		return 1
	}
}

done_testing() { [ "$_failed" -eq 0 ]; }

# start_fake_milvus [args]: exports FAKE_URI (the fake Milvus REST server).
start_fake_milvus() {
	_f=$T/fake.$(date +%s%N)
	/usr/bin/python3 tests/helpers/fake-milvus/fake_milvus.py "$@" >"$_f" 2>"$_f.err" &
	_pids="$_pids $!"
	for _i in $(seq 100); do
		[ -s "$_f" ] && break
		sleep 0.05
	done
	FAKE_URI=$(sed -n 's/^URI=//p' "$_f")
	[ -n "$FAKE_URI" ] || { echo "Bail out! fake Milvus did not start"; exit 1; }
	export FAKE_URI
}

fake_post() { curl -s -X POST -d "$2" "$FAKE_URI$1" >/dev/null; }

# fake_rows: the fake's rows as sorted JSON lines {db, collection, row}.
# Floats compare as the float32 they denote: two shortest decimals of
# equal length may both read back as one float (0.40039062/0.40039063).
# Tests comparing with milvus-sim set ROWS_F32=1 (its floats and the
# fake's may differ in text only); others compare the texts exactly.
F32='import os, struct
def f32(v):
    if os.environ.get("ROWS_F32") != "1": return v
    if isinstance(v, float): return struct.unpack("f", struct.pack("f", v))[0]
    if isinstance(v, list): return [f32(x) for x in v]
    if isinstance(v, dict): return {k: f32(x) for k, x in v.items()}
    return v
'
fake_rows() {
	curl -s "$FAKE_URI/_fake/state" | python3 -c "$F32"'
import json, sys
s = json.load(sys.stdin)
out = []
for dn, d in s["databases"].items():
    for cn, c in d["collections"].items():
        for r in c["rows"]:
            r = {k: v for k, v in r.items() if k != "__partition"}
            out.append(json.dumps({"db": dn, "collection": cn, "row": f32(r)}, sort_keys=True))
print("\n".join(sorted(out)))'
}

# expect_rows FILE: milvus-sim --expect output in the form of fake_rows.
expect_rows() {
	python3 -c "$F32"'
import json, sys
out = [json.dumps({"db": e["db"], "collection": e["collection"], "row": f32(e["row"])}, sort_keys=True)
       for e in map(json.loads, open(sys.argv[1]))]
print("\n".join(sorted(out)))' "$1"
}
