/*
 * cdc_milvus_wire.c - why protobuf-c refused a record.  protobuf-c's unpack
 * only returns NULL; this walks the same bytes with the message descriptors
 * and names the first problem (a truncation, a wrong wire type, a bad
 * length) with its byte offset and field path.  Runs on the error path only.
 */
#include <stdio.h>
#include <string.h>

#include "cdc_milvus_int.h"

#define MAX_DEPTH 32

struct walk {
	const uint8_t *buf;	/* the whole record, for offsets */
	char *why;
	size_t whysz;
};

/* Read a varint at *pos (< end); 0, or -1 if truncated or over 10 bytes. */
static int
varint(const uint8_t *p, size_t end, size_t *pos, uint64_t *v)
{
	*v = 0;
	for (int shift = 0; shift < 70 && *pos < end; shift += 7) {
		uint8_t b = p[(*pos)++];

		if (shift < 64)
			*v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return 0;
	}
	return -1;
}

/* The wire type a field of type t has when not packed. */
static int
wire_type_of(ProtobufCType t)
{
	switch (t) {
	case PROTOBUF_C_TYPE_FIXED64: case PROTOBUF_C_TYPE_SFIXED64:
	case PROTOBUF_C_TYPE_DOUBLE:
		return 1;
	case PROTOBUF_C_TYPE_FIXED32: case PROTOBUF_C_TYPE_SFIXED32:
	case PROTOBUF_C_TYPE_FLOAT:
		return 5;
	case PROTOBUF_C_TYPE_STRING: case PROTOBUF_C_TYPE_BYTES:
	case PROTOBUF_C_TYPE_MESSAGE:
		return 2;
	default:
		return 0;
	}
}

static int
fail(struct walk *w, const char *path, const uint8_t *at, const char *what)
{
	snprintf(w->why, w->whysz, "%s%s%s at byte %zu", path, *path ? ": " :
	    "", what, (size_t)(at - w->buf));
	return -1;
}

/* A packed repeated payload [p, p+n) of scalar type t: well formed? */
static int
check_packed(struct walk *w, const char *path, const uint8_t *p, size_t n,
    ProtobufCType t)
{
	int wt = wire_type_of(t);
	size_t pos = 0;
	uint64_t v;

	if (wt == 1 || wt == 5)
		return n % (wt == 1 ? 8 : 4) == 0 ? 0 : fail(w, path, p,
		    "packed array length not a multiple of the element size");
	while (pos < n)
		if (varint(p, n, &pos, &v) < 0)
			return fail(w, path, p + pos, "truncated varint");
	return 0;
}

static int walk_msg(struct walk *w, const ProtobufCMessageDescriptor *d,
    const uint8_t *p, size_t n, const char *path, int depth);

/* Check the value of field fd (wire type wt, named path) at [p, p+n). */
static int
walk_field(struct walk *w, const ProtobufCFieldDescriptor *fd, int wt,
    const uint8_t *p, size_t n, const char *path, int depth)
{
	int want = wire_type_of(fd->type);
	const char *sub = path;

	if (wt == 2 && want != 2 && fd->label == PROTOBUF_C_LABEL_REPEATED)
		return check_packed(w, sub, p, n, fd->type);
	if (wt != want) {
		char what[64];

		snprintf(what, sizeof what, "wire type %d, want %d", wt, want);
		return fail(w, sub, p, what);
	}
	if (fd->type == PROTOBUF_C_TYPE_MESSAGE)
		return walk_msg(w, fd->descriptor, p, n, sub, depth + 1);
	return 0;
}

/* The extent of one value of wire type wt at *pos; 0 or -1. */
static int
value_len(struct walk *w, const uint8_t *p, size_t n, size_t *pos, int wt,
    size_t *len, const char *path)
{
	uint64_t v;
	size_t start = *pos;

	switch (wt) {
	case 0:
		if (varint(p, n, pos, &v) < 0)
			return fail(w, path, p + start, "truncated varint");
		*len = *pos - start;
		*pos = start;
		return 0;
	case 1: case 5:
		*len = wt == 1 ? 8 : 4;
		break;
	case 2:
		if (varint(p, n, pos, &v) < 0)
			return fail(w, path, p + start, "truncated length");
		*len = v > n ? n + 1 : (size_t)v;
		break;
	default:
		return fail(w, path, p + start, "unsupported wire type");
	}
	if (*len > n - *pos)
		return fail(w, path, p + start, "truncated field");
	return 0;
}

static int
walk_msg(struct walk *w, const ProtobufCMessageDescriptor *d, const uint8_t *p,
    size_t n, const char *path, int depth)
{
	size_t pos = 0, len;
	uint64_t tag;

	if (depth > MAX_DEPTH)
		return fail(w, path, p, "nested too deeply");
	while (pos < n) {
		const ProtobufCFieldDescriptor *fd;
		size_t at = pos;
		int wt;

		if (varint(p, n, &pos, &tag) < 0)
			return fail(w, path, p + at, "truncated tag");
		wt = (int)(tag & 7);
		if ((tag >> 3) == 0 || (tag >> 3) > 0x1fffffff)
			return fail(w, path, p + at, "bad field number");
		fd = protobuf_c_message_descriptor_get_field(d,
		    (unsigned)(tag >> 3));
		if (fd) {
			char sub[256];

			snprintf(sub, sizeof sub, "%s%s%s", path, *path ? "." :
			    "", fd->name);
			if (value_len(w, p, n, &pos, wt, &len, sub) < 0 ||
			    walk_field(w, fd, wt, p + pos, len, sub, depth) < 0)
				return -1;
		} else if (value_len(w, p, n, &pos, wt, &len, path) < 0) {
			return -1;
		}
		pos += len;
	}
	return 0;
}

void
cdc_milvus_wire_why(const ProtobufCMessageDescriptor *d, const void *buf,
    size_t len, char *why, size_t whysz)
{
	struct walk w = {buf, why, whysz};

	if (walk_msg(&w, d, buf, len, "", 0) == 0)
		snprintf(why, whysz, "malformed protobuf");
}
