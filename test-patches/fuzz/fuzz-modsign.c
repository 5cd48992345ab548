// SPDX-License-Identifier: GPL-2.0-only
/* libFuzzer target for appended module signatures as lpctl checks them
 * (lib/modsign.c's trailer split, lpctl/trust.c's PKCS#7 reading) against
 * a trusted certificate the seed script made ($LPB_FUZZ_CERT). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "modsign.h"
#include "trust.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct strv certs;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *cert = getenv("LPB_FUZZ_CERT");

	/* without it, only the paths up to "no trusted certificate" run */
	if (cert && !access(cert, R_OK))
		strv_add(&certs, cert);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct modsign_parts parts;
	char signer[600], why[700];
	enum sig_status st;
	int ret;

	ret = modsign_split(data, size, "fuzz.ko", &parts);
	if (ret == 0) {
		if (parts.sig != data + parts.module_len ||
		    parts.module_len + parts.sig_len + sizeof(struct modsign_info) +
				    MODSIGN_MAGIC_LEN != size)
			abort();
	} else if (ret != -ENOENT && ret != -EBADMSG) {
		abort();
	}
	if ((ret == -ENOENT) != !modsign_is_signed(data, size))
		abort();
	st = trust_verify(data, size, "fuzz.ko", &certs, signer, sizeof(signer), why,
			  sizeof(why));
	if (st > SIG_BAD || (st == SIG_UNSIGNED) != (ret == -ENOENT))
		abort();
	if (st == SIG_OK) {
		const char *const one[] = { certs.v[0], NULL };

		if (!*signer || modsign_verify(data, size, "fuzz.ko", one, NULL, 0))
			abort();
	}
	return 0;
}
