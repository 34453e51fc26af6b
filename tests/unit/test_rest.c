/*
 * test_rest.c - the Milvus REST client (cdc_rest: answers judged by code,
 * backoff, retries against a canned server in a child process, headers) and
 * the event -> request translation (cdc_apply: delete filters, create
 * bodies, the schema check, what a writer must know of a collection).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>
#include <msgpack.h>

#include "cdc_apply.h"
#include "cdc_frame.h"
#include "cdc_rest.h"
#include "t.h"

/* === helpers: JSON text -> msgpack object === */

static void
pack_json(msgpack_packer *pk, json_t *j)
{
	const char *k;
	json_t *v;
	size_t i;

	switch (json_typeof(j)) {
	case JSON_OBJECT:
		msgpack_pack_map(pk, (uint32_t)json_object_size(j));
		json_object_foreach(j, k, v) {
			cdc_pack_cstr(pk, k);
			pack_json(pk, v);
		}
		break;
	case JSON_ARRAY:
		msgpack_pack_array(pk, (uint32_t)json_array_size(j));
		json_array_foreach(j, i, v)
			pack_json(pk, v);
		break;
	case JSON_STRING:
		cdc_pack_str(pk, json_string_value(j), json_string_length(j));
		break;
	case JSON_INTEGER: msgpack_pack_int64(pk, json_integer_value(j)); break;
	case JSON_REAL: msgpack_pack_double(pk, json_real_value(j)); break;
	case JSON_TRUE: msgpack_pack_true(pk); break;
	case JSON_FALSE: msgpack_pack_false(pk); break;
	default: msgpack_pack_nil(pk); break;
	}
}

/* Unpack text (JSON, must parse) into u; the object is u->data. */
static const msgpack_object *
mp(msgpack_unpacked *u, msgpack_sbuffer *sb, const char *text)
{
	json_t *j = json_loads(text, 0, NULL);
	msgpack_packer pk;

	T_CHECK(j != NULL);
	msgpack_sbuffer_init(sb);
	msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
	pack_json(&pk, j);
	json_decref(j);
	msgpack_unpacked_init(u);
	msgpack_unpack_next(u, sb->data, sb->size, NULL);
	return &u->data;
}

static void
mp_free(msgpack_unpacked *u, msgpack_sbuffer *sb)
{
	msgpack_unpacked_destroy(u);
	msgpack_sbuffer_destroy(sb);
}

static const char *
buf_str(struct cdc_buf *b)
{
	cdc_buf_addc(b, '\0');
	b->len--;
	return b->p;
}

/* === cdc_rest: judging answers === */

T_TEST(rest_judge)
{
	static const struct {
		long status;
		const char *body;
		int rc, code;
		const char *err;
	} c[] = {
		{200, "{\"code\":0,\"data\":{\"has\":true}}", CDC_REST_OK, 0, ""},
		{200, "{\"code\":8,\"message\":\"rate limit\"}",
		    CDC_REST_TRANSIENT, 8, "code 8: rate limit"},
		{200, "{\"code\":1807,\"message\":\"limiter\"}",
		    CDC_REST_TRANSIENT, 1807, "code 1807: limiter"},
		{200, "{\"code\":103,\"message\":\"x\"}", CDC_REST_TRANSIENT,
		    103, "code 103: x"},
		{200, "{\"code\":101,\"message\":\"not loaded\"}",
		    CDC_REST_PERMANENT, 101, "code 101: not loaded"},
		{200, "{\"code\":1100,\"message\":\"bad dim\"}",
		    CDC_REST_PERMANENT, 1100, "code 1100: bad dim"},
		{200, "{\"code\":65535,\"message\":\"dup\"}", CDC_REST_PERMANENT,
		    65535, "code 65535: dup"},
		{408, "{\"code\":10001,\"message\":\"request timeout\"}",
		    CDC_REST_TRANSIENT, 10001, "code 10001: request timeout"},
		{500, "", CDC_REST_TRANSIENT, 0, "HTTP 500: not a Milvus response"},
		{503, "{\"code\":65535,\"message\":\"panic\"}",
		    CDC_REST_TRANSIENT, 65535, "code 65535: panic"},
		{401, "{\"code\":1800,\"message\":\"user hasn't authenticated\"}",
		    CDC_REST_PERMANENT, 1800,
		    "code 1800: user hasn't authenticated"},
		{403, "forbidden", CDC_REST_PERMANENT, 0,
		    "HTTP 403: not a Milvus response"},
		{200, "<html>", CDC_REST_PERMANENT, 0,
		    "HTTP 200: not a Milvus response"},
		{404, "404 page not found", CDC_REST_PERMANENT, 0,
		    "/v2/vectordb/collections/flush not found: it needs Milvus "
		    "2.5.4 or later"},
	};

	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		char err[256] = "";
		json_t *data = NULL;
		int code = -1;
		int rc = cdc_rest_judge(c[i].status,
		    "/v2/vectordb/collections/flush", c[i].body,
		    strlen(c[i].body), &data, &code, err, sizeof err);

		T_EQ_INT(rc, c[i].rc);
		T_EQ_INT(code, c[i].code);
		T_EQ_STR(err, c[i].err);
		if (rc == CDC_REST_OK)
			T_CHECK(json_is_true(json_object_get(data, "has")));
		json_decref(data);
	}
}

T_TEST(rest_needs_backoff)
{
	T_EQ_STR(cdc_rest_needs("/v2/vectordb/databases/create"), "2.5.0");
	T_EQ_STR(cdc_rest_needs("/v2/vectordb/databases/drop_properties"),
	    "2.5.4");
	T_EQ_STR(cdc_rest_needs("/v2/vectordb/collections/fields/add"),
	    "2.6.0");
	T_EQ_STR(cdc_rest_needs("/v2/vectordb/entities/upsert"), "2.4.0");
	T_CHECK(cdc_rest_transient(2) && cdc_rest_transient(10001));
	T_CHECK(!cdc_rest_transient(0) && !cdc_rest_transient(1804));
	/* base doubled per attempt, jitter in [0.5, 1), capped at 30 s */
	T_CHECK(cdc_rest_backoff(0.1, 0, 0) == 0.05);
	T_CHECK(cdc_rest_backoff(0.1, 0, 0.999) < 0.1);
	T_CHECK(cdc_rest_backoff(0.1, 3, 0) == 0.4);
	T_CHECK(cdc_rest_backoff(0.1, 40, 0) == 15);
	T_CHECK(cdc_rest_backoff(0.1, 40, 0.999) < 30);
}

/* === cdc_rest against a canned server === */

/*
 * A child answering each request with the next canned response over
 * keep-alive connections, appending each request's head to `log`.  A
 * response of NULL closes the connection without an answer.
 */
static pid_t
canned(int *port, const char *const *resp, size_t n, const char *log)
{
	struct sockaddr_in a = {0};
	socklen_t al = sizeof a;
	int ls = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	pid_t pid;

	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	T_CHECK(bind(ls, (struct sockaddr *)&a, sizeof a) == 0);
	T_CHECK(listen(ls, 4) == 0);
	getsockname(ls, (struct sockaddr *)&a, &al);
	*port = ntohs(a.sin_port);
	if ((pid = fork()) != 0) {
		close(ls);
		return pid;
	}
	for (size_t i = 0, fd = (size_t)-1; i < n; i++) {
		char req[65536], *end, *cl;
		size_t got = 0, want;
		ssize_t r;
		FILE *f;

		if (fd == (size_t)-1)
			fd = (size_t)accept(ls, NULL, NULL);
		while (!(req[got] = '\0', end = strstr(req, "\r\n\r\n")) &&
		    (r = read((int)fd, req + got, sizeof req - got - 1)) > 0)
			got += (size_t)r;
		if (!end)
			_exit(1);
		cl = strstr(req, "Content-Length: ");
		want = (size_t)(end + 4 - req) + (cl ? strtoul(cl + 16, NULL,
		    10) : 0);
		while (got < want && (r = read((int)fd, req + got,
		    sizeof req - got - 1)) > 0)
			got += (size_t)r;
		if ((f = fopen(log, "a")) != NULL) {
			fwrite(req, 1, got, f);
			fputs("\n--\n", f);
			fclose(f);
		}
		if (!resp[i]) {
			close((int)fd);
			fd = (size_t)-1;
			continue;
		}
		if (write((int)fd, resp[i], strlen(resp[i])) < 0)
			_exit(1);
	}
	_exit(0);
}

static char *
resp(const char *status, const char *body)
{
	char *s = malloc(1024);

	snprintf(s, 1024, "HTTP/1.1 %s\r\nContent-Type: application/json\r\n"
	    "Content-Length: %zu\r\n\r\n%s", status, strlen(body), body);
	return s;
}

T_TEST(rest_retries)
{
	char *r[4], uri[64], err[256], *log_text = NULL, log[] =
	    "/tmp/test_rest.XXXXXX";
	const char *rs[4];
	struct cdc_rest_opts o = {0};
	struct cdc_rest rest;
	json_t *data = NULL;
	size_t len;
	int port, fd = mkstemp(log), st;
	pid_t pid;

	close(fd);
	r[0] = NULL;	/* connection closed unanswered: a transport error */
	r[1] = resp("500 Internal Server Error", "");
	r[2] = resp("200 OK", "{\"code\":8,\"message\":\"busy\"}");
	r[3] = resp("200 OK", "{\"code\":0,\"data\":{\"n\":5}}");
	memcpy(rs, r, sizeof rs);
	pid = canned(&port, rs, 4, log);
	snprintf(uri, sizeof uri, "http://127.0.0.1:%d", port);
	o.uri = uri;
	o.token = "root:Milvus";
	o.timeout = 5;
	o.retry_max = 3;
	o.backoff = 0.001;
	T_EQ_INT(cdc_rest_init(&rest, &o, err, sizeof err), 0);
	T_EQ_INT(cdc_rest_call(&rest, "/v2/vectordb/entities/upsert", "{}", 2,
	    &data, err, sizeof err), CDC_REST_OK);
	T_EQ_INT(json_integer_value(json_object_get(data, "n")), 5);
	T_EQ_INT(rest.calls, 4);
	T_EQ_INT(rest.retries, 3);
	json_decref(data);
	cdc_rest_fini(&rest);
	waitpid(pid, &st, 0);
	T_CHECK(cdc_file_read(log, &log_text, &len, err, sizeof err) == 1);
	T_CHECK(log_text && strstr(log_text, "POST /v2/vectordb/entities/upsert "
	    "HTTP/1.1\r\n"));
	T_CHECK(log_text && strstr(log_text, "Authorization: Bearer "
	    "root:Milvus\r\n"));
	T_CHECK(log_text && strstr(log_text, "Request-Timeout: 5\r\n"));
	T_CHECK(log_text && strstr(log_text, "Content-Type: application/json"));
	T_CHECK(log_text && !strstr(log_text, "100-continue"));
	free(log_text);
	unlink(log);
	for (int i = 0; i < 4; i++)
		free(r[i]);
}

T_TEST(rest_gives_up)
{
	static volatile sig_atomic_t stop;
	const char *rs[2];
	char *r, uri[64], err[256], log[] = "/tmp/test_rest.XXXXXX";
	struct cdc_rest_opts o = {0};
	struct cdc_rest rest;
	int port, fd = mkstemp(log), st;
	pid_t pid;

	close(fd);
	r = resp("500 Internal Server Error", "");
	rs[0] = rs[1] = r;
	pid = canned(&port, rs, 2, log);
	snprintf(uri, sizeof uri, "http://127.0.0.1:%d", port);
	o.uri = uri;
	o.timeout = 5;
	o.retry_max = 1;
	o.backoff = 0.001;
	cdc_rest_init(&rest, &o, err, sizeof err);
	/* retry_max 1: two tries, then transient */
	T_EQ_INT(cdc_rest_call(&rest, "/v2/vectordb/entities/delete", "{}", 2,
	    NULL, err, sizeof err), CDC_REST_TRANSIENT);
	T_EQ_INT(rest.calls, 2);
	T_EQ_STR(err, "HTTP 500: not a Milvus response");
	/* a signal seen before the call: nothing is sent */
	stop = 1;
	rest.stop = &stop;
	T_EQ_INT(cdc_rest_call(&rest, "/v2/vectordb/entities/delete", "{}", 2,
	    NULL, err, sizeof err), CDC_REST_STOPPED);
	T_EQ_INT(rest.calls, 2);
	T_EQ_STR(err, "stopped by a signal");
	cdc_rest_fini(&rest);
	waitpid(pid, &st, 0);
	unlink(log);
	free(r);
}

/* === cdc_apply: deletes === */

static const char *
del_text(struct cdc_buf *b, const char *keys, int params, const char *part)
{
	struct cdc_apply_del d = {0};
	msgpack_unpacked u;
	msgpack_sbuffer sb;
	const msgpack_object *k = mp(&u, &sb, keys);
	char err[128];

	for (uint32_t i = 0; i < k->via.array.size; i++)
		if (cdc_apply_del_add(&d, &k->via.array.ptr[i], params, err,
		    sizeof err) < 0) {
			b->len = 0;
			cdc_buf_adds(b, err);
			goto out;
		}
	b->len = 0;
	cdc_apply_del_body(b, &d, (struct cdc_str){"db", 2},
	    (struct cdc_str){"c", 1}, (struct cdc_str){part, strlen(part)},
	    (struct cdc_str){"pk", 2}, params);
out:
	cdc_apply_del_fini(&d);
	mp_free(&u, &sb);
	return buf_str(b);
}

T_TEST(apply_delete_filters)
{
	struct cdc_buf b = {0};

	T_EQ_STR(del_text(&b, "[1, -7, 9223372036854775807]", 1, ""),
	    "{\"dbName\":\"db\",\"collectionName\":\"c\",\"filter\":"
	    "\"pk in [1, -7, 9223372036854775807]\"}");
	T_EQ_STR(del_text(&b, "[-9223372036854775808]", 1, ""),
	    "{\"dbName\":\"db\",\"collectionName\":\"c\",\"filter\":"
	    "\"pk < -9223372036854775807\"}");
	T_EQ_STR(del_text(&b, "[3, -9223372036854775808]", 1, "p1"),
	    "{\"dbName\":\"db\",\"collectionName\":\"c\",\"partitionName\":"
	    "\"p1\",\"filter\":\"pk in [3] or pk < -9223372036854775807\"}");
	/* inline: "..." with \ " and controls escaped, then JSON-escaped */
	T_EQ_STR(del_text(&b, "[\"a\", \"q\\\"x\", \"b\\\\s\", \"n\\nl\", "
	    "\"\\u65e5\"]", 0, ""),
	    "{\"dbName\":\"db\",\"collectionName\":\"c\",\"filter\":"
	    "\"pk in [\\\"a\\\", \\\"q\\\\\\\"x\\\", \\\"b\\\\\\\\s\\\", "
	    "\\\"n\\\\x0al\\\", \\\"\xe6\x97\xa5\\\"]\"}");
	/* exprParams: JSON escaping only */
	T_EQ_STR(del_text(&b, "[\"a\", \"q\\\"x\"]", 1, ""),
	    "{\"dbName\":\"db\",\"collectionName\":\"c\",\"filter\":"
	    "\"pk in {keys}\",\"exprParams\":{\"keys\":[\"a\", "
	    "\"q\\\"x\"]}}");
	T_EQ_STR(del_text(&b, "[1, \"a\"]", 1, ""),
	    "delete keys of two types in one batch");
	T_EQ_STR(del_text(&b, "[1.5]", 1, ""),
	    "a delete key is neither int64 nor str");
	cdc_buf_fini(&b);
}

/* === cdc_apply: schemas === */

static const char schema_json[] =
    "{\"name\":\"s\",\"description\":\"d\",\"auto_id\":true,"
    "\"enable_dynamic_field\":true,\"shards\":2,"
    "\"consistency_level\":\"Strong\",\"properties\":{},\"fields\":["
    "{\"field_id\":100,\"name\":\"id\",\"type\":\"VarChar\","
    "\"primary_key\":true,\"auto_id\":true,\"params\":{\"max_length\":\"64\"}},"
    "{\"field_id\":101,\"name\":\"t\",\"type\":\"VarChar\","
    "\"params\":{\"max_length\":\"99\",\"enable_analyzer\":\"true\"},"
    "\"partition_key\":true},"
    "{\"field_id\":102,\"name\":\"n\",\"type\":\"Int32\",\"nullable\":true,"
    "\"default_value\":5,\"params\":{}},"
    "{\"field_id\":103,\"name\":\"a\",\"type\":\"Array\",\"element_type\":"
    "\"Int16\",\"params\":{\"max_capacity\":\"4\"}},"
    "{\"field_id\":104,\"name\":\"v\",\"type\":\"FloatVector\","
    "\"params\":{\"dim\":\"8\"}},"
    "{\"field_id\":105,\"name\":\"sp\",\"type\":\"SparseFloatVector\","
    "\"params\":{},\"function_output\":true},"
    "{\"field_id\":106,\"name\":\"$meta\",\"type\":\"JSON\",\"dynamic\":true,"
    "\"params\":{}}],"
    "\"functions\":[{\"name\":\"bm\",\"type\":\"BM25\",\"input_fields\":"
    "[\"t\"],\"output_fields\":[\"sp\"],\"params\":{}}]}";

T_TEST(apply_create_body)
{
	struct cdc_buf b = {0};
	msgpack_unpacked u;
	msgpack_sbuffer sb;
	const msgpack_object *s = mp(&u, &sb, schema_json);
	char err[128];

	T_EQ_INT(cdc_apply_create_body(&b, (struct cdc_str){"db", 2},
	    (struct cdc_str){"c", 1}, s, err, sizeof err), 0);
	T_EQ_STR(buf_str(&b), "{\"dbName\":\"db\",\"collectionName\":\"c\","
	    "\"description\":\"d\",\"schema\":{\"autoID\":false,"
	    "\"enableDynamicField\":true,\"fields\":["
	    "{\"fieldName\":\"id\",\"dataType\":\"VarChar\",\"isPrimary\":true,"
	    "\"elementTypeParams\":{\"max_length\":\"64\"}},"
	    "{\"fieldName\":\"t\",\"dataType\":\"VarChar\",\"isPartitionKey\":"
	    "true,\"elementTypeParams\":{\"max_length\":\"99\","
	    "\"enable_analyzer\":\"true\"}},"
	    "{\"fieldName\":\"n\",\"dataType\":\"Int32\",\"nullable\":true,"
	    "\"defaultValue\":5,\"elementTypeParams\":{}},"
	    "{\"fieldName\":\"a\",\"dataType\":\"Array\",\"elementDataType\":"
	    "\"Int16\",\"elementTypeParams\":{\"max_capacity\":\"4\"}},"
	    "{\"fieldName\":\"v\",\"dataType\":\"FloatVector\","
	    "\"elementTypeParams\":{\"dim\":\"8\"}},"
	    "{\"fieldName\":\"sp\",\"dataType\":\"SparseFloatVector\","
	    "\"elementTypeParams\":{}}],"
	    "\"functions\":[{\"name\":\"bm\",\"type\":\"BM25\","
	    "\"inputFieldNames\":[\"t\"],\"outputFieldNames\":[\"sp\"],"
	    "\"params\":{}}]},"
	    "\"params\":{\"shardsNum\":\"2\",\"consistencyLevel\":\"Strong\"}}");
	cdc_buf_fini(&b);
	mp_free(&u, &sb);
}

T_TEST(apply_info)
{
	struct cdc_apply_info in = {0};
	msgpack_unpacked u;
	msgpack_sbuffer sb;
	json_t *desc = json_loads("{\"fields\":[{\"name\":\"t\","
	    "\"partitionKey\":false},{\"name\":\"o\",\"isFunctionOutput\":true}],"
	    "\"functions\":[{\"outputFieldNames\":[\"o2\"]}]}", 0, NULL);

	cdc_apply_info_schema(&in, mp(&u, &sb, schema_json));
	T_EQ_INT(in.partition_key, 1);
	T_CHECK(in.noutputs >= 1 && !strcmp(in.outputs[0], "sp"));
	cdc_apply_info_describe(&in, desc);
	T_EQ_INT(in.partition_key, 0);
	T_EQ_UINT(in.noutputs, 2);
	T_EQ_STR(in.outputs[0], "o");
	T_EQ_STR(in.outputs[1], "o2");
	cdc_apply_info_fini(&in);
	json_decref(desc);
	mp_free(&u, &sb);
}

/* The describe data of schema_json as the target would answer, with edits. */
static const char *
match(const char *desc_text)
{
	static char err[256];
	msgpack_unpacked u;
	msgpack_sbuffer sb;
	json_t *desc = json_loads(desc_text, 0, NULL);

	T_CHECK(desc != NULL);
	strcpy(err, "ok");
	cdc_apply_schema_match(mp(&u, &sb, schema_json), desc, err,
	    sizeof err);
	json_decref(desc);
	mp_free(&u, &sb);
	return err;
}

#define DESC(id, t, v) "{\"enableDynamicField\":true,\"fields\":[" \
	"{\"name\":\"id\",\"type\":\"" id "\",\"primaryKey\":true," \
	"\"params\":[{\"key\":\"max_length\",\"value\":\"64\"}]}," \
	"{\"name\":\"t\",\"type\":\"VarChar\",\"partitionKey\":" t "," \
	"\"params\":[{\"key\":\"max_length\",\"value\":\"99\"}]}," \
	"{\"name\":\"n\",\"type\":\"Int32\",\"nullable\":true}," \
	"{\"name\":\"a\",\"type\":\"Array\",\"elementType\":\"Int16\"}," \
	"{\"name\":\"v\",\"type\":\"FloatVector\"," \
	"\"params\":[{\"key\":\"dim\",\"value\":\"" v "\"}]}," \
	"{\"name\":\"sp\",\"type\":\"SparseFloatVector\"}"

T_TEST(apply_schema_match)
{
	T_EQ_STR(match(DESC("VarChar", "true", "8") "]}"), "ok");
	T_EQ_STR(match(DESC("Int64", "true", "8") "]}"),
	    "schema mismatch: field \"id\" is Int64 on the target, VarChar "
	    "in the stream");
	T_EQ_STR(match(DESC("VarChar", "true", "16") "]}"),
	    "schema mismatch: field \"v\" has dim 16 on the target, 8 in the "
	    "stream");
	T_EQ_STR(match(DESC("VarChar", "false", "8") "]}"),
	    "schema mismatch: field \"t\" is not the partition key on the "
	    "target");
	T_EQ_STR(match(DESC("VarChar", "true", "8")
	    ",{\"name\":\"extra\",\"type\":\"Bool\"}]}"),
	    "schema mismatch: field \"extra\" exists on the target only");
	T_EQ_STR(match("{\"fields\":[{\"name\":\"id\",\"type\":\"VarChar\","
	    "\"primaryKey\":true}]}"),
	    "schema mismatch: field \"t\" is missing on the target");
}

/* === cdc_apply: WKB -> WKT === */

static const char *
wkt_of(struct cdc_buf *b, const char *hex)
{
	unsigned char raw[512];
	size_t n = strlen(hex) / 2;
	char err[128];

	for (size_t i = 0; i < n; i++) {
		unsigned v;

		sscanf(hex + 2 * i, "%2x", &v);
		raw[i] = (unsigned char)v;
	}
	b->len = 0;
	if (cdc_apply_wkt(b, raw, n, err, sizeof err) < 0) {
		b->len = 0;
		cdc_buf_adds(b, err);
	}
	return buf_str(b);
}

#define PT_LE "0101000000000000000000f03f0000000000000040"
#define PT_BE "00000000013ff00000000000004000000000000000"
#define LS_LE "010200000002000000" "00000000000000000000000000000000" \
	"000000000000f03f000000000000f03f"

T_TEST(apply_wkt)
{
	struct cdc_buf b = {0};

	T_EQ_STR(wkt_of(&b, PT_LE), "POINT (1.0 2.0)");
	T_EQ_STR(wkt_of(&b, PT_BE), "POINT (1.0 2.0)");
	T_EQ_STR(wkt_of(&b, LS_LE), "LINESTRING (0.0 0.0, 1.0 1.0)");
	T_EQ_STR(wkt_of(&b, "01030000000100000003000000"
	    "00000000000000000000000000000000"
	    "000000000000f03f0000000000000000"
	    "00000000000000000000000000000000"),
	    "POLYGON ((0.0 0.0, 1.0 0.0, 0.0 0.0))");
	T_EQ_STR(wkt_of(&b, "010400000002000000" PT_LE PT_BE),
	    "MULTIPOINT ((1.0 2.0), (1.0 2.0))");
	T_EQ_STR(wkt_of(&b, "010700000002000000" PT_LE LS_LE),
	    "GEOMETRYCOLLECTION (POINT (1.0 2.0), LINESTRING (0.0 0.0, "
	    "1.0 1.0))");
	T_EQ_STR(wkt_of(&b, "01e9030000000000000000f03f"
	    "0000000000000040000000000000f03f"), "POINT Z (1.0 2.0 1.0)");
	T_EQ_STR(wkt_of(&b, "0101000020e6100000000000000000f03f"
	    "0000000000000040"), "POINT (1.0 2.0)");
	T_EQ_STR(wkt_of(&b, "0101000000000000000000f87f000000000000f87f"),
	    "POINT EMPTY");
	T_EQ_STR(wkt_of(&b, "010200000000000000"), "LINESTRING EMPTY");
	T_EQ_STR(wkt_of(&b, "0101000000000000000000f03f00000000000000"),
	    "invalid WKB geometry (20 bytes, at byte 13)");
	T_EQ_STR(wkt_of(&b, PT_LE "00"),
	    "invalid WKB geometry (22 bytes, at byte 21)");
	T_EQ_STR(wkt_of(&b, "0108000000"),
	    "invalid WKB geometry (5 bytes, at byte 5)");
	T_EQ_STR(wkt_of(&b, "0102000000ffffff7f"),
	    "invalid WKB geometry (9 bytes, at byte 9)");
	cdc_buf_fini(&b);
}

T_TEST(apply_text_as_varchar)
{
	struct cdc_buf b = {0};
	msgpack_unpacked u;
	msgpack_sbuffer sb;
	char err[128];
	const msgpack_object *s = mp(&u, &sb, "{\"fields\":["
	    "{\"name\":\"id\",\"type\":\"Int64\",\"primary_key\":true},"
	    "{\"name\":\"t\",\"type\":\"Text\",\"params\":{}},"
	    "{\"name\":\"u\",\"type\":\"Text\",\"params\":{\"enable_match\":"
	    "\"true\"}}]}");
	json_t *desc = json_loads("{\"fields\":[{\"name\":\"id\",\"type\":"
	    "\"Int64\",\"primaryKey\":true},{\"name\":\"t\",\"type\":"
	    "\"VarChar\"},{\"name\":\"u\",\"type\":\"VarChar\"}]}", 0, NULL);

	T_EQ_INT(cdc_apply_create_body(&b, (struct cdc_str){"d", 1},
	    (struct cdc_str){"c", 1}, s, err, sizeof err), 0);
	T_CHECK(strstr(buf_str(&b), "{\"fieldName\":\"t\",\"dataType\":"
	    "\"VarChar\",\"elementTypeParams\":{\"max_length\":\"65535\"}},"
	    "{\"fieldName\":\"u\",\"dataType\":\"VarChar\","
	    "\"elementTypeParams\":{\"enable_match\":\"true\","
	    "\"max_length\":\"65535\"}}") != NULL);
	T_EQ_INT(cdc_apply_schema_match(s, desc, err, sizeof err), 0);
	json_decref(desc);
	cdc_buf_fini(&b);
	mp_free(&u, &sb);
}
