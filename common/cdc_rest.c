/* cdc_rest.c - see cdc_rest.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "cdc_rest.h"
#include "cdc_util.h"

/* Milvus codes worth retrying (milvus-rest.md §1.6, §11). */
static int
transient_code(int code)
{
	static const int codes[] = {1, 2, 3, 4, 7, 8, 9, 103, 1807, 10001};

	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
		if (codes[i] == code)
			return 1;
	return 0;
}

/* The first Milvus version that serves an endpoint (for 404s). */
static const char *
needs_version(const char *path)
{
	static const struct {
		const char *prefix, *version;
	} v[] = {
		{"/v2/vectordb/collections/flush", "2.5.4"},
		{"/v2/vectordb/collections/alter_properties", "2.5.4"},
		{"/v2/vectordb/collections/drop_properties", "2.5.4"},
		{"/v2/vectordb/indexes/alter_properties", "2.5.4"},
		{"/v2/vectordb/databases/drop_properties", "2.5.4"},
		{"/v2/vectordb/databases/", "2.5.0"},
		{"/v2/vectordb/", "2.4.0"},
	};

	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
		if (!strncmp(path, v[i].prefix, strlen(v[i].prefix)))
			return v[i].version;
	return "2.4.0";
}

static size_t
on_body(char *p, size_t size, size_t n, void *opaque)
{
	struct cdc_rest *r = opaque;
	size_t len = size * n;

	if (r->resp_len + len + 1 > r->resp_cap) {
		r->resp_cap = (r->resp_len + len + 1) * 2;
		r->resp = cdc_xrealloc(r->resp, r->resp_cap);
	}
	memcpy(r->resp + r->resp_len, p, len);
	r->resp_len += len;
	r->resp[r->resp_len] = '\0';
	return len;
}

int
cdc_rest_init(struct cdc_rest *r, const struct cdc_rest_opts *o, char *err,
    size_t errsz)
{
	char auth[1024];

	memset(r, 0, sizeof *r);
	r->o = *o;
	if (o->dry_run)
		return 0;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (!(r->curl = curl_easy_init())) {
		snprintf(err, errsz, "cannot start libcurl");
		return -1;
	}
	r->hdrs = curl_slist_append(NULL, "Content-Type: application/json");
	r->hdrs = curl_slist_append(r->hdrs, "Expect:");
	r->hdrs = curl_slist_append(r->hdrs, "Accept-Type-Allow-Int64: true");
	if (o->token) {
		snprintf(auth, sizeof auth, "Authorization: Bearer %s", o->token);
		r->hdrs = curl_slist_append(r->hdrs, auth);
	}
	curl_easy_setopt(r->curl, CURLOPT_HTTPHEADER, r->hdrs);
	curl_easy_setopt(r->curl, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
	curl_easy_setopt(r->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(r->curl, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(r->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(r->curl, CURLOPT_TIMEOUT_MS,
	    (long)(o->timeout * 1000 + 5000));
	if (o->cacert)
		curl_easy_setopt(r->curl, CURLOPT_CAINFO, o->cacert);
	if (o->insecure) {
		curl_easy_setopt(r->curl, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(r->curl, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	return 0;
}

void
cdc_rest_fini(struct cdc_rest *r)
{
	if (r->curl)
		curl_easy_cleanup(r->curl);
	curl_slist_free_all(r->hdrs);
	free(r->resp);
	memset(r, 0, sizeof *r);
}

/* One attempt: 0 ok, -1 permanent, -2 transient; err filled on failure. */
static int
attempt(struct cdc_rest *r, const char *url, const char *path,
    const char *body, size_t len, json_t **data, char *err, size_t errsz)
{
	long status = 0;
	CURLcode cc;
	json_t *j, *code;
	json_error_t je;

	r->resp_len = 0;
	curl_easy_setopt(r->curl, CURLOPT_URL, url);
	curl_easy_setopt(r->curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(r->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	r->calls++;
	if ((cc = curl_easy_perform(r->curl)) != CURLE_OK) {
		snprintf(err, errsz, "%s", curl_easy_strerror(cc));
		return -2;
	}
	curl_easy_getinfo(r->curl, CURLINFO_RESPONSE_CODE, &status);
	if (status == 404) {
		snprintf(err, errsz, "%s not found: it needs Milvus %s or later",
		    path, needs_version(path));
		return -1;
	}
	if (status >= 500 || status == 408) {
		snprintf(err, errsz, "HTTP %ld", status);
		return -2;
	}
	j = json_loadb(r->resp ? r->resp : "", r->resp_len, 0, &je);
	code = j ? json_object_get(j, "code") : NULL;
	if (!json_is_integer(code)) {
		snprintf(err, errsz, "HTTP %ld: not a Milvus response", status);
		json_decref(j);
		return status == 401 || status == 403 ? -1 : -2;
	}
	r->last_code = (int)json_integer_value(code);
	if (r->last_code != 0) {
		snprintf(err, errsz, "code %d: %s", r->last_code,
		    json_string_value(json_object_get(j, "message")) ?
		    json_string_value(json_object_get(j, "message")) : "");
		json_decref(j);
		return transient_code(r->last_code) ? -2 : -1;
	}
	if (data) {
		*data = json_object_get(j, "data");
		json_incref(*data);
	}
	json_decref(j);
	return 0;
}

static void
sleep_s(double s)
{
	struct timespec ts = {(time_t)s, (long)((s - floor(s)) * 1e9)};

	nanosleep(&ts, NULL);
}

int
cdc_rest_call(struct cdc_rest *r, const char *path, const char *body,
    size_t len, json_t **data, char *err, size_t errsz)
{
	char url[2048];
	double delay = r->o.backoff > 0 ? r->o.backoff : 0.1;
	int rc;

	if (data)
		*data = NULL;
	if (r->o.dry_run) {
		printf("POST %s %.*s\n", path, (int)len, body);
		return CDC_REST_OK;
	}
	snprintf(url, sizeof url, "%s%s", r->o.uri, path);
	for (int i = 0;; i++) {
		rc = attempt(r, url, path, body, len, data, err, errsz);
		if (rc != -2 || i >= r->o.retry_max)
			break;
		r->retries++;
		/* Exponential backoff with full jitter, capped at 30 s. */
		sleep_s(fmin(30, delay * (1 << (i < 16 ? i : 16))) *
		    (0.5 + (double)rand() / RAND_MAX / 2));
	}
	return rc;
}
