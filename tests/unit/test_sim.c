/*
 * test_sim.c - build/milvus-sim's records (its --dump mode: the records it
 * would produce) decoded field by field with our .proto definitions: message
 * types, msg_type headers per Milvus version, ts order and TimeTick coverage
 * per channel, column row counts, the 2 MB split, and the values: the rows
 * decoded from the wire, with Milvus's delete rule applied, are exactly the
 * rows of its --expect file.  milvus-sim encodes protobuf by hand, so this is
 * an independent check of both.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "cdc_b64.h"
#include "common.pb-c.h"
#include "milvus.pb-c.h"
#include "msg.pb-c.h"
#include "schema.pb-c.h"
#include "t.h"

#define SIM_MAX_REC 4096

struct srec {
	char topic[96];
	char hdr[48];		/* msg_type header or "" */
	int nhdr;
	uint8_t *v;
	size_t n;
	int type;
	uint64_t ts;
	size_t seq;
};

struct run {
	char dir[64], dump[128], expect[128];
	struct srec *r;
	size_t n;
};

static void
rec_free(struct run *ru)
{
	for (size_t i = 0; i < ru->n; i++)
		free(ru->r[i].v);
	free(ru->r);
	ru->r = NULL;
	ru->n = 0;
	unlink(ru->dump);
	unlink(ru->expect);
	rmdir(ru->dir);
}

static void
rec_header(struct srec *r)
{
	Milvus__Common__MsgHeader *h =
	    milvus__common__msg_header__unpack(NULL, r->n, r->v);

	if (h && h->msg_base) {
		r->type = h->msg_base->msg_type;
		r->ts = h->msg_base->timestamp;
	}
	milvus__common__msg_header__free_unpacked(h, NULL);
}

static int
load_dump(struct run *ru)
{
	FILE *f = fopen(ru->dump, "r");
	char *line = NULL;
	size_t cap = 0;

	ru->r = calloc(SIM_MAX_REC, sizeof *ru->r);
	while (f && ru->n < SIM_MAX_REC && getline(&line, &cap, f) > 0) {
		json_t *j = json_loads(line, 0, NULL), *h;
		struct srec *r = &ru->r[ru->n];
		const char *b64 = json_string_value(json_object_get(j,
		    "value_b64"));

		h = json_object_get(j, "headers");
		snprintf(r->topic, sizeof r->topic, "%s",
		    json_string_value(json_object_get(j, "topic")));
		r->nhdr = (int)json_array_size(h);
		if (r->nhdr == 1 && strcmp(json_string_value(json_array_get(
		    json_array_get(h, 0), 0)), "msg_type") == 0)
			snprintf(r->hdr, sizeof r->hdr, "%s", json_string_value(
			    json_array_get(json_array_get(h, 0), 1)));
		T_EQ_INT(json_integer_value(json_object_get(j, "partition")), 0);
		r->v = malloc(strlen(b64) / 4 * 3 + 1);
		r->n = (size_t)cdc_b64_decode(b64, strlen(b64), r->v);
		r->seq = ru->n++;
		rec_header(r);
		json_decref(j);
	}
	free(line);
	if (f)
		fclose(f);
	return ru->n > 0 ? 0 : -1;
}

/* Run milvus-sim with --dump/--expect in a fresh directory, load records. */
static int
sim_run(struct run *ru, const char *args)
{
	char cmd[1024];

	memset(ru, 0, sizeof *ru);
	snprintf(ru->dir, sizeof ru->dir, "/tmp/test_sim.XXXXXX");
	if (!mkdtemp(ru->dir))
		return -1;
	snprintf(ru->dump, sizeof ru->dump, "%s/dump.jsonl", ru->dir);
	snprintf(ru->expect, sizeof ru->expect, "%s/expect.jsonl", ru->dir);
	snprintf(cmd, sizeof cmd, "%s --dump %s --expect %s %s",
	    t_path("build/milvus-sim"), ru->dump, ru->expect, args);
	if (system(cmd) != 0)
		return -1;
	return load_dump(ru);
}

static const char *
type_name(int mt)
{
	const ProtobufCEnumValue *ev = protobuf_c_enum_descriptor_get_value(
	    &milvus__common__msg_type__descriptor, mt);

	return ev ? ev->name : "?";
}

static int
is_rep(const struct srec *r)
{
	return strstr(r->topic, "replicate-msg") != NULL;
}

/* === column decoding: one cell as JSON, by the --expect mapping === */

static float
half(uint16_t h)
{
	int e = (h >> 10) & 0x1f, m = h & 0x3ff;
	float v = e ? ldexpf((float)(m | 0x400), e - 25) :
	    ldexpf((float)m, -24);

	return h & 0x8000 ? -v : v;
}

static json_t *
b64_json(const void *p, size_t n)
{
	char *b = malloc(cdc_b64_encoded_len(n) + 1);
	json_t *j;

	cdc_b64_encode(p, n, b);
	j = json_stringn(b, cdc_b64_encoded_len(n));
	free(b);
	return j;
}

/* µs since the epoch (all positive here) as ISO-8601 UTC text. */
static json_t *
iso(int64_t us)
{
	time_t sec = (time_t)(us / 1000000);
	struct tm tm;
	char b[40];

	gmtime_r(&sec, &tm);
	strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(b + strlen(b), sizeof b - strlen(b), ".%06dZ",
	    (int)(us % 1000000));
	return json_string(b);
}

static json_t *
scalar_cell(const Milvus__Schema__ScalarField *sf, size_t i)
{
	switch (sf->data_case) {
	case MILVUS__SCHEMA__SCALAR_FIELD__DATA_BOOL_DATA:
		return json_boolean(sf->bool_data->data[i]);
	case MILVUS__SCHEMA__SCALAR_FIELD__DATA_INT_DATA:
		return json_integer(sf->int_data->data[i]);
	case MILVUS__SCHEMA__SCALAR_FIELD__DATA_LONG_DATA:
		return json_integer(sf->long_data->data[i]);
	case MILVUS__SCHEMA__SCALAR_FIELD__DATA_FLOAT_DATA:
		return json_real(sf->float_data->data[i]);
	case MILVUS__SCHEMA__SCALAR_FIELD__DATA_DOUBLE_DATA:
		return json_real(sf->double_data->data[i]);
	case MILVUS__SCHEMA__SCALAR_FIELD__DATA_STRING_DATA:
		return json_string(sf->string_data->data[i]);
	case MILVUS__SCHEMA__SCALAR_FIELD__DATA_JSON_DATA:
		return json_loadb((const char *)sf->json_data->data[i].data,
		    sf->json_data->data[i].len, JSON_DECODE_ANY, NULL);
	case MILVUS__SCHEMA__SCALAR_FIELD__DATA_GEOMETRY_DATA:
		return b64_json(sf->geometry_data->data[i].data,
		    sf->geometry_data->data[i].len);
	case MILVUS__SCHEMA__SCALAR_FIELD__DATA_TIMESTAMPTZ_DATA:
		return iso(sf->timestamptz_data->data[i]);
	default:
		return NULL;
	}
}

/* Number of elements of an array row's ScalarField. */
static size_t
scalar_len(const Milvus__Schema__ScalarField *sf)
{
	switch (sf->data_case) {
	case MILVUS__SCHEMA__SCALAR_FIELD__DATA_BOOL_DATA:
		return sf->bool_data->n_data;
	case MILVUS__SCHEMA__SCALAR_FIELD__DATA_INT_DATA:
		return sf->int_data->n_data;
	case MILVUS__SCHEMA__SCALAR_FIELD__DATA_LONG_DATA:
		return sf->long_data->n_data;
	case MILVUS__SCHEMA__SCALAR_FIELD__DATA_FLOAT_DATA:
		return sf->float_data->n_data;
	case MILVUS__SCHEMA__SCALAR_FIELD__DATA_DOUBLE_DATA:
		return sf->double_data->n_data;
	case MILVUS__SCHEMA__SCALAR_FIELD__DATA_STRING_DATA:
		return sf->string_data->n_data;
	case MILVUS__SCHEMA__SCALAR_FIELD__DATA_JSON_DATA:
		return sf->json_data->n_data;
	case MILVUS__SCHEMA__SCALAR_FIELD__DATA_GEOMETRY_DATA:
		return sf->geometry_data->n_data;
	case MILVUS__SCHEMA__SCALAR_FIELD__DATA_TIMESTAMPTZ_DATA:
		return sf->timestamptz_data->n_data;
	case MILVUS__SCHEMA__SCALAR_FIELD__DATA_ARRAY_DATA:
		return sf->array_data->n_data;
	default:
		return 0;
	}
}

static json_t *
vector_cell(const Milvus__Schema__VectorField *vf, size_t i)
{
	size_t d = (size_t)vf->dim;
	json_t *a = json_array();
	const uint8_t *p;

	switch (vf->data_case) {
	case MILVUS__SCHEMA__VECTOR_FIELD__DATA_FLOAT_VECTOR:
		for (size_t k = 0; k < d; k++)
			json_array_append_new(a, json_real(
			    vf->float_vector->data[i * d + k]));
		return a;
	case MILVUS__SCHEMA__VECTOR_FIELD__DATA_FLOAT16_VECTOR:
	case MILVUS__SCHEMA__VECTOR_FIELD__DATA_BFLOAT16_VECTOR:
		p = vf->float16_vector.data + i * d * 2;	/* same layout */
		for (size_t k = 0; k < d; k++) {
			uint16_t h = (uint16_t)(p[2 * k] | p[2 * k + 1] << 8);
			uint32_t u = (uint32_t)h << 16;
			float x;

			memcpy(&x, &u, 4);
			json_array_append_new(a, json_real(vf->data_case ==
			    MILVUS__SCHEMA__VECTOR_FIELD__DATA_FLOAT16_VECTOR ?
			    half(h) : x));
		}
		return a;
	case MILVUS__SCHEMA__VECTOR_FIELD__DATA_INT8_VECTOR:
		for (size_t k = 0; k < d; k++)
			json_array_append_new(a, json_integer(
			    (int8_t)vf->int8_vector.data[i * d + k]));
		return a;
	case MILVUS__SCHEMA__VECTOR_FIELD__DATA_BINARY_VECTOR:
		json_decref(a);
		return b64_json(vf->binary_vector.data + i * d / 8, d / 8);
	case MILVUS__SCHEMA__VECTOR_FIELD__DATA_SPARSE_FLOAT_VECTOR:
		json_decref(a);
		a = json_object();
		p = vf->sparse_float_vector->contents[i].data;
		for (size_t k = 0; k + 8 <= vf->sparse_float_vector->
		    contents[i].len; k += 8) {
			uint32_t idx, fb;
			float x;
			char key[16];

			memcpy(&idx, p + k, 4);
			memcpy(&fb, p + k + 4, 4);
			memcpy(&x, &fb, 4);
			snprintf(key, sizeof key, "%u", idx);
			json_object_set_new(a, key, json_real(x));
		}
		return a;
	default:
		json_decref(a);
		return NULL;
	}
}

/* Rows in a column (vectors: payload size / row size). */
static size_t
col_rows(const Milvus__Schema__FieldData *fd)
{
	const Milvus__Schema__VectorField *vf = fd->vectors;

	if (fd->field_case == MILVUS__SCHEMA__FIELD_DATA__FIELD_SCALARS)
		return scalar_len(fd->scalars);
	switch (vf->data_case) {
	case MILVUS__SCHEMA__VECTOR_FIELD__DATA_FLOAT_VECTOR:
		return vf->float_vector->n_data / (size_t)vf->dim;
	case MILVUS__SCHEMA__VECTOR_FIELD__DATA_SPARSE_FLOAT_VECTOR:
		return vf->sparse_float_vector->n_contents;
	case MILVUS__SCHEMA__VECTOR_FIELD__DATA_BINARY_VECTOR:
		return vf->binary_vector.len * 8 / (size_t)vf->dim;
	case MILVUS__SCHEMA__VECTOR_FIELD__DATA_INT8_VECTOR:
		return vf->int8_vector.len / (size_t)vf->dim;
	default:	/* fp16 / bf16 */
		return vf->float16_vector.len / 2 / (size_t)vf->dim;
	}
}

static json_t *
cell(const Milvus__Schema__FieldData *fd, size_t i)
{
	const Milvus__Schema__ScalarField *sf = fd->scalars;
	json_t *a;

	if (fd->n_valid_data && !fd->valid_data[i])
		return json_null();
	if (fd->field_case == MILVUS__SCHEMA__FIELD_DATA__FIELD_VECTORS)
		return vector_cell(fd->vectors, i);
	if (sf->data_case != MILVUS__SCHEMA__SCALAR_FIELD__DATA_ARRAY_DATA)
		return scalar_cell(sf, i);
	a = json_array();
	for (size_t k = 0; k < scalar_len(sf->array_data->data[i]); k++)
		json_array_append_new(a, scalar_cell(sf->array_data->data[i],
		    k));
	return a;
}

/* JSON equality where a float32 matches its shortest decimal text. */
static int
jeq(json_t *a, json_t *b)
{
	const char *k;
	json_t *v;
	size_t i;

	if (json_is_number(a) && json_is_number(b)) {
		double x = json_number_value(a), y = json_number_value(b);

		if (json_is_integer(a) && json_is_integer(b))
			return json_integer_value(a) == json_integer_value(b);
		return x == y || (float)x == (float)y;
	}
	if (!a || !b || json_typeof(a) != json_typeof(b))
		return 0;
	if (json_is_array(a)) {
		if (json_array_size(a) != json_array_size(b))
			return 0;
		json_array_foreach(a, i, v)
			if (!jeq(v, json_array_get(b, i)))
				return 0;
		return 1;
	}
	if (json_is_object(a)) {
		if (json_object_size(a) != json_object_size(b))
			return 0;
		json_object_foreach(a, k, v)
			if (!jeq(v, json_object_get(b, k)))
				return 0;
		return 1;
	}
	return json_equal(a, b);
}

/* === wire checks === */

static void
check_insert(const struct srec *r, int version)
{
	Milvus__Msg__InsertRequest *m =
	    milvus__msg__insert_request__unpack(NULL, r->n, r->v);
	size_t tl = strlen(r->topic);

	T_CHECK(m != NULL);
	if (!m)
		return;
	T_EQ_UINT(m->n_timestamps, m->num_rows);
	T_EQ_UINT(m->n_rowids, m->num_rows);
	T_EQ_INT(m->version, 1);
	T_CHECK(m->num_rows > 0 && r->n <= 2097152);
	T_CHECK(strncmp(m->shardname, r->topic, tl) == 0 &&
	    m->shardname[tl] == '_');
	T_CHECK(version >= 25 ? *m->db_name != '\0' : *m->db_name == '\0');
	T_CHECK(*m->collection_name && *m->partition_name && m->segmentid);
	for (size_t i = 0; i < m->n_timestamps; i++)
		T_EQ_UINT(m->timestamps[i], r->ts);
	for (size_t k = 0; k < m->n_fields_data; k++) {
		const Milvus__Schema__FieldData *fd = m->fields_data[k];

		T_EQ_UINT(col_rows(fd), m->num_rows);
		T_CHECK(fd->n_valid_data == 0 ||
		    fd->n_valid_data == m->num_rows);
		T_CHECK(fd->field_id >= 100);
	}
	milvus__msg__insert_request__free_unpacked(m, NULL);
}

static void
check_delete(const struct srec *r, int version)
{
	Milvus__Msg__DeleteRequest *m =
	    milvus__msg__delete_request__unpack(NULL, r->n, r->v);
	size_t n;

	T_CHECK(m != NULL && m->primary_keys != NULL);
	if (!m || !m->primary_keys)
		goto out;
	n = m->primary_keys->id_field_case ==
	    MILVUS__SCHEMA__IDS__ID_FIELD_INT_ID ?
	    m->primary_keys->int_id->n_data : m->primary_keys->str_id->n_data;
	T_EQ_UINT(n, (uint64_t)m->num_rows);
	T_EQ_UINT(m->n_timestamps, n);
	T_EQ_INT(m->partitionid, -1);
	T_CHECK(version >= 25 ? *m->db_name != '\0' : *m->db_name == '\0');
out:
	milvus__msg__delete_request__free_unpacked(m, NULL);
}

static void
check_create(const struct srec *r, json_t *names)
{
	Milvus__Msg__CreateCollectionRequest *m =
	    milvus__msg__create_collection_request__unpack(NULL, r->n, r->v);
	Milvus__Schema__CollectionSchema *s = m ?
	    milvus__schema__collection_schema__unpack(NULL, m->schema.len,
	    m->schema.data) : NULL;
	int here = 0, sys = 0;
	char id[32];
	json_t *o;

	T_CHECK(m && s);
	if (!m || !s)
		goto out;
	T_EQ_UINT(m->n_virtualchannelnames, m->n_physicalchannelnames);
	for (size_t i = 0; i < m->n_physicalchannelnames; i++)
		here |= strcmp(m->physicalchannelnames[i], r->topic) == 0;
	T_CHECK(here);
	o = json_pack("{ss}", "name", s->name);
	for (size_t i = 0; i < s->n_fields; i++) {
		sys += s->fields[i]->fieldid < 100;
		if (s->fields[i]->is_primary_key)
			json_object_set_new(o, "pk",
			    json_string(s->fields[i]->name));
	}
	T_EQ_INT(sys, 2);	/* RowID and Timestamp */
	snprintf(id, sizeof id, "%lld", (long long)m->collectionid);
	json_object_set_new(names, id, o);
out:
	milvus__schema__collection_schema__free_unpacked(s, NULL);
	milvus__msg__create_collection_request__free_unpacked(m, NULL);
}

/*
 * Every record: type, header per version, ts order per topic; returns the
 * number of DML topics whose last DML record is not covered by a tick.
 */
static int
check_wire(struct run *ru, int version, json_t *names)
{
	json_t *last = json_object(), *tick = json_object(),
	    *dml = json_object();
	const char *k;
	json_t *v;
	int uncovered = 0;

	for (size_t i = 0; i < ru->n; i++) {
		struct srec *r = &ru->r[i];
		int t = r->type, want = version >= 24 && (t == 400 ||
		    t == 401 || is_rep(r));
		uint64_t prev = (uint64_t)json_integer_value(
		    json_object_get(last, r->topic));

		T_CHECK(t != 0 && strcmp(type_name(t), "?") != 0);
		if (want)
			T_EQ_STR(r->hdr, type_name(t));
		else
			T_EQ_INT(r->nhdr, 0);
		T_CHECK(r->ts >= prev);
		json_object_set_new(last, r->topic, json_integer(
		    (json_int_t)r->ts));
		if (t == 1200) {
			T_CHECK(!is_rep(r) && r->ts > (uint64_t)
			    json_integer_value(json_object_get(tick,
			    r->topic)));
			json_object_set_new(tick, r->topic, json_integer(
			    (json_int_t)r->ts));
		} else if (!is_rep(r)) {
			json_object_set_new(dml, r->topic, json_integer(
			    (json_int_t)r->ts));
		}
		if (t == 400)
			check_insert(r, version);
		else if (t == 401)
			check_delete(r, version);
		else if (t == 100)
			check_create(r, names);
	}
	json_object_foreach(dml, k, v)
		uncovered += json_integer_value(json_object_get(tick, k)) <
		    json_integer_value(v);
	json_decref(last);
	json_decref(tick);
	json_decref(dml);
	return uncovered;
}

/* === the final state from the wire, with Milvus's delete rule === */

static int
by_ts(const void *a, const void *b)
{
	const struct srec *x = a, *y = b;
	int px = x->type != 401, py = y->type != 401;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	if (px != py)
		return px - py;		/* delete first at equal ts */
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static char *
row_key(long long coll, json_t *pk)
{
	char *t = json_dumps(pk, JSON_ENCODE_ANY), *k;
	size_t n = strlen(t) + 32;

	k = malloc(n);
	snprintf(k, n, "%lld/%s", coll, t);
	free(t);
	return k;
}

static void
apply_insert(const struct srec *r, json_t *names, json_t *state)
{
	Milvus__Msg__InsertRequest *m =
	    milvus__msg__insert_request__unpack(NULL, r->n, r->v);
	char id[32];
	const char *pk;

	snprintf(id, sizeof id, "%lld", (long long)m->collectionid);
	pk = json_string_value(json_object_get(json_object_get(names, id),
	    "pk"));
	for (size_t i = 0; pk && i < m->num_rows; i++) {
		json_t *row = json_object();
		char *key;

		for (size_t c = 0; c < m->n_fields_data; c++) {
			json_t *v = cell(m->fields_data[c], i);

			if (m->fields_data[c]->is_dynamic) {
				json_object_update(row, v);
				json_decref(v);
			} else {
				json_object_set_new(row,
				    m->fields_data[c]->field_name, v);
			}
		}
		key = row_key(m->collectionid, json_object_get(row, pk));
		json_object_set_new(state, key, json_pack("{sI sI so}", "ts",
		    (json_int_t)r->ts, "part", (json_int_t)m->partitionid,
		    "row", row));
		free(key);
	}
	milvus__msg__insert_request__free_unpacked(m, NULL);
}

static void
apply_delete(const struct srec *r, json_t *state)
{
	Milvus__Msg__DeleteRequest *m =
	    milvus__msg__delete_request__unpack(NULL, r->n, r->v);
	const Milvus__Schema__IDs *ids = m->primary_keys;
	int str = ids->id_field_case == MILVUS__SCHEMA__IDS__ID_FIELD_STR_ID;
	size_t n = str ? ids->str_id->n_data : ids->int_id->n_data;

	for (size_t i = 0; i < n; i++) {
		json_t *pk = str ? json_string(ids->str_id->data[i]) :
		    json_integer(ids->int_id->data[i]);
		char *key = row_key(m->collectionid, pk);
		json_t *e = json_object_get(state, key);

		if (e && (uint64_t)json_integer_value(json_object_get(e,
		    "ts")) < m->timestamps[i])
			json_object_del(state, key);
		free(key);
		json_decref(pk);
	}
	milvus__msg__delete_request__free_unpacked(m, NULL);
}

/* Drop rows of collection coll (and of partition part when part != 0). */
static void
apply_drop(json_t *state, long long coll, long long part)
{
	char pre[32];
	const char *k;
	json_t *v, *tmp;

	snprintf(pre, sizeof pre, "%lld/", coll);
	json_object_foreach_safe(state, tmp, k, v)
		if (strncmp(k, pre, strlen(pre)) == 0 && (!part ||
		    json_integer_value(json_object_get(v, "part")) == part))
			json_object_del(state, k);
}

static json_t *
wire_state(struct run *ru, json_t *names)
{
	struct srec *s = malloc(ru->n * sizeof *s);
	json_t *state = json_object();

	memcpy(s, ru->r, ru->n * sizeof *s);
	qsort(s, ru->n, sizeof *s, by_ts);
	for (size_t i = 0; i < ru->n; i++) {
		Milvus__Msg__DropPartitionRequest *dp;
		Milvus__Msg__DropCollectionRequest *dc;

		if (is_rep(&s[i]) || s[i].type == 1200)
			continue;
		if (s[i].type == 400)
			apply_insert(&s[i], names, state);
		else if (s[i].type == 401)
			apply_delete(&s[i], state);
		else if (s[i].type == 101 && (dc =
		    milvus__msg__drop_collection_request__unpack(NULL,
		    s[i].n, s[i].v))) {
			apply_drop(state, (long long)dc->collectionid, 0);
			milvus__msg__drop_collection_request__free_unpacked(dc,
			    NULL);
		} else if (s[i].type == 201 && (dp =
		    milvus__msg__drop_partition_request__unpack(NULL,
		    s[i].n, s[i].v))) {
			apply_drop(state, (long long)dp->collectionid,
			    (long long)dp->partitionid);
			milvus__msg__drop_partition_request__free_unpacked(dp,
			    NULL);
		}
	}
	free(s);
	return state;
}

/* The --expect file equals the wire state, row by row; returns rows. */
static size_t
check_expect(struct run *ru, json_t *names, const char *want_db)
{
	json_t *state = wire_state(ru, names), *v;
	FILE *f = fopen(ru->expect, "r");
	char *line = NULL, *key;
	size_t cap = 0, n = 0, bad = 0;
	const char *id;
	long long coll;

	while (f && getline(&line, &cap, f) > 0) {
		json_t *j = json_loads(line, 0, NULL), *e;

		T_CHECK(j != NULL);	/* e.g. a float printed wrong */
		if (!j) {
			bad++;
			continue;
		}
		coll = 0;
		json_object_foreach(names, id, v)
			if (json_equal(json_object_get(v, "name"),
			    json_object_get(j, "collection")))
				coll = atoll(id);
		key = row_key(coll, json_object_get(j, "pk"));
		e = json_object_get(state, key);
		if (!e || !jeq(json_object_get(e, "row"),
		    json_object_get(j, "row"))) {
			if (bad++ == 0)
				fprintf(stderr, "# first mismatch: %s# wire: "
				    "%s\n", line, e ? json_dumps(json_object_get(
				    e, "row"), JSON_COMPACT) : "(absent)");
		}
		if (want_db)
			T_EQ_STR(json_string_value(json_object_get(j, "db")),
			    want_db);
		n++;
		free(key);
		json_decref(j);
	}
	T_EQ_UINT(bad, 0);
	T_EQ_UINT(n, json_object_size(state));
	free(line);
	if (f)
		fclose(f);
	json_decref(state);
	return n;
}

/* === the tests === */

static void
version_case(const char *args, int version, const char *want_db,
    int compare)
{
	struct run ru;
	json_t *names = json_object();

	T_CHECK(sim_run(&ru, args) == 0);
	T_EQ_INT(check_wire(&ru, version, names), 0);
	if (compare)
		T_CHECK(check_expect(&ru, names, want_db) > 0);
	json_decref(names);
	rec_free(&ru);
}

T_TEST(sim_wire_2_3)
{
	version_case("--milvus-version 2.3 --workload multi --rows 60 "
	    "--batch 20", 23, "default", 1);
}

T_TEST(sim_wire_2_4)
{
	version_case("--milvus-version 2.4 --workload basic --rows 200 "
	    "--shards 3 --collections 2", 24, "default", 1);
	version_case("--milvus-version 2.4 --workload alltypes --rows 50",
	    24, NULL, 1);
}

T_TEST(sim_wire_2_5)
{
	version_case("--milvus-version 2.5 --workload alltypes --rows 80 "
	    "--batch 30 --seed 3", 25, "default", 1);
	/* the rename makes names differ from CreateCollection's: wire only */
	version_case("--milvus-version 2.5 --workload multi --rows 60", 25,
	    NULL, 0);
}

T_TEST(sim_split_2mb)
{
	struct run ru;
	json_t *names = json_object();
	size_t ins = 0, big = 0;
	uint64_t rows = 0;

	T_CHECK(sim_run(&ru, "--workload bench --rows 3000 --batch 3000 "
	    "--channels 2 --max-message 65536") == 0);
	T_EQ_INT(check_wire(&ru, 25, names), 0);
	for (size_t i = 0; i < ru.n; i++) {
		Milvus__Msg__InsertRequest *m;

		if (ru.r[i].type != 400)
			continue;
		ins++;
		big += ru.r[i].n > 65536;
		m = milvus__msg__insert_request__unpack(NULL, ru.r[i].n,
		    ru.r[i].v);
		rows += m ? m->num_rows : 0;
		milvus__msg__insert_request__free_unpacked(m, NULL);
	}
	T_EQ_UINT(big, 0);
	T_CHECK(ins > 20);	/* 3000 x 512+ bytes in 64 KiB pieces */
	T_CHECK(rows > 3000);	/* plus the upserts' rows */
	T_CHECK(check_expect(&ru, names, "default") > 2000);
	json_decref(names);
	rec_free(&ru);
}

T_TEST(sim_tick_gap)
{
	struct run ru;
	json_t *names = json_object();

	/* the check must be able to fail: no final tick, rare ticks */
	T_CHECK(sim_run(&ru, "--no-final-tick --tick-every 1000 --rows 50")
	    == 0);
	T_CHECK(check_wire(&ru, 25, names) > 0);
	json_decref(names);
	rec_free(&ru);
}

T_TEST(sim_deterministic)
{
	struct run a, b, c;
	int same = 1, differ = 0;

	T_CHECK(sim_run(&a, "--workload alltypes --seed 11 --rows 40") == 0);
	T_CHECK(sim_run(&b, "--workload alltypes --seed 11 --rows 40") == 0);
	T_CHECK(sim_run(&c, "--workload alltypes --seed 12 --rows 40") == 0);
	T_EQ_UINT(a.n, b.n);
	for (size_t i = 0; i < a.n && i < b.n; i++)
		same &= a.r[i].n == b.r[i].n &&
		    memcmp(a.r[i].v, b.r[i].v, a.r[i].n) == 0;
	for (size_t i = 0; i < a.n && i < c.n; i++)
		differ |= a.r[i].n != c.r[i].n ||
		    memcmp(a.r[i].v, c.r[i].v, a.r[i].n) != 0;
	T_CHECK(same);
	T_CHECK(differ);
	rec_free(&a);
	rec_free(&b);
	rec_free(&c);
}
