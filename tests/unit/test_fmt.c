/* test_fmt.c - shortest round-trip float formatting: edge cases and a sweep. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cdc_fmt.h"
#include "t.h"

static const char *
ff(float f)
{
	static char buf[CDC_FMT_MAX + 1];

	buf[cdc_fmt_float(buf, f)] = '\0';
	return buf;
}

static const char *
fd(double d)
{
	static char buf[CDC_FMT_MAX + 1];

	buf[cdc_fmt_double(buf, d)] = '\0';
	return buf;
}

T_TEST(fmt_float_cases)
{
	static const struct {
		float f;
		const char *want;
	} cases[] = {
		{0.1f, "0.1"}, {1.0f, "1.0"}, {-2.0f, "-2.0"}, {0.0f, "0.0"},
		{-0.0f, "-0.0"}, {19.5f, "19.5"}, {7.25f, "7.25"},
		{1e-45f, "1e-45"}, {FLT_MAX, "3.4028235e+38"},
		{FLT_MIN, "1.1754944e-38"}, {65504.0f, "65504.0"},
		{123456789.0f, "123456790.0"}, {1e21f, "1e+21"},
		{1e-7f, "1e-7"}, {1.5e-7f, "1.5e-7"}, {0.3f, "0.3"},
		{16777216.0f, "16777216.0"}, {3.14159274f, "3.1415927"},
		{1e20f, "100000000000000000000.0"}, {0.000123f, "0.000123"},
		{NAN, "null"}, {INFINITY, "null"}, {-INFINITY, "null"},
		{1e-6f, "0.000001"}, {-1e-7f, "-1e-7"}, {1.17549421e-38f,
		    "1.1754942e-38"}, {2.8e-45f, "3e-45"}, {-1e-45f, "-1e-45"},
		{0x1p-96f, "1.2621775e-29"}, {0x1p87f, "1.5474251e+26"},
		{0x1p90f, "1.2379401e+27"}, {33554432.0f, "33554432.0"},
		{0.5f, "0.5"}, {-0.99999994f, "-0.99999994"},
		{123.456f, "123.456"}, {1e10f, "10000000000.0"},
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		T_EQ_STR(ff(cases[i].f), cases[i].want);
}

/*
 * The paths of the integer algorithm and of its layout, by bit pattern:
 * subnormals, powers of two (half the gap below, except at FLT_MIN), the
 * ends of the range, the edges of fixed notation, ties, open ends, and
 * below 1 one value for each shortest length 1..9 at each of e10 = -1,
 * -2, -6..-3 and < -6 (the layout writes 9 digits one way and fewer
 * another).  The expected strings are the old double-based code's, and
 * were checked apart from it: they read back (exact rational rounding in
 * Python) and no decimal with fewer digits does.
 */
T_TEST(fmt_float_bits)
{
	static const struct {
		uint32_t u;
		const char *want;
	} cases[] = {
		/* subnormals, powers of two, the largest, -1e-45 */
		{0x00000001, "1e-45"},
		{0x00000002, "3e-45"},
		{0x00000003, "4e-45"},
		{0x007fffff, "1.1754942e-38"},
		{0x00400000, "5.877472e-39"},
		{0x00800000, "1.1754944e-38"},
		{0x01000000, "2.3509887e-38"},
		{0x7f7fffff, "3.4028235e+38"},
		{0x7f000000, "1.7014118e+38"},
		{0x3f800000, "1.0"},
		{0x4b800000, "16777216.0"},
		{0x3a800000, "0.0009765625"},
		{0x35800000, "9.536743e-7"},
		{0x00000009, "1.3e-44"},
		{0x80000001, "-1e-45"},
		/* fixed notation from 1e-6 to under 1e21, integral values */
		{0x358637bc, "9.999999e-7"},
		{0x358637bd, "0.000001"},
		{0x358637be, "0.0000010000001"},
		{0x6258d727, "1e+21"},
		{0x6258d726, "999999950000000000000.0"},
		{0x60ad78ec, "100000000000000000000.0"},
		{0x4e6e6b28, "1000000000.0"},
		{0x497423ff, "999999.94"},
		{0x4b18967f, "9999999.0"},
		{0x47f12065, "123456.79"},
		{0x3f000000, "0.5"},
		{0x3e800000, "0.25"},
		{0x3e000000, "0.125"},
		/* a tie between the two nearest shortest goes up; an odd
		 * significand's interval is open (33554450 would read back
		 * as the float below) */
		{0x40004000, "2.0039063"}, {0x4000c000, "2.0117188"},
		{0x4c000005, "33554452.0"}, {0x4c00000f, "33554492.0"},
		/* shortest of 1..9 digits at 0.d, 0.0d, 0.000d, d.de-7 */
		{0x36e5747a, "0.0000068382915"},
		{0x352a09af, "6.3344027e-7"},
		{0x348e41ea, "2.649752e-7"},
		{0x3f726198, "0.94680166"},
		{0x3ca71e78, "0.02040027"},
		{0x3cf48fbe, "0.029853698"},
		{0x3674e55d, "0.000003649234"},
		{0x3f5a6acc, "0.8531921"},
		{0x3c296806, "0.0103397425"},
		{0x38f8cd10, "0.000118637574"},
		{0x3db194c0, "0.0867095"},
		{0x33b66672, "8.49367e-8"},
		{0x38b47233, "0.0000860434"},
		{0x3dfe1c61, "0.124077566"},
		{0x3f4c0863, "0.797003"},
		{0x326eac48, "1.38925955e-8"},
		{0x38352a21, "0.000043193"},
		{0x30de2f0e, "1.6166e-9"},
		{0x3f1e7a10, "0.61905"},
		{0x3db11c6d, "0.08648"},
		{0x3f0a43fe, "0.5401"},
		{0x3d76c15d, "0.060243"},
		{0x368ae1bd, "0.000004139"},
		{0x3f3b22d1, "0.731"},
		{0x34f084a7, "4.48e-7"},
		{0x30f19e20, "1.758e-9"},
		{0x39ce0b91, "0.000393"},
		{0x3d68a71e, "0.0568"},
		{0x3ccccccd, "0.025"},
		{0x311e0e07, "2.3e-9"},
		{0x3c03126f, "0.008"},
		{0x3bcb295f, "0.0062"},
		{0x3eae147b, "0.34"},
		{0x3d8f5c29, "0.07"},
		{0x31f084a7, "7e-9"},
		{0x3f333333, "0.7"},
	};
	char buf[CDC_FMT_MAX + 1];
	float f;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		memcpy(&f, &cases[i].u, 4);
		buf[cdc_fmt_float(buf, f)] = '\0';
		if (strcmp(buf, cases[i].want) != 0)
			t_fail(__FILE__, __LINE__, "%08x -> \"%s\", want \"%s\"",
			    cases[i].u, buf, cases[i].want);
	}
}

T_TEST(fmt_double_cases)
{
	T_EQ_STR(fd(0.1), "0.1");
	T_EQ_STR(fd(0.1 + 0.2), "0.30000000000000004");
	T_EQ_STR(fd(1e300), "1e+300");
	T_EQ_STR(fd(5e-324), "5e-324");
	T_EQ_STR(fd(-1.5), "-1.5");
	T_EQ_STR(fd(100.0), "100.0");
	T_EQ_STR(fd(DBL_MAX), "1.7976931348623157e+308");
	T_EQ_STR(fd(-0.0), "-0.0");
	T_EQ_STR(fd(1e21), "1e+21");
	T_EQ_STR(fd(1e-7), "1e-7");
	T_EQ_STR(fd(1e-6), "0.000001");
	T_EQ_STR(fd(2.2250738585072014e-308), "2.2250738585072014e-308");
	T_EQ_STR(fd(0x1p63), "9223372036854776000.0");
	T_EQ_STR(fd(0x1p-1022 - 0x1p-1074), "2.225073858507201e-308");
	T_EQ_STR(fd(NAN), "null");
	T_EQ_STR(fd(-INFINITY), "null");
	/* powers of two where the nearest 16 digits miss (regression) */
	T_EQ_STR(fd(0x1p-44), "5.684341886080802e-14");
	T_EQ_STR(fd(0x1p976), "6.386688990511104e+293");
}

T_TEST(fmt_int_cases)
{
	char buf[CDC_FMT_MAX + 1];

	buf[cdc_fmt_i64(buf, INT64_MIN)] = '\0';
	T_EQ_STR(buf, "-9223372036854775808");
	buf[cdc_fmt_u64(buf, UINT64_MAX)] = '\0';
	T_EQ_STR(buf, "18446744073709551615");
	buf[cdc_fmt_i64(buf, 0)] = '\0';
	T_EQ_STR(buf, "0");
}

/* Significant digits of a formatted number. */
static int
sig_digits(const char *s)
{
	int n = 0, z = 0, started = 0;

	for (; *s && *s != 'e'; s++) {
		if (*s < '0' || *s > '9')
			continue;
		if (*s == '0') {
			z += started;
			continue;
		}
		started = 1;
		n += z + 1;
		z = 0;
	}
	return n;
}

/* The floats just below and at every power of ten read back (regression:
 * -0.99999994f once printed as -9.9999994, found by milvus-sim). */
T_TEST(fmt_float_powers_of_ten)
{
	T_EQ_STR(ff(-0.99999994f), "-0.99999994");
	T_EQ_STR(ff(9.999999f), "9.999999");
	for (int e = -38; e <= 38; e++) {
		float x = strtof("1", NULL) * powf(10.0f, (float)e);
		float v[3] = {x, nextafterf(x, 0), nextafterf(x, INFINITY)};

		for (int i = 0; i < 3; i++)
			if (!isinf(v[i]) && strtof(ff(v[i]), NULL) != v[i])
				t_fail(__FILE__, __LINE__, "%.9g -> %s",
				    (double)v[i], ff(v[i]));
	}
}

/*
 * The exact shortest length for x > 0: the least p such that some decimal
 * of p significant digits reads back.  The one nearest x (%.*e) or one of
 * its two neighbours is it, if any is (the interval around x holds every
 * decimal that reads back).
 */
static int
shortest(double x, int isfloat)
{
	char s[64], t[64], *e;

	for (int p = 1; p <= 17; p++) {
		long long c = 0;

		snprintf(s, sizeof s, "%.*e", p - 1, x);
		for (e = s; *e != 'e'; e++)
			if (*e >= '0' && *e <= '9')
				c = c * 10 + (*e - '0');
		for (int d = -1; d <= 1; d++) {
			snprintf(t, sizeof t, "%llde%d", c + d,
			    atoi(e + 1) - (p - 1));
			if (isfloat ? strtof(t, NULL) == (float)x :
			    strtod(t, NULL) == x)
				return p;
		}
	}
	return 99;
}

static uint32_t
xorshift32(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

/*
 * For a million pseudo-random float32 bit patterns the output reads back
 * exactly and never has more digits than %.9g; for the first 40000 and every
 * power of two (where the range below is half as wide) its digits are
 * exactly the shortest.
 */
T_TEST(fmt_float_sweep)
{
	uint32_t x = 2463534242u;
	int bad = 0, longer = 0, notshort = 0;

	for (int i = 0; i < 1000000 + 254; i++) {
		float f, g;
		const char *s;

		if (i < 1000000)
			xorshift32(&x);
		else
			x = (uint32_t)(i - 1000000 + 1) << 23;
		memcpy(&f, &x, 4);
		if (isnan(f) || isinf(f))
			continue;
		s = ff(f);
		g = strtof(s, NULL);
		if (g != f || signbit(g) != signbit(f)) {
			if (bad++ == 0)
				t_fail(__FILE__, __LINE__, "%08x -> %s", x, s);
			continue;
		}
		longer += sig_digits(s) > 9;
		if ((i < 40000 || i >= 1000000) && f != 0 &&
		    sig_digits(s) != shortest(fabs((double)f), 1) &&
		    notshort++ == 0)
			t_fail(__FILE__, __LINE__, "%08x -> %s, not shortest",
			    x, s);
	}
	T_EQ_INT(bad, 0);
	T_EQ_INT(longer, 0);
	T_EQ_INT(notshort, 0);
}

/* 100000 random doubles and every power of two: read back, never more
 * digits than %.17g, and (powers of two, 3000 others) exactly the shortest. */
T_TEST(fmt_double_sweep)
{
	uint64_t x = 88172645463325252ull;
	int bad = 0, longer = 0, notshort = 0;

	for (int i = 0; i < 100000 + 2046; i++) {
		double d;
		const char *s;

		if (i < 100000) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
		} else {
			x = (uint64_t)(i - 100000 + 1) << 52;
		}
		memcpy(&d, &x, 8);
		if (isnan(d) || isinf(d))
			continue;
		s = fd(d);
		if (strtod(s, NULL) != d) {
			if (bad++ == 0)
				t_fail(__FILE__, __LINE__, "%016llx -> %s",
				    (unsigned long long)x, s);
			continue;
		}
		longer += sig_digits(s) > 17;
		if ((i < 3000 || i >= 100000) && d != 0 &&
		    sig_digits(s) != shortest(fabs(d), 0) && notshort++ == 0)
			t_fail(__FILE__, __LINE__, "%016llx -> %s, not shortest",
			    (unsigned long long)x, s);
	}
	T_EQ_INT(bad, 0);
	T_EQ_INT(longer, 0);
	T_EQ_INT(notshort, 0);
}

/* cdc_fmt_floats: each value as cdc_fmt_float() writes it, comma-separated,
 * NaN and infinities counted. */
T_TEST(fmt_floats_row)
{
	static const float v[] = {0.1f, -1.0f, 3.4028235e38f, 1e-45f, 0.0f,
	    -0.0f, 1e21f, 123.456f};
	float w[10];
	char got[sizeof w / sizeof w[0] * (CDC_FMT_MAX + 1)], want[512], one[CDC_FMT_MAX];
	size_t n = 0, nonfinite = 0, len;

	memcpy(w, v, sizeof v);
	w[8] = NAN;
	w[9] = -INFINITY;
	for (size_t i = 0; i < 10; i++) {
		size_t m = cdc_fmt_float(one, w[i]);

		if (i)
			want[n++] = ',';
		memcpy(want + n, one, m);
		n += m;
	}
	len = cdc_fmt_floats(got, w, 10, &nonfinite);
	T_EQ_MEM(got, len, want, n);
	T_EQ_UINT(nonfinite, 2);
	T_EQ_UINT(cdc_fmt_floats(got, w, 0, &nonfinite), 0);
	T_EQ_UINT(cdc_fmt_floats(got, w, 1, &nonfinite), 3);	/* "0.1" */
}
