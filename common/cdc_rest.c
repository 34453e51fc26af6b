/* cdc_rest.c - see cdc_rest.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "cdc_rest.h"
#include "cdc_util.h"

/* Milvus codes worth retrying (milvus-rest.md section 1.6, section 11). */
int
cdc_rest_transient(int code)
{
	static const int codes[] = {1, 2, 3, 4, 7, 8, 9, 103, 1807, 10001};

	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
		if (codes[i] == code)
			return 1;
	return 0;
}

/* The first Milvus version that serves an endpoint (for 404s). */
const char *
cdc_rest_needs(const char *path)
{
	static const struct {
		const char *prefix, *version;
	} v[] = {
		{"/v2/vectordb/collections/truncate", "2.6.11"},
		{"/v2/vectordb/collections/fields/add", "2.6.0"},
		{"/v2/vectordb/collections/fields/alter_properties", "2.5.4"},
		{"/v2/vectordb/collections/flush", "2.5.4"},
		{"/v2/vectordb/collections/refresh_load", "2.5.4"},
		{"/v2/vectordb/collections/alter_properties", "2.5.4"},
		{"/v2/vectordb/collections/drop_properties", "2.5.4"},
		{"/v2/vectordb/indexes/alter_properties", "2.5.4"},
		{"/v2/vectordb/indexes/drop_properties", "2.5.4"},
		{"/v2/vectordb/databases/drop_properties", "2.5.4"},
		{"/v2/vectordb/databases/", "2.5.0"},
		{"/v2/vectordb/", "2.4.0"},
	};

	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
		if (!strncmp(path, v[i].prefix, strlen(v[i].prefix)))
			return v[i].version;
	return "2.4.0";
}

double
cdc_rest_backoff(double base, int attempt, double u)
{
	double d = base * (double)(1u << (attempt < 16 ? attempt : 16));

	return fmin(30, d) * (0.5 + u / 2);
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
	/* Milvus's own deadline; curl's is a little longer (section 11). */
	snprintf(auth, sizeof auth, "Request-Timeout: %ld",
	    (long)(o->timeout > 1 ? o->timeout : 1));
	r->hdrs = curl_slist_append(r->hdrs, auth);
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
	    (long)(o->timeout * 1000 + (o->timeout < 10 ? 1000 : 5000)));
	curl_easy_setopt(r->curl, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)(o->timeout < 10 ? o->timeout * 1000 : 10000));
	curl_easy_setopt(r->curl, CURLOPT_TCP_KEEPALIVE, 1L);
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

int
cdc_rest_judge(long status, const char *path, const char *body, size_t len,
    json_t **data, int *code, char *err, size_t errsz)
{
	json_t *j, *c;
	const char *msg;

	*code = 0;
	if (status == 404) {
		snprintf(err, errsz, "%s not found: it needs Milvus %s or later",
		    path, cdc_rest_needs(path));
		return CDC_REST_PERMANENT;
	}
	j = json_loadb(body ? body : "", len, 0, NULL);
	c = j ? json_object_get(j, "code") : NULL;
	if (!json_is_integer(c)) {
		snprintf(err, errsz, "HTTP %ld: not a Milvus response", status);
		json_decref(j);
		return status >= 500 || status == 408 ? CDC_REST_TRANSIENT :
		    CDC_REST_PERMANENT;
	}
	*code = (int)json_integer_value(c);
	if (*code != 0) {
		msg = json_string_value(json_object_get(j, "message"));
		snprintf(err, errsz, "code %d: %s", *code, msg ? msg : "");
		json_decref(j);
		return cdc_rest_transient(*code) || status >= 500 ||
		    status == 408 ? CDC_REST_TRANSIENT : CDC_REST_PERMANENT;
	}
	if (data) {
		*data = json_object_get(j, "data");
		json_incref(*data);
	}
	json_decref(j);
	return CDC_REST_OK;
}

/* One attempt: see cdc_rest_judge(); a transport error is transient. */
static int
attempt(struct cdc_rest *r, const char *url, const char *path,
    const char *body, size_t len, json_t **data, char *err, size_t errsz)
{
	long status = 0;
	CURLcode cc;

	r->resp_len = 0;
	curl_easy_setopt(r->curl, CURLOPT_URL, url);
	curl_easy_setopt(r->curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(r->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	r->calls++;
	if ((cc = curl_easy_perform(r->curl)) != CURLE_OK) {
		snprintf(err, errsz, "%s", curl_easy_strerror(cc));
		r->last_code = 0;
		return CDC_REST_TRANSIENT;
	}
	curl_easy_getinfo(r->curl, CURLINFO_RESPONSE_CODE, &status);
	return cdc_rest_judge(status, path, r->resp, r->resp_len, data,
	    &r->last_code, err, errsz);
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
	size_t ulen;
	double delay = r->o.backoff > 0 ? r->o.backoff : 0.1;
	int rc;

	if (data)
		*data = NULL;
	if (r->stop && *r->stop) {	/* the stop came first: send nothing */
		snprintf(err, errsz, "stopped by a signal");
		r->last_code = 0;
		return CDC_REST_STOPPED;
	}
	if (r->o.dry_run) {
		fprintf(r->dry_out ? r->dry_out : stdout, "POST %s %.*s\n",
		    path, (int)len, body);
		return CDC_REST_OK;
	}
	ulen = strlen(r->o.uri);
	while (ulen > 0 && r->o.uri[ulen - 1] == '/')	/* "host:19530/" */
		ulen--;
	snprintf(url, sizeof url, "%.*s%s", (int)ulen, r->o.uri, path);
	for (int i = 0;; i++) {
		rc = attempt(r, url, path, body, len, data, err, errsz);
		if (rc != CDC_REST_TRANSIENT || i >= r->o.retry_max)
			break;
		if (r->stop && *r->stop)
			break;
		r->retries++;
		sleep_s(cdc_rest_backoff(delay, i, (double)rand() /
		    ((double)RAND_MAX + 1)));
		/* A signal cuts the wait short: do not start another try. */
		if (r->stop && *r->stop) {
			size_t n = strlen(err);

			snprintf(err + n, errsz - n, " (retries stopped by a "
			    "signal)");
			break;
		}
	}
	return rc;
}
