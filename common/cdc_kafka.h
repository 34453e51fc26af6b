/*
 * cdc_kafka.h - librdkafka configuration as kcat does it: -X key=value,
 * -F properties files, and librdkafka logs routed into our stderr prefix.
 * The conf object stays owned by the caller until rd_kafka_new() takes it.
 */
#ifndef CDC_KAFKA_H
#define CDC_KAFKA_H

#include <stddef.h>
#include <stdio.h>

#include <librdkafka/rdkafka.h>

/* Apply one "key=value"; 0, or -1 with err filled (names the key). */
int cdc_kafka_conf_set(rd_kafka_conf_t *conf, const char *kv, char *err,
    size_t errsz);
/*
 * Apply a Java-style properties file: "key=value" lines, '#' or '!'
 * comments, blank lines ignored.  0, or -1 with err naming file and line.
 */
int cdc_kafka_conf_file(rd_kafka_conf_t *conf, const char *path, char *err,
    size_t errsz);
/* Route librdkafka's log lines through cdc_log (set before rd_kafka_new()). */
void cdc_kafka_conf_log(rd_kafka_conf_t *conf);
/* Print every property of conf as "key = value" lines (-X dump). */
void cdc_kafka_conf_dump(rd_kafka_conf_t *conf, FILE *out);

/* A tool's -b, -X and -F options, kept in command-line order. */
struct cdc_kafka_opts {
	const char *brokers;
	char **props;		/* "X<key=value>" or "F<path>", owned */
	size_t n;
};

/* Record -X (ch 'X') or -F (ch 'F'). */
void cdc_kafka_opts_add(struct cdc_kafka_opts *k, int ch, const char *arg);
void cdc_kafka_opts_fini(struct cdc_kafka_opts *k);
/*
 * Apply -b and then every -X/-F in order to conf.  Unless need_brokers is
 * 0, bootstrap.servers must end up set.  0, or -1 with err filled.
 */
int cdc_kafka_conf_apply(rd_kafka_conf_t *conf,
    const struct cdc_kafka_opts *k, int need_brokers, char *err,
    size_t errsz);

#endif
