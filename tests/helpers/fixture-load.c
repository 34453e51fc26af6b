/*
 * fixture-load - produce the records of a records.jsonl fixture (see
 * shared/fixtures/milvus-2.5/README.md: topic, partition, headers as
 * [key, value] pairs, value_b64) into Kafka, in order, compressed with zstd
 * as Milvus's producer does.  Exit 0 only when every record was delivered.
 *
 *   fixture-load -b BROKERS [-X key=value]... FILE.jsonl
 *
 * A failed delivery names the record's line; exit 1 then, 2 on usage.
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <librdkafka/rdkafka.h>

#include "cdc_b64.h"
#include "cdc_kafka.h"
#include "cdc_util.h"

static int failed;

static void
dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *rkm, void *opaque)
{
	if (rkm->err) {
		cdc_log_err("line %d (%s): delivery failed: %s",
		    (int)(intptr_t)rkm->_private, rd_kafka_topic_name(rkm->rkt),
		    rd_kafka_err2str(rkm->err));
		failed++;
	}
}

static void
usage(FILE *f)
{
	fputs("usage: fixture-load -b BROKERS [-X key=value]... FILE.jsonl\n"
	    "  -b, --brokers LIST      bootstrap servers\n"
	    "  -X, --property K=V      librdkafka producer property\n"
	    "Produces every record in order (zstd); exit 0 only if all were "
	    "delivered.\n", f);
}

static rd_kafka_headers_t *
headers_of(json_t *arr)
{
	rd_kafka_headers_t *hdrs = rd_kafka_headers_new(json_array_size(arr));
	size_t i;
	json_t *kv;

	json_array_foreach(arr, i, kv) {
		const char *k = json_string_value(json_array_get(kv, 0));
		const char *v = json_string_value(json_array_get(kv, 1));

		if (k && v)
			rd_kafka_header_add(hdrs, k, -1, v, -1);
	}
	return hdrs;
}

/* Produce one jsonl line; 0 or -1. */
static int
produce_line(rd_kafka_t *rk, const char *line, int lineno)
{
	json_error_t je;
	json_t *j = json_loads(line, 0, &je);
	const char *topic, *b64;
	char *value;
	long n;
	rd_kafka_resp_err_t err;

	if (!j || !(topic = json_string_value(json_object_get(j, "topic"))) ||
	    !(b64 = json_string_value(json_object_get(j, "value_b64")))) {
		cdc_log_err("line %d: not a fixture record", lineno);
		json_decref(j);
		return -1;
	}
	value = cdc_xmalloc(strlen(b64) / 4 * 3 + 1);
	n = cdc_b64_decode(b64, strlen(b64), value);
	if (n < 0) {
		cdc_log_err("line %d: bad base64", lineno);
		free(value);
		json_decref(j);
		return -1;
	}
	err = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic),
	    RD_KAFKA_V_PARTITION((int32_t)json_integer_value(
	    json_object_get(j, "partition"))),
	    RD_KAFKA_V_VALUE(value, (size_t)n),
	    RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
	    RD_KAFKA_V_OPAQUE((void *)(intptr_t)lineno),
	    RD_KAFKA_V_HEADERS(headers_of(json_object_get(j, "headers"))),
	    RD_KAFKA_V_END);
	free(value);
	json_decref(j);
	if (err) {
		cdc_log_err("line %d: %s", lineno, rd_kafka_err2str(err));
		return -1;
	}
	/* One at a time keeps produce order across topics too. */
	rd_kafka_flush(rk, 10000);
	return 0;
}

/* Leave before the producer took conf: it is still ours to free. */
static int
bail(rd_kafka_conf_t *conf, int rc)
{
	rd_kafka_conf_destroy(conf);
	return rc;
}

int
main(int argc, char **argv)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	rd_kafka_t *rk;
	char err[512], *line = NULL;
	size_t cap = 0;
	FILE *f;
	int ch, lineno = 0, rc = 0;

	cdc_log_init(argv[0], 1);
	rd_kafka_conf_set(conf, "compression.codec", "zstd", NULL, 0);
	rd_kafka_conf_set(conf, "enable.idempotence", "true", NULL, 0);
	rd_kafka_conf_set(conf, "linger.ms", "0", NULL, 0);
	cdc_kafka_conf_log(conf);
	static const struct option longopts[] = {
		{"brokers", required_argument, NULL, 'b'},
		{"property", required_argument, NULL, 'X'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};

	while ((ch = getopt_long(argc, argv, "b:X:h", longopts, NULL)) != -1) {
		const char *kv = optarg;
		char buf[1024];

		if (ch == 'h') {
			usage(stdout);
			return bail(conf, 0);
		} else if (ch == 'b') {
			snprintf(buf, sizeof buf, "bootstrap.servers=%s",
			    optarg);
			kv = buf;
		} else if (ch != 'X') {
			usage(stderr);
			return bail(conf, CDC_EXIT_USAGE);
		}
		if (cdc_kafka_conf_set(conf, kv, err, sizeof err) < 0) {
			cdc_log_err("%s", err);
			return bail(conf, CDC_EXIT_USAGE);
		}
	}
	if (optind != argc - 1 || !(f = fopen(argv[optind], "r"))) {
		cdc_log_err("need one readable records.jsonl");
		return bail(conf, CDC_EXIT_USAGE);
	}
	rd_kafka_conf_set_dr_msg_cb(conf, dr_cb);
	if (!(rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err))) {
		cdc_log_err("%s", err);
		fclose(f);
		return bail(conf, CDC_EXIT_RUNTIME);
	}
	while (rc == 0 && getline(&line, &cap, f) != -1)
		if (line[0] != '\n')
			rc = produce_line(rk, line, ++lineno);
	rd_kafka_flush(rk, 30000);
	if (rd_kafka_outq_len(rk) > 0)
		failed++;
	free(line);
	fclose(f);
	rd_kafka_destroy(rk);
	return rc || failed ? CDC_EXIT_RUNTIME : 0;
}
