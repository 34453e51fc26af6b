/*
 * cdc_milvus.c - Milvus 2.3-2.5 msgstream records (milvus-wire.md §2) decoded
 * into struct cdc_msg, and released messages packed as cdc-stream(5) events.
 * A record with the 2.6 WAL header "_v" goes to decode_wal(), the slot for
 * the second wire format.
 */
#include <stdlib.h>
#include <string.h>

#include "cdc_milvus_int.h"

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
    "vectors are copied as packed little-endian values");

#define MT(x) MILVUS__COMMON__MSG_TYPE__##x

/* What each Milvus message type becomes. */
struct mtype {
	int msg_type;
	const ProtobufCMessageDescriptor *desc;
	enum cdc_ev_type ev;
	int broadcast;
};

static const struct mtype mtypes[] = {
	{MT(Insert), &milvus__msg__insert_request__descriptor, CDC_EV_INSERT, 0},
	{MT(Delete), &milvus__msg__delete_request__descriptor, CDC_EV_DELETE, 0},
	{MT(TimeTick), &milvus__msg__time_tick_msg__descriptor, CDC_EV_UNKNOWN, 0},
	{MT(CreateCollection), &milvus__msg__create_collection_request__descriptor,
	    CDC_EV_CREATE_COLLECTION, 1},
	{MT(DropCollection), &milvus__msg__drop_collection_request__descriptor,
	    CDC_EV_DROP_COLLECTION, 1},
	{MT(CreatePartition), &milvus__msg__create_partition_request__descriptor,
	    CDC_EV_CREATE_PARTITION, 1},
	{MT(DropPartition), &milvus__msg__drop_partition_request__descriptor,
	    CDC_EV_DROP_PARTITION, 1},
	{MT(CreateDatabase), &milvus__api__create_database_request__descriptor,
	    CDC_EV_CREATE_DATABASE, 0},
	{MT(DropDatabase), &milvus__api__drop_database_request__descriptor,
	    CDC_EV_DROP_DATABASE, 0},
	{MT(AlterDatabase), &milvus__api__alter_database_request__descriptor,
	    CDC_EV_ALTER_DATABASE, 0},
	{MT(Flush), &milvus__api__flush_request__descriptor, CDC_EV_FLUSH, 0},
	{MT(CreateIndex), &milvus__api__create_index_request__descriptor,
	    CDC_EV_CREATE_INDEX, 0},
	{MT(DropIndex), &milvus__api__drop_index_request__descriptor,
	    CDC_EV_DROP_INDEX, 0},
	{MT(AlterIndex), &milvus__api__alter_index_request__descriptor,
	    CDC_EV_ALTER_INDEX, 0},
	{MT(LoadCollection), &milvus__api__load_collection_request__descriptor,
	    CDC_EV_LOAD_COLLECTION, 0},
	{MT(ReleaseCollection),
	    &milvus__api__release_collection_request__descriptor,
	    CDC_EV_RELEASE_COLLECTION, 0},
	{MT(LoadPartitions), &milvus__api__load_partitions_request__descriptor,
	    CDC_EV_LOAD_PARTITIONS, 0},
	{MT(ReleasePartitions),
	    &milvus__api__release_partitions_request__descriptor,
	    CDC_EV_RELEASE_PARTITIONS, 0},
	{MT(AlterCollection), &milvus__api__alter_collection_request__descriptor,
	    CDC_EV_ALTER_COLLECTION, 0},
	{MT(AlterCollectionField),
	    &milvus__api__alter_collection_field_request__descriptor,
	    CDC_EV_ALTER_COLLECTION, 0},
	{MT(RenameCollection),
	    &milvus__api__rename_collection_request__descriptor,
	    CDC_EV_RENAME_COLLECTION, 0},
	{MT(CreateAlias), &milvus__api__alias_request__descriptor,
	    CDC_EV_CREATE_ALIAS, 0},
	{MT(AlterAlias), &milvus__api__alias_request__descriptor,
	    CDC_EV_ALTER_ALIAS, 0},
	{MT(DropAlias), &milvus__api__drop_alias_request__descriptor,
	    CDC_EV_DROP_ALIAS, 0},
};

/* Recognised and never emitted: secrets, RBAC, internal traffic. */
static const char *
skip_reason(int t)
{
	if (t >= 1500 && t <= 1504)
		return "credential";
	if (t >= 1600 && t <= 1615)
		return "role or privilege";
	if (t >= 1700 && t <= 1706)
		return "resource group";
	if (t == MT(DataNodeTt) || t == MT(Replicate) || t == MT(Import) ||
	    t == MT(ManualFlush) || t == MT(FlushSegment) ||
	    t == MT(CreateSegment) || t == MT(FlushAll))
		return "internal";
	return NULL;
}

static const struct mtype *
mtype_of(int t)
{
	for (size_t i = 0; i < sizeof mtypes / sizeof mtypes[0]; i++)
		if (mtypes[i].msg_type == t)
			return &mtypes[i];
	return NULL;
}

/* Every request we decode starts with field 1 MsgBase, like MsgHeader. */
static const Milvus__Common__MsgBase *
base_of(const void *pb)
{
	return ((const Milvus__Common__MsgHeader *)pb)->msg_base;
}

static const struct cdc_kafka_header *
header(const struct cdc_record *rec, const char *key)
{
	for (size_t i = 0; i < rec->nheaders; i++)
		if (strcmp(rec->headers[i].key, key) == 0)
			return &rec->headers[i];
	return NULL;
}

/* The msg type: the msg_type header's enum name, else MsgBase (§2.2). */
static int
msg_type_of(const struct cdc_record *rec, char *err, size_t errsz)
{
	const struct cdc_kafka_header *h = header(rec, "msg_type");
	Milvus__Common__MsgHeader *mh;
	int t;

	if (h && h->value && h->len > 0 && h->len < 64) {
		char name[64];
		const ProtobufCEnumValue *v;

		memcpy(name, h->value, h->len);
		name[h->len] = '\0';
		v = protobuf_c_enum_descriptor_get_value_by_name(
		    &milvus__common__msg_type__descriptor, name);
		if (v)
			return v->value;
	}
	mh = milvus__common__msg_header__unpack(NULL, rec->len, rec->value);
	if (!mh) {
		char why[200];

		cdc_milvus_wire_why(&milvus__common__msg_header__descriptor,
		    rec->value, rec->len, why, sizeof why);
		snprintf(err, errsz, "not a Milvus message: %s", why);
		return -1;
	}
	if (!mh->msg_base) {
		snprintf(err, errsz, "not a Milvus message (no MsgBase)");
		milvus__common__msg_header__free_unpacked(mh, NULL);
		return -1;
	}
	t = (int)mh->msg_base->msg_type;
	milvus__common__msg_header__free_unpacked(mh, NULL);
	return t;
}

static uint64_t
max_ts(const uint64_t *ts, size_t n, uint64_t dflt)
{
	uint64_t m = 0;

	for (size_t i = 0; i < n; i++)
		if (ts[i] > m)
			m = ts[i];
	return n ? m : dflt;
}

static int
decode_wal(const struct cdc_record *rec, struct cdc_msg *m, char *err,
    size_t errsz)
{
	snprintf(err, errsz, "Milvus 2.6 WAL records (header _v) are not "
	    "supported yet");
	return -1;
}

/* A Delete's counts agree: keys, timestamps (one per key) and num_rows. */
static int
check_delete(const Milvus__Msg__DeleteRequest *r, uint64_t keys, char *err,
    size_t errsz)
{
	if (r->n_timestamps != 0 && r->n_timestamps != keys) {
		snprintf(err, errsz, "%zu timestamps for %ju keys",
		    r->n_timestamps, (uintmax_t)keys);
		return -1;
	}
	if (r->num_rows != 0 && (uint64_t)r->num_rows != keys) {
		snprintf(err, errsz, "num_rows %jd for %ju keys",
		    (intmax_t)r->num_rows, (uintmax_t)keys);
		return -1;
	}
	return 0;
}

/* Fill the fields every decoded message type carries. */
static int
fill_dml(struct cdc_msg *m, char *err, size_t errsz)
{
	if (m->ev == CDC_EV_INSERT) {
		const Milvus__Msg__InsertRequest *r = m->pb;

		if (r->version != MILVUS__MSG__INSERT_DATA_VERSION__ColumnBased &&
		    r->n_row_data > 0) {
			snprintf(err, errsz, "row-based Insert is not supported");
			return -1;
		}
		m->ts = max_ts(r->timestamps, r->n_timestamps, m->ts);
		m->rows = r->num_rows;
		m->collection_id = r->collectionid;
		m->partition_id = r->partitionid;
		m->prio = CDC_PRIO_INSERT;
		if (r->n_fields_data == 0 && r->num_rows > 0) {
			snprintf(err, errsz, "no columns for %ju rows",
			    (uintmax_t)r->num_rows);
			return -1;
		}
		if (r->n_timestamps != 0 && r->n_timestamps != r->num_rows) {
			snprintf(err, errsz, "%zu timestamps for %ju rows",
			    r->n_timestamps, (uintmax_t)r->num_rows);
			return -1;
		}
		return cdc_milvus_check_columns(r, r->num_rows, err, errsz);
	}
	if (m->ev == CDC_EV_DELETE) {
		const Milvus__Msg__DeleteRequest *r = m->pb;
		const Milvus__Schema__IDs *ids = r->primary_keys;

		m->ts = max_ts(r->timestamps, r->n_timestamps, m->ts);
		m->collection_id = r->collectionid;
		m->partition_id = r->partitionid;
		m->prio = CDC_PRIO_DELETE;
		if (ids && ids->id_field_case ==
		    MILVUS__SCHEMA__IDS__ID_FIELD_INT_ID)
			m->rows = ids->int_id->n_data;
		else if (ids && ids->id_field_case ==
		    MILVUS__SCHEMA__IDS__ID_FIELD_STR_ID)
			m->rows = ids->str_id->n_data;
		else
			m->rows = r->n_int64_primary_keys;
		return check_delete(r, m->rows, err, errsz);
	}
	return 0;
}

/* A CreateCollection carries its schema serialized (field 8) or, from
 * 2.6.6, as a message (field 13); keep the decoded one in m->aux. */
static int
fill_schema(struct cdc_msg *m, char *err, size_t errsz)
{
	const Milvus__Msg__CreateCollectionRequest *r = m->pb;

	if (r->collection_schema)
		return 0;
	m->aux = milvus__schema__collection_schema__unpack(NULL,
	    r->schema.len, r->schema.data);
	if (!m->aux) {
		char why[200];

		cdc_milvus_wire_why(&milvus__schema__collection_schema__descriptor,
		    r->schema.data, r->schema.len, why, sizeof why);
		snprintf(err, errsz, "malformed schema: %s", why);
		return -1;
	}
	return 0;
}

static void
fill_ids(struct cdc_msg *m)
{
	switch (m->ev) {
	case CDC_EV_CREATE_COLLECTION:
		m->collection_id = ((Milvus__Msg__CreateCollectionRequest *)
		    m->pb)->collectionid;
		break;
	case CDC_EV_DROP_COLLECTION:
		m->collection_id = ((Milvus__Msg__DropCollectionRequest *)
		    m->pb)->collectionid;
		break;
	case CDC_EV_CREATE_PARTITION:
	case CDC_EV_DROP_PARTITION:
		/* Both requests share one layout (milvus-wire.md §4.2). */
		m->collection_id = ((Milvus__Msg__DropPartitionRequest *)
		    m->pb)->collectionid;
		m->partition_id = ((Milvus__Msg__DropPartitionRequest *)
		    m->pb)->partitionid;
		break;
	case CDC_EV_ALTER_COLLECTION:
		if (m->msg_type == MT(AlterCollection))
			m->collection_id = ((Milvus__Api__AlterCollectionRequest *)
			    m->pb)->collectionid;
		break;
	default:
		break;
	}
}

int
cdc_milvus_decode(const struct cdc_record *rec, struct cdc_msg *m, char *err,
    size_t errsz)
{
	const struct mtype *mt;
	const Milvus__Common__MsgBase *b;
	int t;

	memset(m, 0, sizeof *m);
	m->topic = rec->topic;
	m->partition = rec->partition;
	m->offset = rec->offset;
	m->bytes = rec->len;
	m->prio = CDC_PRIO_OTHER;
	if (header(rec, "_v"))
		return decode_wal(rec, m, err, errsz);
	if ((t = msg_type_of(rec, err, errsz)) < 0)
		return -1;
	m->msg_type = t;
	if ((m->skip_why = skip_reason(t)) != NULL) {
		m->kind = CDC_MSG_SKIP;
		return 0;
	}
	if (!(mt = mtype_of(t))) {
		const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value(
		    &milvus__common__msg_type__descriptor, t);

		snprintf(err, errsz, "unsupported message type %d (%s)", t,
		    v ? v->name : "unknown");
		return -1;
	}
	m->pb = protobuf_c_message_unpack(mt->desc, NULL, rec->len, rec->value);
	if (!m->pb || !(b = base_of(m->pb))) {
		char why[200] = "no MsgBase";

		if (!m->pb)
			cdc_milvus_wire_why(mt->desc, rec->value, rec->len, why,
			    sizeof why);
		snprintf(err, errsz, "cannot decode %s: %s", mt->desc->short_name,
		    why);
		cdc_msg_fini(m);
		return -1;
	}
	m->kind = mt->ev == CDC_EV_UNKNOWN ? CDC_MSG_TICK : CDC_MSG_EVENT;
	m->ev = mt->ev;
	m->broadcast = mt->broadcast;
	m->msg_id = b->msgid;
	m->ts = b->replicateinfo && b->replicateinfo->msgtimestamp ?
	    b->replicateinfo->msgtimestamp : b->timestamp;
	fill_ids(m);
	if (fill_dml(m, err, errsz) < 0 || (m->ev == CDC_EV_CREATE_COLLECTION &&
	    fill_schema(m, err, errsz) < 0)) {
		char e[256];

		snprintf(e, sizeof e, "%s", err);
		snprintf(err, errsz, "cannot decode %s: %s",
		    mt->desc->short_name, e);
		cdc_msg_fini(m);
		return -1;
	}
	return 0;
}

void
cdc_msg_fini(struct cdc_msg *m)
{
	if (m->pb)
		protobuf_c_message_free_unpacked(m->pb, NULL);
	if (m->aux)
		protobuf_c_message_free_unpacked(m->aux, NULL);
	m->pb = m->aux = NULL;
}
