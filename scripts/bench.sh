#!/bin/sh
# make bench: every benchmark, each against its kcat baseline measured in the
# same run.  Figures are printed, never asserted: these machines are noisy.
set -u
cd "$(dirname "$0")/.." || exit 1
status=0
for b in scripts/bench-read.sh scripts/bench-write.sh scripts/bench-milvus.sh; do
	[ -x "$b" ] || { echo "== $b: not present"; continue; }
	echo "== $b"
	"$b" || { echo "$b failed"; status=1; }
done
exit $status
