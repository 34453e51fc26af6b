/* cdc_event.c - see cdc_event.h and cdc-stream(5). */
#include <stdlib.h>
#include <string.h>

#include "cdc_event.h"

static const char *const ev_names[CDC_EV__COUNT] = {
	[CDC_EV_UNKNOWN] = "unknown",
	[CDC_EV_HEADER] = "header",
	[CDC_EV_CHECKPOINT] = "checkpoint",
	[CDC_EV_INSERT] = "insert",
	[CDC_EV_DELETE] = "delete",
	[CDC_EV_CREATE_DATABASE] = "create_database",
	[CDC_EV_DROP_DATABASE] = "drop_database",
	[CDC_EV_ALTER_DATABASE] = "alter_database",
	[CDC_EV_CREATE_COLLECTION] = "create_collection",
	[CDC_EV_DROP_COLLECTION] = "drop_collection",
	[CDC_EV_ALTER_COLLECTION] = "alter_collection",
	[CDC_EV_RENAME_COLLECTION] = "rename_collection",
	[CDC_EV_CREATE_PARTITION] = "create_partition",
	[CDC_EV_DROP_PARTITION] = "drop_partition",
	[CDC_EV_CREATE_INDEX] = "create_index",
	[CDC_EV_DROP_INDEX] = "drop_index",
	[CDC_EV_ALTER_INDEX] = "alter_index",
	[CDC_EV_LOAD_COLLECTION] = "load_collection",
	[CDC_EV_RELEASE_COLLECTION] = "release_collection",
	[CDC_EV_LOAD_PARTITIONS] = "load_partitions",
	[CDC_EV_RELEASE_PARTITIONS] = "release_partitions",
	[CDC_EV_FLUSH] = "flush",
	[CDC_EV_CREATE_ALIAS] = "create_alias",
	[CDC_EV_DROP_ALIAS] = "drop_alias",
	[CDC_EV_ALTER_ALIAS] = "alter_alias",
	[CDC_EV_SCHEMA] = "schema",
};

const char *
cdc_ev_type_name(enum cdc_ev_type t)
{
	return (unsigned)t < CDC_EV__COUNT ? ev_names[t] : "unknown";
}

enum cdc_ev_type
cdc_ev_type_parse(const char *p, size_t n)
{
	for (int t = CDC_EV_HEADER; t < CDC_EV__COUNT; t++)
		if (strlen(ev_names[t]) == n && memcmp(ev_names[t], p, n) == 0)
			return (enum cdc_ev_type)t;
	return CDC_EV_UNKNOWN;
}

int
cdc_ev_is_ddl(enum cdc_ev_type t)
{
	return t > CDC_EV_DELETE && t < CDC_EV__COUNT;
}

/* === data types === */

static const struct {
	int dt;
	const char *name;
} dtypes[] = {
	{CDC_DT_BOOL, "Bool"},
	{CDC_DT_INT8, "Int8"},
	{CDC_DT_INT16, "Int16"},
	{CDC_DT_INT32, "Int32"},
	{CDC_DT_INT64, "Int64"},
	{CDC_DT_FLOAT, "Float"},
	{CDC_DT_DOUBLE, "Double"},
	{CDC_DT_STRING, "String"},
	{CDC_DT_VARCHAR, "VarChar"},
	{CDC_DT_ARRAY, "Array"},
	{CDC_DT_JSON, "JSON"},
	{CDC_DT_GEOMETRY, "Geometry"},
	{CDC_DT_TEXT, "Text"},
	{CDC_DT_TIMESTAMPTZ, "Timestamptz"},
	{CDC_DT_BINARY_VECTOR, "BinaryVector"},
	{CDC_DT_FLOAT_VECTOR, "FloatVector"},
	{CDC_DT_FLOAT16_VECTOR, "Float16Vector"},
	{CDC_DT_BFLOAT16_VECTOR, "BFloat16Vector"},
	{CDC_DT_SPARSE_FLOAT_VECTOR, "SparseFloatVector"},
	{CDC_DT_INT8_VECTOR, "Int8Vector"},
};

const char *
cdc_dtype_name(int dt)
{
	for (size_t i = 0; i < sizeof dtypes / sizeof dtypes[0]; i++)
		if (dtypes[i].dt == dt)
			return dtypes[i].name;
	return NULL;
}

int
cdc_dtype_parse(const char *p, size_t n)
{
	for (size_t i = 0; i < sizeof dtypes / sizeof dtypes[0]; i++)
		if (strlen(dtypes[i].name) == n &&
		    memcmp(dtypes[i].name, p, n) == 0)
			return dtypes[i].dt;
	return -1;
}

int
cdc_dtype_is_vector(int dt)
{
	return dt >= CDC_DT_BINARY_VECTOR && dt <= CDC_DT_INT8_VECTOR;
}

size_t
cdc_dtype_row_bytes(int dt, int64_t dim)
{
	if (dim <= 0)
		return 0;
	switch (dt) {
	case CDC_DT_BINARY_VECTOR:
		return (size_t)(dim + 7) / 8;
	case CDC_DT_FLOAT_VECTOR:
		return (size_t)dim * 4;
	case CDC_DT_FLOAT16_VECTOR:
	case CDC_DT_BFLOAT16_VECTOR:
		return (size_t)dim * 2;
	case CDC_DT_INT8_VECTOR:
		return (size_t)dim;
	default:
		return 0;
	}
}

/* === common keys === */

static int
get_str(const msgpack_object *o, struct cdc_str *s)
{
	if (o->type == MSGPACK_OBJECT_NIL) {
		s->p = "";
		s->n = 0;
		return 0;
	}
	if (o->type != MSGPACK_OBJECT_STR)
		return -1;
	s->p = o->via.str.ptr;
	s->n = o->via.str.size;
	return 0;
}

static int
parse_src(const msgpack_object *o, struct cdc_src *src)
{
	int64_t part;

	if (o->type != MSGPACK_OBJECT_MAP)
		return -1;
	if (cdc_map_str(o, "topic", &src->topic.p, &src->topic.n) < 0 ||
	    cdc_map_i64(o, "partition", &part) < 0 ||
	    cdc_map_i64(o, "offset", &src->offset) < 0)
		return -1;
	src->partition = (int32_t)part;
	return 0;
}

static int
parse_key(struct cdc_event *ev, const msgpack_object *k,
    const msgpack_object *v)
{
	if (cdc_obj_streq(k, "ts"))
		return cdc_obj_u64(v, &ev->ts);
	if (cdc_obj_streq(k, "db"))
		return get_str(v, &ev->db);
	if (cdc_obj_streq(k, "collection"))
		return get_str(v, &ev->collection);
	if (cdc_obj_streq(k, "collection_id"))
		return cdc_obj_i64(v, &ev->collection_id);
	if (cdc_obj_streq(k, "partition")) {
		ev->has_partition = 1;
		return get_str(v, &ev->partition);
	}
	if (cdc_obj_streq(k, "partition_id"))
		return cdc_obj_i64(v, &ev->partition_id);
	if (cdc_obj_streq(k, "vchannel"))
		return get_str(v, &ev->vchannel);
	if (cdc_obj_streq(k, "src"))
		return parse_src(v, &ev->src);
	return 0;
}

int
cdc_event_parse(const struct cdc_frame *fr, struct cdc_event *ev, char *err,
    size_t errsz)
{
	const msgpack_object *m = &fr->map;

	memset(ev, 0, sizeof *ev);
	ev->db.p = ev->collection.p = ev->partition.p = ev->vchannel.p = "";
	ev->src.topic.p = "";
	ev->map = m;
	if (cdc_map_str(m, "type", &ev->type_name.p, &ev->type_name.n) < 0) {
		snprintf(err, errsz, "frame %ju at byte %ju: no \"type\" string",
		    (uintmax_t)fr->no, (uintmax_t)fr->offset);
		return -1;
	}
	ev->type = cdc_ev_type_parse(ev->type_name.p, ev->type_name.n);
	for (uint32_t i = 0; i < m->via.map.size; i++) {
		const msgpack_object_kv *kv = &m->via.map.ptr[i];

		if (parse_key(ev, &kv->key, &kv->val) < 0) {
			snprintf(err, errsz, "frame %ju at byte %ju: bad value "
			    "for key \"%.*s\"", (uintmax_t)fr->no,
			    (uintmax_t)fr->offset,
			    kv->key.type == MSGPACK_OBJECT_STR ?
			    (int)kv->key.via.str.size : 1,
			    kv->key.type == MSGPACK_OBJECT_STR ?
			    kv->key.via.str.ptr : "?");
			return -1;
		}
	}
	return 0;
}

static void
pack_kv_str(msgpack_packer *pk, const char *key, struct cdc_str s)
{
	cdc_pack_key(pk, key);
	cdc_pack_str(pk, s.p ? s.p : "", s.n);
}

void
cdc_event_pack_begin(msgpack_packer *pk, const struct cdc_event *ev,
    uint32_t n_extra)
{
	uint32_t n = 3 + n_extra;	/* type, ts, db */

	n += ev->collection.n > 0;
	n += ev->collection_id != 0;
	n += ev->has_partition ? 2 : 0;
	n += ev->vchannel.n > 0;
	n += ev->src.topic.n > 0;
	msgpack_pack_map(pk, n);
	cdc_pack_key(pk, "type");
	cdc_pack_cstr(pk, cdc_ev_type_name(ev->type));
	cdc_pack_key(pk, "ts");
	msgpack_pack_uint64(pk, ev->ts);
	pack_kv_str(pk, "db", ev->db);
	if (ev->collection.n > 0)
		pack_kv_str(pk, "collection", ev->collection);
	if (ev->collection_id != 0) {
		cdc_pack_key(pk, "collection_id");
		msgpack_pack_int64(pk, ev->collection_id);
	}
	if (ev->has_partition) {
		pack_kv_str(pk, "partition", ev->partition);
		cdc_pack_key(pk, "partition_id");
		msgpack_pack_int64(pk, ev->partition_id);
	}
	if (ev->vchannel.n > 0)
		pack_kv_str(pk, "vchannel", ev->vchannel);
	if (ev->src.topic.n > 0) {
		cdc_pack_key(pk, "src");
		msgpack_pack_map(pk, 3);
		pack_kv_str(pk, "topic", ev->src.topic);
		cdc_pack_key(pk, "partition");
		msgpack_pack_int32(pk, ev->src.partition);
		cdc_pack_key(pk, "offset");
		msgpack_pack_int64(pk, ev->src.offset);
	}
}

void
cdc_header_pack(msgpack_packer *pk, const char *tool, const char *source)
{
	msgpack_pack_map(pk, 6);
	cdc_pack_key(pk, "type");
	cdc_pack_cstr(pk, "header");
	cdc_pack_key(pk, "format");
	cdc_pack_cstr(pk, CDC_STREAM_FORMAT);
	cdc_pack_key(pk, "version");
	msgpack_pack_int(pk, CDC_STREAM_VERSION);
	cdc_pack_key(pk, "tool");
	cdc_pack_cstr(pk, tool);
	cdc_pack_key(pk, "tool_version");
	cdc_pack_cstr(pk, CDC_VERSION);
	cdc_pack_key(pk, "source");
	cdc_pack_cstr(pk, source ? source : "");
}

/* === checkpoints === */

static int
parse_pos(const msgpack_object *o, struct cdc_ckpt_pos *pos)
{
	const char *p;
	size_t n;
	int64_t part;

	if (cdc_map_str(o, "topic", &p, &n) < 0 ||
	    cdc_map_i64(o, "partition", &part) < 0 ||
	    cdc_map_i64(o, "offset", &pos->offset) < 0)
		return -1;
	pos->topic = cdc_xstrndup(p, n);
	pos->partition = (int32_t)part;
	return 0;
}

int
cdc_ckpt_parse(const msgpack_object *map, struct cdc_ckpt *c, char *err,
    size_t errsz)
{
	const msgpack_object *a = cdc_map_get(map, "positions");

	memset(c, 0, sizeof *c);
	if (!cdc_obj_streq(cdc_map_get(map, "type") ?
	    cdc_map_get(map, "type") : &(msgpack_object){0}, "checkpoint") ||
	    cdc_map_u64(map, "ts", &c->ts) < 0 || !a ||
	    a->type != MSGPACK_OBJECT_ARRAY) {
		snprintf(err, errsz, "not a checkpoint (type, ts, positions)");
		return -1;
	}
	c->done_all = cdc_map_u64(map, "done", &c->done) < 0;
	c->pos = cdc_xcalloc(a->via.array.size, sizeof *c->pos);
	for (uint32_t i = 0; i < a->via.array.size; i++) {
		if (parse_pos(&a->via.array.ptr[i], &c->pos[i]) < 0) {
			snprintf(err, errsz, "checkpoint position %u: needs "
			    "topic, partition and offset", i + 1);
			cdc_ckpt_fini(c);
			return -1;
		}
		c->npos++;
	}
	return 0;
}

void
cdc_ckpt_pack(msgpack_packer *pk, const struct cdc_ckpt *c)
{
	msgpack_pack_map(pk, c->done_all ? 3 : 4);
	cdc_pack_key(pk, "type");
	cdc_pack_cstr(pk, "checkpoint");
	cdc_pack_key(pk, "ts");
	msgpack_pack_uint64(pk, c->ts);
	if (!c->done_all) {
		cdc_pack_key(pk, "done");
		msgpack_pack_uint64(pk, c->done);
	}
	cdc_pack_key(pk, "positions");
	msgpack_pack_array(pk, (uint32_t)c->npos);
	for (size_t i = 0; i < c->npos; i++) {
		msgpack_pack_map(pk, 3);
		cdc_pack_key(pk, "topic");
		cdc_pack_cstr(pk, c->pos[i].topic);
		cdc_pack_key(pk, "partition");
		msgpack_pack_int32(pk, c->pos[i].partition);
		cdc_pack_key(pk, "offset");
		msgpack_pack_int64(pk, c->pos[i].offset);
	}
}

void
cdc_ckpt_fini(struct cdc_ckpt *c)
{
	for (size_t i = 0; i < c->npos; i++)
		free(c->pos[i].topic);
	free(c->pos);
	c->pos = NULL;
	c->npos = 0;
}

int
cdc_ckpt_load(const char *path, struct cdc_ckpt *c, char *err, size_t errsz)
{
	char *buf, e[256];
	size_t len;
	int rc = cdc_file_read(path, &buf, &len, err, errsz);
	msgpack_zone zone;
	struct cdc_frame fr;

	if (rc <= 0)
		return rc;
	msgpack_zone_init(&zone, 4096);
	rc = cdc_frame_parse(buf, len, &zone, &fr, e, sizeof e) == 1 &&
	    cdc_ckpt_parse(&fr.map, c, e, sizeof e) == 0 ? 1 : -1;
	if (rc < 0)
		snprintf(err, errsz, "checkpoint '%s': %s", path, e);
	msgpack_zone_destroy(&zone);
	free(buf);
	return rc;
}

int
cdc_ckpt_save(const char *path, const char *frame, size_t len, char *err,
    size_t errsz)
{
	return cdc_file_replace(path, frame, len, err, errsz);
}
