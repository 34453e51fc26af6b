/*
 * cdc_order.h - the release buffer of cdc-read: messages from several
 * topics, each delimited by Milvus's TimeTicks, merged into one
 * deterministic Milvus-timestamp order (key, then delete before insert, then
 * topic name, then offset), with the watermark and the restart positions
 * of what the caller has consumed.
 *
 * cdc_order_add() takes ownership of the message's contents (the caller's
 * struct is zeroed); released messages belong to the buffer until the next
 * cdc_order_release() or cdc_order_free(), which fini them.
 *
 * A timed topic (a DML channel) orders by ts; its TimeTicks bound what may
 * be released.  An untimed topic (the replicate-msg topic, which has no
 * ticks) is released strictly in offset order: its sort key is the largest
 * ts read so far on it, and while it has not reached the end of its log that
 * key bounds the others, so its records merge by timestamp whatever the
 * fetch timing.  Only timed messages count in the watermark; an untimed
 * topic's position alone says what of it was consumed.
 */
#ifndef CDC_ORDER_H
#define CDC_ORDER_H

#include <stddef.h>
#include <stdint.h>

#include "cdc_milvus.h"

struct cdc_order;

/* ntopics topics, numbered 0..ntopics-1; untimed[i] (or NULL: none) marks
 * a topic without TimeTicks.  Every topic starts at offset 0, not at eof. */
struct cdc_order *cdc_order_new(size_t ntopics, const int *untimed);
void cdc_order_free(struct cdc_order *o);

/*
 * Add a decoded record read from `topic` at m->offset.  A TICK raises the
 * topic's tick; an EVENT is buffered unless it repeats an Insert or Delete
 * msg_id still buffered on that topic (a producer retry); a SKIP only
 * advances the position.  Records must be added in offset order per topic.
 */
void cdc_order_add(struct cdc_order *o, size_t topic, struct cdc_msg *m);
/* Set the next offset to read on topic (the start, or after an EOF). */
void cdc_order_set_next(struct cdc_order *o, size_t topic, int64_t next);
/* Mark a topic as sitting at the end of its log (1) or not (0). */
void cdc_order_set_eof(struct cdc_order *o, size_t topic, int eof);

/*
 * The bound up to which everything may be released: the smallest tick of
 * the live topics (a timed topic is live unless it is at the end of its log
 * with nothing buffered; an untimed one unless it is at the end of its
 * log); UINT64_MAX when no topic is live.
 */
uint64_t cdc_order_bound(const struct cdc_order *o);
/*
 * Release every buffered message with key <= min(bound, limit), in order,
 * broadcast copies (CreateCollection on each shard's channel...) once.
 * Returns the count and sets *out to an array the buffer owns.  The caller
 * then calls cdc_order_commit() with how many it consumed.
 */
size_t cdc_order_release(struct cdc_order *o, uint64_t limit,
    struct cdc_msg ***out);
/*
 * The first `used` messages of the last release were consumed (emitted,
 * filtered or dropped as already emitted): they move the watermark.  The
 * rest go back into their topics' buffers (a run stopped part-way through a
 * release), so positions and a later release see them again.
 */
void cdc_order_commit(struct cdc_order *o, size_t used);

/*
 * The watermark of what was consumed, as a cdc-stream(5) checkpoint states
 * it: every timed message with ts below *ts, and of those at *ts the first
 * *done (all when *all), were consumed.
 */
void cdc_order_watermark(const struct cdc_order *o, uint64_t *ts,
    uint64_t *done, int *all);
/* Start from the watermark of a checkpoint (--resume); it never moves
 * back. */
void cdc_order_set_watermark(struct cdc_order *o, uint64_t ts, uint64_t done,
    int all);
/* The next offset to read on topic. */
int64_t cdc_order_next(const struct cdc_order *o, size_t topic);
/*
 * Offset a restart must read topic from to miss nothing not yet consumed:
 * the first buffered record, else the next to read; while the watermark
 * stops inside a group of equal timestamps, also the first consumed
 * record of that group, so that its done count can be replayed.
 */
int64_t cdc_order_position(const struct cdc_order *o, size_t topic);
/* Messages and record bytes currently buffered. */
size_t cdc_order_pending(const struct cdc_order *o, size_t *bytes);
/* Record bytes buffered on one topic, and its tick (for flow control). */
size_t cdc_order_topic_bytes(const struct cdc_order *o, size_t topic,
    uint64_t *tick);

#endif
