#!/bin/sh
# cdc-write-json as a filter: lines reach downstream while upstream is idle,
# SIGTERM then stops it by TERM, `| head -1` stops it quietly by SIGPIPE,
# unknown event types warn once per name (none with -q), -u writes each
# event's lines at once, -v sums up, and configuration errors exit 2.
. "$(dirname "$0")/lib.sh"
plan 13
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

# -q: the same, without the warnings.
cat "$T/unk" "$T/s.cdc" "$T/unk" | ./cdc-write-json -q >"$T/unkq.jsonl" 2>"$T/unkq.err"
is "$(wc -c <"$T/unkq.err"):$(cmp -s "$T/unkq.jsonl" "$T/all.jsonl" && echo same)" "0:same" \
	"-q: unknown types skipped without a warning"

# -u: frames keep coming, one every 20 ms (never the 100 ms pause that
# flushes), and each event's lines are out at once; without -u they would
# wait for 64 KiB of lines (the 100 frames here make about 50).
: >"$T/u.jsonl"
python3 - "$T/s.cdc" "$T/u.jsonl" "$(wc -c <"$T/all.jsonl")" "$T/u.res" <<'PY' |
import os, sys, time
sys.path.insert(0, "tests/e2e")
from cdcgen import frames
fs, res = frames(open(sys.argv[1], "rb").read()), "not out after 100 frames"
for i in range(100):
    os.write(1, fs[i % len(fs)])
    time.sleep(0.02)
    if os.path.getsize(sys.argv[2]) >= int(sys.argv[3]):
        res = "out after %d frames" % (i + 1)
        break
open(sys.argv[4], "w").write(res)
PY
	./cdc-write-json -u >"$T/u.jsonl"
is "$(cut -d' ' -f1-2 "$T/u.res"):$(head -c "$(wc -c <"$T/all.jsonl")" "$T/u.jsonl" | cmp -s - "$T/all.jsonl" && echo same)" \
	"out after:same" "-u: each event's lines are out at once, also while more input keeps coming"

# -v: a summary of events (not the header) and lines.
./cdc-write-json -v <"$T/s.cdc" >/dev/null 2>"$T/v.err"
is "$(cat "$T/v.err")" "cdc-write-json: $(build/cdc-dump <"$T/s.cdc" | grep -vc '"type":"header"') events, $(wc -l <"$T/all.jsonl") lines" \
	"-v: a summary at the end"

# Files as arguments, read in turn as one stream.
./cdc-write-json "$T/s.cdc" - "$T/s.cdc" <"$T/s.cdc" >"$T/three.jsonl"
is "$(wc -l <"$T/three.jsonl")" "$(( $(wc -l <"$T/all.jsonl") * 3 ))" "file arguments and - for stdin"

rc=0; ./cdc-write-json "$T/s.cdc" /nonexistent/y.cdc >"$T/y.jsonl" 2>"$T/e.err" || rc=$?
is "$rc:$(cat "$T/e.err"):$(wc -c <"$T/y.jsonl")" "2:cdc-write-json: cannot open '/nonexistent/y.cdc': No such file or directory:0" \
	"a missing second input file: exit 2 before any line (it was exit 3 after the first file's)"
rc=0; ./cdc-write-json -o /nonexistent/o.jsonl <"$T/s.cdc" 2>"$T/e.err" || rc=$?
is "$rc:$(cat "$T/e.err")" "2:cdc-write-json: cannot open '/nonexistent/o.jsonl': No such file or directory" \
	"-o in a missing directory: exit 2 (this crashed)"
rc=0; ./cdc-write-json --checkpoint /nonexistent/k.ckpt <"$T/s.cdc" >/dev/null 2>"$T/e.err" || rc=$?
is "$rc:$(cat "$T/e.err")" "2:cdc-write-json: cannot write checkpoint '/nonexistent/k.ckpt': No such file or directory" \
	"--checkpoint in a missing directory: exit 2 before any line"
done_testing
