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
		{NAN, "null"}, {INFINITY, "null"},
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		T_EQ_STR(ff(cases[i].f), cases[i].want);
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

/* For a million pseudo-random float32 bit patterns (and every exponent),
 * the output reads back exactly and never uses 9 digits where 8 would do. */
T_TEST(fmt_float_sweep)
{
	uint32_t x = 2463534242u;
	int bad = 0, longer = 0;

	for (int i = 0; i < 1000000; i++) {
		float f, g;
		char ref[48];

		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		memcpy(&f, &x, 4);
		if (isnan(f) || isinf(f))
			continue;
		g = strtof(ff(f), NULL);
		if (g != f || signbit(g) != signbit(f))
			bad++;
		/* When p digits read back, more were not needed. */
		for (int p = 1; i < 200000 && p <= 8; p++) {
			snprintf(ref, sizeof ref, "%.*g", p, (double)f);
			if (strtof(ref, NULL) == f) {
				longer += sig_digits(ff(f)) > p;
				break;
			}
		}
		if (bad == 1 && g != f) {
			t_fail(__FILE__, __LINE__, "%08x -> %s", x, ff(f));
			bad++;
		}
	}
	T_EQ_INT(bad, 0);
	T_EQ_INT(longer, 0);
}

T_TEST(fmt_double_sweep)
{
	uint64_t x = 88172645463325252ull;
	int bad = 0;

	for (int i = 0; i < 100000; i++) {
		double d;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		memcpy(&d, &x, 8);
		if (isnan(d) || isinf(d))
			continue;
		if (strtod(fd(d), NULL) != d)
			bad++;
	}
	T_EQ_INT(bad, 0);
}
