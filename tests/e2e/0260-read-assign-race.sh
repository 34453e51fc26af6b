#!/bin/sh
# Regression: cdc-read took each partition's queue off the consumer queue
# only after rd_kafka_assign().  Records fetched in between went to the
# consumer queue, the partition queue got the rest and was read first: the
# next offset went back, and -e waited forever for the end it had passed.
# build/assign-race.so (tests/helpers/preload/assign-race.c) makes that
# window wide every time: it waits for a partition's first fetch reply
# before the split and for the fetcher to catch up after it.  The embedded
# Kafka answers in microseconds, faster than the interposer can react, so
# a 20 ms round trip keeps the first records on the consumer queue only.
. "$(dirname "$0")/lib.sh"
plan 4
[ -f build/assign-race.so ] || { echo "Bail out! build/assign-race.so: run make"; exit 1; }
# A sanitized cdc-read must have its runtime first; the interposer is not
# sanitized and does not mind coming after it.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
start_kafka --control "$T/ctl"
load_fixtures
R="./cdc-read -b $BROKERS --channels 2 -e"

# events FILE.cdc: every frame but the checkpoints; last_ckpt: the last.
events() { build/cdc-dump <"$1" | grep -v '^{"type":"checkpoint"'; }
last_ckpt() { build/cdc-dump <"$1" | grep '^{"type":"checkpoint"' | tail -1; }

rc=0; $R >"$T/plain.cdc" 2>"$T/plain.err" || rc=$?
is "$rc" 0 "a plain run"

kafka_ctl "$T/ctl" "rtt 1 20"
rc=0
timeout -k 5 20 env LD_PRELOAD="$TOP/build/assign-race.so" $R \
	>"$T/race.cdc" 2>"$T/race.err" || rc=$?
is "$rc" 0 "records fetched before the split: exit 0 at the end, no hang"
events "$T/plain.cdc" >"$T/plain.ev"
events "$T/race.cdc" >"$T/race.ev"
cmp_ok "$T/race.ev" "$T/plain.ev" "the same events in the same order"
is "$(last_ckpt "$T/race.cdc")" "$(last_ckpt "$T/plain.cdc")" \
	"and the same final checkpoint"
done_testing
