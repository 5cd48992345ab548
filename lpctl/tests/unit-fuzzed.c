// SPDX-License-Identifier: GPL-2.0-only
/* Inputs the fuzzers (test-patches/fuzz) found trouble with, as in-process
 * tests: each is refused cleanly (and, under `make asan`, without a leak). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "manifest.h"
#include "modsign.h"
#include "repo-index.h"
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

/* fuzz-manifest: a module size beyond long long was converted anyway
 * (undefined behaviour); such a size is no size in bytes */
static void manifest_sizes(void)
{
	static const char *const sizes[] = { "-9223372036854775809e5", "1e999", "-1", "1.5",
					     "1e16" };
	struct manifest m;
	char text[400], why[200];

	for (size_t i = 0; i < sizeof(sizes) / sizeof(*sizes); i++) {
		snprintf(text, sizeof(text),
			 "{\"name\": \"lp_x\", \"target\": {\"release\": \"6.1.0\", "
			 "\"version\": \"#1\"}, \"module\": {\"sha256\": \"%064d\", \"size\": %s}}",
			 0, sizes[i]);
		CHECK(manifest_parse(text, strlen(text), &m, why, sizeof(why)) == -EBADMSG &&
			      strstr(why, "size"),
		      "size %s refused: %s", sizes[i], why);
	}
	snprintf(text, sizeof(text),
		 "{\"name\": \"lp_x\", \"target\": {\"release\": \"6.1.0\", \"version\": "
		 "\"#1\"}, \"module\": {\"sha256\": \"%064d\", \"size\": 12345}}",
		 0);
	CHECK(!manifest_parse(text, strlen(text), &m, why, sizeof(why)) && m.module_size == 12345,
	      "a real size: %s", why);
	manifest_free(&m);
}

/* the same class in the repository index: whole numbers are range-checked
 * before they are converted */
static void index_numbers(void)
{
	static const char *const serials[] = { "1e300", "-1e300", "1e999", "9.5" };
	struct repo_index idx;
	char text[400], why[300];

	for (size_t i = 0; i < sizeof(serials) / sizeof(*serials); i++) {
		snprintf(text, sizeof(text),
			 "{\"format\": \"lp-build-patch-repository\", \"format_version\": 1, "
			 "\"repository\": \"e69137775b977a479ae55d26f13edcf4\", \"serial\": %s, "
			 "\"published\": \"2026-01-01T00:00:00Z\", \"kernels\": []}",
			 serials[i]);
		CHECK(repo_index_parse(text, strlen(text), &idx, why, sizeof(why)) == -EBADMSG &&
			      strstr(why, "serial"),
		      "serial %s refused: %s", serials[i], why);
	}
}

void test_fuzzed(void)
{
	char *dir = xasprintf("%s/fuzzed", work);

	mkdir_p(dir, 0755);
	free(dir);
	unknown_digest();
	manifest_sizes();
	index_numbers();
}
