/*
 * test_schema.c - the schema registry: put/get/del/rename, lookups by id
 * (hashed, across growth and deletes) and by name, the state file round
 * trip and its refusals, and the "schema" event.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cdc_event.h"
#include "cdc_frame.h"
#include "cdc_schema.h"
#include "cdc_util.h"
#include "t.h"

/* A packed schema map {name: n} standing in for the real one. */
static size_t
schema_map(char *buf, const char *n)
{
	size_t len = strlen(n);

	buf[0] = (char)0x81;
	buf[1] = (char)0xa4;
	memcpy(buf + 2, "name", 4);
	buf[6] = (char)(0xa0 | len);
	memcpy(buf + 7, n, len);
	return 7 + len;
}

static struct cdc_schema *
put(struct cdc_schemas *reg, int64_t id, const char *db, const char *name)
{
	char m[64];

	return cdc_schemas_put(reg, id, db, name, "pk", CDC_DT_INT64, m,
	    schema_map(m, name));
}

T_TEST(schema_put_get_del)
{
	struct cdc_schemas *reg = cdc_schemas_new();
	struct cdc_schema *s;
	char name[32];

	T_CHECK(cdc_schemas_by_id(reg, 1) == NULL);
	T_CHECK(cdc_schemas_by_id(NULL, 1) == NULL);
	T_EQ_INT(cdc_schemas_dirty(reg), 0);
	s = put(reg, 455000000000000001LL, NULL, "a");
	T_EQ_STR(s->db, "default");
	T_EQ_INT(cdc_schemas_dirty(reg), 1);
	T_CHECK(cdc_schemas_by_name(reg, "", 0, "a", 1) == s);
	T_CHECK(cdc_schemas_by_name(reg, "default", 7, "a", 1) == s);
	T_CHECK(cdc_schemas_by_name(reg, "other", 5, "a", 1) == NULL);
	/* Many ids: the hash grows and every id stays reachable. */
	for (int64_t i = 0; i < 1000; i++) {
		snprintf(name, sizeof name, "c%d", (int)i);
		put(reg, i * 1024 - 300, "db", name);
	}
	for (int64_t i = 0; i < 1000; i += 7) {
		s = cdc_schemas_by_id(reg, i * 1024 - 300);
		snprintf(name, sizeof name, "c%d", (int)i);
		T_CHECK(s && strcmp(s->name, name) == 0);
	}
	for (int64_t i = 0; i < 1000; i += 2)
		cdc_schemas_del(reg, i * 1024 - 300);
	T_CHECK(cdc_schemas_by_id(reg, 0 * 1024 - 300) == NULL);
	T_CHECK(cdc_schemas_by_id(reg, 999 * 1024 - 300) != NULL);
	T_CHECK(cdc_schemas_by_name(reg, "db", 2, "c999", 4) != NULL);
	T_CHECK(cdc_schemas_by_name(reg, "db", 2, "c998", 4) == NULL);
	/* Replacing keeps one entry and the run-time flag. */
	s = cdc_schemas_by_id(reg, 455000000000000001LL);
	s->announced = 1;
	s = put(reg, 455000000000000001LL, "x", "b");
	T_EQ_INT(s->announced, 1);
	T_CHECK(cdc_schemas_by_name(reg, "", 0, "a", 1) == NULL);
	T_CHECK(cdc_schemas_by_name(reg, "x", 1, "b", 1) == s);
	cdc_schemas_rename(reg, s, NULL, "b2");
	T_EQ_STR(s->db, "x");
	T_CHECK(cdc_schemas_by_name(reg, "x", 1, "b2", 2) == s);
	cdc_schemas_rename(reg, s, "y", "b3");
	T_CHECK(cdc_schemas_by_name(reg, "y", 1, "b3", 2) == s);
	cdc_schemas_free(reg);
	cdc_schemas_free(NULL);
}

T_TEST(schema_name_reused_after_drop)
{
	struct cdc_schemas *reg = cdc_schemas_new();
	struct cdc_schema *old = put(reg, 10, "d", "n"), *nw;

	T_CHECK(old != NULL);
	nw = put(reg, 11, "d", "n");
	T_CHECK(cdc_schemas_by_name(reg, "d", 1, "n", 1) == nw);
	cdc_schemas_del(reg, 11);
	T_CHECK(cdc_schemas_by_name(reg, "d", 1, "n", 1) ==
	    cdc_schemas_by_id(reg, 10));
	cdc_schemas_free(reg);
}

static const char *
tmpfile_path(char *buf, size_t n, const char *tag)
{
	snprintf(buf, n, "/tmp/cdc-test-schema-%d-%s", (int)getpid(), tag);
	return buf;
}

T_TEST(schema_state_roundtrip)
{
	struct cdc_schemas *reg = cdc_schemas_new(), *back = cdc_schemas_new();
	struct cdc_schema *s, *t;
	char path[128], err[256];

	tmpfile_path(path, sizeof path, "rt");
	unlink(path);
	T_EQ_INT(cdc_schemas_load(back, path, err, sizeof err), 0);
	put(reg, 1, "d1", "one")->announced = 1;
	cdc_schemas_put(reg, -7, NULL, "\xe6\x97\xa5", NULL, 0, "\x80", 1);
	put(reg, 455000000000000050LL, "d2", "two");
	T_EQ_INT(cdc_schemas_save(reg, path, err, sizeof err), 0);
	T_EQ_INT(cdc_schemas_dirty(reg), 0);
	T_EQ_INT(cdc_schemas_load(back, path, err, sizeof err), 1);
	T_EQ_INT(cdc_schemas_dirty(back), 0);
	for (int i = 0; i < 3; i++) {
		int64_t id = (int64_t[]){-7, 1, 455000000000000050LL}[i];

		s = cdc_schemas_by_id(reg, id);
		t = cdc_schemas_by_id(back, id);
		T_CHECK(s && t);
		if (!s || !t)
			continue;
		T_EQ_STR(t->db, s->db);
		T_EQ_STR(t->name, s->name);
		T_CHECK((s->pk == NULL) == (t->pk == NULL));
		if (s->pk && t->pk)
			T_EQ_STR(t->pk, s->pk);
		T_EQ_INT(t->pk_type, s->pk_type);
		T_EQ_MEM(t->packed, t->packed_len, s->packed, s->packed_len);
		T_EQ_INT(t->announced, 0);	/* run-time only */
	}
	cdc_schemas_free(reg);
	cdc_schemas_free(back);
	unlink(path);
}

static void
write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (f) {
		fwrite(p, 1, n, f);
		fclose(f);
	}
}

/* A state file whose frame body is the msgpack map m (len n). */
static void
write_state(const char *path, const char *m, size_t n)
{
	char buf[256];

	buf[0] = buf[1] = 0;
	buf[2] = (char)(n >> 8), buf[3] = (char)n;
	memcpy(buf + 4, m, n);
	write_file(path, buf, n + 4);
}

T_TEST(schema_state_refusals)
{
	/* {format: "cdc-read-state", version: V, collections: [E]} */
	static const char head[] = "\x83\xa6" "format" "\xae" "cdc-read-state"
	    "\xa7" "version";
	static const char good[] = "\x86\xa2" "id" "\x05" "\xa2" "db" "\xa1"
	    "d" "\xa4" "name" "\xa1" "n" "\xa2" "pk" "\xc0" "\xa7" "pk_type"
	    "\x05" "\xa6" "schema" "\x80";
	struct cdc_schemas *reg = cdc_schemas_new();
	char path[128], err[256], m[256];
	size_t n;

	tmpfile_path(path, sizeof path, "bad");
	write_file(path, "\x00\x00", 2);
	T_EQ_INT(cdc_schemas_load(reg, path, err, sizeof err), -1);
	write_state(path, "\x81\xa1x\x01", 4);
	T_EQ_INT(cdc_schemas_load(reg, path, err, sizeof err), -1);
	T_CHECK(strstr(err, "not a cdc-read state file") != NULL);
	n = sizeof head - 1;
	memcpy(m, head, n);
	memcpy(m + n, "\x02\xab" "collections" "\x90", 14);
	write_state(path, m, n + 14);
	T_EQ_INT(cdc_schemas_load(reg, path, err, sizeof err), -1);
	T_CHECK(strstr(err, "unsupported version") != NULL);
	/* One good entry, then a bad one: nothing is added. */
	memcpy(m + n, "\x01\xab" "collections" "\x92", 14);
	memcpy(m + n + 14, good, sizeof good - 1);
	memcpy(m + n + 14 + sizeof good - 1, "\x80", 1);
	write_state(path, m, n + 14 + sizeof good);
	T_EQ_INT(cdc_schemas_load(reg, path, err, sizeof err), -1);
	T_CHECK(strstr(err, "bad entry 2") != NULL);
	T_CHECK(cdc_schemas_by_id(reg, 5) == NULL);
	/* The good entry alone loads, pk nil = unknown. */
	m[n + 13] = (char)0x91;
	write_state(path, m, n + 14 + sizeof good - 1);
	T_EQ_INT(cdc_schemas_load(reg, path, err, sizeof err), 1);
	T_CHECK(cdc_schemas_by_id(reg, 5) != NULL &&
	    cdc_schemas_by_id(reg, 5)->pk == NULL);
	cdc_schemas_free(reg);
	unlink(path);
}

T_TEST(schema_pack_event)
{
	struct cdc_schemas *reg = cdc_schemas_new();
	struct cdc_schema *s = put(reg, 77, "shop", "items");
	msgpack_sbuffer sb;
	msgpack_packer pk;
	msgpack_zone zone;
	msgpack_object o;
	const char *p;
	size_t off = 0, n;
	uint64_t ts = 0;
	int64_t id = 0;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	cdc_schema_pack_event(s, 462422016000000000ULL, &pk);
	msgpack_zone_init(&zone, 1024);
	T_EQ_INT(msgpack_unpack(sb.data, sb.size, &off, &zone, &o),
	    MSGPACK_UNPACK_SUCCESS);
	T_EQ_UINT(off, sb.size);
	T_CHECK(cdc_obj_streq(cdc_map_get(&o, "type"), "schema"));
	cdc_map_u64(&o, "ts", &ts);
	T_EQ_UINT(ts, 462422016000000000ULL);
	T_CHECK(cdc_obj_streq(cdc_map_get(&o, "db"), "shop"));
	T_CHECK(cdc_obj_streq(cdc_map_get(&o, "collection"), "items"));
	cdc_map_i64(&o, "collection_id", &id);
	T_EQ_INT(id, 77);
	T_EQ_INT(cdc_map_str(cdc_map_get(&o, "schema"), "name", &p, &n), 0);
	T_EQ_MEM(p, n, "items", 5);
	msgpack_zone_destroy(&zone);
	msgpack_sbuffer_destroy(&sb);
	cdc_schemas_free(reg);
}
