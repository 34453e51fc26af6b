/* cdc_util.c - see cdc_util.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cdc_util.h"

static const char *log_prog = "cdc";
static int log_lvl = 1;

/* === memory === */

static void
oom(void)
{
	static const char msg[] = "out of memory\n";

	(void)!write(2, msg, sizeof msg - 1);
	exit(CDC_EXIT_RUNTIME);
}

void *
cdc_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		oom();
	return p;
}

void *
cdc_xcalloc(size_t nmemb, size_t n)
{
	void *p = calloc(nmemb ? nmemb : 1, n ? n : 1);

	if (!p)
		oom();
	return p;
}

void *
cdc_xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

void
cdc_mem_keep(void)
{
#ifdef M_TRIM_THRESHOLD
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
	mallopt(M_MXFAST, 0);
#endif
}

char *
cdc_xstrdup(const char *s)
{
	return cdc_xstrndup(s, strlen(s));
}

char *
cdc_xstrndup(const char *p, size_t n)
{
	char *s = cdc_xmalloc(n + 1);

	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

/* === logging === */

void
cdc_log_init(const char *prog, int level)
{
	const char *slash = strrchr(prog, '/');

	log_prog = slash ? slash + 1 : prog;
	log_lvl = level;
}

int
cdc_log_level(void)
{
	return log_lvl;
}

const char *
cdc_log_prog(void)
{
	return log_prog;
}

static void
vlog(const char *fmt, va_list ap)
{
	char buf[2048];
	int n = snprintf(buf, sizeof buf, "%s: ", log_prog);

	vsnprintf(buf + n, sizeof buf - (size_t)n - 1, fmt, ap);
	n = (int)strlen(buf);
	buf[n++] = '\n';
	(void)!write(2, buf, (size_t)n);
}

void
cdc_log_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

void
cdc_log_warn(const char *fmt, ...)
{
	va_list ap;

	if (log_lvl < 1)
		return;
	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

void
cdc_log_info(int level, const char *fmt, ...)
{
	va_list ap;

	if (log_lvl < level)
		return;
	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

/* === numbers and time === */

long long
cdc_opt_num(const char *s, long long min, long long max, const char **errstr)
{
	char *end;
	long long v;

	errno = 0;
	*errstr = NULL;
	if (!s || !*s) {
		*errstr = "invalid";
		return 0;
	}
	v = strtoll(s, &end, 10);
	if (*end != '\0' || end == s) {
		*errstr = "invalid";
		return 0;
	}
	if ((errno == ERANGE && v == LLONG_MIN) || v < min) {
		*errstr = "too small";
		return 0;
	}
	if ((errno == ERANGE && v == LLONG_MAX) || v > max) {
		*errstr = "too large";
		return 0;
	}
	return v;
}

long long
cdc_opt_size(const char *s, long long min, long long max, const char **errstr)
{
	char buf[64];
	size_t n = s ? strlen(s) : 0;
	long long mult = 1, v;

	if (n == 0 || n >= sizeof buf) {
		*errstr = "invalid";
		return 0;
	}
	memcpy(buf, s, n + 1);
	switch (buf[n - 1]) {
	case 'k': case 'K': mult = 1LL << 10; break;
	case 'm': case 'M': mult = 1LL << 20; break;
	case 'g': case 'G': mult = 1LL << 30; break;
	}
	if (mult != 1)
		buf[n - 1] = '\0';
	/* the least count of units that is still >= min: "0m" is below a
	 * minimum of 1024 bytes, not equal to it */
	v = cdc_opt_num(buf, min > 0 ? (min + mult - 1) / mult : min / mult,
	    max / mult, errstr);
	return *errstr ? 0 : v * mult;
}

double
cdc_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
digits(const char **s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++, (*s)++) {
		if (**s < '0' || **s > '9')
			return -1;
		v = v * 10 + (**s - '0');
	}
	*out = v;
	return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's method). */
static int64_t
days_from_civil(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int
cdc_time_parse(const char *s, int64_t *ms)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, frac = 0, tzh, tzm, sign;

	if (digits(&s, 4, &y) || *s++ != '-' || digits(&s, 2, &mo) ||
	    *s++ != '-' || digits(&s, 2, &d))
		return -1;
	if (*s == 'T' || *s == ' ') {
		s++;
		if (digits(&s, 2, &h) || *s++ != ':' || digits(&s, 2, &mi))
			return -1;
		if (*s == ':' && (s++, digits(&s, 2, &sec)))
			return -1;
		if (*s == '.') {
			int scale = 100;

			for (s++; *s >= '0' && *s <= '9'; s++, scale /= 10)
				frac += (*s - '0') * scale;
		}
	}
	*ms = ((days_from_civil(y, mo, d) * 24 + h) * 60 + mi) * 60000LL +
	    sec * 1000LL + frac;
	if (*s == 'Z' || *s == '\0')
		return (*s == 'Z' ? s[1] : *s) == '\0' ? 0 : -1;
	if (*s != '+' && *s != '-')
		return -1;
	sign = *s++ == '+' ? 1 : -1;
	if (digits(&s, 2, &tzh))
		return -1;
	if (*s == ':')
		s++;
	if (digits(&s, 2, &tzm) || *s != '\0')
		return -1;
	*ms -= sign * (tzh * 60 + tzm) * 60000LL;
	return 0;
}

/* === files === */

int
cdc_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int
fsync_dir(const char *path)
{
	char *dir = cdc_xstrdup(path), *slash = strrchr(dir, '/');
	int fd, rc;

	if (!slash)
		strcpy(dir, ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	free(dir);
	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

int
cdc_file_replace(const char *path, const void *data, size_t len, char *err,
    size_t errsz)
{
	size_t plen = strlen(path);
	char *tmp = cdc_xmalloc(plen + 32);
	int fd;

	snprintf(tmp, plen + 32, "%s.tmp.%ld", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		goto fail;
	if (cdc_write_all(fd, data, len) < 0 || fsync(fd) < 0) {
		close(fd);
		goto fail_unlink;
	}
	if (close(fd) < 0 || rename(tmp, path) < 0)
		goto fail_unlink;
	free(tmp);
	if (fsync_dir(path) < 0) {
		snprintf(err, errsz, "cannot sync directory of '%s': %s", path,
		    strerror(errno));
		return -1;
	}
	return 0;
fail_unlink:
	snprintf(err, errsz, "cannot write '%s': %s", path, strerror(errno));
	unlink(tmp);
	free(tmp);
	return -1;
fail:
	snprintf(err, errsz, "cannot create '%s': %s", tmp, strerror(errno));
	free(tmp);
	return -1;
}

int
cdc_file_read(const char *path, char **out, size_t *len, char *err,
    size_t errsz)
{
	int fd = open(path, O_RDONLY);
	size_t cap = 4096, n = 0;
	char *buf;

	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errsz, "cannot open '%s': %s", path,
		    strerror(errno));
		return -1;
	}
	buf = cdc_xmalloc(cap);
	for (;;) {
		ssize_t r = read(fd, buf + n, cap - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, errsz, "cannot read '%s': %s", path,
			    strerror(errno));
			free(buf);
			close(fd);
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n == cap)
			buf = cdc_xrealloc(buf, cap *= 2);
	}
	close(fd);
	buf[n] = '\0';		/* n < cap: room for it */
	*out = buf;
	*len = n;
	return 1;
}
