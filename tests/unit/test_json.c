/* test_json.c - the row -> JSON mapping: every type, NULLs, $meta
 * flattening and collisions, escaping, invalid UTF-8 and invalid JSON. */
#include <stdio.h>
#include <stdlib.h>

#include "cdc_event.h"
#include "cdc_frame.h"
#include "cdc_json.h"
#include "t.h"

/* An insert event map of one column; pk "id" Int64 first. */
static void
pack_insert(msgpack_sbuffer *sb, const char *name, const char *type,
    void (*data)(msgpack_packer *), int nullable, int dim)
{
	msgpack_packer pk;

	msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 3);
	cdc_pack_key(&pk, "rows");
	msgpack_pack_uint64(&pk, 2);
	cdc_pack_key(&pk, "pk");
	cdc_pack_cstr(&pk, "id");
	cdc_pack_key(&pk, "columns");
	msgpack_pack_array(&pk, 2);
	msgpack_pack_map(&pk, 3);
	cdc_pack_key(&pk, "name");
	cdc_pack_cstr(&pk, "id");
	cdc_pack_key(&pk, "type");
	cdc_pack_cstr(&pk, "Int64");
	cdc_pack_key(&pk, "data");
	msgpack_pack_array(&pk, 2);
	msgpack_pack_int64(&pk, INT64_MAX);
	msgpack_pack_int64(&pk, -1);
	msgpack_pack_map(&pk, 3 + (nullable != 0) + (dim != 0));
	cdc_pack_key(&pk, "name");
	cdc_pack_cstr(&pk, name);
	cdc_pack_key(&pk, "type");
	cdc_pack_cstr(&pk, type);
	if (dim) {
		cdc_pack_key(&pk, "dim");
		msgpack_pack_int(&pk, dim);
	}
	if (nullable) {
		cdc_pack_key(&pk, "valid");
		msgpack_pack_array(&pk, 2);
		msgpack_pack_true(&pk);
		msgpack_pack_false(&pk);
	}
	cdc_pack_key(&pk, "data");
	data(&pk);
}

static void
d_str(msgpack_packer *pk)
{
	msgpack_pack_array(pk, 2);
	cdc_pack_cstr(pk, "q\"b\\s\n\x01\xe6\x97\xa5");
	cdc_pack_cstr(pk, "");
}

static void
d_bad_utf8(msgpack_packer *pk)
{
	msgpack_pack_array(pk, 2);
	cdc_pack_cstr(pk, "ok");
	cdc_pack_cstr(pk, "\xc3\x28");
}

static void
d_meta(msgpack_packer *pk)
{
	msgpack_pack_array(pk, 2);
	cdc_pack_cstr(pk, " {\"id\": 5, \"color\": \"red\", \"n\": [1, 2.5]} ");
	cdc_pack_cstr(pk, "{}");
}

static void
d_bad_json(msgpack_packer *pk)
{
	msgpack_pack_array(pk, 2);
	cdc_pack_cstr(pk, "{\"a\":1}");
	cdc_pack_cstr(pk, "{\"a\":}");
}

static void
d_fvec(msgpack_packer *pk)
{
	static const float v[4] = {0.1f, -2.0f, 1e-45f, 3.4028235e38f};

	cdc_pack_bin(pk, v, sizeof v);
}

static void
d_f16(msgpack_packer *pk)
{
	/* 1.0, -2.0 | 65504, 2^-24 (smallest subnormal), little-endian */
	cdc_pack_bin(pk, "\x00\x3c\x00\xc0\xff\x7b\x01\x00", 8);
}

static void
d_bin(msgpack_packer *pk)
{
	cdc_pack_bin(pk, "\xa0\x01\xff\x00", 4);
}

static void
d_sparse(msgpack_packer *pk)
{
	msgpack_pack_array(pk, 2);
	cdc_pack_bin(pk, "\x03\x00\x00\x00\x00\x00\x00\x3f", 8);
	cdc_pack_bin(pk, "", 0);
}

static void
d_tstz(msgpack_packer *pk)
{
	msgpack_pack_array(pk, 2);
	msgpack_pack_int64(pk, 1714564800123456LL);
	msgpack_pack_int64(pk, -1);
}

static void
d_int8v(msgpack_packer *pk)
{
	cdc_pack_bin(pk, "\x7f\x80", 2);
}

/* Render both rows of a one-column insert; NULL on error (err filled). */
static char *
rows(const char *name, const char *type, void (*data)(msgpack_packer *),
    int nullable, int dim, int rest, char *err, size_t errsz)
{
	msgpack_sbuffer sb;
	msgpack_zone zone;
	msgpack_object o;
	struct cdc_cols c = {0};
	struct cdc_buf b = {0};
	size_t off = 0;
	char *out = NULL;

	msgpack_sbuffer_init(&sb);
	msgpack_zone_init(&zone, 4096);
	pack_insert(&sb, name, type, data, nullable, dim);
	msgpack_unpack(sb.data, sb.size, &off, &zone, &o);
	if (cdc_cols_parse(&c, &o, err, errsz) == 0) {
		c.flags = rest ? CDC_JSON_REST : 0;
		if (cdc_json_row(&b, &c, 0, err, errsz) == 0 &&
		    (cdc_buf_addc(&b, '\n'), cdc_json_row(&b, &c, 1, err,
		    errsz)) == 0) {
			cdc_buf_addc(&b, '\0');
			out = b.p;
			b.p = NULL;
		}
	}
	cdc_buf_fini(&b);
	cdc_cols_fini(&c);
	msgpack_zone_destroy(&zone);
	msgpack_sbuffer_destroy(&sb);
	return out;
}

T_TEST(json_rows_every_kind)
{
	static const struct {
		const char *name, *type;
		void (*data)(msgpack_packer *);
		int nullable, dim, rest;
		const char *want;
	} cases[] = {
		{"s", "VarChar", d_str, 1, 0, 0,
		    "{\"id\":9223372036854775807,\"s\":\"q\\\"b\\\\s\\n\\u0001\xe6\x97\xa5\"}\n"
		    "{\"id\":-1,\"s\":null}"},
		{"$meta", "JSON", d_meta, 0, 0, 0,
		    "{\"id\":9223372036854775807,\"color\":\"red\",\"n\":[1, 2.5]}\n"
		    "{\"id\":-1}"},
		{"j", "JSON", d_meta, 0, 0, 1,
		    "{\"id\":9223372036854775807,\"j\":\" {\\\"id\\\": 5, \\\"color\\\": \\\"red\\\", \\\"n\\\": [1, 2.5]} \"}\n"
		    "{\"id\":-1,\"j\":\"{}\"}"},
		{"v", "FloatVector", d_fvec, 0, 2, 0,
		    "{\"id\":9223372036854775807,\"v\":[0.1,-2.0]}\n"
		    "{\"id\":-1,\"v\":[1e-45,3.4028235e+38]}"},
		{"h", "Float16Vector", d_f16, 0, 2, 0,
		    "{\"id\":9223372036854775807,\"h\":[1.0,-2.0]}\n"
		    "{\"id\":-1,\"h\":[65504.0,5.9604645e-8]}"},
		{"h", "Float16Vector", d_f16, 0, 2, 1,
		    "{\"id\":9223372036854775807,\"h\":\"ADwAwA==\"}\n"
		    "{\"id\":-1,\"h\":\"/3sBAA==\"}"},
		{"b", "BinaryVector", d_bin, 0, 16, 0,
		    "{\"id\":9223372036854775807,\"b\":\"oAE=\"}\n"
		    "{\"id\":-1,\"b\":\"/wA=\"}"},
		{"sp", "SparseFloatVector", d_sparse, 0, 4, 0,
		    "{\"id\":9223372036854775807,\"sp\":{\"3\":0.5}}\n"
		    "{\"id\":-1,\"sp\":{}}"},
		{"t", "Timestamptz", d_tstz, 0, 0, 0,
		    "{\"id\":9223372036854775807,\"t\":\"2024-05-01T12:00:00.123456Z\"}\n"
		    "{\"id\":-1,\"t\":\"1969-12-31T23:59:59.999999Z\"}"},
		{"i8", "Int8Vector", d_int8v, 0, 1, 0,
		    "{\"id\":9223372036854775807,\"i8\":[127]}\n"
		    "{\"id\":-1,\"i8\":[-128]}"},
	};
	char err[256];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *got = rows(cases[i].name, cases[i].type, cases[i].data,
		    cases[i].nullable, cases[i].dim, cases[i].rest, err,
		    sizeof err);

		if (!got)
			t_fail(__FILE__, __LINE__, "case %zu: %s", i, err);
		else
			T_EQ_STR(got, cases[i].want);
		free(got);
	}
}

T_TEST(json_rows_bad_values)
{
	char err[256];
	char *got;

	got = rows("s", "VarChar", d_bad_utf8, 0, 0, 0, err, sizeof err);
	T_CHECK(got == NULL);
	T_EQ_STR(err, "column \"s\" row 1: invalid UTF-8 value");
	free(got);
	got = rows("j", "JSON", d_bad_json, 0, 0, 0, err, sizeof err);
	T_CHECK(got == NULL);
	T_EQ_STR(err, "column \"j\" row 1: invalid JSON value");
	free(got);
	got = rows("v", "FloatVector", d_fvec, 0, 3, 0, err, sizeof err);
	T_CHECK(got == NULL);
	T_EQ_STR(err, "column \"v\": vector bytes do not match rows x dim");
	free(got);
}
