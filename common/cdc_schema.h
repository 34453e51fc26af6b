/*
 * cdc_schema.h - the registry of collection schemas a reader has learned
 * (from CreateCollection records, a state file, or a source Milvus).
 * The registry owns every struct cdc_schema and its strings; pointers stay
 * valid until the entry is removed or the registry freed.
 */
#ifndef CDC_SCHEMA_H
#define CDC_SCHEMA_H

#include <stddef.h>
#include <stdint.h>

#include <msgpack.h>

struct cdc_schema {
	int64_t id;		/* collection id */
	char *db;		/* "default" when unknown */
	char *name;
	char *pk;		/* primary key field name, NULL if none known */
	int pk_type;		/* enum cdc_dtype of the pk */
	char *packed;		/* the cdc-stream(5) "schema" map, msgpack */
	size_t packed_len;
	int announced;		/* run-time only: emitted this run */
};

struct cdc_schemas;

struct cdc_schemas *cdc_schemas_new(void);
void cdc_schemas_free(struct cdc_schemas *reg);
/* Lookups return NULL when not found (or reg is NULL); by_id is O(1), by_name
 * linear and prefers the newest entry of a reused name; db "" = "default". */
struct cdc_schema *cdc_schemas_by_id(const struct cdc_schemas *reg,
    int64_t id);
struct cdc_schema *cdc_schemas_by_name(const struct cdc_schemas *reg,
    const char *db, size_t dbn, const char *name, size_t namen);
/*
 * Add or replace the schema of collection `id` (strings and packed bytes are
 * copied).  Returns the registry's entry.
 */
struct cdc_schema *cdc_schemas_put(struct cdc_schemas *reg, int64_t id,
    const char *db, const char *name, const char *pk, int pk_type,
    const char *packed, size_t packed_len);
void cdc_schemas_del(struct cdc_schemas *reg, int64_t id);
/* Give s a new db (NULL or "" keeps it) and name. */
void cdc_schemas_rename(struct cdc_schemas *reg, struct cdc_schema *s,
    const char *db, const char *name);
/* Has anything changed since the last load/save? */
int cdc_schemas_dirty(const struct cdc_schemas *reg);
/*
 * State file: one cdc-stream(5)-style frame holding the map {format
 * "cdc-read-state", version 1, collections [{id, db, name, pk, pk_type,
 * schema}]}.  load adds its entries: 1 loaded, 0 missing, -1 error (then
 * nothing was added; a newer version is refused).  save: 0/-1, atomic
 * (cdc_file_replace).  "announced" is never saved.
 */
int cdc_schemas_load(struct cdc_schemas *reg, const char *path, char *err,
    size_t errsz);
int cdc_schemas_save(struct cdc_schemas *reg, const char *path, char *err,
    size_t errsz);
/*
 * Pack a "schema" event (cdc-stream(5)) for s at timestamp ts: a complete
 * map with the common keys (db, collection, collection_id) and "schema".
 */
void cdc_schema_pack_event(const struct cdc_schema *s, uint64_t ts,
    msgpack_packer *pk);

#endif
