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
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "cdc_apply.h"
#include "cdc_event.h"
#include "cdc_json.h"
#include "cdc_rest.h"
#include "cdc_util.h"
#include "cdc_writer.h"

struct map {
	char *from, *to;	/* glob on the source name -> target name */
};

struct opts {
	struct cdc_rest_opts rest;
	const char *token_file, *user, *password_file, *ckpt, *dead_letter;
	int upsert, exprparams, verbose;	/* exprparams -1: probe */
	size_t batch_bytes, batch_rows, max_frame;
	struct map *map_db, *map_coll;
	size_t nmap_db, nmap_coll;
	char **colls, **dbs;
	size_t ncolls, ndbs;
	char **files;
	size_t nfiles;
};

/*
 * Consecutive inserts, or consecutive deletes, of one collection and
 * partition: one request when flushed.  A delete is never moved past an
 * insert nor the other way round: a change of kind or partition flushes the
 * collection's batch.  Each collection has its own, so that interleaved
 * collections still batch; DDL and checkpoints flush them all, oldest first.
 */
#define MAX_BATCHES 64

struct batch {
	enum cdc_ev_type kind;	/* CDC_EV_INSERT, CDC_EV_DELETE; 0 empty */
	uint64_t seq;		/* creation order, for flushing them all */
	char db[256], coll[256], part[256], pk[256];
	struct cdc_buf rows;	/* inserts: rows joined by ',' */
	size_t n;		/* inserts: rows */
	struct cdc_apply_del del;	/* deletes: the keys */
	char src[300];		/* source position of the first event */
	struct cdc_buf held;	/* the batched events' frames (dead letter) */
};

/* What the writer knows of a target collection (by target names). */
struct coll {
	char db[256], name[256];
	struct cdc_apply_info info;
};

struct writer {
	struct opts *o;
	struct cdc_rest rest;
	struct cdc_wreader in;
	struct cdc_buf body;
	struct cdc_cols cols;
	struct cdc_col geo[16];	/* Geometry columns, written as WKT */
	size_t ngeo;
	struct batch b[MAX_BATCHES];
	uint64_t nseq;
	struct coll *colls;
	size_t ncolls;
	FILE *dead;
	uint64_t rows, deletes, events, refused;
	int status;
	int transient;		/* the last call ran out of retries */
	int stopped;		/* a signal came before a call: not sent */
	int warned_load, warned_flush;
};

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
	    "      --milvus-version V    target version 2.4, 2.5, 2.6 (asked)\n"
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

static void
maps_free(struct map *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].from);
		free(v[i].to);
	}
	free(v);
}

/* The option lists (--collection and --db strings are argv's). */
static void
opts_fini(struct opts *o)
{
	maps_free(o->map_db, o->nmap_db);
	maps_free(o->map_coll, o->nmap_coll);
	free(o->colls);
	free(o->dbs);
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
	o->exprparams = -1;
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
	if (o->rest.uri && strncmp(o->rest.uri, "http://", 7) &&
	    strncmp(o->rest.uri, "https://", 8))
		return bad_opt("invalid --uri (want http:// or https://)",
		    o->rest.uri);
	if (o->user && !o->password_file)
		return bad_opt("--user needs", "--password-file");
	/* A dry run applies nothing, so it must not claim progress. */
	if (o->rest.dry_run && o->ckpt)
		return bad_opt("--dry-run conflicts with", "--checkpoint");
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

static void
src_of(char *out, size_t n, const struct cdc_event *ev, uint64_t frame)
{
	if (ev->src.topic.n)
		snprintf(out, n, "frame %ju (%.*s[%jd]@%jd)", (uintmax_t)frame,
		    (int)ev->src.topic.n, ev->src.topic.p,
		    (intmax_t)ev->src.partition, (intmax_t)ev->src.offset);
	else
		snprintf(out, n, "frame %ju", (uintmax_t)frame);
}

/* A refused event: to the dead-letter file, or stop (exit 1).  A call
 * that ran out of retries is no refusal: Milvus never saw the event, so
 * it stops the run (the checkpoint stays before it) even with a file. */
static int
refused(struct writer *w, const char *src, const char *db, const char *coll,
    const char *err, const char *frames, size_t len)
{
	cdc_log_err("%s: %s.%s: %s", src, db, coll, err);
	if (!w->dead || cdc_stop_sig || w->transient) {
		w->status = CDC_EXIT_RUNTIME;
		return -1;
	}
	w->refused++;
	if (fwrite(frames, 1, len, w->dead) != len || fflush(w->dead) != 0) {
		cdc_log_err("cannot write '%s': %s", w->o->dead_letter,
		    strerror(errno));
		w->status = CDC_EXIT_RUNTIME;
		return -1;
	}
	return 0;
}

/* refused() for one frame. */
static int
refused_frame(struct writer *w, const struct cdc_frame *fr, const char *src,
    const char *db, const char *coll, const char *err)
{
	char *frame = cdc_xmalloc(fr->len + 4);
	int rc;

	cdc_input_frame_bytes(fr, frame);
	rc = refused(w, src, db, coll, err, frame, fr->len + 4);
	free(frame);
	return rc;
}

static int
call(struct writer *w, const char *path, json_t **data, char *err,
    size_t errsz)
{
	int rc = cdc_rest_call(&w->rest, path, w->body.p, w->body.len, data,
	    err, errsz);

	w->transient = rc == CDC_REST_TRANSIENT;
	w->stopped |= rc == CDC_REST_STOPPED;
	if (rc == CDC_REST_TRANSIENT && !cdc_stop_sig) {
		size_t n = strlen(err);

		snprintf(err + n, errsz - n, " (after %d retries)",
		    w->o->rest.retry_max);
	}
	return rc;
}

/* w->body = {"dbName":db,"collectionName":coll (when coll) */
static void
body_start(struct writer *w, const char *db, const char *coll)
{
	w->body.len = 0;
	cdc_buf_adds(&w->body, "{\"dbName\":");
	cdc_json_str(&w->body, db, strlen(db));
	if (coll) {
		cdc_buf_adds(&w->body, ",\"collectionName\":");
		cdc_json_str(&w->body, coll, strlen(coll));
	}
}

/* === what the writer knows of target collections === */

static struct coll *
coll_find(struct writer *w, const char *db, const char *name)
{
	for (size_t i = 0; i < w->ncolls; i++)
		if (!strcmp(w->colls[i].db, db) &&
		    !strcmp(w->colls[i].name, name))
			return &w->colls[i];
	return NULL;
}

static struct coll *
coll_add(struct writer *w, const char *db, const char *name)
{
	struct coll *c = coll_find(w, db, name);

	if (c)
		return c;
	w->colls = cdc_xrealloc(w->colls, (w->ncolls + 1) * sizeof *w->colls);
	c = &w->colls[w->ncolls++];
	memset(c, 0, sizeof *c);
	snprintf(c->db, sizeof c->db, "%s", db);
	snprintf(c->name, sizeof c->name, "%s", name);
	return c;
}

/* Forget a collection (dropped), or every one of a db (name NULL). */
static void
coll_forget(struct writer *w, const char *db, const char *name)
{
	for (size_t i = 0; i < w->ncolls;) {
		struct coll *c = &w->colls[i];

		if (strcmp(c->db, db) || (name && strcmp(c->name, name))) {
			i++;
			continue;
		}
		cdc_apply_info_fini(&c->info);
		*c = w->colls[--w->ncolls];
	}
}

/*
 * The target collection's partition key and function outputs: from the
 * stream's schema events, else asked once with collections/describe (a
 * stream that starts mid-way).  A collection the target lacks has none.
 */
static struct coll *
coll_info(struct writer *w, const char *db, const char *name)
{
	struct coll *c = coll_find(w, db, name);
	json_t *desc = NULL;
	char err[512];

	if (c)
		return c;
	c = coll_add(w, db, name);
	if (w->o->rest.dry_run)
		return c;
	body_start(w, db, name);
	cdc_buf_addc(&w->body, '}');
	if (call(w, "/v2/vectordb/collections/describe", &desc, err,
	    sizeof err) == 0)
		cdc_apply_info_describe(&c->info, desc);
	json_decref(desc);
	return c;
}

/*
 * Milvus 2.5 and later take string keys as exprParams.  Without
 * --milvus-version, ask once: a server without databases/list (404) is 2.4.
 */
static int
use_exprparams(struct writer *w)
{
	char err[512];

	if (w->o->exprparams >= 0)
		return w->o->exprparams;
	w->body.len = 0;
	cdc_buf_adds(&w->body, "{}");
	w->o->exprparams = 1;
	if (call(w, "/v2/vectordb/databases/list", NULL, err,
	    sizeof err) != 0 && strstr(err, "not found: it needs"))
		w->o->exprparams = 0;
	cdc_log_info(2, "string delete keys go %s",
	    w->o->exprparams ? "as exprParams" : "inline");
	return w->o->exprparams;
}

/* === batches === */

/*
 * Send the rows.  Milvus 2.3-2.5 never write CreatePartition into Kafka, so
 * a partition the target lacks is created (idempotent) and the rows sent
 * again.
 */
static int
send_rows(struct writer *w, const struct batch *b, char *err, size_t errsz)
{
	const char *path = w->o->upsert ? "/v2/vectordb/entities/upsert" :
	    "/v2/vectordb/entities/insert";
	struct cdc_buf rows = w->body;
	int rc;

	w->rest.last_code = 0;
	if ((rc = call(w, path, NULL, err, errsz)) == 0 ||
	    w->rest.last_code != 200 || !b->part[0])
		return rc;
	w->body = (struct cdc_buf){0};
	body_start(w, b->db, b->coll);
	cdc_buf_adds(&w->body, ",\"partitionName\":");
	cdc_json_str(&w->body, b->part, strlen(b->part));
	cdc_buf_addc(&w->body, '}');
	rc = call(w, "/v2/vectordb/partitions/create", NULL, err, errsz);
	cdc_buf_fini(&w->body);
	w->body = rows;
	return rc ? rc : call(w, path, NULL, err, errsz);
}

static int
send_inserts(struct writer *w, const struct batch *b, char *err,
    size_t errsz)
{
	body_start(w, b->db, b->coll);
	if (b->part[0]) {
		cdc_buf_adds(&w->body, ",\"partitionName\":");
		cdc_json_str(&w->body, b->part, strlen(b->part));
	}
	cdc_buf_adds(&w->body, ",\"data\":[");
	cdc_buf_add(&w->body, b->rows.p, b->rows.len);
	cdc_buf_adds(&w->body, "]}");
	if (send_rows(w, b, err, errsz) != 0)
		return -1;
	w->rows += b->n;
	return 0;
}

/* A delete in a partition the target lacks deletes nothing: not an error. */
static int
send_delete(struct writer *w, const struct batch *b,
    const struct cdc_apply_del *del, char *err, size_t errsz)
{
	struct cdc_str db = {b->db, strlen(b->db)}, coll = {b->coll,
	    strlen(b->coll)}, part = {b->part, strlen(b->part)},
	    pk = {b->pk, strlen(b->pk)};

	w->body.len = 0;
	if (cdc_apply_del_body(&w->body, del, db, coll, part, pk,
	    del->strs && w->o->exprparams) < 0) {
		snprintf(err, errsz, "a delete key is not valid UTF-8");
		return -1;
	}
	w->rest.last_code = 0;
	if (call(w, "/v2/vectordb/entities/delete", NULL, err, errsz) != 0 &&
	    !(w->rest.last_code == 200 && part.n))
		return -1;
	return 0;
}

/*
 * INT64_MIN goes in a request of its own: its filter is not a pk list, so
 * Milvus needs the collection loaded for it, and the other keys must not
 * depend on that.
 */
static int
send_deletes(struct writer *w, const struct batch *b, char *err,
    size_t errsz)
{
	struct cdc_apply_del keys = b->del, min = {0};

	if (keys.min && keys.lits.len > 0) {
		keys.min = 0;
		min.min = 1;
		if (send_delete(w, b, &keys, err, errsz) < 0 ||
		    send_delete(w, b, &min, err, errsz) < 0)
			return -1;
	} else if (send_delete(w, b, &keys, err, errsz) < 0) {
		return -1;
	}
	w->deletes += b->del.n;
	return 0;
}

static void
batch_clear(struct batch *b)
{
	b->kind = 0;
	b->n = 0;
	b->rows.len = b->held.len = 0;
	cdc_apply_del_reset(&b->del);
}

static int
flush_batch(struct writer *w, struct batch *b)
{
	char err[1024];
	int rc = 0, sent;

	if (b->kind == 0)
		return 0;
	w->transient = 0;
	sent = b->kind == CDC_EV_INSERT ? send_inserts(w, b, err,
	    sizeof err) : send_deletes(w, b, err, sizeof err);
	if (sent != 0 && w->stopped)	/* left unsent: no refusal */
		return -1;
	if (sent != 0)
		rc = refused(w, b->src, b->db, b->coll, err, b->held.p,
		    b->held.len);
	batch_clear(b);
	return rc;
}

/* Every pending batch, oldest first.  0, or -1 at the first refusal or
 * at a signal (w->stopped, status untouched). */
static int
flush_all(struct writer *w)
{
	for (;;) {
		struct batch *old = NULL;

		for (size_t i = 0; i < MAX_BATCHES; i++)
			if (w->b[i].kind && (!old || w->b[i].seq < old->seq))
				old = &w->b[i];
		if (!old)
			return 0;
		if (flush_batch(w, old) < 0)
			return -1;
	}
}

/* Pending bytes over every batch, to bound memory: 4 x --batch-bytes. */
static int
bound_pending(struct writer *w)
{
	size_t sum = 0;

	for (size_t i = 0; i < MAX_BATCHES; i++)
		sum += w->b[i].rows.len + w->b[i].del.lits.len;
	return sum > 4 * w->o->batch_bytes ? flush_all(w) : 0;
}

/* Hold the event's frame for the dead-letter file. */
static void
hold(struct cdc_buf *held, const struct cdc_frame *fr)
{
	cdc_buf_grow(held, fr->len + 4);
	cdc_input_frame_bytes(fr, held->p + held->len);
	held->len += fr->len + 4;
}

/* The collection's pending batch, or a free one (NULL if none is free). */
static struct batch *
batch_find(struct writer *w, const char *db, const char *coll)
{
	struct batch *free_b = NULL;

	for (size_t i = 0; i < MAX_BATCHES; i++) {
		struct batch *b = &w->b[i];

		if (b->kind && !strcmp(b->db, db) && !strcmp(b->coll, coll))
			return b;
		if (!b->kind && !free_b)
			free_b = b;
	}
	return free_b;
}

/*
 * Join the collection's batch, flushing it first when it holds another kind
 * or partition.  Partition-key collections get no partitionName.  NULL
 * after a refusal.
 */
static struct batch *
batch_join(struct writer *w, const struct cdc_frame *fr,
    const struct cdc_event *ev, const char *db, const char *coll,
    const struct coll *c)
{
	struct batch *b;
	char part[256];

	snprintf(part, sizeof part, "%.*s", (int)ev->partition.n,
	    ev->partition.p);
	if (c->info.partition_key || (ev->type == CDC_EV_INSERT &&
	    !strcmp(part, "_default")))
		part[0] = '\0';
	if (!(b = batch_find(w, db, coll))) {
		if (flush_all(w) < 0)
			return NULL;
		b = &w->b[0];
	}
	if (b->kind && (b->kind != ev->type || strcmp(b->part, part)) &&
	    flush_batch(w, b) < 0)
		return NULL;
	if (b->kind == 0) {
		b->kind = ev->type;
		b->seq = w->nseq++;
		snprintf(b->db, sizeof b->db, "%s", db);
		snprintf(b->coll, sizeof b->coll, "%s", coll);
		snprintf(b->part, sizeof b->part, "%s", part);
		src_of(b->src, sizeof b->src, ev, fr->no);
	}
	if (w->dead)
		hold(&b->held, fr);
	return b;
}

/* === events === */

static int
data_error(struct writer *w, const struct cdc_frame *fr,
    const struct cdc_event *ev, const char *db, const char *coll,
    const char *err)
{
	char src[300];

	src_of(src, sizeof src, ev, fr->no);
	cdc_log_err("%s: %s.%s: %s", src, db, coll, err);
	w->status = CDC_EXIT_DATA;
	return -1;
}

/* Take Geometry columns out of w->cols: REST wants WKT, not WKB. */
static void
take_geometry(struct writer *w)
{
	struct cdc_cols *c = &w->cols;
	size_t k = 0;

	w->ngeo = 0;
	for (size_t i = 0; i < c->n; i++) {
		if (c->v[i].dt == CDC_DT_GEOMETRY && (int)i != c->pk &&
		    w->ngeo < sizeof w->geo / sizeof w->geo[0]) {
			w->geo[w->ngeo++] = c->v[i];
			continue;
		}
		if (c->pk == (int)i)
			c->pk = (int)k;
		c->v[k++] = c->v[i];
	}
	c->n = k;
}

/* Row `row` as JSON, Geometry columns appended as WKT strings. */
static int
row_json(struct writer *w, struct cdc_buf *b, size_t row, char *err,
    size_t errsz)
{
	struct cdc_buf wkt = {0};
	int rc = 0;

	if (cdc_json_row(b, &w->cols, row, err, errsz) < 0)
		return -1;
	if (w->ngeo == 0)
		return 0;
	b->len--;	/* the closing brace */
	for (size_t i = 0; i < w->ngeo && rc == 0; i++) {
		const struct cdc_col *g = &w->geo[i];
		const msgpack_object *v = &g->data->via.array.ptr[row];

		if (b->p[b->len - 1] != '{')
			cdc_buf_addc(b, ',');
		cdc_json_str(b, g->name.p, g->name.n);
		cdc_buf_addc(b, ':');
		wkt.len = 0;
		if ((g->valid && !g->valid->via.array.ptr[row].via.boolean) ||
		    v->type != MSGPACK_OBJECT_BIN)
			cdc_buf_adds(b, "null");
		else if ((rc = cdc_apply_wkt(&wkt, (const unsigned char *)
		    v->via.bin.ptr, v->via.bin.size, err, errsz)) == 0)
			cdc_json_str(b, wkt.p, wkt.len);
	}
	cdc_buf_addc(b, '}');
	cdc_buf_fini(&wkt);
	return rc;
}

static int
on_insert(struct writer *w, const struct cdc_frame *fr,
    const struct cdc_event *ev, const char *db, const char *coll)
{
	const struct coll *c = coll_info(w, db, coll);
	struct batch *b;
	char err[512];

	if (cdc_cols_parse(&w->cols, ev->map, err, sizeof err) < 0)
		return data_error(w, fr, ev, db, coll, err);
	w->cols.flags = CDC_JSON_REST;
	cdc_apply_cols_strip(&w->cols, &c->info);
	take_geometry(w);
	if (!(b = batch_join(w, fr, ev, db, coll, c)))
		return -1;
	for (size_t r = 0; r < w->cols.rows; r++) {
		if (b->n > 0)
			cdc_buf_addc(&b->rows, ',');
		if (row_json(w, &b->rows, r, err, sizeof err) < 0)
			return data_error(w, fr, ev, db, coll, err);
		if (++b->n >= w->o->batch_rows ||
		    b->rows.len >= w->o->batch_bytes) {
			/* The rest of the event starts a new batch. */
			if (flush_batch(w, b) < 0 ||
			    (r + 1 < w->cols.rows &&
			    !(b = batch_join(w, fr, ev, db, coll, c))))
				return -1;
		}
	}
	return bound_pending(w);
}

/* Deletes join the batch; one request holds at most 1000 keys. */
static int
on_delete(struct writer *w, const struct cdc_frame *fr,
    const struct cdc_event *ev, const char *db, const char *coll)
{
	const msgpack_object *keys = cdc_map_get(ev->map, "keys");
	const struct coll *c = coll_info(w, db, coll);
	struct batch *b = batch_find(w, db, coll);
	const char *pk;
	size_t pkn;
	char err[512];

	if (!keys || keys->type != MSGPACK_OBJECT_ARRAY ||
	    cdc_map_str(ev->map, "pk", &pk, &pkn) < 0)
		return data_error(w, fr, ev, db, coll, "a delete without keys "
		    "or primary key name (give cdc-read --state or "
		    "--source-milvus)");
	if (keys->via.array.size > 0 && keys->via.array.ptr[0].type ==
	    MSGPACK_OBJECT_STR && !w->o->rest.dry_run)
		use_exprparams(w);
	if (b && b->kind == CDC_EV_DELETE && (strlen(b->pk) != pkn ||
	    memcmp(b->pk, pk, pkn)) && flush_batch(w, b) < 0)
		return -1;
	if (!(b = batch_join(w, fr, ev, db, coll, c)))
		return -1;
	snprintf(b->pk, sizeof b->pk, "%.*s", (int)pkn, pk);
	for (uint32_t i = 0; i < keys->via.array.size; i++) {
		if (cdc_apply_del_add(&b->del, &keys->via.array.ptr[i],
		    w->o->exprparams != 0, err, sizeof err) < 0)
			return data_error(w, fr, ev, db, coll, err);
		if ((b->del.n >= 1000 || b->del.n >= w->o->batch_rows ||
		    b->del.lits.len >= w->o->batch_bytes) &&
		    (flush_batch(w, b) < 0 || (i + 1 < keys->via.array.size &&
		    !(b = batch_join(w, fr, ev, db, coll, c)))))
			return -1;
		snprintf(b->pk, sizeof b->pk, "%.*s", (int)pkn, pk);
	}
	return bound_pending(w);
}

/* ,"k": the event's value of key (null when absent) */
static void
member(struct writer *w, const char *k, const struct cdc_event *ev,
    const char *key)
{
	const msgpack_object *o = cdc_map_get(ev->map, key);
	char err[256];

	cdc_buf_adds(&w->body, ",\"");
	cdc_buf_adds(&w->body, k);
	cdc_buf_adds(&w->body, "\":");
	if (!o || cdc_json_msgpack(&w->body, o, err, sizeof err) < 0)
		cdc_buf_adds(&w->body, "null");
}

/* ,"k":"s" */
static void
member_str(struct writer *w, const char *k, const char *s)
{
	cdc_buf_adds(&w->body, ",\"");
	cdc_buf_adds(&w->body, k);
	cdc_buf_adds(&w->body, "\":");
	cdc_json_str(&w->body, s, strlen(s));
}

/* The path and body of a DDL event that maps to one call; NULL if none. */
static const char *
ddl_body(struct writer *w, const struct cdc_event *ev, const char *db,
    const char *coll)
{
	body_start(w, db, ev->collection.n ? coll : NULL);
	switch (ev->type) {
	case CDC_EV_CREATE_DATABASE:
		member(w, "properties", ev, "properties");
		cdc_buf_addc(&w->body, '}');
		return "databases/create";
	case CDC_EV_DROP_DATABASE: cdc_buf_addc(&w->body, '}');
		return "databases/drop";
	case CDC_EV_DROP_COLLECTION: cdc_buf_addc(&w->body, '}');
		return "collections/drop";
	case CDC_EV_CREATE_PARTITION:
	case CDC_EV_DROP_PARTITION:
		cdc_buf_adds(&w->body, ",\"partitionName\":");
		cdc_json_str(&w->body, ev->partition.p, ev->partition.n);
		cdc_buf_addc(&w->body, '}');
		return ev->type == CDC_EV_CREATE_PARTITION ?
		    "partitions/create" : "partitions/drop";
	case CDC_EV_DROP_INDEX: member(w, "indexName", ev, "index_name");
		cdc_buf_addc(&w->body, '}');
		return "indexes/drop";
	case CDC_EV_LOAD_COLLECTION: cdc_buf_addc(&w->body, '}');
		return "collections/load";
	case CDC_EV_RELEASE_COLLECTION: cdc_buf_addc(&w->body, '}');
		return "collections/release";
	case CDC_EV_LOAD_PARTITIONS:
	case CDC_EV_RELEASE_PARTITIONS:
		member(w, "partitionNames", ev, "partitions");
		cdc_buf_addc(&w->body, '}');
		return ev->type == CDC_EV_LOAD_PARTITIONS ? "partitions/load" :
		    "partitions/release";
	case CDC_EV_CREATE_ALIAS: case CDC_EV_ALTER_ALIAS:
	case CDC_EV_DROP_ALIAS:
		member(w, "aliasName", ev, "alias");
		cdc_buf_addc(&w->body, '}');
		return ev->type == CDC_EV_CREATE_ALIAS ? "aliases/create" :
		    ev->type == CDC_EV_ALTER_ALIAS ? "aliases/alter" :
		    "aliases/drop";
	default:
		return NULL;
	}
}

/* Replays of DDL that already happened are not errors. */
static int
benign(const struct cdc_event *ev, int code, const char *err)
{
	switch (ev->type) {
	case CDC_EV_CREATE_DATABASE: case CDC_EV_CREATE_ALIAS:
		return strstr(err, "already exist") != NULL;
	case CDC_EV_DROP_COLLECTION: case CDC_EV_DROP_DATABASE:
	case CDC_EV_DROP_PARTITION: case CDC_EV_DROP_INDEX:
		return code == 100 || code == 800 || code == 200 ||
		    code == 700;
	case CDC_EV_DROP_ALIAS:	/* 1600: Milvus's "alias not found" */
		return code == 100 || code == 800 || code == 1600 ||
		    strstr(err, "alias not found") != NULL;
	default:
		return 0;
	}
}

/* One call; -1 unless it succeeded or is a benign replay. */
static int
ddl_call(struct writer *w, const struct cdc_event *ev, const char *path,
    char *err, size_t errsz)
{
	char full[128];

	snprintf(full, sizeof full, "/v2/vectordb/%s", path);
	w->rest.last_code = 0;
	if (call(w, full, NULL, err, errsz) == 0 ||
	    benign(ev, w->rest.last_code, err))
		return 0;
	return -1;
}

/* Source collection names of a flush, mapped and filtered, one call each. */
static int
on_flush(struct writer *w, const struct cdc_event *ev, const char *db,
    char *err, size_t errsz)
{
	const msgpack_object *cs = cdc_map_get(ev->map, "collections");
	struct cdc_event one = *ev;
	char d[256], c[256];

	for (uint32_t i = 0; cs && cs->type == MSGPACK_OBJECT_ARRAY &&
	    i < cs->via.array.size; i++) {
		const msgpack_object *o = &cs->via.array.ptr[i];

		if (o->type != MSGPACK_OBJECT_STR)
			continue;
		one.collection = (struct cdc_str){o->via.str.ptr,
		    o->via.str.size};
		if (!target(w, &one, d, c))
			continue;
		body_start(w, d, c);
		cdc_buf_addc(&w->body, '}');
		if (call(w, "/v2/vectordb/collections/flush", NULL, err,
		    errsz) == 0)
			continue;
		/* A flush only persists sooner: a target without it goes on. */
		if (!strstr(err, "not found: it needs"))
			return -1;
		if (!w->warned_flush++)
			cdc_log_warn("%s: flush events skipped", err);
		return 0;
	}
	return 0;
}

/* Rename: the new names go through --map-db and --map-collection too. */
static int
on_rename(struct writer *w, const struct cdc_event *ev, const char *db,
    const char *coll, char *err, size_t errsz)
{
	struct cdc_event nv = *ev;
	const char *p;
	size_t n;
	char nd[256], nc[256];
	struct coll *c;

	if (cdc_map_str(ev->map, "new_name", &p, &n) < 0) {
		snprintf(err, errsz, "rename without new_name");
		return -1;
	}
	nv.collection = (struct cdc_str){p, n};
	if (cdc_map_str(ev->map, "new_db", &p, &n) == 0 && n > 0)
		nv.db = (struct cdc_str){p, n};
	map_name(nd, sizeof nd, w->o->map_db, w->o->nmap_db, nv.db);
	map_name(nc, sizeof nc, w->o->map_coll, w->o->nmap_coll,
	    nv.collection);
	body_start(w, db, coll);
	member_str(w, "newCollectionName", nc);
	if (strcmp(nd, db))
		member_str(w, "newDbName", nd);
	cdc_buf_addc(&w->body, '}');
	if (ddl_call(w, ev, "collections/rename", err, errsz) < 0)
		return -1;
	if ((c = coll_find(w, db, coll)) != NULL) {
		coll_forget(w, nd, nc);
		c = coll_find(w, db, coll);
		snprintf(c->db, sizeof c->db, "%s", nd);
		snprintf(c->name, sizeof c->name, "%s", nc);
	}
	return 0;
}

/*
 * alter_collection, alter_database, alter_index: new properties with
 * *alter_properties (or a field's with fields/alter_properties), removed
 * ones with *drop_properties.
 */
static int
on_alter(struct writer *w, const struct cdc_event *ev, const char *db,
    const char *coll, char *err, size_t errsz)
{
	const char *cat = ev->type == CDC_EV_ALTER_DATABASE ? "databases" :
	    ev->type == CDC_EV_ALTER_INDEX ? "indexes" : "collections";
	const char *props = ev->type == CDC_EV_ALTER_INDEX ? "params" :
	    "properties";
	const msgpack_object *p = cdc_map_get(ev->map, props);
	int field = cdc_map_get(ev->map, "field") != NULL &&
	    ev->type == CDC_EV_ALTER_COLLECTION;
	char path[96];

	if (p && p->type == MSGPACK_OBJECT_MAP && p->via.map.size > 0) {
		body_start(w, db, ev->collection.n ? coll : NULL);
		if (ev->type == CDC_EV_ALTER_INDEX)
			member(w, "indexName", ev, "index_name");
		if (field)
			member(w, "fieldName", ev, "field");
		member(w, field ? "fieldParams" : "properties", ev, props);
		cdc_buf_addc(&w->body, '}');
		/* databases/alter is 2.5.0's name of alter_properties. */
		snprintf(path, sizeof path, "%s/%s%s", cat,
		    field ? "fields/" : "", ev->type == CDC_EV_ALTER_DATABASE ?
		    "alter" : "alter_properties");
		if (ddl_call(w, ev, path, err, errsz) < 0)
			return -1;
	}
	p = cdc_map_get(ev->map, "delete_keys");
	if (p && p->type == MSGPACK_OBJECT_ARRAY && p->via.array.size > 0) {
		body_start(w, db, ev->collection.n ? coll : NULL);
		if (ev->type == CDC_EV_ALTER_INDEX)
			member(w, "indexName", ev, "index_name");
		member(w, "propertyKeys", ev, "delete_keys");
		cdc_buf_addc(&w->body, '}');
		snprintf(path, sizeof path, "%s/drop_properties", cat);
		if (ddl_call(w, ev, path, err, errsz) < 0)
			return -1;
	}
	return 0;
}

/* The schema's collection properties (TTL...): set after create. */
static int
set_properties(struct writer *w, const msgpack_object *schema,
    const char *db, const char *coll, char *err, size_t errsz)
{
	const msgpack_object *p = cdc_map_get(schema, "properties");
	char e[256];

	if (!p || p->type != MSGPACK_OBJECT_MAP || p->via.map.size == 0)
		return 0;
	body_start(w, db, coll);
	cdc_buf_adds(&w->body, ",\"properties\":");
	if (cdc_json_msgpack(&w->body, p, e, sizeof e) < 0)
		return 0;
	cdc_buf_addc(&w->body, '}');
	return call(w, "/v2/vectordb/collections/alter_properties", NULL, err,
	    errsz) == 0 ? 0 : -1;
}

/* REST cannot create Text fields: say which become VarChar. */
static void
text_warn(const msgpack_object *schema, const char *db, const char *coll)
{
	const msgpack_object *fs = cdc_map_get(schema, "fields");
	const char *t, *n;
	size_t tn, nn;

	for (uint32_t i = 0; fs && fs->type == MSGPACK_OBJECT_ARRAY &&
	    i < fs->via.array.size; i++)
		if (cdc_map_str(&fs->via.array.ptr[i], "type", &t, &tn) == 0 &&
		    tn == 4 && !memcmp(t, "Text", 4) &&
		    cdc_map_str(&fs->via.array.ptr[i], "name", &n, &nn) == 0)
			cdc_log_warn("%s.%s: Text field \"%.*s\" created as "
			    "VarChar (REST cannot create Text fields)", db, coll,
			    (int)nn, n);
}

/*
 * create_collection and schema: describe the target; an existing collection
 * must match the schema (else -3: malformed for this target), a missing one
 * is created from it (autoID off, so source keys are kept).
 */
static int
on_schema(struct writer *w, const struct cdc_event *ev, const char *db,
    const char *coll, char *err, size_t errsz)
{
	const msgpack_object *schema = cdc_map_get(ev->map, "schema");
	struct cdc_str d = {db, strlen(db)}, c = {coll, strlen(coll)};
	json_t *desc = NULL;
	int rc;

	if (!schema || schema->type != MSGPACK_OBJECT_MAP) {
		snprintf(err, errsz, "event without a schema");
		return -3;
	}
	cdc_apply_info_schema(&coll_add(w, db, coll)->info, schema);
	if (!w->o->rest.dry_run) {
		body_start(w, db, coll);
		cdc_buf_addc(&w->body, '}');
		w->rest.last_code = 0;
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
	text_warn(schema, db, coll);
	w->body.len = 0;
	if (cdc_apply_create_body(&w->body, d, c, schema, err, errsz) < 0)
		return -3;
	if (call(w, "/v2/vectordb/collections/create", NULL, err, errsz) != 0)
		return -1;
	return set_properties(w, schema, db, coll, err, errsz);
}

/*
 * Loads are asynchronous (milvus-rest.md section 6): wait until the target
 * says LoadStateLoaded, so that what follows (a release, a delete that needs
 * a loaded collection) meets the state the source had.  Gives up with a
 * warning after --timeout seconds.
 */
static void
wait_loaded(struct writer *w, const struct cdc_event *ev, const char *db,
    const char *coll)
{
	const msgpack_object *parts = cdc_map_get(ev->map, "partitions");
	double waited = 0, step = 0.05;
	struct timespec ts;
	char err[512];

	while (!cdc_stop_sig && waited < w->o->rest.timeout) {
		json_t *data = NULL;
		const char *st;
		int loaded;

		body_start(w, db, coll);
		if (parts)
			member(w, "partitionNames", ev, "partitions");
		cdc_buf_addc(&w->body, '}');
		if (call(w, "/v2/vectordb/collections/get_load_state", &data,
		    err, sizeof err) != 0)
			return;	/* an old server, or gone: nothing to wait on */
		st = json_string_value(json_object_get(data, "loadState"));
		loaded = st && !strcmp(st, "LoadStateLoaded");
		json_decref(data);
		if (loaded)
			return;
		ts.tv_sec = 0;
		ts.tv_nsec = (long)(step * 1e9);
		nanosleep(&ts, NULL);
		waited += step;
		step = step * 2 > 1 ? 1 : step * 2;
	}
	if (!cdc_stop_sig)
		cdc_log_warn("%s.%s: not loaded after %g s; going on", db, coll,
		    w->o->rest.timeout);
}

/* REST load has no replica number, resource groups or field list. */
static void
load_warn(struct writer *w, const struct cdc_event *ev)
{
	const msgpack_object *r = cdc_map_get(ev->map, "replica_number");
	const msgpack_object *g = cdc_map_get(ev->map, "resource_groups");
	const msgpack_object *f = cdc_map_get(ev->map, "load_fields");
	int64_t n = 0;

	if ((r && cdc_obj_i64(r, &n) == 0 && n > 1) ||
	    (g && g->type == MSGPACK_OBJECT_ARRAY && g->via.array.size) ||
	    (f && f->type == MSGPACK_OBJECT_ARRAY && f->via.array.size))
		if (!w->warned_load++)
			cdc_log_warn("REST load takes no replica number, resource "
			    "groups or field list: the target loads with its "
			    "defaults");
}

static int
apply_ddl(struct writer *w, const struct cdc_event *ev, const char *db,
    const char *coll, char *err, size_t errsz)
{
	const char *path;

	switch (ev->type) {
	case CDC_EV_CREATE_COLLECTION: case CDC_EV_SCHEMA:
		return on_schema(w, ev, db, coll, err, errsz);
	case CDC_EV_CREATE_INDEX:
		w->body.len = 0;
		cdc_apply_index_body(&w->body, (struct cdc_str){db, strlen(db)},
		    (struct cdc_str){coll, strlen(coll)}, ev->map, err, errsz);
		return ddl_call(w, ev, "indexes/create", err, errsz);
	case CDC_EV_FLUSH:
		return on_flush(w, ev, db, err, errsz);
	case CDC_EV_RENAME_COLLECTION:
		return on_rename(w, ev, db, coll, err, errsz);
	case CDC_EV_ALTER_COLLECTION: case CDC_EV_ALTER_DATABASE:
	case CDC_EV_ALTER_INDEX:
		return on_alter(w, ev, db, coll, err, errsz);
	case CDC_EV_DROP_COLLECTION:
		coll_forget(w, db, coll);
		break;
	case CDC_EV_DROP_DATABASE:
		coll_forget(w, db, NULL);
		break;
	case CDC_EV_LOAD_COLLECTION: case CDC_EV_LOAD_PARTITIONS:
		load_warn(w, ev);
		break;
	default:
		break;
	}
	if (!(path = ddl_body(w, ev, db, coll)))
		return 0;
	if (ddl_call(w, ev, path, err, errsz) < 0)
		return -1;
	if ((ev->type == CDC_EV_LOAD_COLLECTION ||
	    ev->type == CDC_EV_LOAD_PARTITIONS) && !w->o->rest.dry_run)
		wait_loaded(w, ev, db, coll);
	return 0;
}

static int
on_ddl(struct writer *w, const struct cdc_frame *fr,
    const struct cdc_event *ev, const char *db, const char *coll)
{
	char err[1024], src[300];
	int rc;

	if (flush_all(w) < 0)
		return -1;
	w->transient = 0;
	if ((rc = apply_ddl(w, ev, db, coll, err, sizeof err)) == 0)
		return 0;
	if (w->stopped)	/* a signal: the event is left unsent */
		return -1;
	if (rc == -3)	/* a schema mismatch: malformed for this target */
		return data_error(w, fr, ev, db, coll, err);
	src_of(src, sizeof src, ev, fr->no);
	return refused_frame(w, fr, src, db, coll, err);
}

static int
on_checkpoint(struct writer *w, const struct cdc_frame *fr)
{
	char err[512];
	int rc;

	if (flush_all(w) < 0 || !w->o->ckpt)
		return w->status || w->stopped ? -1 : 0;
	rc = cdc_writer_ckpt_save(w->o->ckpt, fr, err, sizeof err);
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

/*
 * Events until the end of the input, an error or a signal.  The wait lets a
 * signal stop an idle writer; a signal never interrupts a request, but no
 * request starts after it (CDC_REST_STOPPED): what is pending then is not
 * sent, and no checkpoint passes it.
 */
static void
run(struct writer *w)
{
	struct cdc_frame fr;
	struct cdc_event ev;
	char err[1024];
	int n = 0;

	while (!cdc_stop_sig && w->status == 0) {
		if (!cdc_wreader_wait(&w->in, -1))
			continue;
		if ((n = cdc_wreader_next(&w->in, &fr, &ev, err,
		    sizeof err)) == 2) {
			cdc_log_warn("skipping events of unknown type '%.*s'",
			    (int)ev.type_name.n, ev.type_name.p);
			continue;
		}
		if (n != 1 || one_event(w, &fr, &ev) < 0)
			break;
	}
	if (w->status == 0 && !cdc_stop_sig)
		flush_all(w);
	if (n < 0 && w->status == 0 && !cdc_stop_sig) {
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

	int rc = cdc_file_read(path, &buf, &len, err, sizeof err);

	if (rc <= 0) {
		if (rc == 0)
			cdc_log_err("cannot open '%s': %s", path,
			    strerror(ENOENT));
		else
			cdc_log_err("%s", err);
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
	if (w->o->ckpt && cdc_writer_ckpt_check(w->o->ckpt, err,
	    sizeof err) < 0) {
		cdc_log_err("%s", err);
		return -1;
	}
	if (w->o->dead_letter && !(w->dead = fopen(w->o->dead_letter, "a"))) {
		cdc_log_err("cannot open '%s': %s", w->o->dead_letter,
		    strerror(errno));
		return -1;
	}
	if (cdc_rest_init(&w->rest, &w->o->rest, err, sizeof err) < 0) {
		cdc_log_err("%s", err);
		return -1;
	}
	w->rest.stop = &cdc_stop_sig;
	if (cdc_wreader_open(&w->in, w->o->files, w->o->nfiles,
	    w->o->max_frame, err, sizeof err) < 0) {
		cdc_log_err("%s", err);
		return -1;
	}
	return 0;
}

static int
teardown(struct writer *w)
{
	cdc_log_info(2, "%ju events, %ju rows, %ju deleted keys, %ju refused, "
	    "%ld requests, %ld retries", (uintmax_t)w->events,
	    (uintmax_t)w->rows, (uintmax_t)w->deletes, (uintmax_t)w->refused,
	    w->rest.calls, w->rest.retries);
	if (w->dead && fclose(w->dead) != 0 && w->status == 0)
		w->status = CDC_EXIT_RUNTIME;
	if (w->o->rest.dry_run && (fflush(stdout) != 0 || ferror(stdout))) {
		cdc_log_err("write error: %s", strerror(errno));
		if (w->status == 0)
			w->status = CDC_EXIT_RUNTIME;
	}
	cdc_rest_fini(&w->rest);
	cdc_wreader_close(&w->in);
	cdc_buf_fini(&w->body);
	for (size_t i = 0; i < MAX_BATCHES; i++) {
		cdc_buf_fini(&w->b[i].rows);
		cdc_buf_fini(&w->b[i].held);
		cdc_apply_del_fini(&w->b[i].del);
	}
	cdc_cols_fini(&w->cols);
	for (size_t i = 0; i < w->ncolls; i++)
		cdc_apply_info_fini(&w->colls[i].info);
	free(w->colls);
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
	if ((rc = parse_opts(&o, argc, argv)) != 0) {
		opts_fini(&o);
		return rc > 0 ? 0 : CDC_EXIT_USAGE;
	}
	cdc_log_init(argv[0], o.verbose < 0 ? 0 : 1 + o.verbose);
	w.o = &o;
	cdc_writer_signals();
	if (setup(&w, &token) < 0) {
		teardown(&w);
		free(token);
		opts_fini(&o);
		return CDC_EXIT_USAGE;
	}
	run(&w);
	rc = teardown(&w);
	free(token);
	opts_fini(&o);
	if (cdc_stop_sig && rc == 0)
		cdc_writer_reraise(cdc_stop_sig);
	return rc;
}
