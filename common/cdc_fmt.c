/*
 * cdc_fmt.c - see cdc_fmt.h.
 *
 * Floats (exact, integers only): a float32 f = c * 2^q stands for every
 * real in its rounding interval R, from the half-way point to the float
 * below to the one above (closed when c is even, as round-half-even reads
 * them; the gap below is half as wide when c = 2^23 and f is not the
 * least normal).  With k = floor(log10(width of R)), R holds at least one
 * multiple of 10^k and at most one of 10^(k+1) (Giulietti's Schubfach
 * idea).  So if a multiple of 10^(k+1) lies in R it is the shortest
 * decimal (less its trailing zeros); else the shortest have the digits of
 * the multiples of 10^k in R, and the nearest to f is floor(f / 10^k) or
 * the next one, whichever lies in R (both: the nearer, a tie upwards).
 * The three ends, scaled by 10^-k, come from one 64x64-bit product each
 * (see scaled()), exact enough to decide every comparison: checked for all
 * 2^32 floats by tests/helpers/fmt-exhaustive.c (make fmt-exhaustive).
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

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
    "digits8() stores the first digit from the low byte");

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

/*
 * 10^-k for k = -45..31 (every k a float32 needs) as a 64-bit g with
 * 10^-k ~ g * 2^(E - 63), E = floor(log2(10^-k)), rounded up:
 * g = floor(10^-k * 2^(63 - E)) + 1.  Printed (and the formulas for k and
 * E in float_digits() checked) by scripts/gen-fmt-pow10.py.
 */
#define G_KMIN (-45)
static const uint64_t pow10_g[] = {
	0xb35dbf821ae4f38cull,	/* -45 */
	0x8f7e32ce7bea5c70ull,	/* -44 */
	0xe596b7b0c643c71aull,	/* -43 */
	0xb7abc627050305aeull,	/* -42 */
	0x92efd1b8d0cf37bfull,	/* -41 */
	0xeb194f8e1ae525feull,	/* -40 */
	0xbc143fa4e250eb32ull,	/* -39 */
	0x96769950b50d88f5ull,	/* -38 */
	0xf0bdc21abb48db21ull,	/* -37 */
	0xc097ce7bc90715b4ull,	/* -36 */
	0x9a130b963a6c115dull,	/* -35 */
	0xf684df56c3e01bc7ull,	/* -34 */
	0xc5371912364ce306ull,	/* -33 */
	0x9dc5ada82b70b59eull,	/* -32 */
	0xfc6f7c4045812297ull,	/* -31 */
	0xc9f2c9cd04674edfull,	/* -30 */
	0xa18f07d736b90be6ull,	/* -29 */
	0x813f3978f8940985ull,	/* -28 */
	0xcecb8f27f4200f3bull,	/* -27 */
	0xa56fa5b99019a5c9ull,	/* -26 */
	0x84595161401484a1ull,	/* -25 */
	0xd3c21bcecceda101ull,	/* -24 */
	0xa968163f0a57b401ull,	/* -23 */
	0x878678326eac9001ull,	/* -22 */
	0xd8d726b7177a8001ull,	/* -21 */
	0xad78ebc5ac620001ull,	/* -20 */
	0x8ac7230489e80001ull,	/* -19 */
	0xde0b6b3a76400001ull,	/* -18 */
	0xb1a2bc2ec5000001ull,	/* -17 */
	0x8e1bc9bf04000001ull,	/* -16 */
	0xe35fa931a0000001ull,	/* -15 */
	0xb5e620f480000001ull,	/* -14 */
	0x9184e72a00000001ull,	/* -13 */
	0xe8d4a51000000001ull,	/* -12 */
	0xba43b74000000001ull,	/* -11 */
	0x9502f90000000001ull,	/* -10 */
	0xee6b280000000001ull,	/* -9 */
	0xbebc200000000001ull,	/* -8 */
	0x9896800000000001ull,	/* -7 */
	0xf424000000000001ull,	/* -6 */
	0xc350000000000001ull,	/* -5 */
	0x9c40000000000001ull,	/* -4 */
	0xfa00000000000001ull,	/* -3 */
	0xc800000000000001ull,	/* -2 */
	0xa000000000000001ull,	/* -1 */
	0x8000000000000001ull,	/* 0 */
	0xcccccccccccccccdull,	/* 1 */
	0xa3d70a3d70a3d70bull,	/* 2 */
	0x83126e978d4fdf3cull,	/* 3 */
	0xd1b71758e219652cull,	/* 4 */
	0xa7c5ac471b478424ull,	/* 5 */
	0x8637bd05af6c69b6ull,	/* 6 */
	0xd6bf94d5e57a42bdull,	/* 7 */
	0xabcc77118461cefdull,	/* 8 */
	0x89705f4136b4a598ull,	/* 9 */
	0xdbe6fecebdedd5bfull,	/* 10 */
	0xafebff0bcb24aaffull,	/* 11 */
	0x8cbccc096f5088ccull,	/* 12 */
	0xe12e13424bb40e14ull,	/* 13 */
	0xb424dc35095cd810ull,	/* 14 */
	0x901d7cf73ab0acdaull,	/* 15 */
	0xe69594bec44de15cull,	/* 16 */
	0xb877aa3236a4b44aull,	/* 17 */
	0x9392ee8e921d5d08ull,	/* 18 */
	0xec1e4a7db69561a6ull,	/* 19 */
	0xbce5086492111aebull,	/* 20 */
	0x971da05074da7befull,	/* 21 */
	0xf1c90080baf72cb2ull,	/* 22 */
	0xc16d9a0095928a28ull,	/* 23 */
	0x9abe14cd44753b53ull,	/* 24 */
	0xf79687aed3eec552ull,	/* 25 */
	0xc612062576589ddbull,	/* 26 */
	0x9e74d1b791e07e49ull,	/* 27 */
	0xfd87b5f28300ca0eull,	/* 28 */
	0xcad2f7f5359a3b3full,	/* 29 */
	0xa2425ff75e14fc32ull,	/* 30 */
	0x81ceb32c4b43fcf5ull,	/* 31 */
};
#define FRAC 36		/* fraction bits of scaled() */

__extension__ typedef unsigned __int128 u128;

/*
 * x * 2^(q-2) * 10^-k, with FRAC fraction bits, for x < 2^26 and
 * h = q + E + FRAC - 1 (0 <= q + E <= 3 for our k).  g errs upwards by
 * less than one unit, so the product errs upwards by less than x << h <
 * 2^64 and dropping its low 64 bits leaves floor(exact * 2^FRAC) or one
 * more.  So an exact integer comes out exact, and an inexact value keeps
 * its integer part and a nonzero fraction as long as its distance to the
 * nearest integer is at least 2^-FRAC, which the x of real floats meet
 * (the ties too, at 2^-(FRAC-1)): not proven here, but fmt-exhaustive
 * checks every output against the old double-based code and strtof().
 */
static inline uint64_t
scaled(uint32_t x, int h, uint64_t g)
{
	return (uint64_t)((u128)((uint64_t)x << h) * g >> 64);
}

/*
 * The shortest digits for f = c * 2^q (see the top), without trailing
 * zeros, and in *kp the exponent of the last one; `boundary` when the gap
 * below is half.
 */
static inline __attribute__((always_inline)) uint32_t
float_digits(uint32_t c, int q, int boundary, int *kp)
{
	uint32_t s, t, d, lo4 = 4 * c - 2 + (uint32_t)boundary;
	uint64_t g, lo, v, hi, open = c & 1;
	int k, h;

	/* floor(log10(width)), width 2^q or 3/4 * 2^q; h needs E(k) */
	if (__builtin_expect(boundary, 0))
		k = (q * 315653 - 131008) >> 20;
	else
		k = (q * 78913) >> 18;
	h = q + ((-k * 1741647) >> 19) + FRAC - 1;
	g = pow10_g[k - G_KMIN];
	lo = scaled(lo4, h, g) + open;	/* + open: "<=" tests "<" */
	v = scaled(4 * c, h, g);
	hi = scaled(4 * c + 2, h, g) - open;
	s = (uint32_t)(v >> FRAC);
	t = s / 10 * 10;
	if (lo <= (uint64_t)t << FRAC) {
		d = t / 10;
		k++;
	} else if ((uint64_t)(t + 10) << FRAC <= hi) {
		d = t / 10 + 1;
		k++;
	} else {	/* s or s + 1: the nearer that lies in R */
		d = s + (lo > (uint64_t)s << FRAC ||
		    ((uint64_t)(s + 1) << FRAC <= hi &&
		    v >= (uint64_t)(2 * s + 1) << (FRAC - 1)));
		*kp = k;
		return d;
	}
	while (d % 10 == 0) {
		d /= 10;
		k++;
	}
	*kp = k;
	return d;
}

/*
 * The four digits of a < 10^4, then those of b, as digit values (0..9,
 * not yet ASCII) in the bytes of a word, the first in the low byte.  The
 * word is cut SIMD-within-a-register fashion: two 4-digit 32-bit lanes,
 * each into two 2-digit 16-bit lanes, each into two digits.  n * 10486 >>
 * 20 is n / 100 for n < 10^4, n * 103 >> 10 is n / 10 for n < 100, and no
 * lane's product reaches the masked bits of the lane below.
 */
static uint64_t
digits8(uint32_t a, uint32_t b)
{
	uint64_t w = a | (uint64_t)b << 32, t;

	t = w * 10486 >> 20 & 0x0000007f0000007full;
	w = t | (w - t * 100) << 16;
	t = w * 103 >> 10 & 0x000f000f000f000full;
	return t | (w - t * 10) << 8;
}

/*
 * layout() for the float cases other than 0.000ddd: the digits are the
 * last nd of the nine in `top` and w, copied in fixed-size runs out of
 * dig, which has zeros on either side of them; every write stays inside
 * CDC_FMT_MAX.
 */
static __attribute__((noinline)) size_t
float_layout_rare(char *buf, char *p, uint32_t top, uint64_t w, int nd,
    int e10)
{
	char dig[48], *src = dig + 17 - nd;
	int x;

	memset(dig, '0', 48);
	dig[8] = (char)('0' + top);
	memcpy(dig + 9, &w, 8);
	if (e10 < -6 || e10 >= 21) {	/* d.ddde+XX */
		p[0] = src[0];
		p[1] = '.';
		memcpy(p + 2, src + 1, 16);
		p += nd > 1 ? nd + 1 : 1;
		*p++ = 'e';
		*p++ = e10 < 0 ? '-' : '+';
		x = abs(e10);
		if (x >= 10) {
			memcpy(p, pairs + 2 * x, 2);
			p += 2;
		} else {
			*p++ = (char)('0' + x);
		}
		return (size_t)(p - buf);
	}
	if (nd <= e10 + 1) {	/* integral: digits, zeros, ".0" */
		memcpy(p, src, 24);
		memcpy(p + e10 + 1, ".0", 2);
		return (size_t)(p + e10 + 3 - buf);
	}
	memcpy(p, src, 16);	/* ddd.ddd */
	p[e10 + 1] = '.';
	memcpy(p + e10 + 2, src + e10 + 1, 16);
	return (size_t)(p + nd + 1 - buf);
}

/*
 * layout() for the float digits d < 2^28, the last of them at 10^k: nine
 * digits, `top` and eight in w, zeros in front.  The common 0.000ddd is
 * written here: "0.000000", then the digits with as many of w's leading
 * zeros as needed (w shifted), or all nine ending in the right place.
 */
static inline __attribute__((always_inline)) size_t
float_layout(char *buf, int neg, uint32_t d, int k)
{
	uint32_t hi = d / 10000, lo = d % 10000, top = hi / 10000;
	uint64_t w = digits8(hi % 10000, lo);
	/* leading zero bytes; bit 63 (of the last digit) keeps ctz off 0 */
	int nz = (int)((unsigned)__builtin_ctzll(w | 1ull << 63) >> 3);
	int nd = top ? 9 : 8 - nz, e10 = nd - 1 + k;
	char *p = buf + neg;

	buf[0] = '-';
	w += 0x3030303030303030ull;	/* '0' in every byte */
	if (e10 >= 0 || e10 < -6)
		return float_layout_rare(buf, p, top, w, nd, e10);
	/* "0.", -e10 - 1 zeros and the digits: -k characters after "0." */
	memcpy(p, "0.000000", 8);
	if (k >= -8) {		/* all in w: drop its first 8 + k zeros */
		w >>= 8 * (8 + k);
		memcpy(p + 2, &w, 8);
	} else {
		p[-7 - k] = (char)('0' + top);
		memcpy(p - 6 - k, &w, 8);
	}
	return (size_t)(p + 2 - k - buf);
}

/* 0.0, -0.0, and null for infinities and NaN. */
static size_t
float_special(char *buf, uint32_t u)
{
	if ((u & 0x7fffffff) != 0) {
		memcpy(buf, "null", 4);
		return 4;
	}
	memcpy(buf, "-0.0", 4);
	memcpy(buf + (u >> 31), "0.0", 3);
	return 3 + (u >> 31);
}

/* Zero, the infinities and NaN: float_special()'s cases. */
static inline int
float_is_special(uint32_t u)
{
	return (u << 1) - 1 >= 0xfeffffff;
}

/* A float other than float_special()'s, its bits in u. */
static inline __attribute__((always_inline)) size_t
fmt_float_bits(char *buf, uint32_t u)
{
	uint32_t c, d;
	int ex, k;

	ex = (int)(u >> 23 & 0xff);
	c = u & 0x7fffff;
	if (__builtin_expect(ex != 0 && c != 0, 1))
		d = float_digits(c | 1u << 23, ex - 150, 0, &k);
	else if (ex)	/* a power of two: half the gap below, unless FLT_MIN */
		d = float_digits(1u << 23, ex - 150, ex > 1, &k);
	else		/* subnormal */
		d = float_digits(c, -149, 0, &k);
	return float_layout(buf, (int)(u >> 31), d, k);
}

size_t
cdc_fmt_float(char *buf, float f)
{
	uint32_t u;

	memcpy(&u, &f, 4);
	return float_is_special(u) ? float_special(buf, u) :
	    fmt_float_bits(buf, u);
}

size_t
cdc_fmt_floats(char *buf, const void *le, size_t n, size_t *nonfinite)
{
	const unsigned char *p = le;
	char *d = buf;

	for (size_t i = 0; i < n; i++) {
		uint32_t u;

		memcpy(&u, p + 4 * i, 4);
		if (__builtin_expect(float_is_special(u), 0)) {
			*nonfinite += (u & 0x7fffffff) != 0;
			d += float_special(d, u);
		} else {
			d += fmt_float_bits(d, u);
		}
		*d++ = ',';
	}
	return (size_t)(d - buf) - (n > 0);
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
