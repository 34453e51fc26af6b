/*
 * cdc_b64.h - standard base64 (RFC 4648, padded).  Output buffers belong to
 * the caller; cdc_b64_encoded_len() says how big the encoder's must be.
 */
#ifndef CDC_B64_H
#define CDC_B64_H

#include <stddef.h>

static inline size_t
cdc_b64_encoded_len(size_t n)
{
	return (n + 2) / 3 * 4;
}

/* Encode n bytes of src into dst (cdc_b64_encoded_len(n) bytes, no NUL). */
void cdc_b64_encode(const void *src, size_t n, char *dst);
/*
 * Decode n chars of src into dst (at most n / 4 * 3 bytes).  Returns the
 * decoded length, or -1 on a character outside the alphabet or bad padding.
 */
long cdc_b64_decode(const char *src, size_t n, void *dst);

#endif
