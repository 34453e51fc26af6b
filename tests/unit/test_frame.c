/* test_frame.c - framing: round trip and every malformed input. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "cdc_event.h"
#include "cdc_frame.h"
#include "t.h"

/* A pipe-free input: write bytes to a temp file and return an fd on it. */
static int
input(const void *p, size_t n)
{
	char path[] = "/tmp/cdc-test-XXXXXX";
	int fd = mkstemp(path);

	if (fd < 0 || write(fd, p, n) != (ssize_t)n)
		return -1;
	unlink(path);
	lseek(fd, 0, SEEK_SET);
	return fd;
}

static int
read_one(const void *p, size_t n, char *err, size_t errsz)
{
	struct cdc_frame_reader r;
	struct cdc_frame fr;
	int fd = input(p, n), rc;

	cdc_frame_reader_init(&r, fd, 64);
	rc = cdc_frame_read(&r, &fr, err, errsz);
	cdc_frame_reader_fini(&r);
	close(fd);
	return rc;
}

T_TEST(frame_roundtrip_header)
{
	struct cdc_frame_writer w;
	struct cdc_frame_reader r;
	struct cdc_frame fr;
	struct cdc_event ev;
	char err[256];
	const char *bytes;
	size_t len;
	int fd;

	cdc_frame_writer_init(&w);
	cdc_header_pack(cdc_frame_begin(&w), "cdc-test", "unit");
	cdc_frame_finish(&w);
	bytes = cdc_frame_bytes(&w, &len);
	fd = input(bytes, len);
	cdc_frame_reader_init(&r, fd, 0);
	T_EQ_INT(cdc_frame_read(&r, &fr, err, sizeof err), 1);
	T_EQ_INT(cdc_event_parse(&fr, &ev, err, sizeof err), 0);
	T_EQ_INT(ev.type, CDC_EV_HEADER);
	T_EQ_INT(cdc_frame_read(&r, &fr, err, sizeof err), 0);
	cdc_frame_reader_fini(&r);
	cdc_frame_writer_fini(&w);
	close(fd);
}

T_TEST(frame_malformed)
{
	static const struct {
		const char *in;
		size_t len;
		int rc;
		const char *msg;
	} cases[] = {
		{"", 0, 0, ""},
		{"\0\0", 2, -1, "frame 1 at byte 0: truncated length (2 of 4 bytes)"},
		{"\0\0\0\5\x81\xa1", 6, -1, "frame 1 at byte 0: truncated body (2 of 5 bytes)"},
		{"\0\0\1\0", 4, -1, "frame 1 at byte 0: length 256 exceeds the maximum 64"},
		{"\0\0\0\1\x01", 5, -1, "frame 1 at byte 0: not a msgpack map"},
		{"\0\0\0\2\xc1\xc1", 6, -1, "frame 1 at byte 0: invalid msgpack"},
		{"\0\0\0\0", 4, -1, "frame 1 at byte 0: empty frame"},
		{"\0\0\0\2\x80\x80", 6, -1, "frame 1 at byte 0: 1 bytes after the msgpack object"},
	};
	char err[256];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		err[0] = '\0';
		T_EQ_INT(read_one(cases[i].in, cases[i].len, err, sizeof err),
		    cases[i].rc);
		if (cases[i].rc < 0)
			T_EQ_STR(err, cases[i].msg);
	}
}

/* SIGALRM every 20 ms sets the stop flag; should the reader go on waiting,
 * the tenth brings the rest of the frame, so the test fails, not hangs. */
static volatile sig_atomic_t stop_flag, nalarm;
static int rest_fd = -1;

static void
on_alarm(int sig)
{
	(void)sig;
	stop_flag = 1;
	if (++nalarm == 10 && write(rest_fd, "\x61\xc0", 2) != 2)
		stop_flag = 2;
}

static void
alarms(int on)
{
	struct itimerval it = {{0, on ? 20000 : 0}, {0, on ? 20000 : 0}};
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on ? on_alarm : SIG_DFL;	/* no SA_RESTART */
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
}

T_TEST(frame_stop_inside_frame)
{
	struct cdc_frame_reader r;
	struct cdc_frame fr;
	char err[256];
	int p[2], rc;

	T_EQ_INT(pipe(p), 0);
	rest_fd = p[1];
	T_EQ_INT((int)write(p[1], "\0\0\0\4\x81\xa1", 6), 6);
	cdc_frame_reader_init(&r, p[0], 0);
	r.stop = &stop_flag;
	alarms(1);
	rc = cdc_frame_read(&r, &fr, err, sizeof err);
	T_EQ_INT(errno, EINTR);
	alarms(0);
	T_EQ_INT(rc, -1);
	if (rc == -1) {
		/* the bytes read stay buffered: the frame completes later */
		stop_flag = 0;
		T_EQ_INT((int)write(p[1], "\x61\xc0", 2), 2);
		T_EQ_INT(cdc_frame_read(&r, &fr, err, sizeof err), 1);
		T_EQ_UINT(fr.len, 4);
	}
	cdc_frame_reader_fini(&r);
	close(p[0]);
	close(p[1]);
}

/* Takes every SIGALRM (the test's thread blocks it) until the tenth. */
static void *
alarm_taker(void *arg)
{
	sigset_t set;

	(void)arg;
	sigemptyset(&set);
	sigaddset(&set, SIGALRM);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	while (nalarm < 10)
		pause();
	return NULL;
}

/*
 * As frame_stop_inside_frame, with the signals handled on another thread:
 * the reader's read() is never interrupted, as when a signal lands between
 * its test of the flag and its read().  It must see the flag all the same.
 */
T_TEST(frame_stop_flag_without_eintr)
{
	struct cdc_frame_reader r;
	struct cdc_frame fr;
	sigset_t set, old;
	pthread_t t;
	char err[256];
	int p[2], rc;

	T_EQ_INT(pipe(p), 0);
	rest_fd = p[1];
	stop_flag = nalarm = 0;
	T_EQ_INT((int)write(p[1], "\0\0\0\4\x81\xa1", 6), 6);
	cdc_frame_reader_init(&r, p[0], 0);
	r.stop = &stop_flag;
	sigemptyset(&set);
	sigaddset(&set, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	T_EQ_INT(pthread_create(&t, NULL, alarm_taker, NULL), 0);
	alarms(1);
	rc = cdc_frame_read(&r, &fr, err, sizeof err);
	T_EQ_INT(rc, -1);	/* not 1: the tenth alarm's rest of the frame */
	pthread_join(t, NULL);
	alarms(0);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	stop_flag = 0;
	if (rc == -1)	/* the rest came at the tenth alarm */
		T_EQ_INT(cdc_frame_read(&r, &fr, err, sizeof err), 1);
	cdc_frame_reader_fini(&r);
	close(p[0]);
	close(p[1]);
}
