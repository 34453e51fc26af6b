/* cdc_envelope.c - see cdc_envelope.h and cdc-write-kafka(1). */
#include <stdio.h>
#include <string.h>

#include "cdc_envelope.h"
#include "cdc_fmt.h"

static void
put_topic_part(char *out, size_t *n, size_t outsz, struct cdc_str s)
{
	for (size_t i = 0; i < s.n && *n + 1 < outsz; i++) {
		char c = s.p[i];
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';

		out[(*n)++] = ok ? c : '_';
	}
}

int
cdc_env_topic(char *out, size_t outsz, const char *tmpl,
    const struct cdc_event *ev, const char *op)
{
	static const char *const vars[] = {"{db}", "{collection}",
	    "{partition}", "{op}"};
	struct cdc_str val[4] = {ev->db, ev->collection, ev->partition,
	    {op, strlen(op)}};
	size_t n = 0;

	while (*tmpl && n + 1 < outsz) {
		size_t i;

		for (i = 0; i < 4; i++)
			if (!strncmp(tmpl, vars[i], strlen(vars[i])))
				break;
		if (i < 4) {
			put_topic_part(out, &n, outsz, val[i]);
			tmpl += strlen(vars[i]);
		} else {
			out[n++] = *tmpl++;
		}
	}
	out[n] = '\0';
	return n == 0 || *tmpl || n > 249 ? -1 : 0;
}

static void
add_u64(struct cdc_buf *b, uint64_t v)
{
	char tmp[CDC_FMT_MAX];

	cdc_buf_add(b, tmp, cdc_fmt_u64(tmp, v));
}

static void
add_i64(struct cdc_buf *b, int64_t v)
{
	char tmp[CDC_FMT_MAX];

	cdc_buf_add(b, tmp, cdc_fmt_i64(tmp, v));
}

static void
add_kv_str(struct cdc_buf *b, const char *key, struct cdc_str s)
{
	cdc_buf_addc(b, ',');
	cdc_json_str(b, key, strlen(key));
	cdc_buf_addc(b, ':');
	if (cdc_json_str(b, s.p, s.n) < 0)
		cdc_buf_adds(b, "null");
}

/* Debezium's source block. */
static void
source(struct cdc_buf *b, const struct cdc_env *env,
    const struct cdc_event *ev)
{
	cdc_buf_adds(b, "{\"version\":\"" CDC_VERSION "\",\"connector\":"
	    "\"milvus\",\"name\":");
	cdc_json_str(b, env->name, strlen(env->name));
	cdc_buf_adds(b, ",\"ts_ms\":");
	add_u64(b, cdc_ts_ms(ev->ts));
	add_kv_str(b, "db", ev->db);
	add_kv_str(b, "collection", ev->collection);
	if (ev->has_partition)
		add_kv_str(b, "partition", ev->partition);
	add_kv_str(b, "vchannel", ev->vchannel);
	add_kv_str(b, "kafka_topic", ev->src.topic);
	cdc_buf_adds(b, ",\"kafka_partition\":");
	add_i64(b, ev->src.partition);
	cdc_buf_adds(b, ",\"kafka_offset\":");
	add_i64(b, ev->src.offset);
	cdc_buf_adds(b, ",\"tso\":");
	add_u64(b, ev->ts);
	cdc_buf_addc(b, '}');
}

static void
tail(struct cdc_buf *b, const struct cdc_env *env, const struct cdc_event *ev,
    const char *op)
{
	cdc_buf_adds(b, ",\"source\":");
	source(b, env, ev);
	cdc_buf_adds(b, ",\"op\":\"");
	cdc_buf_adds(b, op);
	cdc_buf_adds(b, "\",\"ts_ms\":");
	add_i64(b, env->now_ms);
	cdc_buf_addc(b, '}');
}

/* The flat format's metadata: ,"__op":..,"__ts":..,"__db":..,"__collection":.. */
static void
flat_meta(struct cdc_buf *b, const struct cdc_event *ev, const char *op)
{
	cdc_buf_adds(b, ",\"__op\":\"");
	cdc_buf_adds(b, op);
	cdc_buf_adds(b, "\",\"__ts\":");
	add_u64(b, ev->ts);
	add_kv_str(b, "__db", ev->db);
	add_kv_str(b, "__collection", ev->collection);
	cdc_buf_addc(b, '}');
}

int
cdc_env_insert(struct cdc_buf *key, struct cdc_buf *val,
    const struct cdc_env *env, const struct cdc_event *ev,
    const struct cdc_cols *cols, size_t row, char *err, size_t errsz)
{
	if (cdc_json_pk(key, cols, row, err, errsz) < 0)
		return -1;
	if (env->format == CDC_ENV_JSON) {
		if (cdc_json_row(val, cols, row, err, errsz) < 0)
			return -1;
		val->len--;	/* reopen the row object */
		flat_meta(val, ev, "c");
		return 0;
	}
	cdc_buf_adds(val, "{\"before\":null,\"after\":");
	if (cdc_json_row(val, cols, row, err, errsz) < 0)
		return -1;
	tail(val, env, ev, "c");
	return 0;
}

int
cdc_env_delete(struct cdc_buf *key, struct cdc_buf *val,
    const struct cdc_env *env, const struct cdc_event *ev,
    struct cdc_str pk, const msgpack_object *k, char *err, size_t errsz)
{
	if (cdc_json_key(key, pk, k, err, errsz) < 0)
		return -1;
	if (env->format == CDC_ENV_JSON) {
		cdc_buf_add(val, key->p, key->len - 1);
		flat_meta(val, ev, "d");
		return 0;
	}
	cdc_buf_adds(val, "{\"before\":");
	cdc_buf_add(val, key->p, key->len);
	cdc_buf_adds(val, ",\"after\":null");
	tail(val, env, ev, "d");
	return 0;
}

int
cdc_env_ddl(struct cdc_buf *key, struct cdc_buf *val,
    const struct cdc_event *ev, char *err, size_t errsz)
{
	const msgpack_object *m = ev->map;

	cdc_buf_adds(key, "{\"db\":");
	cdc_json_str(key, ev->db.p, ev->db.n);
	add_kv_str(key, "collection", ev->collection);
	cdc_buf_addc(key, '}');
	cdc_buf_adds(val, "{\"op\":");
	cdc_json_str(val, ev->type_name.p, ev->type_name.n);
	for (uint32_t i = 0; i < m->via.map.size; i++) {
		if (cdc_obj_streq(&m->via.map.ptr[i].key, "type"))
			continue;
		cdc_buf_addc(val, ',');
		if (cdc_json_msgpack(val, &m->via.map.ptr[i].key, err,
		    errsz) < 0)
			return -1;
		cdc_buf_addc(val, ':');
		if (cdc_json_msgpack(val, &m->via.map.ptr[i].val, err,
		    errsz) < 0)
			return -1;
	}
	cdc_buf_addc(val, '}');
	return 0;
}
