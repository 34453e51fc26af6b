/*
 * fmt-exhaustive.c - proof that cdc_fmt_float() is right for every float:
 * for each 32-bit pattern in [from, to] it compares the output with
 * ref_fmt_float() (the double-based implementation that preceded the
 * integer one, kept verbatim below) and reads it back with strtof(), which
 * must give the same bits (NaN and infinities: "null").  Prints the first
 * mismatches, a count per 2^28 patterns on stderr and a summary line;
 * exits 1 on any mismatch.  `make fmt-exhaustive` runs both halves of
 * the 2^32 patterns in parallel (a few minutes).
 *
 *   build/fmt-exhaustive [from [to]]	(hex; default 0 ffffffff)
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdc_fmt.h"

/* ---- the reference: common/cdc_fmt.c's float code before the rewrite */

/* p10[30 + k] = 10^k as the nearest double. */
static const double p10[] = {
	1e-30, 1e-29, 1e-28, 1e-27, 1e-26, 1e-25, 1e-24, 1e-23, 1e-22, 1e-21,
	1e-20, 1e-19, 1e-18, 1e-17, 1e-16, 1e-15, 1e-14, 1e-13, 1e-12, 1e-11,
	1e-10, 1e-9, 1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1e0,
	1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13,
	1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22, 1e23, 1e24,
	1e25, 1e26, 1e27, 1e28, 1e29, 1e30, 1e31, 1e32, 1e33, 1e34, 1e35,
	1e36, 1e37, 1e38, 1e39, 1e40, 1e41, 1e42, 1e43, 1e44, 1e45, 1e46,
	1e47, 1e48, 1e49, 1e50, 1e51, 1e52, 1e53,
};
#define P10(k) p10[30 + (k)]

static const uint64_t u10[] = {
	1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull,
	10000000ull, 100000000ull, 1000000000ull, 10000000000ull,
	100000000000ull, 1000000000000ull, 10000000000000ull,
	100000000000000ull, 1000000000000000ull, 10000000000000000ull,
	100000000000000000ull, 1000000000000000000ull,
	10000000000000000000ull,
};

static const char pairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233"
    "34353637383940414243444546474849505152535455565758596061626364656667"
    "6869707172737475767778798081828384858687888990919293949596979899";

/* Number of decimal digits of v (1 for 0). */
static int
ndigits(uint64_t v)
{
	int t = ((64 - __builtin_clzll(v | 1)) * 1233) >> 12;

	return t + ((v | 1) >= u10[t]);
}

/* Write the decimal digits of v backwards, ending just before end. */
static void
put_digits(char *end, uint64_t v)
{
	uint32_t w;

	while (v > UINT32_MAX) {
		end -= 2;
		memcpy(end, pairs + 2 * (v % 100), 2);
		v /= 100;
	}
	for (w = (uint32_t)v; w >= 100; w /= 100) {
		end -= 2;
		memcpy(end, pairs + 2 * (w % 100), 2);
	}
	if (w >= 10)
		memcpy(end - 2, pairs + 2 * w, 2);
	else
		end[-1] = (char)('0' + w);
}

static size_t
ref_fmt_u64(char *buf, uint64_t v)
{
	int n = ndigits(v);

	put_digits(buf + n, v);
	return (size_t)n;
}

/*
 * Write digits (n, with `nd` digits, no trailing zeros) times 10^e10, where
 * e10 is the exponent of the first digit, like JavaScript: fixed notation
 * for 1e-6 <= |x| < 1e21, else d.ddde+XX.  Integral values get ".0".
 */
static size_t
layout(char *buf, int neg, uint64_t n, int nd, int e10)
{
	char *p = buf + neg;
	int i, x;

	buf[0] = '-';
	if (e10 < -6 || e10 >= 21) {	/* d.ddde+XX */
		put_digits(p + 1 + nd, n);
		p[0] = p[1];
		p[1] = '.';
		p += nd > 1 ? nd + 1 : 1;
		*p++ = 'e';
		*p++ = e10 < 0 ? '-' : '+';
		x = abs(e10);
		if (x >= 100)
			*p++ = (char)('0' + x / 100);
		if (x >= 10)
			*p++ = (char)('0' + x / 10 % 10);
		*p++ = (char)('0' + x % 10);
		return (size_t)(p - buf);
	}
	if (e10 < 0) {		/* 0.000ddd */
		*p++ = '0';
		*p++ = '.';
		for (i = -1; i > e10; i--)
			*p++ = '0';
		put_digits(p + nd, n);
		return (size_t)(p + nd - buf);
	}
	if (nd <= e10 + 1) {	/* integral: digits, zeros, ".0" */
		put_digits(p + nd, n);
		p += nd;
		for (i = nd; i <= e10; i++)
			*p++ = '0';
		*p++ = '.';
		*p++ = '0';
		return (size_t)(p - buf);
	}
	/* ddd.ddd: the digits one place right, then the integer part back */
	put_digits(p + 1 + nd, n);
	for (i = 0; i <= e10; i++)
		p[i] = p[i + 1];
	p[e10 + 1] = '.';
	return (size_t)(p + nd + 1 - buf);
}

static size_t
special(char *buf, double d)
{
	if (isnan(d) || isinf(d)) {
		memcpy(buf, "null", 4);
		return 4;
	}
	if (d == 0) {
		memcpy(buf, signbit(d) ? "-0.0" : "0.0", signbit(d) ? 4 : 3);
		return signbit(d) ? 4 : 3;
	}
	return 0;
}


/* "<n>e<k>": the decimal n * 10^k as text for strto*(). */
static const char *
dec_text(char *s, uint64_t n, int k)
{
	size_t len = ref_fmt_u64(s, n);

	s[len++] = 'e';
	if (k < 0) {
		s[len++] = '-';
		k = -k;
	}
	len += ref_fmt_u64(s + len, (uint64_t)k);
	s[len] = '\0';
	return s;
}

static int
float_reads_back(uint64_t n, int k, float f)
{
	char s[48];

	return strtof(dec_text(s, n, k), NULL) == f;
}

/*
 * The smallest (up = 0) or largest (up = 1) integer inside the range whose
 * scaled end is x; f = |float|, s the scale.  Exact: see the top.
 */
static inline uint64_t
range_end(double x, int up, int s, float f)
{
	uint64_t n = (uint64_t)x;
	double fr = x - (double)n, tol = x * 1e-15;

	if (fr > tol && fr < 1 - tol)
		return up ? n : n + 1;
	if (fr >= 1 - tol)
		n++;
	if (float_reads_back(n, -s, f))
		return n;
	return up ? n - 1 : n + 1;
}

static size_t
ref_fmt_float(char *buf, float f)
{
	uint32_t u, frac;
	uint64_t a, b, c, hb;
	int ex, e2, eb, s, t = 0, nd;
	double v, half, lo, hi, p;
	size_t n = special(buf, (double)f);

	if (n)
		return n;
	memcpy(&u, &f, 4);
	ex = (int)(u >> 23 & 0xff);
	frac = u & 0x7fffff;
	/* v = m * 2^e2; eb = floor(log2(v)) */
	e2 = ex ? ex - 150 : -149;
	eb = ex ? ex - 127 : 31 - __builtin_clz(frac) - 149;
	v = fabs((double)f);
	hb = (uint64_t)(e2 - 1 + 1023) << 52;	/* half an ulp: 2^(e2-1) */
	memcpy(&half, &hb, 8);
	lo = v - (frac == 0 && ex > 1 ? half / 2 : half);
	hi = v + half;
	s = 8 - ((eb * 78913) >> 18);	/* 8 - floor(eb * log10(2)) */
	p = P10(s);
	a = range_end(lo * p, 0, s, fabsf(f));
	b = range_end(hi * p, 1, s, fabsf(f));
	while ((a + 9) / 10 <= b / 10) {
		a = (a + 9) / 10;
		b /= 10;
		t++;
	}
	c = a;
	if (a < b) {	/* the one nearest v */
		c = (uint64_t)(v * p / (double)u10[t] + 0.5);
		c = c < a ? a : c > b ? b : c;
	}
	nd = ndigits(c);
	return layout(buf, u >> 31, c, nd, nd - 1 + t - s);
}

/* Digits of d's decimal with p significant digits: *k is the exponent of
 * the last digit. */


/* ---- the check */

/* strtof() of the output gives f back, bit for bit. */
static int
reads_back(const char *s, size_t n, float f)
{
	char z[CDC_FMT_MAX + 1];
	float g;

	if (isnan(f) || isinf(f))
		return n == 4 && memcmp(s, "null", 4) == 0;
	memcpy(z, s, n);
	z[n] = '\0';
	g = strtof(z, NULL);
	return memcmp(&g, &f, 4) == 0;
}

static int
check(uint32_t u)
{
	char got[CDC_FMT_MAX], want[CDC_FMT_MAX];
	size_t n, m;
	float f;

	memcpy(&f, &u, 4);
	n = cdc_fmt_float(got, f);
	m = ref_fmt_float(want, f);
	if (n == m && memcmp(got, want, n) == 0 && reads_back(got, n, f))
		return 0;
	fprintf(stderr, "fmt-exhaustive: %08x (%.9g): \"%.*s\", reference "
	    "\"%.*s\"%s\n", u, (double)f, (int)n, got, (int)m, want,
	    reads_back(got, n, f) ? "" : ", does not read back");
	return 1;
}

int
main(int argc, char **argv)
{
	uint64_t from = 0, to = UINT32_MAX, bad = 0;

	if (argc > 1)
		from = strtoull(argv[1], NULL, 16);
	if (argc > 2)
		to = strtoull(argv[2], NULL, 16);
	if (argc > 3 || from > to || to > UINT32_MAX) {
		fprintf(stderr, "usage: fmt-exhaustive [from [to]]\n");
		return 2;
	}
	for (uint64_t u = from; u <= to; u++) {
		if (check((uint32_t)u) && ++bad >= 20) {
			fprintf(stderr, "fmt-exhaustive: stopping at 20\n");
			break;
		}
		if ((u & 0xfffffff) == 0xfffffff)
			fprintf(stderr, "fmt-exhaustive: %08llx done\n",
			    (unsigned long long)u);
	}
	printf("fmt-exhaustive: %08llx..%08llx: %llu values, %llu mismatches\n",
	    (unsigned long long)from, (unsigned long long)to,
	    (unsigned long long)(to - from + 1), (unsigned long long)bad);
	return bad != 0;
}
