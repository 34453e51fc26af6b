#!/bin/sh
# Stopping cdc-read after every possible number of events and resuming from
# the last checkpoint it wrote gives, concatenated, exactly one uninterrupted
# run: no loss, no duplicate (schema declarations aside) (the fixtures hold an upsert, a delete and an
# insert at one timestamp, so this crosses ties too).  Several --resume files
# restart from the earliest; a missing one (a new sink) counts as a
# checkpoint at the --from start.
. "$(dirname "$0")/lib.sh"
plan 7
start_kafka
load_fixtures
./cdc-read -b "$BROKERS" -e >"$T/full.cdc"
python3 tests/e2e/lastckpt.py "$T/full.cdc" "$T/full.ckpt" >"$T/full.ev"
total=$(wc -l <"$T/full.ev")

bad=""
for k in $(seq 1 $((total - 1))); do
	rm -f "$T/k.ckpt" "$T/state"
	./cdc-read -b "$BROKERS" -e -c "$k" --state "$T/state" >"$T/a.cdc"
	python3 tests/e2e/lastckpt.py "$T/a.cdc" "$T/k.ckpt" >"$T/a.ev"
	./cdc-read -b "$BROKERS" -e --resume "$T/k.ckpt" --state "$T/state" >"$T/b.cdc"
	python3 tests/e2e/lastckpt.py "$T/b.cdc" "$T/b.ckpt" >"$T/b.ev"
	cat "$T/a.ev" "$T/b.ev" | grep . >"$T/ab.ev" || true
	cmp -s "$T/ab.ev" "$T/full.ev" || bad="$bad $k"
done
is "$bad" "" "stop after k events + resume = one run, for every k < $total"

# Resuming from the final checkpoint emits nothing more.
./cdc-read -b "$BROKERS" -e --resume "$T/full.ckpt" >"$T/c.cdc"
is "$(python3 tests/e2e/lastckpt.py "$T/c.cdc" "$T/c.ckpt" | grep -c .)" 0 \
	"resuming from the end emits no event"

# Two sinks: one at the end, one after 4 events: restart from the earlier.
./cdc-read -b "$BROKERS" -e -c 4 >"$T/d.cdc"
python3 tests/e2e/lastckpt.py "$T/d.cdc" "$T/d.ckpt" >/dev/null
./cdc-read -b "$BROKERS" -e --resume "$T/full.ckpt" --resume "$T/d.ckpt" >"$T/e.cdc"
is "$(python3 tests/e2e/lastckpt.py "$T/e.cdc" "$T/e.ckpt" | grep -c .)" \
	$((total - 4)) "two --resume files: restart from the earliest"
rm -f "$T/none.ckpt"
./cdc-read -b "$BROKERS" -e --resume "$T/none.ckpt" >"$T/f.cdc"
is "$(python3 tests/e2e/lastckpt.py "$T/f.cdc" "$T/f.ckpt" | grep -c .)" \
	"$total" "a missing checkpoint file is a first run"

# evs NAME ARGS...: the events of cdc-read -e ARGS, into $T/NAME.ev.
evs() {
	name=$1; shift
	./cdc-read -b "$BROKERS" -e "$@" >"$T/$name.cdc"
	python3 tests/e2e/lastckpt.py "$T/$name.cdc" "$T/$name.ckpt" >"$T/$name.ev"
}

# A new sink beside one at the end: all of it, as for the new one alone.
evs g --resume "$T/full.ckpt" --resume "$T/none.ckpt"
cmp_ok "$T/g.ev" "$T/full.ev" "a missing file beside one at the end: from --from"

# With --from TOPIC:OFFSET: what that gives alone.
from=by-dev-rootcoord-dml_0:5
evs h --from "$from"
evs i --from "$from" --resume "$T/full.ckpt" --resume "$T/none.ckpt"
cmp_ok "$T/i.ev" "$T/h.ev" "a missing file beside one at the end: --from $from"

# --from ts: (the 7th event's) for the new sink does not filter what the
# sink after 4 events still needs.  (The embedded Kafka answers
# offsets-for-times with the end, so the new sink alone would get nothing.)
ts=$(build/cdc-dump <"$T/full.cdc" | grep -v '"type":"header"' |
	sed -n '7s/.*"ts":\([0-9]*\).*/\1/p')
evs j --resume "$T/d.ckpt"
evs k --from "ts:$ts" --resume "$T/d.ckpt" --resume "$T/none.ckpt"
cmp_ok "$T/k.ev" "$T/j.ev" "a missing file with --from ts: beside an older one"
done_testing
