/* cdc_order.c - see cdc_order.h. */
#include <stdlib.h>
#include <string.h>

#include "cdc_order.h"
#include "cdc_util.h"

#define NBCAST 256

struct topic_buf {
	struct cdc_msg *v;	/* buffered events, in offset order */
	size_t n, cap;
	uint64_t tick;
	int64_t next;		/* next offset to read */
	int untimed, eof;
};

struct bkey {
	enum cdc_ev_type ev;
	int64_t coll, part;
	uint64_t ts;
};

struct cdc_order {
	struct topic_buf *t;
	size_t nt;
	struct cdc_msg **out;	/* last release, owned */
	size_t nout, outcap;
	struct bkey bcast[NBCAST];	/* recently released broadcasts */
	size_t nbcast;
	size_t bytes;
};

struct cdc_order *
cdc_order_new(size_t ntopics, const int *untimed)
{
	struct cdc_order *o = cdc_xcalloc(1, sizeof *o);

	o->t = cdc_xcalloc(ntopics, sizeof *o->t);
	o->nt = ntopics;
	for (size_t i = 0; i < ntopics; i++)
		o->t[i].untimed = untimed ? untimed[i] : 0;
	return o;
}

static void
drop_out(struct cdc_order *o)
{
	for (size_t i = 0; i < o->nout; i++) {
		cdc_msg_fini(o->out[i]);
		free(o->out[i]);
	}
	o->nout = 0;
}

void
cdc_order_free(struct cdc_order *o)
{
	if (!o)
		return;
	drop_out(o);
	for (size_t i = 0; i < o->nt; i++) {
		for (size_t k = 0; k < o->t[i].n; k++)
			cdc_msg_fini(&o->t[i].v[k]);
		free(o->t[i].v);
	}
	free(o->out);
	free(o->t);
	free(o);
}

static int
is_retry(const struct topic_buf *b, const struct cdc_msg *m)
{
	if (m->msg_id == 0 || (m->ev != CDC_EV_INSERT && m->ev != CDC_EV_DELETE))
		return 0;
	for (size_t i = 0; i < b->n; i++)
		if (b->v[i].msg_id == m->msg_id && b->v[i].ev == m->ev)
			return 1;
	return 0;
}

void
cdc_order_add(struct cdc_order *o, size_t topic, struct cdc_msg *m)
{
	struct topic_buf *b = &o->t[topic];

	b->next = m->offset + 1;
	b->eof = 0;
	if (m->kind == CDC_MSG_TICK && m->ts > b->tick)
		b->tick = m->ts;
	if (m->kind != CDC_MSG_EVENT || is_retry(b, m)) {
		cdc_msg_fini(m);
		memset(m, 0, sizeof *m);
		return;
	}
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 64;
		b->v = cdc_xrealloc(b->v, b->cap * sizeof *b->v);
	}
	m->topic_idx = topic;
	b->v[b->n++] = *m;
	o->bytes += m->bytes;
	memset(m, 0, sizeof *m);
}

void
cdc_order_set_next(struct cdc_order *o, size_t topic, int64_t next)
{
	o->t[topic].next = next;
}

void
cdc_order_set_eof(struct cdc_order *o, size_t topic, int eof)
{
	o->t[topic].eof = eof;
}

uint64_t
cdc_order_bound(const struct cdc_order *o)
{
	uint64_t bound = UINT64_MAX;

	for (size_t i = 0; i < o->nt; i++) {
		const struct topic_buf *b = &o->t[i];

		if (b->untimed || (b->eof && b->n == 0))
			continue;
		if (b->tick < bound)
			bound = b->tick;
	}
	return bound;
}

static int
cmp_msg(const void *a, const void *b)
{
	const struct cdc_msg *x = *(struct cdc_msg *const *)a;
	const struct cdc_msg *y = *(struct cdc_msg *const *)b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	if (x->prio != y->prio)
		return x->prio < y->prio ? -1 : 1;
	if (x->topic != y->topic) {
		int c = strcmp(x->topic, y->topic);

		if (c)
			return c;
	}
	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/* Was this broadcast copy released already?  Remember it if not. */
static int
seen_broadcast(struct cdc_order *o, const struct cdc_msg *m)
{
	struct bkey k = {m->ev, m->collection_id, m->partition_id, m->ts};

	for (size_t i = 0; i < o->nbcast && i < NBCAST; i++)
		if (memcmp(&o->bcast[i], &k, sizeof k) == 0)
			return 1;
	o->bcast[o->nbcast++ % NBCAST] = k;
	return 0;
}

static void
take(struct cdc_order *o, struct topic_buf *b, uint64_t lim)
{
	size_t keep = 0;

	for (size_t i = 0; i < b->n; i++) {
		if (b->v[i].ts > lim) {
			b->v[keep++] = b->v[i];
			continue;
		}
		if (o->nout == o->outcap) {
			o->outcap = o->outcap ? o->outcap * 2 : 256;
			o->out = cdc_xrealloc(o->out, o->outcap * sizeof *o->out);
		}
		o->out[o->nout] = cdc_xmalloc(sizeof(struct cdc_msg));
		*o->out[o->nout++] = b->v[i];
		o->bytes -= b->v[i].bytes;
	}
	b->n = keep;
}

size_t
cdc_order_release(struct cdc_order *o, uint64_t limit, struct cdc_msg ***out)
{
	uint64_t lim = cdc_order_bound(o);
	size_t keep = 0;

	if (limit < lim)
		lim = limit;
	drop_out(o);
	for (size_t i = 0; i < o->nt; i++)
		take(o, &o->t[i], lim);
	qsort(o->out, o->nout, sizeof *o->out, cmp_msg);
	for (size_t i = 0; i < o->nout; i++) {
		if (o->out[i]->broadcast && seen_broadcast(o, o->out[i])) {
			cdc_msg_fini(o->out[i]);
			free(o->out[i]);
			continue;
		}
		o->out[keep++] = o->out[i];
	}
	o->nout = keep;
	*out = o->out;
	return o->nout;
}

/* Insert m into b keeping offset order. */
static void
put_back(struct topic_buf *b, const struct cdc_msg *m)
{
	size_t i = b->n;

	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 64;
		b->v = cdc_xrealloc(b->v, b->cap * sizeof *b->v);
	}
	while (i > 0 && b->v[i - 1].offset > m->offset) {
		b->v[i] = b->v[i - 1];
		i--;
	}
	b->v[i] = *m;
	b->n++;
}

void
cdc_order_unrelease(struct cdc_order *o, size_t from)
{
	for (size_t i = from; i < o->nout; i++) {
		put_back(&o->t[o->out[i]->topic_idx], o->out[i]);
		o->bytes += o->out[i]->bytes;
		free(o->out[i]);
	}
	if (from < o->nout)
		o->nout = from;
}

int64_t
cdc_order_next(const struct cdc_order *o, size_t topic)
{
	return o->t[topic].next;
}

int64_t
cdc_order_position(const struct cdc_order *o, size_t topic)
{
	const struct topic_buf *b = &o->t[topic];

	return b->n > 0 ? b->v[0].offset : b->next;
}

size_t
cdc_order_pending(const struct cdc_order *o, size_t *bytes)
{
	size_t n = 0;

	for (size_t i = 0; i < o->nt; i++)
		n += o->t[i].n;
	if (bytes)
		*bytes = o->bytes;
	return n;
}
