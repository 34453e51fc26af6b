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

#endif
