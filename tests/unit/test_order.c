/* test_order.c - the release buffer of cdc-read with synthetic messages. */
#include <stdio.h>

#include "cdc_order.h"
#include "t.h"

static const char *const names[] = {"by-dev-rootcoord-dml_0",
    "by-dev-rootcoord-dml_1", "by-dev-rootcoord-dml_2",
    "by-dev-replicate-msg"};
static int64_t offs[4];

/* Add one record of kind k at the next offset of topic t. */
static void
add(struct cdc_order *o, size_t t, enum cdc_msg_kind k, enum cdc_ev_type ev,
    uint64_t ts, int64_t msg_id)
{
	struct cdc_msg m = {0};

	m.kind = k;
	m.ev = ev;
	m.ts = ts;
	m.msg_id = msg_id;
	m.prio = ev == CDC_EV_DELETE ? CDC_PRIO_DELETE :
	    ev == CDC_EV_INSERT ? CDC_PRIO_INSERT : CDC_PRIO_OTHER;
	m.collection_id = 7;
	m.broadcast = ev == CDC_EV_CREATE_COLLECTION ||
	    ev == CDC_EV_DROP_COLLECTION;
	m.bytes = 10;
	m.topic = names[t];
	m.offset = offs[t]++;
	cdc_order_add(o, t, &m);
	T_EQ_UINT(m.ts, 0);	/* taken over and zeroed */
}

static void
ev(struct cdc_order *o, size_t t, enum cdc_ev_type e, uint64_t ts)
{
	add(o, t, CDC_MSG_EVENT, e, ts, (int64_t)(1000 + offs[t] + 100 * t));
}

static void
tick(struct cdc_order *o, size_t t, uint64_t ts)
{
	add(o, t, CDC_MSG_TICK, CDC_EV_UNKNOWN, ts, 0);
}

static struct cdc_order *
fresh(size_t n, const int *untimed)
{
	memset(offs, 0, sizeof offs);
	return cdc_order_new(n, untimed);
}

/* Release and consume everything; "topic@offset:ts" of each, spaced. */
static const char *
release_all(struct cdc_order *o, uint64_t limit)
{
	static char buf[1024];
	struct cdc_msg **v;
	size_t n = cdc_order_release(o, limit, &v), len = 0;

	buf[0] = 0;
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%c@%lld:%llu",
		    i ? " " : "", v[i]->topic[8] == 'e' ? 'r' :
		    v[i]->topic[strlen(v[i]->topic) - 1],
		    (long long)v[i]->offset, (unsigned long long)v[i]->ts);
	cdc_order_commit(o, n);
	return buf;
}

T_TEST(order_ticks_bound_release)
{
	struct cdc_order *o = fresh(2, NULL);

	ev(o, 0, CDC_EV_INSERT, 30);
	ev(o, 1, CDC_EV_INSERT, 20);
	T_EQ_UINT(cdc_order_bound(o), 0);
	T_EQ_STR(release_all(o, UINT64_MAX), "");
	tick(o, 0, 40);
	T_EQ_STR(release_all(o, UINT64_MAX), "");	/* topic 1 holds back */
	tick(o, 1, 25);
	T_EQ_UINT(cdc_order_bound(o), 25);
	T_EQ_STR(release_all(o, UINT64_MAX), "1@0:20");
	tick(o, 1, 50);
	ev(o, 1, CDC_EV_INSERT, 60);	/* past every tick: stays */
	T_EQ_STR(release_all(o, UINT64_MAX), "0@0:30");
	T_EQ_STR(release_all(o, UINT64_MAX), "");
	T_EQ_UINT(cdc_order_pending(o, NULL), 1);
	/* --until: the limit caps the bound */
	tick(o, 0, 70);
	tick(o, 1, 70);
	T_EQ_STR(release_all(o, 59), "");
	T_EQ_STR(release_all(o, 60), "1@3:60");
	cdc_order_free(o);
}

T_TEST(order_ties_delete_first_then_topic_then_offset)
{
	struct cdc_order *o = fresh(3, NULL);

	ev(o, 2, CDC_EV_INSERT, 10);
	ev(o, 1, CDC_EV_INSERT, 10);
	ev(o, 1, CDC_EV_DELETE, 10);
	ev(o, 0, CDC_EV_INSERT, 10);
	ev(o, 0, CDC_EV_INSERT, 10);
	ev(o, 2, CDC_EV_DELETE, 10);
	ev(o, 0, CDC_EV_INSERT, 9);
	for (size_t t = 0; t < 3; t++)
		tick(o, t, 10);
	T_EQ_STR(release_all(o, UINT64_MAX),
	    "0@2:9 1@1:10 2@1:10 0@0:10 0@1:10 1@0:10 2@0:10");
	cdc_order_free(o);
}

T_TEST(order_idle_channel_does_not_hold_back)
{
	struct cdc_order *o = fresh(3, NULL);

	ev(o, 0, CDC_EV_INSERT, 10);
	tick(o, 0, 20);
	tick(o, 1, 20);
	T_EQ_STR(release_all(o, UINT64_MAX), "");	/* 2 is live at 0 */
	cdc_order_set_eof(o, 2, 1);
	T_EQ_STR(release_all(o, UINT64_MAX), "0@0:10");
	/* at its end but with something buffered: it holds back */
	ev(o, 1, CDC_EV_INSERT, 30);
	cdc_order_set_eof(o, 1, 1);
	tick(o, 0, 40);
	T_EQ_UINT(cdc_order_bound(o), 20);
	T_EQ_STR(release_all(o, UINT64_MAX), "");
	/* everything at its end (-e): all of it goes */
	cdc_order_set_eof(o, 0, 1);
	cdc_order_set_eof(o, 1, 0);
	tick(o, 1, 35);
	cdc_order_set_eof(o, 1, 1);
	T_EQ_STR(release_all(o, UINT64_MAX), "1@1:30");
	T_EQ_UINT(cdc_order_bound(o), UINT64_MAX);
	cdc_order_free(o);
}

T_TEST(order_producer_retry_dropped)
{
	struct cdc_order *o = fresh(2, NULL);

	add(o, 0, CDC_MSG_EVENT, CDC_EV_INSERT, 10, 77);
	add(o, 0, CDC_MSG_EVENT, CDC_EV_INSERT, 10, 77);	/* retry */
	add(o, 0, CDC_MSG_EVENT, CDC_EV_DELETE, 10, 77);	/* other type */
	add(o, 1, CDC_MSG_EVENT, CDC_EV_INSERT, 10, 77);	/* other chan */
	add(o, 0, CDC_MSG_EVENT, CDC_EV_INSERT, 10, 0);		/* no id */
	add(o, 0, CDC_MSG_EVENT, CDC_EV_INSERT, 10, 0);
	tick(o, 0, 10);
	tick(o, 1, 10);
	T_EQ_STR(release_all(o, UINT64_MAX), "0@2:10 0@0:10 0@3:10 0@4:10 1@0:10");
	/* the position still moved past the dropped retry */
	T_EQ_INT(cdc_order_position(o, 0), 6);
	cdc_order_free(o);
}

T_TEST(order_broadcast_once)
{
	struct cdc_order *o = fresh(2, NULL);
	struct cdc_msg **v;

	ev(o, 0, CDC_EV_CREATE_COLLECTION, 5);
	ev(o, 1, CDC_EV_CREATE_COLLECTION, 5);
	ev(o, 1, CDC_EV_CREATE_COLLECTION, 6);	/* another ts: another */
	tick(o, 0, 6);
	tick(o, 1, 6);
	T_EQ_STR(release_all(o, UINT64_MAX), "0@0:5 1@1:6");
	/* a copy arriving later (its channel was idle) is still dropped */
	ev(o, 0, CDC_EV_CREATE_COLLECTION, 6);
	tick(o, 0, 7);
	tick(o, 1, 7);
	T_EQ_STR(release_all(o, UINT64_MAX), "");
	/* a broadcast put back unconsumed comes out again later */
	ev(o, 0, CDC_EV_DROP_COLLECTION, 8);
	ev(o, 1, CDC_EV_DROP_COLLECTION, 8);
	tick(o, 0, 9);
	tick(o, 1, 9);
	T_EQ_UINT(cdc_order_release(o, UINT64_MAX, &v), 1);
	cdc_order_commit(o, 0);
	T_EQ_STR(release_all(o, UINT64_MAX), "0@4:8");
	cdc_order_free(o);
}

T_TEST(order_positions)
{
	struct cdc_order *o = fresh(3, NULL);

	cdc_order_set_next(o, 2, 42);
	T_EQ_INT(cdc_order_position(o, 2), 42);
	ev(o, 0, CDC_EV_INSERT, 50);	/* 0@0 waits */
	ev(o, 0, CDC_EV_INSERT, 10);	/* 0@1 goes */
	tick(o, 0, 20);
	ev(o, 1, CDC_EV_INSERT, 15);
	tick(o, 1, 20);
	cdc_order_set_eof(o, 2, 1);
	T_EQ_STR(release_all(o, UINT64_MAX), "0@1:10 1@0:15");
	T_EQ_INT(cdc_order_position(o, 0), 0);	/* 0@0 still buffered */
	T_EQ_INT(cdc_order_position(o, 1), 2);	/* all consumed: next */
	T_EQ_INT(cdc_order_position(o, 2), 42);
	cdc_order_free(o);
}

/* -c N stopping inside a group of equal timestamps across channels: the
 * watermark says how many of the group were consumed, and the positions
 * re-read the whole group, also on the channel whose part of it is all
 * consumed (regression: its position was past it, so a resume skipped the
 * next one of the group instead). */
T_TEST(order_partial_group_done_and_positions)
{
	struct cdc_order *o = fresh(2, NULL);
	struct cdc_msg **v;
	uint64_t ts, done;
	int all;

	ev(o, 0, CDC_EV_INSERT, 5);
	ev(o, 0, CDC_EV_INSERT, 10);
	ev(o, 1, CDC_EV_INSERT, 10);
	tick(o, 0, 10);
	tick(o, 1, 10);
	T_EQ_UINT(cdc_order_release(o, UINT64_MAX, &v), 3);
	cdc_order_commit(o, 2);		/* 0@0:5 0@1:10 out, 1@0:10 back */
	cdc_order_watermark(o, &ts, &done, &all);
	T_EQ_UINT(ts, 10);
	T_EQ_UINT(done, 1);
	T_EQ_INT(all, 0);
	T_EQ_INT(cdc_order_position(o, 0), 1);	/* re-read 0@1 */
	T_EQ_INT(cdc_order_position(o, 1), 0);
	T_EQ_UINT(cdc_order_pending(o, NULL), 1);
	/* the rest, then the watermark is the whole tick */
	T_EQ_STR(release_all(o, UINT64_MAX), "1@0:10");
	cdc_order_watermark(o, &ts, &done, &all);
	T_EQ_UINT(ts, 10);
	T_EQ_INT(all, 1);
	T_EQ_INT(cdc_order_position(o, 0), 3);
	T_EQ_INT(cdc_order_position(o, 1), 2);
	cdc_order_free(o);
}

/* A run resumed from (ts 10, done 1) replays the group: the watermark does
 * not move back while it re-consumes what was done, then moves on. */
T_TEST(order_resumed_watermark_floor)
{
	struct cdc_order *o = fresh(2, NULL);
	uint64_t ts, done;
	int all;

	cdc_order_set_watermark(o, 10, 1, 0);
	ev(o, 0, CDC_EV_INSERT, 4);
	tick(o, 0, 8);
	tick(o, 1, 8);
	T_EQ_STR(release_all(o, 9), "0@0:4");
	cdc_order_watermark(o, &ts, &done, &all);
	T_EQ_UINT(ts, 10);
	T_EQ_UINT(done, 1);
	T_EQ_INT(all, 0);
	ev(o, 0, CDC_EV_INSERT, 10);
	ev(o, 1, CDC_EV_INSERT, 10);
	tick(o, 0, 12);
	tick(o, 1, 11);
	T_EQ_STR(release_all(o, UINT64_MAX), "0@2:10 1@1:10");
	cdc_order_watermark(o, &ts, &done, &all);
	T_EQ_UINT(ts, 11);
	T_EQ_INT(all, 1);
	T_EQ_UINT(done, 0);
	cdc_order_free(o);
}

/* The replicate-msg topic has no ticks: until it reaches its end it holds
 * the others back at the largest ts read on it; it is released in offset
 * order; it does not count in the done count. */
T_TEST(order_untimed_topic)
{
	int untimed[4] = {0, 0, 0, 1};
	struct cdc_order *o = fresh(4, untimed);
	struct cdc_msg **v;
	uint64_t ts, done;
	int all;

	cdc_order_set_eof(o, 1, 1);
	cdc_order_set_eof(o, 2, 1);
	ev(o, 0, CDC_EV_INSERT, 10);
	ev(o, 0, CDC_EV_INSERT, 30);
	tick(o, 0, 40);
	T_EQ_STR(release_all(o, UINT64_MAX), "");	/* nothing read on r */
	ev(o, 3, CDC_EV_CREATE_INDEX, 20);
	T_EQ_UINT(cdc_order_bound(o), 20);
	T_EQ_STR(release_all(o, UINT64_MAX), "0@0:10 r@0:20");
	ev(o, 3, CDC_EV_LOAD_COLLECTION, 35);
	ev(o, 3, CDC_EV_FLUSH, 25);		/* out of ts order */
	cdc_order_set_eof(o, 3, 1);
	T_EQ_UINT(cdc_order_bound(o), 40);
	/* offset order on r: 25 comes after 35, as its key is 35 */
	T_EQ_STR(release_all(o, UINT64_MAX), "0@1:30 r@1:35 r@2:25");
	T_EQ_INT(cdc_order_position(o, 3), 3);
	/* a stop inside a group: the replicate record is not in done */
	ev(o, 3, CDC_EV_FLUSH, 50);
	ev(o, 0, CDC_EV_DROP_COLLECTION, 50);
	ev(o, 0, CDC_EV_DELETE, 50);
	tick(o, 0, 60);
	T_EQ_UINT(cdc_order_release(o, UINT64_MAX, &v), 3);
	cdc_order_commit(o, 2);		/* 0@4 (delete), r@3 */
	cdc_order_watermark(o, &ts, &done, &all);
	T_EQ_UINT(ts, 50);
	T_EQ_UINT(done, 1);
	T_EQ_INT(cdc_order_position(o, 3), 4);
	T_EQ_INT(cdc_order_position(o, 0), 3);
	cdc_order_free(o);
}

/* With no topic live (all at their end), everything read is out and the
 * watermark is the largest tick read, not whatever the last bound was
 * (regression: the final checkpoint depended on the fetch timing). */
T_TEST(order_final_watermark_is_largest_tick)
{
	struct cdc_order *o = fresh(2, NULL);
	uint64_t ts, done;
	int all;

	ev(o, 0, CDC_EV_INSERT, 10);
	tick(o, 0, 30);
	tick(o, 1, 20);
	T_EQ_STR(release_all(o, UINT64_MAX), "0@0:10");
	cdc_order_watermark(o, &ts, &done, &all);
	T_EQ_UINT(ts, 20);
	cdc_order_set_eof(o, 0, 1);
	cdc_order_set_eof(o, 1, 1);
	T_EQ_STR(release_all(o, UINT64_MAX), "");
	cdc_order_watermark(o, &ts, &done, &all);
	T_EQ_UINT(ts, 30);
	T_EQ_INT(all, 1);
	/* an event past its channel's last tick waits for the next tick,
	 * also at the end (-e: the next run emits it) */
	cdc_order_set_eof(o, 1, 0);
	ev(o, 1, CDC_EV_INSERT, 40);
	cdc_order_set_eof(o, 1, 1);
	T_EQ_STR(release_all(o, UINT64_MAX), "");
	T_EQ_INT(cdc_order_position(o, 1), 1);
	tick(o, 1, 40);
	T_EQ_STR(release_all(o, UINT64_MAX), "1@1:40");
	cdc_order_watermark(o, &ts, &done, &all);
	T_EQ_UINT(ts, 40);
	T_EQ_INT(all, 1);
	cdc_order_free(o);
}
