/*
 * cdc_apply.h - cdc-stream(5) events as Milvus REST v2 request bodies
 * (milvus-rest.md §2-4): collection schemas, index parameters, delete
 * filters, and the check of an existing collection against a schema.
 * Bodies are appended to caller buffers; nothing here does I/O.
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
/* entities/delete filter "pk in [...]": int64 inline; strings quoted and
 * escaped, or as exprParams when use_params.  0 or -1. */
int cdc_apply_delete_body(struct cdc_buf *b, struct cdc_str db,
    struct cdc_str coll, struct cdc_str pk, const msgpack_object *keys,
    size_t from, size_t n, int use_params, char *err, size_t errsz);
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

#endif
