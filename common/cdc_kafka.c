/* cdc_kafka.c - see cdc_kafka.h. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

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

int
cdc_kafka_conf_file(rd_kafka_conf_t *conf, const char *path, char *err,
    size_t errsz)
{
	FILE *f = fopen(path, "r");
	char *line = NULL, e[512];
	size_t cap = 0;
	int lineno = 0, rc = 0;

	if (!f) {
		snprintf(err, errsz, "cannot open '%s': %s", path,
		    strerror(errno));
		return -1;
	}
	while (getline(&line, &cap, f) != -1) {
		char *s = trim(line);

		lineno++;
		if (*s == '\0' || *s == '#' || *s == '!')
			continue;
		if (cdc_kafka_conf_set(conf, s, e, sizeof e) < 0) {
			snprintf(err, errsz, "%s:%d: %s", path, lineno, e);
			rc = -1;
			break;
		}
	}
	if (rc == 0 && ferror(f)) {
		snprintf(err, errsz, "cannot read '%s': %s", path,
		    strerror(errno));
		rc = -1;
	}
	free(line);
	fclose(f);
	return rc;
}

static void
log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
	/* syslog levels: 0-3 errors, 4 warning, 5-7 notice/info/debug. */
	if (level <= 4)
		cdc_log_warn("kafka: %s: %s", fac, buf);
	else
		cdc_log_info(level <= 6 ? 2 : 3, "kafka: %s: %s", fac, buf);
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
