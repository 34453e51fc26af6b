/*
 * cdc_writer.h - plumbing shared by the cdc-write-* tools: the input loop
 * over a cdc-stream(5) (headers checked and skipped, unknown event types
 * skipped and reported once per name), the checkpoint queue that holds each
 * checkpoint frame until every message sent before it is acknowledged, the
 * signal flag, and small option helpers.
 *
 * struct cdc_wreader owns its input and the names it has seen until
 * cdc_wreader_close(); frames and events it returns are views valid until the
 * next call.  struct cdc_ckq owns copies of the queued checkpoint frames
 * until cdc_ckq_fini(); a frame handed out by cdc_ckq_ready() belongs to the
 * caller, who frees it.
 */
#ifndef CDC_WRITER_H
#define CDC_WRITER_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "cdc_input.h"

/* === input === */

struct cdc_wreader {
	struct cdc_input in;
	char **unknown;		/* unknown type names already reported */
	size_t nunknown;
	uint64_t headers;	/* header frames seen */
	int open;
};

/* Open stdin (nfiles 0) or the files in turn.  0, or -1 with err.  A read
 * waiting for the rest of a frame gives up at SIGINT/SIGTERM (cdc_stop_sig). */
int cdc_wreader_open(struct cdc_wreader *r, char **files, size_t nfiles,
    size_t max_frame, char *err, size_t errsz);
/*
 * The next event a writer acts on.  Header frames are checked (a newer major
 * version is an error) and skipped, so concatenated streams read as one.
 * Returns 1 with fr/ev filled; 2 when the frame has a type this version does
 * not know and its name was not seen before (the caller warns once, using
 * ev->type_name, and calls again; later frames of that type are skipped
 * silently); 0 at the end of the input; -1 with err naming the input, frame
 * number and byte offset, also when a signal stopped a read (cdc_stop_sig
 * set: the caller stops without reporting it).
 */
int cdc_wreader_next(struct cdc_wreader *r, struct cdc_frame *fr,
    struct cdc_event *ev, char *err, size_t errsz);
/*
 * Wait up to timeout_ms (-1: no limit) until cdc_wreader_next() can go on
 * without blocking on an empty pipe: a whole frame is buffered, or the input
 * has bytes or its end to read.  Returns 1 when ready, 0 after the timeout
 * or a signal (poll(2) is not restarted), so a tool can serve delivery
 * reports and notice cdc_stop_sig while its upstream is idle.
 */
int cdc_wreader_wait(struct cdc_wreader *r, int timeout_ms);
/* The name of the current input ("stdin" or a file). */
const char *cdc_wreader_name(const struct cdc_wreader *r);
void cdc_wreader_close(struct cdc_wreader *r);

/* === checkpoint queue === */

/*
 * Messages get consecutive sequence numbers (pass cdc_ckq_next() as the
 * message's opaque and call cdc_ckq_sent() once it is queued).  Delivery
 * reports may arrive in any order; a checkpoint is ready once every message
 * sent before it is acknowledged.  A failed message is never acknowledged,
 * so it pins every later checkpoint.  At most `window` messages may be
 * outstanding (cdc_ckq_full()).
 */
struct cdc_ckq_item {
	uint64_t seq;		/* messages sent before this checkpoint */
	char *frame;		/* the whole frame, length prefix included */
	size_t len;
};

struct cdc_ckq {
	uint64_t next;		/* sequence number of the next message */
	uint64_t low;		/* every message below low is acknowledged */
	uint64_t nfailed;	/* failed delivery reports */
	uint64_t first_failed;	/* lowest failed sequence number */
	unsigned char *acked;	/* ring of window flags for [low, next) */
	size_t window;
	struct cdc_ckq_item *v;
	size_t n, cap;
};

void cdc_ckq_init(struct cdc_ckq *q, size_t window);
void cdc_ckq_fini(struct cdc_ckq *q);
static inline uint64_t
cdc_ckq_next(const struct cdc_ckq *q)
{
	return q->next;
}
static inline int
cdc_ckq_full(const struct cdc_ckq *q)
{
	return q->next - q->low >= q->window;
}
static inline uint64_t
cdc_ckq_outstanding(const struct cdc_ckq *q)
{
	return q->next - q->low;
}
/* The message numbered cdc_ckq_next() was handed to the producer. */
void cdc_ckq_sent(struct cdc_ckq *q);
/* Its delivery report: acknowledged, or failed for good. */
void cdc_ckq_ack(struct cdc_ckq *q, uint64_t seq);
void cdc_ckq_fail(struct cdc_ckq *q, uint64_t seq);
/* Queue a checkpoint frame (copied) after every message sent so far. */
void cdc_ckq_push(struct cdc_ckq *q, const struct cdc_frame *fr);
/*
 * The newest queued checkpoint whose messages are all acknowledged, removed
 * with every older one; NULL when none is ready.  The caller frees it.
 */
char *cdc_ckq_ready(struct cdc_ckq *q, size_t *len);

/* === signals === */

/* The last SIGINT/SIGTERM received (0: none) and how many so far. */
extern volatile sig_atomic_t cdc_stop_sig, cdc_nsig;

/*
 * Route SIGINT and SIGTERM to cdc_stop_sig/cdc_nsig (sigaction, the handler
 * only sets the flags) and ignore SIGPIPE, so EPIPE reports a closed reader.
 */
void cdc_writer_signals(void);
/* Die of sig with the default action, as a clean filter stopped by it. */
void cdc_writer_reraise(int sig);

/* === options === */

/*
 * Check before any data moves that a checkpoint file can be written: its
 * directory exists and is writable.  0, or -1 with err.
 */
int cdc_writer_ckpt_check(const char *path, char *err, size_t errsz);
/* Persist checkpoint frame fr (its length prefix too) as path, atomically
 * (cdc_ckpt_save()).  0, or -1 with err. */
int cdc_writer_ckpt_save(const char *path, const struct cdc_frame *fr,
    char *err, size_t errsz);

#endif
