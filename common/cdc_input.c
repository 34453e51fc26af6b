/* cdc_input.c - see cdc_input.h. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "cdc_input.h"

static int
open_cur(struct cdc_input *in, char *err, size_t errsz)
{
	if (!in->files) {
		in->name = "stdin";
		in->fd = 0;
	} else {
		in->name = in->files[in->cur];
		in->fd = strcmp(in->name, "-") == 0 ? 0 :
		    open(in->name, O_RDONLY);
		if (in->fd < 0) {
			snprintf(err, errsz, "cannot open '%s': %s", in->name,
			    strerror(errno));
			return -1;
		}
	}
	cdc_frame_reader_init(&in->r, in->fd, in->max);
	in->r.stop = in->stop;
	return 0;
}

int
cdc_input_open(struct cdc_input *in, char **files, size_t nfiles,
    size_t max_frame, volatile sig_atomic_t *stop, char *err, size_t errsz)
{
	memset(in, 0, sizeof *in);
	in->files = nfiles ? files : NULL;
	in->nfiles = nfiles;
	in->max = max_frame;
	in->stop = stop;
	in->fd = -1;
	/* a missing file is a usage error before any data moves, wherever it
	 * is in the list (they are opened in turn) */
	for (size_t i = 0; i < nfiles; i++)
		if (strcmp(files[i], "-") != 0 && access(files[i], R_OK) != 0) {
			snprintf(err, errsz, "cannot open '%s': %s", files[i],
			    strerror(errno));
			return -1;
		}
	return open_cur(in, err, errsz);
}

static void
close_cur(struct cdc_input *in)
{
	if (in->fd > 0)
		close(in->fd);
	in->fd = -1;
	cdc_frame_reader_fini(&in->r);
}

static int
check_header(const struct cdc_input *in, const struct cdc_frame *fr,
    char *err, size_t errsz)
{
	int64_t v = 0;

	if (cdc_map_i64(&fr->map, "version", &v) == 0 &&
	    v > CDC_STREAM_VERSION) {
		snprintf(err, errsz, "%s: frame %ju: stream version %jd is "
		    "newer than %d", in->name, (uintmax_t)fr->no, (intmax_t)v,
		    CDC_STREAM_VERSION);
		return -1;
	}
	return 0;
}

int
cdc_input_next(struct cdc_input *in, struct cdc_frame *fr,
    struct cdc_event *ev, char *err, size_t errsz)
{
	char e[512];
	int rc;

	for (;;) {
		rc = cdc_frame_read(&in->r, fr, e, sizeof e);
		if (rc == 1)
			break;
		if (rc < 0) {
			snprintf(err, errsz, "%s: %s", in->name, e);
			return -1;
		}
		if (!in->files || in->cur + 1 >= in->nfiles)
			return 0;
		close_cur(in);
		in->cur++;
		if (open_cur(in, err, errsz) < 0)
			return -1;
	}
	if (cdc_event_parse(fr, ev, e, sizeof e) < 0) {
		snprintf(err, errsz, "%s: %s", in->name, e);
		return -1;
	}
	if (ev->type == CDC_EV_HEADER)
		return check_header(in, fr, err, errsz) < 0 ? -1 : 1;
	return 1;
}

void
cdc_input_frame_bytes(const struct cdc_frame *fr, char *dst)
{
	uint32_t n = (uint32_t)fr->len;

	dst[0] = (char)(n >> 24);
	dst[1] = (char)(n >> 16);
	dst[2] = (char)(n >> 8);
	dst[3] = (char)n;
	memcpy(dst + 4, fr->data, fr->len);
}

void
cdc_input_close(struct cdc_input *in)
{
	if (in->fd >= 0)
		close_cur(in);
}
