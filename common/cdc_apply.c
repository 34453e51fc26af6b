/* cdc_apply.c - see cdc_apply.h. */
#include <math.h>
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
is_text(const msgpack_object *f)
{
	const char *t;
	size_t n;

	return cdc_map_str(f, "type", &t, &n) == 0 && n == 4 &&
	    !memcmp(t, "Text", 4);
}

/* elementTypeParams: the field's params; a Text field gets a max_length. */
static int
field_params(struct cdc_buf *b, const msgpack_object *f, char *err,
    size_t errsz)
{
	const msgpack_object *params = cdc_map_get(f, "params");
	int text = is_text(f) && !cdc_map_get(params, "max_length");

	if (!params || params->type != MSGPACK_OBJECT_MAP ||
	    params->via.map.size == 0) {
		cdc_buf_adds(b, text ? "{\"max_length\":\"65535\"}" : "{}");
		return 0;
	}
	if (cdc_json_msgpack(b, params, err, errsz) < 0)
		return -1;
	if (text) {
		b->len--;
		cdc_buf_adds(b, ",\"max_length\":\"65535\"}");
	}
	return 0;
}

/*
 * One field object.  REST cannot create Text fields (milvus-rest.md 3.3):
 * they become VarChar of the largest length.
 */
static int
field(struct cdc_buf *b, const msgpack_object *f, char *err, size_t errsz)
{
	const msgpack_object *dv = cdc_map_get(f, "default_value");

	cdc_buf_adds(b, "{\"fieldName\":");
	str_obj(b, cdc_map_get(f, "name"));
	cdc_buf_adds(b, ",\"dataType\":");
	if (is_text(f))
		cdc_buf_adds(b, "\"VarChar\"");
	else
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
	if (field_params(b, f, err, errsz) < 0)
		return -1;
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

/* A describe field's type parameter, as text; NULL when absent. */
static const char *
desc_param(json_t *d, const char *k)
{
	json_t *kv;
	size_t i;

	json_array_foreach(json_object_get(d, "params"), i, kv) {
		if (!strcmp(desc_str(kv, "key"), k))
			return desc_str(kv, "value");
	}
	return NULL;
}

#define MISMATCH(...) do { \
	int n_ = snprintf(err, errsz, "schema mismatch: field \"%.*s\" ", \
	    (int)nn, name); \
	snprintf(err + n_, errsz - (size_t)n_, __VA_ARGS__); \
	return -1; \
} while (0)

/* One stream field against its describe entry d. */
static int
field_match(const msgpack_object *f, json_t *d, char *err, size_t errsz)
{
	static const char *const pk[] = {"dim", "max_length", "max_capacity"};
	const msgpack_object *params = cdc_map_get(f, "params"), *o;
	const char *name, *type, *et;
	size_t nn, tn, en;

	cdc_map_str(f, "name", &name, &nn);
	cdc_map_str(f, "type", &type, &tn);
	if (is_text(f)) {
		type = "VarChar";
		tn = 7;
	}
	if (strlen(desc_str(d, "type")) != tn ||
	    memcmp(desc_str(d, "type"), type, tn) != 0)
		MISMATCH("is %s on the target, %.*s in the stream",
		    desc_str(d, "type"), (int)tn, type);
	if (flag(f, "primary_key") !=
	    json_is_true(json_object_get(d, "primaryKey")))
		MISMATCH("is %sthe primary key on the target",
		    flag(f, "primary_key") ? "not " : "");
	if (cdc_map_str(f, "element_type", &et, &en) == 0 &&
	    (strlen(desc_str(d, "elementType")) != en ||
	    memcmp(desc_str(d, "elementType"), et, en) != 0))
		MISMATCH("has elements of type %s on the target, %.*s in the "
		    "stream", desc_str(d, "elementType"), (int)en, et);
	if (json_object_get(d, "nullable") && flag(f, "nullable") !=
	    json_is_true(json_object_get(d, "nullable")))
		MISMATCH("is %snullable on the target",
		    flag(f, "nullable") ? "not " : "");
	if (json_object_get(d, "partitionKey") && flag(f, "partition_key") !=
	    json_is_true(json_object_get(d, "partitionKey")))
		MISMATCH("is %sthe partition key on the target",
		    flag(f, "partition_key") ? "not " : "");
	for (size_t i = 0; i < sizeof pk / sizeof pk[0]; i++) {
		const char *tv = desc_param(d, pk[i]);

		if (!(o = cdc_map_get(params, pk[i])) ||
		    o->type != MSGPACK_OBJECT_STR || !tv)
			continue;
		if (strlen(tv) != o->via.str.size ||
		    memcmp(tv, o->via.str.ptr, o->via.str.size) != 0)
			MISMATCH("has %s %s on the target, %.*s in the stream",
			    pk[i], tv, (int)o->via.str.size, o->via.str.ptr);
	}
	return 0;
}

/* Is a describe field named in the stream's field list? */
static int
stream_has(const msgpack_object *fs, const char *name)
{
	const char *n;
	size_t nn;

	for (uint32_t i = 0; fs && i < fs->via.array.size; i++)
		if (cdc_map_str(&fs->via.array.ptr[i], "name", &n, &nn) == 0 &&
		    nn == strlen(name) && !memcmp(n, name, nn))
			return 1;
	return 0;
}

int
cdc_apply_schema_match(const msgpack_object *schema, json_t *desc,
    char *err, size_t errsz)
{
	const msgpack_object *fs = cdc_map_get(schema, "fields");
	const char *name, *type;
	size_t nn, tn, i;
	json_t *d;

	if (fs && fs->type != MSGPACK_OBJECT_ARRAY)
		fs = NULL;
	for (uint32_t k = 0; fs && k < fs->via.array.size; k++) {
		const msgpack_object *f = &fs->via.array.ptr[k];

		if (flag(f, "dynamic") || cdc_map_str(f, "name", &name, &nn) < 0 ||
		    cdc_map_str(f, "type", &type, &tn) < 0)
			continue;
		if (!(d = desc_field(desc, name, nn)))
			MISMATCH("is missing on the target");
		if (field_match(f, d, err, errsz) < 0)
			return -1;
	}
	json_array_foreach(json_object_get(desc, "fields"), i, d) {
		name = desc_str(d, "name");
		nn = strlen(name);
		if (!stream_has(fs, name))
			MISMATCH("exists on the target only");
	}
	if (json_object_get(desc, "enableDynamicField") &&
	    flag(schema, "enable_dynamic_field") &&
	    !json_is_true(json_object_get(desc, "enableDynamicField"))) {
		snprintf(err, errsz, "schema mismatch: the stream has a dynamic "
		    "field, the target does not");
		return -1;
	}
	return 0;
}
#undef MISMATCH

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
cdc_apply_del_add(struct cdc_apply_del *d, const msgpack_object *key,
    int use_params, char *err, size_t errsz)
{
	char num[CDC_FMT_MAX];
	int64_t v;
	int str = key->type == MSGPACK_OBJECT_STR;

	if (d->n > 0 && str != d->strs) {
		snprintf(err, errsz, "delete keys of two types in one batch");
		return -1;
	}
	if (!str && cdc_obj_i64(key, &v) < 0) {
		snprintf(err, errsz, "a delete key is neither int64 nor str");
		return -1;
	}
	d->strs = str;
	if (!str && v == INT64_MIN) {
		d->min = 1;
		d->n++;
		return 0;
	}
	if (d->lits.len > 0)
		cdc_buf_add(&d->lits, ", ", 2);
	if (!str)
		cdc_buf_add(&d->lits, num, cdc_fmt_i64(num, v));
	else if (!use_params)
		filter_str(&d->lits, key->via.str.ptr, key->via.str.size);
	else if (cdc_json_str(&d->lits, key->via.str.ptr,
	    key->via.str.size) < 0) {
		snprintf(err, errsz, "a delete key is not valid UTF-8");
		return -1;
	}
	d->n++;
	return 0;
}

int
cdc_apply_del_body(struct cdc_buf *b, const struct cdc_apply_del *d,
    struct cdc_str db, struct cdc_str coll, struct cdc_str part,
    struct cdc_str pk, int use_params)
{
	struct cdc_buf f = {0};
	int params = d->strs && use_params;
	int rc;

	cdc_buf_add(&f, pk.p, pk.n);
	if (params) {
		cdc_buf_adds(&f, " in {keys}");
	} else if (d->lits.len > 0) {
		cdc_buf_adds(&f, " in [");
		cdc_buf_add(&f, d->lits.p, d->lits.len);
		cdc_buf_addc(&f, ']');
	}
	if (d->min) {
		if (d->lits.len > 0) {
			cdc_buf_adds(&f, " or ");
			cdc_buf_add(&f, pk.p, pk.n);
		}
		cdc_buf_adds(&f, " < -9223372036854775807");
	}
	names(b, db, coll);
	if (part.n > 0) {
		cdc_buf_adds(b, ",\"partitionName\":");
		cdc_json_str(b, part.p, part.n);
	}
	cdc_buf_addc(b, ',');
	key(b, "filter");
	rc = cdc_json_str(b, f.p, f.len);
	if (params) {
		cdc_buf_adds(b, ",\"exprParams\":{\"keys\":[");
		cdc_buf_add(b, d->lits.p, d->lits.len);
		cdc_buf_adds(b, "]}");
	}
	cdc_buf_addc(b, '}');
	cdc_buf_fini(&f);
	return rc;
}

void
cdc_apply_del_reset(struct cdc_apply_del *d)
{
	d->lits.len = 0;
	d->n = 0;
	d->strs = d->min = 0;
}

void
cdc_apply_del_fini(struct cdc_apply_del *d)
{
	cdc_buf_fini(&d->lits);
	memset(d, 0, sizeof *d);
}

static void
add_output(struct cdc_apply_info *in, const char *p, size_t n)
{
	in->outputs = cdc_xrealloc(in->outputs, (in->noutputs + 1) *
	    sizeof *in->outputs);
	in->outputs[in->noutputs++] = cdc_xstrndup(p, n);
}

void
cdc_apply_info_schema(struct cdc_apply_info *in, const msgpack_object *schema)
{
	const msgpack_object *fs = cdc_map_get(schema, "fields");
	const msgpack_object *fns = cdc_map_get(schema, "functions");
	const char *name;
	size_t n;

	cdc_apply_info_fini(in);
	for (uint32_t i = 0; fs && fs->type == MSGPACK_OBJECT_ARRAY &&
	    i < fs->via.array.size; i++) {
		const msgpack_object *f = &fs->via.array.ptr[i];

		in->partition_key |= flag(f, "partition_key");
		if (flag(f, "function_output") &&
		    cdc_map_str(f, "name", &name, &n) == 0)
			add_output(in, name, n);
	}
	/* Outputs named by the functions, should a field lack the flag. */
	for (uint32_t i = 0; fns && fns->type == MSGPACK_OBJECT_ARRAY &&
	    i < fns->via.array.size; i++) {
		const msgpack_object *o = cdc_map_get(&fns->via.array.ptr[i],
		    "output_fields");

		for (uint32_t j = 0; o && o->type == MSGPACK_OBJECT_ARRAY &&
		    j < o->via.array.size; j++)
			if (o->via.array.ptr[j].type == MSGPACK_OBJECT_STR)
				add_output(in, o->via.array.ptr[j].via.str.ptr,
				    o->via.array.ptr[j].via.str.size);
	}
}

void
cdc_apply_info_describe(struct cdc_apply_info *in, json_t *desc)
{
	json_t *f, *fn, *o;
	size_t i, j;

	cdc_apply_info_fini(in);
	json_array_foreach(json_object_get(desc, "fields"), i, f) {
		in->partition_key |= json_is_true(json_object_get(f,
		    "partitionKey"));
		if (json_is_true(json_object_get(f, "isFunctionOutput")))
			add_output(in, desc_str(f, "name"),
			    strlen(desc_str(f, "name")));
	}
	json_array_foreach(json_object_get(desc, "functions"), i, fn) {
		json_array_foreach(json_object_get(fn, "outputFieldNames"), j,
		    o) {
			if (json_is_string(o))
				add_output(in, json_string_value(o),
				    json_string_length(o));
		}
	}
}

void
cdc_apply_info_fini(struct cdc_apply_info *in)
{
	for (size_t i = 0; i < in->noutputs; i++)
		free(in->outputs[i]);
	free(in->outputs);
	memset(in, 0, sizeof *in);
}

void
cdc_apply_cols_strip(struct cdc_cols *c, const struct cdc_apply_info *in)
{
	size_t k = 0;

	for (size_t i = 0; i < c->n; i++) {
		int out = 0;

		for (size_t j = 0; j < in->noutputs && !out; j++)
			out = strlen(in->outputs[j]) == c->v[i].name.n &&
			    !memcmp(in->outputs[j], c->v[i].name.p,
			    c->v[i].name.n);
		if (out)
			continue;
		if (c->pk == (int)i)
			c->pk = (int)k;
		c->v[k++] = c->v[i];
	}
	c->n = k;
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

/* === WKB -> WKT === */

struct wkb {
	const unsigned char *p;
	size_t n, off;
	int le;			/* little-endian */
	int dims;		/* coordinates per point */
};

static int
wkb_u32(struct wkb *w, uint32_t *v)
{
	const unsigned char *q = w->p + w->off;

	if (w->n - w->off < 4)
		return -1;
	*v = w->le ? (uint32_t)q[0] | (uint32_t)q[1] << 8 |
	    (uint32_t)q[2] << 16 | (uint32_t)q[3] << 24 :
	    (uint32_t)q[3] | (uint32_t)q[2] << 8 | (uint32_t)q[1] << 16 |
	    (uint32_t)q[0] << 24;
	w->off += 4;
	return 0;
}

static int
wkb_f64(struct wkb *w, double *d)
{
	uint64_t v = 0;

	if (w->n - w->off < 8)
		return -1;
	for (int i = 0; i < 8; i++)
		v |= (uint64_t)w->p[w->off + (w->le ? (size_t)i :
		    (size_t)(7 - i))] << (8 * i);
	memcpy(d, &v, sizeof *d);
	w->off += 8;
	return 0;
}

/* "x y[ z[ m]]"; *empty when every coordinate is NaN (an empty point). */
static int
wkb_point(struct cdc_buf *b, struct wkb *w, int *empty)
{
	char num[CDC_FMT_MAX];
	double c[4];
	int nan = 0;

	for (int i = 0; i < w->dims; i++) {
		if (wkb_f64(w, &c[i]) < 0)
			return -1;
		nan += isnan(c[i]) != 0;
	}
	if (empty && (*empty = nan == w->dims))
		return 0;
	for (int i = 0; i < w->dims; i++) {
		if (i)
			cdc_buf_addc(b, ' ');
		cdc_buf_add(b, num, cdc_fmt_double(num, c[i]));
	}
	return 0;
}

/* "(x y, x y, ...)" of a point count and its points; EMPTY when 0. */
static int
wkb_points(struct cdc_buf *b, struct wkb *w)
{
	uint32_t k;

	if (wkb_u32(w, &k) < 0 || k > (w->n - w->off) / 16)
		return -1;
	if (k == 0) {
		cdc_buf_adds(b, "EMPTY");
		return 0;
	}
	cdc_buf_addc(b, '(');
	for (uint32_t i = 0; i < k; i++) {
		if (i)
			cdc_buf_adds(b, ", ");
		if (wkb_point(b, w, NULL) < 0)
			return -1;
	}
	cdc_buf_addc(b, ')');
	return 0;
}

static int wkb_geom(struct cdc_buf *b, struct wkb *w, int depth, int tag);

/*
 * The parts of a polygon (rings), a Multi* (members written without their
 * type name) or a collection (members with theirs).
 */
static int
wkb_parts(struct cdc_buf *b, struct wkb *w, int depth, uint32_t type)
{
	uint32_t k;

	if (wkb_u32(w, &k) < 0 || k > w->n - w->off)
		return -1;
	if (k == 0) {
		cdc_buf_adds(b, "EMPTY");
		return 0;
	}
	cdc_buf_addc(b, '(');
	for (uint32_t i = 0; i < k; i++) {
		if (i)
			cdc_buf_adds(b, ", ");
		if (type == 3 ? wkb_points(b, w) < 0 :
		    wkb_geom(b, w, depth + 1, type == 7) < 0)
			return -1;
	}
	cdc_buf_addc(b, ')');
	return 0;
}

/* One geometry: byte order, type, body; tag 0 inside Multi* (no name). */
static int
wkb_geom(struct cdc_buf *b, struct wkb *w, int depth, int tag)
{
	static const char *const names[] = {"", "POINT", "LINESTRING",
	    "POLYGON", "MULTIPOINT", "MULTILINESTRING", "MULTIPOLYGON",
	    "GEOMETRYCOLLECTION"};
	uint32_t t, srid, base;
	int z, m, empty;

	if (depth > 32 || w->off >= w->n || w->p[w->off] > 1)
		return -1;
	w->le = w->p[w->off++];
	if (wkb_u32(w, &t) < 0)
		return -1;
	z = (t & 0x80000000u) || (t & 0xffff) / 1000 % 2 == 1;
	m = (t & 0x40000000u) || (t & 0xffff) / 1000 >= 2;
	if ((t & 0x20000000u) && wkb_u32(w, &srid) < 0)
		return -1;
	base = (t & 0xffff) % 1000;
	if (base < 1 || base > 7)
		return -1;
	w->dims = 2 + z + m;
	if (tag) {
		cdc_buf_adds(b, names[base]);
		cdc_buf_adds(b, z && m ? " ZM " : z ? " Z " : m ? " M " : " ");
	}
	if (base == 1) {
		size_t mark = b->len;

		cdc_buf_addc(b, '(');
		if (wkb_point(b, w, &empty) < 0)
			return -1;
		if (empty) {
			b->len = mark;
			cdc_buf_adds(b, "EMPTY");
		} else {
			cdc_buf_addc(b, ')');
		}
		return 0;
	}
	if (base == 2)
		return wkb_points(b, w);
	return wkb_parts(b, w, depth, base);
}

int
cdc_apply_wkt(struct cdc_buf *b, const unsigned char *wkb, size_t n,
    char *err, size_t errsz)
{
	struct wkb w = {wkb, n, 0, 1, 2};
	size_t mark = b->len;

	if (wkb_geom(b, &w, 0, 1) < 0 || w.off != n) {
		b->len = mark;
		snprintf(err, errsz, "invalid WKB geometry (%zu bytes, at byte "
		    "%zu)", n, w.off);
		return -1;
	}
	return 0;
}
