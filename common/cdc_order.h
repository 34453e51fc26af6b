/*
 * cdc_order.h - the release buffer of cdc-read: messages from several
 * topics, each ordered by Milvus's TimeTicks, merged into one deterministic
 * Milvus-timestamp order (ts, then delete before insert, then topic index,
 * then offset).
 *
 * cdc_order_add() takes ownership of the message's contents (the caller's
 * struct is zeroed); released messages belong to the buffer until the next
 * cdc_order_release() or cdc_order_free(), which fini them.
 */
#ifndef CDC_ORDER_H
#define CDC_ORDER_H

#include <stddef.h>
#include <stdint.h>

#include "cdc_milvus.h"

struct cdc_order;

/* ntopics topics, numbered 0..ntopics-1 in the fixed tie-break order;
 * untimed[i] marks a topic without TimeTicks (the replicate-msg topic). */
struct cdc_order *cdc_order_new(size_t ntopics, const int *untimed);
void cdc_order_free(struct cdc_order *o);

/*
 * Add a decoded record read from `topic` at m->offset.  A TICK raises the
 * topic's tick; an EVENT is buffered unless it repeats a msg_id already
 * buffered on that topic (a producer retry); a SKIP only advances the
 * position.  Records must be added in offset order per topic.
 */
void cdc_order_add(struct cdc_order *o, size_t topic, struct cdc_msg *m);
/* The next offset to read on topic (after the last record added). */
void cdc_order_set_next(struct cdc_order *o, size_t topic, int64_t next);
/* Mark a topic as sitting at the end of its log (1) or not (0). */
void cdc_order_set_eof(struct cdc_order *o, size_t topic, int eof);

/*
 * The bound below which everything may be released: the smallest tick of
 * the live timed topics (a topic at the end of its log with nothing
 * buffered is not live); UINT64_MAX when no timed topic is live.
 */
uint64_t cdc_order_bound(const struct cdc_order *o);
/*
 * Release every buffered message with ts <= min(bound, limit), in order,
 * broadcast copies (CreateCollection on each shard's channel...) once.
 * Returns the count and sets *out to an array the buffer owns.
 */
size_t cdc_order_release(struct cdc_order *o, uint64_t limit,
    struct cdc_msg ***out);
/* The next offset to read on topic. */
int64_t cdc_order_next(const struct cdc_order *o, size_t topic);
/*
 * Put the released messages from index `from` of the last release back into
 * their topics' buffers (a run stopped part-way through a release), so that
 * positions and a later release see them again.
 */
void cdc_order_unrelease(struct cdc_order *o, size_t from);
/* Offset a restart must read topic from to miss nothing not yet released. */
int64_t cdc_order_position(const struct cdc_order *o, size_t topic);
/* Messages and record bytes currently buffered. */
size_t cdc_order_pending(const struct cdc_order *o, size_t *bytes);

#endif
