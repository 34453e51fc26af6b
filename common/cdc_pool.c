/*
 * cdc_pool.c - see cdc_pool.h.  Blocks are CDC_POOL_BLOCK bytes and aligned
 * to their size, so a copy's block is its address rounded down; a block
 * counts its live copies and goes back to the spares when the count drops
 * to zero and it is no longer the one being filled.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "cdc_pool.h"
#include "cdc_util.h"

#define SPARES_MAX 16

struct cdc_pool_block {
	struct cdc_pool_block *next;	/* in the spares */
	size_t used;			/* bytes from the block's start */
	size_t live;			/* copies not yet released */
	max_align_t data[];
};

static struct cdc_pool_block *
block_of(const void *copy)
{
	return (struct cdc_pool_block *)((uintptr_t)copy &
	    ~(uintptr_t)(CDC_POOL_BLOCK - 1));
}

static void
retire(struct cdc_pool *pl, struct cdc_pool_block *b)
{
	if (pl->nspare >= SPARES_MAX) {
		for (size_t i = 0; i < pl->nall; i++)
			if (pl->all[i] == b) {
				pl->all[i] = pl->all[--pl->nall];
				break;
			}
		free(b);
		return;
	}
	b->next = pl->spare;
	pl->spare = b;
	pl->nspare++;
}

/* Fault a new block's pages in with one call: touched page by page, they
 * were a tenth of cdc-write-kafka's time (a trap each, dear in a VM).
 * Without MADV_POPULATE_WRITE (Linux < 5.14) they fault as they are used. */
static void
prefault(struct cdc_pool_block *b)
{
#ifdef MADV_POPULATE_WRITE
	(void)madvise(b, CDC_POOL_BLOCK, MADV_POPULATE_WRITE);
#else
	(void)b;
#endif
}

static struct cdc_pool_block *
fresh(struct cdc_pool *pl)
{
	struct cdc_pool_block *b = pl->spare;

	if (b) {
		pl->spare = b->next;
		pl->nspare--;
	} else {
		b = aligned_alloc(CDC_POOL_BLOCK, CDC_POOL_BLOCK);
		if (!b)
			return NULL;
		prefault(b);
		pl->all = cdc_xrealloc(pl->all, (pl->nall + 1) * sizeof *pl->all);
		pl->all[pl->nall++] = b;
	}
	b->next = NULL;
	b->used = offsetof(struct cdc_pool_block, data);
	b->live = 0;
	return b;
}

void *
cdc_pool_put(struct cdc_pool *pl, const void *p, size_t n)
{
	size_t at, room = CDC_POOL_BLOCK - offsetof(struct cdc_pool_block,
	    data);
	struct cdc_pool_block *b = pl->cur;

	if (n == 0 || n > room)
		return NULL;
	if (!b || CDC_POOL_BLOCK - b->used < n) {
		if (b && b->live == 0)
			retire(pl, b);
		if (!(b = pl->cur = fresh(pl)))
			return NULL;
	}
	at = b->used;
	memcpy((char *)b + at, p, n);
	/* the next copy starts aligned, like malloc's */
	b->used = (at + n + sizeof(max_align_t) - 1) &
	    ~(sizeof(max_align_t) - 1);
	if (b->used > CDC_POOL_BLOCK)
		b->used = CDC_POOL_BLOCK;
	b->live++;
	return (char *)b + at;
}

void
cdc_pool_release(struct cdc_pool *pl, const void *copy)
{
	struct cdc_pool_block *b = block_of(copy);

	if (--b->live == 0 && b != pl->cur)
		retire(pl, b);
}

void
cdc_pool_fini(struct cdc_pool *pl)
{
	for (size_t i = 0; i < pl->nall; i++)
		free(pl->all[i]);
	free(pl->all);
	*pl = (struct cdc_pool){0};
}
