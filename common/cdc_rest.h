/*
 * cdc_rest.h - the one Milvus REST v2 client (milvus-rest.md): HTTP/1.1
 * keep-alive through libcurl, Milvus's {code, message, data} envelope, and
 * retries with exponential backoff and jitter for transient failures.
 * struct cdc_rest owns its curl handle and buffers (cdc_rest_fini());
 * a json_t returned through *data belongs to the caller (json_decref()).
 */
#ifndef CDC_REST_H
#define CDC_REST_H

#include <signal.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

enum cdc_rest_rc {
	CDC_REST_OK = 0,
	CDC_REST_PERMANENT = -1,	/* Milvus refused: do not retry */
	CDC_REST_TRANSIENT = -2,	/* retries exhausted */
	CDC_REST_STOPPED = -3		/* a signal came first: nothing sent */
};

struct cdc_rest_opts {
	const char *uri;		/* http(s)://host:19530 */
	const char *token;		/* "user:password" or an API key */
	const char *cacert;
	int insecure;
	double timeout;			/* seconds per request */
	int retry_max;
	double backoff;			/* first retry delay, seconds */
	int dry_run;			/* print requests, send nothing */
};

struct cdc_rest {
	struct cdc_rest_opts o;
	void *curl;
	struct curl_slist *hdrs;
	char *resp;
	size_t resp_len, resp_cap;
	long calls, retries;
	int last_code;			/* Milvus code of the last failure */
	/* Set by the caller after cdc_rest_init(), both optional: */
	FILE *dry_out;			/* where dry-run requests go (stdout) */
	/* Set by a signal handler: once it is non-zero, no new request and
	 * no further retry. */
	const volatile sig_atomic_t *stop;
};

int cdc_rest_init(struct cdc_rest *r, const struct cdc_rest_opts *o,
    char *err, size_t errsz);
void cdc_rest_fini(struct cdc_rest *r);
/*
 * POST body to path (e.g. "/v2/vectordb/collections/create").  Returns
 * CDC_REST_OK with *data set (may be NULL when data is NULL or absent), or
 * an error with err holding "code N: message" (a 404 names the Milvus
 * version the endpoint needs).  CDC_REST_STOPPED, when *r->stop was set
 * before the call, means nothing was sent (nor printed, with dry_run).
 */
int cdc_rest_call(struct cdc_rest *r, const char *path, const char *body,
    size_t len, json_t **data, char *err, size_t errsz);
/*
 * Judge one answer: HTTP status and body.  Returns CDC_REST_OK (with *data
 * as in cdc_rest_call()), CDC_REST_PERMANENT or CDC_REST_TRANSIENT with err
 * filled; *code gets Milvus's code (0 when the body has none).  Success is
 * code 0 in the body, whatever the status; 5xx, 408 and the busy codes of
 * milvus-rest.md section 1.6 are transient.
 */
int cdc_rest_judge(long status, const char *path, const char *body,
    size_t len, json_t **data, int *code, char *err, size_t errsz);
/* Is a Milvus code worth retrying?  1 or 0. */
int cdc_rest_transient(int code);
/* The first Milvus release that serves path ("2.5.4"...), for 404s. */
const char *cdc_rest_needs(const char *path);
/*
 * Seconds to wait before retry number `attempt` (0-based): base doubled per
 * attempt, capped at 30 s, times a jitter factor in [0.5, 1) from u in [0, 1).
 */
double cdc_rest_backoff(double base, int attempt, double u);

#endif
