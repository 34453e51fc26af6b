/* cdc_b64.c - see cdc_b64.h. */
#include <stdint.h>

#include "cdc_b64.h"

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void
cdc_b64_encode(const void *src, size_t n, char *dst)
{
	const unsigned char *s = src;
	size_t i = 0;

	for (; i + 3 <= n; i += 3, dst += 4) {
		uint32_t v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 |
		    s[i + 2];

		dst[0] = alphabet[v >> 18];
		dst[1] = alphabet[(v >> 12) & 63];
		dst[2] = alphabet[(v >> 6) & 63];
		dst[3] = alphabet[v & 63];
	}
	if (i < n) {
		uint32_t v = (uint32_t)s[i] << 16 |
		    (i + 1 < n ? (uint32_t)s[i + 1] << 8 : 0);

		dst[0] = alphabet[v >> 18];
		dst[1] = alphabet[(v >> 12) & 63];
		dst[2] = i + 1 < n ? alphabet[(v >> 6) & 63] : '=';
		dst[3] = '=';
	}
}

static int
value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

long
cdc_b64_decode(const char *src, size_t n, void *dst)
{
	unsigned char *d = dst;
	size_t pad = 0, out = 0;

	if (n % 4 != 0)
		return -1;
	if (n > 0 && src[n - 1] == '=')
		pad = n > 1 && src[n - 2] == '=' ? 2 : 1;
	for (size_t i = 0; i < n; i += 4) {
		uint32_t v = 0;
		int last = i + 4 == n;

		for (size_t j = 0; j < 4; j++) {
			int x = last && j >= 4 - pad ? 0 : value(src[i + j]);

			if (x < 0)
				return -1;
			v = v << 6 | (uint32_t)x;
		}
		d[out++] = (unsigned char)(v >> 16);
		if (!last || pad < 2)
			d[out++] = (unsigned char)(v >> 8);
		if (!last || pad < 1)
			d[out++] = (unsigned char)v;
	}
	return (long)out;
}
