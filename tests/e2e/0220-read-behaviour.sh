#!/bin/sh
# cdc-read as a filter: write errors, SIGPIPE, signals, usage errors, --until,
# Kafka unreachable.
. "$(dirname "$0")/lib.sh"
plan 17
start_kafka
load_fixtures

rc=0; ./cdc-read -b "$BROKERS" -e >/dev/full 2>"$T/full.err" || rc=$?
is "$rc" 1 ">/dev/full exits 1"
check "and says write error" grep -q '^cdc-read: write error' "$T/full.err"

rc=0; ./cdc-read -b "$BROKERS" -u -e 2>"$T/pipe.err" | head -c1 >/dev/null || rc=$?
is "$(cat "$T/pipe.err")" "" "a closed pipe stops quietly"

# A reader gone before the first flush: EPIPE from the flush that ends a
# checkpoint stops the run by SIGPIPE (141), bounded or following.
{ rc=0; ./cdc-read -b "$BROKERS" -t by-dev-rootcoord-dml_5 -e \
	2>"$T/epipe.err" || rc=$?; echo "$rc" >"$T/epipe.rc"; } | true
is "$(cat "$T/epipe.rc"):$(cat "$T/epipe.err")" "141:" \
	"-e into a closed pipe dies quietly by SIGPIPE"
{ rc=0; timeout 10 ./cdc-read -b "$BROKERS" -t by-dev-rootcoord-dml_5 \
	--checkpoint-interval 0.2 2>/dev/null || rc=$?
	echo "$rc" >"$T/follow.rc"; } | true
is "$(cat "$T/follow.rc")" 141 "a follower into a closed pipe dies by SIGPIPE at its checkpoint"

# An unwritable --state stops the run with exit 1, and no checkpoint follows
# the schemas it had to keep (a restart from one would lack them).
rc=0; ./cdc-read -b "$BROKERS" -e --state /nonexistent/dir/x \
	>"$T/state.cdc" 2>"$T/state.err" || rc=$?
is "$rc" 1 "an unwritable --state exits 1"
check "with an error naming the file" \
	grep -q "^cdc-read: .*'/nonexistent/dir/x[.']" "$T/state.err"
build/cdc-dump <"$T/state.cdc" | awk '/"type":"create_collection"/ { c = 1 }
	c && /"type":"checkpoint"/ { n++ }
	END { print c ? "checkpoints after a create: " n + 0 : "no create" }' >"$T/state.n"
is "$(cat "$T/state.n")" "checkpoints after a create: 0" "and no checkpoint after the failure"

rc=0; ./cdc-read --bogus 2>"$T/usage.err" || rc=$?
is "$rc" 2 "an unknown option exits 2"
check "naming it, with the usage line and a hint" \
	sh -c "grep -q \"invalid option '--bogus'\" '$T/usage.err' && grep -q '^usage:' '$T/usage.err' && grep -q \"Try 'cdc-read --help'\" '$T/usage.err'"

rc=0; ./cdc-read -b "$BROKERS" -e --from nowhere:x 2>/dev/null || rc=$?
is "$rc" 2 "a bad --from exits 2"

# -F: brokers (and secrets) from a properties file; errors name file:line.
printf '# the source cluster\nbootstrap.servers=%s\n\n' "$BROKERS" >"$T/src.properties"
is "$(./cdc-read -F "$T/src.properties" -e | build/cdc-dump | grep -c '"type":"insert"')" 3 \
	"-F reads bootstrap.servers from a properties file"
printf 'bootstrap.servers=%s\nno-equals-sign\n' "$BROKERS" >"$T/bad.properties"
rc=0; ./cdc-read -F "$T/bad.properties" -e 2>"$T/bad.err" >/dev/null || rc=$?
is "$rc:$(cat "$T/bad.err")" "2:cdc-read: $T/bad.properties:2: invalid property 'no-equals-sign': expected key=value" \
	"a bad properties line exits 2 naming file and line"

# Brokers that do not answer (a closed port): exit 1 after 10 s, naming the
# cause, and no stream; it was exit 0 with an empty one (10 s per topic).
rc=0; ./cdc-read -b 127.0.0.1:1 -t by-dev-rootcoord-dml_0 -t by-dev-rootcoord-dml_1 -e \
	>"$T/down.cdc" 2>"$T/down.err" || rc=$?
is "$rc:$(tail -n 1 "$T/down.err" | sed 's/): .*/): .../'):$(wc -c <"$T/down.cdc")" \
	"1:cdc-read: cannot reach Kafka (topic 'by-dev-rootcoord-dml_0'): ...:0" \
	"Kafka unreachable: exit 1 saying so, nothing written"

# --until: the fixtures' upsert is at 462422016031457280; stop there.
./cdc-read -b "$BROKERS" --until ts:462422016031457280 | build/cdc-dump \
	| grep -c '"type":"\(insert\|delete\|create_collection\)"' >"$T/n" || true
is "$(cat "$T/n")" 6 "--until stops after every event up to that timestamp"

# SIGTERM: a final checkpoint, then death by TERM.
./cdc-read -b "$BROKERS" >"$T/term.cdc" 2>/dev/null &
pid=$!
sleep 1
kill -TERM $pid
rc=0; wait $pid || rc=$?
is "$rc" 143 "SIGTERM ends the process by SIGTERM"
python3 tests/e2e/lastckpt.py "$T/term.cdc" "$T/term.ckpt" >/dev/null
check "after a final checkpoint" test -s "$T/term.ckpt"
done_testing
