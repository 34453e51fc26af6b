/*
 * cdc-dump - print each frame of a cdc-stream(5) on stdin as one line of
 * JSON, generically (bin as {"$bin":"<hex>"}), for tests.  Exit 3 with the
 * reader's message on malformed input.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "cdc_frame.h"
#include "cdc_util.h"

static json_t *
to_json(const msgpack_object *o)
{
	json_t *j;
	char *hex;

	switch (o->type) {
	case MSGPACK_OBJECT_NIL: return json_null();
	case MSGPACK_OBJECT_BOOLEAN: return json_boolean(o->via.boolean);
	case MSGPACK_OBJECT_POSITIVE_INTEGER:
		return json_integer((json_int_t)o->via.u64);
	case MSGPACK_OBJECT_NEGATIVE_INTEGER: return json_integer(o->via.i64);
	case MSGPACK_OBJECT_FLOAT32: return json_real((float)o->via.f64);
	case MSGPACK_OBJECT_FLOAT64: return json_real(o->via.f64);
	case MSGPACK_OBJECT_STR:
		return json_stringn(o->via.str.ptr, o->via.str.size);
	case MSGPACK_OBJECT_ARRAY:
		j = json_array();
		for (uint32_t i = 0; i < o->via.array.size; i++)
			json_array_append_new(j, to_json(&o->via.array.ptr[i]));
		return j;
	case MSGPACK_OBJECT_MAP:
		j = json_object();
		for (uint32_t i = 0; i < o->via.map.size; i++) {
			const msgpack_object *k = &o->via.map.ptr[i].key;
			char *key = cdc_xstrndup(k->via.str.ptr,
			    k->type == MSGPACK_OBJECT_STR ? k->via.str.size : 0);

			json_object_set_new(j, key, to_json(&o->via.map.ptr[i].val));
			free(key);
		}
		return j;
	default:
		hex = cdc_xmalloc(2 * o->via.bin.size + 1);
		for (uint32_t i = 0; i < o->via.bin.size; i++)
			sprintf(hex + 2 * i, "%02x",
			    (unsigned char)o->via.bin.ptr[i]);
		hex[2 * o->via.bin.size] = '\0';
		j = json_pack("{s:s}", "$bin", hex);
		free(hex);
		return j;
	}
}

int main(void);

int
main(void)
{
	struct cdc_frame_reader r;
	struct cdc_frame fr;
	char err[512];
	int n;

	cdc_log_init("cdc-dump", 1);
	cdc_frame_reader_init(&r, 0, 0);
	while ((n = cdc_frame_read(&r, &fr, err, sizeof err)) == 1) {
		json_t *j = to_json(&fr.map);

		json_dumpf(j, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
		putchar('\n');
		json_decref(j);
	}
	cdc_frame_reader_fini(&r);
	if (n < 0) {
		cdc_log_err("%s", err);
		return CDC_EXIT_DATA;
	}
	return 0;
}
