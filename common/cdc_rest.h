/*
 * cdc_rest.h - the one Milvus REST v2 client (milvus-rest.md): HTTP/1.1
 * keep-alive through libcurl, Milvus's {code, message, data} envelope, and
 * retries with exponential backoff and jitter for transient failures.
 * struct cdc_rest owns its curl handle and buffers (cdc_rest_fini());
 * a json_t returned through *data belongs to the caller (json_decref()).
 */
#ifndef CDC_REST_H
#define CDC_REST_H

#include <stddef.h>

#include <jansson.h>

enum cdc_rest_rc {
	CDC_REST_OK = 0,
	CDC_REST_PERMANENT = -1,	/* Milvus refused: do not retry */
	CDC_REST_TRANSIENT = -2		/* retries exhausted */
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
};

int cdc_rest_init(struct cdc_rest *r, const struct cdc_rest_opts *o,
    char *err, size_t errsz);
void cdc_rest_fini(struct cdc_rest *r);
/*
 * POST body to path (e.g. "/v2/vectordb/collections/create").  Returns
 * CDC_REST_OK with *data set (may be NULL when data is NULL or absent), or
 * an error with err holding "code N: message" (a 404 names the Milvus
 * version the endpoint needs).
 */
int cdc_rest_call(struct cdc_rest *r, const char *path, const char *body,
    size_t len, json_t **data, char *err, size_t errsz);

#endif
