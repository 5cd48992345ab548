// SPDX-License-Identifier: GPL-2.0-only
/* Inputs the fuzzers (test-patches/fuzz) found trouble with, as in-process
 * tests: each is refused cleanly (and, under `make asan`, without a leak). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "modsign.h"
#include "trust.h"
#include "unit.h"
#include "verify.h"

/* fuzz-modsign: a signature naming a digest algorithm OpenSSL does not know
 * made CMS_verify leak the copy of the content it had made */
static void unknown_digest(void)
{
	static const uint8_t sha256_oid[] = { 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
					      0x65, 0x03, 0x04, 0x02, 0x01 };
	struct modspec good = { .name = "lp_fz", .livepatch = true, .replace = 1 };
	char *ko = xasprintf("%s/fuzzed/digest.ko", work), why[700], signer[600], sha[65];
	struct modsign_parts parts;
	struct strv certs = { 0 };
	uint8_t *d;
	size_t n;
	int changed = 0;

	make_module(ko, &good, &trusted, sha);
	read_path(ko, 1 << 20, &d, &n);
	CHECK(!modsign_split(d, n, ko, &parts), "split");
	for (size_t i = parts.module_len; i + sizeof(sha256_oid) <= n; i++) {
		if (!memcmp(d + i, sha256_oid, sizeof(sha256_oid))) {
			d[i + sizeof(sha256_oid) - 1] = 0x7f; /* 2.16.840.1.101.3.4.2.127 */
			changed++;
		}
	}
	CHECK(changed >= 1, "the signature names sha256 (%d)", changed);
	strv_add(&certs, trusted.cert);
	CHECK(trust_verify(d, n, ko, &certs, signer, sizeof(signer), why, sizeof(why)) == SIG_BAD,
	      "unknown digest refused: %s", why);
	const char *const one[] = { trusted.cert, NULL };

	CHECK(modsign_verify(d, n, ko, one, why, sizeof(why)) == -EKEYREJECTED,
	      "modsign_verify refuses it: %s", why);
	strv_free(&certs);
	free(d);
	free(ko);
}

void test_fuzzed(void)
{
	char *dir = xasprintf("%s/fuzzed", work);

	mkdir_p(dir, 0755);
	free(dir);
	unknown_digest();
}
