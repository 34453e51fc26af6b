/*
 * test_milvus.c - the decoder on records built here with protobuf-c (the
 * public fixtures in test_fixtures.c check the wire against Google's
 * encoder): every column type, every replicate-msg DDL, skips, timestamps,
 * partitions, legacy delete keys, and malformed records that must each be a
 * -1 naming the problem.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdc_milvus_int.h"
#include "t.h"

#define MT(x) MILVUS__COMMON__MSG_TYPE__##x
#define SC(x) MILVUS__SCHEMA__SCALAR_FIELD__DATA_##x
#define VC(x) MILVUS__SCHEMA__VECTOR_FIELD__DATA_##x

/* One decoded-and-packed record: the message and its event as an object. */
struct got {
	struct cdc_msg m;
	msgpack_sbuffer sb;
	msgpack_zone zone;
	msgpack_object ev;
	char err[512];
	int rc;		/* decode's result */
};

static uint8_t *
enc(const void *msg, size_t *len)
{
	*len = protobuf_c_message_get_packed_size(msg);
	uint8_t *p = malloc(*len + 1);

	protobuf_c_message_pack(msg, p);
	return p;
}

/* Decode (header msg_type = hdr unless NULL), learn, and pack. */
static void
run(struct got *g, const void *val, size_t len, const char *hdr,
    struct cdc_schemas *reg)
{
	struct cdc_kafka_header h = {"msg_type", hdr, hdr ? strlen(hdr) : 0};
	struct cdc_record rec = {"by-dev-rootcoord-dml_3", 0, 42, val, len, &h,
	    hdr ? 1 : 0};
	msgpack_packer pk;
	size_t off = 0;

	memset(g, 0, sizeof *g);
	msgpack_sbuffer_init(&g->sb);
	msgpack_zone_init(&g->zone, 4096);
	g->rc = cdc_milvus_decode(&rec, &g->m, g->err, sizeof g->err);
	if (g->rc < 0 || g->m.kind != CDC_MSG_EVENT)
		return;
	msgpack_packer_init(&pk, &g->sb, msgpack_sbuffer_write);
	if (cdc_milvus_pack(&g->m, reg, &pk, g->err, sizeof g->err) < 0 ||
	    cdc_milvus_learn(&g->m, reg, g->err, sizeof g->err) < 0) {
		g->rc = -2;
		return;
	}
	msgpack_unpack(g->sb.data, g->sb.size, &off, &g->zone, &g->ev);
}

static void
run_msg(struct got *g, const void *msg, const char *hdr,
    struct cdc_schemas *reg)
{
	size_t len;
	uint8_t *p = enc(msg, &len);

	run(g, p, len, hdr, reg);
	free(p);
}

static void
done(struct got *g)
{
	cdc_msg_fini(&g->m);
	msgpack_zone_destroy(&g->zone);
	msgpack_sbuffer_destroy(&g->sb);
}

static int
str_is(const msgpack_object *o, const char *s)
{
	return o && o->type == MSGPACK_OBJECT_STR && o->via.str.size ==
	    strlen(s) && memcmp(o->via.str.ptr, s, o->via.str.size) == 0;
}

#define T_KEY_STR(map, key, want) do { \
	const msgpack_object *t_o_ = cdc_map_get((map), (key)); \
	if (!str_is(t_o_, (want))) \
		t_fail(__FILE__, __LINE__, "%s: want \"%s\"", (key), (want)); \
} while (0)

static int64_t
key_i64(const msgpack_object *map, const char *key)
{
	int64_t v = -777;

	cdc_map_i64(map, key, &v);
	return v;
}

static const msgpack_object *
column(const msgpack_object *ev, const char *name)
{
	const msgpack_object *cols = cdc_map_get(ev, "columns");

	for (uint32_t i = 0; cols && i < cols->via.array.size; i++)
		if (str_is(cdc_map_get(&cols->via.array.ptr[i], "name"), name))
			return &cols->via.array.ptr[i];
	t_fail(__FILE__, __LINE__, "no column \"%s\"", name);
	return NULL;
}

/* Element i of column c's data array (NULL if c is NULL). */
static const msgpack_object *
cell(const msgpack_object *c, uint32_t i)
{
	const msgpack_object *d = c ? cdc_map_get(c, "data") : NULL;

	if (!d || d->type != MSGPACK_OBJECT_ARRAY || i >= d->via.array.size)
		return NULL;
	return &d->via.array.ptr[i];
}

static const msgpack_object *
bin_of(const msgpack_object *c)
{
	const msgpack_object *d = c ? cdc_map_get(c, "data") : NULL;

	return d && d->type == MSGPACK_OBJECT_BIN ? d : NULL;
}

/* === builders === */

static Milvus__Common__MsgBase *
base(Milvus__Common__MsgBase *b, int type, uint64_t ts)
{
	milvus__common__msg_base__init(b);
	b->msg_type = type;
	b->timestamp = ts;
	b->msgid = 7;
	return b;
}

/* A FieldData of scalars (the ScalarField s is the caller's). */
static void
scalar_col(Milvus__Schema__FieldData *f, Milvus__Schema__ScalarField *s,
    int type, const char *name, int64_t id)
{
	milvus__schema__field_data__init(f);
	f->type = type;
	f->field_name = (char *)name;
	f->field_id = id;
	f->field_case = MILVUS__SCHEMA__FIELD_DATA__FIELD_SCALARS;
	f->scalars = s;
}

static void
vector_col(Milvus__Schema__FieldData *f, Milvus__Schema__VectorField *v,
    int type, const char *name, int64_t id, int64_t dim)
{
	milvus__schema__field_data__init(f);
	f->type = type;
	f->field_name = (char *)name;
	f->field_id = id;
	f->field_case = MILVUS__SCHEMA__FIELD_DATA__FIELD_VECTORS;
	f->vectors = v;
	v->dim = dim;
}

static void
insert_req(Milvus__Msg__InsertRequest *r, Milvus__Common__MsgBase *b,
    Milvus__Schema__FieldData **cols, size_t ncols, uint64_t rows)
{
	milvus__msg__insert_request__init(r);
	r->msg_base = base(b, MT(Insert), 1000);
	r->shardname = "by-dev-rootcoord-dml_3_900v0";
	r->collection_name = "all";
	r->partition_name = "_default";
	r->collectionid = 900;
	r->partitionid = 901;
	r->version = MILVUS__MSG__INSERT_DATA_VERSION__ColumnBased;
	r->fields_data = cols;
	r->n_fields_data = ncols;
	r->num_rows = rows;
}

/* === an Insert with every column type, 3 rows === */

#define NCOLS 21

struct all {
	Milvus__Common__MsgBase b;
	Milvus__Msg__InsertRequest r;
	Milvus__Schema__FieldData f[NCOLS], *fp[NCOLS];
	Milvus__Schema__ScalarField s[NCOLS], arow[6];
	Milvus__Schema__VectorField v[6];
	Milvus__Schema__IntArray i8, i16, i32, ae0, ae2;
	Milvus__Schema__LongArray i64, tz;
	Milvus__Schema__BoolArray bo;
	Milvus__Schema__FloatArray fl, fv;
	Milvus__Schema__DoubleArray db;
	Milvus__Schema__StringArray vc, tx, as0, as1;
	Milvus__Schema__JSONArray js, meta;
	Milvus__Schema__GeometryArray geo;
	Milvus__Schema__ArrayArray arr, arrs;
	Milvus__Schema__ScalarField *arrp[3], *arrsp[3];
	Milvus__Schema__StringArray empty;
	Milvus__Schema__SparseFloatArray sp;
	ProtobufCBinaryData geo_b[3], js_b[3], meta_b[3], sp_b[3];
	uint64_t ts[3];
	protobuf_c_boolean valid[3];
};

static int32_t v_i8[] = {-128, 0, 127}, v_i16[] = {-3, 4, 32767},
    v_i32[] = {1, 0, 3}, v_ae0[] = {1, 2}, v_ae2[] = {3};
static int64_t v_i64[] = {INT64_MIN, 0, 9007199254740993LL},
    v_tz[] = {1700000000000000LL, -1, 0};
static protobuf_c_boolean v_bo[] = {1, 0, 1};
static float v_fl[] = {1.5f, -0.0f, 3.25f}, v_fv[] = {1, 2, 3, 4, 5, 6.5f};
static double v_db[] = {0.1, 2, -3e300};
static char *v_vc[] = {"a", "", "\xe6\x97\xa5\xe6\x9c\xac"},
    *v_tx[] = {"x", "yy", "zzz"}, *v_as0[] = {"a"}, *v_as1[] = {"b", "c"};
static const uint8_t v_bin[] = {0xa0, 0x01, 0xff, 0x00, 0x00, 0x10};
static const uint8_t v_f16[] = {0x00, 0x3c, 0x00, 0xc0, 0xff, 0x7b};
static const uint8_t v_bf16[] = {0x80, 0x3f, 0x00, 0x40, 0x80, 0xbf};
static const uint8_t v_i8v[] = {0x80, 0x7f, 0x00, 0x01, 0xff, 0xfe};
static const uint8_t v_sp0[] = {3, 0, 0, 0, 0, 0, 0, 0x3f, 17, 0, 0, 0, 0, 0,
    0xa0, 0x3f};
static const uint8_t v_sp2[] = {0, 0, 0, 0, 0, 0, 0, 0x40};

static void
bins(ProtobufCBinaryData *b, const char *const *s)
{
	for (int i = 0; i < 3; i++)
		b[i] = (ProtobufCBinaryData){strlen(s[i]), (uint8_t *)s[i]};
}

static void
all_scalars1(struct all *a)
{
	milvus__schema__int_array__init(&a->i8);
	a->i8 = (Milvus__Schema__IntArray){a->i8.base, 3, v_i8};
	a->i16 = (Milvus__Schema__IntArray){a->i8.base, 3, v_i16};
	a->i32 = (Milvus__Schema__IntArray){a->i8.base, 3, v_i32};
	a->ae0 = (Milvus__Schema__IntArray){a->i8.base, 2, v_ae0};
	a->ae2 = (Milvus__Schema__IntArray){a->i8.base, 1, v_ae2};
	milvus__schema__long_array__init(&a->i64);
	a->i64.n_data = 3, a->i64.data = v_i64;
	a->tz = a->i64, a->tz.data = v_tz;
	milvus__schema__bool_array__init(&a->bo);
	a->bo.n_data = 3, a->bo.data = v_bo;
	milvus__schema__float_array__init(&a->fl);
	a->fl.n_data = 3, a->fl.data = v_fl;
	a->fv = a->fl, a->fv.n_data = 6, a->fv.data = v_fv;
	milvus__schema__double_array__init(&a->db);
	a->db.n_data = 3, a->db.data = v_db;
	milvus__schema__string_array__init(&a->vc);
	a->vc.n_data = 3, a->vc.data = v_vc;
	a->tx = a->vc, a->tx.data = v_tx;
	a->as0 = a->vc, a->as0.n_data = 1, a->as0.data = v_as0;
	a->as1 = a->vc, a->as1.n_data = 2, a->as1.data = v_as1;
	milvus__schema__jsonarray__init(&a->js);
	bins(a->js_b, (const char *const[]){"{}", "[1]", "null"});
	a->js.n_data = 3, a->js.data = a->js_b;
	a->meta = a->js;
	bins(a->meta_b, (const char *const[]){"{\"k\":1}", "{}", "{}"});
	a->meta.data = a->meta_b;
	milvus__schema__geometry_array__init(&a->geo);
	bins(a->geo_b, (const char *const[]){"\x01\x01", "", "\x00\x01"});
	a->geo.n_data = 3, a->geo.data = a->geo_b;
}

/* Scalar column k of the insert: carrier case, values, type, name. */
static void
all_scalar(struct all *a, int k, int sc, void *vals, int type,
    const char *name)
{
	milvus__schema__scalar_field__init(&a->s[k]);
	a->s[k].data_case = sc;
	a->s[k].int_data = vals;	/* every member of the oneof aliases */
	scalar_col(&a->f[k], &a->s[k], type, name, 100 + k);
}

static void
all_arrays(struct all *a)
{
	for (int i = 0; i < 6; i++)
		milvus__schema__scalar_field__init(&a->arow[i]);
	a->arow[0].data_case = SC(INT_DATA), a->arow[0].int_data = &a->ae0;
	/* row 1: an empty row with no carrier at all */
	a->arow[2].data_case = SC(INT_DATA), a->arow[2].int_data = &a->ae2;
	a->arow[3].data_case = SC(STRING_DATA), a->arow[3].string_data = &a->as0;
	a->arow[4].data_case = SC(STRING_DATA), a->arow[4].string_data = &a->as1;
	milvus__schema__array_array__init(&a->arr);
	a->arrs = a->arr;
	a->arr.element_type = (Milvus__Schema__DataType)CDC_DT_INT32;
	a->arr.n_data = 3;
	a->arr.data = a->arrp;
	for (int i = 0; i < 3; i++)
		a->arrp[i] = &a->arow[i], a->arrsp[i] = &a->arow[3 + i];
	a->arrs.element_type = (Milvus__Schema__DataType)CDC_DT_VARCHAR;
	a->arrs.n_data = 3;
	a->arrs.data = a->arrsp;
	milvus__schema__string_array__init(&a->empty);
	a->arow[5].data_case = SC(STRING_DATA);
	a->arow[5].string_data = &a->empty;
}

static void
all_vectors(struct all *a)
{
	for (int i = 0; i < 6; i++)
		milvus__schema__vector_field__init(&a->v[i]);
	vector_col(&a->f[14], &a->v[0], CDC_DT_FLOAT_VECTOR, "fv", 114, 2);
	a->v[0].data_case = VC(FLOAT_VECTOR), a->v[0].float_vector = &a->fv;
	vector_col(&a->f[15], &a->v[1], CDC_DT_BINARY_VECTOR, "bv", 115, 16);
	a->v[1].data_case = VC(BINARY_VECTOR);
	a->v[1].binary_vector = (ProtobufCBinaryData){6, (uint8_t *)v_bin};
	vector_col(&a->f[16], &a->v[2], CDC_DT_FLOAT16_VECTOR, "hv", 116, 1);
	a->v[2].data_case = VC(FLOAT16_VECTOR);
	a->v[2].float16_vector = (ProtobufCBinaryData){6, (uint8_t *)v_f16};
	vector_col(&a->f[17], &a->v[3], CDC_DT_BFLOAT16_VECTOR, "bf", 117, 1);
	a->v[3].data_case = VC(BFLOAT16_VECTOR);
	a->v[3].bfloat16_vector = (ProtobufCBinaryData){6, (uint8_t *)v_bf16};
	vector_col(&a->f[18], &a->v[4], CDC_DT_INT8_VECTOR, "iv", 118, 2);
	a->v[4].data_case = VC(INT8_VECTOR);
	a->v[4].int8_vector = (ProtobufCBinaryData){6, (uint8_t *)v_i8v};
	vector_col(&a->f[19], &a->v[5], CDC_DT_SPARSE_FLOAT_VECTOR, "sv", 119,
	    18);
	milvus__schema__sparse_float_array__init(&a->sp);
	a->sp_b[0] = (ProtobufCBinaryData){16, (uint8_t *)v_sp0};
	a->sp_b[1] = (ProtobufCBinaryData){0, NULL};
	a->sp_b[2] = (ProtobufCBinaryData){8, (uint8_t *)v_sp2};
	a->sp.n_contents = 3, a->sp.contents = a->sp_b, a->sp.dim = 18;
	a->v[5].data_case = VC(SPARSE_FLOAT_VECTOR);
	a->v[5].sparse_float_vector = &a->sp;
}

static void
all_build(struct all *a)
{
	memset(a, 0, sizeof *a);
	all_scalars1(a);
	all_arrays(a);
	all_scalar(a, 0, SC(INT_DATA), &a->i8, CDC_DT_INT8, "i8");
	all_scalar(a, 1, SC(INT_DATA), &a->i16, CDC_DT_INT16, "i16");
	all_scalar(a, 2, SC(INT_DATA), &a->i32, CDC_DT_INT32, "i32");
	a->valid[0] = a->valid[2] = 1;
	a->f[2].n_valid_data = 3, a->f[2].valid_data = a->valid;
	all_scalar(a, 3, SC(LONG_DATA), &a->i64, CDC_DT_INT64, "id");
	all_scalar(a, 4, SC(BOOL_DATA), &a->bo, CDC_DT_BOOL, "b");
	all_scalar(a, 5, SC(FLOAT_DATA), &a->fl, CDC_DT_FLOAT, "f");
	all_scalar(a, 6, SC(DOUBLE_DATA), &a->db, CDC_DT_DOUBLE, "d");
	all_scalar(a, 7, SC(STRING_DATA), &a->vc, CDC_DT_VARCHAR, "vc");
	all_scalar(a, 8, SC(STRING_DATA), &a->tx, CDC_DT_TEXT, "tx");
	all_scalar(a, 9, SC(JSON_DATA), &a->js, CDC_DT_JSON, "js");
	all_scalar(a, 10, SC(ARRAY_DATA), &a->arr, CDC_DT_ARRAY, "arr");
	all_scalar(a, 11, SC(ARRAY_DATA), &a->arrs, CDC_DT_ARRAY, "arrs");
	all_scalar(a, 12, SC(GEOMETRY_DATA), &a->geo, CDC_DT_GEOMETRY, "geo");
	all_scalar(a, 13, SC(TIMESTAMPTZ_DATA), &a->tz, CDC_DT_TIMESTAMPTZ,
	    "tz");
	all_vectors(a);
	all_scalar(a, 20, SC(JSON_DATA), &a->meta, CDC_DT_JSON, "$meta");
	a->f[20].is_dynamic = 1;
	for (int i = 0; i < NCOLS; i++)
		a->fp[i] = &a->f[i];
	insert_req(&a->r, &a->b, a->fp, NCOLS, 3);
	a->ts[0] = 5000, a->ts[1] = 5002, a->ts[2] = 5001;
	a->r.n_timestamps = 3, a->r.timestamps = a->ts;
}

static void
check_ints(const msgpack_object *c, const char *type, const int64_t *want,
    int n)
{
	int64_t v;

	T_KEY_STR(c, "type", type);
	for (int i = 0; i < n; i++) {
		v = -999;
		T_EQ_INT(cdc_obj_i64(cell(c, (uint32_t)i), &v), 0);
		T_EQ_INT(v, want[i]);
	}
	T_CHECK(cell(c, (uint32_t)n) == NULL);
}

static void
check_strs(const msgpack_object *c, const char *type, char *const *want)
{
	T_KEY_STR(c, "type", type);
	for (uint32_t i = 0; i < 3; i++)
		T_CHECK(str_is(cell(c, i), want[i]));
}

static void
check_bin(const msgpack_object *c, const char *type, int64_t dim,
    const void *want, size_t n)
{
	const msgpack_object *d = bin_of(c);

	T_KEY_STR(c, "type", type);
	T_EQ_INT(key_i64(c, "dim"), dim);
	T_CHECK(d != NULL);
	if (d)
		T_EQ_MEM(d->via.bin.ptr, d->via.bin.size, want, n);
}

static void
check_all_scalars(const msgpack_object *ev)
{
	const msgpack_object *c;

	check_ints(column(ev, "i8"), "Int8", (int64_t[]){-128, 0, 127}, 3);
	check_ints(column(ev, "i16"), "Int16", (int64_t[]){-3, 4, 32767}, 3);
	check_ints(c = column(ev, "i32"), "Int32", (int64_t[]){1, 0, 3}, 3);
	T_CHECK(cdc_map_get(c, "valid") && cdc_map_get(c, "valid")->via.array
	    .size == 3 && !cdc_map_get(c, "valid")->via.array.ptr[1].via.boolean
	    && cdc_map_get(c, "valid")->via.array.ptr[2].via.boolean);
	T_CHECK(cdc_map_get(column(ev, "i8"), "valid") == NULL);
	check_ints(column(ev, "id"), "Int64", v_i64, 3);
	check_ints(column(ev, "tz"), "Timestamptz", v_tz, 3);
	c = column(ev, "b");
	T_KEY_STR(c, "type", "Bool");
	T_CHECK(cell(c, 0) && cell(c, 0)->type == MSGPACK_OBJECT_BOOLEAN &&
	    cell(c, 0)->via.boolean && !cell(c, 1)->via.boolean);
	c = column(ev, "f");
	T_KEY_STR(c, "type", "Float");
	T_CHECK(cell(c, 2) && cell(c, 2)->type == MSGPACK_OBJECT_FLOAT32 &&
	    cell(c, 2)->via.f64 == 3.25);
	c = column(ev, "d");
	T_KEY_STR(c, "type", "Double");
	T_CHECK(cell(c, 0) && cell(c, 0)->type == MSGPACK_OBJECT_FLOAT64 &&
	    cell(c, 0)->via.f64 == 0.1 && cell(c, 2)->via.f64 == -3e300);
	check_strs(column(ev, "vc"), "VarChar", v_vc);
	check_strs(column(ev, "tx"), "Text", v_tx);
	check_strs(column(ev, "js"), "JSON", (char *[]){"{}", "[1]", "null"});
	check_strs(c = column(ev, "$meta"), "JSON",
	    (char *[]){"{\"k\":1}", "{}", "{}"});
	T_CHECK(cdc_map_get(c, "dynamic") &&
	    cdc_map_get(c, "dynamic")->via.boolean);
	T_EQ_INT(key_i64(c, "field_id"), 120);
	c = column(ev, "geo");
	T_KEY_STR(c, "type", "Geometry");
	T_CHECK(cell(c, 0) && cell(c, 0)->type == MSGPACK_OBJECT_BIN &&
	    cell(c, 0)->via.bin.size == 2 && cell(c, 1)->via.bin.size == 0);
}

static void
check_all_arrays(const msgpack_object *ev)
{
	const msgpack_object *c = column(ev, "arr"), *r;

	T_KEY_STR(c, "type", "Array");
	T_KEY_STR(c, "element_type", "Int32");
	r = cell(c, 0);
	T_CHECK(r && r->type == MSGPACK_OBJECT_ARRAY && r->via.array.size == 2
	    && r->via.array.ptr[1].via.u64 == 2);
	T_CHECK(cell(c, 1) && cell(c, 1)->via.array.size == 0);
	T_CHECK(cell(c, 2) && cell(c, 2)->via.array.size == 1);
	c = column(ev, "arrs");
	T_KEY_STR(c, "element_type", "VarChar");
	r = cell(c, 1);
	T_CHECK(r && r->via.array.size == 2 && str_is(&r->via.array.ptr[1],
	    "c"));
	T_CHECK(cell(c, 2) && cell(c, 2)->via.array.size == 0);
}

static void
check_all_vectors(const msgpack_object *ev)
{
	const msgpack_object *c = column(ev, "sv");

	check_bin(column(ev, "fv"), "FloatVector", 2, v_fv, sizeof v_fv);
	check_bin(column(ev, "bv"), "BinaryVector", 16, v_bin, 6);
	check_bin(column(ev, "hv"), "Float16Vector", 1, v_f16, 6);
	check_bin(column(ev, "bf"), "BFloat16Vector", 1, v_bf16, 6);
	check_bin(column(ev, "iv"), "Int8Vector", 2, v_i8v, 6);
	T_KEY_STR(c, "type", "SparseFloatVector");
	T_EQ_INT(key_i64(c, "dim"), 18);
	T_CHECK(cell(c, 0) && cell(c, 0)->type == MSGPACK_OBJECT_BIN);
	if (cell(c, 2)) {
		T_EQ_MEM(cell(c, 0)->via.bin.ptr, cell(c, 0)->via.bin.size,
		    v_sp0, sizeof v_sp0);
		T_EQ_UINT(cell(c, 1)->via.bin.size, 0);
		T_EQ_MEM(cell(c, 2)->via.bin.ptr, cell(c, 2)->via.bin.size,
		    v_sp2, sizeof v_sp2);
	}
}

static void
check_common(const msgpack_object *ev, const char *type, uint64_t ts,
    const char *db, const char *coll)
{
	uint64_t u = 0;
	const msgpack_object *src = cdc_map_get(ev, "src");

	T_KEY_STR(ev, "type", type);
	cdc_map_u64(ev, "ts", &u);
	T_EQ_UINT(u, ts);
	T_KEY_STR(ev, "db", db);
	if (coll)
		T_KEY_STR(ev, "collection", coll);
	else
		T_CHECK(cdc_map_get(ev, "collection") == NULL);
	T_CHECK(src != NULL);
	if (src) {
		T_KEY_STR(src, "topic", "by-dev-rootcoord-dml_3");
		T_EQ_INT(key_i64(src, "partition"), 0);
		T_EQ_INT(key_i64(src, "offset"), 42);
	}
}

T_TEST(milvus_insert_every_type)
{
	static struct all a;
	struct cdc_schemas *reg = cdc_schemas_new();
	struct got g;
	uint64_t rows = 0;

	all_build(&a);
	run_msg(&g, &a.r, "Insert", reg);
	T_EQ_INT(g.rc, 0);
	if (g.rc == 0) {
		T_EQ_INT(g.m.kind, CDC_MSG_EVENT);
		T_EQ_INT(g.m.prio, CDC_PRIO_INSERT);
		T_EQ_UINT(g.m.rows, 3);
		T_EQ_INT(g.m.msg_id, 7);
		check_common(&g.ev, "insert", 5002, "default", "all");
		T_EQ_INT(key_i64(&g.ev, "collection_id"), 900);
		T_KEY_STR(&g.ev, "partition", "_default");
		T_EQ_INT(key_i64(&g.ev, "partition_id"), 901);
		T_KEY_STR(&g.ev, "vchannel", "by-dev-rootcoord-dml_3_900v0");
		cdc_map_u64(&g.ev, "rows", &rows);
		T_EQ_UINT(rows, 3);
		T_CHECK(cdc_map_get(&g.ev, "pk") == NULL);
		T_EQ_UINT(cdc_map_get(&g.ev, "columns")->via.array.size, NCOLS);
		check_all_scalars(&g.ev);
		check_all_arrays(&g.ev);
		check_all_vectors(&g.ev);
	} else {
		t_fail(__FILE__, __LINE__, "%s", g.err);
	}
	done(&g);
	/* Known schema: pk and db from the registry. */
	cdc_schemas_put(reg, 900, "shop", "all", "id", CDC_DT_INT64, "\x80", 1);
	a.ts[1] = 4000;
	run_msg(&g, &a.r, NULL, reg);
	T_EQ_INT(g.rc, 0);
	if (g.rc == 0) {
		check_common(&g.ev, "insert", 5001, "shop", "all");
		T_KEY_STR(&g.ev, "pk", "id");
	}
	done(&g);
	cdc_schemas_free(reg);
}

/* === deletes === */

static void
delete_req(Milvus__Msg__DeleteRequest *r, Milvus__Common__MsgBase *b,
    uint64_t *ts, size_t nts)
{
	milvus__msg__delete_request__init(r);
	r->msg_base = base(b, MT(Delete), 3000);
	r->shardname = "by-dev-rootcoord-dml_3_900v0";
	r->collection_name = "all";
	r->collectionid = 900;
	r->partitionid = -1;
	r->timestamps = ts;
	r->n_timestamps = nts;
}

static void
check_int_keys(const msgpack_object *ev, const int64_t *want, uint32_t n)
{
	const msgpack_object *k = cdc_map_get(ev, "keys");
	int64_t v;

	T_CHECK(k && k->type == MSGPACK_OBJECT_ARRAY && k->via.array.size == n);
	for (uint32_t i = 0; k && i < n && i < k->via.array.size; i++) {
		T_EQ_INT(cdc_obj_i64(&k->via.array.ptr[i], &v), 0);
		T_EQ_INT(v, want[i]);
	}
}

T_TEST(milvus_delete_forms)
{
	struct cdc_schemas *reg = cdc_schemas_new();
	Milvus__Common__MsgBase b;
	Milvus__Msg__DeleteRequest r;
	Milvus__Schema__IDs ids = MILVUS__SCHEMA__IDS__INIT;
	Milvus__Schema__LongArray la = MILVUS__SCHEMA__LONG_ARRAY__INIT;
	Milvus__Schema__StringArray sa = MILVUS__SCHEMA__STRING_ARRAY__INIT;
	int64_t keys[] = {-5, 1LL << 60};
	char *skeys[] = {"a", "b\xc3\xa9"};
	uint64_t ts[] = {3005, 3007};
	struct got g;

	cdc_schemas_put(reg, 900, NULL, "all", "id", CDC_DT_INT64, "\x80", 1);
	/* Current form, all partitions (-1): no partition keys. */
	delete_req(&r, &b, ts, 2);
	la.n_data = 2, la.data = keys;
	ids.id_field_case = MILVUS__SCHEMA__IDS__ID_FIELD_INT_ID;
	ids.int_id = &la;
	r.primary_keys = &ids;
	r.num_rows = 2;
	run_msg(&g, &r, "Delete", reg);
	T_EQ_INT(g.rc, 0);
	T_EQ_INT(g.m.prio, CDC_PRIO_DELETE);
	T_EQ_UINT(g.m.rows, 2);
	T_EQ_INT(g.m.partition_id, -1);
	check_common(&g.ev, "delete", 3007, "default", "all");
	T_KEY_STR(&g.ev, "pk", "id");
	T_CHECK(cdc_map_get(&g.ev, "partition") == NULL);
	T_CHECK(cdc_map_get(&g.ev, "partition_id") == NULL);
	T_KEY_STR(&g.ev, "vchannel", "by-dev-rootcoord-dml_3_900v0");
	check_int_keys(&g.ev, keys, 2);
	done(&g);
	/* Legacy int64_primary_keys, no timestamps: the base ts. */
	delete_req(&r, &b, NULL, 0);
	r.int64_primary_keys = keys, r.n_int64_primary_keys = 2;
	run_msg(&g, &r, NULL, reg);
	T_EQ_INT(g.rc, 0);
	check_common(&g.ev, "delete", 3000, "default", "all");
	check_int_keys(&g.ev, keys, 2);
	done(&g);
	/* String keys in one named partition. */
	delete_req(&r, &b, ts, 2);
	sa.n_data = 2, sa.data = skeys;
	ids.id_field_case = MILVUS__SCHEMA__IDS__ID_FIELD_STR_ID;
	ids.str_id = &sa;
	r.primary_keys = &ids;
	r.partitionid = 901, r.partition_name = "p1";
	run_msg(&g, &r, "Delete", reg);
	T_EQ_INT(g.rc, 0);
	T_KEY_STR(&g.ev, "partition", "p1");
	T_EQ_INT(key_i64(&g.ev, "partition_id"), 901);
	T_CHECK(cdc_map_get(&g.ev, "keys") && str_is(&cdc_map_get(&g.ev,
	    "keys")->via.array.ptr[1], skeys[1]));
	done(&g);
	/* Counts that disagree are data errors. */
	r.num_rows = 3;
	run_msg(&g, &r, "Delete", reg);
	T_EQ_INT(g.rc, -1);
	T_EQ_STR(g.err, "cannot decode DeleteRequest: num_rows 3 for 2 keys");
	done(&g);
	r.num_rows = 0, r.n_timestamps = 1;
	run_msg(&g, &r, "Delete", reg);
	T_EQ_STR(g.err, "cannot decode DeleteRequest: 1 timestamps for 2 keys");
	done(&g);
	cdc_schemas_free(reg);
}

/* === replicate-msg requests === */

static Milvus__Common__KeyValuePair kv1 = {PROTOBUF_C_MESSAGE_INIT(
    &milvus__common__key_value_pair__descriptor), "index_type", "HNSW"};
static Milvus__Common__KeyValuePair *kvs[] = {&kv1};
static char *names2[] = {"p1", "p2"};

static int
arr_size(const msgpack_object *ev, const char *key)
{
	const msgpack_object *o = cdc_map_get(ev, key);

	return o && (o->type == MSGPACK_OBJECT_ARRAY) ? (int)o->via.array.size :
	    o && o->type == MSGPACK_OBJECT_MAP ? (int)o->via.map.size : -1;
}

/* Run one request under header name hdr, check the event type/db/coll. */
static void
ddl(struct got *g, const void *msg, const char *hdr, const char *type,
    const char *db, const char *coll, struct cdc_schemas *reg)
{
	run_msg(g, msg, hdr, reg);
	T_EQ_INT(g->rc, 0);
	if (g->rc != 0) {
		t_fail(__FILE__, __LINE__, "%s: %s", hdr, g->err);
		return;
	}
	T_EQ_INT(g->m.kind, CDC_MSG_EVENT);
	T_EQ_INT(g->m.prio, CDC_PRIO_OTHER);
	check_common(&g->ev, type, 8000, db, coll);
}

T_TEST(milvus_replicate_database_index)
{
	struct cdc_schemas *reg = cdc_schemas_new();
	Milvus__Common__MsgBase b;
	Milvus__Api__CreateDatabaseRequest cd =
	    MILVUS__API__CREATE_DATABASE_REQUEST__INIT;
	Milvus__Api__AlterDatabaseRequest ad =
	    MILVUS__API__ALTER_DATABASE_REQUEST__INIT;
	Milvus__Api__DropDatabaseRequest dd =
	    MILVUS__API__DROP_DATABASE_REQUEST__INIT;
	Milvus__Api__CreateIndexRequest ci =
	    MILVUS__API__CREATE_INDEX_REQUEST__INIT;
	Milvus__Api__DropIndexRequest di = MILVUS__API__DROP_INDEX_REQUEST__INIT;
	Milvus__Api__AlterIndexRequest ai = MILVUS__API__ALTER_INDEX_REQUEST__INIT;
	Milvus__Api__FlushRequest fl = MILVUS__API__FLUSH_REQUEST__INIT;
	struct got g;

	cd.msg_base = base(&b, MT(CreateDatabase), 8000);
	cd.db_name = "analytics", cd.properties = kvs, cd.n_properties = 1;
	ddl(&g, &cd, "CreateDatabase", "create_database", "analytics", NULL, reg);
	T_EQ_INT(arr_size(&g.ev, "properties"), 1);
	done(&g);
	ad.msg_base = base(&b, MT(AlterDatabase), 8000);
	ad.db_name = "analytics", ad.delete_keys = names2, ad.n_delete_keys = 2;
	ddl(&g, &ad, "AlterDatabase", "alter_database", "analytics", NULL, reg);
	T_EQ_INT(arr_size(&g.ev, "delete_keys"), 2);
	done(&g);
	dd.msg_base = base(&b, MT(DropDatabase), 8000);
	dd.db_name = "analytics";
	ddl(&g, &dd, NULL, "drop_database", "analytics", NULL, reg);
	done(&g);
	ci.msg_base = base(&b, MT(CreateIndex), 8000);
	ci.collection_name = "c", ci.field_name = "emb", ci.index_name = "ix";
	ci.extra_params = kvs, ci.n_extra_params = 1;
	ddl(&g, &ci, "CreateIndex", "create_index", "default", "c", reg);
	T_KEY_STR(&g.ev, "field", "emb");
	T_KEY_STR(&g.ev, "index_name", "ix");
	T_KEY_STR(cdc_map_get(&g.ev, "params"), "index_type", "HNSW");
	done(&g);
	di.msg_base = base(&b, MT(DropIndex), 8000);
	di.db_name = "d", di.collection_name = "c", di.index_name = "ix";
	ddl(&g, &di, "DropIndex", "drop_index", "d", "c", reg);
	T_CHECK(cdc_map_get(&g.ev, "field") == NULL);
	done(&g);
	ai.msg_base = base(&b, MT(AlterIndex), 8000);
	ai.collection_name = "c", ai.index_name = "ix";
	ai.extra_params = kvs, ai.n_extra_params = 1;
	ddl(&g, &ai, "AlterIndex", "alter_index", "default", "c", reg);
	T_EQ_INT(arr_size(&g.ev, "params"), 1);
	done(&g);
	fl.msg_base = base(&b, MT(Flush), 8000);
	fl.db_name = "d", fl.collection_names = names2;
	fl.n_collection_names = 2;
	ddl(&g, &fl, "Flush", "flush", "d", NULL, reg);
	T_EQ_INT(arr_size(&g.ev, "collections"), 2);
	done(&g);
	cdc_schemas_free(reg);
}

T_TEST(milvus_replicate_load_alias)
{
	struct cdc_schemas *reg = cdc_schemas_new();
	Milvus__Common__MsgBase b;
	Milvus__Api__LoadCollectionRequest lc =
	    MILVUS__API__LOAD_COLLECTION_REQUEST__INIT;
	Milvus__Api__ReleaseCollectionRequest rc =
	    MILVUS__API__RELEASE_COLLECTION_REQUEST__INIT;
	Milvus__Api__LoadPartitionsRequest lp =
	    MILVUS__API__LOAD_PARTITIONS_REQUEST__INIT;
	Milvus__Api__ReleasePartitionsRequest rp =
	    MILVUS__API__RELEASE_PARTITIONS_REQUEST__INIT;
	Milvus__Api__AliasRequest al = MILVUS__API__ALIAS_REQUEST__INIT;
	Milvus__Api__DropAliasRequest da = MILVUS__API__DROP_ALIAS_REQUEST__INIT;
	struct got g;

	lc.msg_base = base(&b, MT(LoadCollection), 8000);
	lc.collection_name = "c", lc.replica_number = 2;
	lc.load_fields = names2, lc.n_load_fields = 2;
	ddl(&g, &lc, "LoadCollection", "load_collection", "default", "c", reg);
	T_EQ_INT(key_i64(&g.ev, "replica_number"), 2);
	T_EQ_INT(arr_size(&g.ev, "load_fields"), 2);
	done(&g);
	rc.msg_base = base(&b, MT(ReleaseCollection), 8000);
	rc.collection_name = "c";
	ddl(&g, &rc, "ReleaseCollection", "release_collection", "default", "c",
	    reg);
	done(&g);
	lp.msg_base = base(&b, MT(LoadPartitions), 8000);
	lp.collection_name = "c";
	lp.partition_names = names2, lp.n_partition_names = 2;
	ddl(&g, &lp, "LoadPartitions", "load_partitions", "default", "c", reg);
	T_EQ_INT(arr_size(&g.ev, "partitions"), 2);
	done(&g);
	rp.msg_base = base(&b, MT(ReleasePartitions), 8000);
	rp.collection_name = "c";
	rp.partition_names = names2, rp.n_partition_names = 1;
	ddl(&g, &rp, NULL, "release_partitions", "default", "c", reg);
	T_EQ_INT(arr_size(&g.ev, "partitions"), 1);
	done(&g);
	al.msg_base = base(&b, MT(CreateAlias), 8000);
	al.collection_name = "c", al.alias = "a";
	ddl(&g, &al, "CreateAlias", "create_alias", "default", "c", reg);
	T_KEY_STR(&g.ev, "alias", "a");
	done(&g);
	al.msg_base->msg_type = MT(AlterAlias);
	ddl(&g, &al, "AlterAlias", "alter_alias", "default", "c", reg);
	done(&g);
	da.msg_base = base(&b, MT(DropAlias), 8000);
	da.db_name = "d", da.alias = "a";
	ddl(&g, &da, "DropAlias", "drop_alias", "d", NULL, reg);
	T_KEY_STR(&g.ev, "alias", "a");
	done(&g);
	cdc_schemas_free(reg);
}

T_TEST(milvus_replicate_alter_rename)
{
	struct cdc_schemas *reg = cdc_schemas_new();
	Milvus__Common__MsgBase b;
	Milvus__Common__ReplicateInfo ri = MILVUS__COMMON__REPLICATE_INFO__INIT;
	Milvus__Api__AlterCollectionRequest ac =
	    MILVUS__API__ALTER_COLLECTION_REQUEST__INIT;
	Milvus__Api__AlterCollectionFieldRequest af =
	    MILVUS__API__ALTER_COLLECTION_FIELD_REQUEST__INIT;
	Milvus__Api__RenameCollectionRequest rn =
	    MILVUS__API__RENAME_COLLECTION_REQUEST__INIT;
	struct got g;

	cdc_schemas_put(reg, 900, "d", "c", "id", CDC_DT_INT64, "\x80", 1);
	ac.msg_base = base(&b, MT(AlterCollection), 8000);
	ac.db_name = "d", ac.collection_name = "c", ac.collectionid = 900;
	ac.properties = kvs, ac.n_properties = 1;
	ddl(&g, &ac, "AlterCollection", "alter_collection", "d", "c", reg);
	T_EQ_INT(key_i64(&g.ev, "collection_id"), 900);
	T_EQ_INT(arr_size(&g.ev, "properties"), 1);
	T_CHECK(cdc_map_get(&g.ev, "field") == NULL);
	done(&g);
	af.msg_base = base(&b, MT(AlterCollectionField), 8000);
	af.db_name = "d", af.collection_name = "c", af.field_name = "title";
	af.properties = kvs, af.n_properties = 1;
	ddl(&g, &af, "AlterCollectionField", "alter_collection", "d", "c", reg);
	T_KEY_STR(&g.ev, "field", "title");
	T_EQ_INT(key_i64(&g.ev, "collection_id"), 900);
	done(&g);
	/* A replicated request: its source ts wins over base.timestamp. */
	rn.msg_base = base(&b, MT(RenameCollection), 1);
	ri.isreplicate = 1, ri.msgtimestamp = 8000;
	b.replicateinfo = &ri;
	rn.db_name = "d", rn.oldname = "c", rn.newname = "c2";
	rn.newdbname = "e";
	ddl(&g, &rn, "RenameCollection", "rename_collection", "d", "c", reg);
	T_KEY_STR(&g.ev, "new_name", "c2");
	T_KEY_STR(&g.ev, "new_db", "e");
	done(&g);
	T_CHECK(cdc_schemas_by_name(reg, "d", 1, "c", 1) == NULL);
	T_CHECK(cdc_schemas_by_name(reg, "e", 1, "c2", 2) ==
	    cdc_schemas_by_id(reg, 900));
	cdc_schemas_free(reg);
}

/* === DML-channel DDL, ticks, skips === */

struct coll {
	Milvus__Common__MsgBase b;
	Milvus__Msg__CreateCollectionRequest r;
	Milvus__Schema__CollectionSchema s;
	Milvus__Schema__FieldSchema f[5], *fp[5];
	Milvus__Schema__FunctionSchema fn, *fnp[1];
	Milvus__Schema__ValueField dv;
	Milvus__Common__KeyValuePair dim, *dimp[1];
	char *vch[2];
	int64_t pids[1];
	uint8_t *packed;
};

static void
field(Milvus__Schema__FieldSchema *f, int64_t id, const char *name, int dt)
{
	milvus__schema__field_schema__init(f);
	f->fieldid = id;
	f->name = (char *)name;
	f->data_type = dt;
}

static void
coll_build(struct coll *c, const char *db)
{
	size_t len;

	memset(c, 0, sizeof *c);
	milvus__schema__collection_schema__init(&c->s);
	field(&c->f[0], 0, "RowID", CDC_DT_INT64);
	field(&c->f[1], 1, "Timestamp", CDC_DT_INT64);
	field(&c->f[2], 100, "key", CDC_DT_VARCHAR);
	c->f[2].is_primary_key = 1;
	field(&c->f[3], 101, "v", CDC_DT_FLOAT_VECTOR);
	milvus__common__key_value_pair__init(&c->dim);
	c->dim.key = "dim", c->dim.value = "2", c->dimp[0] = &c->dim;
	c->f[3].type_params = c->dimp, c->f[3].n_type_params = 1;
	field(&c->f[4], 102, "n", CDC_DT_INT32);
	c->f[4].nullable = 1;
	milvus__schema__value_field__init(&c->dv);
	c->dv.data_case = MILVUS__SCHEMA__VALUE_FIELD__DATA_INT_DATA;
	c->dv.int_data = -4;
	c->f[4].default_value = &c->dv;
	for (int i = 0; i < 5; i++)
		c->fp[i] = &c->f[i];
	milvus__schema__function_schema__init(&c->fn);
	c->fn.name = "bm", c->fn.type = MILVUS__SCHEMA__FUNCTION_TYPE__BM25;
	c->fnp[0] = &c->fn;
	c->s.name = "notes", c->s.fields = c->fp, c->s.n_fields = 5;
	c->s.functions = c->fnp, c->s.n_functions = 1;
	c->s.enable_dynamic_field = 1, c->s.dbname = (char *)db;
	c->packed = enc(&c->s, &len);
	milvus__msg__create_collection_request__init(&c->r);
	c->r.msg_base = base(&c->b, MT(CreateCollection), 8000);
	c->r.collectionid = 50;
	c->r.schema = (ProtobufCBinaryData){len, c->packed};
	c->vch[0] = "x_50v0", c->vch[1] = "y_50v1";
	c->r.virtualchannelnames = c->vch, c->r.n_virtualchannelnames = 2;
	c->pids[0] = 51;
	c->r.partitionids = c->pids, c->r.n_partitionids = 1;
}

static void
check_schema_map(const msgpack_object *s)
{
	const msgpack_object *fs = cdc_map_get(s, "fields"), *f;

	T_KEY_STR(s, "name", "notes");
	T_EQ_INT(key_i64(s, "shards"), 2);
	T_CHECK(cdc_map_get(s, "consistency_level") == NULL);
	T_CHECK(cdc_map_get(s, "enable_dynamic_field") &&
	    cdc_map_get(s, "enable_dynamic_field")->via.boolean);
	T_CHECK(fs && fs->via.array.size == 3);	/* RowID, Timestamp left out */
	if (!fs || fs->via.array.size != 3)
		return;
	T_KEY_STR(&fs->via.array.ptr[0], "name", "key");
	T_CHECK(cdc_map_get(&fs->via.array.ptr[0], "primary_key")->via.boolean);
	T_KEY_STR(&fs->via.array.ptr[0], "type", "VarChar");
	T_KEY_STR(cdc_map_get(&fs->via.array.ptr[1], "params"), "dim", "2");
	f = &fs->via.array.ptr[2];
	T_EQ_INT(key_i64(f, "default_value"), -4);
	T_CHECK(cdc_map_get(f, "nullable")->via.boolean);
	T_EQ_INT(arr_size(s, "functions"), 1);
	T_KEY_STR(&cdc_map_get(s, "functions")->via.array.ptr[0], "type",
	    "BM25");
}

T_TEST(milvus_create_drop_collection)
{
	struct cdc_schemas *reg = cdc_schemas_new();
	static struct coll c;
	Milvus__Msg__DropCollectionRequest dc =
	    MILVUS__MSG__DROP_COLLECTION_REQUEST__INIT;
	struct cdc_schema *s;
	struct got g;

	coll_build(&c, "");
	ddl(&g, &c.r, NULL, "create_collection", "default", "notes", reg);
	T_EQ_INT(g.m.broadcast, 1);
	T_EQ_INT(key_i64(&g.ev, "collection_id"), 50);
	T_EQ_INT(arr_size(&g.ev, "partition_ids"), 1);
	check_schema_map(cdc_map_get(&g.ev, "schema"));
	done(&g);
	s = cdc_schemas_by_id(reg, 50);
	T_CHECK(s && strcmp(s->db, "default") == 0 && s->pk &&
	    strcmp(s->pk, "key") == 0 && s->pk_type == CDC_DT_VARCHAR);
	free(c.packed);
	coll_build(&c, "shop");	/* 2.4.18+: the schema names its db */
	ddl(&g, &c.r, NULL, "create_collection", "shop", "notes", reg);
	done(&g);
	T_CHECK(cdc_schemas_by_name(reg, "shop", 4, "notes", 5) != NULL);
	dc.msg_base = base(&c.b, MT(DropCollection), 8000);
	dc.collectionid = 50;
	ddl(&g, &dc, NULL, "drop_collection", "shop", "notes", reg);
	done(&g);
	T_CHECK(cdc_schemas_by_id(reg, 50) == NULL);
	/* A schema that is not a CollectionSchema. */
	c.r.schema.len = 3;
	c.b.msg_type = MT(CreateCollection);
	run_msg(&g, &c.r, NULL, reg);
	T_EQ_INT(g.rc, -1);
	T_CHECK(strstr(g.err, "cannot decode CreateCollectionRequest: "
	    "malformed schema: ") == g.err);
	done(&g);
	free(c.packed);
	cdc_schemas_free(reg);
}

T_TEST(milvus_partitions_and_ticks)
{
	struct cdc_schemas *reg = cdc_schemas_new();
	Milvus__Common__MsgBase b;
	Milvus__Msg__DropPartitionRequest dp =
	    MILVUS__MSG__DROP_PARTITION_REQUEST__INIT;
	Milvus__Msg__TimeTickMsg tt = MILVUS__MSG__TIME_TICK_MSG__INIT;
	struct got g;

	cdc_schemas_put(reg, 50, "shop", "notes", "key", CDC_DT_VARCHAR,
	    "\x80", 1);
	dp.msg_base = base(&b, MT(DropPartition), 8000);
	dp.collectionid = 50, dp.partitionid = 52, dp.partition_name = "p";
	ddl(&g, &dp, NULL, "drop_partition", "shop", "notes", reg);
	T_KEY_STR(&g.ev, "partition", "p");
	T_EQ_INT(key_i64(&g.ev, "partition_id"), 52);
	T_EQ_INT(g.m.broadcast, 1);
	done(&g);
	b.msg_type = MT(CreatePartition);
	ddl(&g, &dp, "CreatePartition", "create_partition", "shop", "notes",
	    reg);
	done(&g);
	tt.msg_base = base(&b, MT(TimeTick), 9000);
	run_msg(&g, &tt, NULL, reg);
	T_EQ_INT(g.rc, 0);
	T_EQ_INT(g.m.kind, CDC_MSG_TICK);
	T_EQ_UINT(g.m.ts, 9000);
	done(&g);
	cdc_schemas_free(reg);
}

T_TEST(milvus_skips_never_decoded)
{
	static const int skip[] = {1500, 1502, 1503, 1600, 1601, 1602, 1606,
	    1610, 1611, 1613, 1614, 1208, 1212, 408};
	/* CreateCredentialRequest's username and password (fields 2, 3) are
	 * not in our .proto files at all; append them to a MsgHeader. */
	static const char secret[] = "\x12\x04" "root" "\x1a\x08" "c2VjcmV0";
	Milvus__Common__MsgBase b;
	Milvus__Common__MsgHeader mh = MILVUS__COMMON__MSG_HEADER__INIT;
	struct got g;
	uint8_t *p;
	size_t len;

	mh.msg_base = base(&b, 0, 8000);
	for (size_t i = 0; i < sizeof skip / sizeof skip[0]; i++) {
		const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value(
		    &milvus__common__msg_type__descriptor, skip[i]);

		b.msg_type = skip[i];
		p = enc(&mh, &len);
		p = realloc(p, len + sizeof secret);
		memcpy(p + len, secret, sizeof secret - 1);
		run(&g, p, len + sizeof secret - 1, v ? v->name : NULL, NULL);
		T_EQ_INT(g.rc, 0);
		T_EQ_INT(g.m.kind, CDC_MSG_SKIP);
		T_CHECK(g.m.skip_why != NULL && g.m.pb == NULL);
		done(&g);
		run(&g, p, len + sizeof secret - 1, NULL, NULL);
		T_EQ_INT(g.m.kind, CDC_MSG_SKIP);	/* type from MsgBase */
		done(&g);
		free(p);
	}
}

/* === malformed records: each a -1 that names the problem === */

static void
want_err(struct all *a, const char *want, int line)
{
	struct got g;

	run_msg(&g, &a->r, "Insert", NULL);
	if (g.rc != -1 || strcmp(g.err, want) != 0)
		t_fail(__FILE__, line, "rc %d \"%s\", want \"%s\"", g.rc,
		    g.rc == -1 ? g.err : "", want);
	done(&g);
	all_build(a);
}

#define WANT_ERR(a, want) want_err((a), (want), __LINE__)

T_TEST(milvus_malformed_columns)
{
	static struct all a;
	static float six[6];

	all_build(&a);
	a.i16.n_data = 2;
	WANT_ERR(&a, "cannot decode InsertRequest: column \"i16\": 2 values "
	    "for 3 rows");
	a.fv.n_data = 5;
	WANT_ERR(&a, "cannot decode InsertRequest: column \"fv\": FloatVector "
	    "of dim 2 holds 20 bytes for 3 rows, want 24");
	a.v[1].dim = 12, a.v[1].binary_vector.len = 6;
	WANT_ERR(&a, "cannot decode InsertRequest: column \"bv\": BinaryVector "
	    "of dim 12 holds 6 bytes for 3 rows, want 6");
	a.v[2].float16_vector.len = 5;
	WANT_ERR(&a, "cannot decode InsertRequest: column \"hv\": "
	    "Float16Vector of dim 1 holds 5 bytes for 3 rows, want 6");
	a.f[2].n_valid_data = 2;
	WANT_ERR(&a, "cannot decode InsertRequest: column \"i32\": 2 validity "
	    "flags for 3 rows");
	a.s[5].data_case = SC(DOUBLE_DATA), a.s[5].double_data = &a.db;
	WANT_ERR(&a, "cannot decode InsertRequest: column \"f\": Float values "
	    "in the wrong carrier (5)");
	a.sp_b[2].len = 7;
	WANT_ERR(&a, "cannot decode InsertRequest: column \"sv\": row 2: "
	    "sparse row of 7 bytes is not a multiple of 8");
	a.sp.n_contents = 2;
	WANT_ERR(&a, "cannot decode InsertRequest: column \"sv\": sparse "
	    "vector with 2 rows for 3");
	a.arow[3].data_case = SC(INT_DATA), a.arow[3].int_data = &a.ae0;
	WANT_ERR(&a, "cannot decode InsertRequest: column \"arrs\": row 0: "
	    "array element carrier (2) does not match VarChar");
	a.f[0].type = 77;
	WANT_ERR(&a, "cannot decode InsertRequest: column \"i8\": unsupported "
	    "data type 77");
	a.r.n_timestamps = 2;
	WANT_ERR(&a, "cannot decode InsertRequest: 2 timestamps for 3 rows");
	/* A huge row count against a vector column first: an error, and no
	 * arithmetic overflow (UBSan). */
	a.fp[0] = &a.f[14], a.fv.data = six, a.r.n_timestamps = 0;
	a.r.num_rows = 1ULL << 62;
	WANT_ERR(&a, "cannot decode InsertRequest: column \"fv\": FloatVector "
	    "of dim 2 holds 24 bytes for 4611686018427387904 rows, want -2");
	a.fp[0] = &a.f[14], a.v[0].dim = INT64_MAX;
	WANT_ERR(&a, "cannot decode InsertRequest: column \"fv\": FloatVector "
	    "of dim 9223372036854775807 holds 24 bytes for 3 rows, want -2");
}

static void
raw_err(const void *p, size_t len, const char *hdr, const char *want,
    int line)
{
	struct got g;

	run(&g, p, len, hdr, NULL);
	if (g.rc != -1 || strncmp(g.err, want, strlen(want)) != 0)
		t_fail(__FILE__, line, "rc %d \"%s\", want \"%s...\"", g.rc,
		    g.rc == -1 ? g.err : "", want);
	done(&g);
}

#define RAW_ERR(p, n, hdr, want) raw_err((p), (n), (hdr), (want), __LINE__)

T_TEST(milvus_malformed_wire)
{
	static struct all a;
	struct cdc_kafka_header h = {"_v", "1", 1};
	struct cdc_record rec = {"t", 0, 0, "", 0, &h, 1};
	struct cdc_msg m;
	char err[256];
	uint8_t *p;
	size_t len;

	T_EQ_INT(cdc_milvus_decode(&rec, &m, err, sizeof err), -1);
	T_EQ_STR(err, "Milvus 2.6 WAL records (header _v) are not supported "
	    "yet");
	all_build(&a);
	p = enc(&a.r, &len);
	p = realloc(p, len + 3);
	RAW_ERR(p, len - 1, "Insert", "cannot decode InsertRequest: version: "
	    "truncated varint at byte");
	RAW_ERR(p, 5, "Insert", "cannot decode InsertRequest: msg_base");
	RAW_ERR(p, 3, NULL, "not a Milvus message: msg_base");
	memcpy(p + len, "\x72\x01\x05", 3);	/* num_rows (14) as bytes */
	RAW_ERR(p, len + 3, "Insert", "cannot decode InsertRequest: num_rows: "
	    "wire type 2, want 0 at byte");
	p[1] = 0xff, p[2] = 0x7f;	/* msg_base's length, past the end */
	RAW_ERR(p, len, "Insert", "cannot decode InsertRequest: msg_base: "
	    "truncated field at byte 1");
	RAW_ERR(p, len, "Bogus", "not a Milvus message: msg_base: truncated "
	    "field at byte 1");
	RAW_ERR("\x0a\x03\x08\xe8\x07", 5, "Bogus", "unsupported message type "
	    "1000 (unknown)");
	RAW_ERR("\x0a\x03\x08\xe8\x07", 5, NULL, "unsupported message type "
	    "1000 (unknown)");
	free(p);
}

/* Every prefix and 2000 random byte flips of the every-type Insert and a
 * CreateCollection: a message or a clean error, never a crash (ASan). */
T_TEST(milvus_fuzz_prefix_and_flips)
{
	static struct all a;
	static struct coll c;
	uint8_t *recs[2], *buf;
	size_t lens[2];
	unsigned seed = 99;
	struct cdc_schemas *reg = cdc_schemas_new();

	all_build(&a);
	coll_build(&c, "db");
	recs[0] = enc(&a.r, &lens[0]);
	recs[1] = enc(&c.r, &lens[1]);
	for (int k = 0; k < 2; k++) {
		struct got g;

		buf = malloc(lens[k]);
		for (size_t cut = 0; cut < lens[k]; cut++) {
			run(&g, recs[k], cut, k ? NULL : "Insert", reg);
			done(&g);
		}
		for (int i = 0; i < 1000; i++) {
			memcpy(buf, recs[k], lens[k]);
			for (int f = 0; f < 1 + i % 3; f++) {
				seed = seed * 1103515245 + 12345;
				buf[(seed >> 8) % lens[k]] ^= (uint8_t)(1 +
				    (seed >> 20) % 255);
			}
			run(&g, buf, lens[k], k ? NULL : "Insert", reg);
			T_CHECK(g.rc != -2);
			done(&g);
		}
		free(buf);
		free(recs[k]);
	}
	free(c.packed);
	cdc_schemas_free(reg);
}

/* The decoder reads MsgBase through MsgHeader's layout for every request
 * type: each must have msg_base as field 1 at the same offset. */
T_TEST(milvus_msg_base_layout)
{
	static const ProtobufCMessageDescriptor *const d[] = {
	    &milvus__msg__insert_request__descriptor,
	    &milvus__msg__delete_request__descriptor,
	    &milvus__msg__time_tick_msg__descriptor,
	    &milvus__msg__create_collection_request__descriptor,
	    &milvus__msg__drop_collection_request__descriptor,
	    &milvus__msg__create_partition_request__descriptor,
	    &milvus__msg__drop_partition_request__descriptor,
	    &milvus__api__create_database_request__descriptor,
	    &milvus__api__drop_database_request__descriptor,
	    &milvus__api__alter_database_request__descriptor,
	    &milvus__api__flush_request__descriptor,
	    &milvus__api__create_index_request__descriptor,
	    &milvus__api__drop_index_request__descriptor,
	    &milvus__api__alter_index_request__descriptor,
	    &milvus__api__load_collection_request__descriptor,
	    &milvus__api__release_collection_request__descriptor,
	    &milvus__api__load_partitions_request__descriptor,
	    &milvus__api__release_partitions_request__descriptor,
	    &milvus__api__alter_collection_request__descriptor,
	    &milvus__api__alter_collection_field_request__descriptor,
	    &milvus__api__rename_collection_request__descriptor,
	    &milvus__api__alias_request__descriptor,
	    &milvus__api__drop_alias_request__descriptor,
	};
	const ProtobufCFieldDescriptor *h = protobuf_c_message_descriptor_get_field(
	    &milvus__common__msg_header__descriptor, 1);

	for (size_t i = 0; i < sizeof d / sizeof d[0]; i++) {
		const ProtobufCFieldDescriptor *f =
		    protobuf_c_message_descriptor_get_field(d[i], 1);

		T_CHECK(f && f->type == PROTOBUF_C_TYPE_MESSAGE &&
		    f->descriptor == &milvus__common__msg_base__descriptor &&
		    f->offset == h->offset);
	}
}
