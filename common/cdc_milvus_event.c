/*
 * cdc_milvus_event.c - released messages as cdc-stream(5) events: their
 * names, what they teach the schema registry, and their packed form.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "cdc_milvus_int.h"

#define MT(x) MILVUS__COMMON__MSG_TYPE__##x

/* own_names() reads db_name (field 2) and collection_name (field 3) of the
 * replicate-msg requests through one struct type; the generated layouts
 * must agree, and these fail the build if a .proto change breaks that. */
#define SAME_AT(a, b, m) _Static_assert(offsetof(a, m) == offsetof(b, m), \
    #a " and " #b " differ at " #m)
#define AS_RELEASE(t) SAME_AT(t, Milvus__Api__ReleaseCollectionRequest, \
    db_name); SAME_AT(t, Milvus__Api__ReleaseCollectionRequest, \
    collection_name)
AS_RELEASE(Milvus__Api__CreateIndexRequest);
AS_RELEASE(Milvus__Api__DropIndexRequest);
AS_RELEASE(Milvus__Api__AlterIndexRequest);
AS_RELEASE(Milvus__Api__LoadCollectionRequest);
AS_RELEASE(Milvus__Api__LoadPartitionsRequest);
AS_RELEASE(Milvus__Api__ReleasePartitionsRequest);
AS_RELEASE(Milvus__Api__AliasRequest);
AS_RELEASE(Milvus__Api__AlterCollectionRequest);
AS_RELEASE(Milvus__Api__AlterCollectionFieldRequest);
SAME_AT(Milvus__Api__FlushRequest, Milvus__Api__DropDatabaseRequest, db_name);
SAME_AT(Milvus__Api__DropAliasRequest, Milvus__Api__DropDatabaseRequest,
    db_name);
SAME_AT(Milvus__Api__CreateDatabaseRequest, Milvus__Api__DropDatabaseRequest,
    db_name);
SAME_AT(Milvus__Api__AlterDatabaseRequest, Milvus__Api__DropDatabaseRequest,
    db_name);
SAME_AT(Milvus__Msg__CreatePartitionRequest, Milvus__Msg__DropPartitionRequest,
    collection_name);
SAME_AT(Milvus__Msg__CreatePartitionRequest, Milvus__Msg__DropPartitionRequest,
    partition_name);
SAME_AT(Milvus__Msg__CreatePartitionRequest, Milvus__Msg__DropPartitionRequest,
    collectionid);
SAME_AT(Milvus__Msg__CreatePartitionRequest, Milvus__Msg__DropPartitionRequest,
    partitionid);
SAME_AT(Milvus__Msg__CreatePartitionRequest, Milvus__Msg__DropPartitionRequest,
    db_name);

static const Milvus__Schema__CollectionSchema *
create_schema(const struct cdc_msg *m)
{
	const Milvus__Msg__CreateCollectionRequest *r = m->pb;

	return r->collection_schema ? r->collection_schema : m->aux;
}

/* The db and collection names a message itself carries ("" if none). */
static void
own_names(const struct cdc_msg *m, const char **db, const char **coll)
{
	const void *pb = m->pb;

	*db = *coll = "";
	switch (m->msg_type) {
	case MT(Insert):
		*db = ((const Milvus__Msg__InsertRequest *)pb)->db_name;
		*coll = ((const Milvus__Msg__InsertRequest *)pb)->collection_name;
		break;
	case MT(Delete):
		*db = ((const Milvus__Msg__DeleteRequest *)pb)->db_name;
		*coll = ((const Milvus__Msg__DeleteRequest *)pb)->collection_name;
		break;
	case MT(CreateCollection):
		*db = create_schema(m)->dbname[0] ? create_schema(m)->dbname :
		    ((const Milvus__Msg__CreateCollectionRequest *)pb)->db_name;
		*coll = create_schema(m)->name;
		break;
	case MT(DropCollection):
		*db = ((const Milvus__Msg__DropCollectionRequest *)pb)->db_name;
		*coll = ((const Milvus__Msg__DropCollectionRequest *)pb)
		    ->collectionname;
		break;
	case MT(CreatePartition):
	case MT(DropPartition):
		*db = ((const Milvus__Msg__DropPartitionRequest *)pb)->db_name;
		*coll = ((const Milvus__Msg__DropPartitionRequest *)pb)
		    ->collection_name;
		break;
	case MT(RenameCollection):
		*db = ((const Milvus__Api__RenameCollectionRequest *)pb)->db_name;
		*coll = ((const Milvus__Api__RenameCollectionRequest *)pb)->oldname;
		break;
	case MT(Flush): case MT(DropAlias): case MT(CreateDatabase):
	case MT(DropDatabase): case MT(AlterDatabase):
		*db = ((const Milvus__Api__DropDatabaseRequest *)pb)->db_name;
		break;
	default:
		/* Every other replicate-msg request: 2 db_name, 3 collection. */
		*db = ((const Milvus__Api__ReleaseCollectionRequest *)pb)->db_name;
		*coll = ((const Milvus__Api__ReleaseCollectionRequest *)pb)
		    ->collection_name;
		break;
	}
}

/* The registry entry of m's collection, by id, else by name. */
static const struct cdc_schema *
lookup(const struct cdc_msg *m, const struct cdc_schemas *reg)
{
	const char *db, *coll;

	if (m->collection_id)
		return cdc_schemas_by_id(reg, m->collection_id);
	own_names(m, &db, &coll);
	if (!*coll)
		return NULL;
	return cdc_schemas_by_name(reg, db, strlen(db), coll, strlen(coll));
}

void
cdc_milvus_names(const struct cdc_msg *m, const struct cdc_schemas *reg,
    struct cdc_str *db, struct cdc_str *coll)
{
	const struct cdc_schema *s = lookup(m, reg);
	const char *d, *c;

	own_names(m, &d, &c);
	if (!*d)
		d = s ? s->db : "default";
	if (!*c && s)
		c = s->name;
	*db = (struct cdc_str){d, strlen(d)};
	*coll = (struct cdc_str){c, strlen(c)};
}

static int
learn_create(const struct cdc_msg *m, struct cdc_schemas *reg)
{
	const Milvus__Msg__CreateCollectionRequest *r = m->pb;
	const Milvus__Schema__CollectionSchema *s = create_schema(m);
	const Milvus__Schema__FieldSchema *pkf = cdc_milvus_schema_pk(s);
	msgpack_sbuffer sb;
	msgpack_packer pk;
	const char *db, *coll;

	own_names(m, &db, &coll);
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	cdc_milvus_pack_schema(&pk, s, r->n_virtualchannelnames);
	cdc_schemas_put(reg, r->collectionid, db, s->name,
	    pkf ? pkf->name : NULL, pkf ? (int)pkf->data_type : 0, sb.data,
	    sb.size);
	msgpack_sbuffer_destroy(&sb);
	return 0;
}

int
cdc_milvus_learn(const struct cdc_msg *m, struct cdc_schemas *reg, char *err,
    size_t errsz)
{
	struct cdc_schema *s;

	switch (m->ev) {
	case CDC_EV_CREATE_COLLECTION:
		return learn_create(m, reg);
	case CDC_EV_DROP_COLLECTION:
		if ((s = (struct cdc_schema *)lookup(m, reg)) != NULL)
			cdc_schemas_del(reg, s->id);
		return 0;
	case CDC_EV_RENAME_COLLECTION: {
		const Milvus__Api__RenameCollectionRequest *r = m->pb;

		if ((s = (struct cdc_schema *)lookup(m, reg)) != NULL)
			cdc_schemas_rename(reg, s, r->newdbname, r->newname);
		return 0;
	}
	default:
		return 0;
	}
}

/* === packing === */

static void
pack_kvs(msgpack_packer *pk, const char *key, Milvus__Common__KeyValuePair **kv,
    size_t n)
{
	cdc_pack_key(pk, key);
	msgpack_pack_map(pk, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		cdc_pack_cstr(pk, kv[i]->key);
		cdc_pack_cstr(pk, kv[i]->value);
	}
}

static void
pack_strs(msgpack_packer *pk, const char *key, char **v, size_t n)
{
	cdc_pack_key(pk, key);
	msgpack_pack_array(pk, (uint32_t)n);
	for (size_t i = 0; i < n; i++)
		cdc_pack_cstr(pk, v[i]);
}

static void
pack_kv_str(msgpack_packer *pk, const char *key, const char *v)
{
	cdc_pack_key(pk, key);
	cdc_pack_cstr(pk, v);
}

static struct cdc_str
str_of(const char *s)
{
	return (struct cdc_str){s, strlen(s)};
}

/* The common keys of m's event. */
static void
common_keys(const struct cdc_msg *m, const struct cdc_schemas *reg,
    struct cdc_event *ev)
{
	const struct cdc_schema *s = lookup(m, reg);

	memset(ev, 0, sizeof *ev);
	ev->type = m->ev;
	ev->ts = m->ts;
	cdc_milvus_names(m, reg, &ev->db, &ev->collection);
	ev->collection_id = m->collection_id ? m->collection_id :
	    s ? s->id : 0;
	ev->src = (struct cdc_src){str_of(m->topic), m->partition, m->offset};
}

static int
pack_insert(const struct cdc_msg *m, const struct cdc_schema *s,
    struct cdc_event *ev, msgpack_packer *pk)
{
	const Milvus__Msg__InsertRequest *r = m->pb;

	ev->has_partition = 1;
	ev->partition = str_of(r->partition_name);
	ev->partition_id = r->partitionid;
	ev->vchannel = str_of(r->shardname);
	cdc_event_pack_begin(pk, ev, 2 + (s && s->pk));
	cdc_pack_key(pk, "rows");
	msgpack_pack_uint64(pk, r->num_rows);
	if (s && s->pk)
		pack_kv_str(pk, "pk", s->pk);
	cdc_pack_key(pk, "columns");
	cdc_milvus_pack_columns(pk, r, r->num_rows);
	return 0;
}

static void
pack_delete(const struct cdc_msg *m, const struct cdc_schema *s,
    struct cdc_event *ev, msgpack_packer *pk)
{
	const Milvus__Msg__DeleteRequest *r = m->pb;
	const Milvus__Schema__IDs *ids = r->primary_keys;

	if (r->partitionid > 0 && r->partition_name[0]) {
		ev->has_partition = 1;
		ev->partition = str_of(r->partition_name);
		ev->partition_id = r->partitionid;
	}
	ev->vchannel = str_of(r->shardname);
	cdc_event_pack_begin(pk, ev, 1 + (s && s->pk));
	if (s && s->pk)
		pack_kv_str(pk, "pk", s->pk);
	cdc_pack_key(pk, "keys");
	msgpack_pack_array(pk, (uint32_t)m->rows);
	for (size_t i = 0; i < m->rows; i++) {
		if (ids && ids->id_field_case ==
		    MILVUS__SCHEMA__IDS__ID_FIELD_STR_ID)
			cdc_pack_cstr(pk, ids->str_id->data[i]);
		else if (ids && ids->id_field_case ==
		    MILVUS__SCHEMA__IDS__ID_FIELD_INT_ID)
			msgpack_pack_int64(pk, ids->int_id->data[i]);
		else
			msgpack_pack_int64(pk, r->int64_primary_keys[i]);
	}
}

static void
pack_create(const struct cdc_msg *m, struct cdc_event *ev, msgpack_packer *pk)
{
	const Milvus__Msg__CreateCollectionRequest *r = m->pb;

	cdc_event_pack_begin(pk, ev, 2);
	cdc_pack_key(pk, "schema");
	cdc_milvus_pack_schema(pk, create_schema(m), r->n_virtualchannelnames);
	cdc_pack_key(pk, "partition_ids");
	msgpack_pack_array(pk, (uint32_t)r->n_partitionids);
	for (size_t i = 0; i < r->n_partitionids; i++)
		msgpack_pack_int64(pk, r->partitionids[i]);
}

static void
pack_partition(const struct cdc_msg *m, struct cdc_event *ev,
    msgpack_packer *pk)
{
	const Milvus__Msg__DropPartitionRequest *r = m->pb;

	ev->has_partition = 1;
	ev->partition = str_of(r->partition_name);
	ev->partition_id = r->partitionid;
	cdc_event_pack_begin(pk, ev, 0);
}

static void
pack_database(const struct cdc_msg *m, struct cdc_event *ev,
    msgpack_packer *pk)
{
	ev->collection = str_of("");
	ev->collection_id = 0;
	if (m->ev == CDC_EV_CREATE_DATABASE) {
		const Milvus__Api__CreateDatabaseRequest *r = m->pb;

		cdc_event_pack_begin(pk, ev, 1);
		pack_kvs(pk, "properties", r->properties, r->n_properties);
	} else if (m->ev == CDC_EV_ALTER_DATABASE) {
		const Milvus__Api__AlterDatabaseRequest *r = m->pb;

		cdc_event_pack_begin(pk, ev, 2);
		pack_kvs(pk, "properties", r->properties, r->n_properties);
		pack_strs(pk, "delete_keys", r->delete_keys, r->n_delete_keys);
	} else {
		cdc_event_pack_begin(pk, ev, 0);
	}
}

static void
pack_index(const struct cdc_msg *m, struct cdc_event *ev, msgpack_packer *pk)
{
	if (m->ev == CDC_EV_CREATE_INDEX) {
		const Milvus__Api__CreateIndexRequest *r = m->pb;

		cdc_event_pack_begin(pk, ev, 3);
		pack_kv_str(pk, "field", r->field_name);
		pack_kv_str(pk, "index_name", r->index_name);
		pack_kvs(pk, "params", r->extra_params, r->n_extra_params);
	} else if (m->ev == CDC_EV_DROP_INDEX) {
		const Milvus__Api__DropIndexRequest *r = m->pb;

		cdc_event_pack_begin(pk, ev, 1 + (r->field_name[0] != '\0'));
		if (r->field_name[0])
			pack_kv_str(pk, "field", r->field_name);
		pack_kv_str(pk, "index_name", r->index_name);
	} else {
		const Milvus__Api__AlterIndexRequest *r = m->pb;

		cdc_event_pack_begin(pk, ev, 3);
		pack_kv_str(pk, "index_name", r->index_name);
		pack_kvs(pk, "params", r->extra_params, r->n_extra_params);
		pack_strs(pk, "delete_keys", r->delete_keys, r->n_delete_keys);
	}
}

static void
pack_load(const struct cdc_msg *m, struct cdc_event *ev, msgpack_packer *pk)
{
	if (m->ev == CDC_EV_LOAD_COLLECTION) {
		const Milvus__Api__LoadCollectionRequest *r = m->pb;

		cdc_event_pack_begin(pk, ev, 3);
		cdc_pack_key(pk, "replica_number");
		msgpack_pack_int32(pk, r->replica_number);
		pack_strs(pk, "resource_groups", r->resource_groups,
		    r->n_resource_groups);
		pack_strs(pk, "load_fields", r->load_fields, r->n_load_fields);
	} else if (m->ev == CDC_EV_LOAD_PARTITIONS) {
		const Milvus__Api__LoadPartitionsRequest *r = m->pb;

		cdc_event_pack_begin(pk, ev, 4);
		pack_strs(pk, "partitions", r->partition_names,
		    r->n_partition_names);
		cdc_pack_key(pk, "replica_number");
		msgpack_pack_int32(pk, r->replica_number);
		pack_strs(pk, "resource_groups", r->resource_groups,
		    r->n_resource_groups);
		pack_strs(pk, "load_fields", r->load_fields, r->n_load_fields);
	} else if (m->ev == CDC_EV_RELEASE_PARTITIONS) {
		const Milvus__Api__ReleasePartitionsRequest *r = m->pb;

		cdc_event_pack_begin(pk, ev, 1);
		pack_strs(pk, "partitions", r->partition_names,
		    r->n_partition_names);
	} else {
		cdc_event_pack_begin(pk, ev, 0);
	}
}

static void
pack_alter_collection(const struct cdc_msg *m, struct cdc_event *ev,
    msgpack_packer *pk)
{
	if (m->msg_type == MT(AlterCollectionField)) {
		const Milvus__Api__AlterCollectionFieldRequest *r = m->pb;

		cdc_event_pack_begin(pk, ev, 3);
		pack_kv_str(pk, "field", r->field_name);
		pack_kvs(pk, "properties", r->properties, r->n_properties);
		pack_strs(pk, "delete_keys", r->delete_keys, r->n_delete_keys);
	} else {
		const Milvus__Api__AlterCollectionRequest *r = m->pb;

		cdc_event_pack_begin(pk, ev, 2);
		pack_kvs(pk, "properties", r->properties, r->n_properties);
		pack_strs(pk, "delete_keys", r->delete_keys, r->n_delete_keys);
	}
}

static void
pack_misc(const struct cdc_msg *m, struct cdc_event *ev, msgpack_packer *pk)
{
	if (m->ev == CDC_EV_RENAME_COLLECTION) {
		const Milvus__Api__RenameCollectionRequest *r = m->pb;

		cdc_event_pack_begin(pk, ev, 1 + (r->newdbname[0] != '\0'));
		pack_kv_str(pk, "new_name", r->newname);
		if (r->newdbname[0])
			pack_kv_str(pk, "new_db", r->newdbname);
	} else if (m->ev == CDC_EV_FLUSH) {
		const Milvus__Api__FlushRequest *r = m->pb;

		ev->collection = str_of("");
		cdc_event_pack_begin(pk, ev, 1);
		pack_strs(pk, "collections", r->collection_names,
		    r->n_collection_names);
	} else if (m->ev == CDC_EV_DROP_ALIAS) {
		const Milvus__Api__DropAliasRequest *r = m->pb;

		ev->collection = str_of("");
		cdc_event_pack_begin(pk, ev, 1);
		pack_kv_str(pk, "alias", r->alias);
	} else if (m->ev == CDC_EV_CREATE_ALIAS || m->ev == CDC_EV_ALTER_ALIAS) {
		const Milvus__Api__AliasRequest *r = m->pb;

		cdc_event_pack_begin(pk, ev, 1);
		pack_kv_str(pk, "alias", r->alias);
	} else {
		cdc_event_pack_begin(pk, ev, 0);
	}
}

int
cdc_milvus_pack(const struct cdc_msg *m, const struct cdc_schemas *reg,
    msgpack_packer *pk, char *err, size_t errsz)
{
	struct cdc_event ev;

	if (m->kind != CDC_MSG_EVENT) {
		snprintf(err, errsz, "not an event");
		return -1;
	}
	common_keys(m, reg, &ev);
	switch (m->ev) {
	case CDC_EV_INSERT:
		return pack_insert(m, lookup(m, reg), &ev, pk);
	case CDC_EV_DELETE:
		pack_delete(m, lookup(m, reg), &ev, pk);
		return 0;
	case CDC_EV_CREATE_COLLECTION:
		pack_create(m, &ev, pk);
		return 0;
	case CDC_EV_CREATE_PARTITION:
	case CDC_EV_DROP_PARTITION:
		pack_partition(m, &ev, pk);
		return 0;
	case CDC_EV_CREATE_DATABASE:
	case CDC_EV_DROP_DATABASE:
	case CDC_EV_ALTER_DATABASE:
		pack_database(m, &ev, pk);
		return 0;
	case CDC_EV_CREATE_INDEX:
	case CDC_EV_DROP_INDEX:
	case CDC_EV_ALTER_INDEX:
		pack_index(m, &ev, pk);
		return 0;
	case CDC_EV_LOAD_COLLECTION:
	case CDC_EV_RELEASE_COLLECTION:
	case CDC_EV_LOAD_PARTITIONS:
	case CDC_EV_RELEASE_PARTITIONS:
		pack_load(m, &ev, pk);
		return 0;
	case CDC_EV_ALTER_COLLECTION:
		pack_alter_collection(m, &ev, pk);
		return 0;
	default:
		pack_misc(m, &ev, pk);
		return 0;
	}
}
