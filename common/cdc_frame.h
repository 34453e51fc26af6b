/*
 * cdc_frame.h - the framing of cdc-stream(5): a 4-byte big-endian length N,
 * then N bytes holding exactly one msgpack map.
 *
 * Reading: cdc_frame_read() fills `fr` with a view that stays valid until the
 * next cdc_frame_read() or cdc_frame_reader_fini() on the same reader, which
 * owns every byte.  Writing: cdc_frame_begin() hands out a packer into the
 * writer's own buffer; cdc_frame_end() writes the finished frame; the writer
 * owns its buffer until cdc_frame_writer_fini().
 */
#ifndef CDC_FRAME_H
#define CDC_FRAME_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <msgpack.h>

#define CDC_FRAME_MAX_DEFAULT (256u << 20)	/* 256 MiB */

struct cdc_frame {
	const char *data;	/* the frame body (msgpack), len bytes */
	size_t len;
	msgpack_object map;	/* the decoded body, always a map */
	uint64_t no;		/* 1-based frame number in this input */
	uint64_t offset;	/* byte offset of the frame's length prefix */
};

struct cdc_frame_reader {
	int fd;
	size_t max;		/* largest body accepted */
	uint64_t nframe;	/* frames returned so far */
	uint64_t offset;	/* input bytes consumed by returned frames */
	char *buf;		/* buffered input: [pos, end) not yet consumed */
	size_t cap, pos, end;
	int eof;
	volatile sig_atomic_t *stop;	/* set by the owner; see cdc_frame_read() */
	msgpack_zone zone;
};

void cdc_frame_reader_init(struct cdc_frame_reader *r, int fd, size_t max);
void cdc_frame_reader_fini(struct cdc_frame_reader *r);
/*
 * Read the next frame.  Returns 1 with `fr` filled, 0 at a clean end of input
 * (EOF exactly between frames), -1 with err filled ("frame 3 at byte 120:
 * truncated body (10 of 42 bytes)") on malformed input or a read error.
 * With `stop` set, a read waiting for the rest of a frame gives up once *stop
 * is non-zero (a signal handler sets it; seen within 100 ms even when no
 * read() was interrupted): -1, errno EINTR, and the bytes read stay buffered.
 */
int cdc_frame_read(struct cdc_frame_reader *r, struct cdc_frame *fr,
    char *err, size_t errsz);
/*
 * Decode one frame held in memory (a whole frame with its length prefix, as a
 * checkpoint file holds).  `zone` owns the decoded objects.  1 ok, -1 error.
 */
int cdc_frame_parse(const char *buf, size_t len, msgpack_zone *zone,
    struct cdc_frame *fr, char *err, size_t errsz);

struct cdc_frame_writer {
	msgpack_sbuffer sb;	/* 4 reserved length bytes, then the body */
	msgpack_packer pk;
	uint64_t nframe;
};

void cdc_frame_writer_init(struct cdc_frame_writer *w);
void cdc_frame_writer_fini(struct cdc_frame_writer *w);
/* Start a frame; pack exactly one map into the returned packer. */
msgpack_packer *cdc_frame_begin(struct cdc_frame_writer *w);
/*
 * Finish the frame: patch its length.  The whole frame (prefix included) is
 * then at cdc_frame_bytes(); it stays there until the next cdc_frame_begin().
 */
void cdc_frame_finish(struct cdc_frame_writer *w);
const char *cdc_frame_bytes(const struct cdc_frame_writer *w, size_t *len);
/* Finish and fwrite the frame to out.  0, or -1 with errno set. */
int cdc_frame_end(struct cdc_frame_writer *w, FILE *out);

/* Pack helpers: a str key, and str/bin/nil values from (pointer, length). */
void cdc_pack_key(msgpack_packer *pk, const char *key);
void cdc_pack_str(msgpack_packer *pk, const char *p, size_t n);
void cdc_pack_cstr(msgpack_packer *pk, const char *s);
void cdc_pack_bin(msgpack_packer *pk, const void *p, size_t n);

/* Map lookup by key; NULL if absent or `map` is not a map. */
const msgpack_object *cdc_map_get(const msgpack_object *map, const char *key);
/* Typed getters: 0 and the value, or -1 if absent or of another type. */
int cdc_map_str(const msgpack_object *map, const char *key, const char **p,
    size_t *n);
int cdc_map_u64(const msgpack_object *map, const char *key, uint64_t *v);
int cdc_map_i64(const msgpack_object *map, const char *key, int64_t *v);
/* Integer of either msgpack sign; -1 if o is not an integer or out of range. */
int cdc_obj_i64(const msgpack_object *o, int64_t *v);
int cdc_obj_u64(const msgpack_object *o, uint64_t *v);
int cdc_obj_streq(const msgpack_object *o, const char *s);

#endif
