#!/bin/bash
# cdc-write-milvus's benchmark (issue 5): rows/s applied into the fake Milvus
# with 128-dim vectors, and the writer's own CPU time per row apart from the
# fake's (the fake is a Python server: its time dominates the wall clock).
set -eu
cd "$(dirname "$0")/.." || exit 1
ROWS=${BENCH_ROWS:-20000}
D=$(mktemp -d); P=""
trap 'kill $P 2>/dev/null; rm -rf "$D"' EXIT
build/mock-kafka >"$D/k" 2>/dev/null & P="$P $!"
/usr/bin/python3 tests/helpers/fake-milvus/fake_milvus.py >"$D/f" 2>/dev/null & P="$P $!"
FAKE=$!
for _ in $(seq 100); do [ -s "$D/k" ] && [ -s "$D/f" ] && break; sleep 0.05; done
B=$(sed 's/BROKERS=//' "$D/k"); U=$(sed 's/URI=//' "$D/f")
build/milvus-sim -b "$B" --workload bench --rows "$ROWS" --dim 128 --expect "$D/exp" >/dev/null
./cdc-read -b "$B" -e -q >"$D/s.cdc"
cpu_of() { awk '{print ($14 + $15) / 100}' "/proc/$1/stat"; }
f0=$(cpu_of "$FAKE")
w=$(scripts/measure.py "./cdc-write-milvus --uri $U <$D/s.cdc")
f1=$(cpu_of "$FAKE")
n=$(curl -s "$U/_fake/state" | python3 -c '
import json, sys
s = json.load(sys.stdin)
print(sum(len(c["rows"]) for d in s["databases"].values() for c in d["collections"].values()))')
d=$(scripts/measure.py "./cdc-write-milvus --dry-run <$D/s.cdc >/dev/null")
req=$(./cdc-write-milvus --dry-run <"$D/s.cdc" | grep -c '/entities/upsert ')
if [ "$(echo "$w" | python3 -c 'import json,sys; print(json.load(sys.stdin)["rc"])')" != 0 ] || [ "$n" != "$(wc -l <"$D/exp")" ]; then
	echo "bench-milvus: the writer failed or the fake holds $n rows, not milvus-sim's $(wc -l <"$D/exp")" >&2
	exit 1
fi
python3 - "$w" "$d" "$f0" "$f1" "$ROWS" "$req" <<'PY'
import json, sys
w, d = json.loads(sys.argv[1]), json.loads(sys.argv[2])
f, rows = float(sys.argv[4]) - float(sys.argv[3]), int(sys.argv[5])
print("  %s upsert requests (default --batch-bytes 8m, --batch-rows 5000)" % sys.argv[6])
print("cdc-write-milvus into the fake: %d rows in %.2fs wall: %.0f rows/s" % (rows, w["wall"], rows / w["wall"]))
print("  writer CPU %.2fs = %.1f us/row; fake CPU %.2fs = %.1f us/row" % (w["cpu"], w["cpu"] / rows * 1e6, f, f / rows * 1e6))
print("  --dry-run (JSON building alone, no HTTP): %.2fs CPU = %.1f us/row" % (d["cpu"], d["cpu"] / rows * 1e6))
PY
