#!/bin/sh
# The embedded Kafka itself: brokers and topics as asked, and every fault
# command of its control fifo takes effect (checked through fixture-load's
# exit status, whose delivery reports are the ground truth).
. "$(dirname "$0")/lib.sh"
plan 15

build/mock-kafka --help >"$T/help" && rc=0 || rc=$?
is "$rc" 0 "mock-kafka --help exits 0"
build/mock-kafka --no-such-option >/dev/null 2>&1 && rc=0 || rc=$?
is "$rc" 2 "mock-kafka: a bad option exits 2"
build/fixture-load -b 127.0.0.1:1 >/dev/null 2>&1 && rc=0 || rc=$?
is "$rc" 2 "fixture-load: no file exits 2"

ctl=$T/ctl
start_kafka -n 3 -t three:3 -t one --milvus-topics by-dev --control "$ctl"
kcat -b "$BROKERS" -L -J >"$T/meta.json"
python3 - "$T/meta.json" >"$T/meta.txt" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
print("brokers", len(m["brokers"]))
for t in sorted(m["topics"], key=lambda t: t["topic"]):
    print(t["topic"], len(t["partitions"]))
PY
is "$(sed -n 1p "$T/meta.txt")" "brokers 3" "-n 3 gives three brokers"
is "$(grep -c '^by-dev-rootcoord-dml_[0-9]* 1$' "$T/meta.txt")" 16 \
	"--milvus-topics creates the 16 dml topics"
check "--milvus-topics creates the replicate-msg topic" \
	grep -qx 'by-dev-replicate-msg 1' "$T/meta.txt"
check "-t three:3 has 3 partitions" grep -qx 'three 3' "$T/meta.txt"
check "-t one has 1 partition" grep -qx 'one 1' "$T/meta.txt"

# A small file of two records for the fault checks.
head -n 2 "$FIXTURES/records.jsonl" >"$T/two.jsonl"
load() {
	build/fixture-load -b "$BROKERS" -X message.timeout.ms=1500 \
		-X retry.backoff.ms=10 "$T/two.jsonl" 2>>"$T/load.err"
}

kafka_ctl "$ctl" "push-errors Produce 1000 TOPIC_AUTHORIZATION_FAILED"
load && rc=0 || rc=$?
is "$rc" 1 "push-errors Produce: fixture-load fails (exit 1)"
check "the failed delivery names its line" \
	grep -q 'line 1 (by-dev-rootcoord-dml_0): delivery failed' "$T/load.err"
kafka_ctl "$ctl" "clear Produce"
check "clear Produce: delivered again" load

# Retriable errors are retried by the producer: still delivered.
kafka_ctl "$ctl" "push-errors 0 3 NOT_ENOUGH_REPLICAS"
check "3 retriable produce errors: delivered after retries" load

# Take every broker down; then no delivery within the timeout.
for b in 1 2 3; do kafka_ctl "$ctl" "broker-down $b"; done
load && rc=0 || rc=$?
is "$rc" 1 "broker-down: fixture-load fails"
for b in 1 2 3; do kafka_ctl "$ctl" "broker-up $b"; done
kafka_ctl "$ctl" "rtt 1 5"
check "broker-up (and a small rtt): delivered again" load
kafka_ctl "$ctl" "no-such-command 1"
check "a bad control line is reported" \
	grep -q "bad control line 'no-such-command 1'" "$KAFKA_ERR"
done_testing
