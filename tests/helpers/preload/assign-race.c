/*
 * assign-race.so - an LD_PRELOAD interposer that replays, every time, a
 * race of a loaded machine: a consumer calls rd_kafka_assign() and only
 * then takes each partition's queue off the consumer queue
 * (rd_kafka_queue_get_partition(), then rd_kafka_queue_forward(q, NULL)).
 * The thread is descheduled twice: before the split, while librdkafka
 * fetches a partition's first records onto the consumer queue, and after
 * it, while the next records reach the partition queue.  A reader that
 * drains the partition queues first then sees that partition's offsets
 * out of order.
 *
 * Both calls are wrapped.  rd_kafka_queue_get_partition(), called while
 * the consumer has an assignment, first waits until a fetch reply for the
 * partition has been handled; rd_kafka_queue_forward(q, NULL) of such a
 * queue waits, after forwarding, until q holds something.  Each wait
 * polls every millisecond for at most CDC_ASSIGN_RACE_WAIT seconds
 * (default 2): a partition of an absent topic never gets a fetch reply.
 * Before any assignment neither call waits: that order has no race.
 *
 *   LD_PRELOAD=build/assign-race.so ./cdc-read -b "$BROKERS" -e
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <librdkafka/rdkafka.h>

typedef rd_kafka_queue_t *get_partition_fn(rd_kafka_t *, const char *, int32_t);
typedef void forward_fn(rd_kafka_queue_t *, rd_kafka_queue_t *);

/* The last partition queue taken after rd_kafka_assign(), until its
 * forward: librdkafka calls rd_kafka_queue_forward() itself too. */
static rd_kafka_queue_t *late_q;

static void *
real(const char *name)
{
	void *f = dlsym(RTLD_NEXT, name);

	if (!f) {
		fprintf(stderr, "assign-race: %s\n", dlerror());
		abort();
	}
	return f;
}

/* Polls left: one a millisecond for CDC_ASSIGN_RACE_WAIT seconds. */
static long
polls(void)
{
	const char *s = getenv("CDC_ASSIGN_RACE_WAIT");

	return (long)((s ? strtod(s, NULL) : 2) * 1000);
}

static void
pause_1ms(void)
{
	struct timespec ms = {0, 1000000};

	nanosleep(&ms, NULL);
}

static int
assigned(rd_kafka_t *rk)
{
	rd_kafka_topic_partition_list_t *l = NULL;
	int n;

	if (rd_kafka_assignment(rk, &l) != RD_KAFKA_RESP_ERR_NO_ERROR)
		return 0;
	n = l->cnt;
	rd_kafka_topic_partition_list_destroy(l);
	return n > 0;
}

/*
 * Wait until a fetch reply for the partition has been handled: its high
 * watermark is known (rd_kafka_query_watermark_offsets() does not set
 * it).  The reply's records are queued just after, hence the extra pause.
 */
static void
wait_first_fetch(rd_kafka_t *rk, const char *topic, int32_t partition)
{
	int64_t lo, hi = RD_KAFKA_OFFSET_INVALID;

	for (long n = polls(); n > 0 && hi < 0; n--) {
		pause_1ms();
		rd_kafka_get_watermark_offsets(rk, topic, partition, &lo, &hi);
	}
	pause_1ms();
}

/*
 * Wait until q holds something and has not grown for 100 ms: the fetcher
 * has caught up with the partition (a fetch at the end of the log waits
 * fetch.wait.max.ms, 500 by default, for new records).
 */
static void
wait_caught_up(rd_kafka_queue_t *q)
{
	size_t len = 0, now;
	long quiet = 0;

	for (long n = polls(); n > 0 && (len == 0 || quiet < 100); n--) {
		pause_1ms();
		now = rd_kafka_queue_length(q);
		quiet = now == len ? quiet + 1 : 0;
		len = now;
	}
}

rd_kafka_queue_t *
rd_kafka_queue_get_partition(rd_kafka_t *rk, const char *topic,
    int32_t partition)
{
	static get_partition_fn *get_partition;
	rd_kafka_queue_t *q;
	int late = assigned(rk);

	if (!get_partition)
		*(void **)&get_partition = real("rd_kafka_queue_get_partition");
	if (late)
		wait_first_fetch(rk, topic, partition);
	q = get_partition(rk, topic, partition);
	if (late)
		late_q = q;
	return q;
}

void
rd_kafka_queue_forward(rd_kafka_queue_t *src, rd_kafka_queue_t *dst)
{
	static forward_fn *forward;

	if (!forward)
		*(void **)&forward = real("rd_kafka_queue_forward");
	forward(src, dst);
	if (src == late_q && src && !dst) {
		late_q = NULL;
		wait_caught_up(src);
	}
}
