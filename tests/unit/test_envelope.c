/*
 * test_envelope.c - cdc-write-kafka's message shapes, against texts written
 * by hand from cdc-write-kafka(1): Debezium insert and delete, the flat json
 * format, the Connect {schema, payload} wrapping, DDL messages, topic
 * templates and the header set.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cdc_envelope.h"
#include "t.h"

#define TS 445644800000000005ull	/* (1700000000000 << 18) | 5 */

struct ev_fix {
	struct cdc_frame_writer fw;
	msgpack_zone zone;
	struct cdc_frame fr;
	struct cdc_event ev;
};

static void
common_keys(msgpack_packer *pk, const char *type, int partition)
{
	cdc_pack_key(pk, "type");
	cdc_pack_cstr(pk, type);
	cdc_pack_key(pk, "ts");
	msgpack_pack_uint64(pk, TS);
	cdc_pack_key(pk, "db");
	cdc_pack_cstr(pk, "default");
	cdc_pack_key(pk, "collection");
	cdc_pack_cstr(pk, "c1");
	if (partition) {
		cdc_pack_key(pk, "partition");
		cdc_pack_cstr(pk, "_default");
	}
	cdc_pack_key(pk, "vchannel");
	cdc_pack_cstr(pk, "v0");
	cdc_pack_key(pk, "src");
	msgpack_pack_map(pk, 3);
	cdc_pack_key(pk, "topic");
	cdc_pack_cstr(pk, "t0");
	cdc_pack_key(pk, "partition");
	msgpack_pack_int(pk, 3);
	cdc_pack_key(pk, "offset");
	msgpack_pack_int(pk, 42);
}

static void
col_head(msgpack_packer *pk, const char *name, const char *type, int extra)
{
	msgpack_pack_map(pk, (size_t)(4 + extra));
	cdc_pack_key(pk, "name");
	cdc_pack_cstr(pk, name);
	cdc_pack_key(pk, "field_id");
	msgpack_pack_int(pk, 100);
	cdc_pack_key(pk, "type");
	cdc_pack_cstr(pk, type);
}

/* Columns id Int64 (pk), title VarChar, emb FloatVector(2), attrs JSON,
 * $meta; one row. */
static void
columns(msgpack_packer *pk)
{
	static const float emb[2] = {0.5f, -1.25f};	/* little-endian host */

	msgpack_pack_array(pk, 5);
	col_head(pk, "id", "Int64", 0);
	cdc_pack_key(pk, "data");
	msgpack_pack_array(pk, 1);
	msgpack_pack_int64(pk, 7);
	col_head(pk, "title", "VarChar", 0);
	cdc_pack_key(pk, "data");
	msgpack_pack_array(pk, 1);
	cdc_pack_cstr(pk, "a\"b");
	col_head(pk, "emb", "FloatVector", 1);
	cdc_pack_key(pk, "dim");
	msgpack_pack_int(pk, 2);
	cdc_pack_key(pk, "data");
	cdc_pack_bin(pk, emb, sizeof emb);
	col_head(pk, "attrs", "JSON", 0);
	cdc_pack_key(pk, "data");
	msgpack_pack_array(pk, 1);
	cdc_pack_cstr(pk, "{\"x\":1}");
	col_head(pk, "$meta", "JSON", 1);
	cdc_pack_key(pk, "dynamic");
	msgpack_pack_true(pk);
	cdc_pack_key(pk, "data");
	msgpack_pack_array(pk, 1);
	cdc_pack_cstr(pk, "{\"color\":\"red\"}");
}

/* type "insert", "delete" (int key 7) or another type with no extra keys */
static void
build(struct ev_fix *f, const char *type, int partition)
{
	msgpack_packer *pk;
	char err[256];
	const char *bytes;
	size_t len;
	int ins = !strcmp(type, "insert"), del = !strcmp(type, "delete");

	cdc_frame_writer_init(&f->fw);
	pk = cdc_frame_begin(&f->fw);
	msgpack_pack_map(pk, (size_t)(6 + partition + 3 * ins + 2 * del));
	common_keys(pk, type, partition);
	if (ins || del) {
		cdc_pack_key(pk, "pk");
		cdc_pack_cstr(pk, "id");
	}
	if (ins) {
		cdc_pack_key(pk, "rows");
		msgpack_pack_int(pk, 1);
		cdc_pack_key(pk, "columns");
		columns(pk);
	}
	if (del) {
		cdc_pack_key(pk, "keys");
		msgpack_pack_array(pk, 1);
		msgpack_pack_int(pk, 7);
	}
	cdc_frame_finish(&f->fw);
	msgpack_zone_init(&f->zone, 4096);
	bytes = cdc_frame_bytes(&f->fw, &len);
	T_EQ_INT(cdc_frame_parse(bytes, len, &f->zone, &f->fr, err,
	    sizeof err), 1);
	T_EQ_INT(cdc_event_parse(&f->fr, &f->ev, err, sizeof err), 0);
}

static void
fix_fini(struct ev_fix *f)
{
	msgpack_zone_destroy(&f->zone);
	cdc_frame_writer_fini(&f->fw);
}

#define SOURCE(part) "\"source\":{\"version\":\"" CDC_VERSION "\"," \
	"\"connector\":\"milvus\",\"name\":\"srv\",\"ts_ms\":1700000000000," \
	"\"db\":\"default\",\"collection\":\"c1\"," part \
	"\"vchannel\":\"v0\",\"kafka_topic\":\"t0\",\"kafka_partition\":3," \
	"\"kafka_offset\":42,\"tso\":445644800000000005}"

/* Replace key and val by their --with-schema wrapping. */
static void
wrap(const struct cdc_env *env, struct ev_fix *f, struct cdc_buf *key,
    struct cdc_buf *val, const struct cdc_cols *cols, const msgpack_object *k)
{
	struct cdc_buf wk = {0}, wv = {0};

	cdc_env_wrap(&wk, &wv, key, val, env, &f->ev, cols,
	    (struct cdc_str){"id", 2}, k);
	cdc_buf_fini(key);
	cdc_buf_fini(val);
	*key = wk;
	*val = wv;
}

/* Render insert row 0 or delete key 0 of ev with env; 0 or -1. */
static int
render(struct cdc_env *env, struct ev_fix *f, struct cdc_buf *key,
    struct cdc_buf *val)
{
	struct cdc_cols cols = {0};
	struct cdc_str pk = {"id", 2};
	char err[256];
	int rc;

	key->len = val->len = 0;
	if (f->ev.type == CDC_EV_DELETE) {
		const msgpack_object *keys = cdc_map_get(f->ev.map, "keys");

		rc = cdc_env_delete(key, val, env, &f->ev, pk,
		    &keys->via.array.ptr[0], err, sizeof err);
		if (rc == 0 && env->with_schema)
			wrap(env, f, key, val, NULL, &keys->via.array.ptr[0]);
		return rc;
	}
	rc = cdc_cols_parse(&cols, f->ev.map, err, sizeof err);
	cols.flags = env->with_schema ? CDC_JSON_JSON_AS_STR : 0;
	if (rc == 0)
		rc = cdc_env_insert(key, val, env, &f->ev, &cols, 0, err,
		    sizeof err);
	if (rc == 0 && env->with_schema)
		wrap(env, f, key, val, &cols, NULL);
	cdc_cols_fini(&cols);
	return rc;
}

#define EQ_BUF(b, s) T_EQ_MEM((b).p, (b).len, s, strlen(s))

T_TEST(envelope_debezium_insert_delete)
{
	struct cdc_env env = {.format = CDC_ENV_DEBEZIUM, .with_schema = 0,
	    .name = "srv", .now_ms = 1700000000123LL};
	struct cdc_buf key = {0}, val = {0};
	struct ev_fix f;

	build(&f, "insert", 1);
	T_EQ_INT(render(&env, &f, &key, &val), 0);
	EQ_BUF(key, "{\"id\":7}");
	EQ_BUF(val, "{\"before\":null,\"after\":{\"id\":7,\"title\":\"a\\\"b\","
	    "\"emb\":[0.5,-1.25],\"attrs\":{\"x\":1},\"color\":\"red\"},"
	    SOURCE("\"partition\":\"_default\",")
	    ",\"op\":\"c\",\"ts_ms\":1700000000123}");
	fix_fini(&f);
	build(&f, "delete", 0);
	T_EQ_INT(render(&env, &f, &key, &val), 0);
	EQ_BUF(key, "{\"id\":7}");
	EQ_BUF(val, "{\"before\":{\"id\":7},\"after\":null," SOURCE("")
	    ",\"op\":\"d\",\"ts_ms\":1700000000123}");
	fix_fini(&f);
	cdc_buf_fini(&key);
	cdc_buf_fini(&val);
	cdc_env_fini(&env);
}

/* Value of ev's insert row 0 rendered with env, as a string to compare. */
static const char *
tail_of(struct cdc_env *env, struct ev_fix *f, struct cdc_buf *key,
    struct cdc_buf *val)
{
	T_EQ_INT(render(env, f, key, val), 0);
	cdc_buf_addc(val, '\0');
	return strstr(val->p, ",\"source\":");
}

/* The tail is built once per event and reused: any change of what it shows
 * (or of processing time) must rebuild it. */
T_TEST(envelope_tail_cache)
{
	struct cdc_env env = {.format = CDC_ENV_DEBEZIUM, .with_schema = 0,
	    .name = "srv", .now_ms = 1700000000123LL};
	struct cdc_buf key = {0}, val = {0};
	struct ev_fix f;

	build(&f, "insert", 1);
	T_EQ_STR(tail_of(&env, &f, &key, &val), "," SOURCE("\"partition\":"
	    "\"_default\",") ",\"op\":\"c\",\"ts_ms\":1700000000123}");
	T_EQ_STR(tail_of(&env, &f, &key, &val), "," SOURCE("\"partition\":"
	    "\"_default\",") ",\"op\":\"c\",\"ts_ms\":1700000000123}");
	f.ev.src.offset = 43;
	T_CHECK(strstr(tail_of(&env, &f, &key, &val), "\"kafka_offset\":43,"));
	f.ev.src.partition = 4;
	T_CHECK(strstr(tail_of(&env, &f, &key, &val), "\"kafka_partition\":4,"));
	f.ev.vchannel = (struct cdc_str){"v1", 2};
	T_CHECK(strstr(tail_of(&env, &f, &key, &val), "\"vchannel\":\"v1\""));
	f.ev.partition = (struct cdc_str){"p2", 2};
	T_CHECK(strstr(tail_of(&env, &f, &key, &val), "\"partition\":\"p2\""));
	f.ev.has_partition = 0;
	T_CHECK(!strstr(tail_of(&env, &f, &key, &val), "\"partition\":\""));
	f.ev.collection = (struct cdc_str){"c2", 2};
	T_CHECK(strstr(tail_of(&env, &f, &key, &val), "\"collection\":\"c2\""));
	f.ev.db = (struct cdc_str){"d2", 2};
	T_CHECK(strstr(tail_of(&env, &f, &key, &val), "\"db\":\"d2\""));
	f.ev.src.topic = (struct cdc_str){"t9", 2};
	T_CHECK(strstr(tail_of(&env, &f, &key, &val), "\"kafka_topic\":\"t9\""));
	f.ev.ts += 1;
	T_CHECK(strstr(tail_of(&env, &f, &key, &val), "\"tso\":445644800000000006}"));
	env.now_ms++;
	T_CHECK(strstr(tail_of(&env, &f, &key, &val), "\"ts_ms\":1700000000124}"));
	fix_fini(&f);
	cdc_buf_fini(&key);
	cdc_buf_fini(&val);
	cdc_env_fini(&env);
}

T_TEST(envelope_flat_json)
{
	struct cdc_env env = {.format = CDC_ENV_JSON, .with_schema = 0,
	    .name = "srv", .now_ms = 1};
	struct cdc_buf key = {0}, val = {0};
	struct ev_fix f;

	build(&f, "insert", 0);
	T_EQ_INT(render(&env, &f, &key, &val), 0);
	EQ_BUF(key, "{\"id\":7}");
	EQ_BUF(val, "{\"id\":7,\"title\":\"a\\\"b\",\"emb\":[0.5,-1.25],"
	    "\"attrs\":{\"x\":1},\"color\":\"red\",\"__op\":\"c\","
	    "\"__ts\":445644800000000005,\"__db\":\"default\","
	    "\"__collection\":\"c1\"}");
	fix_fini(&f);
	build(&f, "delete", 0);
	T_EQ_INT(render(&env, &f, &key, &val), 0);
	EQ_BUF(val, "{\"id\":7,\"__op\":\"d\",\"__ts\":445644800000000005,"
	    "\"__db\":\"default\",\"__collection\":\"c1\"}");
	fix_fini(&f);
	cdc_buf_fini(&key);
	cdc_buf_fini(&val);
	cdc_env_fini(&env);
}

#define KEY_SCHEMA(t) "{\"type\":\"struct\",\"fields\":[{\"type\":\"" t \
	"\",\"optional\":false,\"field\":\"id\"}],\"optional\":false," \
	"\"name\":\"srv.default.c1.Key\"}"
#define SOURCE_SCHEMA "{\"type\":\"struct\",\"fields\":[" \
	"{\"type\":\"string\",\"optional\":false,\"field\":\"version\"}," \
	"{\"type\":\"string\",\"optional\":false,\"field\":\"connector\"}," \
	"{\"type\":\"string\",\"optional\":false,\"field\":\"name\"}," \
	"{\"type\":\"int64\",\"optional\":false,\"field\":\"ts_ms\"}," \
	"{\"type\":\"string\",\"optional\":false,\"field\":\"db\"}," \
	"{\"type\":\"string\",\"optional\":false,\"field\":\"collection\"}," \
	"{\"type\":\"string\",\"optional\":true,\"field\":\"partition\"}," \
	"{\"type\":\"string\",\"optional\":true,\"field\":\"vchannel\"}," \
	"{\"type\":\"string\",\"optional\":true,\"field\":\"kafka_topic\"}," \
	"{\"type\":\"int32\",\"optional\":true,\"field\":\"kafka_partition\"}," \
	"{\"type\":\"int64\",\"optional\":true,\"field\":\"kafka_offset\"}," \
	"{\"type\":\"int64\",\"optional\":false,\"field\":\"tso\"}]," \
	"\"optional\":false,\"name\":\"io.debezium.connector.milvus.Source\"," \
	"\"field\":\"source\"}"
#define ENV_SCHEMA(fields) "{\"type\":\"struct\",\"fields\":[" \
	"{\"type\":\"struct\",\"fields\":[" fields "],\"optional\":true," \
	"\"name\":\"srv.default.c1.Value\",\"field\":\"before\"}," \
	"{\"type\":\"struct\",\"fields\":[" fields "],\"optional\":true," \
	"\"name\":\"srv.default.c1.Value\",\"field\":\"after\"}," \
	SOURCE_SCHEMA ",{\"type\":\"string\",\"optional\":false," \
	"\"field\":\"op\"},{\"type\":\"int64\",\"optional\":true," \
	"\"field\":\"ts_ms\"}],\"optional\":false," \
	"\"name\":\"srv.default.c1.Envelope\"}"
/* the dynamic field is not in the schema (cdc-write-kafka(1)) */
#define ROW_FIELDS "{\"type\":\"int64\",\"optional\":false,\"field\":\"id\"}," \
	"{\"type\":\"string\",\"optional\":true,\"field\":\"title\"}," \
	"{\"type\":\"array\",\"items\":{\"type\":\"float\",\"optional\":true}," \
	"\"optional\":true,\"field\":\"emb\"}," \
	"{\"type\":\"string\",\"name\":\"io.debezium.data.Json\"," \
	"\"optional\":true,\"field\":\"attrs\"}"

T_TEST(envelope_with_schema)
{
	struct cdc_env env = {.format = CDC_ENV_DEBEZIUM, .with_schema = 1,
	    .name = "srv", .now_ms = 1700000000123LL};
	struct cdc_buf key = {0}, val = {0};
	struct ev_fix f;

	build(&f, "insert", 0);
	T_EQ_INT(render(&env, &f, &key, &val), 0);
	EQ_BUF(key, "{\"schema\":" KEY_SCHEMA("int64") ",\"payload\":"
	    "{\"id\":7}}");
	EQ_BUF(val, "{\"schema\":" ENV_SCHEMA(ROW_FIELDS) ",\"payload\":"
	    "{\"before\":null,\"after\":{\"id\":7,\"title\":\"a\\\"b\","
	    "\"emb\":[0.5,-1.25],\"attrs\":\"{\\\"x\\\":1}\","
	    "\"color\":\"red\"}," SOURCE("")
	    ",\"op\":\"c\",\"ts_ms\":1700000000123}}");
	fix_fini(&f);
	build(&f, "delete", 0);
	T_EQ_INT(render(&env, &f, &key, &val), 0);
	EQ_BUF(key, "{\"schema\":" KEY_SCHEMA("int64") ",\"payload\":"
	    "{\"id\":7}}");
	EQ_BUF(val, "{\"schema\":" ENV_SCHEMA("{\"type\":\"int64\","
	    "\"optional\":false,\"field\":\"id\"}") ",\"payload\":"
	    "{\"before\":{\"id\":7},\"after\":null," SOURCE("")
	    ",\"op\":\"d\",\"ts_ms\":1700000000123}}");
	fix_fini(&f);
	cdc_buf_fini(&key);
	cdc_buf_fini(&val);
	cdc_env_fini(&env);
}

T_TEST(envelope_ddl)
{
	struct cdc_buf key = {0}, val = {0};
	struct ev_fix f;
	char err[128];

	build(&f, "drop_collection", 0);
	T_EQ_INT(cdc_env_ddl(&key, &val, &f.ev, err, sizeof err), 0);
	EQ_BUF(key, "{\"db\":\"default\",\"collection\":\"c1\"}");
	EQ_BUF(val, "{\"op\":\"drop_collection\",\"ts\":445644800000000005,"
	    "\"db\":\"default\",\"collection\":\"c1\",\"vchannel\":\"v0\","
	    "\"src\":{\"topic\":\"t0\",\"partition\":3,\"offset\":42}}");
	fix_fini(&f);
	cdc_buf_fini(&key);
	cdc_buf_fini(&val);
}

T_TEST(envelope_topic_templates)
{
	static const struct {
		const char *tmpl, *want;	/* want NULL: refused */
	} cases[] = {
		{"milvus.{db}.{collection}", "milvus.default.c_1_x"},
		{"{op}-{partition}", "insert-p__"},	/* é: 2 bytes, 2 '_' */
		{"all", "all"},
		{"{collection}{db}", "c_1_xdefault"},
		{"", NULL},
	};
	struct cdc_event ev;
	char out[256], err[256];

	memset(&ev, 0, sizeof ev);
	ev.db = (struct cdc_str){"default", 7};
	ev.collection = (struct cdc_str){"c 1/x", 5};
	ev.partition = (struct cdc_str){"p\xc3\xa9", 3};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int rc = cdc_env_topic(out, sizeof out, cases[i].tmpl, &ev,
		    "insert");

		if (!cases[i].want) {
			T_EQ_INT(rc, -1);
			continue;
		}
		T_EQ_INT(rc, 0);
		T_EQ_STR(out, cases[i].want);
	}
	T_EQ_INT(cdc_env_topic_check("milvus.{db}.{collection}", err,
	    sizeof err), 0);
	T_EQ_INT(cdc_env_topic_check("a.{op}-{partition}_x", err, sizeof err),
	    0);
	T_EQ_INT(cdc_env_topic_check("a.{dbb}", err, sizeof err), -1);
	T_EQ_INT(cdc_env_topic_check("a b", err, sizeof err), -1);
	T_EQ_INT(cdc_env_topic_check("a/{db}", err, sizeof err), -1);
	T_EQ_INT(cdc_env_topic_check("", err, sizeof err), -1);
}

T_TEST(envelope_topic_too_long)
{
	struct cdc_event ev;
	char out[512], name[300];

	memset(&ev, 0, sizeof ev);
	memset(name, 'x', sizeof name);
	ev.db = (struct cdc_str){name, 240};
	ev.collection = (struct cdc_str){name, 9};
	T_EQ_INT(cdc_env_topic(out, sizeof out, "{db}.{collection}", &ev, "c"),
	    -1);		/* 250 characters: Kafka allows 249 */
	ev.collection.n = 8;
	T_EQ_INT(cdc_env_topic(out, sizeof out, "{db}.{collection}", &ev, "c"),
	    0);
	T_EQ_INT(strlen(out), 249);
}

T_TEST(envelope_headers)
{
	static const char *const want[CDC_ENV_NHDR][2] = {
		{"cdc.op", "d"}, {"cdc.db", "default"},
		{"cdc.collection", "c1"}, {"cdc.ts", "445644800000000005"},
		{"cdc.source.topic", "t0"}, {"cdc.source.partition", "3"},
		{"cdc.source.offset", "42"},
	};
	struct cdc_env_hdr h[CDC_ENV_NHDR];
	struct cdc_env_hdrbuf buf;
	struct ev_fix f;

	build(&f, "delete", 0);
	cdc_env_headers(h, &buf, &f.ev, "d");
	for (int i = 0; i < CDC_ENV_NHDR; i++) {
		T_EQ_STR(h[i].name, want[i][0]);
		T_EQ_MEM(h[i].val.p, h[i].val.n, want[i][1],
		    strlen(want[i][1]));
	}
	fix_fini(&f);
}

/* --name goes into the Connect schema names with Avro-safe characters
 * only (it was copied as given: a quote broke the JSON); dots stay. */
T_TEST(envelope_schema_name_safe)
{
	struct cdc_env env = {.format = CDC_ENV_DEBEZIUM, .with_schema = 1,
	    .name = "srv\"1.eu-west", .now_ms = 1};
	struct cdc_buf key = {0}, val = {0};
	struct ev_fix f;

	build(&f, "insert", 0);
	T_EQ_INT(render(&env, &f, &key, &val), 0);
	cdc_buf_addc(&key, '\0');
	T_CHECK(strstr(key.p, "\"name\":\"srv_1.eu_west.default.c1.Key\"") !=
	    NULL);
	fix_fini(&f);
	cdc_buf_fini(&key);
	cdc_buf_fini(&val);
	cdc_env_fini(&env);
}
