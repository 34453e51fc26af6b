/*
 * test_pool.c - cdc_pool: copies hold their bytes until released whatever
 * is put after them, blocks are reused once every copy in them is released
 * (a steady stream of put/release does not grow the pool), a copy too large
 * for a block is refused, and fini frees blocks with live copies too (run
 * under valgrind by make valgrind).
 */
#include <stdio.h>
#include <stdlib.h>

#include "cdc_pool.h"
#include "t.h"

#define N 3000

T_TEST(pool_copies_and_reuse)
{
	struct cdc_pool pl = {0};
	static char *copy[N];
	char buf[1700];
	size_t peak = 0;

	/* a window of 500 live copies of ~1.7 KB, released oldest first */
	for (int i = 0; i < N; i++) {
		memset(buf, 'a' + i % 26, sizeof buf);
		snprintf(buf, sizeof buf, "%d", i);
		copy[i] = cdc_pool_put(&pl, buf, sizeof buf - (size_t)(i % 100));
		T_CHECK(copy[i] != NULL);
		T_EQ_INT((uintptr_t)copy[i] % sizeof(max_align_t), 0);
		if (i >= 500) {
			char want[16];

			snprintf(want, sizeof want, "%d", i - 500);
			T_EQ_STR(copy[i - 500], want);
			T_EQ_INT(copy[i - 500][1699 - (i - 500) % 100],
			    'a' + (i - 500) % 26);
			cdc_pool_release(&pl, copy[i - 500]);
		}
		if (pl.nall > peak)
			peak = pl.nall;
	}
	/* 500 x 1.7 KB fits in one block and a bit: a few blocks, not N/600 */
	T_CHECK(peak <= 3);
	T_CHECK(cdc_pool_put(&pl, buf, CDC_POOL_BLOCK) == NULL);
	T_CHECK(cdc_pool_put(&pl, buf, 0) == NULL);
	cdc_pool_fini(&pl);	/* 500 copies still live */
	T_EQ_UINT(pl.nall, 0);
}

T_TEST(pool_out_of_order_release)
{
	struct cdc_pool pl = {0};
	static char *copy[N];
	char buf[4000] = "x";

	for (int i = 0; i < N; i++)
		copy[i] = cdc_pool_put(&pl, buf, sizeof buf);
	for (int i = 1; i < N; i += 2)
		cdc_pool_release(&pl, copy[i]);
	for (int i = 0; i < N; i += 2)
		T_EQ_STR(copy[i], "x");
	for (int i = 0; i < N; i += 2)
		cdc_pool_release(&pl, copy[i]);
	/* every block but the current one empty: spares (at most 16) */
	T_CHECK(pl.nspare <= 16 && pl.nall <= 17);
	copy[0] = cdc_pool_put(&pl, buf, sizeof buf);
	T_EQ_STR(copy[0], "x");
	cdc_pool_fini(&pl);
}
