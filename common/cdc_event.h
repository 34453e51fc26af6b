/*
 * cdc_event.h - the events of cdc-stream(5): their type names, the Milvus data
 * type names used in columns and schemas, the common keys every event carries
 * (parsed into a view, and packed), and checkpoint positions.
 *
 * A struct cdc_event is a view into a frame: it owns nothing and is valid as
 * long as the frame it was parsed from.  struct cdc_ckpt owns its topic
 * strings; release it with cdc_ckpt_fini().
 */
#ifndef CDC_EVENT_H
#define CDC_EVENT_H

#include <stdint.h>

#include <msgpack.h>

#include "cdc_frame.h"
#include "cdc_util.h"

#define CDC_STREAM_FORMAT "cdc-stream"
#define CDC_STREAM_VERSION 1

/* Keep in the order of the names table in cdc_event.c. */
enum cdc_ev_type {
	CDC_EV_UNKNOWN = 0,
	CDC_EV_HEADER,
	CDC_EV_CHECKPOINT,
	CDC_EV_INSERT,
	CDC_EV_DELETE,
	CDC_EV_CREATE_DATABASE,
	CDC_EV_DROP_DATABASE,
	CDC_EV_ALTER_DATABASE,
	CDC_EV_CREATE_COLLECTION,
	CDC_EV_DROP_COLLECTION,
	CDC_EV_ALTER_COLLECTION,
	CDC_EV_RENAME_COLLECTION,
	CDC_EV_CREATE_PARTITION,
	CDC_EV_DROP_PARTITION,
	CDC_EV_CREATE_INDEX,
	CDC_EV_DROP_INDEX,
	CDC_EV_ALTER_INDEX,
	CDC_EV_LOAD_COLLECTION,
	CDC_EV_RELEASE_COLLECTION,
	CDC_EV_LOAD_PARTITIONS,
	CDC_EV_RELEASE_PARTITIONS,
	CDC_EV_FLUSH,
	CDC_EV_CREATE_ALIAS,
	CDC_EV_DROP_ALIAS,
	CDC_EV_ALTER_ALIAS,
	CDC_EV_SCHEMA,
	CDC_EV__COUNT
};

const char *cdc_ev_type_name(enum cdc_ev_type t);
/* CDC_EV_UNKNOWN for a name this version does not know. */
enum cdc_ev_type cdc_ev_type_parse(const char *p, size_t n);
/* Insert and delete are data; every other event but header/checkpoint is DDL. */
int cdc_ev_is_ddl(enum cdc_ev_type t);

/* Milvus schema.DataType values (milvus-wire.md §4.3). */
enum cdc_dtype {
	CDC_DT_NONE = 0,
	CDC_DT_BOOL = 1,
	CDC_DT_INT8 = 2,
	CDC_DT_INT16 = 3,
	CDC_DT_INT32 = 4,
	CDC_DT_INT64 = 5,
	CDC_DT_FLOAT = 10,
	CDC_DT_DOUBLE = 11,
	CDC_DT_STRING = 20,
	CDC_DT_VARCHAR = 21,
	CDC_DT_ARRAY = 22,
	CDC_DT_JSON = 23,
	CDC_DT_GEOMETRY = 24,
	CDC_DT_TEXT = 25,
	CDC_DT_TIMESTAMPTZ = 26,
	CDC_DT_BINARY_VECTOR = 100,
	CDC_DT_FLOAT_VECTOR = 101,
	CDC_DT_FLOAT16_VECTOR = 102,
	CDC_DT_BFLOAT16_VECTOR = 103,
	CDC_DT_SPARSE_FLOAT_VECTOR = 104,
	CDC_DT_INT8_VECTOR = 105
};

/* "Int64", "FloatVector", ... ; NULL for a value we do not carry. */
const char *cdc_dtype_name(int dt);
/* The value for a name, or -1. */
int cdc_dtype_parse(const char *p, size_t n);
int cdc_dtype_is_vector(int dt);
/* Bytes per row of a packed vector column of dimension dim; 0 if not packed. */
size_t cdc_dtype_row_bytes(int dt, int64_t dim);

struct cdc_src {
	struct cdc_str topic;
	int32_t partition;
	int64_t offset;
};

/* The common keys of an event (cdc-stream(5) "COMMON KEYS"). */
struct cdc_event {
	enum cdc_ev_type type;
	struct cdc_str type_name;	/* as written, also when unknown */
	uint64_t ts;
	struct cdc_str db, collection, partition, vchannel;
	int64_t collection_id, partition_id;	/* 0 when unknown */
	int has_partition;
	struct cdc_src src;		/* topic.n == 0 when absent */
	const msgpack_object *map;	/* the whole frame body */
};

/*
 * Parse the common keys of frame `fr` into `ev`.  Returns 0, or -1 with err
 * filled when "type" is missing or a common key has the wrong type.
 */
int cdc_event_parse(const struct cdc_frame *fr, struct cdc_event *ev,
    char *err, size_t errsz);

/*
 * Pack the start of an event map: the map header for (number of common keys
 * present in ev + n_extra) entries, then those common keys.  The caller packs
 * exactly n_extra more key/value pairs.  Fields of ev that are empty are left
 * out (partition and partition_id only when has_partition is set).
 */
void cdc_event_pack_begin(msgpack_packer *pk, const struct cdc_event *ev,
    uint32_t n_extra);

/* A header frame (type, format, version, tool, tool_version, source). */
void cdc_header_pack(msgpack_packer *pk, const char *tool, const char *source);

/* === checkpoints === */

struct cdc_ckpt_pos {
	char *topic;
	int32_t partition;
	int64_t offset;		/* next offset to read */
};

struct cdc_ckpt {
	uint64_t ts;		/* watermark: see cdc-stream(5) CHECKPOINTS */
	uint64_t done;		/* events emitted at ts == watermark */
	int done_all;		/* 1 when "done" is absent: all of them */
	size_t npos;
	struct cdc_ckpt_pos *pos;
};

/* Parse a checkpoint event map into c (initialised here).  0 or -1. */
int cdc_ckpt_parse(const msgpack_object *map, struct cdc_ckpt *c, char *err,
    size_t errsz);
/* Pack c as a checkpoint event (a complete map). */
void cdc_ckpt_pack(msgpack_packer *pk, const struct cdc_ckpt *c);
void cdc_ckpt_fini(struct cdc_ckpt *c);
/*
 * Load a checkpoint file (one checkpoint frame).  1 loaded, 0 no such file,
 * -1 error with err filled.
 */
int cdc_ckpt_load(const char *path, struct cdc_ckpt *c, char *err,
    size_t errsz);
/* Atomically replace path with the bytes of one whole frame.  0 or -1. */
int cdc_ckpt_save(const char *path, const char *frame, size_t len, char *err,
    size_t errsz);

#endif
