/*
 * test_util.c - option numbers: sizes with a k/m/g suffix keep to the
 * minimum and maximum in bytes, not in units of the suffix.
 */
#include "cdc_util.h"
#include "t.h"

T_TEST(opt_size_bounds_in_bytes)
{
	const char *e;

	T_EQ_INT(cdc_opt_size("0m", 1024, 1LL << 40, &e), 0);
	T_EQ_STR(e, "too small");
	T_EQ_INT(cdc_opt_size("1k", 1500, 1LL << 40, &e), 0);
	T_EQ_STR(e, "too small");
	T_EQ_INT(cdc_opt_size("2k", 1500, 1LL << 40, &e), 2048);
	T_CHECK(e == NULL);
	T_EQ_INT(cdc_opt_size("1k", 1024, 1LL << 40, &e), 1024);
	T_CHECK(e == NULL);
	T_EQ_INT(cdc_opt_size("1023", 1024, 1LL << 40, &e), 0);
	T_EQ_STR(e, "too small");
	T_EQ_INT(cdc_opt_size("8m", 1024, 1LL << 40, &e), 8LL << 20);
	T_CHECK(e == NULL);
	T_EQ_INT(cdc_opt_size("2g", 0, 1LL << 30, &e), 0);
	T_EQ_STR(e, "too large");
	T_EQ_INT(cdc_opt_size("0", 0, 10, &e), 0);
	T_CHECK(e == NULL);
	T_EQ_INT(cdc_opt_size("m", 0, 10, &e), 0);
	T_EQ_STR(e, "invalid");
}
