/*
 * cdc_fmt.c - see cdc_fmt.h.
 *
 * Floats (exact, no libc on the common path): a float32 f stands for every
 * real in [lo, hi], the half-way points to its neighbours (closed when its
 * significand is even, as round-half-even reads them).  lo, v and hi are
 * exact doubles.  Scaled by 10^s so that v * 10^s lies in [1e8, 1e10), the
 * integers in [lo * 10^s, hi * 10^s] are the decimals of 9 or 10 digits
 * that read back as f (there are at least four).  Dropping a digit while
 * the range still holds a multiple of ten leaves the shortest ones; of
 * those, the one nearest v is printed.  The scaling rounds (at most two
 * double roundings, a relative 2.3e-16); when a scaled end lies within
 * 1e-15 of an integer, libc's correctly rounded strtof() decides whether
 * that integer reads back.
 *
 * Doubles: %.*e with 15, 16, then 17 digits, checked with strtod(); at 16
 * digits the two neighbours of the nearest decimal are tried too, because
 * at a power of two the nearest can miss the narrower lower half while a
 * neighbour above fits.  A double with a decimal of 15 digits or fewer has
 * exactly one such decimal, which %.14e prints (zeros then stripped).
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdc_fmt.h"

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

size_t
cdc_fmt_u64(char *buf, uint64_t v)
{
	int n = ndigits(v);

	put_digits(buf + n, v);
	return (size_t)n;
}

size_t
cdc_fmt_i64(char *buf, int64_t v)
{
	if (v < 0) {
		buf[0] = '-';
		return 1 + cdc_fmt_u64(buf + 1, (uint64_t)0 - (uint64_t)v);
	}
	return cdc_fmt_u64(buf, (uint64_t)v);
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
	size_t len = cdc_fmt_u64(s, n);

	s[len++] = 'e';
	if (k < 0) {
		s[len++] = '-';
		k = -k;
	}
	len += cdc_fmt_u64(s + len, (uint64_t)k);
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

size_t
cdc_fmt_float(char *buf, float f)
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
static uint64_t
double_digits(double d, int p, int *k)
{
	char s[48], *e;
	uint64_t c = 0;

	snprintf(s, sizeof s, "%.*e", p - 1, d);
	for (e = s; *e != 'e'; e++)
		if (*e >= '0' && *e <= '9')
			c = c * 10 + (uint64_t)(*e - '0');
	*k = atoi(e + 1) - (p - 1);
	return c;
}

static int
double_reads_back(uint64_t n, int k, double d)
{
	char s[48];

	return strtod(dec_text(s, n, k), NULL) == d;
}

/* n * 10^k without trailing zeros, in layout()'s form. */
static size_t
double_layout(char *buf, int neg, uint64_t n, int k)
{
	int nd = ndigits(n), e10 = nd - 1 + k;

	while (n % 10 == 0) {
		n /= 10;
		nd--;
	}
	return layout(buf, neg, n, nd, e10);
}

size_t
cdc_fmt_double(char *buf, double d)
{
	size_t n = special(buf, d);
	double a = fabs(d);
	uint64_t c = 0;
	int k = 0;

	if (n)
		return n;
	for (int p = a < DBL_MIN ? 1 : 15; p <= 17; p++) {
		c = double_digits(a, p, &k);
		if (double_reads_back(c, k, a))
			return double_layout(buf, signbit(d), c, k);
		if (p < 16)
			continue;
		if (double_reads_back(c - 1, k, a))
			return double_layout(buf, signbit(d), c - 1, k);
		if (double_reads_back(c + 1, k, a))
			return double_layout(buf, signbit(d), c + 1, k);
	}
	return double_layout(buf, signbit(d), c, k);	/* not reached */
}
