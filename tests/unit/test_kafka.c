/*
 * test_kafka.c - librdkafka properties files read as Java reads them:
 * blanks around '=' or ':', '#' and '!' comments, a backslash continuing a
 * line; a line without a separator names its file and line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cdc_kafka.h"
#include "t.h"

/* Write text to a temporary file; its path in path (64 bytes). */
static void
props_file(char *path, const char *text)
{
	int fd;

	snprintf(path, 64, "/tmp/cdc-props.XXXXXX");
	fd = mkstemp(path);
	T_CHECK(fd >= 0);
	T_CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
}

static const char *
get(rd_kafka_conf_t *conf, const char *key, char *buf, size_t n)
{
	return rd_kafka_conf_get(conf, key, buf, &n) == RD_KAFKA_CONF_OK ?
	    buf : "(unset)";
}

T_TEST(kafka_props_java_syntax)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	char path[64], err[256], v[256];

	props_file(path, "# a comment\n! another\n\n"
	    "bootstrap.servers = a:9092,b:9092\n"
	    "  client.id:cdc \n"
	    "sasl.username\t=\tuser\n"
	    "sasl.password = pa\\\n   ss=word\n");
	T_EQ_INT(cdc_kafka_conf_file(conf, path, err, sizeof err), 0);
	T_EQ_STR(get(conf, "bootstrap.servers", v, sizeof v), "a:9092,b:9092");
	T_EQ_STR(get(conf, "client.id", v, sizeof v), "cdc");
	T_EQ_STR(get(conf, "sasl.username", v, sizeof v), "user");
	T_EQ_STR(get(conf, "sasl.password", v, sizeof v), "pass=word");
	unlink(path);
	rd_kafka_conf_destroy(conf);
}

/* The error reading text gives: "<file>:<line>: <msg>". */
static void
expect_error(const char *text, int line, const char *msg)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	char path[64], err[256], want[320];

	props_file(path, text);
	T_EQ_INT(cdc_kafka_conf_file(conf, path, err, sizeof err), -1);
	snprintf(want, sizeof want, "%s:%d: %s", path, line, msg);
	T_EQ_STR(err, want);
	unlink(path);
	rd_kafka_conf_destroy(conf);
}

T_TEST(kafka_props_errors_name_line)
{
	expect_error("client.id=x\n\nno-separator here\n", 3,
	    "invalid property 'no-separator here': expected key=value");
	expect_error("a.b\\\n.c = 1\n", 1,
	    "property 'a.b.c': No such configuration property: \"a.b.c\"");
}
