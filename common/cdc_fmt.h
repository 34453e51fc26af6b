/*
 * cdc_fmt.h - numbers as JSON text: integers exactly, floats and doubles as
 * the shortest decimal that reads back to the same value (of those, the
 * nearest).  Each writes into a caller buffer of at least CDC_FMT_MAX bytes
 * and returns the length (no NUL); bytes after that length may have been
 * written too.
 *
 * Layout as JavaScript's Number#toString: fixed notation for
 * 1e-6 <= |x| < 1e21 ("0.000001", "123.5"), else "1e+21", "1.5e-7".  Values
 * with no fraction keep a float look: "1.0", "-0.0", "1e+21".  NaN and
 * infinities are not JSON: they are written as null (cdc_json counts them).
 */
#ifndef CDC_FMT_H
#define CDC_FMT_H

#include <stddef.h>
#include <stdint.h>

#define CDC_FMT_MAX 32

size_t cdc_fmt_i64(char *buf, int64_t v);
size_t cdc_fmt_u64(char *buf, uint64_t v);
/* Shortest round-trip float32: 0.1f -> "0.1", 1.0f -> "1.0", 1e21 -> "1e+21". */
size_t cdc_fmt_float(char *buf, float f);
size_t cdc_fmt_double(char *buf, double d);
/*
 * n little-endian float32 values at le, as cdc_fmt_float() writes each,
 * separated by commas (a FloatVector row without its brackets): the buffer
 * holds n * (CDC_FMT_MAX + 1) bytes.  NaN and infinities (written null) are
 * added to *nonfinite.  Returns the length.
 */
size_t cdc_fmt_floats(char *buf, const void *le, size_t n, size_t *nonfinite);

#endif
