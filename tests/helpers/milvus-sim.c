/*
 * milvus-sim - write into a Kafka what Milvus 2.3, 2.4 or 2.5 writes there
 * (docs: shared/docs/milvus-wire.md §1, §2, §4, §5), for the demo, the e2e
 * tests and the benchmarks.  Records are protobuf, encoded here by hand from
 * the field tables (so decoding them with our protoc-c code is a real check).
 *
 * Topics: <prefix>-rootcoord-dml_<i> (i < --channels) carry CreateCollection,
 * Insert, Delete, DropPartition, DropCollection and TimeTick records;
 * <prefix>-replicate-msg carries the milvus.api requests (CreateDatabase,
 * CreateIndex, LoadCollection, Flush, ...), never a tick.  Partition 0, no
 * key, zstd.  Header msg_type (the MsgType enum name) on Insert, Delete and
 * replicate-msg records when --headers says so (auto: 2.4 and 2.5, i.e. 2.4
 * is modelled as 2.4.13+); broadcast records never have it.
 *
 * Choices where Milvus leaves room (documented in --help too):
 * - shard of a row: FNV-1a 32 of the primary key (int: its 8 little-endian
 *   bytes; string: its bytes), through the splitmix64 finalizer, high 32
 *   bits modulo the collection's shard count; shard s of
 *   the n-th shard created overall lives on pchannel (n mod --channels);
 * - timestamps: hybrid (ms << 18 | logical), from --start-ms (a constant by
 *   default, never the wall clock); each user request takes one ts, then the
 *   clock moves 10 ms; TimeTicks on every channel written so far after every
 *   --tick-every requests and at the end (--no-final-tick leaves the tail
 *   uncovered, for reader tests);
 * - an upsert is an Insert and a Delete with the same ts, inserts produced
 *   first (as the 2.3-2.5 proxy does);
 * - db_name on Insert and Delete and CollectionSchema.dbName only from 2.5;
 *   replicate-msg requests always carry db_name (2.3 writes "" for default);
 * - row values are a pure function of (seed, collection, field, pk, version),
 *   so --expect keeps only (version, alive) per primary key.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <librdkafka/rdkafka.h>

#include "cdc_b64.h"
#include "cdc_event.h"
#include "cdc_fmt.h"
#include "cdc_kafka.h"
#include "cdc_util.h"

#define MAX_CH 256
#define MAX_F 48
#define MAX_SHARDS 64
#define MAX_PARTS 4
#define STEP_MS 10
#define PART_LIMIT (4500u * 1024u)	/* mock cluster keeps ~5 MB */

/* common.MsgType values used here */
enum {
	MT_CREATE_COLLECTION = 100, MT_DROP_COLLECTION = 101,
	MT_LOAD_COLLECTION = 106, MT_RELEASE_COLLECTION = 107,
	MT_CREATE_ALIAS = 108, MT_DROP_ALIAS = 109, MT_ALTER_ALIAS = 110,
	MT_ALTER_COLLECTION = 111, MT_RENAME_COLLECTION = 112,
	MT_DROP_PARTITION = 201, MT_LOAD_PARTITIONS = 205,
	MT_RELEASE_PARTITIONS = 206, MT_CREATE_INDEX = 300,
	MT_DROP_INDEX = 302, MT_ALTER_INDEX = 304, MT_INSERT = 400,
	MT_DELETE = 401, MT_FLUSH = 402, MT_TIME_TICK = 1200,
	MT_CREATE_DATABASE = 1801, MT_DROP_DATABASE = 1802,
	MT_ALTER_DATABASE = 1804
};

static volatile sig_atomic_t stop_sig;

/* === options === */

struct opts {
	const char *brokers, *prefix, *workload, *expect, *expect_events;
	const char *dump;
	int version;		/* 23, 24, 25 */
	int headers;		/* -1 auto */
	int channels, collections, shards, dim, tick_every, final_tick;
	int64_t rows, batch, max_msg;
	uint64_t seed, start_ms;
	char **xconf;
	int nx;
};

/* === protobuf writer === */

struct buf {
	uint8_t *p;
	size_t n, cap;
};

static void
buf_grow(struct buf *b, size_t more)
{
	size_t cap = b->cap ? b->cap : 256;

	if (b->n + more <= b->cap)
		return;
	while (cap < b->n + more)
		cap *= 2;
	b->p = cdc_xrealloc(b->p, cap);
	b->cap = cap;
}

static void
put(struct buf *b, const void *p, size_t n)
{
	buf_grow(b, n);
	if (n)
		memcpy(b->p + b->n, p, n);
	b->n += n;
}

static void
put_le(struct buf *b, uint64_t v, int nbytes)
{
	buf_grow(b, (size_t)nbytes);
	for (int i = 0; i < nbytes; i++)
		b->p[b->n++] = (uint8_t)(v >> (8 * i));
}

static void
put_f32(struct buf *b, float f)
{
	uint32_t u;

	memcpy(&u, &f, 4);
	put_le(b, u, 4);
}

static void
put_f64(struct buf *b, double d)
{
	uint64_t u;

	memcpy(&u, &d, 8);
	put_le(b, u, 8);
}

static void
pb_varint(struct buf *b, uint64_t v)
{
	buf_grow(b, 10);
	while (v >= 0x80) {
		b->p[b->n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	b->p[b->n++] = (uint8_t)v;
}

static void
pb_tag(struct buf *b, int field, int wt)
{
	pb_varint(b, (uint64_t)field << 3 | (uint64_t)wt);
}

/* A varint scalar field; proto3 leaves zero out, as Go's Marshal does. */
static void
pb_uint(struct buf *b, int field, uint64_t v)
{
	if (!v)
		return;
	pb_tag(b, field, 0);
	pb_varint(b, v);
}

static void
pb_bytes(struct buf *b, int field, const void *p, size_t n)
{
	pb_tag(b, field, 2);
	pb_varint(b, n);
	put(b, p, n);
}

static void
pb_str(struct buf *b, int field, const char *s)
{
	if (s && *s)
		pb_bytes(b, field, s, strlen(s));
}

/* An embedded message (present even when empty). */
static void
pb_sub(struct buf *b, int field, const struct buf *in)
{
	pb_bytes(b, field, in->p, in->n);
}

/* A packed repeated field whose payload is already in `in`. */
static void
pb_packed(struct buf *b, int field, const struct buf *in)
{
	if (in->n)
		pb_sub(b, field, in);
}

static void
pb_kv(struct buf *b, int field, const char *k, const char *v)
{
	struct buf kv = {0};

	pb_str(&kv, 1, k);
	pb_str(&kv, 2, v);
	pb_sub(b, field, &kv);
	free(kv.p);
}

static void
pb_base(struct buf *b, int type, int64_t msgid, uint64_t ts, int64_t src)
{
	struct buf m = {0};

	pb_uint(&m, 1, (uint64_t)type);
	pb_uint(&m, 2, (uint64_t)msgid);
	pb_uint(&m, 3, ts);
	pb_uint(&m, 4, (uint64_t)src);
	pb_sub(b, 1, &m);
	free(m.p);
}

/* === deterministic randomness === */

static uint64_t
mix64(uint64_t z)
{
	z += 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t
rnd(uint64_t *s)
{
	*s += 0x9e3779b97f4a7c15ULL;
	return mix64(*s);
}

static uint32_t
fnv1a(const void *p, size_t n)
{
	const uint8_t *u = p;
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ u[i]) * 16777619u;
	return h;
}

/* === schema model === */

struct field {
	int64_t id;
	char name[32];
	int type, elem, dim, maxlen, cap;
	int pk, nullable, dynamic, has_def;
	int64_t def_i;
	const char *def_s;
};

struct part {
	char name[32];
	int64_t id;
	int dropped;
};

struct coll {
	int idx;
	char db[32], name[64], oldname[64];
	int64_t id;
	struct field f[MAX_F];
	int nf, pk_str, dynamic;
	int64_t pk_mul, pk_add;
	int shards, pch[MAX_SHARDS];
	struct part parts[MAX_PARTS];
	int nparts, part_by_id;	/* rows go to parts[1 + id % 2] */
	int dropped, done, tail, renamed;
	int64_t rows, next_id, small;	/* small: delete/upsert size */
	unsigned k;			/* request counter */
	uint64_t rng;
	uint32_t *ver;		/* --expect: version per id */
	uint8_t *alive;
	const char *vecfield, *index_name;
};

static struct field *
add_field(struct coll *c, const char *name, int type)
{
	struct field *f = &c->f[c->nf];

	memset(f, 0, sizeof *f);
	f->id = 100 + c->nf;
	snprintf(f->name, sizeof f->name, "%s", name);
	f->type = type;
	f->maxlen = 256;
	f->cap = 8;
	c->nf++;
	return f;
}

static int64_t
pk_int(const struct coll *c, int64_t id)
{
	return id * c->pk_mul + c->pk_add;
}

static void
pk_text(const struct coll *c, int64_t id, char *out, size_t n)
{
	snprintf(out, n, "%s-%08" PRId64, c->name[0] == 'u' ? "user" : "key",
	    id);
}

static int
shard_of(const struct coll *c, int64_t id)
{
	char s[64];
	uint8_t le[8];
	int64_t v;

	if (c->pk_str) {
		pk_text(c, id, s, sizeof s);
		return (int)((mix64(fnv1a(s, strlen(s))) >> 32) %
		    (uint64_t)c->shards);
	}
	v = pk_int(c, id);
	for (int i = 0; i < 8; i++)
		le[i] = (uint8_t)((uint64_t)v >> (8 * i));
	return (int)((mix64(fnv1a(le, 8)) >> 32) % (uint64_t)c->shards);
}

static int
part_of(const struct coll *c, int64_t id)
{
	return c->part_by_id ? 1 + (int)(id % 2) : 0;
}

/* === row values: a pure function of (seed, collection, field, id, ver) === */

struct val {
	int null;
	int64_t i;		/* bool, ints, timestamptz */
	double d;		/* float (as float32), double */
	struct buf s;		/* text, json, wkb, sparse row, packed vector */
	float fv[4096];		/* float / fp16 / bf16 vectors */
	int ne;			/* array elements */
	int64_t ei[8];
	double ed[8];
	char es[8][32];
};

static const char *words[] = {
	"alpha", "beta", "gamma", "naïve", "日本", "café", "quote\"d",
	"back\\slash", "tab\there", "line\nbreak", "🚀", "zeta", "", "x"
};
#define NWORDS (sizeof words / sizeof words[0])

static void
gen_text(uint64_t *r, int maxlen, struct buf *out)
{
	int n = 1 + (int)(rnd(r) % 4);

	for (int i = 0; i < n; i++) {
		const char *w = words[rnd(r) % NWORDS];
		size_t wl = strlen(w);

		if (out->n + wl + 1 > (size_t)maxlen)
			break;
		if (i)
			put(out, " ", 1);
		put(out, w, wl);
	}
}

static float
gen_float(uint64_t *r)
{
	return (float)((int64_t)(rnd(r) % 2000001) - 1000000) / 997.0f;
}

static double
gen_double(uint64_t *r)
{
	uint64_t u = rnd(r);

	if (u % 7 == 0)
		return (double)(int64_t)(u >> 11) * 1e-300;
	return ((double)(int64_t)(u % 2000000000001ULL) - 1e12) / 1e6;
}

/* Compact JSON text (an object), from a small grammar. */
static void
gen_json(uint64_t *r, struct buf *out, int meta)
{
	static const char *bw[] = { "w", "naïve", "q\\\"x", "" };
	char tmp[160];
	int64_t a = (int64_t)(rnd(r) % 100000) - 50000;
	uint64_t u = rnd(r);
	int n;

	if (meta && u % 4 == 0) {
		put(out, "{}", 2);
		return;
	}
	if (meta)
		n = snprintf(tmp, sizeof tmp,
		    "{\"color\":\"%s\",\"n\":%" PRId64 "}",
		    u % 3 ? "red" : "blue", a);
	else
		n = snprintf(tmp, sizeof tmp, "{\"a\":%" PRId64
		    ",\"b\":\"%s\",\"c\":[1,2.5,null],\"d\":%s}", a,
		    bw[u % 4], u % 5 ? "true" : "false");
	put(out, tmp, (size_t)n);
}

static void
gen_wkb(uint64_t *r, struct buf *out)
{
	int line = rnd(r) % 3 == 0, np = line ? 2 : 1;

	put_le(out, 1, 1);		/* little-endian */
	put_le(out, line ? 2 : 1, 4);	/* Point or LineString */
	if (line)
		put_le(out, (uint64_t)np, 4);
	for (int i = 0; i < np; i++) {
		put_f64(out, (double)((int64_t)(rnd(r) % 360001) - 180000) /
		    1000.0);
		put_f64(out, (double)((int64_t)(rnd(r) % 180001) - 90000) /
		    1000.0);
	}
}

static void
gen_sparse(uint64_t *r, struct buf *out)
{
	int nnz = (int)(rnd(r) % 5);
	uint32_t idx = (uint32_t)(rnd(r) % 50);

	for (int i = 0; i < nnz; i++) {
		put_le(out, idx, 4);
		put_f32(out, (float)(1 + rnd(r) % 1000) / 64.0f);
		idx += 1 + (uint32_t)(rnd(r) % 200);
	}
}

static void
gen_array(uint64_t *r, const struct field *f, struct val *v)
{
	v->ne = (int)(rnd(r) % 5);
	for (int k = 0; k < v->ne; k++) {
		uint64_t u = rnd(r);

		v->ei[k] = f->elem == CDC_DT_INT32 ? (int32_t)u :
		    f->elem == CDC_DT_BOOL ? (int64_t)(u & 1) : (int64_t)u;
		v->ed[k] = f->elem == CDC_DT_FLOAT ?
		    (double)gen_float(r) : gen_double(r);
		snprintf(v->es[k], sizeof v->es[k], "%s%d",
		    words[u % NWORDS], k);
	}
}

static void
gen_vector(uint64_t *r, const struct field *f, struct val *v)
{
	int dim = f->dim;

	for (int k = 0; k < dim && f->type != CDC_DT_BINARY_VECTOR &&
	    f->type != CDC_DT_INT8_VECTOR; k++) {
		uint64_t u = rnd(r);

		v->fv[k] = f->type == CDC_DT_FLOAT16_VECTOR ?
		    (float)((int)(u % 512) - 256) / 16.0f :
		    f->type == CDC_DT_BFLOAT16_VECTOR ?
		    (float)((int)(u % 256) - 128) / 8.0f :
		    (float)(u >> 40) / 8388608.0f - 1.0f;
	}
	if (f->type == CDC_DT_BINARY_VECTOR)
		for (int k = 0; k < dim / 8; k++)
			put_le(&v->s, rnd(r), 1);
	if (f->type == CDC_DT_INT8_VECTOR)
		for (int k = 0; k < dim; k++)
			put_le(&v->s, rnd(r), 1);
}

/* Default or NULL handling; 1 when v is final. */
static int
gen_null_or_default(uint64_t *r, const struct field *f, struct val *v)
{
	uint64_t u = rnd(r);

	if (!f->nullable && !f->has_def)
		return 0;
	if (u % 4 != 0)
		return 0;
	if (!f->has_def) {
		v->null = 1;	/* placeholder: zero / empty */
		return 1;
	}
	v->i = f->def_i;	/* client sent NULL or nothing: the default */
	v->d = (double)f->def_i;
	if (f->def_s)
		put(&v->s, f->def_s, strlen(f->def_s));
	return 1;
}

static void
gen_value(const struct opts *o, const struct coll *c, const struct field *f,
    int64_t id, uint32_t ver, struct val *v)
{
	uint64_t r = mix64(o->seed ^ mix64((uint64_t)c->id ^
	    mix64((uint64_t)f->id ^ mix64((uint64_t)id ^
	    ((uint64_t)ver << 40)))));

	v->null = 0;
	v->s.n = 0;
	v->ne = 0;
	v->i = 0;
	v->d = 0;
	if (f->pk) {
		char t[64];

		if (c->pk_str) {
			pk_text(c, id, t, sizeof t);
			put(&v->s, t, strlen(t));
		} else {
			v->i = pk_int(c, id);
		}
		return;
	}
	if (gen_null_or_default(&r, f, v))
		return;
	switch (f->type) {
	case CDC_DT_BOOL: v->i = (int64_t)(rnd(&r) & 1); break;
	case CDC_DT_INT8: v->i = (int8_t)rnd(&r); break;
	case CDC_DT_INT16: v->i = (int16_t)rnd(&r); break;
	case CDC_DT_INT32: v->i = (int32_t)rnd(&r); break;
	case CDC_DT_INT64: v->i = (int64_t)rnd(&r); break;
	case CDC_DT_TIMESTAMPTZ:
		v->i = 1700000000000000LL + (int64_t)(rnd(&r) % 100000000000000ULL);
		break;
	case CDC_DT_FLOAT: v->d = (double)gen_float(&r); break;
	case CDC_DT_DOUBLE: v->d = gen_double(&r); break;
	case CDC_DT_VARCHAR:
	case CDC_DT_TEXT: gen_text(&r, f->maxlen, &v->s); break;
	case CDC_DT_JSON: gen_json(&r, &v->s, f->dynamic); break;
	case CDC_DT_GEOMETRY: gen_wkb(&r, &v->s); break;
	case CDC_DT_ARRAY: gen_array(&r, f, v); break;
	case CDC_DT_SPARSE_FLOAT_VECTOR: gen_sparse(&r, &v->s); break;
	default: gen_vector(&r, f, v); break;
	}
}

/* === columns: one builder per field, wrapped into FieldData at flush === */

struct col {
	const struct field *f;
	struct buf data;	/* packed scalars, repeated entries, vectors */
	struct buf valid;	/* packed bools (nullable fields only) */
	int64_t sparse_dim;
};

static uint16_t
f32_to_f16(float x)
{
	uint32_t u, sign, exp, man;

	memcpy(&u, &x, 4);
	sign = (u >> 16) & 0x8000;
	exp = (u >> 23) & 0xff;
	man = u & 0x7fffff;
	if (exp == 0)
		return (uint16_t)sign;	/* zero (no subnormal inputs here) */
	return (uint16_t)(sign | ((exp - 112) << 10) | (man >> 13));
}

/* The scalar element of an Array row, as a ScalarField. */
static void
array_row(const struct field *f, const struct val *v, struct buf *out)
{
	struct buf in = {0}, arr = {0};
	int carrier = 3;

	for (int k = 0; k < v->ne; k++) {
		switch (f->elem) {
		case CDC_DT_BOOL: case CDC_DT_INT8: case CDC_DT_INT16:
		case CDC_DT_INT32: case CDC_DT_INT64:
			pb_varint(&in, (uint64_t)v->ei[k]);
			break;
		case CDC_DT_FLOAT: put_f32(&in, (float)v->ed[k]); break;
		case CDC_DT_DOUBLE: put_f64(&in, v->ed[k]); break;
		default: pb_bytes(&in, 1, v->es[k], strlen(v->es[k])); break;
		}
	}
	switch (f->elem) {
	case CDC_DT_BOOL: carrier = 1; break;
	case CDC_DT_INT8: case CDC_DT_INT16: case CDC_DT_INT32: carrier = 2;
		break;
	case CDC_DT_FLOAT: carrier = 4; break;
	case CDC_DT_DOUBLE: carrier = 5; break;
	case CDC_DT_VARCHAR: carrier = 6; break;
	}
	if (v->null) {
		/* NULL array row: an empty ScalarField */
	} else if (carrier == 6) {
		pb_sub(out, 6, &in);
	} else {
		pb_packed(&arr, 1, &in);
		pb_sub(out, carrier, &arr);
	}
	free(in.p);
	free(arr.p);
}

static void
col_add_vector(struct col *cl, const struct val *v)
{
	const struct field *f = cl->f;

	switch (f->type) {
	case CDC_DT_FLOAT_VECTOR:
		for (int k = 0; k < f->dim; k++)
			put_f32(&cl->data, v->fv[k]);
		break;
	case CDC_DT_FLOAT16_VECTOR:
		for (int k = 0; k < f->dim; k++)
			put_le(&cl->data, f32_to_f16(v->fv[k]), 2);
		break;
	case CDC_DT_BFLOAT16_VECTOR:
		for (int k = 0; k < f->dim; k++) {
			uint32_t u;

			memcpy(&u, &v->fv[k], 4);
			put_le(&cl->data, u >> 16, 2);
		}
		break;
	case CDC_DT_SPARSE_FLOAT_VECTOR:
		pb_bytes(&cl->data, 1, v->s.p, v->s.n);
		if (v->s.n >= 8) {
			const uint8_t *p = v->s.p + v->s.n - 8;
			int64_t d = (int64_t)(p[0] | p[1] << 8 | p[2] << 16 |
			    (uint32_t)p[3] << 24) + 1;

			if (d > cl->sparse_dim)
				cl->sparse_dim = d;
		}
		break;
	default:		/* binary, int8: raw bytes */
		put(&cl->data, v->s.p, v->s.n);
		break;
	}
}

static void
col_add(struct col *cl, const struct val *v)
{
	const struct field *f = cl->f;
	struct buf row = {0};

	if (f->nullable)
		pb_varint(&cl->valid, v->null ? 0 : 1);
	switch (f->type) {
	case CDC_DT_BOOL: case CDC_DT_INT8: case CDC_DT_INT16:
	case CDC_DT_INT32: case CDC_DT_INT64: case CDC_DT_TIMESTAMPTZ:
		pb_varint(&cl->data, (uint64_t)v->i);
		break;
	case CDC_DT_FLOAT: put_f32(&cl->data, (float)v->d); break;
	case CDC_DT_DOUBLE: put_f64(&cl->data, v->d); break;
	case CDC_DT_VARCHAR: case CDC_DT_TEXT: case CDC_DT_JSON:
	case CDC_DT_GEOMETRY:
		pb_bytes(&cl->data, 1, v->s.p, v->s.n);
		break;
	case CDC_DT_ARRAY:
		array_row(f, v, &row);
		pb_sub(&cl->data, 1, &row);
		free(row.p);
		break;
	default:
		col_add_vector(cl, v);
		break;
	}
}

static int
scalar_carrier(int type)
{
	switch (type) {
	case CDC_DT_BOOL: return 1;
	case CDC_DT_INT8: case CDC_DT_INT16: case CDC_DT_INT32: return 2;
	case CDC_DT_INT64: return 3;
	case CDC_DT_FLOAT: return 4;
	case CDC_DT_DOUBLE: return 5;
	case CDC_DT_VARCHAR: case CDC_DT_TEXT: return 6;
	case CDC_DT_ARRAY: return 8;
	case CDC_DT_JSON: return 9;
	case CDC_DT_GEOMETRY: return 10;
	case CDC_DT_TIMESTAMPTZ: return 11;
	default: return 0;
	}
}

static int
vector_carrier(int type)
{
	switch (type) {
	case CDC_DT_FLOAT_VECTOR: return 2;
	case CDC_DT_BINARY_VECTOR: return 3;
	case CDC_DT_FLOAT16_VECTOR: return 4;
	case CDC_DT_BFLOAT16_VECTOR: return 5;
	case CDC_DT_SPARSE_FLOAT_VECTOR: return 6;
	default: return 7;
	}
}

/* Append FieldData (fields_data = 13 of InsertRequest) for the column. */
static void
col_wrap(struct col *cl, struct buf *out)
{
	const struct field *f = cl->f;
	struct buf fd = {0}, mid = {0}, arr = {0};
	int sc = scalar_carrier(f->type), packed = sc && sc <= 5;

	pb_uint(&fd, 1, (uint64_t)f->type);
	pb_str(&fd, 2, f->name);
	if (sc == 11)
		packed = 1;
	if (sc) {
		if (packed)
			pb_packed(&arr, 1, &cl->data);
		else
			put(&arr, cl->data.p, cl->data.n);
		if (sc == 8)
			pb_uint(&arr, 2, (uint64_t)f->elem);
		pb_sub(&mid, sc, &arr);
		pb_sub(&fd, 3, &mid);
	} else {
		int vc = vector_carrier(f->type);
		int64_t dim = vc == 6 ? cl->sparse_dim : f->dim;

		pb_uint(&mid, 1, (uint64_t)dim);
		if (vc == 2) {
			pb_packed(&arr, 1, &cl->data);
			pb_sub(&mid, 2, &arr);
		} else if (vc == 6) {
			put(&arr, cl->data.p, cl->data.n);
			pb_uint(&arr, 2, (uint64_t)dim);
			pb_sub(&mid, 6, &arr);
		} else {
			pb_bytes(&mid, vc, cl->data.p, cl->data.n);
		}
		pb_sub(&fd, 4, &mid);
	}
	pb_uint(&fd, 5, (uint64_t)f->id);
	pb_uint(&fd, 6, (uint64_t)f->dynamic);
	pb_packed(&fd, 7, &cl->valid);
	pb_sub(out, 13, &fd);
	free(fd.p);
	free(mid.p);
	free(arr.p);
	cl->data.n = cl->valid.n = 0;
	cl->sparse_dim = 0;
}

/* === the simulator: clock, ids, channels, output === */

#define PROXY_ID 5
#define ROOTCOORD_ID 1

struct sim {
	const struct opts *o;
	rd_kafka_t *rk;
	FILE *dump, *evf, *evd, *evo;	/* evd/evo: this request's events */
	char *evd_p, *evo_p;
	size_t evd_n, evo_n;
	uint64_t ms, logical;
	int64_t msgid, rowid;
	int next_pch, hdr, nreq;
	int used[MAX_CH];
	uint64_t nrec[MAX_CH + 1], bytes[MAX_CH + 1];
	char topic[MAX_CH + 1][160];
	struct coll c[8];
	int nc;
	struct col cols[MAX_F];
	struct val v;
	int64_t *chunk;
	size_t chunk_cap;
};

static int failed;

static const char *
mt_name(int mt)
{
	switch (mt) {
	case MT_INSERT: return "Insert";
	case MT_DELETE: return "Delete";
	case MT_LOAD_COLLECTION: return "LoadCollection";
	case MT_RELEASE_COLLECTION: return "ReleaseCollection";
	case MT_LOAD_PARTITIONS: return "LoadPartitions";
	case MT_RELEASE_PARTITIONS: return "ReleasePartitions";
	case MT_CREATE_INDEX: return "CreateIndex";
	case MT_DROP_INDEX: return "DropIndex";
	case MT_ALTER_INDEX: return "AlterIndex";
	case MT_FLUSH: return "Flush";
	case MT_CREATE_DATABASE: return "CreateDatabase";
	case MT_DROP_DATABASE: return "DropDatabase";
	case MT_ALTER_DATABASE: return "AlterDatabase";
	case MT_CREATE_ALIAS: return "CreateAlias";
	case MT_DROP_ALIAS: return "DropAlias";
	case MT_ALTER_ALIAS: return "AlterAlias";
	case MT_ALTER_COLLECTION: return "AlterCollection";
	case MT_RENAME_COLLECTION: return "RenameCollection";
	default: return NULL;
	}
}

static void
dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *rkm, void *opaque)
{
	if (rkm->err && failed++ < 5)
		cdc_log_err("delivery to '%s' failed: %s",
		    rd_kafka_topic_name(rkm->rkt), rd_kafka_err2str(rkm->err));
}

static void
dump_record(struct sim *s, int t, const char *hname, const struct buf *m)
{
	char *b = cdc_xmalloc(cdc_b64_encoded_len(m->n) + 1);

	cdc_b64_encode(m->p, m->n, b);
	b[cdc_b64_encoded_len(m->n)] = '\0';
	fprintf(s->dump, "{\"topic\": \"%s\", \"partition\": 0, \"headers\": ",
	    s->topic[t]);
	if (hname)
		fprintf(s->dump, "[[\"msg_type\", \"%s\"]]", hname);
	else
		fputs("[]", s->dump);
	fprintf(s->dump, ", \"value_b64\": \"%s\"}\n", b);
	free(b);
}

static void
produce(struct sim *s, int t, const char *hname, struct buf *m)
{
	rd_kafka_resp_err_t err;

	for (;;) {
		if (hname)
			err = rd_kafka_producev(s->rk,
			    RD_KAFKA_V_TOPIC(s->topic[t]),
			    RD_KAFKA_V_PARTITION(0),
			    RD_KAFKA_V_VALUE(m->p, m->n),
			    RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_FREE),
			    RD_KAFKA_V_HEADER("msg_type", hname, -1),
			    RD_KAFKA_V_END);
		else
			err = rd_kafka_producev(s->rk,
			    RD_KAFKA_V_TOPIC(s->topic[t]),
			    RD_KAFKA_V_PARTITION(0),
			    RD_KAFKA_V_VALUE(m->p, m->n),
			    RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_FREE),
			    RD_KAFKA_V_END);
		if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL)
			break;
		rd_kafka_poll(s->rk, 50);
	}
	if (err) {
		cdc_log_err("cannot produce to '%s': %s", s->topic[t],
		    rd_kafka_err2str(err));
		failed++;
		free(m->p);
	}
	rd_kafka_poll(s->rk, 0);
}

/*
 * Write one record to topic index t (MAX_CH = replicate-msg); the value's
 * buffer is taken.  mt != 0 asks for the msg_type header (if enabled).
 */
static void
emit(struct sim *s, int t, int mt, struct buf *m)
{
	const char *hname = s->hdr && mt ? mt_name(mt) : NULL;

	if (t < MAX_CH)
		s->used[t] = 1;
	s->nrec[t]++;
	s->bytes[t] += m->n;
	if (s->dump)
		dump_record(s, t, hname, m);
	if (s->rk)
		produce(s, t, hname, m);
	else
		free(m->p);
	memset(m, 0, sizeof *m);
}

static uint64_t
ts_next(struct sim *s)
{
	return s->ms << 18 | s->logical++;
}

static void
tick_all(struct sim *s)
{
	uint64_t ts = ts_next(s);

	for (int t = 0; t < s->o->channels; t++) {
		struct buf m = {0};

		if (!s->used[t])
			continue;
		pb_base(&m, MT_TIME_TICK, 0, ts, ROOTCOORD_ID);
		emit(s, t, 0, &m);
	}
}

static void
events_flush(struct sim *s)
{
	if (!s->evf)
		return;
	fflush(s->evd);
	fflush(s->evo);
	fwrite(s->evd_p, 1, s->evd_n, s->evf);
	fwrite(s->evo_p, 1, s->evo_n, s->evf);
	fclose(s->evd);
	fclose(s->evo);
	free(s->evd_p);
	free(s->evo_p);
	s->evd = open_memstream(&s->evd_p, &s->evd_n);
	s->evo = open_memstream(&s->evo_p, &s->evo_n);
}

/* End of one user request: advance the clock, tick at the cadence. */
static void
req_end(struct sim *s)
{
	events_flush(s);
	s->ms += STEP_MS;
	s->logical = 0;
	if (++s->nreq % s->o->tick_every == 0)
		tick_all(s);
}

static void
vchannel(const struct sim *s, const struct coll *c, int shard, char *out,
    size_t n)
{
	snprintf(out, n, "%s_%" PRId64 "v%d", s->topic[c->pch[shard]], c->id,
	    shard);
}

static const char *
vis_db(const struct sim *s, const struct coll *c)
{
	return s->o->version >= 25 ? c->db : "default";
}

static const char *
wire_db(const struct sim *s, const char *db)
{
	return s->o->version == 23 && strcmp(db, "default") == 0 ? "" : db;
}

/* === JSON text (events and expected state) === */

static void
json_str(FILE *fp, const void *p, size_t n)
{
	const unsigned char *u = p;

	putc('"', fp);
	for (size_t i = 0; i < n; i++) {
		if (u[i] == '"' || u[i] == '\\')
			fprintf(fp, "\\%c", u[i]);
		else if (u[i] == '\n')
			fputs("\\n", fp);
		else if (u[i] == '\t')
			fputs("\\t", fp);
		else if (u[i] < 0x20)
			fprintf(fp, "\\u%04x", u[i]);
		else
			putc(u[i], fp);
	}
	putc('"', fp);
}

/*
 * Shortest round-trip text, by the writers' formatter (cdc_fmt.h) when what
 * it writes reads back (it does not for some values just below a power of
 * ten, e.g. -0.99999994f); else by a binary search over %.*g's precision
 * (round-tripping is monotone in it).
 */
static void
json_num(FILE *fp, double x, int is_f32)
{
	char b[CDC_FMT_MAX + 8];
	size_t n = is_f32 ? cdc_fmt_float(b, (float)x) : cdc_fmt_double(b, x);
	int lo = 1, hi = is_f32 ? 9 : 17;

	b[n] = '\0';
	if (is_f32 ? strtof(b, NULL) == (float)x : strtod(b, NULL) == x) {
		fwrite(b, 1, n, fp);
		return;
	}
	while (lo < hi) {
		int mid = (lo + hi) / 2;

		snprintf(b, sizeof b, "%.*g", mid, x);
		if (is_f32 ? strtof(b, NULL) == (float)x : strtod(b, NULL) == x)
			hi = mid;
		else
			lo = mid + 1;
	}
	snprintf(b, sizeof b, "%.*g", lo, x);
	fputs(b, fp);
}

static void
json_f32(FILE *fp, float x)
{
	json_num(fp, (double)x, 1);
}

static void
json_f64(FILE *fp, double x)
{
	json_num(fp, x, 0);
}

static void
json_b64(FILE *fp, const void *p, size_t n)
{
	char *b = cdc_xmalloc(cdc_b64_encoded_len(n) + 1);

	cdc_b64_encode(p, n, b);
	fputc('"', fp);
	fwrite(b, 1, cdc_b64_encoded_len(n), fp);
	fputc('"', fp);
	free(b);
}

static void
json_pk(FILE *fp, const struct coll *c, int64_t id)
{
	char t[64];

	if (c->pk_str) {
		pk_text(c, id, t, sizeof t);
		json_str(fp, t, strlen(t));
	} else {
		fprintf(fp, "%" PRId64, pk_int(c, id));
	}
}

static void
ev_head(struct sim *s, FILE *fp, const char *op, const char *db,
    const char *coll, uint64_t ts)
{
	fprintf(fp, "{\"op\":\"%s\",\"db\":", op);
	json_str(fp, db, strlen(db));
	if (coll) {
		fputs(",\"collection\":", fp);
		json_str(fp, coll, strlen(coll));
	}
	fprintf(fp, ",\"ts\":%" PRIu64, ts);
}

/* === DML: inserts and deletes, split by shard, partition and size === */

static void
ev_pks(FILE *fp, const struct coll *c, const int64_t *ids, size_t n)
{
	fputs(",\"pks\":[", fp);
	for (size_t i = 0; i < n; i++) {
		if (i)
			putc(',', fp);
		json_pk(fp, c, ids[i]);
	}
	fputs("]}\n", fp);
}

static void
flush_insert(struct sim *s, struct coll *c, int shard, int p, size_t nrows,
    uint64_t ts)
{
	struct buf m = {0}, tsb = {0}, rid = {0};
	const struct part *pt = &c->parts[p];
	char vch[256];

	vchannel(s, c, shard, vch, sizeof vch);
	pb_base(&m, MT_INSERT, ++s->msgid, ts, PROXY_ID);
	pb_str(&m, 2, vch);
	if (s->o->version >= 25)
		pb_str(&m, 3, c->db);
	pb_str(&m, 4, c->name);
	pb_str(&m, 5, pt->name);
	pb_uint(&m, 7, (uint64_t)c->id);
	pb_uint(&m, 8, (uint64_t)pt->id);
	pb_uint(&m, 9, (uint64_t)(c->id + 1000 + shard * 10 + p));
	for (size_t i = 0; i < nrows; i++) {
		pb_varint(&tsb, ts);
		pb_varint(&rid, (uint64_t)++s->rowid);
	}
	pb_packed(&m, 10, &tsb);
	pb_packed(&m, 11, &rid);
	for (int k = 0; k < c->nf; k++)
		col_wrap(&s->cols[k], &m);
	pb_uint(&m, 14, nrows);
	pb_uint(&m, 15, 1);	/* ColumnBased */
	emit(s, c->pch[shard], MT_INSERT, &m);
	free(tsb.p);
	free(rid.p);
	if (s->evf) {
		ev_head(s, s->evo, "insert", vis_db(s, c), c->name, ts);
		fputs(",\"partition\":", s->evo);
		json_str(s->evo, pt->name, strlen(pt->name));
		fputs(",\"vchannel\":", s->evo);
		json_str(s->evo, vch, strlen(vch));
		ev_pks(s->evo, c, s->chunk, nrows);
	}
}

static size_t
cols_size(const struct sim *s, const struct coll *c)
{
	size_t n = 0;

	for (int k = 0; k < c->nf; k++)
		n += s->cols[k].data.n + s->cols[k].valid.n + 16;
	return n;
}

/* The rows of one (shard, partition), cut into messages <= max_msg. */
static void
insert_group(struct sim *s, struct coll *c, const int64_t *ids,
    const int *shard, size_t n, int sh, int p, uint32_t ver, uint64_t ts)
{
	size_t nrows = 0, last = 0, before;

	for (int k = 0; k < c->nf; k++)
		s->cols[k].f = &c->f[k];
	for (size_t i = 0; i < n; i++) {
		if (shard[i] != sh || part_of(c, ids[i]) != p)
			continue;
		before = cols_size(s, c);
		for (int k = 0; k < c->nf; k++) {
			gen_value(s->o, c, &c->f[k], ids[i], ver, &s->v);
			col_add(&s->cols[k], &s->v);
		}
		s->chunk[nrows++] = ids[i];
		last = cols_size(s, c) - before + 24;
		if (cols_size(s, c) + 24 * nrows + 2 * last + 512 >
		    (size_t)s->o->max_msg) {
			flush_insert(s, c, sh, p, nrows, ts);
			nrows = 0;
		}
	}
	if (nrows)
		flush_insert(s, c, sh, p, nrows, ts);
}

static void
do_insert(struct sim *s, struct coll *c, const int64_t *ids, size_t n,
    uint32_t ver, uint64_t ts)
{
	int *shard = cdc_xmalloc(n * sizeof *shard + 1);

	if (n > s->chunk_cap) {
		s->chunk_cap = n;
		s->chunk = cdc_xrealloc(s->chunk, n * sizeof *s->chunk);
	}
	for (size_t i = 0; i < n; i++)
		shard[i] = shard_of(c, ids[i]);
	for (int sh = 0; sh < c->shards; sh++)
		for (int p = 0; p < c->nparts; p++)
			insert_group(s, c, ids, shard, n, sh, p, ver, ts);
	free(shard);
	for (size_t i = 0; c->ver && i < n; i++) {
		c->ver[ids[i]] = ver;
		c->alive[ids[i]] = 1;
	}
}

static void
delete_msg(struct sim *s, struct coll *c, int sh, size_t n, uint64_t ts)
{
	struct buf m = {0}, tsb = {0}, keys = {0}, arr = {0}, idsb = {0};
	char vch[256], t[64];

	vchannel(s, c, sh, vch, sizeof vch);
	pb_base(&m, MT_DELETE, ++s->msgid, ts, PROXY_ID);
	pb_str(&m, 2, vch);
	if (s->o->version >= 25)
		pb_str(&m, 3, c->db);
	pb_str(&m, 4, c->name);
	pb_uint(&m, 7, (uint64_t)c->id);
	pb_uint(&m, 8, (uint64_t)-1);	/* all partitions */
	for (size_t i = 0; i < n; i++) {
		pb_varint(&tsb, ts);
		if (c->pk_str) {
			pk_text(c, s->chunk[i], t, sizeof t);
			pb_bytes(&keys, 1, t, strlen(t));
		} else {
			pb_varint(&keys, (uint64_t)pk_int(c, s->chunk[i]));
		}
	}
	pb_packed(&m, 10, &tsb);
	pb_uint(&m, 11, n);
	if (c->pk_str)
		put(&arr, keys.p, keys.n);
	else
		pb_packed(&arr, 1, &keys);
	pb_sub(&idsb, c->pk_str ? 2 : 1, &arr);
	pb_sub(&m, 12, &idsb);
	emit(s, c->pch[sh], MT_DELETE, &m);
	if (s->evf) {
		ev_head(s, s->evd, "delete", vis_db(s, c), c->name, ts);
		fputs(",\"vchannel\":", s->evd);
		json_str(s->evd, vch, strlen(vch));
		ev_pks(s->evd, c, s->chunk, n);
	}
	free(tsb.p);
	free(keys.p);
	free(arr.p);
	free(idsb.p);
}

static void
do_delete(struct sim *s, struct coll *c, const int64_t *ids, size_t n,
    uint64_t ts)
{
	size_t limit = 100000, k;

	if (n > s->chunk_cap) {
		s->chunk_cap = n;
		s->chunk = cdc_xrealloc(s->chunk, n * sizeof *s->chunk);
	}
	for (int sh = 0; sh < c->shards; sh++) {
		k = 0;
		for (size_t i = 0; i < n; i++) {
			if (shard_of(c, ids[i]) != sh)
				continue;
			s->chunk[k++] = ids[i];
			if (k == limit) {
				delete_msg(s, c, sh, k, ts);
				k = 0;
			}
		}
		if (k)
			delete_msg(s, c, sh, k, ts);
	}
	for (size_t i = 0; c->alive && i < n; i++)
		c->alive[ids[i]] = 0;
}

/* === DDL on the DML channels (broadcast, no msg_type header) === */

static void
field_schema(const struct field *f, struct buf *out)
{
	struct buf fs = {0}, dv = {0};
	char num[32];

	pb_uint(&fs, 1, (uint64_t)f->id);
	pb_str(&fs, 2, f->name);
	pb_uint(&fs, 3, (uint64_t)f->pk);
	pb_str(&fs, 4, f->id < 100 ? (f->id ? "time stamp" : "row id") : "");
	pb_uint(&fs, 5, (uint64_t)f->type);
	if (f->dim && f->type != CDC_DT_SPARSE_FLOAT_VECTOR) {
		snprintf(num, sizeof num, "%d", f->dim);
		pb_kv(&fs, 6, "dim", num);
	}
	if (f->type == CDC_DT_VARCHAR || f->type == CDC_DT_TEXT ||
	    (f->type == CDC_DT_ARRAY && f->elem == CDC_DT_VARCHAR)) {
		snprintf(num, sizeof num, "%d", f->maxlen);
		pb_kv(&fs, 6, "max_length", num);
	}
	if (f->type == CDC_DT_TEXT)
		pb_kv(&fs, 6, "enable_analyzer", "true");
	if (f->type == CDC_DT_ARRAY) {
		snprintf(num, sizeof num, "%d", f->cap);
		pb_kv(&fs, 6, "max_capacity", num);
		pb_uint(&fs, 10, (uint64_t)f->elem);
	}
	if (f->has_def) {
		if (f->def_s)
			pb_bytes(&dv, 6, f->def_s, strlen(f->def_s));
		else if (f->type == CDC_DT_INT64)
			pb_tag(&dv, 3, 0), pb_varint(&dv, (uint64_t)f->def_i);
		else
			pb_tag(&dv, 2, 0), pb_varint(&dv, (uint64_t)f->def_i);
		pb_sub(&fs, 11, &dv);
	}
	pb_uint(&fs, 12, (uint64_t)f->dynamic);
	pb_uint(&fs, 15, (uint64_t)f->nullable);
	pb_sub(out, 4, &fs);
	free(fs.p);
	free(dv.p);
}

static void
schema_bytes(const struct sim *s, const struct coll *c, struct buf *out)
{
	static const struct field sys[2] = {
		{ .id = 0, .name = "RowID", .type = CDC_DT_INT64 },
		{ .id = 1, .name = "Timestamp", .type = CDC_DT_INT64 },
	};

	pb_str(out, 1, c->name);
	pb_str(out, 2, "written by milvus-sim");
	for (int k = 0; k < c->nf; k++)
		field_schema(&c->f[k], out);
	field_schema(&sys[0], out);
	field_schema(&sys[1], out);
	pb_uint(out, 5, (uint64_t)c->dynamic);
	if (s->o->version >= 25)
		pb_str(out, 8, c->db);
}

/* One copy of m on each distinct pchannel of c. */
static void
broadcast(struct sim *s, const struct coll *c, const struct buf *m)
{
	int seen[MAX_CH] = {0};

	for (int sh = 0; sh < c->shards; sh++) {
		struct buf cp = {0};

		if (seen[c->pch[sh]]++)
			continue;
		put(&cp, m->p, m->n);
		emit(s, c->pch[sh], 0, &cp);
	}
}

static void
create_collection(struct sim *s, struct coll *c)
{
	struct buf m = {0}, sch = {0}, pids = {0};
	uint64_t ts = ts_next(s);
	char vch[256];

	pb_base(&m, MT_CREATE_COLLECTION, ++s->msgid, ts, ROOTCOORD_ID);
	pb_uint(&m, 6, (uint64_t)c->id);
	schema_bytes(s, c, &sch);
	pb_sub(&m, 8, &sch);
	for (int sh = 0; sh < c->shards; sh++) {
		vchannel(s, c, sh, vch, sizeof vch);
		pb_str(&m, 9, vch);
	}
	for (int sh = 0; sh < c->shards; sh++)
		pb_str(&m, 10, s->topic[c->pch[sh]]);
	for (int p = 0; p < c->nparts; p++)
		pb_varint(&pids, (uint64_t)c->parts[p].id);
	pb_packed(&m, 11, &pids);
	broadcast(s, c, &m);
	if (s->evf) {
		ev_head(s, s->evo, "create_collection", vis_db(s, c), c->name,
		    ts);
		fprintf(s->evo, ",\"collection_id\":%" PRId64 "}\n", c->id);
	}
	free(m.p);
	free(sch.p);
	free(pids.p);
	req_end(s);
}

static void
drop_collection(struct sim *s, struct coll *c)
{
	struct buf m = {0};
	uint64_t ts = ts_next(s);

	pb_base(&m, MT_DROP_COLLECTION, ++s->msgid, ts, ROOTCOORD_ID);
	pb_str(&m, 3, c->name);
	pb_uint(&m, 5, (uint64_t)c->id);
	broadcast(s, c, &m);
	if (s->evf) {
		ev_head(s, s->evo, "drop_collection", vis_db(s, c), c->name,
		    ts);
		fputs("}\n", s->evo);
	}
	free(m.p);
	c->dropped = 1;
	req_end(s);
}

static void
drop_partition(struct sim *s, struct coll *c, int p)
{
	struct buf m = {0};
	uint64_t ts = ts_next(s);

	pb_base(&m, MT_DROP_PARTITION, ++s->msgid, ts, ROOTCOORD_ID);
	pb_str(&m, 4, c->parts[p].name);
	pb_uint(&m, 6, (uint64_t)c->id);
	pb_uint(&m, 7, (uint64_t)c->parts[p].id);
	broadcast(s, c, &m);
	if (s->evf) {
		ev_head(s, s->evo, "drop_partition", vis_db(s, c), c->name,
		    ts);
		fputs(",\"partition\":", s->evo);
		json_str(s->evo, c->parts[p].name, strlen(c->parts[p].name));
		fputs("}\n", s->evo);
	}
	free(m.p);
	c->parts[p].dropped = 1;
	req_end(s);
}

/* === the replicate-msg channel (milvus.api requests, msg_type header) === */

/*
 * Send a request: MsgBase and db_name, then `body` (fields 3...); the event
 * line gets `extra` (",\"k\":v" text) appended.
 */
static void
rep_send(struct sim *s, int mt, const char *db, const char *coll,
    struct buf *body, const char *op, const char *extra)
{
	struct buf m = {0};
	uint64_t ts = ts_next(s);

	pb_base(&m, mt, ++s->msgid, ts, PROXY_ID);
	pb_str(&m, 2, wire_db(s, db));
	put(&m, body->p, body->n);
	emit(s, MAX_CH, mt, &m);
	if (s->evf) {
		ev_head(s, s->evo, op, db, coll, ts);
		fprintf(s->evo, "%s}\n", extra ? extra : "");
	}
	free(body->p);
	memset(body, 0, sizeof *body);
	req_end(s);
}

static void
rep_coll(struct sim *s, int mt, const struct coll *c, const char *op)
{
	struct buf b = {0};

	pb_str(&b, 3, c->name);
	if (mt == MT_LOAD_COLLECTION)
		pb_uint(&b, 4, 1);	/* replica_number */
	rep_send(s, mt, c->db, c->name, &b, op, NULL);
}

static void
rep_create_index(struct sim *s, const struct coll *c)
{
	struct buf b = {0};
	char extra[256];

	pb_str(&b, 3, c->name);
	pb_str(&b, 4, c->vecfield);
	pb_kv(&b, 5, "index_type", "HNSW");
	pb_kv(&b, 5, "metric_type", "L2");
	pb_kv(&b, 5, "params", "{\"M\":16,\"efConstruction\":64}");
	pb_str(&b, 6, c->index_name);
	snprintf(extra, sizeof extra, ",\"field\":\"%s\",\"index_name\":\"%s\"",
	    c->vecfield, c->index_name);
	rep_send(s, MT_CREATE_INDEX, c->db, c->name, &b, "create_index", extra);
}

static void
rep_db(struct sim *s, int mt, const char *db, const char *op, int props)
{
	struct buf b = {0};

	if (props && mt == MT_ALTER_DATABASE)
		pb_kv(&b, 4, "database.max.collections", "32");
	else if (props)
		pb_kv(&b, 3, "database.replica.number", "1");
	rep_send(s, mt, db, NULL, &b, op, NULL);
}

static void
rep_flush(struct sim *s, const char *db)
{
	struct buf b = {0};
	char extra[512];
	size_t n = (size_t)snprintf(extra, sizeof extra, ",\"collections\":[");

	for (int i = 0; i < s->nc; i++) {
		const struct coll *c = &s->c[i];

		if (c->dropped || strcmp(c->db, db) != 0)
			continue;
		pb_str(&b, 3, c->name);
		n += (size_t)snprintf(extra + n, sizeof extra - n, "%s\"%s\"",
		    extra[n - 1] == '[' ? "" : ",", c->name);
	}
	snprintf(extra + n, sizeof extra - n, "]");
	rep_send(s, MT_FLUSH, db, NULL, &b, "flush", extra);
}

/* === workloads === */

static struct coll *
new_coll(struct sim *s, const char *db, const char *name, int shards)
{
	const struct opts *o = s->o;
	struct coll *c = &s->c[s->nc];

	memset(c, 0, sizeof *c);
	c->idx = s->nc++;
	c->id = 455000000000000000LL + 100 * (c->idx + 1);
	snprintf(c->db, sizeof c->db, "%s", db);
	snprintf(c->name, sizeof c->name, "%s", name);
	c->shards = shards;
	for (int sh = 0; sh < shards; sh++)
		c->pch[sh] = s->next_pch++ % o->channels;
	snprintf(c->parts[0].name, sizeof c->parts[0].name, "_default");
	c->parts[0].id = c->id + 1;
	c->nparts = 1;
	c->pk_mul = 1;
	c->rows = o->rows;
	c->next_id = 1;
	c->small = o->batch / 16 > 0 ? o->batch / 16 : 1;
	c->rng = mix64(o->seed ^ (uint64_t)c->id);
	c->vecfield = "vec";
	c->index_name = "vec_idx";
	if (o->expect) {
		c->ver = cdc_xcalloc((size_t)c->rows + 1, sizeof *c->ver);
		c->alive = cdc_xcalloc((size_t)c->rows + 1, 1);
	}
	return c;
}

static struct field *
add_vec(struct coll *c, const char *name, int type, int dim)
{
	struct field *f = add_field(c, name, type);

	f->dim = dim;
	return f;
}

static void
add_pk(struct coll *c, const char *name, int str)
{
	struct field *f = add_field(c, name, str ? CDC_DT_VARCHAR : CDC_DT_INT64);

	f->pk = 1;
	f->maxlen = 64;
	c->pk_str = str;
}

static void
add_meta(struct coll *c)
{
	struct field *f = add_field(c, "$meta", CDC_DT_JSON);

	f->dynamic = 1;
	c->dynamic = 1;
}

static void
setup_basic(struct sim *s, const char *base, int shards, int bench)
{
	char name[64];

	for (int i = 0; i < s->o->collections; i++) {
		struct coll *c;

		if (i)
			snprintf(name, sizeof name, "%s_%d", base, i);
		else
			snprintf(name, sizeof name, "%s", base);
		c = new_coll(s, "default", name, shards);
		add_pk(c, "id", 0);
		add_field(c, "title", CDC_DT_VARCHAR);
		add_vec(c, "vec", CDC_DT_FLOAT_VECTOR, s->o->dim);
		if (bench)
			c->small = s->o->batch / 64 > 0 ? s->o->batch / 64 : 1;
	}
}

static void
add_array(struct coll *c, const char *name, int elem, int nullable)
{
	struct field *f = add_field(c, name, CDC_DT_ARRAY);

	f->elem = elem;
	f->maxlen = 64;
	f->nullable = nullable;
}

static void
setup_alltypes(struct sim *s)
{
	static const struct { const char *n; int t; } sc[] = {
		{"b", CDC_DT_BOOL}, {"i8", CDC_DT_INT8}, {"i16", CDC_DT_INT16},
		{"i32", CDC_DT_INT32}, {"i64", CDC_DT_INT64},
		{"f", CDC_DT_FLOAT}, {"d", CDC_DT_DOUBLE},
		{"s", CDC_DT_VARCHAR}, {"j", CDC_DT_JSON},
	};
	static const int elems[] = { CDC_DT_INT64, CDC_DT_VARCHAR,
	    CDC_DT_FLOAT, CDC_DT_BOOL, CDC_DT_DOUBLE, CDC_DT_INT32 };
	static const char *en[] = { "a_i64", "a_s", "a_f", "a_b", "a_d",
	    "a_i32" };
	int v = s->o->version;
	struct coll *c = new_coll(s, "default", "alltypes", s->o->shards);
	struct field *f;

	add_pk(c, "pk", 0);
	c->pk_mul = 7919;
	c->pk_add = 9007199254740993LL;	/* beyond 2^53: must stay exact */
	for (size_t i = 0; i < sizeof sc / sizeof sc[0]; i++)
		add_field(c, sc[i].n, sc[i].t);
	for (size_t i = 0; i < 6; i++)
		add_array(c, en[i], elems[i], 0);
	add_vec(c, "vec", CDC_DT_FLOAT_VECTOR, s->o->dim);
	if (v >= 24) {	/* 2.3 allows one vector field per collection */
		add_vec(c, "bin", CDC_DT_BINARY_VECTOR, 16);
		add_vec(c, "f16", CDC_DT_FLOAT16_VECTOR, 4);
		add_vec(c, "bf16", CDC_DT_BFLOAT16_VECTOR, 4);
		add_vec(c, "sparse", CDC_DT_SPARSE_FLOAT_VECTOR, 0);
	}
	if (v >= 25) {
		static const int nt[] = { CDC_DT_INT32, CDC_DT_VARCHAR,
		    CDC_DT_DOUBLE, CDC_DT_JSON, CDC_DT_BOOL };
		static const char *nn[] = { "n_i32", "n_s", "n_d", "n_j",
		    "n_b" };

		for (int i = 0; i < 5; i++)
			add_field(c, nn[i], nt[i])->nullable = 1;
		add_array(c, "n_arr", CDC_DT_INT64, 1);
		f = add_field(c, "def_i", CDC_DT_INT32);
		f->has_def = 1;
		f->def_i = 7;
		f = add_field(c, "def_s", CDC_DT_VARCHAR);
		f->has_def = f->nullable = 1;
		f->def_s = "n/a";
		/* 2.6-era types, so that readers decode every type */
		add_field(c, "txt", CDC_DT_TEXT)->maxlen = 1024;
		add_field(c, "geo", CDC_DT_GEOMETRY);
		add_field(c, "tz", CDC_DT_TIMESTAMPTZ);
		add_vec(c, "i8v", CDC_DT_INT8_VECTOR, 8);
	}
	add_meta(c);
}

static void
setup_multi(struct sim *s)
{
	int sh = s->o->shards;
	struct coll *c;

	c = new_coll(s, "default", "users", sh);
	add_pk(c, "uid", 1);
	add_field(c, "name", CDC_DT_VARCHAR);
	add_field(c, "age", CDC_DT_INT64);
	add_vec(c, "vec", CDC_DT_FLOAT_VECTOR, s->o->dim);
	add_meta(c);
	c = new_coll(s, "default", "orders", sh);
	add_pk(c, "order_id", 0);
	add_field(c, "amount", CDC_DT_DOUBLE);
	add_vec(c, "vec", CDC_DT_FLOAT_VECTOR, s->o->dim);
	snprintf(c->parts[1].name, sizeof c->parts[1].name, "p2024");
	snprintf(c->parts[2].name, sizeof c->parts[2].name, "p2025");
	c->parts[1].id = c->id + 2;
	c->parts[2].id = c->id + 3;
	c->nparts = 3;
	c->part_by_id = 1;
	c = new_coll(s, "default", "tmp", 1);
	add_pk(c, "id", 0);
	add_vec(c, "vec", CDC_DT_FLOAT_VECTOR, s->o->dim);
	c = new_coll(s, "analytics", "events", sh);
	add_pk(c, "event_id", 1);
	add_field(c, "kind", CDC_DT_VARCHAR);
	add_field(c, "payload", CDC_DT_JSON);
	add_vec(c, "vec", CDC_DT_FLOAT_VECTOR, s->o->dim);
	c = new_coll(s, "analytics", "metrics", sh);
	add_pk(c, "id", 0);
	add_field(c, "value", CDC_DT_FLOAT);
	add_vec(c, "vec", CDC_DT_FLOAT_VECTOR, s->o->dim);
}

/* n distinct ids in [1, next_id), sorted. */
static size_t
pick_ids(struct coll *c, int64_t n, int64_t *out)
{
	int64_t have = c->next_id - 1;
	size_t k = 0;

	if (have <= 0)
		return 0;
	if (n > have)
		n = have;
	for (int64_t i = 0; i < n; i++)
		out[i] = 1 + (int64_t)(rnd(&c->rng) % (uint64_t)have);
	for (int64_t i = 1; i < n; i++)	/* insertion sort: n is small */
		for (int64_t j = i; j > 0 && out[j - 1] > out[j]; j--) {
			int64_t t = out[j];

			out[j] = out[j - 1];
			out[j - 1] = t;
		}
	for (int64_t i = 0; i < n; i++)
		if (k == 0 || out[k - 1] != out[i])
			out[k++] = out[i];
	return k;
}

/* One user request of collection c; 0 when c has nothing left to do. */
static int
coll_step(struct sim *s, struct coll *c)
{
	int64_t left = c->rows - c->next_id + 1, n;
	int64_t *ids;
	unsigned k = c->k++, phase = k % 4;
	uint64_t ts;

	if (left > 0 && (phase < 2 || c->next_id == 1)) {
		n = left < s->o->batch ? left : s->o->batch;
		ids = cdc_xmalloc((size_t)n * sizeof *ids);
		for (int64_t i = 0; i < n; i++)
			ids[i] = c->next_id + i;
		c->next_id += n;
		do_insert(s, c, ids, (size_t)n, 0, ts_next(s));
		free(ids);
		return 1;
	}
	if (left <= 0) {	/* the tail: one delete, one upsert */
		if (c->tail >= 2) {
			c->done = 1;
			return 0;
		}
		phase = 2 + (unsigned)c->tail++;
	}
	ids = cdc_xmalloc((size_t)c->small * sizeof *ids);
	n = (int64_t)pick_ids(c, c->small, ids);
	ts = ts_next(s);
	if (phase == 3)		/* upsert: inserts first, same ts */
		do_insert(s, c, ids, (size_t)n, k, ts);
	do_delete(s, c, ids, (size_t)n, ts);
	if (phase == 3)
		for (int64_t i = 0; c->alive && i < n; i++)
			c->alive[ids[i]] = 1;
	free(ids);
	return 1;
}

static struct coll *
coll_named(struct sim *s, const char *name)
{
	for (int i = 0; i < s->nc; i++)
		if (strcmp(s->c[i].name, name) == 0 ||
		    strcmp(s->c[i].oldname, name) == 0)
			return &s->c[i];
	return NULL;
}

static void
alias_op(struct sim *s, int mt, const struct coll *c, const char *alias,
    const char *op)
{
	struct buf b = {0};
	char extra[128];

	if (mt == MT_DROP_ALIAS) {
		pb_str(&b, 3, alias);
	} else {
		pb_str(&b, 3, c->name);
		pb_str(&b, 4, alias);
	}
	snprintf(extra, sizeof extra, ",\"alias\":\"%s\"", alias);
	rep_send(s, mt, c->db, mt == MT_DROP_ALIAS ? NULL : c->name, &b, op,
	    extra);
}

/* multi, after the first round: database, index and 2.5 collection DDL. */
static void
multi_mid(struct sim *s)
{
	struct coll *users = coll_named(s, "users");
	struct coll *metrics = coll_named(s, "metrics");
	struct buf b = {0};
	char extra[128];

	if (s->o->version >= 24) {
		rep_db(s, MT_ALTER_DATABASE, "analytics", "alter_database", 1);
		pb_str(&b, 3, users->name);
		pb_str(&b, 4, users->index_name);
		pb_kv(&b, 5, "mmap.enabled", "true");
		rep_send(s, MT_ALTER_INDEX, users->db, users->name, &b,
		    "alter_index", ",\"index_name\":\"vec_idx\"");
	}
	if (s->o->version < 25)
		return;
	pb_str(&b, 3, users->name);
	pb_uint(&b, 4, (uint64_t)users->id);
	pb_kv(&b, 5, "collection.ttl.seconds", "86400");
	rep_send(s, MT_ALTER_COLLECTION, users->db, users->name, &b,
	    "alter_collection", NULL);
	pb_str(&b, 3, metrics->name);
	pb_str(&b, 4, "metrics_v2");
	snprintf(extra, sizeof extra, ",\"new_name\":\"metrics_v2\"");
	rep_send(s, MT_RENAME_COLLECTION, metrics->db, metrics->name, &b,
	    "rename_collection", extra);
	snprintf(metrics->oldname, sizeof metrics->oldname, "%s",
	    metrics->name);
	snprintf(metrics->name, sizeof metrics->name, "metrics_v2");
	alias_op(s, MT_CREATE_ALIAS, coll_named(s, "events"), "m",
	    "create_alias");
}

static void
multi_finale(struct sim *s)
{
	struct coll *orders = coll_named(s, "orders");
	struct coll *tmp = coll_named(s, "tmp");
	struct buf b = {0};

	pb_str(&b, 3, orders->name);
	pb_str(&b, 4, "p2024");
	rep_send(s, MT_RELEASE_PARTITIONS, orders->db, orders->name, &b,
	    "release_partitions", ",\"partitions\":[\"p2024\"]");
	drop_partition(s, orders, 1);
	rep_coll(s, MT_RELEASE_COLLECTION, tmp, "release_collection");
	pb_str(&b, 3, tmp->name);
	pb_str(&b, 5, tmp->index_name);
	rep_send(s, MT_DROP_INDEX, tmp->db, tmp->name, &b, "drop_index",
	    ",\"index_name\":\"vec_idx\"");
	drop_collection(s, tmp);
	if (s->o->version >= 25) {
		alias_op(s, MT_ALTER_ALIAS, coll_named(s, "metrics_v2"), "m",
		    "alter_alias");
		alias_op(s, MT_DROP_ALIAS, coll_named(s, "metrics_v2"), "m",
		    "drop_alias");
	}
	rep_flush(s, "default");
	rep_flush(s, "analytics");
	rep_db(s, MT_DROP_DATABASE, "scratch", "drop_database", 0);
}

static void
run_workload(struct sim *s)
{
	int multi = strcmp(s->o->workload, "multi") == 0, any = 1;

	if (multi) {
		rep_db(s, MT_CREATE_DATABASE, "analytics", "create_database",
		    s->o->version >= 24);
		rep_db(s, MT_CREATE_DATABASE, "scratch", "create_database", 0);
	}
	for (int i = 0; i < s->nc; i++) {
		create_collection(s, &s->c[i]);
		rep_create_index(s, &s->c[i]);
		rep_coll(s, MT_LOAD_COLLECTION, &s->c[i], "load_collection");
	}
	for (int round = 0; any && !stop_sig; round++) {
		any = 0;
		for (int i = 0; i < s->nc; i++)
			if (!s->c[i].done && coll_step(s, &s->c[i])) {
				req_end(s);
				any = 1;
			}
		if (round == 0 && multi)
			multi_mid(s);
	}
	if (multi)
		multi_finale(s);
	else
		rep_flush(s, "default");
	if (s->o->final_tick)
		tick_all(s);
}

/* === --expect: the final state, one row a line === */

/* Timestamptz as the writers show it: ISO-8601 UTC, microseconds. */
static void
json_iso(FILE *fp, int64_t us)
{
	time_t sec = (time_t)(us / 1000000);
	struct tm tm;

	gmtime_r(&sec, &tm);
	fprintf(fp, "\"%04d-%02d-%02dT%02d:%02d:%02d.%06dZ\"",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (int)(us % 1000000));
}

static void
print_val(FILE *fp, const struct field *f, const struct val *v)
{
	int e = f->type == CDC_DT_ARRAY ? f->elem : f->type;

	if (v->null) {
		fputs("null", fp);
		return;
	}
	if (f->type == CDC_DT_ARRAY) {
		putc('[', fp);
		for (int k = 0; k < v->ne; k++) {
			if (k)
				putc(',', fp);
			if (e == CDC_DT_BOOL)
				fputs(v->ei[k] ? "true" : "false", fp);
			else if (e == CDC_DT_FLOAT)
				json_f32(fp, (float)v->ed[k]);
			else if (e == CDC_DT_DOUBLE)
				json_f64(fp, v->ed[k]);
			else if (e == CDC_DT_VARCHAR)
				json_str(fp, v->es[k], strlen(v->es[k]));
			else
				fprintf(fp, "%" PRId64, v->ei[k]);
		}
		putc(']', fp);
		return;
	}
	switch (f->type) {
	case CDC_DT_BOOL: fputs(v->i ? "true" : "false", fp); break;
	case CDC_DT_FLOAT: json_f32(fp, (float)v->d); break;
	case CDC_DT_DOUBLE: json_f64(fp, v->d); break;
	case CDC_DT_VARCHAR: case CDC_DT_TEXT:
		json_str(fp, v->s.p, v->s.n);
		break;
	case CDC_DT_JSON: fwrite(v->s.p, 1, v->s.n, fp); break;
	case CDC_DT_GEOMETRY: case CDC_DT_BINARY_VECTOR:
		json_b64(fp, v->s.p, v->s.n);
		break;
	case CDC_DT_FLOAT_VECTOR: case CDC_DT_FLOAT16_VECTOR:
	case CDC_DT_BFLOAT16_VECTOR:
		putc('[', fp);
		for (int k = 0; k < f->dim; k++) {
			if (k)
				putc(',', fp);
			json_f32(fp, v->fv[k]);
		}
		putc(']', fp);
		break;
	case CDC_DT_INT8_VECTOR:
		putc('[', fp);
		for (size_t k = 0; k < v->s.n; k++)
			fprintf(fp, "%s%d", k ? "," : "", (int8_t)v->s.p[k]);
		putc(']', fp);
		break;
	case CDC_DT_SPARSE_FLOAT_VECTOR:
		putc('{', fp);
		for (size_t k = 0; k + 8 <= v->s.n; k += 8) {
			const uint8_t *p = v->s.p + k;
			uint32_t idx = p[0] | p[1] << 8 | p[2] << 16 |
			    (uint32_t)p[3] << 24, fb = p[4] | p[5] << 8 |
			    p[6] << 16 | (uint32_t)p[7] << 24;
			float x;

			memcpy(&x, &fb, 4);
			fprintf(fp, "%s\"%" PRIu32 "\":", k ? "," : "", idx);
			json_f32(fp, x);
		}
		putc('}', fp);
		break;
	case CDC_DT_TIMESTAMPTZ: json_iso(fp, v->i); break;
	default: fprintf(fp, "%" PRId64, v->i); break;
	}
}

static void
print_row(struct sim *s, FILE *fp, const struct coll *c, int64_t id)
{
	fputs("{\"db\":", fp);
	json_str(fp, vis_db(s, c), strlen(vis_db(s, c)));
	fputs(",\"collection\":", fp);
	json_str(fp, c->name, strlen(c->name));
	fputs(",\"pk\":", fp);
	json_pk(fp, c, id);
	fputs(",\"row\":{", fp);
	for (int k = 0; k < c->nf; k++) {
		const struct field *f = &c->f[k];

		gen_value(s->o, c, f, id, c->ver[id], &s->v);
		if (f->dynamic) {	/* $meta keys flattened into the row */
			if (s->v.s.n > 2) {
				putc(',', fp);
				fwrite(s->v.s.p + 1, 1, s->v.s.n - 2, fp);
			}
			continue;
		}
		fprintf(fp, "%s\"%s\":", k ? "," : "", f->name);
		print_val(fp, f, &s->v);
	}
	fputs("}}\n", fp);
}

static int
coll_cmp(const void *a, const void *b)
{
	const struct coll *x = *(struct coll *const *)a;
	const struct coll *y = *(struct coll *const *)b;
	/* vis_db() depends only on the version, the same for both */
	int r = strcmp(x->db, y->db);

	return r ? r : strcmp(x->name, y->name);
}

static int
write_expect(struct sim *s, const char *path)
{
	struct coll *order[8];
	FILE *fp = fopen(path, "w");
	int n = 0;

	if (!fp) {
		cdc_log_err("cannot open '%s': %s", path, strerror(errno));
		return -1;
	}
	for (int i = 0; i < s->nc; i++)
		if (!s->c[i].dropped)
			order[n++] = &s->c[i];
	if (s->o->version < 25)	/* every collection shows as "default" */
		for (int i = 0; i < n; i++)
			snprintf(order[i]->db, sizeof order[i]->db, "default");
	qsort(order, (size_t)n, sizeof order[0], coll_cmp);
	for (int i = 0; i < n; i++)
		for (int64_t id = 1; id <= order[i]->rows; id++)
			if (order[i]->alive[id] &&
			    !order[i]->parts[part_of(order[i], id)].dropped)
				print_row(s, fp, order[i], id);
	if (fflush(fp) != 0 || ferror(fp) || fclose(fp) != 0) {
		cdc_log_err("write error on '%s'", path);
		return -1;
	}
	return 0;
}

/* === options, setup, main === */

static void
usage(FILE *fp)
{
	fputs("usage: milvus-sim [-b brokers] [--milvus-version 2.3|2.4|2.5] "
	    "[--workload basic|bench|alltypes|multi]\n"
	    "                  [--prefix by-dev] [--channels 16] [--seed N] "
	    "[--rows N] [--dim N] [--batch N]\n"
	    "                  [--collections N] [--shards N] [--expect FILE] "
	    "[--expect-events FILE]\n"
	    "                  [--dump FILE] [--headers auto|on|off] "
	    "[--start-ms MS] [--tick-every N]\n"
	    "                  [--no-final-tick] [--max-message BYTES] "
	    "[-X key=value]...\n", fp);
}

static void
help(void)
{
	usage(stdout);
	fputs("\nWrites what Milvus 2.3/2.4/2.5 writes into its Kafka "
	    "(one run = one workload).\n"
	    "  -b, --brokers B         bootstrap servers (optional with "
	    "--dump)\n"
	    "  --milvus-version V      2.3, 2.4 (as 2.4.13+) or 2.5 "
	    "(default 2.5)\n"
	    "  --workload W            basic (default), bench, alltypes, "
	    "multi\n"
	    "  --prefix P              channel prefix (default by-dev)\n"
	    "  --channels N            DML channels (default 16)\n"
	    "  --seed N                PRNG seed (default 1); same seed, "
	    "same records\n"
	    "  --rows N                rows inserted per collection "
	    "(default 1000)\n"
	    "  --dim N                 FloatVector dim (default 8, bench "
	    "128)\n"
	    "  --batch N               rows per insert request (default "
	    "100, bench 1000)\n"
	    "  --collections N         collections (basic, bench; "
	    "default 1)\n"
	    "  --shards N              shards per collection (default 2, "
	    "bench = channels)\n"
	    "  --expect FILE           final rows as JSON Lines, sorted "
	    "by db, collection, pk\n"
	    "  --expect-events FILE    the expected events as JSON Lines\n"
	    "  --dump FILE             also write the records as JSON Lines "
	    "(topic, headers, value_b64)\n"
	    "  --headers H             msg_type header: auto (2.4+), on, "
	    "off\n"
	    "  --start-ms MS           physical time of the first ts "
	    "(default 1704067200000)\n"
	    "  --tick-every N          TimeTicks after every N requests "
	    "(default 4)\n"
	    "  --no-final-tick         leave the last records uncovered "
	    "by a tick\n"
	    "  --max-message BYTES     split inserts at this size "
	    "(default 2097152)\n"
	    "  -X key=value            librdkafka property\n"
	    "  -h, --help / -V, --version\n", stdout);
}

static int
bad_num(const char *opt, const char *arg, const char *why)
{
	cdc_log_err("invalid --%s '%s': %s", opt, arg, why);
	usage(stderr);
	fputs("Try 'milvus-sim --help'.\n", stderr);
	return -1;
}

/* One numeric option; -1 on error. */
static int
num_opt(const char *name, const char *arg, long long min, long long max,
    int64_t *out)
{
	const char *errstr;
	long long v = cdc_opt_size(arg, min, max, &errstr);

	if (errstr)
		return bad_num(name, arg, errstr);
	*out = v;
	return 0;
}

static int
parse_opt(struct opts *o, int ch, const char *name, const char *arg)
{
	int64_t v = 0;

	switch (ch) {
	case 'b': o->brokers = arg; return 0;
	case 'm':
		if (strcmp(arg, "2.3") && strcmp(arg, "2.4") &&
		    strcmp(arg, "2.5"))
			return bad_num(name, arg, "want 2.3, 2.4 or 2.5");
		o->version = 20 + (arg[2] - '0');
		return 0;
	case 'p': o->prefix = arg; return 0;
	case 'w': o->workload = arg; return 0;
	case 'e': o->expect = arg; return 0;
	case 'E': o->expect_events = arg; return 0;
	case 'd': o->dump = arg; return 0;
	case 'F': o->final_tick = 0; return 0;
	case 'H':
		if (strcmp(arg, "auto") && strcmp(arg, "on") &&
		    strcmp(arg, "off"))
			return bad_num(name, arg, "want auto, on or off");
		o->headers = arg[0] == 'a' ? -1 : arg[1] == 'n';
		return 0;
	case 'X':
		o->xconf = cdc_xrealloc(o->xconf, (size_t)(o->nx + 1) *
		    sizeof *o->xconf);
		o->xconf[o->nx++] = (char *)arg;
		return 0;
	}
	if (num_opt(name, arg, ch == 's' || ch == 'S' ? 0 : 1,
	    ch == 'c' ? MAX_CH : ch == 'k' ? MAX_SHARDS : ch == 'D' ? 4096 :
	    ch == 'n' ? 8 : ch == 'B' ? 10000000 : ch == 't' ? 1000000 : INT64_MAX / 4, &v) < 0)
		return -1;
	switch (ch) {
	case 'c': o->channels = (int)v; break;
	case 's': o->seed = (uint64_t)v; break;
	case 'r': o->rows = v; break;
	case 'D': o->dim = (int)v; break;
	case 'B': o->batch = v; break;
	case 'n': o->collections = (int)v; break;
	case 'k': o->shards = (int)v; break;
	case 'S': o->start_ms = (uint64_t)v; break;
	case 't': o->tick_every = (int)v; break;
	case 'M': o->max_msg = v; break;
	}
	return 0;
}

static const struct option longopts[] = {
	{"brokers", required_argument, NULL, 'b'},
	{"milvus-version", required_argument, NULL, 'm'},
	{"prefix", required_argument, NULL, 'p'},
	{"channels", required_argument, NULL, 'c'},
	{"seed", required_argument, NULL, 's'},
	{"rows", required_argument, NULL, 'r'},
	{"dim", required_argument, NULL, 'D'},
	{"batch", required_argument, NULL, 'B'},
	{"collections", required_argument, NULL, 'n'},
	{"shards", required_argument, NULL, 'k'},
	{"workload", required_argument, NULL, 'w'},
	{"expect", required_argument, NULL, 'e'},
	{"expect-events", required_argument, NULL, 'E'},
	{"dump", required_argument, NULL, 'd'},
	{"headers", required_argument, NULL, 'H'},
	{"start-ms", required_argument, NULL, 'S'},
	{"tick-every", required_argument, NULL, 't'},
	{"no-final-tick", no_argument, NULL, 'F'},
	{"max-message", required_argument, NULL, 'M'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

static int
check_opts(struct opts *o)
{
	int bench = strcmp(o->workload, "bench") == 0;

	if (!bench && strcmp(o->workload, "basic") &&
	    strcmp(o->workload, "alltypes") && strcmp(o->workload, "multi"))
		return bad_num("workload", o->workload,
		    "want basic, bench, alltypes or multi");
	if (!o->brokers && !o->dump) {
		cdc_log_err("need -b BROKERS or --dump FILE");
		return -1;
	}
	if (!o->dim)
		o->dim = bench ? 128 : 8;
	if (!o->batch)
		o->batch = bench ? 1000 : 100;
	if (!o->shards)
		o->shards = bench ? (o->channels < MAX_SHARDS ? o->channels :
		    MAX_SHARDS) : strcmp(o->workload, "alltypes") ? 2 : 1;
	if (o->headers < 0)
		o->headers = o->version >= 24;
	if (strcmp(o->workload, "alltypes") == 0 ||
	    strcmp(o->workload, "multi") == 0)
		o->collections = 1;
	return 0;
}

/* 0 ok, 1 exit 0 (help), -1 usage error. */
static int
parse_opts(int argc, char **argv, struct opts *o)
{
	int ch, idx;

	memset(o, 0, sizeof *o);
	o->prefix = "by-dev";
	o->workload = "basic";
	o->version = 25;
	o->headers = -1;
	o->channels = 16;
	o->collections = 1;
	o->seed = 1;
	o->rows = 1000;
	o->tick_every = 4;
	o->final_tick = 1;
	o->max_msg = 2097152;
	o->start_ms = 1704067200000ULL;	/* 2024-01-01T00:00:00Z */
	while ((ch = getopt_long(argc, argv, "b:X:hV", longopts, &idx)) != -1) {
		if (ch == 'h') {
			help();
			return 1;
		}
		if (ch == 'V') {
			printf("milvus-sim %s (librdkafka %s)\n", CDC_VERSION,
			    rd_kafka_version_str());
			return 1;
		}
		if (ch == '?' || ch == ':') {
			usage(stderr);
			fputs("Try 'milvus-sim --help'.\n", stderr);
			return -1;
		}
		if (parse_opt(o, ch, ch == 'X' || ch == 'b' ? "X" :
		    longopts[idx].name, optarg) < 0)
			return -1;
	}
	if (optind < argc) {
		cdc_log_err("unexpected argument '%s'", argv[optind]);
		return -1;
	}
	return check_opts(o);
}

static void
on_signal(int sig)
{
	stop_sig = sig;
}

static rd_kafka_t *
kafka_new(const struct opts *o)
{
	static const char *defaults[] = {
		"compression.codec=zstd", "linger.ms=5",
		"batch.num.messages=10000", "batch.size=4000000",
		"queue.buffering.max.messages=1000000",
		"queue.buffering.max.kbytes=1048576",
		"message.max.bytes=10485760", "enable.idempotence=true",
	};
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	rd_kafka_t *rk;
	char err[512], kv[1024];

	cdc_kafka_conf_log(conf);
	rd_kafka_conf_set_dr_msg_cb(conf, dr_cb);
	snprintf(kv, sizeof kv, "bootstrap.servers=%s", o->brokers);
	for (size_t i = 0; i <= sizeof defaults / sizeof defaults[0] +
	    (size_t)o->nx; i++) {
		const char *x = i == 0 ? kv : i <= sizeof defaults /
		    sizeof defaults[0] ? defaults[i - 1] :
		    o->xconf[i - 1 - sizeof defaults / sizeof defaults[0]];

		if (cdc_kafka_conf_set(conf, x, err, sizeof err) < 0) {
			cdc_log_err("%s", err);
			rd_kafka_conf_destroy(conf);
			return NULL;
		}
	}
	rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
	if (!rk)
		cdc_log_err("cannot create producer: %s", err);
	return rk;
}

static int
setup(struct sim *s, const struct opts *o)
{
	memset(s, 0, sizeof *s);
	s->o = o;
	s->ms = o->start_ms;
	s->hdr = o->headers;
	s->msgid = 449000000000000000LL + (int64_t)(o->seed % 1000) * 1000000;
	s->rowid = 450000000000000000LL;
	for (int t = 0; t < o->channels; t++)
		snprintf(s->topic[t], sizeof s->topic[t], "%s-rootcoord-dml_%d",
		    o->prefix, t);
	snprintf(s->topic[MAX_CH], sizeof s->topic[MAX_CH], "%s-replicate-msg",
	    o->prefix);
	if (o->dump && !(s->dump = fopen(o->dump, "w"))) {
		cdc_log_err("cannot open '%s': %s", o->dump, strerror(errno));
		return -1;
	}
	if (o->expect_events) {
		if (!(s->evf = fopen(o->expect_events, "w"))) {
			cdc_log_err("cannot open '%s': %s", o->expect_events,
			    strerror(errno));
			return -1;
		}
		s->evd = open_memstream(&s->evd_p, &s->evd_n);
		s->evo = open_memstream(&s->evo_p, &s->evo_n);
	}
	if (o->brokers && !(s->rk = kafka_new(o)))
		return -1;
	if (strcmp(o->workload, "alltypes") == 0)
		setup_alltypes(s);
	else if (strcmp(o->workload, "multi") == 0)
		setup_multi(s);
	else
		setup_basic(s, strcmp(o->workload, "bench") ? "items" : "bench",
		    o->shards, strcmp(o->workload, "bench") == 0);
	return 0;
}

static void
warn_sizes(const struct sim *s)
{
	for (int t = 0; t <= MAX_CH; t++)
		if (s->bytes[t] > PART_LIMIT)
			cdc_log_warn("'%s' got %" PRIu64 " bytes: librdkafka's "
			    "mock cluster keeps only ~5 MB per partition",
			    s->topic[t], s->bytes[t]);
}

static int
close_file(FILE *fp, const char *path)
{
	if (!fp)
		return 0;
	if (fflush(fp) != 0 || ferror(fp) || fclose(fp) != 0) {
		cdc_log_err("write error on '%s'", path);
		return -1;
	}
	return 0;
}

static int
teardown(struct sim *s)
{
	int rc = 0;
	uint64_t n = 0;

	if (s->rk) {
		rd_kafka_flush(s->rk, 60000);
		if (rd_kafka_outq_len(s->rk) > 0) {
			cdc_log_err("%d records not delivered",
			    rd_kafka_outq_len(s->rk));
			rc = -1;
		}
		rd_kafka_destroy(s->rk);
	}
	if (failed)
		rc = -1;
	if (close_file(s->dump, s->o->dump) < 0 ||
	    close_file(s->evf, s->o->expect_events) < 0)
		rc = -1;
	if (s->evd) {
		fclose(s->evd);
		fclose(s->evo);
		free(s->evd_p);
		free(s->evo_p);
	}
	for (int t = 0; t <= MAX_CH; t++)
		n += s->nrec[t];
	cdc_log_info(2, "%" PRIu64 " records", n);
	for (int i = 0; i < s->nc; i++) {
		free(s->c[i].ver);
		free(s->c[i].alive);
	}
	for (int k = 0; k < MAX_F; k++) {
		free(s->cols[k].data.p);
		free(s->cols[k].valid.p);
	}
	free(s->v.s.p);
	free(s->chunk);
	return rc;
}

int
main(int argc, char **argv)
{
	static struct sim sim;
	struct opts o;
	int rc;

	cdc_log_init("milvus-sim", 1);
	rc = parse_opts(argc, argv, &o);
	if (rc != 0)
		return rc > 0 ? 0 : CDC_EXIT_USAGE;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (setup(&sim, &o) < 0)
		return CDC_EXIT_RUNTIME;
	run_workload(&sim);
	warn_sizes(&sim);
	rc = stop_sig ? -1 : 0;
	if (o.expect && !stop_sig && write_expect(&sim, o.expect) < 0)
		rc = -1;
	if (teardown(&sim) < 0)
		rc = -1;
	free(o.xconf);
	return rc < 0 ? CDC_EXIT_RUNTIME : 0;
}
