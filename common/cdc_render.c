/*
 * cdc_render.c - see cdc_render.h.
 *
 * The rows of an event are cut into chunks.  Every thread (the caller in
 * cdc_render_next() too) claims the next chunk with one atomic increment
 * and renders its rows into the chunk's own buffer; the caller hands rows
 * out in order, rendering a chunk itself whenever the next one is not done
 * and there is one left to claim, and waits only when there is none.  A
 * helper that finds nothing left to claim reports idle; an event ends only
 * when every helper is idle, so no helper can see the next event's state
 * half set up.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdc_render.h"

#define CHUNK_MIN 4
#define CHUNK_MAX 64

struct chunk {
	struct cdc_buf data;	/* keys and values of its rows, back to back */
	size_t (*at)[4];	/* per row: key offset, length, value offset,
				 * length */
	size_t n;		/* rows rendered */
	int failed;		/* row n could not be rendered: err says why */
	char err[512];
	atomic_int done;
};

struct helper {
	struct cdc_render *r;
	int id;			/* its args[] index */
	pthread_t th;
	int started;
};

struct cdc_render {
	int nhelpers;
	struct helper *helpers;
	pthread_mutex_t mu;
	pthread_cond_t work;	/* a new event, or quit */
	pthread_cond_t idle;	/* a chunk done, or a helper idle */
	unsigned gen;		/* events started, under mu */
	int quit, busy;		/* under mu */
	/* the current event, set before gen moves */
	cdc_render_fn fn;
	void *const *args;
	size_t nrows, nchunks, chunk_rows;
	atomic_size_t claim;	/* the next unclaimed chunk */
	struct chunk *ch;
	size_t cap;
	/* the caller's side */
	size_t pos;		/* next row handed out */
	int running;		/* started, not yet ended */
	struct cdc_buf key, val;
};

/* Render chunk c with arg into its buffer; key and val are scratch. */
static void
render_chunk(struct cdc_render *r, size_t c, void *arg, struct cdc_buf *key,
    struct cdc_buf *val)
{
	struct chunk *ch = &r->ch[c];
	size_t lo = c * r->chunk_rows, hi = lo + r->chunk_rows;

	if (hi > r->nrows)
		hi = r->nrows;
	for (size_t row = lo; row < hi; row++) {
		size_t *at = ch->at[row - lo];

		key->len = val->len = 0;
		if (r->fn(arg, row, key, val, ch->err, sizeof ch->err) < 0) {
			ch->failed = 1;
			break;
		}
		at[0] = ch->data.len;
		at[1] = key->len;
		cdc_buf_add(&ch->data, key->p, key->len);
		at[2] = ch->data.len;
		at[3] = val->len;
		cdc_buf_add(&ch->data, val->p, val->len);
		ch->n++;
	}
	pthread_mutex_lock(&r->mu);
	atomic_store_explicit(&ch->done, 1, memory_order_release);
	pthread_cond_broadcast(&r->idle);
	pthread_mutex_unlock(&r->mu);
}

/* Claim and render chunks until none is left; 0 when there was none. */
static int
claim_some(struct cdc_render *r, void *arg, struct cdc_buf *key,
    struct cdc_buf *val)
{
	size_t c = atomic_fetch_add(&r->claim, 1);

	if (c >= r->nchunks)
		return 0;
	render_chunk(r, c, arg, key, val);
	return 1;
}

static void *
helper_main(void *p)
{
	struct helper *h = p;
	struct cdc_render *r = h->r;
	struct cdc_buf key = {0}, val = {0};
	unsigned seen = 0;

	for (;;) {
		pthread_mutex_lock(&r->mu);
		while (!r->quit && r->gen == seen)
			pthread_cond_wait(&r->work, &r->mu);
		if (r->quit) {
			pthread_mutex_unlock(&r->mu);
			break;
		}
		seen = r->gen;
		pthread_mutex_unlock(&r->mu);
		while (claim_some(r, r->args[h->id], &key, &val))
			;
		pthread_mutex_lock(&r->mu);
		r->busy--;
		pthread_cond_broadcast(&r->idle);
		pthread_mutex_unlock(&r->mu);
	}
	cdc_buf_fini(&key);
	cdc_buf_fini(&val);
	return NULL;
}

struct cdc_render *
cdc_render_new(int helpers, char *err, size_t errsz)
{
	struct cdc_render *r = cdc_xcalloc(1, sizeof *r);
	int e;

	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->work, NULL);
	pthread_cond_init(&r->idle, NULL);
	atomic_init(&r->claim, 0);
	r->helpers = cdc_xcalloc((size_t)helpers + 1, sizeof *r->helpers);
	for (int i = 0; i < helpers; i++) {
		struct helper *h = &r->helpers[i];

		h->r = r;
		h->id = i + 1;
		if ((e = pthread_create(&h->th, NULL, helper_main, h)) != 0) {
			snprintf(err, errsz, "cannot start a render thread: %s",
			    strerror(e));
			cdc_render_fini(r);
			return NULL;
		}
		h->started = 1;
		r->nhelpers++;
	}
	return r;
}

int
cdc_render_helpers(const struct cdc_render *r)
{
	return r->nhelpers;
}

/* End the current event: nothing left to claim, every helper idle. */
void
cdc_render_stop(struct cdc_render *r)
{
	if (!r->running)
		return;
	atomic_store(&r->claim, r->nchunks);
	pthread_mutex_lock(&r->mu);
	while (r->busy > 0)
		pthread_cond_wait(&r->idle, &r->mu);
	pthread_mutex_unlock(&r->mu);
	r->running = 0;
}

void
cdc_render_fini(struct cdc_render *r)
{
	if (!r)
		return;
	cdc_render_stop(r);
	pthread_mutex_lock(&r->mu);
	r->quit = 1;
	pthread_cond_broadcast(&r->work);
	pthread_mutex_unlock(&r->mu);
	for (int i = 0; i < r->nhelpers; i++)
		if (r->helpers[i].started)
			pthread_join(r->helpers[i].th, NULL);
	for (size_t i = 0; i < r->cap; i++) {
		cdc_buf_fini(&r->ch[i].data);
		free(r->ch[i].at);
	}
	free(r->ch);
	free(r->helpers);
	cdc_buf_fini(&r->key);
	cdc_buf_fini(&r->val);
	pthread_cond_destroy(&r->work);
	pthread_cond_destroy(&r->idle);
	pthread_mutex_destroy(&r->mu);
	free(r);
}

void
cdc_render_start(struct cdc_render *r, cdc_render_fn fn, void *const *args,
    size_t nrows)
{
	size_t per = nrows / (4 * ((size_t)r->nhelpers + 1));

	cdc_render_stop(r);
	per = per < CHUNK_MIN ? CHUNK_MIN : per > CHUNK_MAX ? CHUNK_MAX : per;
	r->fn = fn;
	r->args = args;
	r->nrows = nrows;
	r->chunk_rows = per;
	r->nchunks = (nrows + per - 1) / per;
	if (r->nchunks > r->cap) {
		r->ch = cdc_xrealloc(r->ch, r->nchunks * sizeof *r->ch);
		memset(r->ch + r->cap, 0, (r->nchunks - r->cap) * sizeof *r->ch);
		for (size_t i = r->cap; i < r->nchunks; i++)
			r->ch[i].at = cdc_xmalloc(CHUNK_MAX * sizeof *r->ch[i].at);
		r->cap = r->nchunks;
	}
	for (size_t i = 0; i < r->nchunks; i++) {
		r->ch[i].data.len = 0;
		r->ch[i].n = 0;
		r->ch[i].failed = 0;
		atomic_store(&r->ch[i].done, 0);
	}
	atomic_store(&r->claim, 0);
	r->pos = 0;
	r->running = 1;
	if (r->nhelpers == 0 || r->nchunks < 2)
		return;		/* not worth waking anyone */
	pthread_mutex_lock(&r->mu);
	r->busy = r->nhelpers;
	r->gen++;
	pthread_cond_broadcast(&r->work);
	pthread_mutex_unlock(&r->mu);
}

/* Wait until chunk c is done, rendering unclaimed chunks meanwhile. */
static void
await_chunk(struct cdc_render *r, size_t c)
{
	while (!atomic_load_explicit(&r->ch[c].done, memory_order_acquire)) {
		if (claim_some(r, r->args[0], &r->key, &r->val))
			continue;
		pthread_mutex_lock(&r->mu);
		while (!atomic_load_explicit(&r->ch[c].done,
		    memory_order_acquire))
			pthread_cond_wait(&r->idle, &r->mu);
		pthread_mutex_unlock(&r->mu);
	}
}

/* Without helpers: the next row rendered straight into the caller's
 * buffers, no chunk to copy it through. */
static int
render_here(struct cdc_render *r, struct cdc_str *key, struct cdc_str *val,
    char *err, size_t errsz)
{
	r->key.len = r->val.len = 0;
	if (r->fn(r->args[0], r->pos, &r->key, &r->val, err, errsz) < 0) {
		cdc_render_stop(r);
		return -1;
	}
	*key = (struct cdc_str){r->key.p, r->key.len};
	*val = (struct cdc_str){r->val.p, r->val.len};
	r->pos++;
	return 1;
}

int
cdc_render_next(struct cdc_render *r, struct cdc_str *key,
    struct cdc_str *val, char *err, size_t errsz)
{
	size_t c, i;
	struct chunk *ch;

	if (!r->running)
		return 0;
	if (r->pos == r->nrows) {
		cdc_render_stop(r);
		return 0;
	}
	if (r->nhelpers == 0)
		return render_here(r, key, val, err, errsz);
	c = r->pos / r->chunk_rows;
	i = r->pos % r->chunk_rows;
	await_chunk(r, c);
	ch = &r->ch[c];
	if (i >= ch->n) {	/* the chunk stopped at this row */
		snprintf(err, errsz, "%s", ch->err);
		cdc_render_stop(r);
		return -1;
	}
	*key = (struct cdc_str){ch->data.p + ch->at[i][0], ch->at[i][1]};
	*val = (struct cdc_str){ch->data.p + ch->at[i][2], ch->at[i][3]};
	r->pos++;
	return 1;
}
