/*
 * runner.c - runs every T_TEST (or those named in argv), prints TAP and a last
 * line "N passed, N failed".
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "t.h"

#define T_ENTRY(name) void t_##name(void);
#include "tests.inc"
#undef T_ENTRY

static const struct {
	const char *name;
	void (*fn)(void);
} cases[] = {
#define T_ENTRY(name) {#name, t_##name},
#include "tests.inc"
#undef T_ENTRY
};

static int nfail_case;

void
t_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	printf("# %s:%d: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	nfail_case++;
}

const char *
t_path(const char *rel)
{
	static char buf[4096];
	const char *top = getenv("CDC_TOP");

	snprintf(buf, sizeof buf, "%s/%s", top ? top : ".", rel);
	return buf;
}

static int
wanted(const char *name, int argc, char **argv)
{
	if (argc < 2)
		return 1;
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return 1;
	return 0;
}

int
main(int argc, char **argv)
{
	size_t n = sizeof cases / sizeof cases[0];
	int pass = 0, fail = 0, no = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (size_t i = 0; i < n; i++)
		no += wanted(cases[i].name, argc, argv);
	printf("1..%d\n", no);
	no = 0;
	for (size_t i = 0; i < n; i++) {
		if (!wanted(cases[i].name, argc, argv))
			continue;
		nfail_case = 0;
		cases[i].fn();
		printf("%s %d - %s\n", nfail_case ? "not ok" : "ok", ++no,
		    cases[i].name);
		if (nfail_case)
			fail++;
		else
			pass++;
	}
	printf("%d passed, %d failed\n", pass, fail);
	return fail ? 1 : 0;
}
