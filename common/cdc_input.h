/*
 * cdc_input.h - a writer's input: the cdc-stream(5) on stdin or in the files
 * named on its command line, read one after the other as one stream (a
 * header frame may start each).  cdc_input_next() fills a frame and its
 * event view, valid until the next call; the input owns every byte until
 * cdc_input_close().
 */
#ifndef CDC_INPUT_H
#define CDC_INPUT_H

#include <signal.h>
#include <stddef.h>

#include "cdc_event.h"
#include "cdc_frame.h"

struct cdc_input {
	char **files;		/* NULL: stdin */
	size_t nfiles, cur;
	const char *name;	/* "stdin" or the current file */
	int fd;
	size_t max;
	volatile sig_atomic_t *stop;	/* for each file's reader (r.stop) */
	struct cdc_frame_reader r;
	unsigned char seen[CDC_EV__COUNT];
};

/*
 * Open the first input.  0, or -1 with err filled.  With stop non-NULL, a
 * read waiting inside a frame gives up once *stop is set (cdc_frame_read()).
 */
int cdc_input_open(struct cdc_input *in, char **files, size_t nfiles,
    size_t max_frame, volatile sig_atomic_t *stop, char *err, size_t errsz);
/*
 * The next frame and its event.  Returns 1, 0 at the end of the last input,
 * or -1 with err naming the input, frame number and byte offset.  A header
 * of a newer major version is an error.
 */
int cdc_input_next(struct cdc_input *in, struct cdc_frame *fr,
    struct cdc_event *ev, char *err, size_t errsz);
/* The whole frame (length prefix included) of fr, into a caller buffer. */
void cdc_input_frame_bytes(const struct cdc_frame *fr, char *dst);
void cdc_input_close(struct cdc_input *in);

#endif
