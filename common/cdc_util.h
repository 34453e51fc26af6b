/*
 * cdc_util.h - memory, logging, number options and byte-string views shared by
 * every tool.  cdc_log_* write to stderr and are called by the tools' own files
 * only: code in common/ returns errors in a caller buffer and never prints.
 * cdc_x*alloc() are the one exception to "common never exits": out of memory
 * prints "out of memory" and exits 1.
 */
#ifndef CDC_UTIL_H
#define CDC_UTIL_H

#include <stddef.h>
#include <stdint.h>

#define CDC_EXIT_OK 0		/* all input consumed, everything delivered */
#define CDC_EXIT_RUNTIME 1	/* I/O, broker or Milvus error, undelivered data */
#define CDC_EXIT_USAGE 2	/* usage or configuration error */
#define CDC_EXIT_DATA 3		/* malformed input */

/* A byte string that points into someone else's buffer (never owned). */
struct cdc_str {
	const char *p;
	size_t n;
};

void *cdc_xmalloc(size_t n);
void *cdc_xcalloc(size_t nmemb, size_t n);
void *cdc_xrealloc(void *p, size_t n);
char *cdc_xstrdup(const char *s);
/* NUL-terminated copy of n bytes at p; free() it. */
char *cdc_xstrndup(const char *p, size_t n);
/*
 * Let malloc keep what is freed for the next allocation instead of giving
 * it back to the kernel at once: a writer allocates and frees a message's
 * worth per row, and glibc's defaults made every batch fault its pages in
 * anew (50k rows: 14k page faults and a third of the CPU time in the
 * kernel).  Also no fastbins: librdkafka's seven header allocations per
 * message are freed a thousand messages at a time, and a fastbin hands
 * them back to the next mallocs in a cold chain (170 ns a malloc).  Call
 * once at start; peak memory is unchanged.
 */
void cdc_mem_keep(void);

/* Logging: "<prog>: message\n" on stderr.  Level 0 = -q, 1 = default, 2+ = -v. */
void cdc_log_init(const char *prog, int level);
int cdc_log_level(void);
const char *cdc_log_prog(void);
void cdc_log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cdc_log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cdc_log_info(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * strtonum-style parse of a decimal integer in [min, max].  Returns the value
 * and sets *errstr to NULL, or returns 0 and sets *errstr to "invalid",
 * "too small" or "too large".
 */
long long cdc_opt_num(const char *s, long long min, long long max,
    const char **errstr);
/* As cdc_opt_num, with an optional k/m/g (KiB/MiB/GiB) suffix. */
long long cdc_opt_size(const char *s, long long min, long long max,
    const char **errstr);

/* Seconds since an arbitrary fixed point (CLOCK_MONOTONIC). */
double cdc_now(void);

/* Hybrid timestamp helpers: physical milliseconds and ISO-8601 UTC text. */
#define CDC_TS_LOGICAL_BITS 18
static inline uint64_t
cdc_ts_ms(uint64_t ts)
{
	return ts >> CDC_TS_LOGICAL_BITS;
}
/* Parse "2024-05-01T12:00:00Z" / "+hh:mm" / ".fff"; ms since epoch. 0 or -1. */
int cdc_time_parse(const char *s, int64_t *ms);

/* Write all of buf to fd, retrying partial writes and EINTR.  0 or -1 (errno). */
int cdc_write_all(int fd, const void *buf, size_t len);

/*
 * Atomically replace path with len bytes of data: temp file in the same
 * directory, fsync, rename, fsync of the directory.  0, or -1 with err filled.
 */
int cdc_file_replace(const char *path, const void *data, size_t len,
    char *err, size_t errsz);
/* Read a whole file into a malloc'ed buffer (*out, *len), NUL-terminated
 * past *len for text.  1 ok, 0 missing, -1 error. */
int cdc_file_read(const char *path, char **out, size_t *len, char *err,
    size_t errsz);

#endif
