/*
 * cdc_apply.h - cdc-stream(5) events as Milvus REST v2 request bodies
 * (milvus-rest.md §2-4): collection schemas, index parameters, delete
 * filters, and the check of an existing collection against a schema.
 * Bodies are appended to caller buffers; nothing here does I/O.
 * struct cdc_apply_del and struct cdc_apply_info own their buffers and
 * names until their _fini().
 */
#ifndef CDC_APPLY_H
#define CDC_APPLY_H

#include <jansson.h>
#include <msgpack.h>

#include "cdc_json.h"

/* collections/create body from a cdc-stream "schema" map (autoID off). */
int cdc_apply_create_body(struct cdc_buf *b, struct cdc_str db,
    struct cdc_str coll, const msgpack_object *schema, char *err,
    size_t errsz);
/* Does an existing collection (collections/describe data) match the
 * schema?  0, or -1 with err naming the first difference. */
int cdc_apply_schema_match(const msgpack_object *schema, json_t *desc,
    char *err, size_t errsz);
/*
 * The keys of consecutive deletes of one collection and partition, as
 * filter literals: int64 inline, strings quoted and escaped for the
 * expression parser, or JSON strings for exprParams when use_params.
 * INT64_MIN cannot be written as a literal: it becomes "pk < -(2^63-1)".
 */
struct cdc_apply_del {
	struct cdc_buf lits;	/* literals joined by ", " */
	size_t n;		/* keys added */
	int strs;		/* the keys are strings */
	int min;		/* INT64_MIN is among them */
};

/* Add one key (int or str; all keys of a batch have one type).  0 or -1. */
int cdc_apply_del_add(struct cdc_apply_del *d, const msgpack_object *key,
    int use_params, char *err, size_t errsz);
/* entities/delete body for the keys added; part.n 0: every partition. */
int cdc_apply_del_body(struct cdc_buf *b, const struct cdc_apply_del *d,
    struct cdc_str db, struct cdc_str coll, struct cdc_str part,
    struct cdc_str pk, int use_params);
void cdc_apply_del_reset(struct cdc_apply_del *d);
void cdc_apply_del_fini(struct cdc_apply_del *d);

/* What a writer must know of a target collection to write rows. */
struct cdc_apply_info {
	int partition_key;	/* has a partition key: send no partitionName */
	char **outputs;		/* function output fields: never sent */
	size_t noutputs;
};

/* From a cdc-stream "schema" map, or from collections/describe data. */
void cdc_apply_info_schema(struct cdc_apply_info *in,
    const msgpack_object *schema);
void cdc_apply_info_describe(struct cdc_apply_info *in, json_t *desc);
void cdc_apply_info_fini(struct cdc_apply_info *in);
/* Remove function output columns (BM25...) from parsed insert columns. */
void cdc_apply_cols_strip(struct cdc_cols *c, const struct cdc_apply_info *in);

/* indexes/create body from a create_index event's params map. */
int cdc_apply_index_body(struct cdc_buf *b, struct cdc_str db,
    struct cdc_str coll, const msgpack_object *ev, char *err, size_t errsz);

/*
 * The cdc-stream "schema" map of a collection from its collections/describe
 * data (for cdc-read --source-milvus), packed into pk; *pk_name is set to
 * the primary key field's name inside desc (valid while desc is) and
 * *pk_type to its data type.  0, or -1 with err.
 */
int cdc_apply_schema_from_describe(json_t *desc, msgpack_packer *pk,
    const char **pk_name, int *pk_type, char *err, size_t errsz);

/*
 * Append the WKT text of a WKB geometry (REST wants WKT, the stream carries
 * WKB): OGC and ISO types 1-7 with Z/M (ISO +1000/2000/3000 or EWKB flags;
 * an EWKB SRID is dropped), either byte order.  0, or -1 with err.
 */
int cdc_apply_wkt(struct cdc_buf *b, const unsigned char *wkb, size_t n,
    char *err, size_t errsz);

#endif
