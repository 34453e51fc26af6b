/*
 * cdc_milvus_cols.c - Milvus column data (schema.FieldData) packed as the
 * "columns" of an insert event, per cdc-stream(5) "Columns".  Every length is
 * checked against the row count before a byte is packed, so a malformed
 * record becomes an error and never a short or torn event.
 */
#include <string.h>

#include "cdc_event.h"
#include "cdc_milvus_int.h"

#define SC(x) MILVUS__SCHEMA__SCALAR_FIELD__DATA_##x
#define VC(x) MILVUS__SCHEMA__VECTOR_FIELD__DATA_##x

/* The carrier (oneof case) each scalar type must arrive in. */
static int
scalar_case(int dt)
{
	switch (dt) {
	case CDC_DT_BOOL: return SC(BOOL_DATA);
	case CDC_DT_INT8: case CDC_DT_INT16: case CDC_DT_INT32:
		return SC(INT_DATA);
	case CDC_DT_INT64: return SC(LONG_DATA);
	case CDC_DT_FLOAT: return SC(FLOAT_DATA);
	case CDC_DT_DOUBLE: return SC(DOUBLE_DATA);
	case CDC_DT_STRING: case CDC_DT_VARCHAR: case CDC_DT_TEXT:
		return SC(STRING_DATA);
	case CDC_DT_ARRAY: return SC(ARRAY_DATA);
	case CDC_DT_JSON: return SC(JSON_DATA);
	case CDC_DT_GEOMETRY: return SC(GEOMETRY_DATA);
	case CDC_DT_TIMESTAMPTZ: return SC(TIMESTAMPTZ_DATA);
	default: return -1;
	}
}

/* Number of values a scalar field holds (its carrier must match). */
static size_t
scalar_len(const Milvus__Schema__ScalarField *s)
{
	switch ((int)s->data_case) {
	case SC(BOOL_DATA): return s->bool_data->n_data;
	case SC(INT_DATA): return s->int_data->n_data;
	case SC(LONG_DATA): return s->long_data->n_data;
	case SC(FLOAT_DATA): return s->float_data->n_data;
	case SC(DOUBLE_DATA): return s->double_data->n_data;
	case SC(STRING_DATA): return s->string_data->n_data;
	case SC(ARRAY_DATA): return s->array_data->n_data;
	case SC(JSON_DATA): return s->json_data->n_data;
	case SC(GEOMETRY_DATA): return s->geometry_data->n_data;
	case SC(TIMESTAMPTZ_DATA): return s->timestamptz_data->n_data;
	default: return 0;
	}
}

static void
pack_bytes_arr(msgpack_packer *pk, const ProtobufCBinaryData *d, size_t n,
    int as_str)
{
	msgpack_pack_array(pk, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		if (as_str)
			cdc_pack_str(pk, (const char *)d[i].data, d[i].len);
		else
			cdc_pack_bin(pk, d[i].data, d[i].len);
	}
}

/* Pack the n values of scalar field s (carrier already checked). */
static void
pack_scalar_values(msgpack_packer *pk, const Milvus__Schema__ScalarField *s)
{
	size_t n = scalar_len(s), i;

	if (s->data_case == SC(JSON_DATA)) {
		pack_bytes_arr(pk, s->json_data->data, n, 1);
		return;
	}
	if (s->data_case == SC(GEOMETRY_DATA)) {
		pack_bytes_arr(pk, s->geometry_data->data, n, 0);
		return;
	}
	msgpack_pack_array(pk, (uint32_t)n);
	for (i = 0; i < n; i++) {
		switch ((int)s->data_case) {
		case SC(BOOL_DATA):
			if (s->bool_data->data[i])
				msgpack_pack_true(pk);
			else
				msgpack_pack_false(pk);
			break;
		case SC(INT_DATA):
			msgpack_pack_int32(pk, s->int_data->data[i]);
			break;
		case SC(LONG_DATA):
			msgpack_pack_int64(pk, s->long_data->data[i]);
			break;
		case SC(FLOAT_DATA):
			msgpack_pack_float(pk, s->float_data->data[i]);
			break;
		case SC(DOUBLE_DATA):
			msgpack_pack_double(pk, s->double_data->data[i]);
			break;
		case SC(STRING_DATA):
			cdc_pack_cstr(pk, s->string_data->data[i]);
			break;
		case SC(TIMESTAMPTZ_DATA):
			msgpack_pack_int64(pk, s->timestamptz_data->data[i]);
			break;
		}
	}
}

static int
check_scalar(const Milvus__Schema__ScalarField *s, int dt, size_t rows,
    const char *name, char *err, size_t errsz)
{
	if (rows == 0 && s->data_case == SC(_NOT_SET))
		return 0;
	if ((int)s->data_case != scalar_case(dt)) {
		snprintf(err, errsz, "column \"%s\": %s values in the wrong "
		    "carrier (%d)", name, cdc_dtype_name(dt),
		    (int)s->data_case);
		return -1;
	}
	if (scalar_len(s) != rows) {
		snprintf(err, errsz, "column \"%s\": %zu values for %zu rows",
		    name, scalar_len(s), rows);
		return -1;
	}
	return 0;
}

/* Array column: every row a ScalarField of element type et (or empty). */
static int
check_array(const Milvus__Schema__ArrayArray *a, const char *name, char *err,
    size_t errsz)
{
	int et = (int)a->element_type;

	if (scalar_case(et) < 0 || et == CDC_DT_ARRAY) {
		snprintf(err, errsz, "column \"%s\": unsupported array "
		    "element type %d", name, et);
		return -1;
	}
	for (size_t i = 0; i < a->n_data; i++) {
		const Milvus__Schema__ScalarField *e = a->data[i];

		if (e->data_case != SC(_NOT_SET) &&
		    (int)e->data_case != scalar_case(et)) {
			snprintf(err, errsz, "column \"%s\": row %zu: array "
			    "element carrier (%d) does not match %s", name, i,
			    (int)e->data_case, cdc_dtype_name(et));
			return -1;
		}
	}
	return 0;
}

static void
pack_array(msgpack_packer *pk, const Milvus__Schema__ArrayArray *a)
{
	msgpack_pack_array(pk, (uint32_t)a->n_data);
	for (size_t i = 0; i < a->n_data; i++) {
		if (a->data[i]->data_case == SC(_NOT_SET))
			msgpack_pack_array(pk, 0);
		else
			pack_scalar_values(pk, a->data[i]);
	}
}

/* Bytes a vector field carries in its oneof; -1 if the carrier is wrong. */
static long long
vector_bytes(const Milvus__Schema__VectorField *v, int dt)
{
	switch (dt) {
	case CDC_DT_FLOAT_VECTOR:
		return v->data_case == VC(FLOAT_VECTOR) ?
		    (long long)v->float_vector->n_data * 4 : -1;
	case CDC_DT_BINARY_VECTOR:
		return v->data_case == VC(BINARY_VECTOR) ?
		    (long long)v->binary_vector.len : -1;
	case CDC_DT_FLOAT16_VECTOR:
		return v->data_case == VC(FLOAT16_VECTOR) ?
		    (long long)v->float16_vector.len : -1;
	case CDC_DT_BFLOAT16_VECTOR:
		return v->data_case == VC(BFLOAT16_VECTOR) ?
		    (long long)v->bfloat16_vector.len : -1;
	case CDC_DT_INT8_VECTOR:
		return v->data_case == VC(INT8_VECTOR) ?
		    (long long)v->int8_vector.len : -1;
	default:
		return -1;
	}
}

static const void *
vector_ptr(const Milvus__Schema__VectorField *v, int dt)
{
	switch (dt) {
	case CDC_DT_FLOAT_VECTOR: return v->float_vector->data;
	case CDC_DT_BINARY_VECTOR: return v->binary_vector.data;
	case CDC_DT_FLOAT16_VECTOR: return v->float16_vector.data;
	case CDC_DT_BFLOAT16_VECTOR: return v->bfloat16_vector.data;
	default: return v->int8_vector.data;
	}
}

static int
check_sparse(const Milvus__Schema__VectorField *v, size_t rows,
    const char *name, char *err, size_t errsz)
{
	const Milvus__Schema__SparseFloatArray *s = v->sparse_float_vector;

	if (v->data_case != VC(SPARSE_FLOAT_VECTOR) || s->n_contents != rows) {
		snprintf(err, errsz, "column \"%s\": sparse vector with %zu "
		    "rows for %zu", name, v->data_case ==
		    VC(SPARSE_FLOAT_VECTOR) ? s->n_contents : 0, rows);
		return -1;
	}
	for (size_t i = 0; i < rows; i++) {
		if (s->contents[i].len % 8 != 0) {
			snprintf(err, errsz, "column \"%s\": row %zu: sparse "
			    "row of %zu bytes is not a multiple of 8", name, i,
			    s->contents[i].len);
			return -1;
		}
	}
	return 0;
}

static int
check_vector(const Milvus__Schema__VectorField *v, int dt, size_t rows,
    const char *name, char *err, size_t errsz)
{
	long long have, want;

	if (dt == CDC_DT_SPARSE_FLOAT_VECTOR)
		return check_sparse(v, rows, name, err, errsz);
	if (rows == 0 && v->data_case == VC(_NOT_SET))
		return 0;
	have = vector_bytes(v, dt);
	/* A corrupt dim or row count must not overflow the product: both
	 * sides are bounded by the record size when they are equal. */
	want = v->dim > 0 && v->dim < (1LL << 40) && rows < (1ULL << 40) ?
	    (long long)(rows * cdc_dtype_row_bytes(dt, v->dim)) : -2;
	if (have < 0 || v->dim <= 0 || have != want ||
	    (dt == CDC_DT_BINARY_VECTOR && v->dim % 8 != 0)) {
		snprintf(err, errsz, "column \"%s\": %s of dim %lld holds %lld "
		    "bytes for %zu rows, want %lld", name, cdc_dtype_name(dt),
		    (long long)v->dim, have, rows, want);
		return -1;
	}
	return 0;
}

static void
pack_vector(msgpack_packer *pk, const Milvus__Schema__VectorField *v, int dt,
    size_t rows)
{
	if (dt == CDC_DT_SPARSE_FLOAT_VECTOR) {
		pack_bytes_arr(pk, v->sparse_float_vector->contents, rows, 0);
		return;
	}
	if (rows == 0) {
		cdc_pack_bin(pk, "", 0);
		return;
	}
	/* Packed little-endian: the in-memory layout on every host we build
	 * for (checked at compile time in cdc_milvus.c). */
	cdc_pack_bin(pk, vector_ptr(v, dt), (size_t)vector_bytes(v, dt));
}

/* Validate one column; fills *dt.  0 or -1. */
static int
check_column(const Milvus__Schema__FieldData *f, size_t rows, int *dt,
    char *err, size_t errsz)
{
	const char *name = f->field_name;

	*dt = (int)f->type;
	if (!cdc_dtype_name(*dt) || *dt == CDC_DT_NONE) {
		snprintf(err, errsz, "column \"%s\": unsupported data type %d",
		    name, *dt);
		return -1;
	}
	if (f->n_valid_data != 0 && f->n_valid_data != rows) {
		snprintf(err, errsz, "column \"%s\": %zu validity flags for "
		    "%zu rows", name, f->n_valid_data, rows);
		return -1;
	}
	if (cdc_dtype_is_vector(*dt)) {
		if (f->field_case != MILVUS__SCHEMA__FIELD_DATA__FIELD_VECTORS) {
			snprintf(err, errsz, "column \"%s\": vector type "
			    "without vector data", name);
			return -1;
		}
		return check_vector(f->vectors, *dt, rows, name, err, errsz);
	}
	if (f->field_case != MILVUS__SCHEMA__FIELD_DATA__FIELD_SCALARS) {
		if (rows == 0)
			return 0;
		snprintf(err, errsz, "column \"%s\": scalar type without "
		    "scalar data", name);
		return -1;
	}
	if (check_scalar(f->scalars, *dt, rows, name, err, errsz) < 0)
		return -1;
	if (*dt == CDC_DT_ARRAY && rows > 0)
		return check_array(f->scalars->array_data, name, err, errsz);
	return 0;
}

static int
array_elem_type(const Milvus__Schema__FieldData *f)
{
	if (f->field_case == MILVUS__SCHEMA__FIELD_DATA__FIELD_SCALARS &&
	    f->scalars->data_case == SC(ARRAY_DATA))
		return (int)f->scalars->array_data->element_type;
	return CDC_DT_NONE;
}

/* Pack one column map; the column was checked. */
static void
pack_column(msgpack_packer *pk, const Milvus__Schema__FieldData *f, int dt,
    size_t rows)
{
	int vec = cdc_dtype_is_vector(dt), arr = dt == CDC_DT_ARRAY;
	int64_t dim = vec ? f->vectors->dim : 0;

	if (dt == CDC_DT_SPARSE_FLOAT_VECTOR && f->vectors->sparse_float_vector)
		dim = f->vectors->sparse_float_vector->dim > dim ?
		    f->vectors->sparse_float_vector->dim : dim;
	msgpack_pack_map(pk, 4 + vec + arr + (f->is_dynamic != 0) +
	    (f->n_valid_data > 0));
	cdc_pack_key(pk, "name");
	cdc_pack_cstr(pk, f->field_name);
	cdc_pack_key(pk, "field_id");
	msgpack_pack_int64(pk, f->field_id);
	cdc_pack_key(pk, "type");
	cdc_pack_cstr(pk, cdc_dtype_name(dt));
	if (vec) {
		cdc_pack_key(pk, "dim");
		msgpack_pack_int64(pk, dim);
	}
	if (arr) {
		cdc_pack_key(pk, "element_type");
		cdc_pack_cstr(pk, cdc_dtype_name(array_elem_type(f)) ?
		    cdc_dtype_name(array_elem_type(f)) : "None");
	}
	if (f->is_dynamic) {
		cdc_pack_key(pk, "dynamic");
		msgpack_pack_true(pk);
	}
	if (f->n_valid_data > 0) {
		cdc_pack_key(pk, "valid");
		msgpack_pack_array(pk, (uint32_t)f->n_valid_data);
		for (size_t i = 0; i < f->n_valid_data; i++)
			if (f->valid_data[i])
				msgpack_pack_true(pk);
			else
				msgpack_pack_false(pk);
	}
	cdc_pack_key(pk, "data");
	if (vec)
		pack_vector(pk, f->vectors, dt, rows);
	else if (f->field_case != MILVUS__SCHEMA__FIELD_DATA__FIELD_SCALARS ||
	    f->scalars->data_case == SC(_NOT_SET))
		msgpack_pack_array(pk, 0);
	else if (arr)
		pack_array(pk, f->scalars->array_data);
	else
		pack_scalar_values(pk, f->scalars);
}

int
cdc_milvus_check_columns(const Milvus__Msg__InsertRequest *r, size_t rows,
    char *err, size_t errsz)
{
	int dt;

	for (size_t i = 0; i < r->n_fields_data; i++)
		if (check_column(r->fields_data[i], rows, &dt, err, errsz) < 0)
			return -1;
	return 0;
}

void
cdc_milvus_pack_columns(msgpack_packer *pk, const Milvus__Msg__InsertRequest *r,
    size_t rows)
{
	msgpack_pack_array(pk, (uint32_t)r->n_fields_data);
	for (size_t i = 0; i < r->n_fields_data; i++)
		pack_column(pk, r->fields_data[i], (int)r->fields_data[i]->type,
		    rows);
}
