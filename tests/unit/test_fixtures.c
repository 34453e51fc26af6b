/*
 * test_fixtures.c - the public fixtures (records encoded by Google's protobuf
 * encoder from Milvus's own .proto files) decode with our .proto files and
 * decoder into exactly the events of expected.jsonl, in that order.  The
 * order here is the reader's rule: Milvus ts, delete before insert, then
 * topic and offset; broadcast copies once; ticks never emitted.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cdc_b64.h"
#include "cdc_milvus.h"
#include "t.h"

#define MAXREC 64

struct rec {
	char topic[64];
	char *value;
	size_t len;
	struct cdc_kafka_header hdr[4];
	char hk[4][32], hv[4][64];
	size_t nhdr;
	struct cdc_msg m;
};

static size_t
load(struct rec *r, size_t max)
{
	FILE *f = fopen(t_path("../shared/fixtures/milvus-2.5/records.jsonl"),
	    "r");
	char line[65536];
	size_t n = 0, off[64] = {0};

	if (!f)
		f = fopen("/work/shared/fixtures/milvus-2.5/records.jsonl", "r");
	while (f && n < max && fgets(line, sizeof line, f)) {
		json_t *j = json_loads(line, 0, NULL), *h;
		const char *b64 = json_string_value(json_object_get(j,
		    "value_b64"));
		size_t i;

		snprintf(r[n].topic, sizeof r[n].topic, "%s",
		    json_string_value(json_object_get(j, "topic")));
		r[n].value = malloc(strlen(b64));
		r[n].len = (size_t)cdc_b64_decode(b64, strlen(b64), r[n].value);
		json_array_foreach(json_object_get(j, "headers"), i, h) {
			snprintf(r[n].hk[i], 32, "%s",
			    json_string_value(json_array_get(h, 0)));
			snprintf(r[n].hv[i], 64, "%s",
			    json_string_value(json_array_get(h, 1)));
			r[n].hdr[i] = (struct cdc_kafka_header){r[n].hk[i],
			    r[n].hv[i], strlen(r[n].hv[i])};
			r[n].nhdr++;
		}
		(void)off;
		json_decref(j);
		n++;
	}
	if (f)
		fclose(f);
	return n;
}

static int
topic_offset(struct rec *r, size_t i)
{
	int off = 0;

	for (size_t k = 0; k < i; k++)
		off += strcmp(r[k].topic, r[i].topic) == 0;
	return off;
}

static int
order(const void *a, const void *b)
{
	const struct cdc_msg *x = *(struct cdc_msg *const *)a;
	const struct cdc_msg *y = *(struct cdc_msg *const *)b;
	int c;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	if (x->prio != y->prio)
		return x->prio < y->prio ? -1 : 1;
	if ((c = strcmp(x->topic, y->topic)) != 0)
		return c;
	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/* === msgpack event -> neutral JSON (the form of expected.jsonl) === */

static json_t *
str_json(const msgpack_object *o)
{
	return json_stringn(o->via.str.ptr, o->via.str.size);
}

static float
half_to_float(uint16_t h)
{
	int e = (h >> 10) & 31, m = h & 1023;
	float v = e == 0 ? ldexpf((float)m, -24) :
	    e == 31 ? INFINITY : ldexpf((float)(m | 1024), e - 25);

	return h & 0x8000 ? -v : v;
}

static float
bf16_to_float(uint16_t b)
{
	uint32_t u = (uint32_t)b << 16;
	float f;

	memcpy(&f, &u, 4);
	return f;
}

static json_t *
scalar_json(const msgpack_object *o)
{
	switch (o->type) {
	case MSGPACK_OBJECT_NIL: return json_null();
	case MSGPACK_OBJECT_BOOLEAN: return json_boolean(o->via.boolean);
	case MSGPACK_OBJECT_POSITIVE_INTEGER:
		return json_integer((json_int_t)o->via.u64);
	case MSGPACK_OBJECT_NEGATIVE_INTEGER: return json_integer(o->via.i64);
	case MSGPACK_OBJECT_FLOAT32:
	case MSGPACK_OBJECT_FLOAT64: return json_real(o->via.f64);
	case MSGPACK_OBJECT_STR: return str_json(o);
	case MSGPACK_OBJECT_ARRAY: {
		json_t *a = json_array();

		for (uint32_t i = 0; i < o->via.array.size; i++)
			json_array_append_new(a, scalar_json(&o->via.array.ptr[i]));
		return a;
	}
	default: return json_string("?");
	}
}

static json_t *
vector_row(const char *type, const msgpack_object *data, int64_t dim,
    size_t row)
{
	const unsigned char *p = (const unsigned char *)data->via.bin.ptr;
	json_t *a = json_array();

	if (strcmp(type, "BinaryVector") == 0) {
		char hex[256] = "";

		for (int64_t i = 0; i < dim / 8; i++)
			sprintf(hex + 2 * i, "%02x", p[row * (size_t)dim / 8 +
			    (size_t)i]);
		json_decref(a);
		return json_string(hex);
	}
	for (int64_t i = 0; i < dim; i++) {
		size_t k = row * (size_t)dim + (size_t)i;
		float f;

		if (strcmp(type, "FloatVector") == 0)
			memcpy(&f, p + 4 * k, 4);
		else if (strcmp(type, "Float16Vector") == 0)
			f = half_to_float((uint16_t)(p[2 * k] | p[2 * k + 1] << 8));
		else
			f = bf16_to_float((uint16_t)(p[2 * k] | p[2 * k + 1] << 8));
		json_array_append_new(a, json_real(f));
	}
	return a;
}

static json_t *
sparse_row(const msgpack_object *bin)
{
	json_t *o = json_object();
	char key[16];

	for (uint32_t i = 0; i + 8 <= bin->via.bin.size; i += 8) {
		uint32_t idx;
		float v;

		memcpy(&idx, bin->via.bin.ptr + i, 4);
		memcpy(&v, bin->via.bin.ptr + i + 4, 4);
		snprintf(key, sizeof key, "%u", idx);
		json_object_set_new(o, key, json_real(v));
	}
	return o;
}

static json_t *
cell(const msgpack_object *col, size_t row)
{
	const msgpack_object *data = cdc_map_get(col, "data");
	const msgpack_object *valid = cdc_map_get(col, "valid");
	const char *type;
	size_t tn;
	int64_t dim = 0;
	char t[32];

	cdc_map_str(col, "type", &type, &tn);
	snprintf(t, sizeof t, "%.*s", (int)tn, type);
	cdc_map_i64(col, "dim", &dim);
	if (valid && !valid->via.array.ptr[row].via.boolean)
		return json_null();
	if (strcmp(t, "SparseFloatVector") == 0)
		return sparse_row(&data->via.array.ptr[row]);
	if (data->type == MSGPACK_OBJECT_BIN)
		return vector_row(t, data, dim, row);
	return scalar_json(&data->via.array.ptr[row]);
}

static json_t *
rows_json(const msgpack_object *ev)
{
	const msgpack_object *cols = cdc_map_get(ev, "columns");
	uint64_t n = 0;
	json_t *rows = json_array();

	cdc_map_u64(ev, "rows", &n);
	for (size_t r = 0; r < n; r++) {
		json_t *row = json_object();

		for (uint32_t c = 0; c < cols->via.array.size; c++) {
			const msgpack_object *col = &cols->via.array.ptr[c];
			const char *name;
			size_t nn;
			char key[64];

			cdc_map_str(col, "name", &name, &nn);
			snprintf(key, sizeof key, "%.*s", (int)nn, name);
			json_object_set_new(row, strcmp(key, "$meta") == 0 ?
			    "meta" : key, cell(col, r));
		}
		json_array_append_new(rows, row);
	}
	return rows;
}

/* Is JSON value got equal to want, floats compared as float32? */
static int
same(json_t *got, json_t *want)
{
	size_t i;
	const char *k;
	json_t *v;

	if (json_is_number(want) && json_is_number(got))
		return (float)json_number_value(got) ==
		    (float)json_number_value(want);
	if (json_is_array(want) && json_is_array(got)) {
		if (json_array_size(want) != json_array_size(got))
			return 0;
		json_array_foreach(want, i, v)
			if (!same(json_array_get(got, i), v))
				return 0;
		return 1;
	}
	if (json_is_object(want) && json_is_object(got)) {
		if (json_object_size(want) != json_object_size(got))
			return 0;
		json_object_foreach(want, k, v)
			if (!same(json_object_get(got, k), v))
				return 0;
		return 1;
	}
	return json_equal(got, want);
}

static void
check_event(const msgpack_object *ev, json_t *want, size_t lineno)
{
	const char *k;
	json_t *v, *pks;
	const char *type, *p;
	size_t tn, n;
	uint64_t ts = 0;

	cdc_map_str(ev, "type", &type, &tn);
	T_EQ_MEM(type, tn, json_string_value(json_object_get(want, "op")),
	    strlen(json_string_value(json_object_get(want, "op"))));
	cdc_map_u64(ev, "ts", &ts);
	T_EQ_UINT(ts, json_integer_value(json_object_get(want, "ts")));
	json_object_foreach(want, k, v) {
		json_t *got = NULL;

		if (!strcmp(k, "op") || !strcmp(k, "ts") || !strcmp(k, "note"))
			continue;
		if (!strcmp(k, "rows")) {
			got = rows_json(ev);
		} else if (!strcmp(k, "pks")) {
			const msgpack_object *keys = cdc_map_get(ev, "keys");

			if (keys) {
				got = scalar_json(keys);
			} else {	/* an insert: its pk column */
				json_t *rows = rows_json(ev), *r;
				size_t i;

				got = json_array();
				json_array_foreach(rows, i, r)
					json_array_append(got,
					    json_object_get(r, "id"));
				json_decref(rows);
			}
		} else if (!strcmp(k, "fields")) {
			got = json_integer(cdc_map_get(cdc_map_get(ev,
			    "schema"), "fields")->via.array.size);
		} else if (!strcmp(k, "pk") && cdc_map_get(ev, "schema")) {
			const msgpack_object *fs = cdc_map_get(cdc_map_get(ev,
			    "schema"), "fields");

			for (uint32_t i = 0; i < fs->via.array.size; i++)
				if (cdc_map_get(&fs->via.array.ptr[i],
				    "primary_key")->via.boolean) {
					cdc_map_str(&fs->via.array.ptr[i],
					    "name", &p, &n);
					got = json_stringn(p, n);
				}
		} else if (!strcmp(k, "index")) {
			cdc_map_str(ev, "index_name", &p, &n);
			got = json_stringn(p, n);
		} else if (cdc_map_get(ev, k)) {
			got = scalar_json(cdc_map_get(ev, k));
		}
		if (!got || !same(got, v)) {
			char *g = got ? json_dumps(got, JSON_COMPACT) : NULL;
			char *w = json_dumps(v, JSON_COMPACT);

			t_fail(__FILE__, __LINE__, "expected line %zu: %s = %s, "
			    "want %s", lineno, k, g ? g : "(absent)", w);
			free(g);
			free(w);
		}
		json_decref(got);
	}
	(void)pks;
}

T_TEST(fixtures_decode_to_expected)
{
	static struct rec r[MAXREC];
	struct cdc_msg *ev[MAXREC];
	struct cdc_schemas *reg = cdc_schemas_new();
	size_t n = load(r, MAXREC), nev = 0, ticks = 0, lineno = 0;
	char err[512], line[65536];
	FILE *f = fopen(t_path("../shared/fixtures/milvus-2.5/expected.jsonl"),
	    "r");

	if (!f)
		f = fopen("/work/shared/fixtures/milvus-2.5/expected.jsonl", "r");
	T_EQ_UINT(n, 19);
	for (size_t i = 0; i < n; i++) {
		struct cdc_record rec = {r[i].topic, 0, topic_offset(r, i),
		    r[i].value, r[i].len, r[i].hdr, r[i].nhdr};

		if (cdc_milvus_decode(&rec, &r[i].m, err, sizeof err) < 0) {
			t_fail(__FILE__, __LINE__, "record %zu: %s", i, err);
			continue;
		}
		ticks += r[i].m.kind == CDC_MSG_TICK;
		if (r[i].m.kind == CDC_MSG_EVENT)
			ev[nev++] = &r[i].m;
	}
	T_EQ_UINT(ticks, 7);
	qsort(ev, nev, sizeof ev[0], order);
	for (size_t i = 0; i < nev && f && fgets(line, sizeof line, f); i++) {
		msgpack_sbuffer sb;
		msgpack_packer pk;
		msgpack_zone zone;
		msgpack_object o;
		size_t off = 0;
		json_t *want = json_loads(line, 0, NULL);

		lineno++;
		msgpack_sbuffer_init(&sb);
		msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
		T_EQ_INT(cdc_milvus_pack(ev[i], reg, &pk, err, sizeof err), 0);
		T_EQ_INT(cdc_milvus_learn(ev[i], reg, err, sizeof err), 0);
		msgpack_zone_init(&zone, 4096);
		msgpack_unpack(sb.data, sb.size, &off, &zone, &o);
		check_event(&o, want, lineno);
		json_decref(want);
		msgpack_zone_destroy(&zone);
		msgpack_sbuffer_destroy(&sb);
	}
	T_EQ_UINT(lineno, 12);
	T_EQ_UINT(nev, 12);
	for (size_t i = 0; i < n; i++) {
		cdc_msg_fini(&r[i].m);
		free(r[i].value);
	}
	cdc_schemas_free(reg);
	if (f)
		fclose(f);
}

/* Every prefix and 3000 random byte flips of every fixture record decode to
 * a message or a clean error, never a crash (run under `make asan` too). */
T_TEST(fixtures_malformed_never_crash)
{
	static struct rec r[MAXREC];
	size_t n = load(r, MAXREC), errors = 0;
	unsigned seed = 12345;
	char err[512];

	for (size_t i = 0; i < n; i++) {
		char *buf = malloc(r[i].len + 1);

		for (size_t cut = 0; cut < r[i].len; cut++) {
			struct cdc_record rec = {r[i].topic, 0, 0, r[i].value,
			    cut, r[i].hdr, r[i].nhdr};
			struct cdc_msg m;

			if (cdc_milvus_decode(&rec, &m, err, sizeof err) < 0)
				errors++;
			else
				cdc_msg_fini(&m);
		}
		for (int k = 0; k < 3000 / (int)n; k++) {
			struct cdc_record rec = {r[i].topic, 0, 0, buf,
			    r[i].len, r[i].hdr, r[i].nhdr};
			struct cdc_msg m;

			memcpy(buf, r[i].value, r[i].len);
			seed = seed * 1103515245 + 12345;
			buf[(seed >> 8) % r[i].len] ^= (char)(1 + (seed >> 20) % 255);
			if (cdc_milvus_decode(&rec, &m, err, sizeof err) == 0)
				cdc_msg_fini(&m);
		}
		free(buf);
		free(r[i].value);
	}
	T_CHECK(errors > 0);
}

T_TEST(fixtures_malformed_messages)
{
	static const struct {
		const char *hdr, *val;
		size_t len;
		const char *want;
	} cases[] = {
		{"Insert", "\x0a\x02\x08", 3, "cannot decode InsertRequest: "
		    "msg_base: truncated field at byte 1"},
		{"Bogus", "\x0a\x03\x08\xe8\x07", 5, "unsupported message type "
		    "1000 (unknown)"},
		{NULL, "\x0a\x03\x08\x90\x03\x70\x02", 7, "cannot decode "
		    "InsertRequest: no columns for 2 rows"},
		{NULL, "", 0, "not a Milvus message (no MsgBase)"},
		{NULL, "\x0a\x03\x08\xf4\x03", 5, "unsupported message type "
		    "500 (Search)"},
	};
	char err[512];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct cdc_kafka_header h = {"msg_type", cases[i].hdr,
		    cases[i].hdr ? strlen(cases[i].hdr) : 0};
		struct cdc_record rec = {"t", 0, 0, cases[i].val, cases[i].len,
		    &h, cases[i].hdr ? 1 : 0};
		struct cdc_msg m;

		err[0] = '\0';
		T_EQ_INT(cdc_milvus_decode(&rec, &m, err, sizeof err), -1);
		if (strncmp(err, cases[i].want, strlen(cases[i].want)) != 0)
			t_fail(__FILE__, __LINE__, "case %zu: \"%s\", want "
			    "\"%s...\"", i, err, cases[i].want);
	}
}
