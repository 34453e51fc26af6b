/*
 * test_proto.c - our own .proto files against the public fixtures: every
 * record of records.jsonl (encoded by Google's encoder from Milvus's .proto
 * files) unpacks with the protobuf-c code generated from common/proto/, and
 * the fields hold what the fixtures' README and expected.jsonl say.  This
 * goes straight through the generated code, not through the decoder.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cdc_b64.h"
#include "common.pb-c.h"
#include "milvus.pb-c.h"
#include "msg.pb-c.h"
#include "schema.pb-c.h"
#include "t.h"

#define NREC 19
#define PRODUCTS_ID 455000000000000001LL
#define NOTES_ID 455000000000000050LL

struct prec {
	char topic[64];
	char msg_type[32];	/* the msg_type header, "" if absent */
	size_t nhdr;
	uint8_t *v;
	size_t len;
};

static struct prec recs[NREC + 1];
static size_t nrecs;

static FILE *
open_fixture(const char *name)
{
	char rel[128], abs[128];
	FILE *f;

	snprintf(rel, sizeof rel, "../shared/fixtures/milvus-2.5/%s", name);
	snprintf(abs, sizeof abs, "/work/shared/fixtures/milvus-2.5/%s", name);
	f = fopen(t_path(rel), "r");
	return f ? f : fopen(abs, "r");
}

static void
load_one(struct prec *r, json_t *o)
{
	const char *b64 = json_string_value(json_object_get(o, "value_b64"));
	json_t *h = json_object_get(o, "headers"), *kv;
	size_t i;

	snprintf(r->topic, sizeof r->topic, "%s",
	    json_string_value(json_object_get(o, "topic")));
	r->nhdr = json_array_size(h);
	json_array_foreach(h, i, kv) {
		if (strcmp(json_string_value(json_array_get(kv, 0)),
		    "msg_type") == 0)
			snprintf(r->msg_type, sizeof r->msg_type, "%s",
			    json_string_value(json_array_get(kv, 1)));
	}
	r->v = malloc(strlen(b64) / 4 * 3 + 1);
	r->len = (size_t)cdc_b64_decode(b64, strlen(b64), r->v);
}

/* Load records.jsonl once; returns the number of records. */
static size_t
load(void)
{
	char line[8192];
	FILE *f;

	if (nrecs)
		return nrecs;
	f = open_fixture("records.jsonl");
	T_CHECK(f != NULL);
	if (!f)
		return 0;
	while (nrecs <= NREC && fgets(line, sizeof line, f)) {
		json_t *o = json_loads(line, 0, NULL);

		T_CHECK(o != NULL);
		if (!o)
			continue;
		load_one(&recs[nrecs++], o);
		json_decref(o);
	}
	fclose(f);
	return nrecs;
}

/* What the README says is in the fixture, in produce order. */
static const int want_types[NREC] = {
	100, 1200, 400, 400, 401, 401, 1200,	/* dml_0 */
	100, 400, 401, 1200,			/* dml_1 */
	1801, 300, 106,				/* replicate-msg */
	1200, 1200, 101, 1200, 1200,
};

T_TEST(proto_msg_header_every_record)
{
	const ProtobufCEnumValue *ev;
	Milvus__Common__MsgHeader *h;
	size_t n = load();

	T_EQ_UINT(n, NREC);
	for (size_t i = 0; i < n; i++) {
		h = milvus__common__msg_header__unpack(NULL, recs[i].len,
		    recs[i].v);
		T_CHECK(h != NULL && h->msg_base != NULL);
		if (!h || !h->msg_base)
			continue;
		T_EQ_INT(h->msg_base->msg_type, want_types[i]);
		T_CHECK(h->msg_base->timestamp > 0);
		if (recs[i].msg_type[0]) {
			ev = protobuf_c_enum_descriptor_get_value_by_name(
			    &milvus__common__msg_type__descriptor,
			    recs[i].msg_type);
			T_CHECK(ev != NULL);
			if (ev)
				T_EQ_INT(ev->value, h->msg_base->msg_type);
		}
		/* Headers only on Insert/Delete/replicate-msg (README). */
		T_EQ_UINT(recs[i].nhdr, recs[i].msg_type[0] != '\0');
		milvus__common__msg_header__free_unpacked(h, NULL);
	}
}

static const Milvus__Schema__FieldSchema *
field(const Milvus__Schema__CollectionSchema *s, const char *name)
{
	for (size_t i = 0; i < s->n_fields; i++)
		if (strcmp(s->fields[i]->name, name) == 0)
			return s->fields[i];
	t_fail(__FILE__, __LINE__, "schema %s has no field %s", s->name, name);
	return NULL;
}

static const char *
param(const Milvus__Schema__FieldSchema *f, const char *key)
{
	for (size_t i = 0; f && i < f->n_type_params; i++)
		if (strcmp(f->type_params[i]->key, key) == 0)
			return f->type_params[i]->value;
	return NULL;
}

static size_t
user_fields(const Milvus__Schema__CollectionSchema *s)
{
	size_t n = 0;

	for (size_t i = 0; i < s->n_fields; i++)
		n += s->fields[i]->fieldid >= 100;
	return n;
}

/* Unpack record i as CreateCollectionRequest and its schema bytes. */
static Milvus__Schema__CollectionSchema *
create_schema(size_t i, int64_t id, uint64_t ts, const char *pchan)
{
	Milvus__Msg__CreateCollectionRequest *c;
	Milvus__Schema__CollectionSchema *s = NULL;

	c = milvus__msg__create_collection_request__unpack(NULL, recs[i].len,
	    recs[i].v);
	T_CHECK(c != NULL);
	if (!c)
		return NULL;
	T_EQ_INT(c->collectionid, id);
	T_EQ_UINT(c->msg_base->timestamp, ts);
	T_CHECK(c->n_physicalchannelnames >= 1);
	T_EQ_UINT(c->n_physicalchannelnames, c->n_virtualchannelnames);
	if (c->n_physicalchannelnames)
		T_EQ_STR(c->physicalchannelnames[0], pchan);
	T_CHECK(c->n_partitionids >= 1);
	s = milvus__schema__collection_schema__unpack(NULL, c->schema.len,
	    c->schema.data);
	T_CHECK(s != NULL);
	milvus__msg__create_collection_request__free_unpacked(c, NULL);
	return s;
}

static void
check_field(const Milvus__Schema__FieldSchema *f, int type, const char *dim)
{
	if (!f)
		return;
	T_EQ_INT(f->data_type, type);
	T_CHECK(f->fieldid >= 100);
	if (dim)
		T_EQ_STR(param(f, "dim"), dim);
}

T_TEST(proto_create_collection_products)
{
	Milvus__Schema__CollectionSchema *s;
	const Milvus__Schema__FieldSchema *f;

	if (load() < NREC)
		return;
	s = create_schema(0, PRODUCTS_ID, 462422016000000000ULL,
	    "by-dev-rootcoord-dml_0");
	if (!s)
		return;
	T_EQ_STR(s->name, "products");
	T_EQ_UINT(user_fields(s), 13);
	T_CHECK(s->enable_dynamic_field);
	f = field(s, "id");
	check_field(f, MILVUS__SCHEMA__DATA_TYPE__Int64, NULL);
	T_CHECK(f && f->is_primary_key && !f->autoid);
	f = field(s, "title");
	check_field(f, MILVUS__SCHEMA__DATA_TYPE__VarChar, NULL);
	T_CHECK(param(f, "max_length") && atoi(param(f, "max_length")) > 0);
	check_field(field(s, "price"), MILVUS__SCHEMA__DATA_TYPE__Float, NULL);
	f = field(s, "tags");
	check_field(f, MILVUS__SCHEMA__DATA_TYPE__Array, NULL);
	T_CHECK(f && f->element_type == MILVUS__SCHEMA__DATA_TYPE__VarChar);
	T_CHECK(param(f, "max_capacity") != NULL);
	check_field(field(s, "attrs"), MILVUS__SCHEMA__DATA_TYPE__JSON, NULL);
	check_field(field(s, "embedding"),
	    MILVUS__SCHEMA__DATA_TYPE__FloatVector, "4");
	check_field(field(s, "sparse"),
	    MILVUS__SCHEMA__DATA_TYPE__SparseFloatVector, NULL);
	check_field(field(s, "bits"), MILVUS__SCHEMA__DATA_TYPE__BinaryVector,
	    "16");
	check_field(field(s, "half"), MILVUS__SCHEMA__DATA_TYPE__Float16Vector,
	    "2");
	check_field(field(s, "brain"),
	    MILVUS__SCHEMA__DATA_TYPE__BFloat16Vector, "2");
	f = field(s, "stock");
	check_field(f, MILVUS__SCHEMA__DATA_TYPE__Int32, NULL);
	T_CHECK(f && f->nullable);
	check_field(field(s, "active"), MILVUS__SCHEMA__DATA_TYPE__Bool, NULL);
	f = field(s, "$meta");
	check_field(f, MILVUS__SCHEMA__DATA_TYPE__JSON, NULL);
	T_CHECK(f && f->is_dynamic);
	f = field(s, "title");
	T_CHECK(f && !f->nullable && !f->is_dynamic && !f->is_primary_key);
	milvus__schema__collection_schema__free_unpacked(s, NULL);
}

T_TEST(proto_create_collection_notes)
{
	Milvus__Schema__CollectionSchema *s;
	const Milvus__Schema__FieldSchema *f;

	if (load() < NREC)
		return;
	s = create_schema(7, NOTES_ID, 462422016002621440ULL,
	    "by-dev-rootcoord-dml_1");
	if (!s)
		return;
	T_EQ_STR(s->name, "notes");
	T_EQ_UINT(user_fields(s), 2);
	T_CHECK(!s->enable_dynamic_field);
	f = field(s, "key");
	check_field(f, MILVUS__SCHEMA__DATA_TYPE__VarChar, NULL);
	T_CHECK(f && f->is_primary_key);
	check_field(field(s, "v"), MILVUS__SCHEMA__DATA_TYPE__FloatVector,
	    "2");
	milvus__schema__collection_schema__free_unpacked(s, NULL);
}

static const Milvus__Schema__FieldData *
column(const Milvus__Msg__InsertRequest *m, const char *name, int type)
{
	for (size_t i = 0; i < m->n_fields_data; i++) {
		const Milvus__Schema__FieldData *fd = m->fields_data[i];

		if (strcmp(fd->field_name, name) != 0)
			continue;
		T_EQ_INT(fd->type, type);
		T_CHECK(fd->field_id >= 100);
		return fd;
	}
	t_fail(__FILE__, __LINE__, "insert has no column %s", name);
	return NULL;
}

static const Milvus__Schema__ScalarField *
scalars(const Milvus__Msg__InsertRequest *m, const char *name, int type,
    int dcase)
{
	const Milvus__Schema__FieldData *fd = column(m, name, type);

	if (!fd || fd->field_case != MILVUS__SCHEMA__FIELD_DATA__FIELD_SCALARS
	    || fd->scalars->data_case != (unsigned)dcase) {
		t_fail(__FILE__, __LINE__, "column %s: wrong carrier", name);
		return NULL;
	}
	return fd->scalars;
}

static const Milvus__Schema__VectorField *
vectors(const Milvus__Msg__InsertRequest *m, const char *name, int type,
    int dcase, int64_t dim)
{
	const Milvus__Schema__FieldData *fd = column(m, name, type);

	if (!fd || fd->field_case != MILVUS__SCHEMA__FIELD_DATA__FIELD_VECTORS
	    || fd->vectors->data_case != (unsigned)dcase) {
		t_fail(__FILE__, __LINE__, "column %s: wrong carrier", name);
		return NULL;
	}
	T_EQ_INT(fd->vectors->dim, dim);
	return fd->vectors;
}

static Milvus__Msg__InsertRequest *
insert_at(size_t i, int64_t id, uint64_t ts, size_t rows)
{
	Milvus__Msg__InsertRequest *m;

	m = milvus__msg__insert_request__unpack(NULL, recs[i].len, recs[i].v);
	T_CHECK(m != NULL);
	if (!m)
		return NULL;
	T_EQ_INT(m->msg_base->msg_type, MILVUS__COMMON__MSG_TYPE__Insert);
	T_EQ_INT(m->collectionid, id);
	T_EQ_UINT(m->num_rows, rows);
	T_EQ_UINT(m->n_timestamps, rows);
	T_EQ_UINT(m->n_rowids, rows);
	for (size_t r = 0; r < m->n_timestamps; r++)
		T_EQ_UINT(m->timestamps[r], ts);
	T_EQ_INT(m->version, MILVUS__MSG__INSERT_DATA_VERSION__ColumnBased);
	T_EQ_UINT(m->n_row_data, 0);
	T_CHECK(strncmp(m->shardname, recs[i].topic, strlen(recs[i].topic))
	    == 0 && m->shardname[strlen(recs[i].topic)] == '_');
	return m;
}

static void
check_products_scalars(const Milvus__Msg__InsertRequest *m)
{
	static const char *titles[] = {"red shoe", "blue hat", "日本 mug"};
	static const char *attrs[] = {"{\"size\":42}", "{\"size\":\"M\"}",
	    "{\"fragile\":true}"};
	static const char *metas[] = {"{\"color\":\"red\"}", "{}",
	    "{\"gift\":1}"};
	static const float prices[] = {19.5f, 7.25f, 3.0f};
	const Milvus__Schema__ScalarField *sf;

	sf = scalars(m, "id", MILVUS__SCHEMA__DATA_TYPE__Int64,
	    MILVUS__SCHEMA__SCALAR_FIELD__DATA_LONG_DATA);
	if (sf && sf->long_data->n_data == 3)
		for (int r = 0; r < 3; r++)
			T_EQ_INT(sf->long_data->data[r], r + 1);
	sf = scalars(m, "title", MILVUS__SCHEMA__DATA_TYPE__VarChar,
	    MILVUS__SCHEMA__SCALAR_FIELD__DATA_STRING_DATA);
	if (sf && sf->string_data->n_data == 3)
		for (int r = 0; r < 3; r++)
			T_EQ_STR(sf->string_data->data[r], titles[r]);
	sf = scalars(m, "price", MILVUS__SCHEMA__DATA_TYPE__Float,
	    MILVUS__SCHEMA__SCALAR_FIELD__DATA_FLOAT_DATA);
	if (sf && sf->float_data->n_data == 3)
		for (int r = 0; r < 3; r++)
			T_CHECK(sf->float_data->data[r] == prices[r]);
	sf = scalars(m, "attrs", MILVUS__SCHEMA__DATA_TYPE__JSON,
	    MILVUS__SCHEMA__SCALAR_FIELD__DATA_JSON_DATA);
	if (sf && sf->json_data->n_data == 3)
		for (int r = 0; r < 3; r++)
			T_EQ_MEM(sf->json_data->data[r].data,
			    sf->json_data->data[r].len, attrs[r],
			    strlen(attrs[r]));
	sf = scalars(m, "$meta", MILVUS__SCHEMA__DATA_TYPE__JSON,
	    MILVUS__SCHEMA__SCALAR_FIELD__DATA_JSON_DATA);
	if (sf && sf->json_data->n_data == 3)
		for (int r = 0; r < 3; r++)
			T_EQ_MEM(sf->json_data->data[r].data,
			    sf->json_data->data[r].len, metas[r],
			    strlen(metas[r]));
	T_CHECK(column(m, "$meta", MILVUS__SCHEMA__DATA_TYPE__JSON)->is_dynamic);
}

static void
check_products_more_scalars(const Milvus__Msg__InsertRequest *m)
{
	static const protobuf_c_boolean active[] = {1, 0, 1};
	static const int32_t stock[] = {5, 0, 0};
	const Milvus__Schema__FieldData *fd;
	const Milvus__Schema__ScalarField *sf;
	const Milvus__Schema__ArrayArray *aa;

	sf = scalars(m, "tags", MILVUS__SCHEMA__DATA_TYPE__Array,
	    MILVUS__SCHEMA__SCALAR_FIELD__DATA_ARRAY_DATA);
	if (sf) {
		aa = sf->array_data;
		T_EQ_INT(aa->element_type, MILVUS__SCHEMA__DATA_TYPE__VarChar);
		T_EQ_UINT(aa->n_data, 3);
		if (aa->n_data == 3) {
			T_EQ_UINT(aa->data[0]->string_data->n_data, 2);
			T_EQ_STR(aa->data[0]->string_data->data[0], "shoe");
			T_EQ_STR(aa->data[0]->string_data->data[1], "red");
			/* An empty row is an empty StringArray or no oneof. */
			T_CHECK(aa->data[1]->data_case !=
			    MILVUS__SCHEMA__SCALAR_FIELD__DATA_STRING_DATA ||
			    aa->data[1]->string_data->n_data == 0);
			T_EQ_UINT(aa->data[2]->string_data->n_data, 1);
			T_EQ_STR(aa->data[2]->string_data->data[0], "kitchen");
		}
	}
	sf = scalars(m, "active", MILVUS__SCHEMA__DATA_TYPE__Bool,
	    MILVUS__SCHEMA__SCALAR_FIELD__DATA_BOOL_DATA);
	if (sf)
		T_EQ_MEM(sf->bool_data->data, sf->bool_data->n_data *
		    sizeof(protobuf_c_boolean), active, sizeof active);
	/* Nullable: N values (NULL slot zero-filled) and N valid flags. */
	sf = scalars(m, "stock", MILVUS__SCHEMA__DATA_TYPE__Int32,
	    MILVUS__SCHEMA__SCALAR_FIELD__DATA_INT_DATA);
	if (sf)
		T_EQ_MEM(sf->int_data->data, sf->int_data->n_data *
		    sizeof(int32_t), stock, sizeof stock);
	fd = column(m, "stock", MILVUS__SCHEMA__DATA_TYPE__Int32);
	if (fd) {
		T_EQ_UINT(fd->n_valid_data, 3);
		if (fd->n_valid_data == 3)
			T_CHECK(fd->valid_data[0] && !fd->valid_data[1] &&
			    fd->valid_data[2]);
	}
	fd = column(m, "title", MILVUS__SCHEMA__DATA_TYPE__VarChar);
	T_CHECK(fd && fd->n_valid_data == 0);
}

static void
check_products_vectors(const Milvus__Msg__InsertRequest *m)
{
	static const float emb[] = {0.1f, 0.2f, 0.3f, 0.4f, 1.0f, 0.0f,
	    -1.0f, 0.5f, 0.0f, 0.0f, 0.0f, 1.0f};
	static const uint8_t bits[] = {0xa0, 0x01, 0xff, 0x00, 0x00, 0x10};
	/* binary16 LE of 1, -2, 0.5, 0.25, 0, 65504 */
	static const uint8_t half[] = {0x00, 0x3c, 0x00, 0xc0, 0x00, 0x38,
	    0x00, 0x34, 0x00, 0x00, 0xff, 0x7b};
	/* bfloat16 LE of 0.5, 3, -1, 2, 1.5, -0.25 */
	static const uint8_t brain[] = {0x00, 0x3f, 0x40, 0x40, 0x80, 0xbf,
	    0x00, 0x40, 0xc0, 0x3f, 0x80, 0xbe};
	const Milvus__Schema__VectorField *vf;

	vf = vectors(m, "embedding", MILVUS__SCHEMA__DATA_TYPE__FloatVector,
	    MILVUS__SCHEMA__VECTOR_FIELD__DATA_FLOAT_VECTOR, 4);
	if (vf)
		T_EQ_MEM(vf->float_vector->data, vf->float_vector->n_data *
		    sizeof(float), emb, sizeof emb);
	vf = vectors(m, "bits", MILVUS__SCHEMA__DATA_TYPE__BinaryVector,
	    MILVUS__SCHEMA__VECTOR_FIELD__DATA_BINARY_VECTOR, 16);
	if (vf)
		T_EQ_MEM(vf->binary_vector.data, vf->binary_vector.len, bits,
		    sizeof bits);
	vf = vectors(m, "half", MILVUS__SCHEMA__DATA_TYPE__Float16Vector,
	    MILVUS__SCHEMA__VECTOR_FIELD__DATA_FLOAT16_VECTOR, 2);
	if (vf)
		T_EQ_MEM(vf->float16_vector.data, vf->float16_vector.len, half,
		    sizeof half);
	vf = vectors(m, "brain", MILVUS__SCHEMA__DATA_TYPE__BFloat16Vector,
	    MILVUS__SCHEMA__VECTOR_FIELD__DATA_BFLOAT16_VECTOR, 2);
	if (vf)
		T_EQ_MEM(vf->bfloat16_vector.data, vf->bfloat16_vector.len,
		    brain, sizeof brain);
}

static void
check_products_sparse(const Milvus__Msg__InsertRequest *m)
{
	/* (uint32 LE index, float32 LE value) pairs: {3: 0.5, 17: 1.25} */
	static const uint8_t row0[] = {3, 0, 0, 0, 0x00, 0x00, 0x00, 0x3f,
	    17, 0, 0, 0, 0x00, 0x00, 0xa0, 0x3f};
	static const uint8_t row2[] = {0, 0, 0, 0, 0x00, 0x00, 0x00, 0x40};
	const Milvus__Schema__VectorField *vf;
	const Milvus__Schema__SparseFloatArray *sp;

	vf = vectors(m, "sparse", MILVUS__SCHEMA__DATA_TYPE__SparseFloatVector,
	    MILVUS__SCHEMA__VECTOR_FIELD__DATA_SPARSE_FLOAT_VECTOR, 18);
	if (!vf)
		return;
	sp = vf->sparse_float_vector;
	T_EQ_INT(sp->dim, 18);
	T_EQ_UINT(sp->n_contents, 3);
	if (sp->n_contents != 3)
		return;
	T_EQ_MEM(sp->contents[0].data, sp->contents[0].len, row0, sizeof row0);
	T_EQ_UINT(sp->contents[1].len, 0);
	T_EQ_MEM(sp->contents[2].data, sp->contents[2].len, row2, sizeof row2);
}

T_TEST(proto_insert_products)
{
	Milvus__Msg__InsertRequest *m;

	if (load() < NREC)
		return;
	m = insert_at(2, PRODUCTS_ID, 462422016013107200ULL, 3);
	if (!m)
		return;
	T_EQ_STR(m->db_name, "default");
	T_EQ_STR(m->collection_name, "products");
	T_EQ_STR(m->partition_name, "_default");
	T_CHECK(m->partitionid > 0);
	T_EQ_UINT(m->n_fields_data, 13);
	check_products_scalars(m);
	check_products_more_scalars(m);
	check_products_vectors(m);
	check_products_sparse(m);
	milvus__msg__insert_request__free_unpacked(m, NULL);

	/* The upsert's insert half: id 2 again, at the delete's ts. */
	m = insert_at(3, PRODUCTS_ID, 462422016031457280ULL, 1);
	if (!m)
		return;
	{
		const Milvus__Schema__ScalarField *sf = scalars(m, "id",
		    MILVUS__SCHEMA__DATA_TYPE__Int64,
		    MILVUS__SCHEMA__SCALAR_FIELD__DATA_LONG_DATA);

		T_CHECK(sf && sf->long_data->n_data == 1 &&
		    sf->long_data->data[0] == 2);
	}
	milvus__msg__insert_request__free_unpacked(m, NULL);
}

T_TEST(proto_insert_notes_2_3_style)
{
	static const float v[] = {1.0f, 2.0f, 3.0f, 4.0f};
	const Milvus__Schema__ScalarField *sf;
	const Milvus__Schema__VectorField *vf;
	Milvus__Msg__InsertRequest *m;

	if (load() < NREC)
		return;
	m = insert_at(8, NOTES_ID, 462422016026214400ULL, 2);
	if (!m)
		return;
	T_EQ_STR(m->db_name, "");	/* 2.3 style: no db_name */
	T_EQ_STR(m->collection_name, "notes");
	sf = scalars(m, "key", MILVUS__SCHEMA__DATA_TYPE__VarChar,
	    MILVUS__SCHEMA__SCALAR_FIELD__DATA_STRING_DATA);
	if (sf && sf->string_data->n_data == 2) {
		T_EQ_STR(sf->string_data->data[0], "a");
		T_EQ_STR(sf->string_data->data[1], "b");
	}
	vf = vectors(m, "v", MILVUS__SCHEMA__DATA_TYPE__FloatVector,
	    MILVUS__SCHEMA__VECTOR_FIELD__DATA_FLOAT_VECTOR, 2);
	if (vf)
		T_EQ_MEM(vf->float_vector->data, vf->float_vector->n_data *
		    sizeof(float), v, sizeof v);
	milvus__msg__insert_request__free_unpacked(m, NULL);
}

static Milvus__Msg__DeleteRequest *
delete_at(size_t i, int64_t id, uint64_t ts, size_t rows)
{
	Milvus__Msg__DeleteRequest *d;

	d = milvus__msg__delete_request__unpack(NULL, recs[i].len, recs[i].v);
	T_CHECK(d != NULL);
	if (!d)
		return NULL;
	T_EQ_INT(d->msg_base->msg_type, MILVUS__COMMON__MSG_TYPE__Delete);
	T_EQ_INT(d->collectionid, id);
	T_EQ_INT(d->num_rows, (int64_t)rows);
	T_EQ_UINT(d->n_timestamps, rows);
	for (size_t r = 0; r < d->n_timestamps; r++)
		T_EQ_UINT(d->timestamps[r], ts);
	T_CHECK(d->primary_keys != NULL);
	return d;
}

T_TEST(proto_delete_keys)
{
	Milvus__Msg__DeleteRequest *d;
	const Milvus__Schema__IDs *ids;

	if (load() < NREC)
		return;
	d = delete_at(4, PRODUCTS_ID, 462422016031457280ULL, 1);
	if (d && (ids = d->primary_keys) != NULL) {
		T_EQ_INT(ids->id_field_case,
		    MILVUS__SCHEMA__IDS__ID_FIELD_INT_ID);
		T_CHECK(ids->int_id->n_data == 1 && ids->int_id->data[0] == 2);
	}
	milvus__msg__delete_request__free_unpacked(d, NULL);
	d = delete_at(5, PRODUCTS_ID, 462422016104857600ULL, 2);
	if (d && (ids = d->primary_keys) != NULL) {
		T_EQ_INT(ids->id_field_case,
		    MILVUS__SCHEMA__IDS__ID_FIELD_INT_ID);
		T_CHECK(ids->int_id->n_data == 2 && ids->int_id->data[0] == 1 &&
		    ids->int_id->data[1] == 3);
	}
	milvus__msg__delete_request__free_unpacked(d, NULL);
	d = delete_at(9, NOTES_ID, 462422016039321600ULL, 1);
	if (d && (ids = d->primary_keys) != NULL) {
		T_EQ_INT(ids->id_field_case,
		    MILVUS__SCHEMA__IDS__ID_FIELD_STR_ID);
		T_CHECK(ids->str_id->n_data == 1);
		if (ids->str_id->n_data == 1)
			T_EQ_STR(ids->str_id->data[0], "a");
	}
	milvus__msg__delete_request__free_unpacked(d, NULL);
}

static const char *
kv(Milvus__Common__KeyValuePair **p, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(p[i]->key, key) == 0)
			return p[i]->value;
	return NULL;
}

T_TEST(proto_replicate_msg_requests)
{
	Milvus__Api__CreateDatabaseRequest *db;
	Milvus__Api__CreateIndexRequest *ix;
	Milvus__Api__LoadCollectionRequest *lc;

	if (load() < NREC)
		return;
	db = milvus__api__create_database_request__unpack(NULL, recs[11].len,
	    recs[11].v);
	T_CHECK(db != NULL);
	if (db) {
		T_EQ_STR(db->db_name, "analytics");
		T_EQ_UINT(db->msg_base->timestamp, 462422016078643200ULL);
		milvus__api__create_database_request__free_unpacked(db, NULL);
	}
	ix = milvus__api__create_index_request__unpack(NULL, recs[12].len,
	    recs[12].v);
	T_CHECK(ix != NULL);
	if (ix) {
		T_EQ_STR(ix->collection_name, "products");
		T_EQ_STR(ix->field_name, "embedding");
		T_EQ_STR(ix->index_name, "emb_idx");
		T_EQ_STR(kv(ix->extra_params, ix->n_extra_params,
		    "index_type"), "HNSW");
		T_EQ_STR(kv(ix->extra_params, ix->n_extra_params,
		    "metric_type"), "L2");
		T_EQ_UINT(ix->msg_base->timestamp, 462422016081264640ULL);
		milvus__api__create_index_request__free_unpacked(ix, NULL);
	}
	lc = milvus__api__load_collection_request__unpack(NULL, recs[13].len,
	    recs[13].v);
	T_CHECK(lc != NULL);
	if (lc) {
		T_EQ_STR(lc->collection_name, "products");
		T_EQ_UINT(lc->msg_base->timestamp, 462422016083886080ULL);
		milvus__api__load_collection_request__free_unpacked(lc, NULL);
	}
}

static uint64_t
tick_ts(size_t i)
{
	Milvus__Msg__TimeTickMsg *t;
	uint64_t ts = 0;

	t = milvus__msg__time_tick_msg__unpack(NULL, recs[i].len, recs[i].v);
	T_CHECK(t != NULL && t->msg_base != NULL);
	if (t && t->msg_base)
		ts = t->msg_base->timestamp;
	milvus__msg__time_tick_msg__free_unpacked(t, NULL);
	return ts;
}

T_TEST(proto_drop_collection_and_ticks)
{
	Milvus__Msg__DropCollectionRequest *dc;
	uint64_t last[2] = {0, 0};

	if (load() < NREC)
		return;
	dc = milvus__msg__drop_collection_request__unpack(NULL, recs[16].len,
	    recs[16].v);
	T_CHECK(dc != NULL);
	if (dc) {
		T_EQ_INT(dc->collectionid, PRODUCTS_ID);
		T_EQ_UINT(dc->msg_base->timestamp, 462422016157286400ULL);
		milvus__msg__drop_collection_request__free_unpacked(dc, NULL);
	}
	/* The delete of 1 and 3 lies past the next tick (README). */
	T_CHECK(tick_ts(6) < 462422016104857600ULL);
	T_CHECK(tick_ts(14) >= 462422016104857600ULL);
	/* Ticks rise per topic. */
	for (size_t i = 0; i < NREC; i++) {
		int ch = strcmp(recs[i].topic, "by-dev-rootcoord-dml_1") == 0;
		uint64_t ts;

		if (want_types[i] != 1200)
			continue;
		ts = tick_ts(i);
		T_CHECK(ts > last[ch]);
		last[ch] = ts;
	}
}

T_TEST(proto_truncated_records_refused)
{
	void *m;

	if (load() < NREC)
		return;
	/* Cutting the last byte off an Insert leaves a length running past
	 * the end: protobuf-c must refuse it, not read beyond. */
	m = milvus__msg__insert_request__unpack(NULL, recs[2].len - 1,
	    recs[2].v);
	T_CHECK(m == NULL);
	m = milvus__msg__create_collection_request__unpack(NULL,
	    recs[0].len - 1, recs[0].v);
	T_CHECK(m == NULL);
	for (size_t i = 0; i < nrecs; i++)
		free(recs[i].v);
	nrecs = 0;
}
