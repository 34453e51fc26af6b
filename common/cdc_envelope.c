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

/* A name part for a Connect schema name: Avro-safe characters only (and
 * the dots of a namespace when dots is set). */
static void
put_json_part(struct cdc_buf *b, struct cdc_str s, int dots)
{
	for (size_t i = 0; i < s.n; i++) {
		char c = s.p[i];
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || (dots && c == '.');

		cdc_buf_addc(b, ok ? c : '_');
	}
}

int
cdc_env_topic_check(const char *tmpl, char *err, size_t errsz)
{
	static const char *const vars[] = {"{db}", "{collection}",
	    "{partition}", "{op}"};

	for (const char *p = tmpl; *p; p++) {
		size_t i;
		int ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' ||
		    *p == '-';

		if (ok)
			continue;
		for (i = 0; i < 4; i++)
			if (!strncmp(p, vars[i], strlen(vars[i])))
				break;
		if (i == 4) {
			snprintf(err, errsz, "invalid topic template '%s': "
			    "'%c' at %zu (placeholders are {db}, {collection}, "
			    "{partition}, {op})", tmpl, *p, (size_t)(p - tmpl));
			return -1;
		}
		p += strlen(vars[i]) - 1;
	}
	if (!*tmpl || strlen(tmpl) > 249) {
		snprintf(err, errsz, "invalid topic template '%s': %s", tmpl,
		    *tmpl ? "too long" : "empty");
		return -1;
	}
	return 0;
}

void
cdc_env_headers(struct cdc_env_hdr h[CDC_ENV_NHDR],
    struct cdc_env_hdrbuf *buf, const struct cdc_event *ev, const char *op)
{
	size_t n[3];

	n[0] = cdc_fmt_u64(buf->num[0], ev->ts);
	n[1] = cdc_fmt_i64(buf->num[1], ev->src.partition);
	n[2] = cdc_fmt_i64(buf->num[2], ev->src.offset);
	h[0] = (struct cdc_env_hdr){"cdc.op", {op, strlen(op)}};
	h[1] = (struct cdc_env_hdr){"cdc.db", ev->db};
	h[2] = (struct cdc_env_hdr){"cdc.collection", ev->collection};
	h[3] = (struct cdc_env_hdr){"cdc.ts", {buf->num[0], n[0]}};
	h[4] = (struct cdc_env_hdr){"cdc.source.topic", ev->src.topic};
	h[5] = (struct cdc_env_hdr){"cdc.source.partition", {buf->num[1],
	    n[1]}};
	h[6] = (struct cdc_env_hdr){"cdc.source.offset", {buf->num[2], n[2]}};
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

void
cdc_env_fini(struct cdc_env *env)
{
	cdc_buf_fini(&env->tail);
	cdc_buf_fini(&env->tail_key);
	cdc_buf_fini(&env->key_scratch);
}

/* Every input of tail() but env->name, which does not change, as bytes. */
static void
tail_key(struct cdc_buf *k, const struct cdc_env *env,
    const struct cdc_event *ev, const char *op)
{
	const int64_t num[5] = {(int64_t)ev->ts, env->now_ms,
	    ev->src.partition, ev->src.offset, ev->has_partition};
	const struct cdc_str s[6] = {ev->db, ev->collection, ev->partition,
	    ev->vchannel, ev->src.topic, {op, strlen(op)}};

	k->len = 0;
	cdc_buf_add(k, num, sizeof num);
	for (int i = 0; i < 6; i++) {
		cdc_buf_add(k, &s[i].n, sizeof s[i].n);
		cdc_buf_add(k, s[i].p, s[i].n);
	}
}

/* ,"source":{..},"op":..,"ts_ms":..} built once per event (callgrind: it
 * was a tenth of a 128-float row's instructions), then copied. */
static void
tail(struct cdc_buf *b, struct cdc_env *env, const struct cdc_event *ev,
    const char *op)
{
	struct cdc_buf *t = &env->tail, swap;

	tail_key(&env->key_scratch, env, ev, op);
	if (t->len == 0 || env->key_scratch.len != env->tail_key.len ||
	    memcmp(env->key_scratch.p, env->tail_key.p, env->tail_key.len)) {
		swap = env->tail_key;
		env->tail_key = env->key_scratch;
		env->key_scratch = swap;
		t->len = 0;
		cdc_buf_adds(t, ",\"source\":");
		source(t, env, ev);
		cdc_buf_adds(t, ",\"op\":\"");
		cdc_buf_adds(t, op);
		cdc_buf_adds(t, "\",\"ts_ms\":");
		add_i64(t, env->now_ms);
		cdc_buf_addc(t, '}');
	}
	cdc_buf_add(b, t->p, t->len);
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
    struct cdc_env *env, const struct cdc_event *ev,
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
    struct cdc_env *env, const struct cdc_event *ev,
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

/* === Kafka Connect schemas (--with-schema) === */

static const char *
connect_type(int dt)
{
	switch (dt) {
	case CDC_DT_BOOL: return "boolean";
	case CDC_DT_INT8: case CDC_DT_INT8_VECTOR: return "int8";
	case CDC_DT_INT16: return "int16";
	case CDC_DT_INT32: return "int32";
	case CDC_DT_INT64: return "int64";
	case CDC_DT_FLOAT: case CDC_DT_FLOAT_VECTOR:
	case CDC_DT_FLOAT16_VECTOR: case CDC_DT_BFLOAT16_VECTOR:
		return "float";
	case CDC_DT_DOUBLE: return "double";
	case CDC_DT_BINARY_VECTOR: case CDC_DT_GEOMETRY: return "bytes";
	default: return "string";
	}
}

/* One field's schema: {"type":..,"optional":..,"field":name}. */
static void
field_schema(struct cdc_buf *b, struct cdc_str name, int dt, int et,
    int optional)
{
	cdc_buf_adds(b, "{\"type\":");
	if (dt == CDC_DT_ARRAY || (cdc_dtype_is_vector(dt) &&
	    dt != CDC_DT_BINARY_VECTOR && dt != CDC_DT_SPARSE_FLOAT_VECTOR)) {
		cdc_buf_adds(b, "\"array\",\"items\":{\"type\":\"");
		cdc_buf_adds(b, connect_type(dt == CDC_DT_ARRAY ? et : dt));
		cdc_buf_adds(b, "\",\"optional\":true}");
	} else if (dt == CDC_DT_SPARSE_FLOAT_VECTOR) {
		cdc_buf_adds(b, "\"map\",\"keys\":{\"type\":\"string\"},"
		    "\"values\":{\"type\":\"float\"}");
	} else {
		cdc_buf_addc(b, '"');
		cdc_buf_adds(b, connect_type(dt));
		cdc_buf_addc(b, '"');
		if (dt == CDC_DT_JSON)
			cdc_buf_adds(b, ",\"name\":\"io.debezium.data.Json\"");
		if (dt == CDC_DT_TIMESTAMPTZ)
			cdc_buf_adds(b, ",\"name\":\"io.debezium.time.ZonedTimestamp\"");
	}
	cdc_buf_adds(b, optional ? ",\"optional\":true" : ",\"optional\":false");
	cdc_buf_adds(b, ",\"field\":");
	cdc_json_str(b, name.p, name.n);
	cdc_buf_addc(b, '}');
}

static void
schema_name(struct cdc_buf *b, const struct cdc_env *env,
    const struct cdc_event *ev, const char *suffix)
{
	cdc_buf_adds(b, ",\"name\":\"");
	put_json_part(b, (struct cdc_str){env->name, strlen(env->name)}, 1);
	cdc_buf_addc(b, '.');
	put_json_part(b, ev->db, 0);
	cdc_buf_addc(b, '.');
	put_json_part(b, ev->collection, 0);
	cdc_buf_adds(b, suffix);
	cdc_buf_addc(b, '"');
}

/* The row struct: every column but the dynamic one; only the pk required. */
static void
row_schema(struct cdc_buf *b, const struct cdc_env *env,
    const struct cdc_event *ev, const struct cdc_cols *cols,
    struct cdc_str pk, int pk_dt, const char *field)
{
	int first = 1;

	cdc_buf_adds(b, "{\"type\":\"struct\",\"fields\":[");
	if (!cols) {
		field_schema(b, pk, pk_dt, 0, 0);
	} else {
		for (size_t i = 0; i < cols->n; i++) {
			const struct cdc_col *c = &cols->v[i];

			if (c->dynamic)
				continue;
			if (!first)
				cdc_buf_addc(b, ',');
			first = 0;
			field_schema(b, c->name, c->dt, c->et,
			    (int)i != cols->pk);
		}
	}
	cdc_buf_adds(b, "],\"optional\":true");
	schema_name(b, env, ev, ".Value");
	cdc_buf_adds(b, ",\"field\":\"");
	cdc_buf_adds(b, field);
	cdc_buf_adds(b, "\"}");
}

static const char source_schema[] =
    "{\"type\":\"struct\",\"fields\":["
    "{\"type\":\"string\",\"optional\":false,\"field\":\"version\"},"
    "{\"type\":\"string\",\"optional\":false,\"field\":\"connector\"},"
    "{\"type\":\"string\",\"optional\":false,\"field\":\"name\"},"
    "{\"type\":\"int64\",\"optional\":false,\"field\":\"ts_ms\"},"
    "{\"type\":\"string\",\"optional\":false,\"field\":\"db\"},"
    "{\"type\":\"string\",\"optional\":false,\"field\":\"collection\"},"
    "{\"type\":\"string\",\"optional\":true,\"field\":\"partition\"},"
    "{\"type\":\"string\",\"optional\":true,\"field\":\"vchannel\"},"
    "{\"type\":\"string\",\"optional\":true,\"field\":\"kafka_topic\"},"
    "{\"type\":\"int32\",\"optional\":true,\"field\":\"kafka_partition\"},"
    "{\"type\":\"int64\",\"optional\":true,\"field\":\"kafka_offset\"},"
    "{\"type\":\"int64\",\"optional\":false,\"field\":\"tso\"}],"
    "\"optional\":false,\"name\":\"io.debezium.connector.milvus.Source\","
    "\"field\":\"source\"}";

void
cdc_env_wrap(struct cdc_buf *wkey, struct cdc_buf *wval,
    const struct cdc_buf *key, const struct cdc_buf *val,
    const struct cdc_env *env, const struct cdc_event *ev,
    const struct cdc_cols *cols, struct cdc_str pk, const msgpack_object *k)
{
	int pk_dt = cols ? (cols->pk >= 0 ? cols->v[cols->pk].dt : 0) :
	    k->type == MSGPACK_OBJECT_STR ? CDC_DT_VARCHAR : CDC_DT_INT64;

	if (cols)
		pk = cols->pk_name;
	cdc_buf_adds(wkey, "{\"schema\":{\"type\":\"struct\",\"fields\":[");
	field_schema(wkey, pk, pk_dt, 0, 0);
	cdc_buf_adds(wkey, "],\"optional\":false");
	schema_name(wkey, env, ev, ".Key");
	cdc_buf_adds(wkey, "},\"payload\":");
	cdc_buf_add(wkey, key->p, key->len);
	cdc_buf_addc(wkey, '}');
	cdc_buf_adds(wval, "{\"schema\":{\"type\":\"struct\",\"fields\":[");
	row_schema(wval, env, ev, cols, pk, pk_dt, "before");
	cdc_buf_addc(wval, ',');
	row_schema(wval, env, ev, cols, pk, pk_dt, "after");
	cdc_buf_addc(wval, ',');
	cdc_buf_adds(wval, source_schema);
	cdc_buf_adds(wval, ",{\"type\":\"string\",\"optional\":false,"
	    "\"field\":\"op\"},{\"type\":\"int64\",\"optional\":true,"
	    "\"field\":\"ts_ms\"}],\"optional\":false");
	schema_name(wval, env, ev, ".Envelope");
	cdc_buf_adds(wval, "},\"payload\":");
	cdc_buf_add(wval, val->p, val->len);
	cdc_buf_addc(wval, '}');
}
