/*
 * cdc_milvus.h - what Milvus writes into Kafka, decoded into cdc-stream(5)
 * events.  This is the contract between the wire decoder (cdc_milvus.c,
 * cdc_schema.c) and the reader tool (cdc-read.c, which orders, filters and
 * checkpoints).
 *
 * cdc_milvus_decode() fills a struct cdc_msg that owns its unpacked protobuf
 * (release with cdc_msg_fini()); m->topic points at the caller's string,
 * which must outlive the message.  The registry (cdc_schema.h) owns its
 * schemas.
 *
 * Wire formats: Milvus 2.3-2.5 "msgstream" records (milvus-wire.md §2) are
 * decoded here; a record carrying the 2.6 WAL header "_v" is dispatched to a
 * second decoder beside the first (§3), which reports "not supported" until
 * it exists.
 */
#ifndef CDC_MILVUS_H
#define CDC_MILVUS_H

#include <stddef.h>
#include <stdint.h>

#include <msgpack.h>

#include "cdc_event.h"
#include "cdc_schema.h"

struct cdc_kafka_header {
	const char *key;
	const void *value;	/* may be NULL */
	size_t len;
};

/* One consumed Kafka record; nothing in it is kept after decode returns. */
struct cdc_record {
	const char *topic;
	int32_t partition;
	int64_t offset;
	const void *value;
	size_t len;
	const struct cdc_kafka_header *headers;
	size_t nheaders;
};

enum cdc_msg_kind {
	CDC_MSG_TICK,	/* TimeTick: this topic has written everything <= ts */
	CDC_MSG_EVENT,	/* becomes one event when released */
	CDC_MSG_SKIP	/* recognised, never emitted (credentials, RBAC, ...) */
};

/* Tie order at equal ts (upserts are a Delete and an Insert at one ts). */
enum cdc_msg_prio {
	CDC_PRIO_DELETE = 0,
	CDC_PRIO_INSERT = 1,
	CDC_PRIO_OTHER = 2
};

struct cdc_msg {
	enum cdc_msg_kind kind;
	enum cdc_ev_type ev;	/* the event it becomes (EVENT only) */
	int msg_type;		/* common.MsgType value */
	const char *skip_why;	/* SKIP: a short reason for -v logs */
	uint64_t ts;		/* ordering ts: max(timestamps[]) or base ts */
	int64_t msg_id;		/* MsgBase.msgID, for producer-retry dedupe */
	int64_t collection_id;	/* 0 when the message has none */
	int64_t partition_id;	/* 0 when none, -1 for "all partitions" */
	int broadcast;		/* 1: one copy per channel; dedupe by
				   (ev, collection_id, partition_id, ts) */
	enum cdc_msg_prio prio;
	uint64_t rows;		/* insert rows, delete keys; 0 otherwise */
	size_t bytes;		/* the record value's size */
	const char *topic;	/* source position (topic not owned) */
	int32_t partition;
	int64_t offset;
	void *pb;		/* private: the unpacked protobuf message */
	void *aux;		/* private: e.g. a CreateCollection's schema */
	size_t topic_idx;	/* private to cdc_order */
};

/*
 * Decode one record.  Returns 0 with m filled, or -1 with err filled (e.g.
 * "cannot decode Insert: truncated protobuf"); the caller adds the
 * topic/partition/offset.  An unknown msg type is an error, not a skip.
 */
int cdc_milvus_decode(const struct cdc_record *rec, struct cdc_msg *m,
    char *err, size_t errsz);
void cdc_msg_fini(struct cdc_msg *m);

/*
 * The db and collection names of an EVENT message, from the message itself,
 * else the registry, else db "default"; for filters and logs.  The strings
 * point into m or reg and are valid while both are unchanged.
 */
void cdc_milvus_names(const struct cdc_msg *m, const struct cdc_schemas *reg,
    struct cdc_str *db, struct cdc_str *coll);

/*
 * Update the registry with what a released message teaches (create
 * collection registers its schema, drop collection and rename update it...).
 * Called for every released EVENT, also those filtered out.  0, or -1 with
 * err (a CreateCollection whose schema cannot be decoded).
 */
int cdc_milvus_learn(const struct cdc_msg *m, struct cdc_schemas *reg,
    char *err, size_t errsz);

/*
 * Pack the event of a released EVENT message as one complete map (common
 * keys, then the type's own keys, per cdc-stream(5)), using reg for the pk
 * name and the db.  0, or -1 with err (a malformed column).
 */
int cdc_milvus_pack(const struct cdc_msg *m, const struct cdc_schemas *reg,
    msgpack_packer *pk, char *err, size_t errsz);

#endif
