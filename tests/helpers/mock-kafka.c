/*
 * mock-kafka - an embedded Kafka for the demo and the tests: librdkafka's
 * in-process mock cluster, speaking the real protocol on loopback.  Prints
 * "BROKERS=<bootstrap servers>" like `kcat -M`, then serves until SIGTERM or
 * SIGINT.  With --control FIFO it takes fault-injection commands, one a line:
 *
 *   push-errors API COUNT ERRNAME   e.g. push-errors Produce 3 NOT_ENOUGH_REPLICAS
 *   broker-down ID | broker-up ID | rtt ID MS | clear API
 *
 * API is a Kafka request name (Produce, Fetch, ListOffsets, Metadata,
 * OffsetCommit, OffsetFetch, FindCoordinator, JoinGroup, Heartbeat,
 * LeaveGroup, SyncGroup, ApiVersions, InitProducerId) or its protocol
 * number; ERRNAME is a broker error name without the RD_KAFKA_RESP_ERR_
 * prefix, or its number.  A bad line is reported on stderr and ignored.
 * librdkafka 2.0.2's mock keeps only the newest ~5 MB of each partition.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "cdc_util.h"

static volatile sig_atomic_t stop_sig;

static void
on_signal(int sig)
{
	stop_sig = sig;
}

static void
usage(FILE *f)
{
	fputs("usage: mock-kafka [-n brokers] [-t topic[:partitions]]... "
	    "[--milvus-topics PREFIX]\n"
	    "                  [--control FIFO]\n"
	    "  -n, --brokers N         brokers in the cluster (1..16, default 1)\n"
	    "  -t, --topic T[:P]       create topic T with P partitions (default 1)\n"
	    "  --milvus-topics PREFIX  create PREFIX-rootcoord-dml_0..15 and "
	    "PREFIX-replicate-msg\n"
	    "  --control FIFO          read fault commands, one a line:\n"
	    "      push-errors API COUNT ERRNAME | clear API | broker-down ID\n"
	    "      broker-up ID | rtt ID MS      (each echoed on stderr as "
	    "\"control: LINE\")\n"
	    "Prints BROKERS=host:port,... and serves until SIGTERM or "
	    "SIGINT.\n", f);
}

static const struct {
	const char *name;
	int key;
} api_names[] = {
	{"Produce", 0}, {"Fetch", 1}, {"ListOffsets", 2}, {"Metadata", 3},
	{"OffsetCommit", 8}, {"OffsetFetch", 9}, {"FindCoordinator", 10},
	{"JoinGroup", 11}, {"Heartbeat", 12}, {"LeaveGroup", 13},
	{"SyncGroup", 14}, {"ApiVersions", 18}, {"InitProducerId", 22},
};

/* A Kafka API by name or number; -1 if neither. */
static int
api_by_name(const char *name)
{
	const char *errstr;
	int key;

	for (size_t i = 0; i < sizeof api_names / sizeof api_names[0]; i++)
		if (strcmp(api_names[i].name, name) == 0)
			return api_names[i].key;
	key = (int)cdc_opt_num(name, 0, 100, &errstr);
	return errstr ? -1 : key;
}

/* A broker error by name (NOT_ENOUGH_REPLICAS) or number; 0 if neither. */
static rd_kafka_resp_err_t
err_by_name(const char *name)
{
	const struct rd_kafka_err_desc *d;
	const char *errstr;
	long long code;
	size_t n;

	rd_kafka_get_err_descs(&d, &n);
	for (size_t i = 0; i < n; i++)
		if (d[i].name && strcmp(d[i].name, name) == 0)
			return d[i].code;
	code = cdc_opt_num(name, -200, 200, &errstr);
	return errstr ? RD_KAFKA_RESP_ERR_NO_ERROR : (rd_kafka_resp_err_t)code;
}

static void
control_line(rd_kafka_mock_cluster_t *mc, char *line)
{
	char cmd[32], w1[64] = "", w2[64] = "", w3[64] = "";
	const char *errstr = NULL, *e2 = NULL;
	int api, a, b;
	rd_kafka_resp_err_t e;

	if (sscanf(line, "%31s %63s %63s %63s", cmd, w1, w2, w3) < 1)
		return;
	cdc_log_info(1, "control: %s", line);
	if (strcmp(cmd, "push-errors") == 0 || strcmp(cmd, "clear") == 0) {
		api = api_by_name(w1);
		b = strcmp(cmd, "clear") == 0 ? 0 :
		    (int)cdc_opt_num(w2, 1, 1000000, &errstr);
		e = strcmp(cmd, "clear") == 0 ? RD_KAFKA_RESP_ERR_NO_ERROR :
		    err_by_name(w3);
		if (api < 0 || errstr || (strcmp(cmd, "clear") != 0 && !e)) {
			cdc_log_warn("bad control line '%s'", line);
			return;
		}
		if (strcmp(cmd, "clear") == 0)
			rd_kafka_mock_clear_request_errors(mc, api);
		for (int i = 0; i < b; i++)
			rd_kafka_mock_push_request_errors(mc, api, 1, e);
		return;
	}
	a = (int)cdc_opt_num(w1, 0, 1000, &errstr);
	b = (int)cdc_opt_num(w2, 0, 3600000, &e2);
	if (strcmp(cmd, "broker-down") == 0 && !errstr)
		rd_kafka_mock_broker_set_down(mc, a);
	else if (strcmp(cmd, "broker-up") == 0 && !errstr)
		rd_kafka_mock_broker_set_up(mc, a);
	else if (strcmp(cmd, "rtt") == 0 && !errstr && !e2)
		rd_kafka_mock_broker_set_rtt(mc, a, b);
	else
		cdc_log_warn("bad control line '%s'", line);
}

/* Read whatever complete lines the control fifo has. */
static void
control_poll(rd_kafka_mock_cluster_t *mc, int fd, char *buf, size_t *len,
    size_t cap)
{
	ssize_t n = read(fd, buf + *len, cap - *len - 1);
	char *nl;

	if (n <= 0)
		return;
	*len += (size_t)n;
	buf[*len] = '\0';
	while ((nl = strchr(buf, '\n')) != NULL) {
		*nl = '\0';
		control_line(mc, buf);
		*len -= (size_t)(nl + 1 - buf);
		memmove(buf, nl + 1, *len + 1);
	}
	if (*len == cap - 1)
		*len = 0;
}

static void
create_topic(rd_kafka_mock_cluster_t *mc, const char *spec)
{
	char *name = cdc_xstrdup(spec), *colon = strchr(name, ':');
	int parts = 1;

	if (colon) {
		*colon = '\0';
		parts = atoi(colon + 1) > 0 ? atoi(colon + 1) : 1;
	}
	rd_kafka_mock_topic_create(mc, name, parts, 1);
	free(name);
}

static void
create_milvus_topics(rd_kafka_mock_cluster_t *mc, const char *prefix)
{
	char name[512];

	for (int i = 0; i < 16; i++) {
		snprintf(name, sizeof name, "%s-rootcoord-dml_%d", prefix, i);
		create_topic(mc, name);
	}
	snprintf(name, sizeof name, "%s-replicate-msg", prefix);
	create_topic(mc, name);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"brokers", required_argument, NULL, 'n'},
		{"topic", required_argument, NULL, 't'},
		{"milvus-topics", required_argument, NULL, 'M'},
		{"control", required_argument, NULL, 'C'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *control = NULL, *errstr;
	rd_kafka_mock_cluster_t *mc;
	rd_kafka_conf_t *conf;
	rd_kafka_t *rk;
	char err[512], cbuf[4096];
	size_t clen = 0;
	int ch, nbrokers = 1, cfd = -1;

	cdc_log_init(argv[0], 1);
	while ((ch = getopt_long(argc, argv, "n:t:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'n':
			nbrokers = (int)cdc_opt_num(optarg, 1, 16, &errstr);
			if (errstr) {
				cdc_log_err("invalid -n '%s': %s", optarg,
				    errstr);
				return CDC_EXIT_USAGE;
			}
			break;
		case 't':
		case 'M':
			break;	/* topics are created once the cluster runs */
		case 'C':
			control = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return CDC_EXIT_USAGE;
		}
	}
	conf = rd_kafka_conf_new();
	rd_kafka_conf_set(conf, "log_level", "0", NULL, 0);
	rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
	if (!rk) {
		cdc_log_err("cannot create handle: %s", err);
		return CDC_EXIT_RUNTIME;
	}
	mc = rd_kafka_mock_cluster_new(rk, nbrokers);
	if (!mc) {
		cdc_log_err("cannot create mock cluster");
		return CDC_EXIT_RUNTIME;
	}
	optind = 1;
	while ((ch = getopt_long(argc, argv, "n:t:h", longopts, NULL)) != -1) {
		if (ch == 't')
			create_topic(mc, optarg);
		else if (ch == 'M')
			create_milvus_topics(mc, optarg);
	}
	if (control) {
		if (mkfifo(control, 0600) < 0 && errno != EEXIST) {
			cdc_log_err("cannot create fifo '%s': %s", control,
			    strerror(errno));
			return CDC_EXIT_RUNTIME;
		}
		/* O_RDWR keeps the fifo open when writers come and go. */
		cfd = open(control, O_RDWR | O_NONBLOCK);
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	printf("BROKERS=%s\n", rd_kafka_mock_cluster_bootstraps(mc));
	fflush(stdout);
	while (!stop_sig) {
		if (cfd >= 0)
			control_poll(mc, cfd, cbuf, &clen, sizeof cbuf);
		usleep(20000);
	}
	if (cfd >= 0)
		close(cfd);
	rd_kafka_mock_cluster_destroy(mc);
	rd_kafka_destroy(rk);
	return 0;
}
