/*
 * cdc_milvus_int.h - internals shared by the cdc_milvus*.c files: the
 * generated protobuf-c types and the column checker/packer.  Not for tools.
 */
#ifndef CDC_MILVUS_INT_H
#define CDC_MILVUS_INT_H

#include "common.pb-c.h"
#include "milvus.pb-c.h"
#include "msg.pb-c.h"
#include "schema.pb-c.h"

#include "cdc_milvus.h"

/* Check every column of r against rows (counts, carriers, vector sizes). */
int cdc_milvus_check_columns(const Milvus__Msg__InsertRequest *r, size_t rows,
    char *err, size_t errsz);
/* Pack r's columns as the "columns" array; they must have been checked. */
void cdc_milvus_pack_columns(msgpack_packer *pk,
    const Milvus__Msg__InsertRequest *r, size_t rows);
/* Pack a CollectionSchema as the cdc-stream(5) "schema" map. */
void cdc_milvus_pack_schema(msgpack_packer *pk,
    const Milvus__Schema__CollectionSchema *s, size_t shards);
/* The primary key field of s, or NULL. */
const Milvus__Schema__FieldSchema *cdc_milvus_schema_pk(
    const Milvus__Schema__CollectionSchema *s);

/*
 * Why protobuf-c could not unpack buf as a d: the first truncation, wrong
 * wire type or bad length, with its field path and byte offset (e.g.
 * "fields_data.vectors.dim: truncated varint at byte 120"), else
 * "malformed protobuf".
 */
void cdc_milvus_wire_why(const ProtobufCMessageDescriptor *d, const void *buf,
    size_t len, char *why, size_t whysz);

#endif
