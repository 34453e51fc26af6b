/* cdc_apply.c - see cdc_apply.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdc_apply.h"
#include "cdc_event.h"
#include "cdc_fmt.h"
#include "cdc_frame.h"

static void
key(struct cdc_buf *b, const char *k)
{
	cdc_json_str(b, k, strlen(k));
	cdc_buf_addc(b, ':');
}

static void
str_obj(struct cdc_buf *b, const msgpack_object *o)
{
	if (o && o->type == MSGPACK_OBJECT_STR)
		cdc_json_str(b, o->via.str.ptr, o->via.str.size);
	else
		cdc_buf_adds(b, "\"\"");
}

static int
flag(const msgpack_object *m, const char *k)
{
	const msgpack_object *o = cdc_map_get(m, k);

	return o && o->type == MSGPACK_OBJECT_BOOLEAN && o->via.boolean;
}

/* db and collection name members: "dbName":..,"collectionName":.. */
static void
names(struct cdc_buf *b, struct cdc_str db, struct cdc_str coll)
{
	cdc_buf_adds(b, "{\"dbName\":");
	cdc_json_str(b, db.p, db.n);
	cdc_buf_adds(b, ",\"collectionName\":");
	cdc_json_str(b, coll.p, coll.n);
}

static int
field(struct cdc_buf *b, const msgpack_object *f, char *err, size_t errsz)
{
	const msgpack_object *dv = cdc_map_get(f, "default_value");
	const msgpack_object *params = cdc_map_get(f, "params");

	cdc_buf_adds(b, "{\"fieldName\":");
	str_obj(b, cdc_map_get(f, "name"));
	cdc_buf_adds(b, ",\"dataType\":");
	str_obj(b, cdc_map_get(f, "type"));
	if (cdc_map_get(f, "element_type")) {
		cdc_buf_adds(b, ",\"elementDataType\":");
		str_obj(b, cdc_map_get(f, "element_type"));
	}
	cdc_buf_adds(b, flag(f, "primary_key") ? ",\"isPrimary\":true" : "");
	cdc_buf_adds(b, flag(f, "partition_key") ? ",\"isPartitionKey\":true" :
	    "");
	cdc_buf_adds(b, flag(f, "clustering_key") ?
	    ",\"isClusteringKey\":true" : "");
	cdc_buf_adds(b, flag(f, "nullable") ? ",\"nullable\":true" : "");
	if (dv) {
		cdc_buf_adds(b, ",\"defaultValue\":");
		if (cdc_json_msgpack(b, dv, err, errsz) < 0)
			return -1;
	}
	cdc_buf_adds(b, ",\"elementTypeParams\":");
	if (params) {
		if (cdc_json_msgpack(b, params, err, errsz) < 0)
			return -1;
	} else {
		cdc_buf_adds(b, "{}");
	}
	cdc_buf_addc(b, '}');
	return 0;
}

static int
functions(struct cdc_buf *b, const msgpack_object *fns, char *err,
    size_t errsz)
{
	cdc_buf_addc(b, '[');
	for (uint32_t i = 0; fns && i < fns->via.array.size; i++) {
		const msgpack_object *f = &fns->via.array.ptr[i];

		if (i)
			cdc_buf_addc(b, ',');
		cdc_buf_adds(b, "{\"name\":");
		str_obj(b, cdc_map_get(f, "name"));
		cdc_buf_adds(b, ",\"type\":");
		str_obj(b, cdc_map_get(f, "type"));
		cdc_buf_adds(b, ",\"inputFieldNames\":");
		if (cdc_json_msgpack(b, cdc_map_get(f, "input_fields"), err,
		    errsz) < 0)
			return -1;
		cdc_buf_adds(b, ",\"outputFieldNames\":");
		if (cdc_json_msgpack(b, cdc_map_get(f, "output_fields"), err,
		    errsz) < 0)
			return -1;
		cdc_buf_adds(b, ",\"params\":");
		if (cdc_json_msgpack(b, cdc_map_get(f, "params"), err,
		    errsz) < 0)
			return -1;
		cdc_buf_addc(b, '}');
	}
	cdc_buf_addc(b, ']');
	return 0;
}

int
cdc_apply_create_body(struct cdc_buf *b, struct cdc_str db,
    struct cdc_str coll, const msgpack_object *schema, char *err,
    size_t errsz)
{
	const msgpack_object *fs = cdc_map_get(schema, "fields");
	uint64_t shards = 1;
	char num[32];

	if (!fs || fs->type != MSGPACK_OBJECT_ARRAY || fs->via.array.size == 0) {
		snprintf(err, errsz, "schema without fields");
		return -1;
	}
	names(b, db, coll);
	cdc_buf_adds(b, ",\"description\":");
	str_obj(b, cdc_map_get(schema, "description"));
	cdc_buf_adds(b, ",\"schema\":{\"autoID\":false,\"enableDynamicField\":");
	cdc_buf_adds(b, flag(schema, "enable_dynamic_field") ? "true" : "false");
	cdc_buf_adds(b, ",\"fields\":[");
	for (uint32_t i = 0; i < fs->via.array.size; i++) {
		const msgpack_object *f = &fs->via.array.ptr[i];

		/* The dynamic field exists by enableDynamicField alone. */
		if (flag(f, "dynamic"))
			continue;
		if (b->p[b->len - 1] != '[')
			cdc_buf_addc(b, ',');
		if (field(b, f, err, errsz) < 0)
			return -1;
	}
	cdc_buf_adds(b, "],\"functions\":");
	if (functions(b, cdc_map_get(schema, "functions"), err, errsz) < 0)
		return -1;
	cdc_map_u64(schema, "shards", &shards);
	snprintf(num, sizeof num, "%ju", (uintmax_t)(shards ? shards : 1));
	cdc_buf_adds(b, "},\"params\":{\"shardsNum\":\"");
	cdc_buf_adds(b, num);
	cdc_buf_adds(b, "\"");
	if (cdc_map_get(schema, "consistency_level")) {
		cdc_buf_adds(b, ",\"consistencyLevel\":");
		str_obj(b, cdc_map_get(schema, "consistency_level"));
	}
	cdc_buf_adds(b, "}}");
	return 0;
}

/* A describe field's type name (2.4-2.6 spell it "type"). */
static const char *
desc_str(json_t *f, const char *k)
{
	const char *s = json_string_value(json_object_get(f, k));

	return s ? s : "";
}

static json_t *
desc_field(json_t *desc, const char *name, size_t n)
{
	size_t i;
	json_t *f;

	json_array_foreach(json_object_get(desc, "fields"), i, f) {
		const char *fn = desc_str(f, "name");

		if (strlen(fn) == n && !memcmp(fn, name, n))
			return f;
	}
	return NULL;
}

int
cdc_apply_schema_match(const msgpack_object *schema, json_t *desc,
    char *err, size_t errsz)
{
	const msgpack_object *fs = cdc_map_get(schema, "fields");
	const char *name, *type;
	size_t nn, tn;

	for (uint32_t i = 0; fs && i < fs->via.array.size; i++) {
		const msgpack_object *f = &fs->via.array.ptr[i];
		json_t *d;

		if (flag(f, "dynamic") || cdc_map_str(f, "name", &name, &nn) < 0 ||
		    cdc_map_str(f, "type", &type, &tn) < 0)
			continue;
		if (!(d = desc_field(desc, name, nn))) {
			snprintf(err, errsz, "schema mismatch: field \"%.*s\" is "
			    "missing on the target", (int)nn, name);
			return -1;
		}
		if (strlen(desc_str(d, "type")) != tn ||
		    memcmp(desc_str(d, "type"), type, tn) != 0) {
			snprintf(err, errsz, "schema mismatch: field \"%.*s\" is "
			    "%s on the target, %.*s in the stream", (int)nn, name,
			    desc_str(d, "type"), (int)tn, type);
			return -1;
		}
		if (flag(f, "primary_key") !=
		    json_is_true(json_object_get(d, "primaryKey"))) {
			snprintf(err, errsz, "schema mismatch: primary key "
			    "differs at field \"%.*s\"", (int)nn, name);
			return -1;
		}
	}
	return 0;
}

/* One VarChar literal for an inline filter: "..." with \ " and controls
 * escaped (milvus-rest.md §4.5), then JSON-escaped by the caller. */
static void
filter_str(struct cdc_buf *f, const char *p, size_t n)
{
	cdc_buf_addc(f, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		char esc[8];

		if (c == '"' || c == '\\') {
			cdc_buf_addc(f, '\\');
			cdc_buf_addc(f, (char)c);
		} else if (c < 0x20) {
			snprintf(esc, sizeof esc, "\\x%02x", c);
			cdc_buf_adds(f, esc);
		} else {
			cdc_buf_addc(f, (char)c);
		}
	}
	cdc_buf_addc(f, '"');
}

int
cdc_apply_delete_body(struct cdc_buf *b, struct cdc_str db,
    struct cdc_str coll, struct cdc_str pk, const msgpack_object *keys,
    size_t from, size_t n, int use_params, char *err, size_t errsz)
{
	struct cdc_buf f = {0};
	int strs = n > 0 && keys->via.array.ptr[from].type == MSGPACK_OBJECT_STR;
	char num[CDC_FMT_MAX];
	int rc = 0;

	cdc_buf_add(&f, pk.p, pk.n);
	cdc_buf_adds(&f, strs && use_params ? " in {keys}" : " in [");
	for (size_t i = from; i < from + n && !(strs && use_params); i++) {
		const msgpack_object *k = &keys->via.array.ptr[i];
		int64_t v;

		if (i > from)
			cdc_buf_add(&f, ", ", 2);
		if (k->type == MSGPACK_OBJECT_STR)
			filter_str(&f, k->via.str.ptr, k->via.str.size);
		else if (cdc_obj_i64(k, &v) == 0)
			cdc_buf_add(&f, num, cdc_fmt_i64(num, v));
		else
			rc = -1;
	}
	if (!(strs && use_params))
		cdc_buf_addc(&f, ']');
	names(b, db, coll);
	cdc_buf_addc(b, ',');
	key(b, "filter");
	if (rc == 0 && cdc_json_str(b, f.p, f.len) < 0)
		rc = -1;
	if (rc == 0 && strs && use_params) {
		cdc_buf_addc(b, ',');
		key(b, "exprParams");
		cdc_buf_adds(b, "{\"keys\":[");
		for (size_t i = from; rc == 0 && i < from + n; i++) {
			const msgpack_object *k = &keys->via.array.ptr[i];

			if (i > from)
				cdc_buf_addc(b, ',');
			if (k->type != MSGPACK_OBJECT_STR ||
			    cdc_json_str(b, k->via.str.ptr, k->via.str.size) < 0)
				rc = -1;
		}
		cdc_buf_adds(b, "]}");
	}
	cdc_buf_addc(b, '}');
	cdc_buf_fini(&f);
	if (rc < 0)
		snprintf(err, errsz, "delete keys are neither int64 nor UTF-8");
	return rc;
}

int
cdc_apply_index_body(struct cdc_buf *b, struct cdc_str db,
    struct cdc_str coll, const msgpack_object *ev, char *err, size_t errsz)
{
	const msgpack_object *p = cdc_map_get(ev, "params");
	const msgpack_object *o;
	json_t *inner = NULL;

	names(b, db, coll);
	cdc_buf_adds(b, ",\"indexParams\":[{\"fieldName\":");
	str_obj(b, cdc_map_get(ev, "field"));
	cdc_buf_adds(b, ",\"indexName\":");
	str_obj(b, cdc_map_get(ev, "index_name"));
	if ((o = cdc_map_get(p, "metric_type")) != NULL) {
		cdc_buf_adds(b, ",\"metricType\":");
		str_obj(b, o);
	}
	if ((o = cdc_map_get(p, "index_type")) != NULL) {
		cdc_buf_adds(b, ",\"indexType\":");
		str_obj(b, o);
	}
	/* "params" holds JSON text (M, efConstruction, ...): embed it. */
	cdc_buf_adds(b, ",\"params\":");
	if ((o = cdc_map_get(p, "params")) != NULL &&
	    o->type == MSGPACK_OBJECT_STR)
		inner = json_loadb(o->via.str.ptr, o->via.str.size, 0, NULL);
	if (json_is_object(inner)) {
		char *s = json_dumps(inner, JSON_COMPACT);

		cdc_buf_adds(b, s);
		free(s);
	} else {
		cdc_buf_adds(b, "{}");
	}
	json_decref(inner);
	cdc_buf_adds(b, "}]}");
	(void)err;
	(void)errsz;
	return 0;
}

static void
pack_bool_kv(msgpack_packer *pk, const char *k, int v)
{
	cdc_pack_key(pk, k);
	if (v)
		msgpack_pack_true(pk);
	else
		msgpack_pack_false(pk);
}

/* describe's [{key, value}] list as a map of str to str. */
static void
pack_kv_list(msgpack_packer *pk, json_t *list)
{
	size_t i;
	json_t *kv;

	msgpack_pack_map(pk, (uint32_t)json_array_size(list));
	json_array_foreach(list, i, kv) {
		cdc_pack_cstr(pk, desc_str(kv, "key"));
		cdc_pack_cstr(pk, desc_str(kv, "value"));
	}
}

static void
pack_desc_field(msgpack_packer *pk, json_t *f, int64_t id)
{
	int arr = !strcmp(desc_str(f, "type"), "Array");

	msgpack_pack_map(pk, 13 + arr);
	cdc_pack_key(pk, "field_id");
	msgpack_pack_int64(pk, json_integer_value(json_object_get(f, "id")) ?
	    json_integer_value(json_object_get(f, "id")) : id);
	cdc_pack_key(pk, "name");
	cdc_pack_cstr(pk, desc_str(f, "name"));
	cdc_pack_key(pk, "type");
	cdc_pack_cstr(pk, desc_str(f, "type"));
	cdc_pack_key(pk, "description");
	cdc_pack_cstr(pk, desc_str(f, "description"));
	pack_bool_kv(pk, "primary_key", json_is_true(json_object_get(f,
	    "primaryKey")));
	pack_bool_kv(pk, "auto_id", json_is_true(json_object_get(f, "autoId")));
	cdc_pack_key(pk, "params");
	pack_kv_list(pk, json_object_get(f, "params"));
	if (arr) {
		cdc_pack_key(pk, "element_type");
		cdc_pack_cstr(pk, desc_str(f, "elementType"));
	}
	pack_bool_kv(pk, "nullable", json_is_true(json_object_get(f,
	    "nullable")));
	pack_bool_kv(pk, "partition_key", json_is_true(json_object_get(f,
	    "partitionKey")));
	pack_bool_kv(pk, "clustering_key", json_is_true(json_object_get(f,
	    "clusteringKey")));
	pack_bool_kv(pk, "dynamic", 0);
	pack_bool_kv(pk, "function_output", json_is_true(json_object_get(f,
	    "isFunctionOutput")));
	cdc_pack_key(pk, "index_params");
	msgpack_pack_map(pk, 0);
}

int
cdc_apply_schema_from_describe(json_t *desc, msgpack_packer *pk,
    const char **pk_name, int *pk_type, char *err, size_t errsz)
{
	json_t *fields = json_object_get(desc, "fields"), *f;
	size_t i;

	*pk_name = NULL;
	if (!json_is_array(fields) || json_array_size(fields) == 0) {
		snprintf(err, errsz, "describe returned no fields");
		return -1;
	}
	msgpack_pack_map(pk, 7);
	cdc_pack_key(pk, "name");
	cdc_pack_cstr(pk, desc_str(desc, "collectionName"));
	cdc_pack_key(pk, "description");
	cdc_pack_cstr(pk, desc_str(desc, "description"));
	pack_bool_kv(pk, "auto_id", json_is_true(json_object_get(desc,
	    "autoId")));
	pack_bool_kv(pk, "enable_dynamic_field",
	    json_is_true(json_object_get(desc, "enableDynamicField")));
	cdc_pack_key(pk, "properties");
	pack_kv_list(pk, json_object_get(desc, "properties"));
	cdc_pack_key(pk, "fields");
	msgpack_pack_array(pk, (uint32_t)json_array_size(fields));
	json_array_foreach(fields, i, f) {
		pack_desc_field(pk, f, 100 + (int64_t)i);
		if (json_is_true(json_object_get(f, "primaryKey"))) {
			*pk_name = desc_str(f, "name");
			*pk_type = cdc_dtype_parse(desc_str(f, "type"),
			    strlen(desc_str(f, "type")));
		}
	}
	cdc_pack_key(pk, "functions");
	msgpack_pack_array(pk, 0);
	if (!*pk_name) {
		snprintf(err, errsz, "describe returned no primary key");
		return -1;
	}
	return 0;
}
