/* cdc_json.c - see cdc_json.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cdc_b64.h"
#include "cdc_event.h"
#include "cdc_fmt.h"
#include "cdc_frame.h"
#include "cdc_json.h"

/* === buffer === */

void
cdc_buf_fini(struct cdc_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

void
cdc_buf_grow(struct cdc_buf *b, size_t more)
{
	size_t cap = b->cap ? b->cap : 256;

	while (cap < b->len + more)
		cap *= 2;
	if (cap != b->cap) {
		b->p = cdc_xrealloc(b->p, cap);
		b->cap = cap;
	}
}

void
cdc_buf_add(struct cdc_buf *b, const void *p, size_t n)
{
	if (b->len + n > b->cap)
		cdc_buf_grow(b, n);
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

/* Reserve room for n more bytes and return where they go. */
static char *
room(struct cdc_buf *b, size_t n)
{
	if (b->len + n > b->cap)
		cdc_buf_grow(b, n);
	return b->p + b->len;
}

/* === strings === */

/* Length of the valid UTF-8 sequence at p (1-4), or 0. */
static size_t
utf8_len(const unsigned char *p, size_t n)
{
	if (p[0] < 0xc2 || p[0] > 0xf4)
		return 0;
	if (p[0] < 0xe0)
		return n >= 2 && (p[1] & 0xc0) == 0x80 ? 2 : 0;
	if (p[0] < 0xf0) {
		if (n < 3 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80)
			return 0;
		if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] > 0x9f))
			return 0;
		return 3;
	}
	if (n < 4 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 ||
	    (p[3] & 0xc0) != 0x80)
		return 0;
	if ((p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] > 0x8f))
		return 0;
	return 4;
}

int
cdc_json_str(struct cdc_buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0;

	cdc_buf_addc(b, '"');
	while (i < n) {
		unsigned char c = p[i];
		size_t k;

		if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
			i++;
			continue;
		}
		cdc_buf_add(b, s + run, i - run);
		if (c >= 0x80) {
			if (!(k = utf8_len(p + i, n - i)))
				return -1;
			cdc_buf_add(b, s + i, k);
			i += k;
		} else {
			char esc[8];
			int m = c == '"' ? snprintf(esc, sizeof esc, "\\\"") :
			    c == '\\' ? snprintf(esc, sizeof esc, "\\\\") :
			    c == '\n' ? snprintf(esc, sizeof esc, "\\n") :
			    c == '\t' ? snprintf(esc, sizeof esc, "\\t") :
			    c == '\r' ? snprintf(esc, sizeof esc, "\\r") :
			    snprintf(esc, sizeof esc, "\\u%04x", c);

			cdc_buf_add(b, esc, (size_t)m);
			i++;
		}
		run = i;
	}
	cdc_buf_add(b, s + run, n - run);
	cdc_buf_addc(b, '"');
	return 0;
}

static void
add_b64(struct cdc_buf *b, const void *p, size_t n)
{
	char *d = room(b, cdc_b64_encoded_len(n) + 2);

	*d = '"';
	cdc_b64_encode(p, n, d + 1);
	d[1 + cdc_b64_encoded_len(n)] = '"';
	b->len += cdc_b64_encoded_len(n) + 2;
}

/* === embedded JSON text: validate and copy === */

static const char *
ws(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

static const char *skip_value(const char *p, const char *e, int depth);

static int
is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

static const char *
skip_string(const char *p, const char *e)
{
	for (p++; p < e; p++) {
		if (*p == '"')
			return p + 1;
		if (*p == '\\') {
			if (++p == e)
				return NULL;
			if (*p == 'u') {
				if (e - p < 5 || !is_hex(p[1]) || !is_hex(p[2]) ||
				    !is_hex(p[3]) || !is_hex(p[4]))
					return NULL;
				p += 4;
			} else if (!strchr("\"\\/bfnrt", *p) || !*p) {
				return NULL;
			}
			continue;
		}
		if ((unsigned char)*p < 0x20)
			return NULL;
		if ((unsigned char)*p >= 0x80) {
			size_t k = utf8_len((const unsigned char *)p,
			    (size_t)(e - p));

			if (!k)
				return NULL;
			p += k - 1;
		}
	}
	return NULL;
}

static const char *
skip_digits(const char *p, const char *e)
{
	const char *s = p;

	while (p < e && *p >= '0' && *p <= '9')
		p++;
	return p > s ? p : NULL;
}

/* -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static const char *
skip_number(const char *p, const char *e)
{
	if (p < e && *p == '-')
		p++;
	if (p < e && *p == '0')
		p++;
	else if (!(p = skip_digits(p, e)))
		return NULL;
	if (p < e && *p == '.' && !(p = skip_digits(p + 1, e)))
		return NULL;
	if (p < e && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < e && (*p == '+' || *p == '-'))
			p++;
		p = skip_digits(p, e);
	}
	return p;
}

static const char *
skip_container(const char *p, const char *e, int depth, char close)
{
	p = ws(p + 1, e);
	if (p < e && *p == close)
		return p + 1;
	for (;;) {
		p = ws(p, e);
		if (close == '}') {
			if (p >= e || *p != '"' || !(p = skip_string(p, e)))
				return NULL;
			p = ws(p, e);
			if (p >= e || *p++ != ':')
				return NULL;
		}
		if (!(p = skip_value(p, e, depth + 1)))
			return NULL;
		p = ws(p, e);
		if (p < e && *p == close)
			return p + 1;
		if (p >= e || *p++ != ',')
			return NULL;
	}
}

/* Past one JSON value at p (after white space), or NULL if invalid. */
static const char *
skip_value(const char *p, const char *e, int depth)
{
	p = ws(p, e);
	if (p >= e || depth > CDC_JSON_MAX_DEPTH)
		return NULL;
	switch (*p) {
	case '{': return skip_container(p, e, depth, '}');
	case '[': return skip_container(p, e, depth, ']');
	case '"': return skip_string(p, e);
	case 't': return e - p >= 4 && !memcmp(p, "true", 4) ? p + 4 : NULL;
	case 'f': return e - p >= 5 && !memcmp(p, "false", 5) ? p + 5 : NULL;
	case 'n': return e - p >= 4 && !memcmp(p, "null", 4) ? p + 4 : NULL;
	default: return skip_number(p, e);
	}
}

/* Copy a JSON document (one value, white space around it allowed). */
static int
add_json_text(struct cdc_buf *b, const char *p, size_t n)
{
	const char *e = p + n, *s = ws(p, e), *end = skip_value(s, e, 0);

	if (!end || ws(end, e) != e)
		return -1;
	cdc_buf_add(b, s, (size_t)(end - s));
	return 0;
}

/* === cells === */

/* Count the NaN and infinities written as null (see cdc_buf.nonfinite). */
static inline void
count_null(struct cdc_buf *b, const char *d, size_t n)
{
	if (n == 4 && d[0] == 'n')
		b->nonfinite++;
}

static void
add_fmt_float(struct cdc_buf *b, float f)
{
	char *d = room(b, CDC_FMT_MAX);
	size_t n = cdc_fmt_float(d, f);

	count_null(b, d, n);
	b->len += n;
}

static void
add_fmt_double(struct cdc_buf *b, double v)
{
	char *d = room(b, CDC_FMT_MAX);
	size_t n = cdc_fmt_double(d, v);

	count_null(b, d, n);
	b->len += n;
}

static void
add_i64(struct cdc_buf *b, int64_t v)
{
	b->len += cdc_fmt_i64(room(b, CDC_FMT_MAX), v);
}

static float
half_to_float(uint16_t h)
{
	int e = (h >> 10) & 31, m = h & 1023;
	float v = e == 0 ? ldexpf((float)m, -24) :
	    e == 31 ? (m ? NAN : INFINITY) : ldexpf((float)(m | 1024), e - 25);

	return h & 0x8000 ? -v : v;
}

static float
bf16_to_float(uint16_t x)
{
	uint32_t u = (uint32_t)x << 16;
	float f;

	memcpy(&f, &u, 4);
	return f;
}

void
cdc_json_ts_iso(struct cdc_buf *b, int64_t micros)
{
	time_t sec = (time_t)(micros / 1000000);
	int64_t us = micros % 1000000;
	struct tm tm;
	char *d = room(b, 40);

	if (us < 0) {
		us += 1000000;
		sec--;
	}
	gmtime_r(&sec, &tm);
	b->len += (size_t)snprintf(d, 40, "\"%04d-%02d-%02dT%02d:%02d:%02d.%06dZ\"",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (int)us);
}

/* A msgpack scalar as the JSON of Milvus type dt. */
static int
add_scalar(struct cdc_buf *b, const msgpack_object *o, int dt)
{
	int64_t v;

	switch (o->type) {
	case MSGPACK_OBJECT_NIL:
		cdc_buf_adds(b, "null");
		return 0;
	case MSGPACK_OBJECT_BOOLEAN:
		cdc_buf_adds(b, o->via.boolean ? "true" : "false");
		return 0;
	case MSGPACK_OBJECT_POSITIVE_INTEGER:
	case MSGPACK_OBJECT_NEGATIVE_INTEGER:
		if (dt == CDC_DT_TIMESTAMPTZ && cdc_obj_i64(o, &v) == 0) {
			cdc_json_ts_iso(b, v);
			return 0;
		}
		if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
			b->len += cdc_fmt_u64(room(b, CDC_FMT_MAX), o->via.u64);
		else
			add_i64(b, o->via.i64);
		return 0;
	case MSGPACK_OBJECT_FLOAT32:
	case MSGPACK_OBJECT_FLOAT64:
		/* the column's type decides: a Float is float32 however packed */
		if (dt == CDC_DT_FLOAT || (dt != CDC_DT_DOUBLE &&
		    o->type == MSGPACK_OBJECT_FLOAT32))
			add_fmt_float(b, (float)o->via.f64);
		else
			add_fmt_double(b, o->via.f64);
		return 0;
	case MSGPACK_OBJECT_STR:
		if (dt == CDC_DT_JSON)
			return add_json_text(b, o->via.str.ptr, o->via.str.size);
		return cdc_json_str(b, o->via.str.ptr, o->via.str.size);
	case MSGPACK_OBJECT_BIN:
		add_b64(b, o->via.bin.ptr, o->via.bin.size);
		return 0;
	default:
		return -1;
	}
}

static void
add_vector(struct cdc_buf *b, const struct cdc_col *c, size_t row)
{
	const unsigned char *p = (const unsigned char *)c->data->via.bin.ptr +
	    row * c->row_bytes;
	char *d, *d0;
	size_t n;

	if (c->dt == CDC_DT_BINARY_VECTOR) {
		add_b64(b, p, c->row_bytes);
		return;
	}
	/* One reservation for the row: CDC_FMT_MAX and a comma per value. */
	d = d0 = room(b, 2 + (size_t)c->dim * (CDC_FMT_MAX + 1));
	*d++ = '[';
	if (c->dt == CDC_DT_FLOAT_VECTOR) {	/* the common case, in one call */
		d += cdc_fmt_floats(d, p, (size_t)c->dim, &b->nonfinite);
		*d++ = ']';
		b->len += (size_t)(d - d0);
		return;
	}
	for (int64_t i = 0; i < c->dim; i++) {
		float f;

		if (c->dt == CDC_DT_INT8_VECTOR) {
			d += cdc_fmt_i64(d, (int8_t)p[i]);
			*d++ = ',';
			continue;
		}
		if (c->dt == CDC_DT_FLOAT16_VECTOR)
			f = half_to_float((uint16_t)(p[2 * i] | p[2 * i + 1] << 8));
		else
			f = bf16_to_float((uint16_t)(p[2 * i] | p[2 * i + 1] << 8));
		n = cdc_fmt_float(d, f);
		count_null(b, d, n);
		d += n;
		*d++ = ',';
	}
	if (c->dim)
		d--;	/* the last comma */
	*d++ = ']';
	b->len += (size_t)(d - d0);
}

static void
add_sparse(struct cdc_buf *b, const msgpack_object *bin)
{
	const char *p = bin->via.bin.ptr;

	cdc_buf_addc(b, '{');
	for (uint32_t i = 0; i + 8 <= bin->via.bin.size; i += 8) {
		uint32_t idx;
		float v;

		memcpy(&idx, p + i, 4);
		memcpy(&v, p + i + 4, 4);
		if (i)
			cdc_buf_addc(b, ',');
		cdc_buf_addc(b, '"');
		b->len += cdc_fmt_u64(room(b, CDC_FMT_MAX), idx);
		cdc_buf_add(b, "\":", 2);
		add_fmt_float(b, v);
	}
	cdc_buf_addc(b, '}');
}

static int
cell_err(const struct cdc_col *c, size_t row, char *err, size_t errsz)
{
	snprintf(err, errsz, "column \"%.*s\" row %zu: invalid %s value",
	    (int)c->name.n, c->name.p, row, c->dt == CDC_DT_JSON ? "JSON" :
	    c->dt == CDC_DT_VARCHAR || c->dt == CDC_DT_TEXT ? "UTF-8" :
	    cdc_dtype_name(c->dt) ? cdc_dtype_name(c->dt) : "?");
	return -1;
}

/* A JSON field as a JSON string holding its (validated) text. */
static int
add_json_as_str(struct cdc_buf *b, const msgpack_object *o)
{
	size_t mark = b->len;

	if (o->type != MSGPACK_OBJECT_STR ||
	    add_json_text(b, o->via.str.ptr, o->via.str.size) < 0)
		return -1;
	b->len = mark;
	return cdc_json_str(b, o->via.str.ptr, o->via.str.size);
}

static int
cell(struct cdc_buf *b, const struct cdc_col *c, size_t row, unsigned flags,
    char *err, size_t errsz)
{
	const msgpack_object *o;

	if (c->valid && !c->valid->via.array.ptr[row].via.boolean) {
		cdc_buf_adds(b, "null");
		return 0;
	}
	if (c->row_bytes) {
		if ((flags & CDC_JSON_HALF_AS_B64) &&
		    (c->dt == CDC_DT_FLOAT16_VECTOR ||
		    c->dt == CDC_DT_BFLOAT16_VECTOR))
			add_b64(b, c->data->via.bin.ptr + row * c->row_bytes,
			    c->row_bytes);
		else
			add_vector(b, c, row);
		return 0;
	}
	o = &c->data->via.array.ptr[row];
	if (c->dt == CDC_DT_SPARSE_FLOAT_VECTOR) {
		add_sparse(b, o);
		return 0;
	}
	if (c->dt == CDC_DT_ARRAY) {
		cdc_buf_addc(b, '[');
		for (uint32_t i = 0; i < o->via.array.size; i++) {
			if (i)
				cdc_buf_addc(b, ',');
			if (add_scalar(b, &o->via.array.ptr[i], c->et) < 0)
				return cell_err(c, row, err, errsz);
		}
		cdc_buf_addc(b, ']');
		return 0;
	}
	if ((flags & CDC_JSON_JSON_AS_STR) && c->dt == CDC_DT_JSON)
		return add_json_as_str(b, o) < 0 ? cell_err(c, row, err, errsz) :
		    0;
	return add_scalar(b, o, c->dt) < 0 ? cell_err(c, row, err, errsz) : 0;
}

int
cdc_json_cell(struct cdc_buf *b, const struct cdc_col *c, size_t row,
    char *err, size_t errsz)
{
	return cell(b, c, row, 0, err, errsz);
}

/* === columns === */

static int
col_err(const struct cdc_col *c, const char *what, char *err, size_t errsz)
{
	snprintf(err, errsz, "column \"%.*s\": %s", (int)c->name.n, c->name.p,
	    what);
	return -1;
}

/* Is o a msgpack value of Milvus scalar type dt? */
static int
scalar_ok(const msgpack_object *o, int dt)
{
	switch (dt) {
	case CDC_DT_BOOL:
		return o->type == MSGPACK_OBJECT_BOOLEAN;
	case CDC_DT_INT8:
	case CDC_DT_INT16:
	case CDC_DT_INT32:
	case CDC_DT_INT64:
	case CDC_DT_TIMESTAMPTZ:
		return o->type == MSGPACK_OBJECT_POSITIVE_INTEGER ||
		    o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER;
	case CDC_DT_FLOAT:
	case CDC_DT_DOUBLE:
		return o->type == MSGPACK_OBJECT_FLOAT32 ||
		    o->type == MSGPACK_OBJECT_FLOAT64;
	case CDC_DT_STRING:
	case CDC_DT_VARCHAR:
	case CDC_DT_TEXT:
	case CDC_DT_JSON:
		return o->type == MSGPACK_OBJECT_STR;
	case CDC_DT_GEOMETRY:
		return o->type == MSGPACK_OBJECT_BIN;
	default:	/* unknown element type: any scalar */
		return o->type != MSGPACK_OBJECT_ARRAY &&
		    o->type != MSGPACK_OBJECT_MAP && o->type != MSGPACK_OBJECT_EXT;
	}
}

/* Is o (a non-NULL row of column c) of the column's type? */
static int
value_ok(const struct cdc_col *c, const msgpack_object *o)
{
	if (c->dt == CDC_DT_SPARSE_FLOAT_VECTOR)
		return o->type == MSGPACK_OBJECT_BIN && o->via.bin.size % 8 == 0;
	if (c->dynamic)
		return o->type == MSGPACK_OBJECT_STR ||
		    o->type == MSGPACK_OBJECT_NIL;
	if (c->dt != CDC_DT_ARRAY)
		return scalar_ok(o, c->dt);
	if (o->type != MSGPACK_OBJECT_ARRAY)
		return 0;
	for (uint32_t i = 0; i < o->via.array.size; i++)
		if (!scalar_ok(&o->via.array.ptr[i], c->et))
			return 0;
	return 1;
}

/* Check the validity array, and that every non-NULL row has c's type. */
static int
check_values(const struct cdc_col *c, uint64_t rows, char *err, size_t errsz)
{
	const msgpack_object *v = c->valid;
	char what[96];

	if (v && (v->type != MSGPACK_OBJECT_ARRAY || v->via.array.size != rows))
		return col_err(c, "validity array does not match the rows",
		    err, errsz);
	for (uint64_t i = 0; v && i < rows; i++)
		if (v->via.array.ptr[i].type != MSGPACK_OBJECT_BOOLEAN)
			return col_err(c, "validity array holds a non-bool",
			    err, errsz);
	if (c->row_bytes)
		return 0;
	for (uint64_t i = 0; i < rows; i++) {
		if (v && !v->via.array.ptr[i].via.boolean)
			continue;
		if (!value_ok(c, &c->data->via.array.ptr[i])) {
			snprintf(what, sizeof what, "row %ju: not a valid %s value",
			    (uintmax_t)i,
			    cdc_dtype_name(c->dt) ? cdc_dtype_name(c->dt) : "?");
			return col_err(c, what, err, errsz);
		}
	}
	return 0;
}

/* Check the data of column c holds `rows` values of its type. */
static int
check_col(struct cdc_col *c, uint64_t rows, char *err, size_t errsz)
{
	const msgpack_object *d = c->data;

	c->row_bytes = cdc_dtype_row_bytes(c->dt, c->dim);
	if (c->row_bytes) {
		if (d->type != MSGPACK_OBJECT_BIN ||
		    d->via.bin.size != rows * c->row_bytes)
			return col_err(c, "vector bytes do not match rows x dim",
			    err, errsz);
		return check_values(c, rows, err, errsz);
	}
	if (cdc_dtype_is_vector(c->dt) && c->dt != CDC_DT_SPARSE_FLOAT_VECTOR)
		return col_err(c, "vector without a dimension", err, errsz);
	if (d->type != MSGPACK_OBJECT_ARRAY || d->via.array.size != rows)
		return col_err(c, "data does not hold one value per row", err,
		    errsz);
	return check_values(c, rows, err, errsz);
}

static int
parse_col(struct cdc_col *c, const msgpack_object *m, uint64_t rows,
    char *err, size_t errsz)
{
	const char *p;
	size_t n;
	const msgpack_object *dyn = cdc_map_get(m, "dynamic");

	memset(c, 0, sizeof *c);
	if (cdc_map_str(m, "name", &c->name.p, &c->name.n) < 0 ||
	    cdc_map_str(m, "type", &p, &n) < 0 ||
	    !(c->data = cdc_map_get(m, "data"))) {
		snprintf(err, errsz, "a column without name, type or data");
		return -1;
	}
	c->dt = cdc_dtype_parse(p, n);
	if (c->dt < 0)
		return col_err(c, "unknown type", err, errsz);
	cdc_map_i64(m, "field_id", &c->field_id);
	cdc_map_i64(m, "dim", &c->dim);
	if (cdc_map_str(m, "element_type", &p, &n) == 0)
		c->et = cdc_dtype_parse(p, n);
	c->dynamic = (dyn && dyn->type == MSGPACK_OBJECT_BOOLEAN &&
	    dyn->via.boolean) || (c->name.n == 5 && !memcmp(c->name.p, "$meta", 5));
	c->valid = cdc_map_get(m, "valid");
	return check_col(c, rows, err, errsz);
}

int
cdc_cols_parse(struct cdc_cols *c, const msgpack_object *ev, char *err,
    size_t errsz)
{
	const msgpack_object *a = cdc_map_get(ev, "columns");

	c->n = 0;
	c->pk = -1;
	c->pk_name = (struct cdc_str){"", 0};
	if (cdc_map_u64(ev, "rows", &c->rows) < 0 || !a ||
	    a->type != MSGPACK_OBJECT_ARRAY) {
		snprintf(err, errsz, "insert without rows or columns");
		return -1;
	}
	cdc_map_str(ev, "pk", &c->pk_name.p, &c->pk_name.n);
	if (a->via.array.size > c->cap) {
		c->cap = a->via.array.size;
		c->v = cdc_xrealloc(c->v, c->cap * sizeof *c->v);
	}
	for (uint32_t i = 0; i < a->via.array.size; i++) {
		struct cdc_col *col = &c->v[c->n];

		if (parse_col(col, &a->via.array.ptr[i], c->rows, err, errsz) < 0)
			return -1;
		if (c->pk_name.n && col->name.n == c->pk_name.n &&
		    !memcmp(col->name.p, c->pk_name.p, c->pk_name.n))
			c->pk = (int)c->n;
		c->n++;
	}
	return 0;
}

void
cdc_cols_fini(struct cdc_cols *c)
{
	free(c->v);
	c->v = NULL;
	c->n = c->cap = 0;
}

/* === rows === */

/* Is the JSON string key [p, p+n) (quotes excluded) a real column name? */
static int
is_field(const struct cdc_cols *c, const char *p, size_t n)
{
	for (size_t i = 0; i < c->n; i++)
		if (!c->v[i].dynamic && c->v[i].name.n == n &&
		    !memcmp(c->v[i].name.p, p, n))
			return 1;
	return 0;
}

/* Append the members of the dynamic field's object; *first tracks commas. */
static int
add_dynamic(struct cdc_buf *b, const struct cdc_cols *c, const msgpack_object *o,
    int *first)
{
	const char *p, *e, *k, *v;

	if (o->type == MSGPACK_OBJECT_NIL)
		return 0;
	if (o->type != MSGPACK_OBJECT_STR)
		return -1;
	p = o->via.str.ptr;
	e = p + o->via.str.size;
	if (!skip_value(p, e, 0) || ws(skip_value(p, e, 0), e) != e)
		return -1;
	p = ws(p, e);
	if (*p != '{')
		return -1;
	/* The document is valid, so no skip below can fail. */
	for (p = ws(p + 1, e); p < e && *p == '"';) {
		const char *kend = skip_string(p, e);

		k = p;
		v = ws(ws(kend, e) + 1, e);	/* past the ':' */
		p = skip_value(v, e, 0);
		if (!is_field(c, k + 1, (size_t)(kend - k - 2))) {
			if (!*first)
				cdc_buf_addc(b, ',');
			*first = 0;
			cdc_buf_add(b, k, (size_t)(kend - k));
			cdc_buf_addc(b, ':');
			cdc_buf_add(b, v, (size_t)(p - v));
		}
		p = ws(p, e);
		if (p >= e || *p != ',')
			break;
		p = ws(p + 1, e);
	}
	return 0;
}

int
cdc_json_row(struct cdc_buf *b, const struct cdc_cols *c, size_t row,
    char *err, size_t errsz)
{
	int first = 1;

	cdc_buf_addc(b, '{');
	for (size_t i = 0; i < c->n; i++) {
		const struct cdc_col *col = &c->v[i];

		if (col->dynamic)
			continue;
		if (!first)
			cdc_buf_addc(b, ',');
		first = 0;
		if (cdc_json_str(b, col->name.p, col->name.n) < 0)
			return col_err(col, "invalid UTF-8 in the name", err,
			    errsz);
		cdc_buf_addc(b, ':');
		if (cell(b, col, row, c->flags, err, errsz) < 0)
			return -1;
	}
	for (size_t i = 0; i < c->n; i++) {
		const struct cdc_col *col = &c->v[i];

		if (col->dynamic && !(col->valid &&
		    !col->valid->via.array.ptr[row].via.boolean) &&
		    add_dynamic(b, c, &col->data->via.array.ptr[row], &first) < 0)
			return cell_err(col, row, err, errsz);
	}
	cdc_buf_addc(b, '}');
	return 0;
}

int
cdc_json_pk(struct cdc_buf *b, const struct cdc_cols *c, size_t row,
    char *err, size_t errsz)
{
	if (c->pk < 0) {
		snprintf(err, errsz, "no primary key: the event does not say "
		    "which field it is (cdc-read --state keeps schemas across "
		    "restarts)");
		return -1;
	}
	cdc_buf_addc(b, '{');
	if (cdc_json_str(b, c->pk_name.p, c->pk_name.n) < 0)
		return -1;
	cdc_buf_addc(b, ':');
	if (cdc_json_cell(b, &c->v[c->pk], row, err, errsz) < 0)
		return -1;
	cdc_buf_addc(b, '}');
	return 0;
}

int
cdc_json_key(struct cdc_buf *b, struct cdc_str pk, const msgpack_object *key,
    char *err, size_t errsz)
{
	cdc_buf_addc(b, '{');
	if (cdc_json_str(b, pk.n ? pk.p : "pk", pk.n ? pk.n : 2) < 0 ||
	    (cdc_buf_addc(b, ':'), add_scalar(b, key, CDC_DT_NONE)) < 0) {
		snprintf(err, errsz, "invalid delete key");
		return -1;
	}
	cdc_buf_addc(b, '}');
	return 0;
}

int
cdc_json_msgpack(struct cdc_buf *b, const msgpack_object *o, char *err,
    size_t errsz)
{
	uint32_t i;

	if (o->type == MSGPACK_OBJECT_ARRAY) {
		cdc_buf_addc(b, '[');
		for (i = 0; i < o->via.array.size; i++) {
			if (i)
				cdc_buf_addc(b, ',');
			if (cdc_json_msgpack(b, &o->via.array.ptr[i], err,
			    errsz) < 0)
				return -1;
		}
		cdc_buf_addc(b, ']');
		return 0;
	}
	if (o->type != MSGPACK_OBJECT_MAP) {
		if (add_scalar(b, o, CDC_DT_NONE) == 0)
			return 0;
		snprintf(err, errsz, "a value that is not valid UTF-8");
		return -1;
	}
	cdc_buf_addc(b, '{');
	for (i = 0; i < o->via.map.size; i++) {
		const msgpack_object *k = &o->via.map.ptr[i].key;

		if (i)
			cdc_buf_addc(b, ',');
		if (k->type != MSGPACK_OBJECT_STR ||
		    cdc_json_str(b, k->via.str.ptr, k->via.str.size) < 0) {
			snprintf(err, errsz, "a map key that is not a string");
			return -1;
		}
		cdc_buf_addc(b, ':');
		if (cdc_json_msgpack(b, &o->via.map.ptr[i].val, err, errsz) < 0)
			return -1;
	}
	cdc_buf_addc(b, '}');
	return 0;
}
