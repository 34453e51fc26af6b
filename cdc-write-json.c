/*
 * cdc-write-json - write a cdc-stream(5) as JSON Lines: one line per row
 * inserted, per key deleted, per DDL or schema event.  For people, jq,
 * files and backups.
 *
 * options, setup (output, checkpoint), run (frames -> lines), teardown.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <protobuf-c/protobuf-c.h>

#include "cdc_event.h"
#include "cdc_input.h"
#include "cdc_json.h"
#include "cdc_util.h"
#include "cdc_writer.h"

struct opts {
	const char *out, *ckpt;
	int checkpoints, unbuffered, verbose;
	size_t max_frame;
	char **files;
	size_t nfiles;
};

struct writer {
	struct opts *o;
	FILE *out;
	struct cdc_wreader in;
	struct cdc_buf b;
	struct cdc_cols cols;
	uint64_t events, lines;
	int status, dead;
};

/* === options === */

static const struct option longopts[] = {
	{"output", required_argument, NULL, 'o'},
	{"checkpoint", required_argument, NULL, 'C'},
	{"checkpoints", no_argument, NULL, 'K'},
	{"max-frame", required_argument, NULL, 'M'},
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
	fputs("usage: cdc-write-json [-o file] [--checkpoint file] "
	    "[--checkpoints] [-uvq] [file ...]\n", f);
}

static void
help(void)
{
	usage(stdout);
	fputs("\nWrite a cdc-stream (stdin or files) as JSON Lines.\n\n"
	    "  -o, --output FILE      write to FILE instead of stdout\n"
	    "      --checkpoint FILE  persist the last checkpoint once the "
	    "lines before it are on disk\n"
	    "      --checkpoints      also print checkpoint frames as lines\n"
	    "      --max-frame SIZE   largest frame accepted (256m)\n"
	    "  -u, --unbuffered       each event's lines out at once\n"
	    "  -v, --verbose          a summary at the end\n"
	    "  -q, --quiet            errors only\n"
	    "  -h, --help             this text\n"
	    "  -V, --version          version\n", stdout);
}

static int
parse_opts(struct opts *o, int argc, char **argv)
{
	const char *e = NULL;
	int ch;

	o->max_frame = CDC_FRAME_MAX_DEFAULT;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "o:uvqhV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'o': o->out = optarg; break;
		case 'C': o->ckpt = optarg; break;
		case 'K': o->checkpoints = 1; break;
		case 'M':
			o->max_frame = (size_t)cdc_opt_size(optarg, 16,
			    UINT32_MAX, &e);
			if (e) {
				cdc_log_err("invalid --max-frame '%s': %s",
				    optarg, e);
				return -1;
			}
			break;
		case 'u': o->unbuffered = 1; break;
		case 'v': o->verbose++; break;
		case 'q': o->verbose = -1; break;
		case 'h': help(); return 1;
		case 'V':
			printf("cdc-write-json %s (msgpack-c %s)\n",
			    CDC_VERSION, msgpack_version());
			return 1;
		default:
			cdc_log_err("invalid option '%s'", argv[optind - 1]);
			usage(stderr);
			fputs("Try 'cdc-write-json --help'.\n", stderr);
			return -1;
		}
	}
	o->files = argv + optind;
	o->nfiles = (size_t)(argc - optind);
	return 0;
}

/* === run === */

/* The line's common head: {"op":..,"ts":..,"db":..,"collection":.. */
static void
head(struct cdc_buf *b, const char *op, const struct cdc_event *ev)
{
	char num[32];

	cdc_buf_adds(b, "{\"op\":\"");
	cdc_buf_adds(b, op);
	cdc_buf_adds(b, "\",\"ts\":");
	snprintf(num, sizeof num, "%ju", (uintmax_t)ev->ts);
	cdc_buf_adds(b, num);
	cdc_buf_adds(b, ",\"db\":");
	cdc_json_str(b, ev->db.p, ev->db.n);
	cdc_buf_adds(b, ",\"collection\":");
	cdc_json_str(b, ev->collection.p, ev->collection.n);
}

static int
lines_insert(struct writer *w, const struct cdc_event *ev, char *err,
    size_t errsz)
{
	if (cdc_cols_parse(&w->cols, ev->map, err, errsz) < 0)
		return -1;
	for (size_t r = 0; r < w->cols.rows; r++) {
		head(&w->b, "insert", ev);
		if (ev->has_partition) {
			cdc_buf_adds(&w->b, ",\"partition\":");
			cdc_json_str(&w->b, ev->partition.p, ev->partition.n);
		}
		cdc_buf_adds(&w->b, ",\"row\":");
		if (cdc_json_row(&w->b, &w->cols, r, err, errsz) < 0)
			return -1;
		cdc_buf_add(&w->b, "}\n", 2);
	}
	w->lines += w->cols.rows;
	return 0;
}

static int
lines_delete(struct writer *w, const struct cdc_event *ev, char *err,
    size_t errsz)
{
	const msgpack_object *keys = cdc_map_get(ev->map, "keys");
	struct cdc_str pk = {"", 0};

	cdc_map_str(ev->map, "pk", &pk.p, &pk.n);
	if (!keys || keys->type != MSGPACK_OBJECT_ARRAY) {
		snprintf(err, errsz, "delete without keys");
		return -1;
	}
	for (uint32_t i = 0; i < keys->via.array.size; i++) {
		head(&w->b, "delete", ev);
		cdc_buf_adds(&w->b, ",\"key\":");
		if (cdc_json_key(&w->b, pk, &keys->via.array.ptr[i], err,
		    errsz) < 0)
			return -1;
		cdc_buf_add(&w->b, "}\n", 2);
	}
	w->lines += keys->via.array.size;
	return 0;
}

/* DDL, schema and (with --checkpoints) checkpoint events: every key. */
static int
line_other(struct writer *w, const struct cdc_event *ev, char *err,
    size_t errsz)
{
	const msgpack_object *m = ev->map;

	cdc_buf_adds(&w->b, "{\"op\":");
	cdc_json_str(&w->b, ev->type_name.p, ev->type_name.n);
	for (uint32_t i = 0; i < m->via.map.size; i++) {
		const msgpack_object *k = &m->via.map.ptr[i].key;

		if (cdc_obj_streq(k, "type"))
			continue;
		cdc_buf_addc(&w->b, ',');
		if (cdc_json_msgpack(&w->b, k, err, errsz) < 0)
			return -1;
		cdc_buf_addc(&w->b, ':');
		if (cdc_json_msgpack(&w->b, &m->via.map.ptr[i].val, err,
		    errsz) < 0)
			return -1;
	}
	cdc_buf_add(&w->b, "}\n", 2);
	w->lines++;
	return 0;
}

static int
flush_out(struct writer *w)
{
	if (w->b.len && fwrite(w->b.p, 1, w->b.len, w->out) != w->b.len)
		goto fail;
	w->b.len = 0;
	if (w->o->unbuffered && fflush(w->out) != 0)
		goto fail;
	return 0;
fail:
	if (errno != EPIPE) {
		cdc_log_err("write error: %s", strerror(errno));
		w->status = CDC_EXIT_RUNTIME;
	}
	w->dead = 1;
	return -1;
}

/* fflush failed: EPIPE stops quietly, anything else is a write error. */
static int
flush_fail(struct writer *w)
{
	if (errno != EPIPE) {
		cdc_log_err("write error: %s", strerror(errno));
		w->status = CDC_EXIT_RUNTIME;
	}
	w->dead = 1;
	return -1;
}

/* Persist a checkpoint once every line before it is on disk. */
static int
persist(struct writer *w, const struct cdc_frame *fr)
{
	char err[512];
	int rc;

	if (flush_out(w) < 0 || fflush(w->out) != 0) {
		if (!w->dead)
			cdc_log_err("write error: %s", strerror(errno));
		w->status = w->dead && !w->status ? 0 : CDC_EXIT_RUNTIME;
		w->dead = 1;
		return -1;
	}
	if (fsync(fileno(w->out)) < 0 && errno != EINVAL && errno != EROFS)
		cdc_log_warn("cannot sync output: %s", strerror(errno));
	rc = cdc_writer_ckpt_save(w->o->ckpt, fr, err, sizeof err);
	if (rc < 0) {
		cdc_log_err("%s", err);
		w->status = CDC_EXIT_RUNTIME;
	}
	return rc;
}

static int
one_event(struct writer *w, const struct cdc_frame *fr,
    const struct cdc_event *ev, char *err, size_t errsz)
{
	switch (ev->type) {
	case CDC_EV_INSERT:
		return lines_insert(w, ev, err, errsz);
	case CDC_EV_DELETE:
		return lines_delete(w, ev, err, errsz);
	case CDC_EV_CHECKPOINT:
		if (w->o->checkpoints && line_other(w, ev, err, errsz) < 0)
			return -1;
		return w->o->ckpt ? (persist(w, fr) < 0 ? -2 : 0) : 0;
	default:
		return line_other(w, ev, err, errsz);
	}
}

static void
run(struct writer *w)
{
	struct cdc_frame fr;
	struct cdc_event ev;
	char err[1024], e[768];
	int n = 0, rc;

	while (!cdc_stop_sig && !w->dead) {
		size_t mark = w->b.len;

		if (!cdc_wreader_wait(&w->in, 100)) {
			/* upstream idle: let downstream see what we have */
			if (flush_out(w) < 0 || (fflush(w->out) != 0 &&
			    flush_fail(w) < 0))
				break;
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
		if ((rc = one_event(w, &fr, &ev, e, sizeof e)) == -1) {
			w->b.len = mark;
			cdc_log_err("%s: frame %ju at byte %ju: %s",
			    cdc_wreader_name(&w->in), (uintmax_t)fr.no,
			    (uintmax_t)fr.offset, e);
			w->status = CDC_EXIT_DATA;
			break;
		}
		w->events++;
		/* -u: each event's lines out now, not in 64 KiB blocks */
		if (rc < 0 || ((w->o->unbuffered || w->b.len > (1 << 16)) &&
		    flush_out(w) < 0))
			break;
	}
	if (!cdc_stop_sig && !w->dead && w->status == 0 && n < 0) {
		cdc_log_err("%s", err);
		w->status = CDC_EXIT_DATA;
	}
	flush_out(w);
}

/* === setup and teardown === */

static int
setup(struct writer *w)
{
	char err[512];

	if (w->o->out && !(w->out = fopen(w->o->out, "a"))) {
		cdc_log_err("cannot open '%s': %s", w->o->out, strerror(errno));
		return -1;
	}
	if (!w->out)
		w->out = stdout;
	setvbuf(w->out, NULL, _IOFBF, 1 << 20);
	if (w->o->ckpt && cdc_writer_ckpt_check(w->o->ckpt, err,
	    sizeof err) < 0) {
		cdc_log_err("%s", err);
		return -1;
	}
	if (cdc_wreader_open(&w->in, w->o->files, w->o->nfiles, w->o->max_frame,
	    err, sizeof err) < 0) {
		cdc_log_err("%s", err);
		return -1;
	}
	return 0;
}

static int
teardown(struct writer *w)
{
	if (!w->dead && w->out && fflush(w->out) != 0) {
		if (errno == EPIPE)
			w->dead = 1;
		else {
			cdc_log_err("write error: %s", strerror(errno));
			w->status = CDC_EXIT_RUNTIME;
		}
	}
	if (w->out && w->out != stdout && fclose(w->out) != 0 && !w->status) {
		cdc_log_err("write error: %s", strerror(errno));
		w->status = CDC_EXIT_RUNTIME;
	}
	cdc_log_info(2, "%ju events, %ju lines", (uintmax_t)w->events,
	    (uintmax_t)w->lines);
	cdc_wreader_close(&w->in);
	cdc_buf_fini(&w->b);
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
	if ((rc = parse_opts(&o, argc, argv)) != 0)
		return rc > 0 ? 0 : CDC_EXIT_USAGE;
	cdc_log_init(argv[0], o.verbose < 0 ? 0 : 1 + o.verbose);
	w.o = &o;
	cdc_writer_signals();
	if (setup(&w) < 0) {
		teardown(&w);
		return CDC_EXIT_USAGE;
	}
	run(&w);
	rc = teardown(&w);
	if (w.dead && rc == 0)
		cdc_writer_reraise(SIGPIPE);
	if (cdc_stop_sig && rc == 0)
		cdc_writer_reraise(cdc_stop_sig);
	return rc;
}
