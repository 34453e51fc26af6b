/*
 * cdc_render.h - render the rows of one event on the caller's thread and on
 * helper threads, and hand them back in row order.  A row is whatever the
 * caller's function writes into a key and a value buffer (cdc-write-kafka:
 * a Debezium key and envelope); the rows of an insert are independent, so
 * the helpers take chunks of them while the caller takes chunks too and
 * consumes finished rows in order.
 *
 * struct cdc_render owns its threads and buffers until cdc_render_fini().
 * The key and value views from cdc_render_next() stay valid until the next
 * call.  Each thread passes its own `arg` to the function (arg[0] the
 * caller's, arg[i] helper i's), so state a function changes is never shared.
 */
#ifndef CDC_RENDER_H
#define CDC_RENDER_H

#include <stddef.h>

#include "cdc_json.h"

/* Render row `row` into key and val (both empty on entry).  0, or -1 with
 * err (the row's data is bad). */
typedef int (*cdc_render_fn)(void *arg, size_t row, struct cdc_buf *key,
    struct cdc_buf *val, char *err, size_t errsz);

struct cdc_render;

/* A renderer with `helpers` threads besides the caller's (0: none, every
 * row rendered by the caller).  NULL, with err, when a thread cannot start. */
struct cdc_render *cdc_render_new(int helpers, char *err, size_t errsz);
void cdc_render_fini(struct cdc_render *r);
int cdc_render_helpers(const struct cdc_render *r);

/* Begin rows 0..nrows-1 with fn; args holds 1 + helpers pointers, which
 * must stay valid until cdc_render_next() has returned 0 or -1. */
void cdc_render_start(struct cdc_render *r, cdc_render_fn fn, void *const *args,
    size_t nrows);

/*
 * The next row in order: 1 with key and val; 0 after the last row; -1 with
 * err when that row could not be rendered (rows after it are dropped).
 * After 0 or -1 no helper touches the args or the event any more.
 */
int cdc_render_next(struct cdc_render *r, struct cdc_str *key,
    struct cdc_str *val, char *err, size_t errsz);
/* End the event early (the caller gives up on its other rows). */
void cdc_render_stop(struct cdc_render *r);

#endif
