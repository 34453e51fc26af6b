/* cdc_milvus_schema.c - a Milvus CollectionSchema as the cdc-stream(5)
 * "schema" map.  System fields (RowID 0, Timestamp 1) are left out. */
#include <string.h>

#include "cdc_event.h"
#include "cdc_milvus_int.h"

static void
pack_bool(msgpack_packer *pk, const char *key, int v)
{
	cdc_pack_key(pk, key);
	if (v)
		msgpack_pack_true(pk);
	else
		msgpack_pack_false(pk);
}

static void
pack_type(msgpack_packer *pk, const char *key, int dt)
{
	cdc_pack_key(pk, key);
	if (cdc_dtype_name(dt))
		cdc_pack_cstr(pk, cdc_dtype_name(dt));
	else
		msgpack_pack_int(pk, dt);
}

/* A repeated KeyValuePair as a map of str to str. */
static void
pack_kvs(msgpack_packer *pk, Milvus__Common__KeyValuePair **kv, size_t n)
{
	msgpack_pack_map(pk, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		cdc_pack_cstr(pk, kv[i]->key);
		cdc_pack_cstr(pk, kv[i]->value);
	}
}

static void
pack_strs(msgpack_packer *pk, char **v, size_t n)
{
	msgpack_pack_array(pk, (uint32_t)n);
	for (size_t i = 0; i < n; i++)
		cdc_pack_cstr(pk, v[i]);
}

static void
pack_default(msgpack_packer *pk, const Milvus__Schema__ValueField *v)
{
	switch (v->data_case) {
	case MILVUS__SCHEMA__VALUE_FIELD__DATA_BOOL_DATA:
		pack_bool(pk, "default_value", v->bool_data);
		return;
	case MILVUS__SCHEMA__VALUE_FIELD__DATA_INT_DATA:
		cdc_pack_key(pk, "default_value");
		msgpack_pack_int32(pk, v->int_data);
		return;
	case MILVUS__SCHEMA__VALUE_FIELD__DATA_LONG_DATA:
		cdc_pack_key(pk, "default_value");
		msgpack_pack_int64(pk, v->long_data);
		return;
	case MILVUS__SCHEMA__VALUE_FIELD__DATA_TIMESTAMPTZ_DATA:
		cdc_pack_key(pk, "default_value");
		msgpack_pack_int64(pk, v->timestamptz_data);
		return;
	case MILVUS__SCHEMA__VALUE_FIELD__DATA_FLOAT_DATA:
		cdc_pack_key(pk, "default_value");
		msgpack_pack_float(pk, v->float_data);
		return;
	case MILVUS__SCHEMA__VALUE_FIELD__DATA_DOUBLE_DATA:
		cdc_pack_key(pk, "default_value");
		msgpack_pack_double(pk, v->double_data);
		return;
	case MILVUS__SCHEMA__VALUE_FIELD__DATA_STRING_DATA:
		cdc_pack_key(pk, "default_value");
		cdc_pack_cstr(pk, v->string_data);
		return;
	case MILVUS__SCHEMA__VALUE_FIELD__DATA_BYTES_DATA:
		cdc_pack_key(pk, "default_value");
		cdc_pack_bin(pk, v->bytes_data.data, v->bytes_data.len);
		return;
	default:
		return;
	}
}

static int
has_default(const Milvus__Schema__FieldSchema *f)
{
	return f->default_value && f->default_value->data_case !=
	    MILVUS__SCHEMA__VALUE_FIELD__DATA__NOT_SET;
}

static void
pack_field(msgpack_packer *pk, const Milvus__Schema__FieldSchema *f)
{
	int arr = f->data_type == MILVUS__SCHEMA__DATA_TYPE__Array;

	msgpack_pack_map(pk, 13 + arr + has_default(f));
	cdc_pack_key(pk, "field_id");
	msgpack_pack_int64(pk, f->fieldid);
	cdc_pack_key(pk, "name");
	cdc_pack_cstr(pk, f->name);
	pack_type(pk, "type", (int)f->data_type);
	cdc_pack_key(pk, "description");
	cdc_pack_cstr(pk, f->description);
	pack_bool(pk, "primary_key", f->is_primary_key);
	pack_bool(pk, "auto_id", f->autoid);
	cdc_pack_key(pk, "params");
	pack_kvs(pk, f->type_params, f->n_type_params);
	if (arr)
		pack_type(pk, "element_type", (int)f->element_type);
	pack_bool(pk, "nullable", f->nullable);
	if (has_default(f))
		pack_default(pk, f->default_value);
	pack_bool(pk, "partition_key", f->is_partition_key);
	pack_bool(pk, "clustering_key", f->is_clustering_key);
	pack_bool(pk, "dynamic", f->is_dynamic);
	pack_bool(pk, "function_output", f->is_function_output);
	cdc_pack_key(pk, "index_params");
	pack_kvs(pk, f->index_params, f->n_index_params);
}

static const char *
function_type(int t)
{
	static const char *const names[] = {"Unknown", "BM25",
	    "TextEmbedding", "Rerank"};

	return t >= 0 && t < 4 ? names[t] : "Unknown";
}

static void
pack_function(msgpack_packer *pk, const Milvus__Schema__FunctionSchema *fn)
{
	msgpack_pack_map(pk, 5);
	cdc_pack_key(pk, "name");
	cdc_pack_cstr(pk, fn->name);
	cdc_pack_key(pk, "type");
	cdc_pack_cstr(pk, function_type((int)fn->type));
	cdc_pack_key(pk, "input_fields");
	pack_strs(pk, fn->input_field_names, fn->n_input_field_names);
	cdc_pack_key(pk, "output_fields");
	pack_strs(pk, fn->output_field_names, fn->n_output_field_names);
	cdc_pack_key(pk, "params");
	pack_kvs(pk, fn->params, fn->n_params);
}

static int
is_system(const Milvus__Schema__FieldSchema *f)
{
	return f->fieldid < 100 && (strcmp(f->name, "RowID") == 0 ||
	    strcmp(f->name, "Timestamp") == 0);
}

void
cdc_milvus_pack_schema(msgpack_packer *pk,
    const Milvus__Schema__CollectionSchema *s, size_t shards)
{
	size_t nfields = 0;

	for (size_t i = 0; i < s->n_fields; i++)
		nfields += !is_system(s->fields[i]);
	msgpack_pack_map(pk, 7 + (shards > 0));
	cdc_pack_key(pk, "name");
	cdc_pack_cstr(pk, s->name);
	cdc_pack_key(pk, "description");
	cdc_pack_cstr(pk, s->description);
	pack_bool(pk, "auto_id", s->autoid);
	pack_bool(pk, "enable_dynamic_field", s->enable_dynamic_field);
	if (shards > 0) {
		cdc_pack_key(pk, "shards");
		msgpack_pack_uint64(pk, shards);
	}
	cdc_pack_key(pk, "properties");
	pack_kvs(pk, s->properties, s->n_properties);
	cdc_pack_key(pk, "fields");
	msgpack_pack_array(pk, (uint32_t)nfields);
	for (size_t i = 0; i < s->n_fields; i++)
		if (!is_system(s->fields[i]))
			pack_field(pk, s->fields[i]);
	cdc_pack_key(pk, "functions");
	msgpack_pack_array(pk, (uint32_t)s->n_functions);
	for (size_t i = 0; i < s->n_functions; i++)
		pack_function(pk, s->functions[i]);
}

const Milvus__Schema__FieldSchema *
cdc_milvus_schema_pk(const Milvus__Schema__CollectionSchema *s)
{
	for (size_t i = 0; i < s->n_fields; i++)
		if (s->fields[i]->is_primary_key)
			return s->fields[i];
	return NULL;
}
