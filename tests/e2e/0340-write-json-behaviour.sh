#!/bin/sh
# cdc-write-json as a filter: lines reach downstream while upstream is idle,
# SIGTERM then stops it by TERM, `| head -1` stops it quietly by SIGPIPE,
# unknown event types warn once per name, and configuration errors exit 2.
. "$(dirname "$0")/lib.sh"
plan 9
start_kafka
load_fixtures
./cdc-read -b "$BROKERS" -e >"$T/s.cdc"
./cdc-write-json <"$T/s.cdc" >"$T/all.jsonl"

mkfifo "$T/in"
./cdc-write-json <"$T/in" >"$T/idle.jsonl" 2>"$T/idle.err" &
w=$!
exec 3>"$T/in"
cat "$T/s.cdc" >&3
for _ in $(seq 50); do
	[ "$(wc -l <"$T/idle.jsonl")" -eq "$(wc -l <"$T/all.jsonl")" ] && break
	sleep 0.1
done
cmp_ok "$T/idle.jsonl" "$T/all.jsonl" "every line is out while upstream is idle"
kill -TERM $w
rc=0; wait $w || rc=$?
exec 3>&-
is "$rc" 143 "SIGTERM with upstream idle: death by TERM"

for _ in $(seq 300); do cat "$T/s.cdc"; done >"$T/big.cdc"	# > a pipe's buffer
echo 0 >"$T/pipe.rc"
{ ./cdc-write-json "$T/big.cdc" 2>"$T/pipe.err" || echo $? >"$T/pipe.rc"; } | head -1 >/dev/null
rc=$(cat "$T/pipe.rc")
is "$rc" 141 "| head -1: stopped by SIGPIPE"
is "$(wc -c <"$T/pipe.err")" 0 "quietly"

printf '\0\0\0\012\201\244type\243zap\0\0\0\012\201\244type\243zap\0\0\0\012\201\244type\243zip' >"$T/unk"
cat "$T/unk" "$T/s.cdc" "$T/unk" | ./cdc-write-json >"$T/unk.jsonl" 2>"$T/unk.err"
printf "cdc-write-json: skipping events of unknown type 'zap'\ncdc-write-json: skipping events of unknown type 'zip'\n" >"$T/unk.want"
cmp_ok "$T/unk.err" "$T/unk.want" "unknown types: one warning per name"
cmp_ok "$T/unk.jsonl" "$T/all.jsonl" "and the other events as before"

# Files as arguments, read in turn as one stream.
./cdc-write-json "$T/s.cdc" - "$T/s.cdc" <"$T/s.cdc" >"$T/three.jsonl"
is "$(wc -l <"$T/three.jsonl")" "$(( $(wc -l <"$T/all.jsonl") * 3 ))" "file arguments and - for stdin"

rc=0; ./cdc-write-json -o /nonexistent/o.jsonl <"$T/s.cdc" 2>"$T/e.err" || rc=$?
is "$rc:$(cat "$T/e.err")" "2:cdc-write-json: cannot open '/nonexistent/o.jsonl': No such file or directory" \
	"-o in a missing directory: exit 2 (this crashed)"
rc=0; ./cdc-write-json --checkpoint /nonexistent/k.ckpt <"$T/s.cdc" >/dev/null 2>"$T/e.err" || rc=$?
is "$rc:$(cat "$T/e.err")" "2:cdc-write-json: cannot write checkpoint '/nonexistent/k.ckpt': No such file or directory" \
	"--checkpoint in a missing directory: exit 2 before any line"
done_testing
