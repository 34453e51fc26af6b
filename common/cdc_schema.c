/* cdc_schema.c - see cdc_schema.h.  Entries live in an array in insertion
 * order (a name reused after a drop resolves to the newest); an open-
 * addressing hash on the id finds the entry of an insert or delete in O(1),
 * since every event looks its collection up.  Lookups by name are linear:
 * only replicate-msg requests, which carry no id, use them. */
#include <stdlib.h>
#include <string.h>

#include "cdc_event.h"
#include "cdc_frame.h"
#include "cdc_schema.h"
#include "cdc_util.h"

#define STATE_FORMAT "cdc-read-state"
#define STATE_VERSION 1

struct cdc_schemas {
	struct cdc_schema **v;
	size_t n, cap;
	size_t *slot;		/* by id: index into v plus 1; 0 is empty */
	size_t nslot;		/* a power of two above 2n, or 0 */
	int dirty;
};

static size_t
id_hash(int64_t id, size_t nslot)
{
	uint64_t x = (uint64_t)id * 0x9e3779b97f4a7c15ULL;

	return (size_t)(x ^ (x >> 29)) & (nslot - 1);
}

static void
slot_add(struct cdc_schemas *reg, size_t i)
{
	size_t h = id_hash(reg->v[i]->id, reg->nslot);

	while (reg->slot[h])
		h = (h + 1) & (reg->nslot - 1);
	reg->slot[h] = i + 1;
}

/* Rebuild the id hash for the current entries. */
static void
rehash(struct cdc_schemas *reg)
{
	size_t want = 16;

	while (want < 2 * reg->n + 2)
		want *= 2;
	if (want != reg->nslot) {
		free(reg->slot);
		reg->slot = cdc_xmalloc(want * sizeof *reg->slot);
		reg->nslot = want;
	}
	memset(reg->slot, 0, reg->nslot * sizeof *reg->slot);
	for (size_t i = 0; i < reg->n; i++)
		slot_add(reg, i);
}

struct cdc_schemas *
cdc_schemas_new(void)
{
	return cdc_xcalloc(1, sizeof(struct cdc_schemas));
}

static void
schema_free(struct cdc_schema *s)
{
	free(s->db);
	free(s->name);
	free(s->pk);
	free(s->packed);
	free(s);
}

void
cdc_schemas_free(struct cdc_schemas *reg)
{
	if (!reg)
		return;
	for (size_t i = 0; i < reg->n; i++)
		schema_free(reg->v[i]);
	free(reg->v);
	free(reg->slot);
	free(reg);
}

struct cdc_schema *
cdc_schemas_by_id(const struct cdc_schemas *reg, int64_t id)
{
	if (!reg || reg->nslot == 0)
		return NULL;
	for (size_t h = id_hash(id, reg->nslot); reg->slot[h];
	    h = (h + 1) & (reg->nslot - 1))
		if (reg->v[reg->slot[h] - 1]->id == id)
			return reg->v[reg->slot[h] - 1];
	return NULL;
}

static int
eq(const char *s, const char *p, size_t n)
{
	return s && strlen(s) == n && memcmp(s, p, n) == 0;
}

struct cdc_schema *
cdc_schemas_by_name(const struct cdc_schemas *reg, const char *db, size_t dbn,
    const char *name, size_t namen)
{
	if (!reg)
		return NULL;
	if (dbn == 0) {
		db = "default";
		dbn = 7;
	}
	/* Newest first: a name reused after a drop maps to the new one. */
	for (size_t i = reg->n; i-- > 0;)
		if (eq(reg->v[i]->name, name, namen) &&
		    eq(reg->v[i]->db, db, dbn))
			return reg->v[i];
	return NULL;
}

struct cdc_schema *
cdc_schemas_put(struct cdc_schemas *reg, int64_t id, const char *db,
    const char *name, const char *pk, int pk_type, const char *packed,
    size_t packed_len)
{
	struct cdc_schema *s = cdc_schemas_by_id(reg, id);
	int announced = s ? s->announced : 0;

	if (s) {
		free(s->db);
		free(s->name);
		free(s->pk);
		free(s->packed);
	} else {
		if (reg->n == reg->cap) {
			reg->cap = reg->cap ? reg->cap * 2 : 16;
			reg->v = cdc_xrealloc(reg->v, reg->cap * sizeof *reg->v);
		}
		s = cdc_xcalloc(1, sizeof *s);
		s->id = id;
		reg->v[reg->n++] = s;
		if (2 * reg->n + 2 > reg->nslot)
			rehash(reg);
		else
			slot_add(reg, reg->n - 1);
	}
	s->id = id;
	s->db = cdc_xstrdup(db && *db ? db : "default");
	s->name = cdc_xstrdup(name ? name : "");
	s->pk = pk ? cdc_xstrdup(pk) : NULL;
	s->pk_type = pk_type;
	s->packed = cdc_xmalloc(packed_len);
	memcpy(s->packed, packed, packed_len);
	s->packed_len = packed_len;
	s->announced = announced;
	reg->dirty = 1;
	return s;
}

void
cdc_schemas_del(struct cdc_schemas *reg, int64_t id)
{
	for (size_t i = 0; i < reg->n; i++) {
		if (reg->v[i]->id != id)
			continue;
		schema_free(reg->v[i]);
		memmove(&reg->v[i], &reg->v[i + 1],
		    (reg->n - i - 1) * sizeof *reg->v);
		reg->n--;
		reg->dirty = 1;
		rehash(reg);	/* drops are rare; indexes moved */
		return;
	}
}

void
cdc_schemas_rename(struct cdc_schemas *reg, struct cdc_schema *s,
    const char *db, const char *name)
{
	char *d = cdc_xstrdup(db && *db ? db : s->db), *n = cdc_xstrdup(name);

	free(s->db);
	free(s->name);
	s->db = d;
	s->name = n;
	reg->dirty = 1;
}

int
cdc_schemas_dirty(const struct cdc_schemas *reg)
{
	return reg->dirty;
}

/* Insert already-packed msgpack bytes into a packer's output. */
static void
pack_raw(msgpack_packer *pk, const char *p, size_t n)
{
	pk->callback(pk->data, p, n);
}

int
cdc_schemas_save(struct cdc_schemas *reg, const char *path, char *err,
    size_t errsz)
{
	struct cdc_frame_writer w;
	msgpack_packer *pk;
	const char *bytes;
	size_t len;
	int rc;

	cdc_frame_writer_init(&w);
	pk = cdc_frame_begin(&w);
	msgpack_pack_map(pk, 3);
	cdc_pack_key(pk, "format");
	cdc_pack_cstr(pk, STATE_FORMAT);
	cdc_pack_key(pk, "version");
	msgpack_pack_int(pk, STATE_VERSION);
	cdc_pack_key(pk, "collections");
	msgpack_pack_array(pk, (uint32_t)reg->n);
	for (size_t i = 0; i < reg->n; i++) {
		struct cdc_schema *s = reg->v[i];

		msgpack_pack_map(pk, 6);
		cdc_pack_key(pk, "id");
		msgpack_pack_int64(pk, s->id);
		cdc_pack_key(pk, "db");
		cdc_pack_cstr(pk, s->db);
		cdc_pack_key(pk, "name");
		cdc_pack_cstr(pk, s->name);
		cdc_pack_key(pk, "pk");
		cdc_pack_cstr(pk, s->pk);
		cdc_pack_key(pk, "pk_type");
		msgpack_pack_int(pk, s->pk_type);
		cdc_pack_key(pk, "schema");
		pack_raw(pk, s->packed, s->packed_len);
	}
	cdc_frame_finish(&w);
	bytes = cdc_frame_bytes(&w, &len);
	rc = cdc_file_replace(path, bytes, len, err, errsz);
	if (rc == 0)
		reg->dirty = 0;
	cdc_frame_writer_fini(&w);
	return rc;
}

/* Load one saved entry (only check it when reg is NULL); 0 or -1. */
static int
load_entry(struct cdc_schemas *reg, const msgpack_object *e)
{
	const msgpack_object *sch = cdc_map_get(e, "schema");
	const char *db, *name, *pk = NULL;
	size_t dbn, namen, pkn = 0;
	int64_t id, pk_type;
	msgpack_sbuffer sb;
	msgpack_packer p;
	char *dbs, *names, *pks;

	if (cdc_map_i64(e, "id", &id) < 0 || !sch ||
	    cdc_map_str(e, "db", &db, &dbn) < 0 ||
	    cdc_map_str(e, "name", &name, &namen) < 0 ||
	    cdc_map_i64(e, "pk_type", &pk_type) < 0 ||
	    sch->type != MSGPACK_OBJECT_MAP)
		return -1;
	if (!reg)
		return 0;
	cdc_map_str(e, "pk", &pk, &pkn);
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&p, &sb, msgpack_sbuffer_write);
	msgpack_pack_object(&p, *sch);
	dbs = cdc_xstrndup(db, dbn);
	names = cdc_xstrndup(name, namen);
	pks = pk ? cdc_xstrndup(pk, pkn) : NULL;
	cdc_schemas_put(reg, id, dbs, names, pks, (int)pk_type, sb.data,
	    sb.size);
	free(dbs);
	free(names);
	free(pks);
	msgpack_sbuffer_destroy(&sb);
	return 0;
}

int
cdc_schemas_load(struct cdc_schemas *reg, const char *path, char *err,
    size_t errsz)
{
	char *buf, e[256];
	size_t len;
	int rc = cdc_file_read(path, &buf, &len, err, errsz);
	msgpack_zone zone;
	struct cdc_frame fr;
	const msgpack_object *a;
	int64_t version;

	if (rc <= 0)
		return rc;
	msgpack_zone_init(&zone, 4096);
	rc = -1;
	if (cdc_frame_parse(buf, len, &zone, &fr, e, sizeof e) != 1) {
		snprintf(err, errsz, "state '%s': %s", path, e);
		goto out;
	}
	a = cdc_map_get(&fr.map, "collections");
	if (!cdc_obj_streq(cdc_map_get(&fr.map, "format") ?
	    cdc_map_get(&fr.map, "format") : &(msgpack_object){0},
	    STATE_FORMAT) || !a || a->type != MSGPACK_OBJECT_ARRAY) {
		snprintf(err, errsz, "state '%s': not a cdc-read state file",
		    path);
		goto out;
	}
	if (cdc_map_i64(&fr.map, "version", &version) < 0 || version < 1 ||
	    version > STATE_VERSION) {
		snprintf(err, errsz, "state '%s': unsupported version", path);
		goto out;
	}
	for (uint32_t i = 0; i < a->via.array.size; i++) {
		if (load_entry(NULL, &a->via.array.ptr[i]) < 0) {
			snprintf(err, errsz, "state '%s': bad entry %u", path,
			    i + 1);
			goto out;
		}
	}
	for (uint32_t i = 0; i < a->via.array.size; i++)
		load_entry(reg, &a->via.array.ptr[i]);
	reg->dirty = 0;
	rc = 1;
out:
	msgpack_zone_destroy(&zone);
	free(buf);
	return rc;
}

void
cdc_schema_pack_event(const struct cdc_schema *s, uint64_t ts,
    msgpack_packer *pk)
{
	struct cdc_event ev = {0};

	ev.type = CDC_EV_SCHEMA;
	ev.ts = ts;
	ev.db = (struct cdc_str){s->db, strlen(s->db)};
	ev.collection = (struct cdc_str){s->name, strlen(s->name)};
	ev.collection_id = s->id;
	cdc_event_pack_begin(pk, &ev, 1);
	cdc_pack_key(pk, "schema");
	pack_raw(pk, s->packed, s->packed_len);
}
