/* cdc_writer.c - see cdc_writer.h. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cdc_event.h"
#include "cdc_writer.h"

/* === input === */

int
cdc_wreader_open(struct cdc_wreader *r, char **files, size_t nfiles,
    size_t max_frame, char *err, size_t errsz)
{
	memset(r, 0, sizeof *r);
	if (cdc_input_open(&r->in, files, nfiles, max_frame, &cdc_stop_sig,
	    err, errsz) < 0)
		return -1;
	r->open = 1;
	return 0;
}

/* 1 the first time name is seen (and remember it), else 0. */
static int
first_unknown(struct cdc_wreader *r, struct cdc_str name)
{
	for (size_t i = 0; i < r->nunknown; i++)
		if (strlen(r->unknown[i]) == name.n &&
		    memcmp(r->unknown[i], name.p, name.n) == 0)
			return 0;
	r->unknown = cdc_xrealloc(r->unknown, (r->nunknown + 1) *
	    sizeof *r->unknown);
	r->unknown[r->nunknown++] = cdc_xstrndup(name.p, name.n);
	return 1;
}

int
cdc_wreader_next(struct cdc_wreader *r, struct cdc_frame *fr,
    struct cdc_event *ev, char *err, size_t errsz)
{
	int rc;

	while ((rc = cdc_input_next(&r->in, fr, ev, err, errsz)) == 1) {
		if (ev->type == CDC_EV_HEADER) {
			r->headers++;
			continue;
		}
		if (ev->type != CDC_EV_UNKNOWN)
			return 1;
		if (first_unknown(r, ev->type_name))
			return 2;
	}
	return rc;
}

int
cdc_wreader_wait(struct cdc_wreader *r, int timeout_ms)
{
	const struct cdc_frame_reader *fr = &r->in.r;
	size_t have = fr->end - fr->pos;
	struct pollfd pfd;

	if (!r->open || fr->eof || fr->fd < 0)
		return 1;
	if (have >= 4) {
		const unsigned char *p = (const unsigned char *)fr->buf +
		    fr->pos;
		size_t n = (size_t)p[0] << 24 | (size_t)p[1] << 16 |
		    (size_t)p[2] << 8 | p[3];

		if (have - 4 >= n)
			return 1;
	}
	pfd.fd = fr->fd;
	pfd.events = POLLIN;
	pfd.revents = 0;
	return poll(&pfd, 1, timeout_ms) > 0 ? 1 : 0;
}

const char *
cdc_wreader_name(const struct cdc_wreader *r)
{
	return r->in.name ? r->in.name : "stdin";
}

void
cdc_wreader_close(struct cdc_wreader *r)
{
	if (r->open)
		cdc_input_close(&r->in);
	r->open = 0;
	for (size_t i = 0; i < r->nunknown; i++)
		free(r->unknown[i]);
	free(r->unknown);
	r->unknown = NULL;
	r->nunknown = 0;
}

/* === checkpoint queue === */

void
cdc_ckq_init(struct cdc_ckq *q, size_t window)
{
	memset(q, 0, sizeof *q);
	q->window = window ? window : 1;
	q->acked = cdc_xcalloc(q->window, 1);
}

void
cdc_ckq_fini(struct cdc_ckq *q)
{
	for (size_t i = 0; i < q->n; i++)
		free(q->v[i].frame);
	free(q->v);
	free(q->acked);
	memset(q, 0, sizeof *q);
}

void
cdc_ckq_sent(struct cdc_ckq *q)
{
	q->acked[q->next % q->window] = 0;
	q->next++;
}

void
cdc_ckq_ack(struct cdc_ckq *q, uint64_t seq)
{
	if (seq < q->low || seq >= q->next)
		return;		/* not ours, or reported twice */
	q->acked[seq % q->window] = 1;
	while (q->low < q->next && q->acked[q->low % q->window]) {
		q->acked[q->low % q->window] = 0;
		q->low++;
	}
}

void
cdc_ckq_fail(struct cdc_ckq *q, uint64_t seq)
{
	if (q->nfailed == 0 || seq < q->first_failed)
		q->first_failed = seq;
	q->nfailed++;
}

void
cdc_ckq_push(struct cdc_ckq *q, const struct cdc_frame *fr)
{
	struct cdc_ckq_item *it;

	if (q->n == q->cap) {
		q->cap = q->cap ? 2 * q->cap : 16;
		q->v = cdc_xrealloc(q->v, q->cap * sizeof *q->v);
	}
	it = &q->v[q->n++];
	it->seq = q->next;
	it->len = fr->len + 4;
	it->frame = cdc_xmalloc(it->len);
	cdc_input_frame_bytes(fr, it->frame);
}

char *
cdc_ckq_ready(struct cdc_ckq *q, size_t *len)
{
	size_t k = 0;
	char *frame;

	while (k < q->n && q->v[k].seq <= q->low)
		k++;
	if (k == 0)
		return NULL;
	frame = q->v[k - 1].frame;
	*len = q->v[k - 1].len;
	for (size_t i = 0; i + 1 < k; i++)
		free(q->v[i].frame);
	memmove(q->v, q->v + k, (q->n - k) * sizeof *q->v);
	q->n -= k;
	return frame;
}

/* === signals === */

volatile sig_atomic_t cdc_stop_sig, cdc_nsig;

static void
on_signal(int sig)
{
	cdc_stop_sig = sig;
	cdc_nsig++;
}

void
cdc_writer_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

void
cdc_writer_reraise(int sig)
{
	struct sigaction sa;
	sigset_t set;

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_DFL;
	sigaction(sig, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
}

/* === options === */

int
cdc_writer_ckpt_check(const char *path, char *err, size_t errsz)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int rc = 0;

	if (!*path) {
		snprintf(err, errsz, "invalid --checkpoint '': empty path");
		return -1;
	}
	dir = slash ? cdc_xstrndup(path, slash == path ? 1 :
	    (size_t)(slash - path)) : cdc_xstrdup(".");
	if (access(dir, W_OK | X_OK) < 0) {
		snprintf(err, errsz, "cannot write checkpoint '%s': %s", path,
		    strerror(errno));
		rc = -1;
	}
	free(dir);
	return rc;
}

int
cdc_writer_ckpt_save(const char *path, const struct cdc_frame *fr,
    char *err, size_t errsz)
{
	char *buf = cdc_xmalloc(fr->len + 4);
	int rc;

	cdc_input_frame_bytes(fr, buf);
	rc = cdc_ckpt_save(path, buf, fr->len + 4, err, errsz);
	free(buf);
	return rc;
}
