/*
 * cdc-read - read the topics Milvus writes into its Kafka and write the
 * changes as a cdc-stream(5) on stdout, in Milvus timestamp order.
 *
 * The file reads like its job: options, setup (Kafka, state, resume point),
 * the run loop (consume, decode, release in order, emit, checkpoint), and
 * teardown.  Decoding lives in common/cdc_milvus*.c, ordering in
 * common/cdc_order.c.
 */
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <protobuf-c/protobuf-c.h>

#include "cdc_apply.h"
#include "cdc_event.h"
#include "cdc_frame.h"
#include "cdc_json.h"
#include "cdc_kafka.h"
#include "cdc_milvus.h"
#include "cdc_order.h"
#include "cdc_rest.h"
#include "cdc_schema.h"
#include "cdc_util.h"

#define OP_INSERT 1u
#define OP_DELETE 2u
#define OP_DDL 4u

/* A channel ahead of the others is paused once this much of it waits. */
#define PAUSE_BYTES ((size_t)1 << 20)

struct opts {
	const char *prefix, *from, *until, *state, *source;
	struct cdc_kafka_opts kafka;	/* -b, -X, -F */
	char **topics, **resume, **colls, **dbs;
	size_t ntopics, nresume, ncolls, ndbs;
	int channels, exit_at_end, skip_bad, verbose, unbuffered, dump;
	long long count;
	double ckpt_interval, idle_after;
	size_t max_bytes;
	unsigned ops;
};

struct topic {
	char *name;
	int64_t start, end;	/* start offset; high watermark seen at start */
	int64_t first;		/* low watermark seen at start */
	int absent;		/* topic does not exist (yet) */
	rd_kafka_queue_t *q;	/* its own message queue (NULL: the main) */
	double eof_since;	/* at the end of its log since then, or 0 */
	int64_t ckpt_pos;	/* position in the last checkpoint written */
	int untimed;		/* no TimeTicks: the replicate-msg topic */
	int bad;		/* an undecodable record: read no further */
};

struct reader {
	struct opts *o;
	rd_kafka_t *rk;
	struct topic *t;
	size_t nt;
	struct cdc_order *ord;
	struct cdc_schemas *reg;
	struct cdc_frame_writer fw;
	struct cdc_rest rest;		/* --source-milvus */
	int64_t *asked;			/* collection ids asked about */
	size_t nasked;
	uint64_t from_ts, until_ts;	/* 0 / UINT64_MAX when not set */
	uint64_t skip_ts, skip_done;	/* resume: drop what was emitted */
	int skip_all, resumed;
	uint64_t events, rows, bytes, last_events, last_rows, last_bytes;
	size_t peak_bytes;		/* most record bytes buffered at once */
	double last_ckpt, last_progress;
	uint64_t ckpt_ts, ckpt_done;	/* watermark of the last checkpoint */
	int ckpt_all, ckpt_any;
	uint64_t ckpt_events;		/* events written before it */
	int stop, status, out_dead, state_failed, dirty;
	int draining;		/* after a bad record: up to the ends, then 3 */
};

static volatile sig_atomic_t stop_sig;

static void
on_signal(int sig)
{
	stop_sig = sig;
}

/* SIGPIPE ignored (EPIPE says downstream closed); SIGINT and SIGTERM set
 * the flag, restarting interrupted writes; a second one kills at once. */
static void
signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART | SA_RESETHAND;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* === options === */

static const char optstring[] = "b:X:F:t:o:ec:vquhV";
static const struct option longopts[] = {
	{"brokers", required_argument, NULL, 'b'},
	{"property", required_argument, NULL, 'X'},
	{"config", required_argument, NULL, 'F'},
	{"topic", required_argument, NULL, 't'},
	{"prefix", required_argument, NULL, 'P'},
	{"channels", required_argument, NULL, 'N'},
	{"from", required_argument, NULL, 'o'},
	{"until", required_argument, NULL, 'U'},
	{"exit-at-end", no_argument, NULL, 'e'},
	{"count", required_argument, NULL, 'c'},
	{"resume", required_argument, NULL, 'R'},
	{"state", required_argument, NULL, 'S'},
	{"checkpoint-interval", required_argument, NULL, 'I'},
	{"idle-after", required_argument, NULL, 'L'},
	{"collection", required_argument, NULL, 'C'},
	{"db", required_argument, NULL, 'D'},
	{"op", required_argument, NULL, 'O'},
	{"skip-bad", no_argument, NULL, 'K'},
	{"max-buffer", required_argument, NULL, 'M'},
	{"source-milvus", required_argument, NULL, 'Q'},
	{"dump-config", no_argument, NULL, 'd'},
	{"unbuffered", no_argument, NULL, 'u'},
	{"verbose", no_argument, NULL, 'v'},
	{"quiet", no_argument, NULL, 'q'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: cdc-read -b brokers [-X key=value] [-F file] "
	    "[-t topic]... [--prefix name]\n"
	    "                [--channels n] [-o from] [--until until] [-e] "
	    "[-c count]\n"
	    "                [--resume file]... [--state file] "
	    "[--collection glob]... [--db glob]...\n"
	    "                [--op insert,delete,ddl] [--skip-bad] [-v|-q] "
	    "[-u]\n");
}

static void
help(void)
{
	usage(stdout);
	fputs("\nRead Milvus 2.3-2.5 change records from Kafka and write a "
	    "cdc-stream(5) on stdout.\n\n"
	    "  -b, --brokers LIST          Kafka bootstrap servers\n"
	    "  -X, --property K=V          librdkafka property "
	    "(-X list: all of them)\n"
	    "  -F, --config FILE           librdkafka properties file\n"
	    "      --dump-config           print the configuration and exit\n"
	    "  -t, --topic NAME            read this topic (repeatable)\n"
	    "      --prefix NAME           Milvus channel prefix (by-dev)\n"
	    "      --channels N            Milvus DML channels (16)\n"
	    "  -o, --from WHERE            earliest|latest|TOPIC:OFFSET|"
	    "time:ISO-8601|ts:HYBRID\n"
	    "      --until WHEN            ts:HYBRID|time:ISO-8601|now\n"
	    "  -e, --exit-at-end           stop at the end of every topic\n"
	    "  -c, --count N               stop after N events\n"
	    "      --resume FILE           restart from a writer's checkpoint "
	    "(repeatable)\n"
	    "      --state FILE            keep learned schemas in FILE\n"
	    "      --checkpoint-interval S seconds between checkpoints (1)\n"
	    "      --idle-after S          a channel at its end this long no "
	    "longer holds\n"
	    "                              the others back (1)\n"
	    "      --collection GLOB       only these collections "
	    "(db.collection allowed)\n"
	    "      --db GLOB               only these databases\n"
	    "      --op LIST               only insert, delete and/or ddl\n"
	    "      --skip-bad              log undecodable records and go on\n"
	    "      --source-milvus URI     ask this Milvus for unknown schemas "
	    "(MILVUS_TOKEN)\n"
	    "      --max-buffer SIZE       stop with an error when more is "
	    "buffered (1g)\n"
	    "  -u, --unbuffered            flush every frame\n"
	    "  -v, --verbose               progress on stderr\n"
	    "  -q, --quiet                 no warnings\n"
	    "  -h, --help                  this text\n"
	    "  -V, --version               version and library versions\n",
	    stdout);
}

static void
version(void)
{
	printf("cdc-read %s (librdkafka %s, protobuf-c %s, msgpack-c %s)\n",
	    CDC_VERSION, rd_kafka_version_str(), protobuf_c_version(),
	    msgpack_version());
}

static int
bad_opt(const char *msg, const char *arg)
{
	cdc_log_err("%s '%s'", msg, arg);
	usage(stderr);
	fprintf(stderr, "Try 'cdc-read --help'.\n");
	return -1;
}

static void
push(char ***v, size_t *n, const char *s)
{
	*v = cdc_xrealloc(*v, (*n + 1) * sizeof **v);
	(*v)[(*n)++] = (char *)s;
}

/* The option lists (their strings are argv's). */
static void
opts_fini(struct opts *o)
{
	free(o->topics);
	free(o->resume);
	free(o->colls);
	free(o->dbs);
	cdc_kafka_opts_fini(&o->kafka);
}

static int
parse_ops(const char *s, unsigned *ops)
{
	char *copy = cdc_xstrdup(s), *tok, *save = NULL;
	int rc = 0;

	*ops = 0;
	for (tok = strtok_r(copy, ",", &save); tok;
	    tok = strtok_r(NULL, ",", &save)) {
		if (strcmp(tok, "insert") == 0)
			*ops |= OP_INSERT;
		else if (strcmp(tok, "delete") == 0)
			*ops |= OP_DELETE;
		else if (strcmp(tok, "ddl") == 0)
			*ops |= OP_DDL;
		else
			rc = -1;
	}
	free(copy);
	return rc == 0 && *ops ? 0 : -1;
}

/* Seconds, fractions allowed, 0 to a day; *e says why not. */
static double
seconds(const char *s, const char **e)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end || v != v)
		*e = "not a number";
	else if (v < 0)
		*e = "too small";
	else if (v > 86400)
		*e = "too large";
	return v;
}

/* One option; 0, 1 to exit 0 at once, -1 for a usage error. */
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
	case 't': push(&o->topics, &o->ntopics, arg); break;
	case 'P': o->prefix = arg; break;
	case 'N':
		o->channels = (int)cdc_opt_num(arg, 1, 1024, &e);
		break;
	case 'o': o->from = arg; break;
	case 'U': o->until = arg; break;
	case 'e': o->exit_at_end = 1; break;
	case 'c': o->count = cdc_opt_num(arg, 1, INT64_MAX, &e); break;
	case 'R': push(&o->resume, &o->nresume, arg); break;
	case 'S': o->state = arg; break;
	case 'I': o->ckpt_interval = seconds(arg, &e); break;
	case 'L': o->idle_after = seconds(arg, &e); break;
	case 'C': push(&o->colls, &o->ncolls, arg); break;
	case 'D': push(&o->dbs, &o->ndbs, arg); break;
	case 'O':
		if (parse_ops(arg, &o->ops) < 0)
			return bad_opt("invalid --op", arg);
		break;
	case 'K': o->skip_bad = 1; break;
	case 'Q': o->source = arg; break;
	case 'M':
		o->max_bytes = (size_t)cdc_opt_size(arg, 1 << 20, INT64_MAX, &e);
		break;
	case 'd': o->dump = 1; break;
	case 'u': o->unbuffered = 1; break;
	case 'v': o->verbose++; break;
	case 'q': o->verbose = -1; break;
	case 'h': help(); return 1;
	case 'V': version(); return 1;
	default: return bad_opt("invalid option", arg ? arg : "?");
	}
	if (e) {
		char msg[64];

		snprintf(msg, sizeof msg, "invalid argument (%s)", e);
		return bad_opt(msg, arg);
	}
	return 0;
}

static int
parse_opts(struct opts *o, int argc, char **argv)
{
	int ch, rc;

	o->prefix = "by-dev";
	o->channels = 16;
	o->from = "earliest";
	o->ckpt_interval = 1;
	o->idle_after = 1;
	o->max_bytes = (size_t)1 << 30;
	o->ops = OP_INSERT | OP_DELETE | OP_DDL;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, optstring, longopts, NULL)) != -1)
		if ((rc = opt_one(o, ch, ch == '?' ? argv[optind - 1] :
		    optarg)) != 0)
			return rc;
	if (optind < argc)
		return bad_opt("unexpected argument", argv[optind]);
	return 0;
}

/* === setup === */

static rd_kafka_conf_t *
kafka_conf(const struct opts *o, char *err, size_t errsz)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();

	rd_kafka_conf_set(conf, "group.id", "cdc-read", NULL, 0);
	rd_kafka_conf_set(conf, "enable.auto.commit", "false", NULL, 0);
	rd_kafka_conf_set(conf, "enable.auto.offset.store", "false", NULL, 0);
	rd_kafka_conf_set(conf, "enable.partition.eof", "true", NULL, 0);
	rd_kafka_conf_set(conf, "auto.offset.reset", "earliest", NULL, 0);
	rd_kafka_conf_set(conf, "fetch.message.max.bytes", "11534336", NULL, 0);
	cdc_kafka_conf_log(conf);
	if (cdc_kafka_conf_apply(conf, &o->kafka, !o->dump, err, errsz) < 0) {
		rd_kafka_conf_destroy(conf);
		return NULL;
	}
	return conf;
}

static void
add_topic(struct reader *r, const char *name)
{
	r->t = cdc_xrealloc(r->t, (r->nt + 1) * sizeof *r->t);
	memset(&r->t[r->nt], 0, sizeof r->t[r->nt]);
	r->t[r->nt++].name = cdc_xstrdup(name);
}

static void
make_topics(struct reader *r)
{
	const struct opts *o = r->o;
	char name[512];

	for (size_t i = 0; i < o->ntopics; i++)
		add_topic(r, o->topics[i]);
	if (o->ntopics > 0)
		return;
	for (int i = 0; i < o->channels; i++) {
		snprintf(name, sizeof name, "%s-rootcoord-dml_%d", o->prefix, i);
		add_topic(r, name);
	}
	snprintf(name, sizeof name, "%s-replicate-msg", o->prefix);
	add_topic(r, name);
}

static int
is_untimed(const char *topic)
{
	size_t n = strlen(topic), k = strlen("-replicate-msg");

	return n >= k && strcmp(topic + n - k, "-replicate-msg") == 0;
}

/* Did the cluster not answer at all (as opposed to not knowing a topic)? */
static int
unreachable(rd_kafka_resp_err_t err)
{
	return err == RD_KAFKA_RESP_ERR__TIMED_OUT ||
	    err == RD_KAFKA_RESP_ERR__TRANSPORT ||
	    err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN ||
	    err == RD_KAFKA_RESP_ERR__RESOLVE;
}

/* High watermarks now: the end of a bounded run and the lag baseline.  An
 * unknown topic is empty; -1 (err filled) when the cluster did not answer
 * within 10 s, at the first topic so. */
static int
query_ends(struct reader *r, char *errbuf, size_t errsz)
{
	for (size_t i = 0; i < r->nt; i++) {
		int64_t lo, hi;
		rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(
		    r->rk, r->t[i].name, 0, &lo, &hi, 10000);

		if (unreachable(err)) {
			snprintf(errbuf, errsz, "cannot reach Kafka (topic "
			    "'%s'): %s", r->t[i].name, rd_kafka_err2str(err));
			return -1;
		}
		if (err) {
			cdc_log_info(2, "topic '%s': %s (treated as empty)",
			    r->t[i].name, rd_kafka_err2str(err));
			r->t[i].absent = 1;
			lo = hi = 0;
		}
		r->t[i].first = lo;
		r->t[i].end = hi;
	}
	return 0;
}

static int
parse_hybrid(const char *s, uint64_t *ts)
{
	const char *e = NULL;
	int64_t ms;

	if (strncmp(s, "ts:", 3) == 0) {
		*ts = (uint64_t)cdc_opt_num(s + 3, 0, INT64_MAX, &e);
		return e ? -1 : 0;
	}
	if (strncmp(s, "time:", 5) == 0 && cdc_time_parse(s + 5, &ms) == 0) {
		*ts = (uint64_t)ms << CDC_TS_LOGICAL_BITS;
		return 0;
	}
	if (strcmp(s, "now") == 0) {
		*ts = (uint64_t)time(NULL) * 1000 << CDC_TS_LOGICAL_BITS;
		return 0;
	}
	return -1;
}

/*
 * --from time:/ts: the first offset whose Kafka timestamp is at most a
 * minute before the Milvus time (records are then filtered exactly by
 * Milvus ts).  A topic Kafka has nothing that late for starts at its end;
 * on any error a topic starts at its beginning, which is slower but exact.
 */
static void
seek_time(struct reader *r)
{
	rd_kafka_topic_partition_list_t *l =
	    rd_kafka_topic_partition_list_new((int)r->nt);
	rd_kafka_resp_err_t e;

	for (size_t i = 0; i < r->nt; i++)
		rd_kafka_topic_partition_list_add(l, r->t[i].name, 0)->offset =
		    (int64_t)cdc_ts_ms(r->from_ts) - 60000;
	e = rd_kafka_offsets_for_times(r->rk, l, 10000);
	for (int i = 0; i < l->cnt && (size_t)i < r->nt; i++) {
		const rd_kafka_topic_partition_t *p = &l->elems[i];

		r->t[i].start = e || p->err || r->t[i].absent ? 0 :
		    p->offset == RD_KAFKA_OFFSET_END || p->offset < 0 ?
		    r->t[i].end : p->offset;
		cdc_log_info(3, "%s: --from %s starts at offset %jd",
		    r->t[i].name, r->o->from, (intmax_t)r->t[i].start);
	}
	rd_kafka_topic_partition_list_destroy(l);
}

/* Start offsets from --from. */
static int
start_from(struct reader *r, char *err, size_t errsz)
{
	const char *f = r->o->from, *colon = strrchr(f, ':');

	for (size_t i = 0; i < r->nt; i++)
		r->t[i].start = strcmp(f, "latest") == 0 ? r->t[i].end : 0;
	if (!strcmp(f, "earliest") || !strcmp(f, "latest"))
		return 0;
	if (!strncmp(f, "time:", 5) || !strncmp(f, "ts:", 3)) {
		if (parse_hybrid(f, &r->from_ts) < 0)
			goto bad;
		seek_time(r);
		return 0;
	}
	if (colon && colon != f) {
		const char *e = NULL;
		long long off = cdc_opt_num(colon + 1, 0, INT64_MAX, &e);

		for (size_t i = 0; !e && i < r->nt; i++)
			if (strlen(r->t[i].name) == (size_t)(colon - f) &&
			    !strncmp(r->t[i].name, f, (size_t)(colon - f))) {
				r->t[i].start = off;
				return 0;
			}
	}
bad:
	snprintf(err, errsz, "invalid --from '%s'", f);
	return -1;
}

/* Merge one sink's start: earliest position, smallest watermark. */
static void
merge_start(struct reader *r, const int64_t *off, const struct cdc_ckpt *c)
{
	int first = !r->resumed;

	for (size_t i = 0; i < r->nt; i++)
		if (first || off[i] < r->t[i].start)
			r->t[i].start = off[i];
	if (first || c->ts < r->skip_ts ||
	    (c->ts == r->skip_ts && !c->done_all &&
	    (r->skip_all || c->done < r->skip_done))) {
		r->skip_ts = c->ts;
		r->skip_done = c->done;
		r->skip_all = c->done_all;
	}
	r->resumed = 1;
}

/* Merge one writer checkpoint; a topic it does not name starts at 0. */
static void
merge_ckpt(struct reader *r, const struct cdc_ckpt *c)
{
	int64_t *off = cdc_xcalloc(r->nt, sizeof *off);

	for (size_t i = 0; i < r->nt; i++)
		for (size_t k = 0; k < c->npos; k++)
			if (strcmp(c->pos[k].topic, r->t[i].name) == 0)
				off[i] = c->pos[k].offset;
	merge_start(r, off, c);
	free(off);
}

/* Does --from name an offset, so that losing it to retention is news? */
static int
from_offset(const char *f)
{
	return strchr(f, ':') && strncmp(f, "ts:", 3) && strncmp(f, "time:", 5);
}

/*
 * A sink without a checkpoint file is on its first run: merge it as a
 * checkpoint at the --from start that has emitted nothing (before the
 * --from time, if one was given).  off holds the --from starts.
 */
static void
merge_first_run(struct reader *r, int64_t *off)
{
	struct cdc_ckpt c = {.ts = r->from_ts};

	for (size_t i = 0; i < r->nt; i++)
		if (off[i] < r->t[i].first && !from_offset(r->o->from))
			off[i] = r->t[i].first;
	merge_start(r, off, &c);
}

/*
 * Start from the earliest of the --resume checkpoints and, for a missing
 * file, of the --from start.  With a checkpoint the merged watermark does
 * what the --from time filter would, which would drop events a sink with
 * an older checkpoint has not had yet.
 */
static int
load_resume(struct reader *r, char *err, size_t errsz)
{
	int64_t *from = cdc_xcalloc(r->nt, sizeof *from);
	int missing = 0, rc = 0;

	for (size_t i = 0; i < r->nt; i++)
		from[i] = r->t[i].start;
	for (size_t i = 0; rc >= 0 && i < r->o->nresume; i++) {
		struct cdc_ckpt c;

		if ((rc = cdc_ckpt_load(r->o->resume[i], &c, err, errsz)) > 0) {
			merge_ckpt(r, &c);
			cdc_ckpt_fini(&c);
		} else if (rc == 0) {
			cdc_log_info(2, "no checkpoint '%s': first run, "
			    "from --from %s", r->o->resume[i], r->o->from);
			missing = 1;
		}
	}
	if (rc >= 0 && r->resumed && missing)
		merge_first_run(r, from);
	if (r->resumed)
		r->from_ts = 0;
	free(from);
	return rc < 0 ? -1 : 0;
}

/*
 * Topic ti has reached the end of its log.  It stops holding the others
 * back at once when it is done for this run (-e, or the drain after a bad
 * record), else once it has stayed there --idle-after seconds: a channel
 * that just ran dry is usually about to get its next TimeTick.
 */
static void
at_eof(struct reader *r, size_t ti)
{
	struct topic *t = &r->t[ti];

	if (r->draining || (r->o->exit_at_end &&
	    cdc_order_next(r->ord, ti) >= t->end) || r->o->idle_after <= 0)
		cdc_order_set_eof(r->ord, ti, 1);
	else if (t->eof_since == 0)
		t->eof_since = cdc_now();
}

/* Channels at their end for --idle-after seconds stop holding back. */
static void
idle_check(struct reader *r)
{
	double now = cdc_now();

	for (size_t i = 0; i < r->nt; i++)
		if (r->t[i].eof_since > 0 &&
		    now - r->t[i].eof_since >= r->o->idle_after) {
			r->t[i].eof_since = 0;
			cdc_order_set_eof(r->ord, i, 1);
			r->dirty = 1;
		}
}

/*
 * One queue per partition, read when the order allows (flow).  They are
 * taken off the consumer queue before rd_kafka_assign(): from then on the
 * fetcher forwards each partition's records to the consumer queue, and
 * what reached it before a later split would be read after the records
 * behind it (the next offset went back and -e never saw its end).  An
 * application's forward, even to NULL, is kept when fetching starts
 * (librdkafka's RD_KAFKA_Q_F_FWD_APP).  Without a queue (librdkafka could
 * not make the partition) all of a topic's records come on the consumer
 * queue, still in order.
 */
static void
split_queues(struct reader *r)
{
	for (size_t i = 0; i < r->nt; i++)
		if ((r->t[i].q = rd_kafka_queue_get_partition(r->rk,
		    r->t[i].name, 0)) != NULL)
			rd_kafka_queue_forward(r->t[i].q, NULL);
}

static int
assign(struct reader *r, char *err, size_t errsz)
{
	rd_kafka_topic_partition_list_t *l =
	    rd_kafka_topic_partition_list_new((int)r->nt);
	int *untimed = cdc_xcalloc(r->nt, sizeof *untimed);
	rd_kafka_resp_err_t e;

	/* An absent topic is assigned too: Milvus creates topics lazily,
	 * and a following reader must see it once it exists. */
	for (size_t i = 0; i < r->nt; i++) {
		untimed[i] = r->t[i].untimed = is_untimed(r->t[i].name);
		rd_kafka_topic_partition_list_add(l, r->t[i].name, 0)->offset =
		    r->t[i].start;
	}
	r->ord = cdc_order_new(r->nt, untimed);
	if (r->resumed)
		cdc_order_set_watermark(r->ord, r->skip_ts, r->skip_done,
		    r->skip_all);
	for (size_t i = 0; i < r->nt; i++) {
		cdc_order_set_next(r->ord, i, r->t[i].start);
		if (r->t[i].absent || r->t[i].start >= r->t[i].end)
			at_eof(r, i);
	}
	free(untimed);
	split_queues(r);
	e = rd_kafka_assign(r->rk, l);
	rd_kafka_topic_partition_list_destroy(l);
	if (e) {
		snprintf(err, errsz, "cannot assign partitions: %s",
		    rd_kafka_err2str(e));
		return -1;
	}
	return 0;
}

/* A write or flush of stdout failed: the output is dead and the run stops.
 * EPIPE stops quietly (main() re-raises SIGPIPE); any other error is
 * "write error" and exit 1.  Returns -1. */
static int
out_failed(struct reader *r)
{
	if (errno != EPIPE) {
		cdc_log_err("write error: %s", strerror(errno));
		r->status = CDC_EXIT_RUNTIME;
	}
	r->out_dead = 1;
	r->stop = 1;
	return -1;
}

/* Write the frame just packed (flushed with -u).  0 or -1, as out_failed. */
static int
out_frame(struct reader *r)
{
	if (r->out_dead)
		return -1;
	if (cdc_frame_end(&r->fw, stdout) == 0 &&
	    (!r->o->unbuffered || fflush(stdout) == 0))
		return 0;
	return out_failed(r);
}

/* Flush stdout.  0 or -1, as out_failed. */
static int
out_flush(struct reader *r)
{
	if (r->out_dead)
		return -1;
	if (fflush(stdout) == 0 && !ferror(stdout))
		return 0;
	return out_failed(r);
}

static void
write_header(struct reader *r)
{
	char src[1024];

	snprintf(src, sizeof src, "kafka://%s prefix=%s",
	    r->o->kafka.brokers ? r->o->kafka.brokers : "(config)",
	    r->o->prefix);
	cdc_header_pack(cdc_frame_begin(&r->fw), "cdc-read", src);
	out_frame(r);
}

/* 0 ready, 1 done (--dump-config); with err filled, -1 a usage error or
 * -2 a runtime one (Kafka does not answer). */
static int
setup(struct reader *r, char *err, size_t errsz)
{
	rd_kafka_conf_t *conf = kafka_conf(r->o, err, errsz);

	if (!conf)
		return -1;
	if (r->o->dump) {
		cdc_kafka_conf_dump(conf, stdout);
		rd_kafka_conf_destroy(conf);
		return 1;
	}
	if (r->o->until && parse_hybrid(r->o->until, &r->until_ts) < 0) {
		snprintf(err, errsz, "invalid --until '%s'", r->o->until);
		rd_kafka_conf_destroy(conf);
		return -1;
	}
	if (!r->o->until)
		r->until_ts = UINT64_MAX;
	r->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, errsz);
	if (!r->rk) {
		rd_kafka_conf_destroy(conf);
		return -1;
	}
	r->reg = cdc_schemas_new();
	if (r->o->source) {
		struct cdc_rest_opts ro = {.uri = r->o->source,
		    .token = getenv("MILVUS_TOKEN"), .timeout = 30,
		    .retry_max = 3, .backoff = 0.2};

		if (cdc_rest_init(&r->rest, &ro, err, errsz) < 0)
			return -1;
	}
	if (r->o->state && cdc_schemas_load(r->reg, r->o->state, err,
	    errsz) < 0)
		return -1;
	make_topics(r);
	if (query_ends(r, err, errsz) < 0)
		return -2;
	if (start_from(r, err, errsz) < 0 || load_resume(r, err, errsz) < 0)
		return -1;
	for (size_t i = 0; i < r->nt; i++)
		if (r->t[i].start < r->t[i].first && (r->resumed ||
		    from_offset(r->o->from)))
			cdc_log_warn("%s: offsets %jd to %jd are no longer in "
			    "Kafka (retention); reading from %jd", r->t[i].name,
			    (intmax_t)r->t[i].start, (intmax_t)r->t[i].first - 1,
			    (intmax_t)r->t[i].first);
	for (size_t i = 0; i < r->nt; i++)
		cdc_log_info(3, "%s: from offset %jd (end %jd)", r->t[i].name,
		    (intmax_t)r->t[i].start, (intmax_t)r->t[i].end);
	cdc_frame_writer_init(&r->fw);
	write_header(r);
	return assign(r, err, errsz);
}

/* === run: emit === */

static int
glob_any(char **pats, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (fnmatch(pats[i], s, 0) == 0)
			return 1;
	return 0;
}

/* Does the event pass --op, --db and --collection? */
static int
wanted(const struct reader *r, const struct cdc_msg *m)
{
	const struct opts *o = r->o;
	unsigned op = m->ev == CDC_EV_INSERT ? OP_INSERT :
	    m->ev == CDC_EV_DELETE ? OP_DELETE : OP_DDL;
	struct cdc_str db, coll;
	char d[256], c[256], dc[520];

	if (!(o->ops & op))
		return 0;
	if (o->ndbs == 0 && o->ncolls == 0)
		return 1;
	cdc_milvus_names(m, r->reg, &db, &coll);
	snprintf(d, sizeof d, "%.*s", (int)db.n, db.p);
	snprintf(c, sizeof c, "%.*s", (int)coll.n, coll.p);
	snprintf(dc, sizeof dc, "%s.%s", d, c);
	if (o->ndbs > 0 && !glob_any(o->dbs, o->ndbs, d))
		return 0;
	/* Database-level events pass a collection filter only via --db. */
	if (o->ncolls > 0 && !glob_any(o->colls, o->ncolls, c) &&
	    !glob_any(o->colls, o->ncolls, dc))
		return 0;
	return 1;
}

/*
 * --source-milvus: a collection the registry does not know (its
 * CreateCollection expired from Kafka) is described by the source Milvus;
 * its schema, db and primary key go into the registry (and state file).
 * Each collection is asked about once.
 */
static void
ask_source(struct reader *r, const struct cdc_msg *m)
{
	struct cdc_str db, coll;
	struct cdc_buf body = {0};
	msgpack_sbuffer sb;
	msgpack_packer pk;
	json_t *desc = NULL;
	const char *pkname;
	char err[512], *d, *c;
	int pktype = 0;

	if (!r->o->source || !m->collection_id ||
	    cdc_schemas_by_id(r->reg, m->collection_id))
		return;
	for (size_t i = 0; i < r->nasked; i++)
		if (r->asked[i] == m->collection_id)
			return;
	r->asked = cdc_xrealloc(r->asked, (r->nasked + 1) * sizeof *r->asked);
	r->asked[r->nasked++] = m->collection_id;
	cdc_milvus_names(m, r->reg, &db, &coll);
	if (coll.n == 0)
		return;
	cdc_buf_adds(&body, "{\"dbName\":");
	cdc_json_str(&body, db.p, db.n);
	cdc_buf_adds(&body, ",\"collectionName\":");
	cdc_json_str(&body, coll.p, coll.n);
	cdc_buf_addc(&body, '}');
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	if (cdc_rest_call(&r->rest, "/v2/vectordb/collections/describe", body.p,
	    body.len, &desc, err, sizeof err) != 0 ||
	    cdc_apply_schema_from_describe(desc, &pk, &pkname, &pktype, err,
	    sizeof err) < 0) {
		cdc_log_warn("--source-milvus: %.*s.%.*s: %s", (int)db.n, db.p,
		    (int)coll.n, coll.p, err);
	} else {
		d = cdc_xstrndup(db.p, db.n);
		c = cdc_xstrndup(coll.p, coll.n);
		cdc_schemas_put(r->reg, m->collection_id, d, c, pkname, pktype,
		    sb.data, sb.size);
		free(d);
		free(c);
	}
	json_decref(desc);
	msgpack_sbuffer_destroy(&sb);
	cdc_buf_fini(&body);
}

/* Emit a schema event first for a collection this run has not announced. */
static void
announce(struct reader *r, const struct cdc_msg *m)
{
	struct cdc_schema *s;

	if (m->ev == CDC_EV_CREATE_COLLECTION || !m->collection_id ||
	    !(s = cdc_schemas_by_id(r->reg, m->collection_id)) || s->announced)
		return;
	cdc_schema_pack_event(s, m->ts, cdc_frame_begin(&r->fw));
	if (out_frame(r) == 0)
		s->announced = 1;
}

/*
 * Was m emitted before the checkpoint this run resumed from?  The untimed
 * topic is released in offset order, so its position alone says that.
 */
static int
already_emitted(struct reader *r, const struct cdc_msg *m)
{
	if (!r->resumed || r->t[m->topic_idx].untimed || m->ts > r->skip_ts)
		return 0;
	if (m->ts < r->skip_ts || r->skip_all)
		return 1;
	if (r->skip_done > 0) {
		r->skip_done--;
		return 1;
	}
	return 0;
}

static int
emit_one(struct reader *r, const struct cdc_msg *m)
{
	char err[512];

	cdc_milvus_pack(m, r->reg, cdc_frame_begin(&r->fw), err, sizeof err);
	if (out_frame(r) < 0)
		return -1;
	r->events++;
	r->rows += m->rows;
	r->bytes += m->bytes;
	return 0;
}

/* One released message: filters, schema announcement, the event. */
static void
release_one(struct reader *r, const struct cdc_msg *m)
{
	char err[512];
	int emit = !already_emitted(r, m) && m->ts >= r->from_ts &&
	    wanted(r, m);

	if (emit) {
		ask_source(r, m);
		announce(r, m);
		if (emit_one(r, m) < 0)
			return;
	}
	/* A dropped collection stays known: a restart from a checkpoint older
	 * than the state file replays events of it from before the drop. */
	if (m->ev != CDC_EV_DROP_COLLECTION &&
	    cdc_milvus_learn(m, r->reg, err, sizeof err) < 0)
		cdc_log_warn("%s [%d] at offset %jd: %s", m->topic,
		    (int)m->partition, (intmax_t)m->offset, err);
	if (m->ev == CDC_EV_CREATE_COLLECTION && emit) {
		struct cdc_schema *s = cdc_schemas_by_id(r->reg,
		    m->collection_id);

		if (s)
			s->announced = 1;
	}
	if (emit && r->o->count && r->events >= (uint64_t)r->o->count)
		r->stop = 1;
}

static void checkpoint(struct reader *r, int final);

/* A checkpoint inside a long release: the interval is over and a few
 * events went out since the last one. */
static int
ckpt_due(const struct reader *r)
{
	return r->events >= r->ckpt_events + 64 &&
	    cdc_now() - r->last_ckpt >= r->o->ckpt_interval;
}

/*
 * Release what the ticks allow; 1 if anything moved.  A long release
 * (a backlog) is checkpointed on the way: what went out is committed, the
 * checkpoint written, and the rest released again.
 */
static int
release(struct reader *r)
{
	struct cdc_msg **v;
	uint64_t bound = cdc_order_bound(r->ord);
	uint64_t lim = bound < r->until_ts ? bound : r->until_ts;
	size_t n = cdc_order_release(r->ord, lim, &v), i, any = n;

	for (i = 0; i < n && !r->stop; i++) {
		release_one(r, v[i]);
		if (i + 1 < n && !r->stop && ckpt_due(r)) {
			cdc_order_commit(r->ord, i + 1);
			checkpoint(r, 0);
			n = cdc_order_release(r->ord, lim, &v);
			i = (size_t)-1;
		}
	}
	cdc_order_commit(r->ord, i);
	return any > 0;
}

/* Has anything a checkpoint states moved since the last one written? */
static int
ckpt_moved(struct reader *r, const struct cdc_ckpt *c)
{
	int moved = !r->ckpt_any || c->ts != r->ckpt_ts ||
	    c->done != r->ckpt_done || c->done_all != r->ckpt_all;

	for (size_t i = 0; i < c->npos; i++) {
		moved |= c->pos[i].offset != r->t[i].ckpt_pos;
		r->t[i].ckpt_pos = c->pos[i].offset;
	}
	r->ckpt_any = 1;
	r->ckpt_ts = c->ts;
	r->ckpt_done = c->done;
	r->ckpt_all = c->done_all;
	return moved;
}

/*
 * Save the --state file if a schema changed.  A failure stops the run with
 * exit 1, and no checkpoint follows: a restart from it would lack schemas.
 * 0 or -1.
 */
static int
save_state(struct reader *r)
{
	char err[512];

	if (r->state_failed)
		return -1;
	if (!r->o->state || !cdc_schemas_dirty(r->reg) ||
	    cdc_schemas_save(r->reg, r->o->state, err, sizeof err) == 0)
		return 0;
	cdc_log_err("%s", err);
	r->status = CDC_EXIT_RUNTIME;
	r->state_failed = r->stop = 1;
	return -1;
}

/*
 * A checkpoint frame, when something moved (always when final), flushed
 * with what precedes it.  The state file is saved first, so that it knows
 * every schema a restart from this checkpoint needs.
 */
static void
checkpoint(struct reader *r, int final)
{
	struct cdc_ckpt c = {0};

	r->last_ckpt = cdc_now();
	r->ckpt_events = r->events;
	if (r->out_dead || r->state_failed)
		return;
	cdc_order_watermark(r->ord, &c.ts, &c.done, &c.done_all);
	c.npos = r->nt;
	c.pos = cdc_xcalloc(r->nt, sizeof *c.pos);
	for (size_t i = 0; i < r->nt; i++) {
		c.pos[i].topic = r->t[i].name;
		c.pos[i].offset = cdc_order_position(r->ord, i);
	}
	if ((ckpt_moved(r, &c) || final) && save_state(r) == 0) {
		cdc_ckpt_pack(cdc_frame_begin(&r->fw), &c);
		if (out_frame(r) == 0)
			out_flush(r);
	}
	free(c.pos);
}

/* === run: consume === */

static size_t
topic_index(const struct reader *r, const char *name)
{
	for (size_t i = 0; i < r->nt; i++)
		if (strcmp(r->t[i].name, name) == 0)
			return i;
	return r->nt;
}

/*
 * An undecodable record.  Unless --skip-bad, its topic is read no further,
 * the other topics are read up to their ends as they are now, everything
 * the ticks then allow is written, and the run ends with exit 3: what comes
 * out does not depend on which topic the consumer happened to fetch first.
 */
static void
bad_record(struct reader *r, size_t ti, const rd_kafka_message_t *rkm,
    const char *err)
{
	cdc_log_err("%s [%d] at offset %jd: %s",
	    rd_kafka_topic_name(rkm->rkt), (int)rkm->partition,
	    (intmax_t)rkm->offset, err);
	if (r->o->skip_bad)
		return;
	r->status = CDC_EXIT_DATA;
	if (!r->draining) {
		char e[256];

		r->draining = 1;
		if (query_ends(r, e, sizeof e) < 0)	/* the ends known */
			cdc_log_warn("%s", e);
		for (size_t i = 0; i < r->nt; i++)
			if (r->t[i].eof_since > 0)
				cdc_order_set_eof(r->ord, i, 1);
	}
	r->t[ti].end = rkm->offset;
	r->t[ti].bad = 1;
	cdc_order_set_eof(r->ord, ti, 1);
}

/* Decode one record into the order buffer. */
static void
on_record(struct reader *r, size_t ti, const rd_kafka_message_t *rkm)
{
	struct cdc_kafka_header hdr[16];
	struct cdc_record rec = {r->t[ti].name, rkm->partition, rkm->offset,
	    rkm->payload, rkm->len, hdr, 0};
	rd_kafka_headers_t *hs = NULL;
	struct cdc_msg m;
	char err[512];

	if (rd_kafka_message_headers(rkm, &hs) == 0)
		while (rec.nheaders < 16 && rd_kafka_header_get_all(hs,
		    rec.nheaders, &hdr[rec.nheaders].key,
		    &hdr[rec.nheaders].value, &hdr[rec.nheaders].len) == 0)
			rec.nheaders++;
	if (!rkm->payload)
		rec.value = "";
	if (r->t[ti].bad)
		return;
	if (cdc_milvus_decode(&rec, &m, err, sizeof err) < 0) {
		bad_record(r, ti, rkm, err);
		if (r->o->skip_bad)
			cdc_order_set_next(r->ord, ti, rkm->offset + 1);
		return;
	}
	if (m.kind == CDC_MSG_SKIP)
		cdc_log_info(3, "%s at offset %jd: skipped %s record",
		    r->t[ti].name, (intmax_t)rkm->offset, m.skip_why);
	/* Only a tick, or a record of the untimed topic, can raise the bound;
	 * an event can only lower it. */
	if (m.kind == CDC_MSG_TICK || r->t[ti].untimed)
		r->dirty = 1;
	cdc_order_add(r->ord, ti, &m);
}

static void
on_message(struct reader *r, rd_kafka_message_t *rkm)
{
	size_t ti = rkm->rkt ? topic_index(r, rd_kafka_topic_name(rkm->rkt)) :
	    r->nt;

	if (ti < r->nt && r->t[ti].bad)
		return;		/* read no further: the position stays put */
	if (rkm->err == RD_KAFKA_RESP_ERR__PARTITION_EOF && ti < r->nt) {
		cdc_order_set_next(r->ord, ti, rkm->offset);
		at_eof(r, ti);
		r->dirty = 1;
	} else if (rkm->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
	    rkm->err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC) {
		if (ti < r->nt && !r->t[ti].absent) {
			r->t[ti].absent = 1;
			at_eof(r, ti);
			r->dirty = 1;
		}
	} else if (rkm->err) {
		cdc_log_warn("%s", rd_kafka_message_errstr(rkm));
	} else if (ti < r->nt) {
		r->t[ti].eof_since = 0;
		r->t[ti].absent = 0;
		on_record(r, ti, rkm);
	}
}

/* -e: has every topic been read up to its end as seen at start? */
static int
at_end(const struct reader *r)
{
	for (size_t i = 0; i < r->nt; i++)
		if (!r->t[i].absent && !r->t[i].bad &&
		    cdc_order_next(r->ord, i) < r->t[i].end)
			return 0;
	return 1;
}

/* "lag N (topic n, ...)": records not yet read, from the high watermarks
 * librdkafka last saw (no broker round trip). */
static void
format_lag(const struct reader *r, char *buf, size_t sz)
{
	int64_t total = 0, lo, hi;
	size_t len, shown = 0;

	for (size_t i = 0; i < r->nt; i++)
		if (rd_kafka_get_watermark_offsets(r->rk, r->t[i].name, 0, &lo,
		    &hi) == 0 && hi > cdc_order_next(r->ord, i))
			total += hi - cdc_order_next(r->ord, i);
	len = (size_t)snprintf(buf, sz, "lag %jd", (intmax_t)total);
	for (size_t i = 0; i < r->nt && len < sz; i++) {
		int64_t n;

		if (rd_kafka_get_watermark_offsets(r->rk, r->t[i].name, 0, &lo,
		    &hi) != 0 || (n = hi - cdc_order_next(r->ord, i)) <= 0)
			continue;
		len += (size_t)snprintf(buf + len, sz - len, "%s%s %jd",
		    shown++ ? ", " : " (", r->t[i].name, (intmax_t)n);
	}
	if (shown && len < sz)
		snprintf(buf + len, sz - len, ")");
}

static void
progress(struct reader *r)
{
	double now = cdc_now(), dt = now - r->last_progress;
	size_t pending_bytes, pending = cdc_order_pending(r->ord,
	    &pending_bytes);
	char lag[1024];

	if (cdc_log_level() < 2 || dt < 5)
		return;
	format_lag(r, lag, sizeof lag);
	cdc_log_info(2, "%ju events (%.0f/s), %ju rows (%.0f/s), %.1f MB/s, "
	    "%zu buffered (%.1f MB), %s", (uintmax_t)r->events,
	    (double)(r->events - r->last_events) / dt, (uintmax_t)r->rows,
	    (double)(r->rows - r->last_rows) / dt,
	    (double)(r->bytes - r->last_bytes) / dt / 1e6, pending,
	    (double)pending_bytes / 1e6, lag);
	r->last_progress = now;
	r->last_events = r->events;
	r->last_rows = r->rows;
	r->last_bytes = r->bytes;
}

/*
 * Flow control: memory holds what lies between ticks, not what the
 * consumer happened to fetch early.  A data channel whose tick is past the
 * bound (others hold the release back) is not read while more than
 * PAUSE_BYTES of it wait; librdkafka then stops fetching it once its
 * queue is full.  The channels that set the bound are always read.
 */
static int
held(const struct reader *r, size_t ti, uint64_t bound)
{
	uint64_t tick;
	size_t bytes = cdc_order_topic_bytes(r->ord, ti, &tick);

	return !r->t[ti].untimed && tick > bound && bytes > PAUSE_BYTES;
}

/* Read what is there, a batch per topic queue; wait a little when nothing
 * is.  Errors and messages of topics without a queue come on the main. */
static void
consume(struct reader *r)
{
	rd_kafka_message_t *v[16], *rkm;
	uint64_t bound = cdc_order_bound(r->ord);
	ssize_t got = 0;

	for (size_t i = 0; i < r->nt && !r->stop; i++) {
		ssize_t n;

		if (!r->t[i].q || held(r, i, bound))
			continue;
		n = rd_kafka_consume_batch_queue(r->t[i].q, 0, v, 16);
		for (ssize_t k = 0; k < n; k++) {
			on_message(r, v[k]);
			rd_kafka_message_destroy(v[k]);
		}
		got += n > 0 ? n : 0;
	}
	if ((rkm = rd_kafka_consumer_poll(r->rk, got ? 0 : 20)) != NULL) {
		on_message(r, rkm);
		rd_kafka_message_destroy(rkm);
	}
}

/* Is the run over: a bound, a signal, an error? */
static int
finished(struct reader *r)
{
	if (r->stop || stop_sig)
		return 1;
	if (r->until_ts != UINT64_MAX && cdc_order_bound(r->ord) >= r->until_ts)
		return 1;
	return (r->o->exit_at_end || r->draining) && at_end(r);
}

static void
run(struct reader *r)
{
	size_t pending_bytes;

	r->last_ckpt = r->last_progress = cdc_now();
	while (!finished(r)) {
		consume(r);
		idle_check(r);
		if (r->dirty && !r->stop) {
			r->dirty = 0;
			release(r);
		}
		if (!r->stop && cdc_now() - r->last_ckpt >=
		    r->o->ckpt_interval)
			checkpoint(r, 0);
		cdc_order_pending(r->ord, &pending_bytes);
		if (pending_bytes > r->peak_bytes)
			r->peak_bytes = pending_bytes;
		if (pending_bytes > r->o->max_bytes) {
			cdc_log_err("more than %zu bytes buffered between "
			    "ticks (see --max-buffer)", r->o->max_bytes);
			r->status = CDC_EXIT_RUNTIME;
			r->stop = 1;
		}
		progress(r);
	}
	/* A bounded stop releases what qualifies; a signal only records
	 * where it stopped. */
	if (!stop_sig && !r->out_dead && r->status != CDC_EXIT_RUNTIME &&
	    !(r->o->count && r->events >= (uint64_t)r->o->count)) {
		if (r->o->exit_at_end || r->draining)
			for (size_t i = 0; i < r->nt; i++)
				cdc_order_set_eof(r->ord, i, 1);
		release(r);
	}
	checkpoint(r, 1);
	cdc_log_info(2, "%ju events, %ju rows, %.1f MB of records; at most "
	    "%.1f MB buffered", (uintmax_t)r->events, (uintmax_t)r->rows,
	    (double)r->bytes / 1e6, (double)r->peak_bytes / 1e6);
}

/* === teardown === */

static int
teardown(struct reader *r)
{
	out_flush(r);
	for (size_t i = 0; i < r->nt; i++)
		if (r->t[i].q)
			rd_kafka_queue_destroy(r->t[i].q);
	if (r->rk) {
		rd_kafka_consumer_close(r->rk);
		rd_kafka_destroy(r->rk);
	}
	cdc_order_free(r->ord);
	cdc_schemas_free(r->reg);
	cdc_rest_fini(&r->rest);
	free(r->asked);
	cdc_frame_writer_fini(&r->fw);
	for (size_t i = 0; i < r->nt; i++)
		free(r->t[i].name);
	free(r->t);
	return r->status;
}

int
main(int argc, char **argv)
{
	struct opts o = {0};
	struct reader r = {0};
	char err[1024];
	int rc, status;

	cdc_log_init(argv[0], 1);
	if ((rc = parse_opts(&o, argc, argv)) != 0) {
		opts_fini(&o);
		return rc > 0 ? 0 : CDC_EXIT_USAGE;
	}
	cdc_log_init(argv[0], o.verbose < 0 ? 0 : 1 + o.verbose);
	r.o = &o;
	cdc_mem_keep();
	signals();
	if (!o.unbuffered)
		setvbuf(stdout, NULL, _IOFBF, 1 << 20);
	if ((rc = setup(&r, err, sizeof err)) != 0) {
		if (rc < 0)
			cdc_log_err("%s", err);
		teardown(&r);
		opts_fini(&o);
		return rc > 0 ? 0 : rc == -2 ? CDC_EXIT_RUNTIME : CDC_EXIT_USAGE;
	}
	run(&r);
	status = teardown(&r);
	opts_fini(&o);
	if (r.out_dead && status == 0) {
		signal(SIGPIPE, SIG_DFL);
		raise(SIGPIPE);
	}
	if (stop_sig && status == 0) {
		signal(stop_sig, SIG_DFL);
		raise(stop_sig);
	}
	return status;
}
