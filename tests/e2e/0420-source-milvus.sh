#!/bin/sh
# cdc-read --source-milvus: a stream that starts after the CreateCollection
# (no state file) learns the schema, db and primary key from the source
# Milvus's REST API and declares it with a schema event.
. "$(dirname "$0")/lib.sh"
plan 4
start_kafka
build/milvus-sim -b "$BROKERS" --workload basic --rows 500 >/dev/null
start_fake_milvus
# The source Milvus: the collection exists there (created from the stream).
./cdc-read -b "$BROKERS" -e -c 1 >"$T/first.cdc"
./cdc-write-milvus --uri "$FAKE_URI" <"$T/first.cdc"
python3 tests/e2e/lastckpt.py "$T/first.cdc" "$T/first.ckpt" >/dev/null

./cdc-read -b "$BROKERS" -e --resume "$T/first.ckpt" | build/cdc-dump >"$T/plain.jsonl"
is "$(grep -c '"type":"schema"' "$T/plain.jsonl")" 0 "without a state file no schema is known"
check "and inserts carry no primary key name" sh -c "! grep '\"type\":\"insert\"' '$T/plain.jsonl' | grep -q '\"pk\"'"

./cdc-read -b "$BROKERS" -e --resume "$T/first.ckpt" --source-milvus "$FAKE_URI" --state "$T/state" |
	build/cdc-dump >"$T/src.jsonl"
s=$(grep -n '"type":"schema".*"collection":"items".*"primary_key":true' "$T/src.jsonl" | head -1 | cut -d: -f1)
i=$(grep -n '"type":"insert"' "$T/src.jsonl" | head -1 | cut -d: -f1)
check "--source-milvus declares the schema before the first insert" test -n "$s" -a "${s:-0}" -lt "${i:-0}"
is "$(grep '"type":"insert"' "$T/src.jsonl" | grep -vc '"pk":"id"')" 0 "and every insert names its primary key"
done_testing
