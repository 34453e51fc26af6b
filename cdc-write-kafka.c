/*
 * cdc-write-kafka - produce a cdc-stream(5) into Kafka in the shapes
 * Debezium-aware consumers already read: one message per row keyed by the
 * primary key, a Debezium envelope, tombstones after deletes, headers.
 * A checkpoint frame is persisted once every message before it has been
 * acknowledged by the brokers.
 *
 * options, setup (producer), run (frames -> messages, delivery reports ->
 * checkpoints), teardown (flush, final checkpoint, exit status).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <protobuf-c/protobuf-c.h>

#include "cdc_envelope.h"
#include "cdc_event.h"
#include "cdc_input.h"
#include "cdc_json.h"
#include "cdc_kafka.h"
#include "cdc_pool.h"
#include "cdc_render.h"
#include "cdc_util.h"
#include "cdc_writer.h"

#define WINDOW (1u << 20)	/* produced but unacknowledged, at most */
#define STR(b) ((struct cdc_str){(b).p, (b).len})
/* In a message's opaque, beside its sequence number: the value is a copy
 * in the writer's pool (released at the delivery report). */
#define POOLED ((uintptr_t)1 << (sizeof(uintptr_t) * 8 - 1))

struct opts {
	const char *tmpl, *ddl_topic, *ckpt, *name;
	struct cdc_kafka_opts kafka;	/* -b, -X, -F */
	enum cdc_env_format format;
	int tombstones, dump, verbose, with_schema;
	int jobs;		/* render threads besides the main one */
	double flush_timeout;
	size_t max_frame;
	char **files;
	size_t nfiles;
};

/* One render thread's own state (cdc_render.h): its envelope cache, and
 * the buffers --with-schema wraps into. */
struct rctx {
	struct writer *w;
	const struct cdc_event *ev;
	struct cdc_env env;
	struct cdc_buf wkey, wval;
};

struct writer {
	struct opts *o;
	rd_kafka_t *rk;
	struct cdc_wreader in;
	struct cdc_buf key, val, wkey, wval;	/* w*: --with-schema */
	struct cdc_cols cols;
	struct cdc_env env;
	struct cdc_ckq q;	/* message sequence numbers and checkpoints */
	struct cdc_pool pool;	/* message values until delivered */
	struct cdc_render *render;
	struct rctx *rctx;	/* 1 + jobs of them */
	void **rargs;		/* &rctx[i], as cdc_render_start() wants */
	uint64_t rows, msgs;
	int64_t served_ms;	/* delivery reports last served (run()) */
	int status, failed;
	rd_kafka_topic_t **topics;	/* asked for once each (know_topic()) */
	size_t ntopics;
	int no_metadata;	/* a metadata request failed: ask no more */
};

/* === options === */

static const struct option longopts[] = {
	{"brokers", required_argument, NULL, 'b'},
	{"property", required_argument, NULL, 'X'},
	{"config", required_argument, NULL, 'F'},
	{"topic", required_argument, NULL, 't'},
	{"ddl-topic", required_argument, NULL, 'D'},
	{"format", required_argument, NULL, 'f'},
	{"name", required_argument, NULL, 'N'},
	{"no-tombstones", no_argument, NULL, 'T'},
	{"with-schema", no_argument, NULL, 'S'},
	{"checkpoint", required_argument, NULL, 'C'},
	{"flush-timeout", required_argument, NULL, 'W'},
	{"max-frame", required_argument, NULL, 'M'},
	{"jobs", required_argument, NULL, 'j'},
	{"dump-config", no_argument, NULL, 'd'},
	{"verbose", no_argument, NULL, 'v'},
	{"quiet", no_argument, NULL, 'q'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

static void
usage(FILE *f)
{
	fputs("usage: cdc-write-kafka -b brokers [-X key=value] [-F file] "
	    "[-t template]\n"
	    "                       [-f debezium|json|cdc] [--ddl-topic topic] "
	    "[--no-tombstones]\n"
	    "                       [--with-schema] [--name name] "
	    "[--checkpoint file]\n"
	    "                       [--flush-timeout secs] [-j jobs] [-vq] "
	    "[file ...]\n",
	    f);
}

static void
help(void)
{
	usage(stdout);
	fputs("\nProduce a cdc-stream (stdin or files) into Kafka.\n\n"
	    "  -b, --brokers LIST        Kafka bootstrap servers\n"
	    "  -X, --property K=V        librdkafka property (-X list: all)\n"
	    "  -F, --config FILE         librdkafka properties file\n"
	    "      --dump-config         print the configuration and exit\n"
	    "  -t, --topic TEMPLATE      topic per row: {db} {collection} "
	    "{partition} {op}\n"
	    "                            (milvus.{db}.{collection})\n"
	    "      --ddl-topic TOPIC     DDL and schema events (milvus.ddl)\n"
	    "  -f, --format FORMAT       debezium (default), json or cdc\n"
	    "      --name NAME           Debezium source.name (milvus)\n"
	    "      --no-tombstones       no null-valued message after a delete\n"
	    "      --with-schema         wrap keys and values in Kafka Connect's\n"
	    "                            {schema, payload} (JsonConverter)\n"
	    "      --checkpoint FILE     persist checkpoints once delivered\n"
	    "      --flush-timeout SECS  at a signal, wait this long (30)\n"
	    "      --max-frame SIZE      largest frame accepted (256m)\n"
	    "  -j, --jobs N              threads rendering rows besides the\n"
	    "                            main one (CPUs - 2, at most 4)\n"
	    "  -v, --verbose             more messages\n"
	    "  -q, --quiet               errors only\n"
	    "  -h, --help                this text\n"
	    "  -V, --version             version and library versions\n",
	    stdout);
}

static int
bad_opt(const char *msg, const char *arg)
{
	cdc_log_err("%s '%s'", msg, arg);
	usage(stderr);
	fputs("Try 'cdc-write-kafka --help'.\n", stderr);
	return -1;
}

static int
opt_one(struct opts *o, int ch, const char *arg)
{
	const char *e = NULL;

	switch (ch) {
	case 'b': o->kafka.brokers = arg; break;
	case 'X':
		if (strcmp(arg, "list") == 0) {
			rd_kafka_conf_properties_show(stdout);
			return 1;
		}
		/* FALLTHROUGH */
	case 'F': cdc_kafka_opts_add(&o->kafka, ch, arg); break;
	case 't': o->tmpl = arg; break;
	case 'D': o->ddl_topic = arg; break;
	case 'f':
		if (!strcmp(arg, "debezium"))
			o->format = CDC_ENV_DEBEZIUM;
		else if (!strcmp(arg, "json"))
			o->format = CDC_ENV_JSON;
		else if (!strcmp(arg, "cdc"))
			o->format = CDC_ENV_CDC;
		else
			return bad_opt("invalid --format", arg);
		break;
	case 'N': o->name = arg; break;
	case 'T': o->tombstones = 0; break;
	case 'S': o->with_schema = 1; break;
	case 'C': o->ckpt = arg; break;
	case 'W': o->flush_timeout = (double)cdc_opt_num(arg, 0, 86400, &e);
		break;
	case 'M': o->max_frame = (size_t)cdc_opt_size(arg, 16, UINT32_MAX, &e);
		break;
	case 'j': o->jobs = (int)cdc_opt_num(arg, 0, 64, &e); break;
	case 'd': o->dump = 1; break;
	case 'v': o->verbose++; break;
	case 'q': o->verbose = -1; break;
	case 'h': help(); return 1;
	case 'V':
		printf("cdc-write-kafka %s (librdkafka %s, msgpack-c %s)\n",
		    CDC_VERSION, rd_kafka_version_str(), msgpack_version());
		return 1;
	default: return bad_opt("invalid option", arg ? arg : "?");
	}
	return e ? bad_opt("invalid argument", arg) : 0;
}

/* Render threads by default: the CPUs beyond the two that the main thread
 * and librdkafka's broker thread keep busy (on 2 CPUs, measured: -j 1 was
 * no faster than -j 0, the CPUs being full already), at most 4. */
static int
default_jobs(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN) - 2;

	return n < 0 ? 0 : n > 4 ? 4 : (int)n;
}

static int
parse_opts(struct opts *o, int argc, char **argv)
{
	char err[512];
	int ch, rc;

	o->tmpl = "milvus.{db}.{collection}";
	o->ddl_topic = "milvus.ddl";
	o->name = "milvus";
	o->tombstones = 1;
	o->flush_timeout = 30;
	o->max_frame = CDC_FRAME_MAX_DEFAULT;
	o->jobs = default_jobs();
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "b:X:F:t:f:N:j:vqhV", longopts,
	    NULL)) != -1)
		if ((rc = opt_one(o, ch, ch == '?' ? argv[optind - 1] :
		    optarg)) != 0)
			return rc;
	o->files = argv + optind;
	o->nfiles = (size_t)(argc - optind);
	if (cdc_env_topic_check(o->tmpl, err, sizeof err) < 0 ||
	    (strchr(o->ddl_topic, '{') && snprintf(err, sizeof err,
	    "invalid --ddl-topic '%s': a topic name, not a template",
	    o->ddl_topic)) || cdc_env_topic_check(o->ddl_topic, err,
	    sizeof err) < 0) {
		cdc_log_err("%s", err);
		usage(stderr);
		fputs("Try 'cdc-write-kafka --help'.\n", stderr);
		return -1;
	}
	if (o->with_schema && o->format != CDC_ENV_DEBEZIUM)
		return bad_opt("--with-schema needs --format debezium, not",
		    o->format == CDC_ENV_JSON ? "json" : "cdc");
	return 0;
}


/* === delivery and checkpoints === */

/* A delivery that failed for good: name the row (or DDL event) from its
 * headers: db[.collection] row|event KEY (source topic@offset). */
static void
report_failure(const rd_kafka_message_t *rkm)
{
	static const char *const names[] = {"cdc.db", "cdc.collection",
	    "cdc.source.topic", "cdc.source.offset", "cdc.op"};
	struct cdc_str v[5] = {{"?", 1}, {"", 0}, {"?", 1}, {"?", 1},
	    {"", 0}};
	rd_kafka_headers_t *h = NULL;

	if (rd_kafka_message_headers(rkm, &h) == RD_KAFKA_RESP_ERR_NO_ERROR)
		for (int i = 0; i < 5; i++) {
			const void *p;
			size_t n;

			if (rd_kafka_header_get_last(h, names[i], &p, &n) ==
			    RD_KAFKA_RESP_ERR_NO_ERROR && p)
				v[i] = (struct cdc_str){p, n};
		}
	cdc_log_err("%.*s%s%.*s %s %.*s (%.*s@%.*s): delivery to '%s' failed: "
	    "%s%s", (int)v[0].n, v[0].p, v[1].n ? "." : "", (int)v[1].n,
	    v[1].p, v[4].n == 1 && rkm->key_len && *(const char *)rkm->key ==
	    '{' ? "row" : "event",
	    (int)(rkm->key_len > 200 ? 200 : rkm->key_len),
	    rkm->key ? (const char *)rkm->key : "null", (int)v[2].n, v[2].p,
	    (int)v[3].n, v[3].p, rd_kafka_topic_name(rkm->rkt),
	    rd_kafka_err2str(rkm->err),
	    rkm->err == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE ?
	    " (raise -X message.max.bytes)" : "");
}

static void
dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *rkm, void *opaque)
{
	struct writer *w = opaque;
	uintptr_t o = (uintptr_t)rkm->_private;
	uint64_t seq = (uint64_t)(o & ~POOLED);

	if (o & POOLED)
		cdc_pool_release(&w->pool, rkm->payload);

	if (!rkm->err) {
		cdc_ckq_ack(&w->q, seq);
		return;
	}
	if (w->q.nfailed == 0)
		report_failure(rkm);
	cdc_ckq_fail(&w->q, seq);
	w->failed = 1;
}

/* Persist the newest checkpoint whose messages are all acknowledged. */
static void
persist_ready(struct writer *w)
{
	char *frame, err[512];
	size_t len;

	if (!w->o->ckpt || !(frame = cdc_ckq_ready(&w->q, &len)))
		return;
	if (cdc_ckpt_save(w->o->ckpt, frame, len, err, sizeof err) < 0) {
		cdc_log_err("%s", err);
		w->status = CDC_EXIT_RUNTIME;
	}
	free(frame);
}

static void
queue_checkpoint(struct writer *w, const struct cdc_frame *fr)
{
	if (!w->o->ckpt)
		return;
	cdc_ckq_push(&w->q, fr);
	persist_ready(w);
}

/* === producing === */

/* 1 when the topic's metadata names its partitions, 0 when not yet, -1
 * when the cluster did not answer. */
static int
topic_ready(rd_kafka_t *rk, rd_kafka_topic_t *rkt)
{
	const struct rd_kafka_metadata *md;
	int ok;

	if (rd_kafka_metadata(rk, 0, rkt, &md, 1000))
		return -1;
	ok = md->topic_cnt == 1 && !md->topics[0].err &&
	    md->topics[0].partition_cnt > 0;
	rd_kafka_metadata_destroy(md);
	return ok;
}

/*
 * Before the first message to a topic, ask for its metadata (which also
 * creates it where the cluster auto-creates topics), a few times while it
 * has no leader yet.  Otherwise librdkafka holds a topic it has not seen
 * until its 1 s topic scan (measured: -f cdc of 50k rows took 1.1 s
 * instead of 0.1 s).  Failing here is not an error: delivery reports tell;
 * once a metadata request fails (no broker answers), no more are made.
 * The handle, which the writer keeps, or NULL (an invalid topic name).
 */
static rd_kafka_topic_t *
know_topic(struct writer *w, const char *topic)
{
	rd_kafka_topic_t *rkt;
	int rc = 0;

	if (w->ntopics > 0 && !strcmp(rd_kafka_topic_name(
	    w->topics[w->ntopics - 1]), topic))
		return w->topics[w->ntopics - 1];
	for (size_t i = 0; i < w->ntopics; i++)
		if (!strcmp(rd_kafka_topic_name(w->topics[i]), topic)) {
			rkt = w->topics[i];	/* move to the end */
			w->topics[i] = w->topics[w->ntopics - 1];
			w->topics[w->ntopics - 1] = rkt;
			return rkt;
		}
	if (!(rkt = rd_kafka_topic_new(w->rk, topic, NULL)))
		return NULL;
	w->topics = cdc_xrealloc(w->topics, (w->ntopics + 1) *
	    sizeof *w->topics);
	w->topics[w->ntopics++] = rkt;
	for (int i = 0; i < 10 && !w->no_metadata && !cdc_stop_sig &&
	    rc == 0; i++) {
		if ((rc = topic_ready(w->rk, rkt)) == 0)
			rd_kafka_poll(w->rk, 100);
	}
	if (rc < 0)
		w->no_metadata = 1;
	return rkt;
}

static rd_kafka_headers_t *
headers(const struct cdc_event *ev, const char *op)
{
	rd_kafka_headers_t *h = rd_kafka_headers_new(CDC_ENV_NHDR);
	struct cdc_env_hdr v[CDC_ENV_NHDR];
	struct cdc_env_hdrbuf buf;

	cdc_env_headers(v, &buf, ev, op);
	for (int i = 0; i < CDC_ENV_NHDR; i++)
		rd_kafka_header_add(h, v[i].name, -1, v[i].val.p,
		    (ssize_t)v[i].val.n);
	return h;
}

/*
 * Produce one message (val NULL: a tombstone).  0, or -1: an error (logged)
 * or a signal while waiting for room in the window or librdkafka's queue,
 * which with the brokers down lasts until message.timeout.ms.
 */
static int
produce(struct writer *w, const char *topic, struct cdc_str key,
    const void *val, size_t vlen, const struct cdc_event *ev, const char *op)
{
	rd_kafka_topic_t *rkt = know_topic(w, topic);
	rd_kafka_headers_t *h;
	rd_kafka_resp_err_t err;
	void *copy;

	while (cdc_ckq_full(&w->q) && !cdc_stop_sig)
		rd_kafka_poll(w->rk, 100);
	if (cdc_ckq_full(&w->q))
		return -1;
	h = headers(ev, op);
	/* values too large for the pool (and none) go as librdkafka copies */
	copy = val ? cdc_pool_put(&w->pool, val, vlen) : NULL;
	for (;;) {
		/* by handle: by name, librdkafka looks the topic up each time */
		err = !rkt ? RD_KAFKA_RESP_ERR__INVALID_ARG :
		    rd_kafka_producev(w->rk, RD_KAFKA_V_RKT(rkt),
		    RD_KAFKA_V_KEY(key.p, key.n),
		    RD_KAFKA_V_VALUE(copy ? copy : (void *)(uintptr_t)val, vlen),
		    RD_KAFKA_V_MSGFLAGS(copy ? 0 : RD_KAFKA_MSG_F_COPY),
		    RD_KAFKA_V_HEADERS(h),
		    RD_KAFKA_V_OPAQUE((void *)((uintptr_t)cdc_ckq_next(&w->q) |
		    (copy ? POOLED : 0))), RD_KAFKA_V_END);
		if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL || cdc_stop_sig)
			break;
		rd_kafka_poll(w->rk, 100);
	}
	if (err) {
		if (copy)
			cdc_pool_release(&w->pool, copy);
		rd_kafka_headers_destroy(h);
		if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL)
			return -1;	/* stopped by a signal */
		cdc_log_err("%.*s.%.*s (%.*s@%jd): cannot produce key %.*s to "
		    "'%s': %s%s", (int)ev->db.n, ev->db.p, (int)ev->collection.n,
		    ev->collection.p, (int)ev->src.topic.n, ev->src.topic.p,
		    (intmax_t)ev->src.offset, (int)(key.n > 200 ? 200 : key.n),
		    key.p, topic, rd_kafka_err2str(err),
		    err == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE ?
		    " (raise -X message.max.bytes)" : "");
		w->status = CDC_EXIT_RUNTIME;
		return -1;
	}
	cdc_ckq_sent(&w->q);
	w->msgs++;
	if (w->msgs % 1024 == 0)
		rd_kafka_poll(w->rk, 0);
	return 0;
}

/* The topic of ev; -1 with err filled when the template gives none (a
 * delete has no partition, so '{partition}' alone gives an empty name). */
static int
topic_for(struct writer *w, char *topic, size_t n, const struct cdc_event *ev,
    const char *op, char *err, size_t errsz)
{
	if (cdc_env_topic(topic, n, w->o->tmpl, ev, op) == 0)
		return 0;
	snprintf(err, errsz, "%.*s.%.*s: the topic template '%s' gives %s for "
	    "this %s", (int)ev->db.n, ev->db.p, (int)ev->collection.n,
	    ev->collection.p, w->o->tmpl, *topic ? "a name over 249 characters" :
	    "an empty name", op);
	return -1;
}

/* === events === */

/* Produce key/val as built, or wrapped with their Connect schemas. */
static int
produce_kv(struct writer *w, const char *topic, const struct cdc_event *ev,
    const char *op, const struct cdc_cols *cols, struct cdc_str pk,
    const msgpack_object *k)
{
	if (!w->env.with_schema)
		return produce(w, topic, STR(w->key), w->val.p, w->val.len, ev,
		    op);
	w->wkey.len = w->wval.len = 0;
	cdc_env_wrap(&w->wkey, &w->wval, &w->key, &w->val, &w->env, ev, cols,
	    pk, k);
	return produce(w, topic, STR(w->wkey), w->wval.p, w->wval.len, ev, op);
}

/* cdc_render_fn: key and value of insert row `row`, on any thread. */
static int
render_row(void *arg, size_t row, struct cdc_buf *key, struct cdc_buf *val,
    char *err, size_t errsz)
{
	struct rctx *x = arg;
	struct cdc_buf t;

	if (cdc_env_insert(key, val, &x->env, x->ev, &x->w->cols, row, err,
	    errsz) < 0)
		return -1;
	if (!x->env.with_schema)
		return 0;
	x->wkey.len = x->wval.len = 0;
	cdc_env_wrap(&x->wkey, &x->wval, key, val, &x->env, x->ev,
	    &x->w->cols, x->w->cols.pk_name, NULL);
	t = *key, *key = x->wkey, x->wkey = t;
	t = *val, *val = x->wval, x->wval = t;
	return 0;
}

static int
on_insert(struct writer *w, const struct cdc_event *ev, char *err,
    size_t errsz)
{
	char topic[256];
	struct cdc_str k, v;
	int rc;

	if (cdc_cols_parse(&w->cols, ev->map, err, errsz) < 0 ||
	    topic_for(w, topic, sizeof topic, ev, "insert", err, errsz) < 0)
		return -1;
	/* Connect's io.debezium.data.Json is a string of JSON text. */
	w->cols.flags = w->env.with_schema ? CDC_JSON_JSON_AS_STR : 0;
	for (int i = 0; i <= w->o->jobs; i++) {
		w->rctx[i].ev = ev;
		w->rctx[i].env.now_ms = w->env.now_ms;
	}
	cdc_render_start(w->render, render_row, w->rargs, w->cols.rows);
	while ((rc = cdc_render_next(w->render, &k, &v, err, errsz)) == 1) {
		if (produce(w, topic, k, v.p, v.n, ev, "c") < 0) {
			cdc_render_stop(w->render);
			return -2;
		}
		w->rows++;
	}
	return rc;
}

static int
on_delete(struct writer *w, const struct cdc_event *ev, char *err,
    size_t errsz)
{
	const msgpack_object *keys = cdc_map_get(ev->map, "keys");
	struct cdc_str pk = {"", 0};
	char topic[256];

	cdc_map_str(ev->map, "pk", &pk.p, &pk.n);
	if (!keys || keys->type != MSGPACK_OBJECT_ARRAY) {
		snprintf(err, errsz, "delete without keys");
		return -1;
	}
	if (topic_for(w, topic, sizeof topic, ev, "delete", err, errsz) < 0)
		return -1;
	for (uint32_t i = 0; i < keys->via.array.size; i++) {
		w->key.len = w->val.len = 0;
		if (cdc_env_delete(&w->key, &w->val, &w->env, ev, pk,
		    &keys->via.array.ptr[i], err, errsz) < 0)
			return -1;
		if (produce_kv(w, topic, ev, "d", NULL, pk,
		    &keys->via.array.ptr[i]) < 0)
			return -2;
		if (w->o->tombstones && w->o->format == CDC_ENV_DEBEZIUM &&
		    produce(w, topic, w->env.with_schema ? STR(w->wkey) :
		    STR(w->key),
		    NULL, 0, ev, "d") < 0)
			return -2;
	}
	w->rows += keys->via.array.size;
	return 0;
}

/* -f cdc: the frame itself, keyed by db.collection; cdc.op c, d or ddl. */
static int
on_frame(struct writer *w, const struct cdc_frame *fr,
    const struct cdc_event *ev, char *err, size_t errsz)
{
	char topic[256];
	const char *op = cdc_ev_is_ddl(ev->type) ? "ddl" :
	    cdc_ev_type_name(ev->type);
	const char *hop = ev->type == CDC_EV_INSERT ? "c" :
	    ev->type == CDC_EV_DELETE ? "d" : op;

	w->key.len = 0;
	cdc_buf_add(&w->key, ev->db.p, ev->db.n);
	cdc_buf_addc(&w->key, '.');
	cdc_buf_add(&w->key, ev->collection.p, ev->collection.n);
	if (cdc_ev_is_ddl(ev->type))
		snprintf(topic, sizeof topic, "%s", w->o->ddl_topic);
	else if (topic_for(w, topic, sizeof topic, ev, op, err, errsz) < 0)
		return -1;
	return produce(w, topic, STR(w->key), fr->data, fr->len, ev, hop) < 0 ?
	    -2 : 0;
}

/* 0; -1 a data error (err filled); -2 a produce error (logged) or a
 * signal. */
static int
one_event(struct writer *w, const struct cdc_frame *fr,
    const struct cdc_event *ev, char *err, size_t errsz)
{
	if (ev->type == CDC_EV_HEADER)
		return 0;
	if (ev->type == CDC_EV_CHECKPOINT) {
		queue_checkpoint(w, fr);
		return 0;
	}
	if (w->o->format == CDC_ENV_CDC)
		return on_frame(w, fr, ev, err, errsz);
	if (ev->type == CDC_EV_INSERT)
		return on_insert(w, ev, err, errsz);
	if (ev->type == CDC_EV_DELETE)
		return on_delete(w, ev, err, errsz);
	w->key.len = w->val.len = 0;
	if (cdc_env_ddl(&w->key, &w->val, ev, err, errsz) < 0)
		return -1;
	return produce(w, w->o->ddl_topic, STR(w->key), w->val.p, w->val.len, ev,
	    "ddl") < 0 ? -2 : 0;
}

/* Delivery reports, and the checkpoints they complete: while upstream is
 * idle, and every 100 ms while frames keep coming (produce() alone polls
 * only every 1024 messages). */
static void
serve_reports(struct writer *w, int64_t now_ms)
{
	rd_kafka_poll(w->rk, 0);
	persist_ready(w);
	w->served_ms = now_ms;
}

static void
run(struct writer *w)
{
	struct cdc_frame fr;
	struct cdc_event ev;
	char err[1024], e[768];
	int n = 0, rc;
	struct timeval tv;

	while (!cdc_stop_sig && !w->failed && w->status == 0) {
		if (!cdc_wreader_wait(&w->in, 100)) {
			/* upstream idle: serve delivery reports meanwhile */
			serve_reports(w, w->env.now_ms);
			continue;
		}
		if ((n = cdc_wreader_next(&w->in, &fr, &ev, err,
		    sizeof err)) < 1)
			break;
		if (n == 2) {
			cdc_log_warn("skipping events of unknown type '%.*s'",
			    (int)ev.type_name.n, ev.type_name.p);
			continue;
		}
		gettimeofday(&tv, NULL);
		w->env.now_ms = (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
		if ((rc = one_event(w, &fr, &ev, e, sizeof e)) == -1) {
			cdc_log_err("%s: frame %ju at byte %ju: %s",
			    cdc_wreader_name(&w->in), (uintmax_t)fr.no,
			    (uintmax_t)fr.offset, e);
			w->status = CDC_EXIT_DATA;
		}
		if (w->env.now_ms - w->served_ms >= 100)
			serve_reports(w, w->env.now_ms);
	}
	if (n < 0 && !cdc_stop_sig && !w->failed && w->status == 0) {
		cdc_log_err("%s", err);
		w->status = CDC_EXIT_DATA;
	}
}

/* === setup and teardown === */

static rd_kafka_conf_t *
kafka_conf(struct writer *w, char *err, size_t errsz)
{
	const struct opts *o = w->o;
	rd_kafka_conf_t *conf = rd_kafka_conf_new();

	rd_kafka_conf_set(conf, "enable.idempotence", "true", NULL, 0);
	rd_kafka_conf_set(conf, "acks", "all", NULL, 0);
	rd_kafka_conf_set(conf, "partitioner", "murmur2_random", NULL, 0);
	rd_kafka_conf_set(conf, "linger.ms", "20", NULL, 0);
	cdc_kafka_conf_log(conf);
	rd_kafka_conf_set_dr_msg_cb(conf, dr_cb);
	rd_kafka_conf_set_opaque(conf, w);
	if (cdc_kafka_conf_apply(conf, &o->kafka, !o->dump, err, errsz) < 0) {
		rd_kafka_conf_destroy(conf);
		return NULL;
	}
	return conf;
}

/* --dump-config: the global properties, then the topic ones (acks,
 * partitioner...) that -X sets on the default topic configuration. */
static void
dump_config(rd_kafka_conf_t *conf)
{
	rd_kafka_topic_conf_t *tc = rd_kafka_conf_get_default_topic_conf(conf);
	const char **arr;
	size_t cnt;

	cdc_kafka_conf_dump(conf, stdout);
	if (!tc)
		return;
	arr = rd_kafka_topic_conf_dump(tc, &cnt);
	for (size_t i = 0; i + 1 < cnt; i += 2)
		printf("%s = %s\n", arr[i], arr[i + 1]);
	rd_kafka_conf_dump_free(arr, cnt);
}

/* The row renderer and each of its threads' state (-j). */
static int
render_setup(struct writer *w, char *err, size_t errsz)
{
	int n = w->o->format == CDC_ENV_CDC ? 0 : w->o->jobs;

	w->o->jobs = n;
	w->rctx = cdc_xcalloc((size_t)n + 1, sizeof *w->rctx);
	w->rargs = cdc_xcalloc((size_t)n + 1, sizeof *w->rargs);
	for (int i = 0; i <= n; i++) {
		w->rctx[i].w = w;
		w->rctx[i].env = (struct cdc_env){.format = w->env.format,
		    .with_schema = w->env.with_schema, .name = w->env.name};
		w->rargs[i] = &w->rctx[i];
	}
	w->render = cdc_render_new(n, err, errsz);
	return w->render ? 0 : -1;
}

static void
render_teardown(struct writer *w)
{
	cdc_render_fini(w->render);
	for (int i = 0; w->rctx && i <= w->o->jobs; i++) {
		cdc_env_fini(&w->rctx[i].env);
		cdc_buf_fini(&w->rctx[i].wkey);
		cdc_buf_fini(&w->rctx[i].wval);
	}
	free(w->rctx);
	free(w->rargs);
}

/* 0 ready, 1 done (--dump-config), -1 error (logged). */
static int
setup(struct writer *w)
{
	char err[512];
	rd_kafka_conf_t *conf = kafka_conf(w, err, sizeof err);

	if (!conf) {
		cdc_log_err("%s", err);
		return -1;
	}
	if (w->o->dump) {
		dump_config(conf);
		rd_kafka_conf_destroy(conf);
		return 1;
	}
	w->env.format = w->o->format;
	w->env.with_schema = w->o->with_schema && w->o->format ==
	    CDC_ENV_DEBEZIUM;
	w->env.name = w->o->name;
	if (render_setup(w, err, sizeof err) < 0) {
		cdc_log_err("%s", err);
		rd_kafka_conf_destroy(conf);
		return -1;
	}
	cdc_ckq_init(&w->q, WINDOW);
	if (w->o->ckpt && cdc_writer_ckpt_check(w->o->ckpt, err,
	    sizeof err) < 0) {
		cdc_log_err("%s", err);
		rd_kafka_conf_destroy(conf);
		return -1;
	}
	if (cdc_wreader_open(&w->in, w->o->files, w->o->nfiles, w->o->max_frame,
	    err, sizeof err) < 0) {
		cdc_log_err("%s", err);
		rd_kafka_conf_destroy(conf);
		return -1;
	}
	w->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
	if (!w->rk) {
		cdc_log_err("%s", err);
		rd_kafka_conf_destroy(conf);
		return -1;
	}
	return 0;
}

/* Wait for every delivery report; a second signal abandons the wait. */
static void
drain(struct writer *w)
{
	double deadline = cdc_now() + (cdc_stop_sig ? w->o->flush_timeout :
	    1e9);

	while (rd_kafka_outq_len(w->rk) > 0 && cdc_now() < deadline &&
	    cdc_nsig < 2) {
		/* flush, not poll: it wakes the broker threads, which
		 * otherwise may sleep up to 1 s on a partial batch. */
		rd_kafka_flush(w->rk, 50);
		persist_ready(w);
		if (cdc_stop_sig && deadline > cdc_now() + w->o->flush_timeout)
			deadline = cdc_now() + w->o->flush_timeout;
	}
	rd_kafka_poll(w->rk, 0);
	persist_ready(w);
}

static int
teardown(struct writer *w)
{
	if (w->rk) {
		drain(w);
		if (rd_kafka_outq_len(w->rk) > 0 ||
		    cdc_ckq_outstanding(&w->q) > 0) {
			cdc_log_err("%ju messages not delivered",
			    (uintmax_t)cdc_ckq_outstanding(&w->q));
			w->status = CDC_EXIT_RUNTIME;
		}
		if (w->failed)
			w->status = CDC_EXIT_RUNTIME;
		cdc_log_info(2, "%ju rows, %ju messages", (uintmax_t)w->rows,
		    (uintmax_t)w->msgs);
		for (size_t i = 0; i < w->ntopics; i++)
			rd_kafka_topic_destroy(w->topics[i]);
		free(w->topics);
		rd_kafka_destroy(w->rk);
	}
	cdc_pool_fini(&w->pool);	/* after the producer: it held copies */
	cdc_ckq_fini(&w->q);
	cdc_wreader_close(&w->in);
	cdc_buf_fini(&w->key);
	cdc_buf_fini(&w->val);
	cdc_env_fini(&w->env);
	render_teardown(w);
	cdc_buf_fini(&w->wkey);
	cdc_buf_fini(&w->wval);
	cdc_cols_fini(&w->cols);
	return w->status;
}

int
main(int argc, char **argv)
{
	struct opts o = {0};
	struct writer w = {0};
	int rc;

	cdc_log_init(argv[0], 1);
	if ((rc = parse_opts(&o, argc, argv)) != 0) {
		cdc_kafka_opts_fini(&o.kafka);
		return rc > 0 ? 0 : CDC_EXIT_USAGE;
	}
	cdc_log_init(argv[0], o.verbose < 0 ? 0 : 1 + o.verbose);
	w.o = &o;
	cdc_mem_keep();
	cdc_writer_signals();
	if ((rc = setup(&w)) != 0) {
		teardown(&w);
		cdc_kafka_opts_fini(&o.kafka);
		return rc > 0 ? 0 : CDC_EXIT_USAGE;
	}
	run(&w);
	rc = teardown(&w);
	cdc_kafka_opts_fini(&o.kafka);
	if (cdc_stop_sig && rc == 0)
		cdc_writer_reraise(cdc_stop_sig);
	return rc;
}
