/*
 * test_writer.c - the writers' shared plumbing: the checkpoint queue under
 * in-order, out-of-order, duplicate and failed delivery reports, its window,
 * and the input loop (headers skipped, concatenated streams, one report per
 * unknown type name, files in turn).
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cdc_writer.h"
#include "t.h"

/* A checkpoint frame whose "ts" is ts, as cdc_ckq_push() wants it. */
static void
ckpt_frame(struct cdc_frame_writer *fw, struct cdc_frame *fr, uint64_t ts)
{
	msgpack_packer *pk = cdc_frame_begin(fw);
	size_t len;

	msgpack_pack_map(pk, 2);
	cdc_pack_key(pk, "type");
	cdc_pack_cstr(pk, "checkpoint");
	cdc_pack_key(pk, "ts");
	msgpack_pack_uint64(pk, ts);
	cdc_frame_finish(fw);
	fr->data = cdc_frame_bytes(fw, &len) + 4;
	fr->len = len - 4;
}

/* The ts of a frame handed out by cdc_ckq_ready(), or 0 for none. */
static uint64_t
ready_ts(struct cdc_ckq *q)
{
	msgpack_zone zone;
	struct cdc_frame fr;
	char err[128];
	uint64_t ts = 0;
	size_t len;
	char *f = cdc_ckq_ready(q, &len);

	if (!f)
		return 0;
	msgpack_zone_init(&zone, 1024);
	if (cdc_frame_parse(f, len, &zone, &fr, err, sizeof err) == 1)
		cdc_map_u64(&fr.map, "ts", &ts);
	msgpack_zone_destroy(&zone);
	free(f);
	return ts;
}

/* Send n messages; returns the first sequence number. */
static uint64_t
send_n(struct cdc_ckq *q, int n)
{
	uint64_t first = cdc_ckq_next(q);

	for (int i = 0; i < n; i++)
		cdc_ckq_sent(q);
	return first;
}

T_TEST(ckq_in_order)
{
	struct cdc_frame_writer fw;
	struct cdc_frame fr;
	struct cdc_ckq q;

	cdc_frame_writer_init(&fw);
	cdc_ckq_init(&q, 16);
	ckpt_frame(&fw, &fr, 1);
	cdc_ckq_push(&q, &fr);		/* nothing before it: ready at once */
	T_EQ_UINT(ready_ts(&q), 1);
	T_EQ_UINT(ready_ts(&q), 0);
	send_n(&q, 3);
	ckpt_frame(&fw, &fr, 2);
	cdc_ckq_push(&q, &fr);
	T_EQ_UINT(ready_ts(&q), 0);
	cdc_ckq_ack(&q, 0);
	cdc_ckq_ack(&q, 1);
	T_EQ_UINT(ready_ts(&q), 0);
	cdc_ckq_ack(&q, 2);
	T_EQ_UINT(cdc_ckq_outstanding(&q), 0);
	T_EQ_UINT(ready_ts(&q), 2);
	cdc_ckq_fini(&q);
	cdc_frame_writer_fini(&fw);
}

T_TEST(ckq_out_of_order_newest_ready)
{
	struct cdc_frame_writer fw;
	struct cdc_frame fr;
	struct cdc_ckq q;

	cdc_frame_writer_init(&fw);
	cdc_ckq_init(&q, 16);
	for (uint64_t ts = 10; ts < 13; ts++) {	/* 2 messages, checkpoint */
		send_n(&q, 2);
		ckpt_frame(&fw, &fr, ts);
		cdc_ckq_push(&q, &fr);
	}
	send_n(&q, 1);
	cdc_ckq_ack(&q, 5);
	cdc_ckq_ack(&q, 3);
	cdc_ckq_ack(&q, 1);
	T_EQ_UINT(ready_ts(&q), 0);	/* 0 still outstanding */
	cdc_ckq_ack(&q, 4);
	cdc_ckq_ack(&q, 0);
	T_EQ_UINT(ready_ts(&q), 10);	/* 0,1 acked; 2 not */
	cdc_ckq_ack(&q, 2);
	cdc_ckq_ack(&q, 2);		/* a duplicate report changes nothing */
	T_EQ_UINT(cdc_ckq_outstanding(&q), 1);
	T_EQ_UINT(ready_ts(&q), 12);	/* the newest ready one, 11 dropped */
	T_EQ_UINT(ready_ts(&q), 0);
	T_EQ_INT(q.n, 0);
	cdc_ckq_ack(&q, 99);		/* never sent: ignored */
	T_EQ_UINT(cdc_ckq_outstanding(&q), 1);
	cdc_ckq_fini(&q);
	cdc_frame_writer_fini(&fw);
}

T_TEST(ckq_failure_pins_checkpoint)
{
	struct cdc_frame_writer fw;
	struct cdc_frame fr;
	struct cdc_ckq q;

	cdc_frame_writer_init(&fw);
	cdc_ckq_init(&q, 16);
	send_n(&q, 2);
	ckpt_frame(&fw, &fr, 1);
	cdc_ckq_push(&q, &fr);
	send_n(&q, 2);			/* 2 fails */
	ckpt_frame(&fw, &fr, 2);
	cdc_ckq_push(&q, &fr);
	send_n(&q, 2);
	ckpt_frame(&fw, &fr, 3);
	cdc_ckq_push(&q, &fr);
	cdc_ckq_fail(&q, 2);
	for (uint64_t s = 0; s < 6; s++)
		if (s != 2)
			cdc_ckq_ack(&q, s);
	T_EQ_UINT(q.nfailed, 1);
	T_EQ_UINT(q.first_failed, 2);
	T_EQ_UINT(ready_ts(&q), 1);	/* before the failed message */
	T_EQ_UINT(ready_ts(&q), 0);	/* never past it */
	T_EQ_UINT(cdc_ckq_outstanding(&q), 4);
	cdc_ckq_fail(&q, 1);
	T_EQ_UINT(q.first_failed, 1);
	cdc_ckq_fini(&q);
	cdc_frame_writer_fini(&fw);
}

T_TEST(ckq_window)
{
	struct cdc_ckq q;

	cdc_ckq_init(&q, 4);
	send_n(&q, 3);
	T_CHECK(!cdc_ckq_full(&q));
	send_n(&q, 1);
	T_CHECK(cdc_ckq_full(&q));
	cdc_ckq_ack(&q, 1);		/* the oldest is still out */
	T_CHECK(cdc_ckq_full(&q));
	cdc_ckq_ack(&q, 0);
	T_CHECK(!cdc_ckq_full(&q));
	/* wrap the ring many times with acks in reverse order */
	for (int round = 0; round < 50; round++) {
		uint64_t first;

		while (cdc_ckq_outstanding(&q) > 0)
			cdc_ckq_ack(&q, q.low);
		first = send_n(&q, 4);
		for (int i = 3; i >= 0; i--)
			cdc_ckq_ack(&q, first + (uint64_t)i);
		T_EQ_UINT(cdc_ckq_outstanding(&q), 0);
	}
	T_EQ_UINT(q.low, q.next);
	cdc_ckq_fini(&q);
}

/* === input === */

static void
put(FILE *f, struct cdc_frame_writer *fw, const char *type)
{
	msgpack_packer *pk = cdc_frame_begin(fw);

	if (strcmp(type, "header") == 0) {
		cdc_header_pack(pk, "test", "unit");
	} else {
		msgpack_pack_map(pk, 3);
		cdc_pack_key(pk, "type");
		cdc_pack_cstr(pk, type);
		cdc_pack_key(pk, "ts");
		msgpack_pack_uint64(pk, 5);
		cdc_pack_key(pk, "db");
		cdc_pack_cstr(pk, "default");
	}
	cdc_frame_end(fw, f);
}

static void
stream_file(char *path, const char *const *types)
{
	struct cdc_frame_writer fw;
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	cdc_frame_writer_init(&fw);
	for (; *types; types++)
		put(f, &fw, *types);
	fclose(f);
	cdc_frame_writer_fini(&fw);
}

T_TEST(wreader_headers_unknown_files)
{
	static const char *const a[] = {"header", "zap", "drop_collection",
	    "zap", "header", "zip", "checkpoint", NULL};
	static const char *const b[] = {"header", "zip", "zapp", "flush", NULL};
	/* what cdc_wreader_next returns, in order, for a then b */
	static const struct {
		int rc;
		const char *type;
	} want[] = {{2, "zap"}, {1, "drop_collection"}, {2, "zip"},
	    {1, "checkpoint"}, {2, "zapp"}, {1, "flush"}, {0, NULL}};
	char pa[] = "/tmp/cdc-test-XXXXXX", pb[] = "/tmp/cdc-test-XXXXXX";
	char *files[2] = {pa, pb}, err[256];
	struct cdc_wreader r;
	struct cdc_frame fr;
	struct cdc_event ev;

	stream_file(pa, a);
	stream_file(pb, b);
	T_EQ_INT(cdc_wreader_open(&r, files, 2, 1 << 20, err, sizeof err), 0);
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		int rc = cdc_wreader_next(&r, &fr, &ev, err, sizeof err);

		T_EQ_INT(rc, want[i].rc);
		if (rc > 0 && want[i].type)
			T_EQ_MEM(ev.type_name.p, ev.type_name.n, want[i].type,
			    strlen(want[i].type));
	}
	T_EQ_UINT(r.headers, 3);
	T_EQ_INT(r.nunknown, 3);
	cdc_wreader_close(&r);
	cdc_wreader_close(&r);		/* twice is harmless */
	unlink(pa);
	unlink(pb);
}

T_TEST(wreader_missing_file)
{
	char *files[1] = {"/nonexistent/x.cdc"}, err[256] = "";
	struct cdc_wreader r;

	T_EQ_INT(cdc_wreader_open(&r, files, 1, 1 << 20, err, sizeof err), -1);
	T_CHECK(strstr(err, "cannot open '/nonexistent/x.cdc'") != NULL);
	cdc_wreader_close(&r);		/* safe after a failed open */
}

/* A missing second file is found at open, before the first is read. */
T_TEST(wreader_missing_later_file)
{
	char *files[2] = {"/dev/null", "/nonexistent/y.cdc"}, err[256] = "";
	struct cdc_wreader r;

	T_EQ_INT(cdc_wreader_open(&r, files, 2, 1 << 20, err, sizeof err), -1);
	T_EQ_STR(err, "cannot open '/nonexistent/y.cdc': No such file or "
	    "directory");
	cdc_wreader_close(&r);
}

T_TEST(writer_ckpt_check)
{
	char err[256];

	T_EQ_INT(cdc_writer_ckpt_check("k.ckpt", err, sizeof err), 0);
	T_EQ_INT(cdc_writer_ckpt_check("/tmp/k.ckpt", err, sizeof err), 0);
	T_EQ_INT(cdc_writer_ckpt_check("/nonexistent/k.ckpt", err, sizeof err),
	    -1);
	T_CHECK(strstr(err, "/nonexistent/k.ckpt") != NULL);
	T_EQ_INT(cdc_writer_ckpt_check("", err, sizeof err), -1);
}

/* cdc_file_read: the bytes, then a NUL past them (callers search the text;
 * ASan found a strstr() running off a 4096-byte file's buffer). */
T_TEST(file_read_nul_terminated)
{
	char path[] = "/tmp/cdc-t-read.XXXXXX", err[256], *buf = NULL;
	static char data[4096];
	size_t len = 0;
	int fd = mkstemp(path);

	T_CHECK(fd >= 0);
	memset(data, 'x', sizeof data);
	T_EQ_INT(write(fd, data, sizeof data), (long long)sizeof data);
	close(fd);
	T_EQ_INT(cdc_file_read(path, &buf, &len, err, sizeof err), 1);
	T_EQ_UINT(len, sizeof data);
	T_CHECK(buf && buf[len] == '\0' && strlen(buf) == len);
	free(buf);
	unlink(path);
	T_EQ_INT(cdc_file_read(path, &buf, &len, err, sizeof err), 0);
}
