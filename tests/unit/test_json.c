/* test_json.c - the row -> JSON mapping: every type, NULLs, $meta
 * flattening and collisions, escaping, invalid UTF-8 and invalid JSON. */
#include <stdio.h>
#include <stdlib.h>

#include "cdc_event.h"
#include "cdc_frame.h"
#include "cdc_json.h"
#include "t.h"

/* An insert event map of one column; pk "id" Int64 first. */
static const char *elem_type;	/* element_type of an Array column */

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
	msgpack_pack_map(&pk, 3 + (nullable != 0) + (dim != 0) +
	    (elem_type != NULL));
	cdc_pack_key(&pk, "name");
	cdc_pack_cstr(&pk, name);
	cdc_pack_key(&pk, "type");
	cdc_pack_cstr(&pk, type);
	if (elem_type) {
		cdc_pack_key(&pk, "element_type");
		cdc_pack_cstr(&pk, elem_type);
	}
	if (dim) {
		cdc_pack_key(&pk, "dim");
		msgpack_pack_int(&pk, dim);
	}
	if (nullable) {
		cdc_pack_key(&pk, "valid");
		msgpack_pack_array(&pk, 2);
		msgpack_pack_true(&pk);
		if (nullable > 1)	/* a malformed validity array */
			msgpack_pack_int(&pk, 0);
		else
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

static void
d_bool(msgpack_packer *pk)
{
	msgpack_pack_array(pk, 2);
	msgpack_pack_true(pk);
	msgpack_pack_false(pk);
}

static void
d_ints(msgpack_packer *pk)
{
	msgpack_pack_array(pk, 2);
	msgpack_pack_int64(pk, INT64_MIN);
	msgpack_pack_uint64(pk, 42);
}

static void
d_float(msgpack_packer *pk)
{
	msgpack_pack_array(pk, 2);
	msgpack_pack_float(pk, 0.1f);
	msgpack_pack_double(pk, 0.1);	/* packed wide: still a float32 */
}

static void
d_double(msgpack_packer *pk)
{
	msgpack_pack_array(pk, 2);
	msgpack_pack_double(pk, 0.1);
	msgpack_pack_double(pk, 1e21);
}

static void
d_array(msgpack_packer *pk)
{
	msgpack_pack_array(pk, 2);
	msgpack_pack_array(pk, 3);
	msgpack_pack_float(pk, 1.0f);
	msgpack_pack_float(pk, 0.3f);
	msgpack_pack_float(pk, -0.0f);
	msgpack_pack_array(pk, 0);
}

static void
d_str_array(msgpack_packer *pk)
{
	msgpack_pack_array(pk, 2);
	msgpack_pack_array(pk, 2);
	cdc_pack_cstr(pk, "a\"b");
	cdc_pack_cstr(pk, "\t");
	msgpack_pack_nil(pk);	/* the NULL row's placeholder */
}

static void
d_geom(msgpack_packer *pk)
{
	msgpack_pack_array(pk, 2);
	/* WKB POINT(1 2), little-endian */
	cdc_pack_bin(pk, "\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\xf0\x3f"
	    "\x00\x00\x00\x00\x00\x00\x00\x40", 21);
	cdc_pack_bin(pk, "", 0);
}

static void
d_bf16(msgpack_packer *pk)
{
	/* 1.0, -0.5 | +inf (null), 2^-133 (subnormal), little-endian */
	cdc_pack_bin(pk, "\x80\x3f\x00\xbf\x80\x7f\x01\x00", 8);
}

static void
d_f16_more(msgpack_packer *pk)
{
	/* 0.1 in fp16 (0x2e66), -0.0 | 2^-14 (smallest normal), -inf */
	cdc_pack_bin(pk, "\x66\x2e\x00\x80\x00\x04\x00\xfc", 8);
}

static void
d_meta_null(msgpack_packer *pk)
{
	msgpack_pack_array(pk, 2);
	cdc_pack_cstr(pk, "{\"s\":\"x\",\"id\":1,\"deep\":{\"id\":2}}");
	msgpack_pack_nil(pk);
}

static void
d_json_vals(msgpack_packer *pk)
{
	msgpack_pack_array(pk, 2);
	cdc_pack_cstr(pk, "[-0.5e+3,0,1E2,\"\\u00e9\\n\",true,null]");
	cdc_pack_cstr(pk, "\"just a string\"");
}

static void
d_sparse_bad(msgpack_packer *pk)
{
	msgpack_pack_array(pk, 2);
	cdc_pack_bin(pk, "", 0);
	msgpack_pack_int(pk, 7);
}

static void
d_sparse_odd(msgpack_packer *pk)
{
	msgpack_pack_array(pk, 2);
	cdc_pack_bin(pk, "", 0);
	cdc_pack_bin(pk, "\x01\x00\x00\x00\x00\x00\x80", 7);
}

static void
d_array_bad(msgpack_packer *pk)
{
	msgpack_pack_array(pk, 2);
	msgpack_pack_array(pk, 0);
	cdc_pack_cstr(pk, "[1]");
}

static void
d_short(msgpack_packer *pk)
{
	msgpack_pack_array(pk, 1);
	msgpack_pack_true(pk);
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
		{"ok", "Bool", d_bool, 0, 0, 0,
		    "{\"id\":9223372036854775807,\"ok\":true}\n"
		    "{\"id\":-1,\"ok\":false}"},
		{"ok", "Bool", d_bool, 1, 0, 0,
		    "{\"id\":9223372036854775807,\"ok\":true}\n"
		    "{\"id\":-1,\"ok\":null}"},
		{"n", "Int64", d_ints, 0, 0, 0,
		    "{\"id\":9223372036854775807,\"n\":-9223372036854775808}\n"
		    "{\"id\":-1,\"n\":42}"},
		{"f", "Float", d_float, 0, 0, 0,
		    "{\"id\":9223372036854775807,\"f\":0.1}\n"
		    "{\"id\":-1,\"f\":0.1}"},
		{"d", "Double", d_double, 0, 0, 0,
		    "{\"id\":9223372036854775807,\"d\":0.1}\n"
		    "{\"id\":-1,\"d\":1e+21}"},
		{"a", "Array", d_array, 0, 0, 0,
		    "{\"id\":9223372036854775807,\"a\":[1.0,0.3,-0.0]}\n"
		    "{\"id\":-1,\"a\":[]}"},
		{"a", "Array", d_str_array, 1, 0, 0,
		    "{\"id\":9223372036854775807,\"a\":[\"a\\\"b\",\"\\t\"]}\n"
		    "{\"id\":-1,\"a\":null}"},
		{"g", "Geometry", d_geom, 0, 0, 0,
		    "{\"id\":9223372036854775807,\"g\":\"AQEAAAAAAAAAAADwPwAAAAAAAABA\"}\n"
		    "{\"id\":-1,\"g\":\"\"}"},
		{"bf", "BFloat16Vector", d_bf16, 0, 2, 0,
		    "{\"id\":9223372036854775807,\"bf\":[1.0,-0.5]}\n"
		    "{\"id\":-1,\"bf\":[null,9.1835e-41]}"},
		{"h", "Float16Vector", d_f16_more, 0, 2, 0,
		    "{\"id\":9223372036854775807,\"h\":[0.099975586,-0.0]}\n"
		    "{\"id\":-1,\"h\":[0.000061035156,null]}"},
		{"$meta", "JSON", d_meta_null, 1, 0, 0,
		    "{\"id\":9223372036854775807,\"s\":\"x\",\"deep\":{\"id\":2}}\n"
		    "{\"id\":-1}"},
		{"j", "JSON", d_json_vals, 1, 0, 0,
		    "{\"id\":9223372036854775807,\"j\":[-0.5e+3,0,1E2,\"\\u00e9\\n\",true,null]}\n"
		    "{\"id\":-1,\"j\":null}"},
	};
	char err[256];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *got;

		elem_type = cases[i].data == d_array ? "Float" :
		    cases[i].data == d_str_array ? "VarChar" : NULL;
		got = rows(cases[i].name, cases[i].type, cases[i].data,
		    cases[i].nullable, cases[i].dim, cases[i].rest, err,
		    sizeof err);

		if (!got)
			t_fail(__FILE__, __LINE__, "case %zu: %s", i, err);
		else
			T_EQ_STR(got, cases[i].want);
		free(got);
	}
	elem_type = NULL;
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

/* Malformed columns are refused by cdc_cols_parse(), once, naming the
 * column and row, before anything is rendered (they used to be read
 * through the wrong msgpack type). */
T_TEST(json_cols_bad_shapes)
{
	static const struct {
		const char *name, *type;
		void (*data)(msgpack_packer *);
		int nullable, dim;
		const char *want;
	} cases[] = {
		{"sp", "SparseFloatVector", d_sparse_bad, 0, 4,
		    "column \"sp\": row 1: not a valid SparseFloatVector value"},
		{"sp", "SparseFloatVector", d_sparse_odd, 0, 4,
		    "column \"sp\": row 1: not a valid SparseFloatVector value"},
		{"a", "Array", d_array_bad, 0, 0,
		    "column \"a\": row 1: not a valid Array value"},
		{"a", "Array", d_array, 0, 0,
		    "column \"a\": row 0: not a valid Array value"},
		{"ok", "Bool", d_ints, 0, 0,
		    "column \"ok\": row 0: not a valid Bool value"},
		{"n", "Int32", d_bool, 0, 0,
		    "column \"n\": row 0: not a valid Int32 value"},
		{"s", "VarChar", d_geom, 0, 0,
		    "column \"s\": row 0: not a valid VarChar value"},
		{"f", "Float", d_ints, 0, 0,
		    "column \"f\": row 0: not a valid Float value"},
		{"ok", "Bool", d_bool, 2, 0,
		    "column \"ok\": validity array holds a non-bool"},
		{"ok", "Bool", d_short, 0, 0,
		    "column \"ok\": data does not hold one value per row"},
		{"v", "FloatVector", d_fvec, 2, 2,
		    "column \"v\": validity array holds a non-bool"},
		{"v", "FloatVector", d_bool, 0, 2,
		    "column \"v\": vector bytes do not match rows x dim"},
	};
	char err[256];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *got;

		err[0] = '\0';
		elem_type = cases[i].data == d_array ? "Int64" : NULL;
		got = rows(cases[i].name, cases[i].type, cases[i].data,
		    cases[i].nullable, cases[i].dim, 0, err, sizeof err);
		T_CHECK(got == NULL);
		T_EQ_STR(err, cases[i].want);
		free(got);
	}
	elem_type = NULL;
}

static void
d_one_json(msgpack_packer *pk)
{
	extern const char *json_text;

	msgpack_pack_array(pk, 2);
	cdc_pack_cstr(pk, "1");
	cdc_pack_cstr(pk, json_text);
}

const char *json_text;

/* The JSON column validator: strict RFC 8259 grammar, text copied as is. */
T_TEST(json_text_validation)
{
	static const char *bad[] = {
		"", " ", "e", "-", ".5", "1.", "01", "1e", "1e+", "+1", "0x10",
		"1.2.3", "--1", "NaN", "Infinity", "tru", "nul", "\"\\q\"",
		"\"\\u12\"", "\"\\u12g4\"", "\"a", "\"tab\there\"", "[1,]",
		"{\"a\":1,}", "{\"a\" 1}", "{1:2}", "[1 2]", "{} {}", "[",
		"\"\xc3\x28\"", "\"\xed\xa0\x80\"", "'a'",
	};
	static const char *good[] = {
		"0", "-0", "1.5e-7", "2E+10", "-12.25e3", "\"\\u00E9\\/\\b\"",
		"[]", "{}", " [ 1 , { \"a\" : [ null , true , false ] } ] ",
		"\"\xe6\x97\xa5\"",
	};
	char err[256], want[512], *got;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		json_text = bad[i];
		got = rows("j", "JSON", d_one_json, 0, 0, 0, err, sizeof err);
		if (got)
			t_fail(__FILE__, __LINE__, "accepted '%s'", bad[i]);
		free(got);
	}
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		const char *s = good[i], *e = s + strlen(s);

		while (*s == ' ')
			s++;
		while (e > s && e[-1] == ' ')
			e--;
		snprintf(want, sizeof want, "{\"id\":9223372036854775807,"
		    "\"j\":1}\n{\"id\":-1,\"j\":%.*s}", (int)(e - s), s);
		json_text = good[i];
		got = rows("j", "JSON", d_one_json, 0, 0, 0, err, sizeof err);
		if (!got)
			t_fail(__FILE__, __LINE__, "refused '%s': %s", good[i],
			    err);
		else
			T_EQ_STR(got, want);
		free(got);
	}
}

/* NaN and infinities become null and are counted in the buffer. */
T_TEST(json_nonfinite_count)
{
	msgpack_sbuffer sb;
	msgpack_zone zone;
	msgpack_object o;
	struct cdc_cols c = {0};
	struct cdc_buf b = {0};
	char err[256];

	msgpack_sbuffer_init(&sb);
	msgpack_zone_init(&zone, 4096);
	pack_insert(&sb, "bf", "BFloat16Vector", d_bf16, 0, 2);
	msgpack_unpack(sb.data, sb.size, NULL, &zone, &o);
	T_EQ_INT(cdc_cols_parse(&c, &o, err, sizeof err), 0);
	T_EQ_INT(cdc_json_row(&b, &c, 0, err, sizeof err), 0);
	T_EQ_UINT(b.nonfinite, 0);
	T_EQ_INT(cdc_json_row(&b, &c, 1, err, sizeof err), 0);
	T_EQ_UINT(b.nonfinite, 1);
	cdc_buf_fini(&b);
	cdc_cols_fini(&c);
	msgpack_zone_destroy(&zone);
	msgpack_sbuffer_destroy(&sb);
}

#define EQ_BUF(b, s) T_EQ_MEM((b).p, (b).len, (s), strlen(s))

/* Keys, pk objects and generic msgpack (DDL events). */
T_TEST(json_keys_and_msgpack)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	msgpack_zone zone;
	msgpack_object o;
	struct cdc_buf b = {0};
	struct cdc_cols c = {0};
	char err[256];

	msgpack_sbuffer_init(&sb);
	msgpack_zone_init(&zone, 4096);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 6);
	cdc_pack_key(&pk, "s");
	cdc_pack_cstr(&pk, "\"x\"");
	cdc_pack_key(&pk, "b");
	cdc_pack_bin(&pk, "\xff\x00", 2);
	cdc_pack_key(&pk, "f");
	msgpack_pack_double(&pk, 2.5);
	cdc_pack_key(&pk, "a");
	msgpack_pack_array(&pk, 3);
	msgpack_pack_nil(&pk);
	msgpack_pack_false(&pk);
	msgpack_pack_int64(&pk, -7);
	cdc_pack_key(&pk, "m");
	msgpack_pack_map(&pk, 0);
	cdc_pack_key(&pk, "g");
	msgpack_pack_float(&pk, 0.1f);
	msgpack_unpack(sb.data, sb.size, NULL, &zone, &o);
	T_EQ_INT(cdc_json_msgpack(&b, &o, err, sizeof err), 0);
	EQ_BUF(b, "{\"s\":\"\\\"x\\\"\",\"b\":\"/wA=\",\"f\":2.5,"
	    "\"a\":[null,false,-7],\"m\":{},\"g\":0.1}");
	b.len = 0;
	T_EQ_INT(cdc_json_key(&b, (struct cdc_str){"id", 2},
	    &o.via.map.ptr[3].val.via.array.ptr[2], err, sizeof err), 0);
	EQ_BUF(b, "{\"id\":-7}");
	b.len = 0;
	T_EQ_INT(cdc_json_key(&b, (struct cdc_str){"k", 1},
	    &o.via.map.ptr[0].val, err, sizeof err), 0);
	EQ_BUF(b, "{\"k\":\"\\\"x\\\"\"}");
	msgpack_zone_destroy(&zone);
	msgpack_sbuffer_destroy(&sb);

	/* cdc_json_pk: the pk column of a row */
	msgpack_sbuffer_init(&sb);
	msgpack_zone_init(&zone, 4096);
	pack_insert(&sb, "s", "VarChar", d_str, 0, 0);
	msgpack_unpack(sb.data, sb.size, NULL, &zone, &o);
	T_EQ_INT(cdc_cols_parse(&c, &o, err, sizeof err), 0);
	b.len = 0;
	T_EQ_INT(cdc_json_pk(&b, &c, 1, err, sizeof err), 0);
	EQ_BUF(b, "{\"id\":-1}");
	cdc_buf_fini(&b);
	cdc_cols_fini(&c);
	msgpack_zone_destroy(&zone);
	msgpack_sbuffer_destroy(&sb);
}
