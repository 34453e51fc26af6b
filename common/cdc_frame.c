/* cdc_frame.c - see cdc_frame.h and cdc-stream(5). */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cdc_frame.h"
#include "cdc_util.h"

#define READ_CHUNK (1u << 20)
#define STOP_POLL_MS 100	/* how soon a stop without EINTR is seen */

/* === reading === */

void
cdc_frame_reader_init(struct cdc_frame_reader *r, int fd, size_t max)
{
	memset(r, 0, sizeof *r);
	r->fd = fd;
	r->max = max ? max : CDC_FRAME_MAX_DEFAULT;
	r->cap = READ_CHUNK;
	r->buf = cdc_xmalloc(r->cap);
	msgpack_zone_init(&r->zone, 64 * 1024);
}

void
cdc_frame_reader_fini(struct cdc_frame_reader *r)
{
	free(r->buf);
	r->buf = NULL;
	msgpack_zone_destroy(&r->zone);
}

/*
 * With a stop flag, wait for input in slices of STOP_POLL_MS, testing the
 * flag between them: a signal that lands after a test and before a
 * blocking read() interrupts nothing, and would go unseen until more input
 * came.  0 (read now), or -1 with errno EINTR (stopped).
 */
static int
wait_input(const struct cdc_frame_reader *r)
{
	struct pollfd p = {.fd = r->fd, .events = POLLIN};
	int n;

	for (;;) {
		if (*r->stop) {
			errno = EINTR;
			return -1;
		}
		n = poll(&p, 1, STOP_POLL_MS);
		if (n > 0 || (n < 0 && errno != EINTR))
			return 0;	/* input, EOF, or an error read() tells */
	}
}

/* Make at least `want` unconsumed bytes available; returns how many there are. */
static ssize_t
fill(struct cdc_frame_reader *r, size_t want)
{
	if (r->end - r->pos >= want || r->eof)
		return (ssize_t)(r->end - r->pos);
	if (r->pos > 0) {
		memmove(r->buf, r->buf + r->pos, r->end - r->pos);
		r->end -= r->pos;
		r->pos = 0;
	}
	if (want > r->cap) {
		size_t cap = r->cap;

		while (cap < want)
			cap *= 2;
		r->buf = cdc_xrealloc(r->buf, cap);
		r->cap = cap;
	}
	while (r->end < want) {
		ssize_t n;

		if (r->stop && wait_input(r) < 0)
			return -1;
		n = read(r->fd, r->buf + r->end, r->cap - r->end);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0) {
			r->eof = 1;
			break;
		}
		r->end += (size_t)n;
	}
	return (ssize_t)r->end;
}

static int
decode_body(const char *body, size_t len, msgpack_zone *zone,
    struct cdc_frame *fr, char *err, size_t errsz)
{
	size_t off = 0;
	msgpack_unpack_return ret;

	ret = msgpack_unpack(body, len, &off, zone, &fr->map);
	if (ret == MSGPACK_UNPACK_CONTINUE || ret == MSGPACK_UNPACK_PARSE_ERROR ||
	    ret == MSGPACK_UNPACK_NOMEM_ERROR || ret < 0) {
		snprintf(err, errsz, "frame %ju at byte %ju: invalid msgpack",
		    (uintmax_t)fr->no, (uintmax_t)fr->offset);
		return -1;
	}
	if (off != len) {
		snprintf(err, errsz, "frame %ju at byte %ju: %zu bytes after "
		    "the msgpack object", (uintmax_t)fr->no,
		    (uintmax_t)fr->offset, len - off);
		return -1;
	}
	if (fr->map.type != MSGPACK_OBJECT_MAP) {
		snprintf(err, errsz, "frame %ju at byte %ju: not a msgpack map",
		    (uintmax_t)fr->no, (uintmax_t)fr->offset);
		return -1;
	}
	fr->data = body;
	fr->len = len;
	return 1;
}

static uint32_t
get_be32(const char *p)
{
	const unsigned char *u = (const unsigned char *)p;

	return (uint32_t)u[0] << 24 | (uint32_t)u[1] << 16 |
	    (uint32_t)u[2] << 8 | u[3];
}

int
cdc_frame_read(struct cdc_frame_reader *r, struct cdc_frame *fr, char *err,
    size_t errsz)
{
	ssize_t have;
	uint32_t len;

	msgpack_zone_clear(&r->zone);
	fr->no = r->nframe + 1;
	fr->offset = r->offset;
	if ((have = fill(r, 4)) < 0)
		goto read_error;
	if (have == 0)
		return 0;
	if (have < 4) {
		snprintf(err, errsz, "frame %ju at byte %ju: truncated length "
		    "(%zd of 4 bytes)", (uintmax_t)fr->no,
		    (uintmax_t)fr->offset, have);
		return -1;
	}
	len = get_be32(r->buf + r->pos);
	if (len > r->max) {
		snprintf(err, errsz, "frame %ju at byte %ju: length %u exceeds "
		    "the maximum %zu", (uintmax_t)fr->no, (uintmax_t)fr->offset,
		    len, r->max);
		return -1;
	}
	if ((have = fill(r, 4 + (size_t)len)) < 0)
		goto read_error;
	if ((size_t)have < 4 + (size_t)len) {
		snprintf(err, errsz, "frame %ju at byte %ju: truncated body "
		    "(%zd of %u bytes)", (uintmax_t)fr->no,
		    (uintmax_t)fr->offset, have - 4, len);
		return -1;
	}
	if (len == 0) {
		snprintf(err, errsz, "frame %ju at byte %ju: empty frame",
		    (uintmax_t)fr->no, (uintmax_t)fr->offset);
		return -1;
	}
	if (decode_body(r->buf + r->pos + 4, len, &r->zone, fr, err, errsz) < 0)
		return -1;
	r->pos += 4 + (size_t)len;
	r->offset += 4 + (uint64_t)len;
	r->nframe++;
	return 1;
read_error:
	snprintf(err, errsz, "frame %ju at byte %ju: read error: %s",
	    (uintmax_t)fr->no, (uintmax_t)fr->offset, strerror(errno));
	return -1;
}

int
cdc_frame_parse(const char *buf, size_t len, msgpack_zone *zone,
    struct cdc_frame *fr, char *err, size_t errsz)
{
	uint32_t n;

	fr->no = 1;
	fr->offset = 0;
	if (len < 4) {
		snprintf(err, errsz, "truncated length (%zu of 4 bytes)", len);
		return -1;
	}
	n = get_be32(buf);
	if (n == 0 || (size_t)n != len - 4) {
		snprintf(err, errsz, "length %u does not match the %zu bytes "
		    "after it", n, len - 4);
		return -1;
	}
	return decode_body(buf + 4, n, zone, fr, err, errsz);
}

/* === writing === */

void
cdc_frame_writer_init(struct cdc_frame_writer *w)
{
	msgpack_sbuffer_init(&w->sb);
	msgpack_packer_init(&w->pk, &w->sb, msgpack_sbuffer_write);
	w->nframe = 0;
}

void
cdc_frame_writer_fini(struct cdc_frame_writer *w)
{
	msgpack_sbuffer_destroy(&w->sb);
}

msgpack_packer *
cdc_frame_begin(struct cdc_frame_writer *w)
{
	static const char zero[4];

	w->sb.size = 0;
	msgpack_sbuffer_write(&w->sb, zero, 4);
	return &w->pk;
}

void
cdc_frame_finish(struct cdc_frame_writer *w)
{
	size_t n = w->sb.size - 4;
	unsigned char *p = (unsigned char *)w->sb.data;

	p[0] = (unsigned char)(n >> 24);
	p[1] = (unsigned char)(n >> 16);
	p[2] = (unsigned char)(n >> 8);
	p[3] = (unsigned char)n;
	w->nframe++;
}

const char *
cdc_frame_bytes(const struct cdc_frame_writer *w, size_t *len)
{
	*len = w->sb.size;
	return w->sb.data;
}

int
cdc_frame_end(struct cdc_frame_writer *w, FILE *out)
{
	cdc_frame_finish(w);
	if (fwrite(w->sb.data, 1, w->sb.size, out) != w->sb.size)
		return -1;
	return 0;
}

void
cdc_pack_key(msgpack_packer *pk, const char *key)
{
	cdc_pack_str(pk, key, strlen(key));
}

void
cdc_pack_str(msgpack_packer *pk, const char *p, size_t n)
{
	msgpack_pack_str(pk, n);
	msgpack_pack_str_body(pk, p, n);
}

void
cdc_pack_cstr(msgpack_packer *pk, const char *s)
{
	if (s)
		cdc_pack_str(pk, s, strlen(s));
	else
		msgpack_pack_nil(pk);
}

void
cdc_pack_bin(msgpack_packer *pk, const void *p, size_t n)
{
	msgpack_pack_bin(pk, n);
	msgpack_pack_bin_body(pk, p, n);
}

/* === map access === */

int
cdc_obj_streq(const msgpack_object *o, const char *s)
{
	size_t n = strlen(s);

	return o->type == MSGPACK_OBJECT_STR && o->via.str.size == n &&
	    memcmp(o->via.str.ptr, s, n) == 0;
}

const msgpack_object *
cdc_map_get(const msgpack_object *map, const char *key)
{
	if (!map || map->type != MSGPACK_OBJECT_MAP)
		return NULL;
	for (uint32_t i = 0; i < map->via.map.size; i++)
		if (cdc_obj_streq(&map->via.map.ptr[i].key, key))
			return &map->via.map.ptr[i].val;
	return NULL;
}

int
cdc_map_str(const msgpack_object *map, const char *key, const char **p,
    size_t *n)
{
	const msgpack_object *o = cdc_map_get(map, key);

	if (!o || o->type != MSGPACK_OBJECT_STR)
		return -1;
	*p = o->via.str.ptr;
	*n = o->via.str.size;
	return 0;
}

int
cdc_obj_i64(const msgpack_object *o, int64_t *v)
{
	if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER) {
		*v = o->via.i64;
		return 0;
	}
	if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER &&
	    o->via.u64 <= (uint64_t)INT64_MAX) {
		*v = (int64_t)o->via.u64;
		return 0;
	}
	return -1;
}

int
cdc_obj_u64(const msgpack_object *o, uint64_t *v)
{
	if (o->type != MSGPACK_OBJECT_POSITIVE_INTEGER)
		return -1;
	*v = o->via.u64;
	return 0;
}

int
cdc_map_u64(const msgpack_object *map, const char *key, uint64_t *v)
{
	const msgpack_object *o = cdc_map_get(map, key);

	return o ? cdc_obj_u64(o, v) : -1;
}

int
cdc_map_i64(const msgpack_object *map, const char *key, int64_t *v)
{
	const msgpack_object *o = cdc_map_get(map, key);

	return o ? cdc_obj_i64(o, v) : -1;
}
