/*
 * cdc-lastckpt - for tests, what tests/e2e/lastckpt.py does, without a
 * Python start per call: `cdc-lastckpt [-u] STREAM OUT` writes the last
 * checkpoint frame of the cdc-stream file STREAM to OUT (as a writer
 * persists it) and prints every event frame (neither header, schema nor
 * checkpoint) as one line of hex; with -u only the events before that
 * checkpoint; with -x KEY without that top-level key.  A torn last frame
 * (kill -9) is ignored.  Exit 1 on errors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <msgpack.h>

#include "cdc_frame.h"
#include "cdc_util.h"

/* The frame's type, or "" when it is not a map with a str type. */
static void
frame_type(const char *body, size_t n, char *type, size_t sz)
{
	msgpack_unpacked u;
	const char *p;
	size_t len;

	type[0] = 0;
	msgpack_unpacked_init(&u);
	if (msgpack_unpack_next(&u, body, n, NULL) == MSGPACK_UNPACK_SUCCESS &&
	    u.data.type == MSGPACK_OBJECT_MAP &&
	    cdc_map_str(&u.data, "type", &p, &len) == 0)
		snprintf(type, sz, "%.*s", (int)len, p);
	msgpack_unpacked_destroy(&u);
}

static void
print_hex(const unsigned char *p, size_t n, const char *drop)
{
	static const char d[] = "0123456789abcdef";
	msgpack_sbuffer sb;
	msgpack_unpacked u;

	msgpack_sbuffer_init(&sb);
	msgpack_unpacked_init(&u);
	if (drop && msgpack_unpack_next(&u, (const char *)p, n, NULL) ==
	    MSGPACK_UNPACK_SUCCESS && u.data.type == MSGPACK_OBJECT_MAP) {
		const msgpack_object_map *m = &u.data.via.map;
		msgpack_packer pk;
		uint32_t keep = m->size;

		msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
		if (cdc_map_get(&u.data, drop))
			keep--;
		msgpack_pack_map(&pk, keep);
		for (uint32_t i = 0; i < m->size; i++) {
			const msgpack_object *k = &m->ptr[i].key;

			if (k->type == MSGPACK_OBJECT_STR &&
			    k->via.str.size == strlen(drop) &&
			    memcmp(k->via.str.ptr, drop, strlen(drop)) == 0)
				continue;
			msgpack_pack_object(&pk, *k);
			msgpack_pack_object(&pk, m->ptr[i].val);
		}
		p = (const unsigned char *)sb.data;
		n = sb.size;
	}
	for (size_t i = 0; i < n; i++) {
		putchar(d[p[i] >> 4]);
		putchar(d[p[i] & 15]);
	}
	putchar('\n');
	msgpack_unpacked_destroy(&u);
	msgpack_sbuffer_destroy(&sb);
}

int
main(int argc, char **argv)
{
	int upto = 0;
	const char *drop = NULL;
	char *data, err[512], type[32];
	size_t len, off = 0, last = 0, lastlen = 0, covered = 0, nev = 0;
	size_t *ev = NULL;

	for (;;) {
		if (argc > 1 && strcmp(argv[1], "-u") == 0) {
			upto = 1;
			argv++;
			argc--;
		} else if (argc > 2 && strcmp(argv[1], "-x") == 0) {
			drop = argv[2];
			argv += 2;
			argc -= 2;
		} else {
			break;
		}
	}
	if (argc != 3) {
		fprintf(stderr, "usage: cdc-lastckpt [-u] [-x key] STREAM OUT\n");
		return 2;
	}
	if (cdc_file_read(argv[1], &data, &len, err, sizeof err) < 0) {
		fprintf(stderr, "cdc-lastckpt: %s\n", err);
		return 1;
	}
	while (off + 4 <= len) {
		const unsigned char *h = (const unsigned char *)data + off;
		size_t n = (size_t)h[0] << 24 | (size_t)h[1] << 16 |
		    (size_t)h[2] << 8 | h[3];

		if (off + 4 + n > len)
			break;
		frame_type(data + off + 4, n, type, sizeof type);
		if (strcmp(type, "checkpoint") == 0) {
			last = off;
			lastlen = 4 + n;
			covered = nev;
		} else if (strcmp(type, "header") && strcmp(type, "schema")) {
			ev = cdc_xrealloc(ev, (nev + 1) * sizeof *ev);
			ev[nev++] = off;
		}
		off += 4 + n;
	}
	if (lastlen > 0) {
		FILE *f = fopen(argv[2], "wb");

		if (!f || fwrite(data + last, 1, lastlen, f) != lastlen ||
		    fclose(f) != 0) {
			fprintf(stderr, "cdc-lastckpt: cannot write '%s'\n",
			    argv[2]);
			return 1;
		}
	}
	for (size_t i = 0; i < (upto ? covered : nev); i++) {
		const unsigned char *h = (const unsigned char *)data + ev[i];

		print_hex(h + 4, (size_t)h[0] << 24 | (size_t)h[1] << 16 |
		    (size_t)h[2] << 8 | h[3], drop);
	}
	free(ev);
	free(data);
	return fflush(stdout) == 0 ? 0 : 1;
}
