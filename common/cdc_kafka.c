/* cdc_kafka.c - see cdc_kafka.h. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cdc_json.h"
#include "cdc_kafka.h"
#include "cdc_util.h"

int
cdc_kafka_conf_set(rd_kafka_conf_t *conf, const char *kv, char *err,
    size_t errsz)
{
	const char *eq = strchr(kv, '=');
	char *key, e[256];
	rd_kafka_conf_res_t res;

	if (!eq || eq == kv) {
		snprintf(err, errsz, "invalid property '%s': expected key=value",
		    kv);
		return -1;
	}
	key = cdc_xstrndup(kv, (size_t)(eq - kv));
	res = rd_kafka_conf_set(conf, key, eq + 1, e, sizeof e);
	if (res != RD_KAFKA_CONF_OK)
		snprintf(err, errsz, "property '%s': %s", key, e);
	free(key);
	return res == RD_KAFKA_CONF_OK ? 0 : -1;
}

/* Trim trailing whitespace in place; return the first non-blank char. */
static char *
trim(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	while (isspace((unsigned char)*s))
		s++;
	return s;
}

/*
 * One logical line of a properties file, as Java reads it: the key ends at
 * the first '=', ':' or blank; blanks around the separator are dropped.
 * "key value" (a blank alone) is refused: it is more often a typo.
 */
static int
conf_line(rd_kafka_conf_t *conf, char *s, char *err, size_t errsz)
{
	size_t k = strcspn(s, "=: \t");
	char *v = s + k, e[256];

	while (isspace((unsigned char)*v))
		v++;
	if (k == 0 || (*v != '=' && *v != ':')) {
		snprintf(err, errsz, "invalid property '%s': expected key=value",
		    s);
		return -1;
	}
	s[k] = '\0';
	v = trim(v + 1);
	if (rd_kafka_conf_set(conf, s, v, e, sizeof e) != RD_KAFKA_CONF_OK) {
		snprintf(err, errsz, "property '%s': %s", s, e);
		return -1;
	}
	return 0;
}

/* Does s (trimmed) end in an odd number of backslashes?  Drop the last. */
static int
continued(char *s)
{
	size_t n = strlen(s), b = 0;

	while (b < n && s[n - 1 - b] == '\\')
		b++;
	if (b % 2 == 0)
		return 0;
	s[n - 1] = '\0';
	return 1;
}

int
cdc_kafka_conf_file(rd_kafka_conf_t *conf, const char *path, char *err,
    size_t errsz)
{
	FILE *f = fopen(path, "r");
	char *line = NULL, e[512];
	struct cdc_buf lg = {0};	/* the logical line */
	size_t cap = 0;
	int lineno = 0, first = 0, more = 0, rc = 0;

	if (!f) {
		snprintf(err, errsz, "cannot open '%s': %s", path,
		    strerror(errno));
		return -1;
	}
	while (getline(&line, &cap, f) != -1) {
		char *s = trim(line);

		lineno++;
		if (!more && (*s == '\0' || *s == '#' || *s == '!'))
			continue;
		if (!more) {
			lg.len = 0;
			first = lineno;
		}
		more = continued(s);
		cdc_buf_adds(&lg, s);
		if (more)
			continue;
		cdc_buf_addc(&lg, '\0');
		if (conf_line(conf, lg.p, e, sizeof e) < 0) {
			snprintf(err, errsz, "%s:%d: %s", path, first, e);
			rc = -1;
			break;
		}
	}
	if (rc == 0 && more) {
		cdc_buf_addc(&lg, '\0');
		if (conf_line(conf, lg.p, e, sizeof e) < 0) {
			snprintf(err, errsz, "%s:%d: %s", path, first, e);
			rc = -1;
		}
	}
	if (rc == 0 && ferror(f)) {
		snprintf(err, errsz, "cannot read '%s': %s", path,
		    strerror(errno));
		rc = -1;
	}
	cdc_buf_fini(&lg);
	free(line);
	fclose(f);
	return rc;
}

static void
log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
	/* syslog levels: 0-3 errors, 4 warning (shown unless -q), 5-7
	 * notice/info/debug (-vv: -v is the tools' own progress). */
	if (level <= 4)
		cdc_log_warn("kafka: %s: %s", fac, buf);
	else
		cdc_log_info(3, "kafka: %s: %s", fac, buf);
}

void
cdc_kafka_conf_log(rd_kafka_conf_t *conf)
{
	rd_kafka_conf_set_log_cb(conf, log_cb);
}

void
cdc_kafka_conf_dump(rd_kafka_conf_t *conf, FILE *out)
{
	size_t cnt;
	const char **arr = rd_kafka_conf_dump(conf, &cnt);

	for (size_t i = 0; i + 1 < cnt; i += 2)
		fprintf(out, "%s = %s\n", arr[i], arr[i + 1]);
	rd_kafka_conf_dump_free(arr, cnt);
}

void
cdc_kafka_opts_add(struct cdc_kafka_opts *k, int ch, const char *arg)
{
	char *buf = cdc_xmalloc(strlen(arg) + 2);

	buf[0] = (char)ch;
	strcpy(buf + 1, arg);
	k->props = cdc_xrealloc(k->props, (k->n + 1) * sizeof *k->props);
	k->props[k->n++] = buf;
}

void
cdc_kafka_opts_fini(struct cdc_kafka_opts *k)
{
	for (size_t i = 0; i < k->n; i++)
		free(k->props[i]);
	free(k->props);
	k->props = NULL;
	k->n = 0;
}

int
cdc_kafka_conf_apply(rd_kafka_conf_t *conf, const struct cdc_kafka_opts *k,
    int need_brokers, char *err, size_t errsz)
{
	char buf[512];
	size_t n = sizeof buf;

	if (k->brokers && rd_kafka_conf_set(conf, "bootstrap.servers",
	    k->brokers, err, errsz) != RD_KAFKA_CONF_OK)
		return -1;
	for (size_t i = 0; i < k->n; i++) {
		const char *p = k->props[i] + 1;

		if ((k->props[i][0] == 'F' ? cdc_kafka_conf_file(conf, p, err,
		    errsz) : cdc_kafka_conf_set(conf, p, err, errsz)) < 0)
			return -1;
	}
	if (need_brokers && (rd_kafka_conf_get(conf, "bootstrap.servers", buf,
	    &n) != RD_KAFKA_CONF_OK || buf[0] == '\0')) {
		snprintf(err, errsz, "no brokers: use -b or set "
		    "bootstrap.servers with -X or -F");
		return -1;
	}
	return 0;
}
