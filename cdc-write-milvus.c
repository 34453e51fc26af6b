/*
 * cdc-write-milvus - apply a cdc-stream(5) to another Milvus over its REST v2
 * API: DDL as the matching calls, inserts as upserts (replay-safe), deletes
 * as "pk in [...]" filters, batched per collection and partition without
 * ever moving a delete past an insert.  A checkpoint frame is persisted once
 * every event before it is applied.
 *
 * options, setup (REST client, input), run (events -> batches -> requests),
 * teardown.
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "cdc_apply.h"
#include "cdc_event.h"
#include "cdc_input.h"
#include "cdc_json.h"
#include "cdc_rest.h"
#include "cdc_util.h"

struct map {
	char *from, *to;	/* glob on the source name -> target name */
};

struct opts {
	struct cdc_rest_opts rest;
	const char *token_file, *user, *password_file, *ckpt, *dead_letter;
	int upsert, exprparams, verbose;
	size_t batch_bytes, batch_rows, max_frame;
	struct map *map_db, *map_coll;
	size_t nmap_db, nmap_coll;
	char **colls, **dbs;
	size_t ncolls, ndbs;
	char **files;
	size_t nfiles;
};

/* Consecutive inserts of one collection and partition. */
struct batch {
	char db[256], coll[256], part[256];
	struct cdc_buf rows;	/* rows joined by ',' */
	size_t n;		/* rows; 0 when empty */
	char src[300];		/* source position of the first event */
	struct cdc_buf held;	/* the batched events' frames (dead letter) */
};

struct writer {
	struct opts *o;
	struct cdc_rest rest;
	struct cdc_input in;
	struct cdc_buf body;
	struct cdc_cols cols;
	struct batch b;
	FILE *dead;
	uint64_t rows, events;
	int status;
};

static volatile sig_atomic_t stop_sig;

static void
on_signal(int sig)
{
	stop_sig = sig;
}

/* === options === */

static const struct option longopts[] = {
	{"uri", required_argument, NULL, 'U'},
	{"token-file", required_argument, NULL, 'T'},
	{"user", required_argument, NULL, 'u'},
	{"password-file", required_argument, NULL, 'P'},
	{"cacert", required_argument, NULL, 'A'},
	{"insecure", no_argument, NULL, 'k'},
	{"timeout", required_argument, NULL, 't'},
	{"insert-mode", required_argument, NULL, 'I'},
	{"batch-bytes", required_argument, NULL, 'B'},
	{"batch-rows", required_argument, NULL, 'R'},
	{"map-db", required_argument, NULL, 'm'},
	{"map-collection", required_argument, NULL, 'M'},
	{"collection", required_argument, NULL, 'C'},
	{"db", required_argument, NULL, 'D'},
	{"retry-max", required_argument, NULL, 'r'},
	{"retry-backoff", required_argument, NULL, 'b'},
	{"milvus-version", required_argument, NULL, 'W'},
	{"dead-letter", required_argument, NULL, 'L'},
	{"checkpoint", required_argument, NULL, 'K'},
	{"dry-run", no_argument, NULL, 'n'},
	{"max-frame", required_argument, NULL, 'F'},
	{"verbose", no_argument, NULL, 'v'},
	{"quiet", no_argument, NULL, 'q'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

static void
usage(FILE *f)
{
	fputs("usage: cdc-write-milvus --uri uri [--token-file file | --user "
	    "name --password-file file]\n"
	    "                        [--insert-mode upsert|insert] "
	    "[--map-db src=dst] [--map-collection src=dst]\n"
	    "                        [--checkpoint file] [--dead-letter file] "
	    "[--dry-run] [-vq] [file ...]\n", f);
}

static void
help(void)
{
	usage(stdout);
	fputs("\nApply a cdc-stream (stdin or files) to a Milvus over REST "
	    "v2.\n\n"
	    "      --uri URI             http(s)://host:19530\n"
	    "      --token-file FILE     token (user:password or API key); "
	    "or MILVUS_TOKEN\n"
	    "      --user NAME           with --password-file FILE\n"
	    "      --cacert FILE         CA certificates for https\n"
	    "      --insecure            do not verify the server certificate\n"
	    "      --timeout SECS        per request (30)\n"
	    "      --insert-mode MODE    upsert (default, replay-safe) or "
	    "insert\n"
	    "      --batch-bytes SIZE    rows per request, by bytes (8m)\n"
	    "      --batch-rows N        rows per request, at most (5000)\n"
	    "      --map-db SRC=DST      rename databases (glob on SRC)\n"
	    "      --map-collection SRC=DST  rename collections (glob)\n"
	    "      --collection GLOB     only these collections\n"
	    "      --db GLOB             only these databases\n"
	    "      --retry-max N         retries of a transient failure (8)\n"
	    "      --retry-backoff MS    first retry delay (200)\n"
	    "      --milvus-version V    target version: 2.4, 2.5, 2.6 (2.5)\n"
	    "      --dead-letter FILE    write refused events there and go on\n"
	    "      --checkpoint FILE     persist checkpoints once applied\n"
	    "      --dry-run             print the requests, send nothing\n"
	    "      --max-frame SIZE      largest frame accepted (256m)\n"
	    "  -v, --verbose             more messages\n"
	    "  -q, --quiet               errors only\n"
	    "  -h, --help                this text\n"
	    "  -V, --version             version\n", stdout);
}

static int
bad_opt(const char *msg, const char *arg)
{
	cdc_log_err("%s '%s'", msg, arg);
	usage(stderr);
	fputs("Try 'cdc-write-milvus --help'.\n", stderr);
	return -1;
}

static int
add_map(struct map **v, size_t *n, const char *arg)
{
	const char *eq = strchr(arg, '=');

	if (!eq || eq == arg || !eq[1])
		return -1;
	*v = cdc_xrealloc(*v, (*n + 1) * sizeof **v);
	(*v)[*n].from = cdc_xstrndup(arg, (size_t)(eq - arg));
	(*v)[(*n)++].to = cdc_xstrdup(eq + 1);
	return 0;
}

static void
push(char ***v, size_t *n, char *s)
{
	*v = cdc_xrealloc(*v, (*n + 1) * sizeof **v);
	(*v)[(*n)++] = s;
}

static int
opt_one(struct opts *o, int ch, char *arg)
{
	const char *e = NULL;

	switch (ch) {
	case 'U': o->rest.uri = arg; break;
	case 'T': o->token_file = arg; break;
	case 'u': o->user = arg; break;
	case 'P': o->password_file = arg; break;
	case 'A': o->rest.cacert = arg; break;
	case 'k': o->rest.insecure = 1; break;
	case 't': o->rest.timeout = (double)cdc_opt_num(arg, 1, 3600, &e); break;
	case 'I':
		if (strcmp(arg, "upsert") && strcmp(arg, "insert"))
			return bad_opt("invalid --insert-mode", arg);
		o->upsert = !strcmp(arg, "upsert");
		break;
	case 'B': o->batch_bytes = (size_t)cdc_opt_size(arg, 1024, 1 << 30, &e);
		break;
	case 'R': o->batch_rows = (size_t)cdc_opt_num(arg, 1, 1000000, &e);
		break;
	case 'm':
		if (add_map(&o->map_db, &o->nmap_db, arg) < 0)
			return bad_opt("invalid --map-db", arg);
		break;
	case 'M':
		if (add_map(&o->map_coll, &o->nmap_coll, arg) < 0)
			return bad_opt("invalid --map-collection", arg);
		break;
	case 'C': push(&o->colls, &o->ncolls, arg); break;
	case 'D': push(&o->dbs, &o->ndbs, arg); break;
	case 'r': o->rest.retry_max = (int)cdc_opt_num(arg, 0, 100, &e); break;
	case 'b':
		o->rest.backoff = (double)cdc_opt_num(arg, 0, 60000, &e) / 1000;
		break;
	case 'W':
		if (strcmp(arg, "2.4") && strcmp(arg, "2.5") && strcmp(arg, "2.6"))
			return bad_opt("invalid --milvus-version", arg);
		o->exprparams = strcmp(arg, "2.4") != 0;
		break;
	case 'L': o->dead_letter = arg; break;
	case 'K': o->ckpt = arg; break;
	case 'n': o->rest.dry_run = 1; break;
	case 'F': o->max_frame = (size_t)cdc_opt_size(arg, 16, UINT32_MAX, &e);
		break;
	case 'v': o->verbose++; break;
	case 'q': o->verbose = -1; break;
	case 'h': help(); return 1;
	case 'V':
		printf("cdc-write-milvus %s (%s, jansson %s)\n", CDC_VERSION,
		    curl_version(), JANSSON_VERSION);
		return 1;
	default: return bad_opt("invalid option", arg ? arg : "?");
	}
	return e ? bad_opt("invalid argument", arg) : 0;
}

static int
parse_opts(struct opts *o, int argc, char **argv)
{
	int ch, rc;

	o->upsert = 1;
	o->exprparams = 1;
	o->rest.timeout = 30;
	o->rest.retry_max = 8;
	o->rest.backoff = 0.2;
	o->batch_bytes = 8u << 20;
	o->batch_rows = 5000;
	o->max_frame = CDC_FRAME_MAX_DEFAULT;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "vqhV", longopts, NULL)) != -1)
		if ((rc = opt_one(o, ch, ch == '?' ? argv[optind - 1] :
		    optarg)) != 0)
			return rc;
	if (!o->rest.uri && !o->rest.dry_run)
		return bad_opt("missing", "--uri");
	if (o->user && !o->password_file)
		return bad_opt("--user needs", "--password-file");
	o->files = argv + optind;
	o->nfiles = (size_t)(argc - optind);
	return 0;
}

/* === names, filters === */

/* Map a name through SRC=DST globs into out (NUL-terminated). */
static void
map_name(char *out, size_t n, const struct map *m, size_t nm,
    struct cdc_str s)
{
	snprintf(out, n, "%.*s", (int)s.n, s.p);
	for (size_t i = 0; i < nm; i++)
		if (fnmatch(m[i].from, out, 0) == 0) {
			snprintf(out, n, "%s", m[i].to);
			return;
		}
}

static int
glob_any(char **pats, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (fnmatch(pats[i], s, 0) == 0)
			return 1;
	return n == 0;
}

/* Does the event pass --db/--collection?  Fills mapped db and coll. */
static int
target(const struct writer *w, const struct cdc_event *ev, char *db,
    char *coll)
{
	char d[256], c[256], dc[520];

	snprintf(d, sizeof d, "%.*s", (int)ev->db.n, ev->db.p);
	snprintf(c, sizeof c, "%.*s", (int)ev->collection.n, ev->collection.p);
	snprintf(dc, sizeof dc, "%s.%s", d, c);
	if (!glob_any(w->o->dbs, w->o->ndbs, d) || (ev->collection.n &&
	    !glob_any(w->o->colls, w->o->ncolls, c) &&
	    !glob_any(w->o->colls, w->o->ncolls, dc)))
		return 0;
	map_name(db, 256, w->o->map_db, w->o->nmap_db, ev->db);
	map_name(coll, 256, w->o->map_coll, w->o->nmap_coll, ev->collection);
	return 1;
}

/* === requests === */

/* A refused event: to the dead-letter file, or stop (exit 1). */
static int
refused(struct writer *w, const char *src, const char *db, const char *coll,
    const char *err, const char *frames, size_t len)
{
	cdc_log_err("%s: %s.%s: %s", src, db, coll, err);
	if (!w->dead) {
		w->status = CDC_EXIT_RUNTIME;
		return -1;
	}
	if (fwrite(frames, 1, len, w->dead) != len || fflush(w->dead) != 0) {
		cdc_log_err("cannot write the dead-letter file: %s",
		    strerror(errno));
		w->status = CDC_EXIT_RUNTIME;
		return -1;
	}
	return 0;
}

static int
call(struct writer *w, const char *path, json_t **data, char *err,
    size_t errsz)
{
	int rc = cdc_rest_call(&w->rest, path, w->body.p, w->body.len, data,
	    err, errsz);

	if (rc == CDC_REST_TRANSIENT) {
		size_t n = strlen(err);

		snprintf(err + n, errsz - n, " (after %d retries)",
		    w->o->rest.retry_max);
	}
	return rc;
}

/*
 * Send the batch body.  Milvus 2.3-2.5 never write CreatePartition into
 * Kafka, so a partition the target lacks is created (idempotent) and the
 * rows sent again.
 */
static int
write_rows(struct writer *w, char *err, size_t errsz)
{
	const char *path = w->o->upsert ? "/v2/vectordb/entities/upsert" :
	    "/v2/vectordb/entities/insert";
	struct cdc_buf rows = w->body, part = {0};
	int rc;

	w->rest.last_code = 0;
	if ((rc = call(w, path, NULL, err, errsz)) == 0 ||
	    w->rest.last_code != 200 || !w->b.part[0])
		return rc;
	cdc_buf_adds(&part, "{\"dbName\":");
	cdc_json_str(&part, w->b.db, strlen(w->b.db));
	cdc_buf_adds(&part, ",\"collectionName\":");
	cdc_json_str(&part, w->b.coll, strlen(w->b.coll));
	cdc_buf_adds(&part, ",\"partitionName\":");
	cdc_json_str(&part, w->b.part, strlen(w->b.part));
	cdc_buf_addc(&part, '}');
	w->body = part;
	rc = call(w, "/v2/vectordb/partitions/create", NULL, err, errsz);
	w->body = rows;
	cdc_buf_fini(&part);
	return rc ? rc : call(w, path, NULL, err, errsz);
}

static int
flush_batch(struct writer *w)
{
	struct batch *b = &w->b;
	char err[1024];
	int rc = 0;

	if (b->n == 0)
		return 0;
	w->body.len = 0;
	cdc_buf_adds(&w->body, "{\"dbName\":");
	cdc_json_str(&w->body, b->db, strlen(b->db));
	cdc_buf_adds(&w->body, ",\"collectionName\":");
	cdc_json_str(&w->body, b->coll, strlen(b->coll));
	if (b->part[0] && strcmp(b->part, "_default") != 0) {
		cdc_buf_adds(&w->body, ",\"partitionName\":");
		cdc_json_str(&w->body, b->part, strlen(b->part));
	}
	cdc_buf_adds(&w->body, ",\"data\":[");
	cdc_buf_add(&w->body, b->rows.p, b->rows.len);
	cdc_buf_adds(&w->body, "]}");
	if (write_rows(w, err, sizeof err) != 0)
		rc = refused(w, b->src, b->db, b->coll, err, b->held.p,
		    b->held.len);
	else
		w->rows += b->n;
	b->n = 0;
	b->rows.len = b->held.len = 0;
	return rc;
}

/* Hold the event's frame for the dead-letter file. */
static void
hold(struct cdc_buf *held, const struct cdc_frame *fr)
{
	cdc_buf_grow(held, fr->len + 4);
	cdc_input_frame_bytes(fr, held->p + held->len);
	held->len += fr->len + 4;
}

static void
src_of(char *out, size_t n, const struct cdc_event *ev, uint64_t frame)
{
	if (ev->src.topic.n)
		snprintf(out, n, "frame %ju (%.*s@%jd)", (uintmax_t)frame,
		    (int)ev->src.topic.n, ev->src.topic.p,
		    (intmax_t)ev->src.offset);
	else
		snprintf(out, n, "frame %ju", (uintmax_t)frame);
}

/* === events === */

static int
on_insert(struct writer *w, const struct cdc_frame *fr,
    const struct cdc_event *ev, const char *db, const char *coll)
{
	struct batch *b = &w->b;
	char part[256], err[512];

	snprintf(part, sizeof part, "%.*s", (int)ev->partition.n,
	    ev->partition.p);
	if (cdc_cols_parse(&w->cols, ev->map, err, sizeof err) < 0) {
		cdc_log_err("%s: frame %ju: %s", w->in.name, (uintmax_t)fr->no,
		    err);
		w->status = CDC_EXIT_DATA;
		return -1;
	}
	w->cols.flags = CDC_JSON_REST;
	if (b->n && (strcmp(b->db, db) || strcmp(b->coll, coll) ||
	    strcmp(b->part, part)) && flush_batch(w) < 0)
		return -1;
	if (b->n == 0) {
		snprintf(b->db, sizeof b->db, "%s", db);
		snprintf(b->coll, sizeof b->coll, "%s", coll);
		snprintf(b->part, sizeof b->part, "%s", part);
		src_of(b->src, sizeof b->src, ev, fr->no);
	}
	hold(&b->held, fr);
	for (size_t r = 0; r < w->cols.rows; r++) {
		if (b->n > 0)
			cdc_buf_addc(&b->rows, ',');
		if (cdc_json_row(&b->rows, &w->cols, r, err, sizeof err) < 0) {
			cdc_log_err("%s: frame %ju: %s", w->in.name,
			    (uintmax_t)fr->no, err);
			w->status = CDC_EXIT_DATA;
			return -1;
		}
		if (++b->n >= w->o->batch_rows ||
		    b->rows.len >= w->o->batch_bytes) {
			if (flush_batch(w) < 0)
				return -1;
			hold(&b->held, fr);
		}
	}
	return 0;
}

/* A delete event: one request per 1000 keys, after the pending inserts. */
static int
on_delete(struct writer *w, const struct cdc_frame *fr,
    const struct cdc_event *ev, const char *db, const char *coll)
{
	const msgpack_object *keys = cdc_map_get(ev->map, "keys");
	struct cdc_str pk = {"", 0}, d = {db, strlen(db)}, c = {coll,
	    strlen(coll)};
	char err[1024], src[300];

	if (flush_batch(w) < 0)
		return -1;
	src_of(src, sizeof src, ev, fr->no);
	if (!keys || keys->type != MSGPACK_OBJECT_ARRAY ||
	    cdc_map_str(ev->map, "pk", &pk.p, &pk.n) < 0) {
		cdc_log_err("%s: %s.%s: a delete without keys or primary key "
		    "name (give cdc-read --state or --source-milvus)", src, db,
		    coll);
		w->status = CDC_EXIT_DATA;
		return -1;
	}
	for (size_t i = 0; i < keys->via.array.size; i += 1000) {
		size_t n = keys->via.array.size - i < 1000 ?
		    keys->via.array.size - i : 1000;

		w->body.len = 0;
		if (cdc_apply_delete_body(&w->body, d, c, pk, keys, i, n,
		    w->o->exprparams, err, sizeof err) < 0 ||
		    call(w, "/v2/vectordb/entities/delete", NULL, err,
		    sizeof err) != 0) {
			char *frame = cdc_xmalloc(fr->len + 4);
			int rc;

			cdc_input_frame_bytes(fr, frame);
			rc = refused(w, src, db, coll, err, frame, fr->len + 4);
			free(frame);
			return rc;
		}
	}
	w->rows += keys->via.array.size;
	return 0;
}

/* The body members of a DDL event: a path and its extra JSON members. */
static const char *
ddl_body(struct writer *w, const struct cdc_event *ev, const char *db,
    const char *coll)
{
	const msgpack_object *m = ev->map;
	struct cdc_buf *b = &w->body;
	char err[256];
	const char *path;

#define MEMBER(k, key) do { \
	cdc_buf_adds(b, ",\"" k "\":"); \
	if (cdc_map_get(m, key)) \
		cdc_json_msgpack(b, cdc_map_get(m, key), err, sizeof err); \
	else \
		cdc_buf_adds(b, "null"); \
} while (0)

	cdc_buf_adds(b, "{\"dbName\":");
	cdc_json_str(b, db, strlen(db));
	if (ev->collection.n) {
		cdc_buf_adds(b, ",\"collectionName\":");
		cdc_json_str(b, coll, strlen(coll));
	}
	switch (ev->type) {
	case CDC_EV_CREATE_DATABASE: path = "databases/create";
		MEMBER("properties", "properties"); break;
	case CDC_EV_DROP_DATABASE: path = "databases/drop"; break;
	case CDC_EV_ALTER_DATABASE: path = "databases/alter";
		MEMBER("properties", "properties"); break;
	case CDC_EV_DROP_COLLECTION: path = "collections/drop"; break;
	case CDC_EV_RENAME_COLLECTION: path = "collections/rename";
		MEMBER("newCollectionName", "new_name");
		if (cdc_map_get(m, "new_db"))
			MEMBER("newDbName", "new_db");
		break;
	case CDC_EV_ALTER_COLLECTION: path = "collections/alter_properties";
		MEMBER("properties", "properties"); break;
	case CDC_EV_CREATE_PARTITION: path = "partitions/create"; goto part;
	case CDC_EV_DROP_PARTITION: path = "partitions/drop";
	part:
		cdc_buf_adds(b, ",\"partitionName\":");
		cdc_json_str(b, ev->partition.p, ev->partition.n);
		break;
	case CDC_EV_DROP_INDEX: path = "indexes/drop";
		MEMBER("indexName", "index_name"); break;
	case CDC_EV_ALTER_INDEX: path = "indexes/alter_properties";
		MEMBER("indexName", "index_name");
		MEMBER("properties", "params"); break;
	case CDC_EV_LOAD_COLLECTION: path = "collections/load"; break;
	case CDC_EV_RELEASE_COLLECTION: path = "collections/release"; break;
	case CDC_EV_LOAD_PARTITIONS: path = "partitions/load";
		MEMBER("partitionNames", "partitions"); break;
	case CDC_EV_RELEASE_PARTITIONS: path = "partitions/release";
		MEMBER("partitionNames", "partitions"); break;
	case CDC_EV_CREATE_ALIAS: path = "aliases/create";
		MEMBER("aliasName", "alias"); break;
	case CDC_EV_ALTER_ALIAS: path = "aliases/alter";
		MEMBER("aliasName", "alias"); break;
	case CDC_EV_DROP_ALIAS: path = "aliases/drop";
		MEMBER("aliasName", "alias"); break;
	default:
		return NULL;
	}
#undef MEMBER
	cdc_buf_addc(b, '}');
	return path;
}

/* Replays of DDL that already happened are not errors. */
static int
benign(const struct cdc_event *ev, int code, const char *err)
{
	if ((ev->type == CDC_EV_CREATE_DATABASE ||
	    ev->type == CDC_EV_CREATE_ALIAS) && strstr(err, "already exist"))
		return 1;
	return (ev->type == CDC_EV_DROP_COLLECTION ||
	    ev->type == CDC_EV_DROP_DATABASE ||
	    ev->type == CDC_EV_DROP_PARTITION) && (code == 100 || code == 800 ||
	    code == 200);
}

/* create_collection creates; schema creates or checks an existing one. */
static int
on_schema(struct writer *w, const struct cdc_event *ev, const char *db,
    const char *coll, char *err, size_t errsz)
{
	const msgpack_object *schema = cdc_map_get(ev->map, "schema");
	struct cdc_str d = {db, strlen(db)}, c = {coll, strlen(coll)};
	json_t *desc = NULL;
	int rc;

	if (!schema) {
		snprintf(err, errsz, "event without a schema");
		return -3;
	}
	if (ev->type == CDC_EV_SCHEMA && !w->o->rest.dry_run) {
		w->body.len = 0;
		cdc_buf_adds(&w->body, "{\"dbName\":");
		cdc_json_str(&w->body, db, strlen(db));
		cdc_buf_adds(&w->body, ",\"collectionName\":");
		cdc_json_str(&w->body, coll, strlen(coll));
		cdc_buf_addc(&w->body, '}');
		rc = call(w, "/v2/vectordb/collections/describe", &desc, err,
		    errsz);
		if (rc == 0) {
			rc = cdc_apply_schema_match(schema, desc, err, errsz);
			json_decref(desc);
			return rc < 0 ? -3 : 0;
		}
		if (w->rest.last_code != 100)
			return rc;
	}
	w->body.len = 0;
	if (cdc_apply_create_body(&w->body, d, c, schema, err, errsz) < 0)
		return -3;
	return call(w, "/v2/vectordb/collections/create", NULL, err, errsz);
}

static int
apply_ddl(struct writer *w, const struct cdc_event *ev, const char *db,
    const char *coll, char *err, size_t errsz)
{
	char path[128];
	const char *p;

	w->body.len = 0;
	w->rest.last_code = 0;
	if (ev->type == CDC_EV_CREATE_COLLECTION || ev->type == CDC_EV_SCHEMA)
		return on_schema(w, ev, db, coll, err, errsz);
	if (ev->type == CDC_EV_CREATE_INDEX) {
		cdc_apply_index_body(&w->body, (struct cdc_str){db, strlen(db)},
		    (struct cdc_str){coll, strlen(coll)}, ev->map, err, errsz);
		p = "indexes/create";
	} else if (ev->type == CDC_EV_FLUSH) {
		const msgpack_object *cs = cdc_map_get(ev->map, "collections");

		for (uint32_t i = 0; cs && i < cs->via.array.size; i++) {
			w->body.len = 0;
			cdc_buf_adds(&w->body, "{\"dbName\":");
			cdc_json_str(&w->body, db, strlen(db));
			cdc_buf_adds(&w->body, ",\"collectionName\":");
			cdc_json_msgpack(&w->body, &cs->via.array.ptr[i], err,
			    errsz);
			cdc_buf_addc(&w->body, '}');
			if (call(w, "/v2/vectordb/collections/flush", NULL, err,
			    errsz) != 0)
				return -1;
		}
		return 0;
	} else if (!(p = ddl_body(w, ev, db, coll))) {
		return 0;
	}
	snprintf(path, sizeof path, "/v2/vectordb/%s", p);
	if (call(w, path, NULL, err, errsz) != 0 &&
	    !benign(ev, w->rest.last_code, err))
		return -1;
	return 0;
}

static int
on_ddl(struct writer *w, const struct cdc_frame *fr,
    const struct cdc_event *ev, const char *db, const char *coll)
{
	char err[1024], src[300], *frame;
	int rc;

	if (flush_batch(w) < 0)
		return -1;
	if ((rc = apply_ddl(w, ev, db, coll, err, sizeof err)) == 0)
		return 0;
	src_of(src, sizeof src, ev, fr->no);
	if (rc == -3) {	/* a schema mismatch: malformed for this target */
		cdc_log_err("%s: %s.%s: %s", src, db, coll, err);
		w->status = CDC_EXIT_DATA;
		return -1;
	}
	frame = cdc_xmalloc(fr->len + 4);
	cdc_input_frame_bytes(fr, frame);
	rc = refused(w, src, db, coll, err, frame, fr->len + 4);
	free(frame);
	return rc;
}

static int
on_checkpoint(struct writer *w, const struct cdc_frame *fr)
{
	char err[512], *frame;
	int rc;

	if (flush_batch(w) < 0 || !w->o->ckpt)
		return w->status ? -1 : 0;
	frame = cdc_xmalloc(fr->len + 4);
	cdc_input_frame_bytes(fr, frame);
	rc = cdc_ckpt_save(w->o->ckpt, frame, fr->len + 4, err, sizeof err);
	free(frame);
	if (rc < 0) {
		cdc_log_err("%s", err);
		w->status = CDC_EXIT_RUNTIME;
	}
	return rc;
}

static int
one_event(struct writer *w, const struct cdc_frame *fr,
    const struct cdc_event *ev)
{
	char db[256], coll[256];

	if (ev->type == CDC_EV_HEADER || ev->type == CDC_EV_UNKNOWN)
		return 0;
	if (ev->type == CDC_EV_CHECKPOINT)
		return on_checkpoint(w, fr);
	if (!target(w, ev, db, coll))
		return 0;
	w->events++;
	if (ev->type == CDC_EV_INSERT)
		return on_insert(w, fr, ev, db, coll);
	if (ev->type == CDC_EV_DELETE)
		return on_delete(w, fr, ev, db, coll);
	return on_ddl(w, fr, ev, db, coll);
}

static void
run(struct writer *w)
{
	struct cdc_frame fr;
	struct cdc_event ev;
	char err[1024];
	int n = 0;

	while (!stop_sig && w->status == 0 &&
	    (n = cdc_input_next(&w->in, &fr, &ev, err, sizeof err)) == 1) {
		if (ev.type == CDC_EV_UNKNOWN && !w->in.seen[0]++)
			cdc_log_warn("skipping events of unknown type '%.*s'",
			    (int)ev.type_name.n, ev.type_name.p);
		if (one_event(w, &fr, &ev) < 0)
			break;
	}
	if (w->status == 0)
		flush_batch(w);
	if (n < 0 && w->status == 0) {
		cdc_log_err("%s", err);
		w->status = CDC_EXIT_DATA;
	}
}

/* === setup and teardown === */

static char *
read_secret(const char *path)
{
	char *buf, err[512];
	size_t len;

	if (cdc_file_read(path, &buf, &len, err, sizeof err) <= 0) {
		cdc_log_err("cannot read '%s'", path);
		return NULL;
	}
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		len--;
	buf[len] = '\0';
	return buf;
}

/* The token: --token-file, --user + --password-file, or MILVUS_TOKEN. */
static int
credentials(struct opts *o, char **token)
{
	*token = NULL;
	if (o->token_file) {
		if (!(*token = read_secret(o->token_file)))
			return -1;
	} else if (o->user) {
		char *pw = read_secret(o->password_file);

		if (!pw)
			return -1;
		*token = cdc_xmalloc(strlen(o->user) + strlen(pw) + 2);
		sprintf(*token, "%s:%s", o->user, pw);
		free(pw);
	} else if (getenv("MILVUS_TOKEN")) {
		*token = cdc_xstrdup(getenv("MILVUS_TOKEN"));
	}
	o->rest.token = *token;
	return 0;
}

static int
setup(struct writer *w, char **token)
{
	char err[512];

	if (credentials(w->o, token) < 0)
		return -1;
	if (w->o->dead_letter && !(w->dead = fopen(w->o->dead_letter, "a"))) {
		cdc_log_err("cannot open '%s': %s", w->o->dead_letter,
		    strerror(errno));
		return -1;
	}
	if (cdc_rest_init(&w->rest, &w->o->rest, err, sizeof err) < 0 ||
	    cdc_input_open(&w->in, w->o->files, w->o->nfiles, w->o->max_frame,
	    err, sizeof err) < 0) {
		cdc_log_err("%s", err);
		return -1;
	}
	return 0;
}

static int
teardown(struct writer *w)
{
	cdc_log_info(2, "%ju events, %ju rows, %ld requests, %ld retries",
	    (uintmax_t)w->events, (uintmax_t)w->rows, w->rest.calls,
	    w->rest.retries);
	if (w->dead && fclose(w->dead) != 0 && w->status == 0)
		w->status = CDC_EXIT_RUNTIME;
	cdc_rest_fini(&w->rest);
	cdc_input_close(&w->in);
	cdc_buf_fini(&w->body);
	cdc_buf_fini(&w->b.rows);
	cdc_buf_fini(&w->b.held);
	cdc_cols_fini(&w->cols);
	return w->status;
}

int
main(int argc, char **argv)
{
	struct opts o = {0};
	struct writer w = {0};
	char *token = NULL;
	int rc;

	cdc_log_init(argv[0], 1);
	if ((rc = parse_opts(&o, argc, argv)) != 0)
		return rc > 0 ? 0 : CDC_EXIT_USAGE;
	cdc_log_init(argv[0], o.verbose < 0 ? 0 : 1 + o.verbose);
	w.o = &o;
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (setup(&w, &token) < 0) {
		teardown(&w);
		free(token);
		return CDC_EXIT_USAGE;
	}
	run(&w);
	rc = teardown(&w);
	free(token);
	if (stop_sig && rc == 0) {
		signal(stop_sig, SIG_DFL);
		raise(stop_sig);
	}
	return rc;
}
