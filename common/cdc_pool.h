/*
 * cdc_pool.h - copies of message payloads for a producer that hands them to
 * librdkafka without RD_KAFKA_MSG_F_COPY: each copy lives in a large block
 * until released (at its delivery report), and a block whose copies are all
 * released is reused.  One malloc per megabyte instead of one per message
 * (cdc-write-kafka's rows: malloc and free were a third of its main thread).
 *
 * struct cdc_pool owns its blocks until cdc_pool_fini(); a copy from
 * cdc_pool_put() stays valid until cdc_pool_release() of it or
 * cdc_pool_fini().  Not thread-safe: one thread puts and releases.
 */
#ifndef CDC_POOL_H
#define CDC_POOL_H

#include <stddef.h>

#define CDC_POOL_BLOCK ((size_t)1 << 20)

struct cdc_pool_block;

struct cdc_pool {
	struct cdc_pool_block *cur;	/* copies go here */
	struct cdc_pool_block *spare;	/* empty blocks kept for reuse */
	size_t nspare;
	struct cdc_pool_block **all;	/* every block allocated */
	size_t nall;
};

/* A copy of p[0..n) in the pool, or NULL when n is too large for a block
 * (the caller copies some other way). */
void *cdc_pool_put(struct cdc_pool *pl, const void *p, size_t n);
/* Release a copy cdc_pool_put() returned. */
void cdc_pool_release(struct cdc_pool *pl, const void *copy);
void cdc_pool_fini(struct cdc_pool *pl);

#endif
