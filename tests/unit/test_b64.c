/* test_b64.c - base64 against RFC 4648's test vectors, and bad input. */
#include "cdc_b64.h"
#include "t.h"

T_TEST(b64_rfc4648)
{
	static const char *const v[][2] = {
		{"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"},
		{"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="},
		{"foobar", "Zm9vYmFy"},
	};
	char enc[16], dec[16];

	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		size_t n = strlen(v[i][0]);

		cdc_b64_encode(v[i][0], n, enc);
		T_EQ_MEM(enc, cdc_b64_encoded_len(n), v[i][1], strlen(v[i][1]));
		T_EQ_INT(cdc_b64_decode(v[i][1], strlen(v[i][1]), dec),
		    (long)n);
		T_EQ_MEM(dec, n, v[i][0], n);
	}
	T_EQ_INT(cdc_b64_decode("Zm9", 3, dec), -1);
	T_EQ_INT(cdc_b64_decode("Zm!v", 4, dec), -1);
}
