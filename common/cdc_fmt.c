/*
 * cdc_fmt.c - see cdc_fmt.h.
 *
 * Floats: for p = 6..9 significant digits (every float32 has a round-trip
 * decimal of at most 9, and one of at most 6 digits is found at p = 6 by
 * stripping zeros), scale the exact double value of the float by a power
 * of ten, round to an integer N and check that N * 10^k converts back to
 * the float.  The check accepts only when the neighbouring doubles convert
 * to the same float too, so the double rounding of the product can never
 * make a wrong decimal pass.  Values outside the range where powers of ten
 * are exact doubles use snprintf + strtof, as do doubles (%.15g, then 16,
 * then 17 digits, which is shortest: a shorter decimal that reads back is
 * what %.15g prints once trailing zeros go).
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdc_fmt.h"

static const double p10[] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

static const char pairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233"
    "34353637383940414243444546474849505152535455565758596061626364656667"
    "6869707172737475767778798081828384858687888990919293949596979899";

size_t
cdc_fmt_u64(char *buf, uint64_t v)
{
	char tmp[24], *p = tmp + sizeof tmp;
	size_t n;

	while (v >= 100) {
		p -= 2;
		memcpy(p, pairs + 2 * (v % 100), 2);
		v /= 100;
	}
	if (v >= 10) {
		p -= 2;
		memcpy(p, pairs + 2 * v, 2);
	} else {
		*--p = (char)('0' + v);
	}
	n = (size_t)(tmp + sizeof tmp - p);
	memcpy(buf, p, n);
	return n;
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

/* N * 10^k as a double, correctly rounded (one operation, |k| <= 22). */
static double
scale(double n, int k)
{
	return k >= 0 ? n * p10[k] : n / p10[-k];
}

/* The doubles next to a positive finite d (cheaper than nextafter()). */
static double
next_up(double d)
{
	uint64_t u;

	memcpy(&u, &d, 8);
	u++;
	memcpy(&d, &u, 8);
	return d;
}

static double
next_down(double d)
{
	uint64_t u;

	memcpy(&u, &d, 8);
	u--;
	memcpy(&d, &u, 8);
	return d;
}

/*
 * Does the decimal v * 10^-k read back as f?  When d = v * 10^-k is exact
 * the one rounding to float decides; otherwise every double next to d must
 * convert to f too, so that the decimal surely does.
 */
static int
reads_back(double v, int k, float f)
{
	double d = scale(v, -k);
	/* v < 10^9: v * 10^j is exact below 2^53; v / 10^k is exact when
	 * 10^k divides v. */
	int exact = k <= 0 ? d < 9007199254740992.0 :
	    k <= 9 && (uint64_t)v % (uint64_t)p10[k] == 0;

	if (exact)
		return (float)d == f;
	return (float)d == f && (float)next_up(d) == f &&
	    (float)next_down(d) == f;
}

/*
 * Write digits (n, with `nd` digits, no trailing zeros) times 10^e10, where
 * e10 is the exponent of the first digit, like JavaScript: fixed notation
 * for 1e-6 <= |x| < 1e21, else d.ddde+XX.  Integral values get ".0".
 */
static size_t
layout(char *buf, int neg, uint64_t n, int nd, int e10)
{
	char dig[24];
	size_t len = 0;
	int i;

	cdc_fmt_u64(dig, n);
	if (neg)
		buf[len++] = '-';
	if (e10 < -6 || e10 >= 21) {
		buf[len++] = dig[0];
		if (nd > 1) {
			buf[len++] = '.';
			memcpy(buf + len, dig + 1, (size_t)nd - 1);
			len += (size_t)nd - 1;
		}
		return len + (size_t)sprintf(buf + len, "e%c%d",
		    e10 < 0 ? '-' : '+', abs(e10));
	}
	if (e10 < 0) {
		buf[len++] = '0';
		buf[len++] = '.';
		for (i = -1; i > e10; i--)
			buf[len++] = '0';
		memcpy(buf + len, dig, (size_t)nd);
		return len + (size_t)nd;
	}
	if (nd <= e10 + 1) {	/* integral: digits, zeros, ".0" */
		memcpy(buf + len, dig, (size_t)nd);
		len += (size_t)nd;
		for (i = nd; i <= e10; i++)
			buf[len++] = '0';
		memcpy(buf + len, ".0", 2);
		return len + 2;
	}
	memcpy(buf + len, dig, (size_t)e10 + 1);
	len += (size_t)e10 + 1;
	buf[len++] = '.';
	memcpy(buf + len, dig + e10 + 1, (size_t)(nd - e10 - 1));
	return len + (size_t)(nd - e10 - 1);
}

/* Parse what snprintf made into layout()'s form. */
static size_t
relayout(char *buf, const char *s)
{
	int neg = *s == '-', nd = 0, intdigits = 0, lz = 0, seen_dot = 0;
	uint64_t n = 0;
	const char *p = s + neg;

	for (; *p && *p != 'e'; p++) {
		if (*p == '.') {
			seen_dot = 1;
			continue;
		}
		intdigits += !seen_dot;
		if (nd == 0 && *p == '0') {
			lz++;
			continue;
		}
		n = n * 10 + (uint64_t)(*p - '0');
		nd++;
	}
	if (nd == 0)
		return layout(buf, neg, 0, 1, 0);
	while (nd > 1 && n % 10 == 0) {
		n /= 10;
		nd--;
	}
	return layout(buf, neg, n, nd, intdigits - 1 - lz +
	    (*p == 'e' ? atoi(p + 1) : 0));
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

static size_t short_digits(char *buf, int neg, double d, int e10);

static size_t
float_slow(char *buf, float f)
{
	char s[48];

	for (int p = fabsf(f) < FLT_MIN ? 1 : 6; p <= 9; p++) {
		snprintf(s, sizeof s, "%.*g", p, (double)f);
		if (strtof(s, NULL) == f)
			break;
	}
	return relayout(buf, s);
}

size_t
cdc_fmt_float(char *buf, float f)
{
	double d = fabs((double)f);
	size_t n = special(buf, (double)f);
	int e10;

	if (n)
		return n;
	{
		uint64_t u;
		int e2;

		memcpy(&u, &d, 8);
		e2 = (int)((u >> 52) & 0x7ff) - 1022;	/* d = m * 2^e2, m in [.5,1) */
		/* floor(log10(2^(e2-1))), then fixed exactly below. */
		e10 = ((e2 - 1) * 78913) >> 18;
	}
	if (e10 < -21 || e10 > 21)
		return float_slow(buf, f);
	if (e10 >= 0 ? d >= p10[e10 + 1] : d * p10[-e10 - 1] >= 1)
		e10++;
	else if (e10 >= 0 ? d < p10[e10] : d * p10[-e10] < 1)
		e10--;
	if (8 - e10 > 22 || 8 - e10 < -22)
		return float_slow(buf, f);
	return short_digits(buf, f < 0, d, e10);
}

/*
 * The shortest of p = 8, 7, 6 digits that reads back, else 9 digits (nine
 * significant digits always identify a float32, even when the scaled value
 * was rounded twice: the error stays far below half a float ulp).
 */
static size_t
short_digits(char *buf, int neg, double d, int e10)
{
	double best = nearbyint(scale(d, 8 - e10));
	int bestp = 9;
	uint64_t q;

	if (best >= p10[9]) {	/* rounded up to 10^9: one more decade */
		e10++;
		best = nearbyint(scale(d, 8 - e10));
	}
	for (int p = 8; p >= 6; p--) {
		int k = p - 1 - e10;
		double v = nearbyint(scale(d, k));

		if (v >= p10[p] || !reads_back(v, k, (float)d))
			break;
		best = v;
		bestp = p;
	}
	q = (uint64_t)best;
	while (bestp > 1 && q % 10 == 0) {
		q /= 10;
		bestp--;
	}
	return layout(buf, neg, q, bestp, e10);
}

size_t
cdc_fmt_double(char *buf, double d)
{
	char s[48];
	size_t n = special(buf, d);

	if (n)
		return n;
	for (int p = fabs(d) < DBL_MIN ? 1 : 15; p <= 17; p++) {
		snprintf(s, sizeof s, "%.*g", p, d);
		if (strtod(s, NULL) == d)
			break;
	}
	return relayout(buf, s);
}
