/*
 * cdc_envelope.h - the shapes of cdc-write-kafka's messages: topic names from
 * templates, and Debezium-style or flat JSON keys and values for each row of
 * an insert and each key of a delete.  Output goes into caller buffers
 * (struct cdc_buf, cdc_json.h); nothing here allocates what it returns.
 * struct cdc_env owns a cache that cdc_env_fini() frees.
 */
#ifndef CDC_ENVELOPE_H
#define CDC_ENVELOPE_H

#include "cdc_event.h"
#include "cdc_json.h"

enum cdc_env_format {
	CDC_ENV_DEBEZIUM,
	CDC_ENV_JSON,
	CDC_ENV_CDC
};

struct cdc_env {
	enum cdc_env_format format;
	int with_schema;	/* Kafka Connect JsonConverter {schema,payload} */
	const char *name;	/* Debezium source.name (the logical server) */
	int64_t now_ms;		/* processing time for ts_ms */
	/* Cache: the envelope's tail (source, op, ts_ms) is the same for
	 * every row of an event; tail_key holds what it was built from. */
	struct cdc_buf tail, tail_key, key_scratch;
};

void cdc_env_fini(struct cdc_env *env);

/*
 * Expand {db}, {collection}, {partition} and {op} in tmpl into out (a NUL-
 * terminated topic name).  Characters Kafka does not allow in topic names
 * become '_'.  Returns 0, or -1 when the name would be empty or too long.
 */
int cdc_env_topic(char *out, size_t outsz, const char *tmpl,
    const struct cdc_event *ev, const char *op);

/*
 * Check a topic template before any data moves: only {db}, {collection},
 * {partition} and {op} may appear in braces, and the literal text must be
 * legal in a Kafka topic name ([A-Za-z0-9._-]).  0, or -1 with err.
 */
int cdc_env_topic_check(const char *tmpl, char *err, size_t errsz);

/* The headers of every message: names, and values viewing ev or buf. */
#define CDC_ENV_NHDR 7
struct cdc_env_hdr {
	const char *name;
	struct cdc_str val;
};
struct cdc_env_hdrbuf {
	char num[3][32];
};
void cdc_env_headers(struct cdc_env_hdr h[CDC_ENV_NHDR],
    struct cdc_env_hdrbuf *buf, const struct cdc_event *ev, const char *op);

/* Key and value of insert row `row`. 0, or -1 with err (a bad value). */
int cdc_env_insert(struct cdc_buf *key, struct cdc_buf *val,
    struct cdc_env *env, const struct cdc_event *ev,
    const struct cdc_cols *cols, size_t row, char *err, size_t errsz);
/* Key and value of delete key `k` (pk: the key field name). */
int cdc_env_delete(struct cdc_buf *key, struct cdc_buf *val,
    struct cdc_env *env, const struct cdc_event *ev,
    struct cdc_str pk, const msgpack_object *k, char *err, size_t errsz);
/* A DDL or schema event as JSON: key {"db":..,"collection":..}, value the
 * event's keys with "op" for "type". */
int cdc_env_ddl(struct cdc_buf *key, struct cdc_buf *val,
    const struct cdc_event *ev, char *err, size_t errsz);

/*
 * --with-schema: wrap a key and value built above (in key, val) as Kafka
 * Connect's JsonConverter does, {"schema":..., "payload":...}, with a
 * schema from the insert's columns (cols) or, for a delete, from its key
 * alone (cols NULL, k the key).  The wrapped forms go to wkey and wval.
 */
void cdc_env_wrap(struct cdc_buf *wkey, struct cdc_buf *wval,
    const struct cdc_buf *key, const struct cdc_buf *val,
    const struct cdc_env *env, const struct cdc_event *ev,
    const struct cdc_cols *cols, struct cdc_str pk, const msgpack_object *k);

#endif
