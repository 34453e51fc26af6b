/* cdc_order.c - see cdc_order.h. */
#include <stdlib.h>
#include <string.h>

#include "cdc_order.h"
#include "cdc_util.h"

#define NBCAST 256

/* A buffered message and its sort key (ts; on an untimed topic the
 * largest ts read so far, so that the topic releases in offset order). */
struct slot {
	struct cdc_msg m;
	uint64_t key;
};

struct topic_buf {
	struct slot *v;		/* buffered events, in offset order */
	size_t n, cap;
	size_t bytes;		/* record bytes buffered */
	uint64_t tick;		/* last TimeTick; untimed: largest key */
	int64_t next;		/* next offset to read */
	int64_t grp_off;	/* first consumed offset at cur_ts */
	int untimed, eof;
};

struct bkey {
	enum cdc_ev_type ev;
	int64_t coll, part;
	uint64_t ts;
	int valid;
};

struct cdc_order {
	struct topic_buf *t;
	size_t nt;
	struct slot **rel;	/* last release, owned */
	struct cdc_msg **out;	/* the same, as the caller sees it */
	size_t nout, outcap;
	uint64_t lim;		/* the limit of the last release */
	struct bkey bcast[NBCAST];	/* recently released broadcasts */
	size_t nbcast;
	size_t bytes;
	uint64_t max_tick;	/* largest TimeTick of any timed topic */
	uint64_t wm_ts, wm_done, cur_ts, cur_n;
	int wm_all;
};

struct cdc_order *
cdc_order_new(size_t ntopics, const int *untimed)
{
	struct cdc_order *o = cdc_xcalloc(1, sizeof *o);

	o->t = cdc_xcalloc(ntopics, sizeof *o->t);
	o->nt = ntopics;
	for (size_t i = 0; i < ntopics; i++) {
		o->t[i].untimed = untimed ? untimed[i] : 0;
		o->t[i].grp_off = INT64_MAX;
	}
	o->wm_all = 1;
	return o;
}

static void
drop_out(struct cdc_order *o)
{
	for (size_t i = 0; i < o->nout; i++) {
		cdc_msg_fini(&o->rel[i]->m);
		free(o->rel[i]);
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
			cdc_msg_fini(&o->t[i].v[k].m);
		free(o->t[i].v);
	}
	free(o->rel);
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
		if (b->v[i].m.msg_id == m->msg_id && b->v[i].m.ev == m->ev)
			return 1;
	return 0;
}

static void
grow(struct topic_buf *b)
{
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 64;
		b->v = cdc_xrealloc(b->v, b->cap * sizeof *b->v);
	}
}

void
cdc_order_add(struct cdc_order *o, size_t topic, struct cdc_msg *m)
{
	struct topic_buf *b = &o->t[topic];

	b->next = m->offset + 1;
	b->eof = 0;
	if ((m->kind == CDC_MSG_TICK || b->untimed) && m->ts > b->tick)
		b->tick = m->ts;
	if (!b->untimed && b->tick > o->max_tick)
		o->max_tick = b->tick;
	if (m->kind != CDC_MSG_EVENT || is_retry(b, m)) {
		cdc_msg_fini(m);
		memset(m, 0, sizeof *m);
		return;
	}
	grow(b);
	m->topic_idx = topic;
	b->v[b->n].m = *m;
	b->v[b->n++].key = b->untimed ? b->tick : m->ts;
	o->bytes += m->bytes;
	b->bytes += m->bytes;
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

		if (b->eof && (b->untimed || b->n == 0))
			continue;
		if (b->tick < bound)
			bound = b->tick;
	}
	return bound;
}

static int
cmp_slot(const void *a, const void *b)
{
	const struct slot *x = *(struct slot *const *)a;
	const struct slot *y = *(struct slot *const *)b;
	int c;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	if (x->m.prio != y->m.prio)
		return x->m.prio < y->m.prio ? -1 : 1;
	if (x->m.topic != y->m.topic && (c = strcmp(x->m.topic, y->m.topic)))
		return c;
	return x->m.offset < y->m.offset ? -1 : x->m.offset > y->m.offset;
}

static int
bkey_eq(const struct bkey *k, const struct cdc_msg *m)
{
	return k->valid && k->ev == m->ev && k->coll == m->collection_id &&
	    k->part == m->partition_id && k->ts == m->ts;
}

/* Was this broadcast copy released already?  Remember it if not. */
static int
seen_broadcast(struct cdc_order *o, const struct cdc_msg *m)
{
	struct bkey k = {m->ev, m->collection_id, m->partition_id, m->ts, 1};

	for (size_t i = 0; i < o->nbcast && i < NBCAST; i++)
		if (bkey_eq(&o->bcast[i], m))
			return 1;
	o->bcast[o->nbcast++ % NBCAST] = k;
	return 0;
}

/* Forget a broadcast that goes back into the buffer unconsumed. */
static void
forget_broadcast(struct cdc_order *o, const struct cdc_msg *m)
{
	for (size_t i = 0; i < o->nbcast && i < NBCAST; i++)
		if (bkey_eq(&o->bcast[i], m))
			o->bcast[i].valid = 0;
}

static void
take(struct cdc_order *o, struct topic_buf *b, uint64_t lim)
{
	size_t keep = 0;

	for (size_t i = 0; i < b->n; i++) {
		if (b->v[i].key > lim) {
			b->v[keep++] = b->v[i];
			continue;
		}
		if (o->nout == o->outcap) {
			o->outcap = o->outcap ? o->outcap * 2 : 256;
			o->rel = cdc_xrealloc(o->rel, o->outcap * sizeof *o->rel);
			o->out = cdc_xrealloc(o->out, o->outcap * sizeof *o->out);
		}
		o->rel[o->nout] = cdc_xmalloc(sizeof(struct slot));
		*o->rel[o->nout++] = b->v[i];
		o->bytes -= b->v[i].m.bytes;
		b->bytes -= b->v[i].m.bytes;
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
	o->lim = lim;
	for (size_t i = 0; i < o->nt; i++)
		take(o, &o->t[i], lim);
	if (o->nout > 1)	/* (qsort of NULL, 0 is undefined) */
		qsort(o->rel, o->nout, sizeof *o->rel, cmp_slot);
	for (size_t i = 0; i < o->nout; i++) {
		struct slot *s = o->rel[i];

		if (s->m.broadcast && seen_broadcast(o, &s->m)) {
			cdc_msg_fini(&s->m);
			free(s);
			continue;
		}
		o->rel[keep] = s;
		o->out[keep++] = &s->m;
	}
	o->nout = keep;
	*out = o->out;
	return o->nout;
}

/* Insert s into b keeping offset order. */
static void
put_back(struct topic_buf *b, const struct slot *s)
{
	size_t i = b->n;

	grow(b);
	while (i > 0 && b->v[i - 1].m.offset > s->m.offset) {
		b->v[i] = b->v[i - 1];
		i--;
	}
	b->v[i] = *s;
	b->n++;
}

/* Count one consumed timed message in the watermark. */
static void
count(struct cdc_order *o, const struct cdc_msg *m)
{
	struct topic_buf *b = &o->t[m->topic_idx];

	if (m->ts != o->cur_ts || o->cur_n == 0) {
		o->cur_ts = m->ts;
		o->cur_n = 0;
		for (size_t i = 0; i < o->nt; i++)
			o->t[i].grp_off = INT64_MAX;
	}
	o->cur_n++;
	if (m->offset < b->grp_off)
		b->grp_off = m->offset;
	if (m->ts > o->wm_ts || (m->ts == o->wm_ts && !o->wm_all &&
	    o->cur_n > o->wm_done)) {
		o->wm_ts = m->ts;
		o->wm_done = o->cur_n;
		o->wm_all = 0;
	}
}

void
cdc_order_commit(struct cdc_order *o, size_t used)
{
	size_t n = o->nout;

	if (used > n)
		used = n;
	for (size_t i = 0; i < used; i++)
		if (!o->t[o->rel[i]->m.topic_idx].untimed)
			count(o, &o->rel[i]->m);
	for (size_t i = used; i < n; i++) {
		struct slot *s = o->rel[i];

		if (s->m.broadcast)
			forget_broadcast(o, &s->m);
		put_back(&o->t[s->m.topic_idx], s);
		o->bytes += s->m.bytes;
		o->t[s->m.topic_idx].bytes += s->m.bytes;
		free(s);
	}
	o->nout = used;
	if (used < n)
		return;
	/*
	 * Everything up to the limit is out: the watermark is the limit.
	 * Without one (no topic live), everything read is out: the largest
	 * tick or ts read, whatever the fetch timing was.
	 */
	if (o->lim != UINT64_MAX && o->lim >= o->wm_ts) {
		o->wm_ts = o->lim;
		o->wm_all = 1;
	} else if (o->lim == UINT64_MAX) {
		if (o->max_tick > o->wm_ts)
			o->wm_ts = o->max_tick;
		if (o->cur_n > 0 && o->cur_ts > o->wm_ts)
			o->wm_ts = o->cur_ts;
		o->wm_all = 1;
	}
}

void
cdc_order_watermark(const struct cdc_order *o, uint64_t *ts, uint64_t *done,
    int *all)
{
	*ts = o->wm_ts;
	*done = o->wm_all ? 0 : o->wm_done;
	*all = o->wm_all;
}

void
cdc_order_set_watermark(struct cdc_order *o, uint64_t ts, uint64_t done,
    int all)
{
	o->wm_ts = ts;
	o->wm_done = all ? 0 : done;
	o->wm_all = all;
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
	int64_t p = b->n > 0 ? b->v[0].m.offset : b->next;

	if (!o->wm_all && o->cur_n > 0 && o->cur_ts == o->wm_ts &&
	    b->grp_off < p)
		p = b->grp_off;
	return p;
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

size_t
cdc_order_topic_bytes(const struct cdc_order *o, size_t topic, uint64_t *tick)
{
	if (tick)
		*tick = o->t[topic].tick;
	return o->t[topic].bytes;
}
