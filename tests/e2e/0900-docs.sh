#!/bin/sh
# Every tool has a man page that lints clean and names every long option its
# --help prints; cdc-stream(5) lints clean too.
set -u
cd "$(dirname "$0")/../.." || exit 1
n=0
t() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
tools="cdc-read cdc-write-kafka cdc-write-milvus cdc-write-json"
echo "1..$(( $(echo $tools | wc -w) * 3 + 1 ))"
for tool in $tools; do
	page=man/$tool.1
	[ -f "$page" ] && mandoc -Tlint -Wwarning "$page" >/dev/null 2>&1
	t $? "$page exists and lints clean"
	missing=""
	help=$(./"$tool" --help 2>/dev/null)
	t $? "$tool --help exits 0"
	text=$(mandoc -Tascii "$page" 2>/dev/null | col -b)
	for opt in $(printf '%s\n' "$help" | grep -o -- '--[a-z][a-z0-9-]*' | sort -u); do
		printf '%s\n' "$text" | grep -q -- "$opt" || missing="$missing $opt"
	done
	[ -z "$missing" ]
	t $? "$tool: every --help option is in $page${missing:+ (missing:$missing)}"
done
mandoc -Tlint -Wwarning man/cdc-stream.5 >/dev/null 2>&1
t $? "man/cdc-stream.5 lints clean"
