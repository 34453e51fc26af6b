/*
 * bench-json.c - micro-benchmark of the row -> JSON mapping: renders N rows
 * of {Int64 pk, VarChar, FloatVector(dim)} with cdc_json_row() and prints
 * rows/s and ns per float, next to the same floats through cdc_fmt_float()
 * alone and through snprintf("%.9g") (not shortest; the libc baseline).
 * Times are CPU time of the process, the best of -n repeats.
 *
 *   build/bench-json [-r rows] [-d dim] [-n repeats]
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <msgpack.h>

#include "cdc_fmt.h"
#include "cdc_frame.h"
#include "cdc_json.h"
#include "cdc_util.h"

static uint32_t seed = 2463534242u;

/* CPU seconds of this process: steadier than wall time on a busy machine. */
static double
cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint32_t
rnd(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 17;
	seed ^= seed << 5;
	return seed;
}

/* Embedding-like values: uniform in [-1, 1), every bit pattern possible. */
static float
rnd_float(void)
{
	return (float)((double)rnd() / 2147483648.0 - 1.0);
}

static void
pack_col_head(msgpack_packer *pk, const char *name, const char *type,
    int64_t dim)
{
	msgpack_pack_map(pk, dim ? 5 : 4);
	cdc_pack_key(pk, "name");
	cdc_pack_cstr(pk, name);
	cdc_pack_key(pk, "field_id");
	msgpack_pack_int64(pk, 100);
	cdc_pack_key(pk, "type");
	cdc_pack_cstr(pk, type);
	if (dim) {
		cdc_pack_key(pk, "dim");
		msgpack_pack_int64(pk, dim);
	}
	cdc_pack_key(pk, "data");
}

/* An insert event map of `rows` rows; the floats are also left in *fv. */
static void
pack_insert(msgpack_sbuffer *sb, size_t rows, int dim, float **fv)
{
	msgpack_packer pk;
	char s[64];

	*fv = cdc_xmalloc(rows * (size_t)dim * sizeof **fv);
	for (size_t i = 0; i < rows * (size_t)dim; i++)
		(*fv)[i] = rnd_float();
	msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 4);
	cdc_pack_key(&pk, "type");
	cdc_pack_cstr(&pk, "insert");
	cdc_pack_key(&pk, "rows");
	msgpack_pack_uint64(&pk, rows);
	cdc_pack_key(&pk, "pk");
	cdc_pack_cstr(&pk, "id");
	cdc_pack_key(&pk, "columns");
	msgpack_pack_array(&pk, 3);
	pack_col_head(&pk, "id", "Int64", 0);
	msgpack_pack_array(&pk, (uint32_t)rows);
	for (size_t i = 0; i < rows; i++)
		msgpack_pack_int64(&pk, 455000000000000000 + (int64_t)i);
	pack_col_head(&pk, "title", "VarChar", 0);
	msgpack_pack_array(&pk, (uint32_t)rows);
	for (size_t i = 0; i < rows; i++) {
		int n = snprintf(s, sizeof s, "document number %zu", i);

		cdc_pack_str(&pk, s, (size_t)n);
	}
	pack_col_head(&pk, "vec", "FloatVector", dim);
	cdc_pack_bin(&pk, *fv, rows * (size_t)dim * sizeof **fv);
}

int
main(int argc, char **argv)
{
	size_t rows = 100000, bytes = 0;
	int dim = 128, reps = 3, c;
	msgpack_sbuffer sb;
	msgpack_zone zone;
	msgpack_object ev;
	struct cdc_cols cols = {0};
	struct cdc_buf b = {0};
	char err[256], tmp[64];
	float *fv;
	double t, best = 1e30, fbest = 1e30, pbest = 1e30;

	while ((c = getopt(argc, argv, "r:d:n:")) != -1) {
		if (c == 'r')
			rows = (size_t)atol(optarg);
		else if (c == 'd')
			dim = atoi(optarg);
		else if (c == 'n')
			reps = atoi(optarg);
		else
			return 2;
	}
	msgpack_sbuffer_init(&sb);
	pack_insert(&sb, rows, dim, &fv);
	msgpack_zone_init(&zone, 4096);
	if (msgpack_unpack(sb.data, sb.size, NULL, &zone, &ev) !=
	    MSGPACK_UNPACK_SUCCESS ||
	    cdc_cols_parse(&cols, &ev, err, sizeof err) < 0) {
		fprintf(stderr, "bench-json: %s\n", err);
		return 1;
	}
	for (int r = 0; r < reps; r++) {
		t = cpu_now();
		for (size_t i = 0; i < rows; i++) {
			b.len = 0;
			if (cdc_json_row(&b, &cols, i, err, sizeof err) < 0) {
				fprintf(stderr, "bench-json: %s\n", err);
				return 1;
			}
			bytes += b.len;
		}
		t = cpu_now() - t;
		best = t < best ? t : best;

		t = cpu_now();
		for (size_t i = 0; i < rows * (size_t)dim; i++)
			bytes += cdc_fmt_float(tmp, fv[i]);
		t = cpu_now() - t;
		fbest = t < fbest ? t : fbest;

		t = cpu_now();
		for (size_t i = 0; i < rows * (size_t)dim; i++)
			bytes += (size_t)snprintf(tmp, sizeof tmp, "%.9g",
			    (double)fv[i]);
		t = cpu_now() - t;
		pbest = t < pbest ? t : pbest;
	}
	printf("rows %zu dim %d (best of %d), last row %zu bytes\n", rows, dim,
	    reps, b.len);
	printf("cdc_json_row:   %.0f rows/s, %.2f us/row, %.1f ns/float\n",
	    rows / best, best / rows * 1e6, best / rows / dim * 1e9);
	printf("cdc_fmt_float:  %.1f ns/float\n", fbest / rows / dim * 1e9);
	printf("snprintf %%.9g:  %.1f ns/float\n", pbest / rows / dim * 1e9);
	fprintf(stderr, "(checksum %zu)\n", bytes);
	free(fv);
	cdc_buf_fini(&b);
	cdc_cols_fini(&cols);
	msgpack_zone_destroy(&zone);
	msgpack_sbuffer_destroy(&sb);
	return 0;
}
