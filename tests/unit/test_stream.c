/*
 * test_stream.c - every event type and every column type through the frame
 * writer and reader: common keys come back through cdc_event_parse, and each
 * frame's body decodes to an object equal to the one written.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cdc_event.h"
#include "cdc_frame.h"
#include "t.h"

static const int col_types[] = {
	CDC_DT_BOOL, CDC_DT_INT8, CDC_DT_INT16, CDC_DT_INT32, CDC_DT_INT64,
	CDC_DT_FLOAT, CDC_DT_DOUBLE, CDC_DT_VARCHAR, CDC_DT_TEXT, CDC_DT_JSON,
	CDC_DT_ARRAY, CDC_DT_GEOMETRY, CDC_DT_TIMESTAMPTZ,
	CDC_DT_BINARY_VECTOR, CDC_DT_FLOAT_VECTOR, CDC_DT_FLOAT16_VECTOR,
	CDC_DT_BFLOAT16_VECTOR, CDC_DT_SPARSE_FLOAT_VECTOR, CDC_DT_INT8_VECTOR,
};
#define NCOL (sizeof col_types / sizeof col_types[0])

/* Two rows of column data of type dt; the second row is NULL when nullable. */
static void
pack_data(msgpack_packer *pk, int dt)
{
	static const char vec[16] = "\x01\x02\x03\x04\x05\x06\x07\x08"
	    "\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10";

	if (cdc_dtype_row_bytes(dt, 2) > 0) {
		cdc_pack_bin(pk, vec, 2 * cdc_dtype_row_bytes(dt, 2));
		return;
	}
	msgpack_pack_array(pk, 2);
	for (int i = 0; i < 2; i++) {
		switch (dt) {
		case CDC_DT_BOOL: msgpack_pack_true(pk); break;
		case CDC_DT_INT64:
			msgpack_pack_int64(pk, INT64_MIN + i);
			break;
		case CDC_DT_FLOAT: msgpack_pack_float(pk, 0.1f); break;
		case CDC_DT_DOUBLE: msgpack_pack_double(pk, -0.0); break;
		case CDC_DT_VARCHAR: case CDC_DT_TEXT:
			cdc_pack_cstr(pk, "\xe6\x97\xa5\xe6\x9c\xac");
			break;
		case CDC_DT_JSON: cdc_pack_cstr(pk, "{\"a\":[1,2]}"); break;
		case CDC_DT_ARRAY:
			msgpack_pack_array(pk, 1);
			msgpack_pack_int(pk, 7);
			break;
		case CDC_DT_GEOMETRY: cdc_pack_bin(pk, vec, 9); break;
		case CDC_DT_SPARSE_FLOAT_VECTOR:
			cdc_pack_bin(pk, vec, i ? 0 : 16);
			break;
		default: msgpack_pack_int64(pk, 1700000000000000LL + i); break;
		}
	}
}

static void
pack_column(msgpack_packer *pk, int dt, int i)
{
	int vec = cdc_dtype_is_vector(dt);

	msgpack_pack_map(pk, 5 + vec + (dt == CDC_DT_ARRAY) + !vec);
	cdc_pack_key(pk, "name");
	cdc_pack_cstr(pk, cdc_dtype_name(dt));
	cdc_pack_key(pk, "field_id");
	msgpack_pack_int(pk, 100 + i);
	cdc_pack_key(pk, "type");
	cdc_pack_cstr(pk, cdc_dtype_name(dt));
	if (vec) {
		cdc_pack_key(pk, "dim");
		msgpack_pack_int(pk, dt == CDC_DT_BINARY_VECTOR ? 16 : 2);
	} else {
		cdc_pack_key(pk, "valid");
		msgpack_pack_array(pk, 2);
		msgpack_pack_true(pk);
		msgpack_pack_false(pk);
	}
	if (dt == CDC_DT_ARRAY) {
		cdc_pack_key(pk, "element_type");
		cdc_pack_cstr(pk, "Int32");
	}
	cdc_pack_key(pk, "dynamic");
	msgpack_pack_false(pk);
	cdc_pack_key(pk, "data");
	pack_data(pk, dt);
}

/* One event of type t with the common keys of ev and a type-specific key. */
static void
pack_event(msgpack_packer *pk, enum cdc_ev_type t, struct cdc_event *ev)
{
	ev->type = t;
	if (t == CDC_EV_INSERT) {
		cdc_event_pack_begin(pk, ev, 3);
		cdc_pack_key(pk, "rows");
		msgpack_pack_uint64(pk, 2);
		cdc_pack_key(pk, "pk");
		cdc_pack_cstr(pk, "Int64");
		cdc_pack_key(pk, "columns");
		msgpack_pack_array(pk, NCOL);
		for (size_t i = 0; i < NCOL; i++)
			pack_column(pk, col_types[i], (int)i);
		return;
	}
	cdc_event_pack_begin(pk, ev, 1);
	cdc_pack_key(pk, "extra");
	cdc_pack_cstr(pk, cdc_ev_type_name(t));
}

T_TEST(stream_roundtrip_every_type)
{
	struct cdc_event ev = {0}, got;
	struct cdc_frame_writer w;
	struct cdc_frame_reader r;
	struct cdc_frame fr;
	msgpack_sbuffer expect;
	msgpack_zone zone;
	char err[256];
	FILE *f = tmpfile();
	size_t n = 0, eoff = 0;
	int t;

	ev.ts = 462422016013107200ULL;
	ev.db = (struct cdc_str){"db1", 3};
	ev.collection = (struct cdc_str){"c\xc3\xa9", 3};
	ev.collection_id = 455000000000000001LL;
	ev.has_partition = 1;
	ev.partition = (struct cdc_str){"_default", 8};
	ev.partition_id = -1;
	ev.vchannel = (struct cdc_str){"by-dev-rootcoord-dml_0_1v0", 26};
	ev.src = (struct cdc_src){{"by-dev-rootcoord-dml_0", 22}, 0, 42};
	cdc_frame_writer_init(&w);
	msgpack_sbuffer_init(&expect);
	for (t = CDC_EV_INSERT; t < CDC_EV__COUNT; t++) {
		msgpack_packer epk;

		pack_event(cdc_frame_begin(&w), (enum cdc_ev_type)t, &ev);
		T_EQ_INT(cdc_frame_end(&w, f), 0);
		msgpack_packer_init(&epk, &expect, msgpack_sbuffer_write);
		pack_event(&epk, (enum cdc_ev_type)t, &ev);
	}
	fflush(f);
	rewind(f);
	cdc_frame_reader_init(&r, fileno(f), 0);
	msgpack_zone_init(&zone, 4096);
	for (t = CDC_EV_INSERT; cdc_frame_read(&r, &fr, err, sizeof err) == 1;
	    t++, n++) {
		msgpack_object want;

		msgpack_unpack(expect.data, expect.size, &eoff, &zone, &want);
		T_CHECK(msgpack_object_equal(fr.map, want));
		T_EQ_INT(cdc_event_parse(&fr, &got, err, sizeof err), 0);
		T_EQ_INT(got.type, t);
		T_EQ_UINT(got.ts, ev.ts);
		T_EQ_MEM(got.db.p, got.db.n, "db1", 3);
		T_EQ_MEM(got.collection.p, got.collection.n, "c\xc3\xa9", 3);
		T_EQ_INT(got.collection_id, ev.collection_id);
		T_EQ_INT(got.partition_id, -1);
		T_EQ_INT(got.has_partition, 1);
		T_EQ_MEM(got.src.topic.p, got.src.topic.n, ev.src.topic.p,
		    ev.src.topic.n);
		T_EQ_INT(got.src.offset, 42);
	}
	T_EQ_UINT(n, CDC_EV__COUNT - CDC_EV_INSERT);
	msgpack_zone_destroy(&zone);
	msgpack_sbuffer_destroy(&expect);
	cdc_frame_reader_fini(&r);
	cdc_frame_writer_fini(&w);
	fclose(f);
}

T_TEST(stream_type_names)
{
	for (int t = CDC_EV_HEADER; t < CDC_EV__COUNT; t++) {
		const char *name = cdc_ev_type_name((enum cdc_ev_type)t);

		T_EQ_INT(cdc_ev_type_parse(name, strlen(name)), t);
	}
	T_EQ_INT(cdc_ev_type_parse("bogus", 5), CDC_EV_UNKNOWN);
	for (size_t i = 0; i < NCOL; i++) {
		const char *name = cdc_dtype_name(col_types[i]);

		T_CHECK(name != NULL);
		if (name)
			T_EQ_INT(cdc_dtype_parse(name, strlen(name)),
			    col_types[i]);
	}
}

T_TEST(stream_checkpoint_file)
{
	struct cdc_ckpt c = {0}, got;
	struct cdc_ckpt_pos pos[2] = {
		{"by-dev-rootcoord-dml_0", 0, 17},
		{"by-dev-replicate-msg", 0, 3},
	};
	struct cdc_frame_writer w;
	char path[] = "/tmp/cdc-ckpt-XXXXXX", err[256];
	const char *bytes;
	size_t len;
	int fd = mkstemp(path);

	close(fd);
	c.ts = 99;
	c.done = 2;
	c.npos = 2;
	c.pos = pos;
	cdc_frame_writer_init(&w);
	cdc_ckpt_pack(cdc_frame_begin(&w), &c);
	cdc_frame_finish(&w);
	bytes = cdc_frame_bytes(&w, &len);
	T_EQ_INT(cdc_ckpt_save(path, bytes, len, err, sizeof err), 0);
	T_EQ_INT(cdc_ckpt_load(path, &got, err, sizeof err), 1);
	T_EQ_UINT(got.ts, 99);
	T_EQ_UINT(got.done, 2);
	T_EQ_INT(got.done_all, 0);
	T_EQ_UINT(got.npos, 2);
	if (got.npos == 2) {
		T_EQ_STR(got.pos[1].topic, "by-dev-replicate-msg");
		T_EQ_INT(got.pos[0].offset, 17);
	}
	cdc_ckpt_fini(&got);
	unlink(path);
	T_EQ_INT(cdc_ckpt_load(path, &got, err, sizeof err), 0);
	/* A torn checkpoint file is an error, not a first run. */
	T_EQ_INT(cdc_file_replace(path, bytes, len - 1, err, sizeof err), 0);
	T_EQ_INT(cdc_ckpt_load(path, &got, err, sizeof err), -1);
	unlink(path);
	cdc_frame_writer_fini(&w);
}
