/*
 * test_render.c - cdc_render: rows come back in order and complete whatever
 * the number of helper threads and rows, each thread uses its own argument,
 * a failing row ends the event after exactly the rows before it, and an
 * event given up early leaves the renderer ready for the next one.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cdc_render.h"
#include "t.h"

struct arg {
	int id;
	size_t rows;		/* rendered by this thread */
	size_t fail_at;		/* the row that fails, or SIZE_MAX */
};

/* key "k<row>", value "<row*row>"; some rows spin a little so that the
 * threads finish their chunks out of order. */
static int
fn(void *p, size_t row, struct cdc_buf *key, struct cdc_buf *val, char *err,
    size_t errsz)
{
	struct arg *a = p;
	char s[64];
	volatile unsigned spin = 0;

	if (row == a->fail_at) {
		snprintf(err, errsz, "row %zu is bad", row);
		return -1;
	}
	for (unsigned i = 0; i < (row % 7) * 2000; i++)
		spin += i;
	cdc_buf_add(key, s, (size_t)snprintf(s, sizeof s, "k%zu", row));
	cdc_buf_add(val, s, (size_t)snprintf(s, sizeof s, "%zu", row * row));
	a->rows++;
	return 0;
}

/* Render nrows with `helpers`; the rows handed back in order, counted. */
static size_t
run(struct cdc_render *r, struct arg *a, int helpers, size_t nrows,
    int *rc)
{
	void *args[8];
	struct cdc_str k, v;
	char want[64], err[128];
	size_t n = 0;

	for (int i = 0; i <= helpers; i++)
		args[i] = &a[i];
	cdc_render_start(r, fn, args, nrows);
	while ((*rc = cdc_render_next(r, &k, &v, err, sizeof err)) == 1) {
		snprintf(want, sizeof want, "k%zu", n);
		T_EQ_MEM(k.p, k.n, want, strlen(want));
		snprintf(want, sizeof want, "%zu", n * n);
		T_EQ_MEM(v.p, v.n, want, strlen(want));
		n++;
	}
	if (*rc < 0)
		T_EQ_STR(err, "row 1000 is bad");
	return n;
}

T_TEST(render_in_order)
{
	static const size_t sizes[] = {0, 1, 3, 4, 5, 63, 64, 65, 1000, 5000};
	char err[128];

	for (int helpers = 0; helpers <= 3; helpers++) {
		struct cdc_render *r = cdc_render_new(helpers, err, sizeof err);
		struct arg a[4] = {{0}};
		size_t total = 0, sum = 0;
		int rc;

		T_CHECK(r != NULL);
		T_EQ_INT(cdc_render_helpers(r), helpers);
		for (int i = 0; i < 4; i++)
			a[i] = (struct arg){i, 0, SIZE_MAX};
		for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
			T_EQ_UINT(run(r, a, helpers, sizes[s], &rc), sizes[s]);
			T_EQ_INT(rc, 0);
			total += sizes[s];
		}
		for (int i = 0; i <= helpers; i++)
			sum += a[i].rows;
		T_EQ_UINT(sum, total);	/* each row rendered once */
		if (helpers > 0)	/* (a helper took part: not certain on a
					 * loaded machine, so only reported) */
			printf("# %d helpers: main rendered %zu of %zu rows\n",
			    helpers, a[0].rows, total);
		cdc_render_fini(r);
	}
}

T_TEST(render_failing_row)
{
	char err[128];
	struct cdc_render *r = cdc_render_new(2, err, sizeof err);
	struct arg a[3];
	int rc;

	for (int i = 0; i < 3; i++)
		a[i] = (struct arg){i, 0, 1000};
	T_EQ_UINT(run(r, a, 2, 3000, &rc), 1000);
	T_EQ_INT(rc, -1);
	/* the renderer is ready for the next event */
	for (int i = 0; i < 3; i++)
		a[i].fail_at = SIZE_MAX;
	T_EQ_UINT(run(r, a, 2, 2000, &rc), 2000);
	T_EQ_INT(rc, 0);
	cdc_render_fini(r);
}

T_TEST(render_stop_early)
{
	char err[128];
	struct cdc_render *r = cdc_render_new(3, err, sizeof err);
	struct arg a[4];
	void *args[4];
	struct cdc_str k, v;
	int rc;

	for (int i = 0; i < 4; i++) {
		a[i] = (struct arg){i, 0, SIZE_MAX};
		args[i] = &a[i];
	}
	cdc_render_start(r, fn, args, 4000);
	for (int i = 0; i < 10; i++)
		T_EQ_INT(cdc_render_next(r, &k, &v, err, sizeof err), 1);
	cdc_render_stop(r);
	T_EQ_INT(cdc_render_next(r, &k, &v, err, sizeof err), 0);
	T_EQ_UINT(run(r, a, 3, 500, &rc), 500);
	T_EQ_INT(rc, 0);
	cdc_render_fini(r);	/* also right after a start */
	r = cdc_render_new(1, err, sizeof err);
	cdc_render_start(r, fn, args, 4000);
	cdc_render_fini(r);
}
