/*
 * cdc_json.h - the one row -> JSON mapping, shared by every writer: Int64
 * exact, floats shortest round-trip, strings escaped (invalid UTF-8 is an
 * error), JSON columns embedded, vectors as arrays of numbers, binary
 * vectors and geometry as base64, sparse vectors as {"index": value},
 * Timestamptz as ISO-8601 UTC with microseconds, NULL as null, and the
 * dynamic field's keys flattened into the row (a real field of the same
 * name wins; keys are compared as written, escapes not decoded).  Numbers
 * as cdc_fmt.h: 1.0f is "1.0", NaN/Inf are null and counted in
 * cdc_buf.nonfinite.
 *
 * struct cdc_buf owns its bytes (release with cdc_buf_fini()).  struct
 * cdc_cols is a view into an insert event's map: valid while the frame is;
 * release its array with cdc_cols_fini().
 */
#ifndef CDC_JSON_H
#define CDC_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <msgpack.h>

#include "cdc_util.h"

struct cdc_buf {
	char *p;
	size_t len, cap;
	/* NaN and infinities written as null since the caller last reset
	 * it (JSON has no such numbers): a writer may warn and zero it. */
	size_t nonfinite;
};

void cdc_buf_fini(struct cdc_buf *b);
void cdc_buf_grow(struct cdc_buf *b, size_t more);
void cdc_buf_add(struct cdc_buf *b, const void *p, size_t n);
static inline void
cdc_buf_addc(struct cdc_buf *b, char c)
{
	if (b->len == b->cap)
		cdc_buf_grow(b, 1);
	b->p[b->len++] = c;
}
static inline void
cdc_buf_adds(struct cdc_buf *b, const char *s)
{
	cdc_buf_add(b, s, strlen(s));
}

struct cdc_col {
	struct cdc_str name;
	int64_t field_id;
	int dt, et;		/* data type; element type of an Array */
	int64_t dim;
	size_t row_bytes;	/* packed vectors: bytes per row */
	int dynamic;
	const msgpack_object *data, *valid;
};

/* JSON field text nested deeper than this is refused as invalid. */
#define CDC_JSON_MAX_DEPTH 512

#define CDC_JSON_JSON_AS_STR 1u	/* JSON fields as strings of JSON text */
#define CDC_JSON_HALF_AS_B64 2u	/* fp16/bf16 vectors as base64 of bytes */
#define CDC_JSON_REST (CDC_JSON_JSON_AS_STR | CDC_JSON_HALF_AS_B64)

struct cdc_cols {
	struct cdc_col *v;
	size_t n, cap;
	uint64_t rows;
	int pk;			/* index of the primary key column, or -1 */
	unsigned flags;		/* CDC_JSON_* below */
	struct cdc_str pk_name;
};

/*
 * Parse and check the columns of an insert event map: every column's data
 * has the shape its type says for "rows" rows.  0, or -1 with err naming
 * the column.  c is reused across calls; fini it once.
 */
int cdc_cols_parse(struct cdc_cols *c, const msgpack_object *ev, char *err,
    size_t errsz);
void cdc_cols_fini(struct cdc_cols *c);

/* Append row `row` as a JSON object.  0, or -1 with err (bad UTF-8...). */
int cdc_json_row(struct cdc_buf *b, const struct cdc_cols *c, size_t row,
    char *err, size_t errsz);
/* Append one cell. */
int cdc_json_cell(struct cdc_buf *b, const struct cdc_col *col, size_t row,
    char *err, size_t errsz);
/* Append {"<pk>": value} for row (insert), or for a delete key object. */
int cdc_json_pk(struct cdc_buf *b, const struct cdc_cols *c, size_t row,
    char *err, size_t errsz);
int cdc_json_key(struct cdc_buf *b, struct cdc_str pk,
    const msgpack_object *key, char *err, size_t errsz);
/* Append p as a JSON string.  -1 on invalid UTF-8. */
int cdc_json_str(struct cdc_buf *b, const char *p, size_t n);
/* Append any msgpack object (maps -> objects, bin -> base64).  0 or -1. */
int cdc_json_msgpack(struct cdc_buf *b, const msgpack_object *o, char *err,
    size_t errsz);
/* Append microseconds since the epoch as an ISO-8601 UTC string with
 * microseconds ("2024-05-01T12:00:00.000000Z"), quotes included. */
void cdc_json_ts_iso(struct cdc_buf *b, int64_t micros);

#endif
