/* SPDX-License-Identifier: GPL-2.0-only */
/* Signatures (of modules, and of the patch repository's index) against
 * lpctl's own trust store (a directory of X.509 certificates), telling apart
 * unsigned, unknown signer and bad signature. */
#ifndef LPCTL_TRUST_H
#define LPCTL_TRUST_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

enum sig_status {
	SIG_OK,
	SIG_UNSIGNED, /* no appended signature */
	SIG_MALFORMED, /* a trailer or PKCS#7 blob that does not parse */
	SIG_NO_TRUST, /* no usable certificate in the trust directory */
	SIG_UNTRUSTED, /* signed by a key none of the certificates holds */
	SIG_BAD, /* signed by a trusted key, but the bytes do not match */
};

/* Regular files of @dir (sorted), the candidates for trusted certificates.
 * 0 (possibly none), or -errno when @dir cannot be read (-ENOENT: absent). */
int trust_list(const char *dir, struct strv *certs);

/*
 * Check the signature of the module in @data against @certs. On SIG_OK,
 * @signer gets the signing certificate's subject and file; otherwise @why
 * says what was wrong in one line (for SIG_UNTRUSTED: which issuer and
 * serial signed it).
 */
enum sig_status trust_verify(const uint8_t *data, size_t len, const char *name,
			     const struct strv *certs, char *signer, size_t signer_len, char *why,
			     size_t why_len);

/*
 * The same for a detached signature @sig over @len bytes of @content (the
 * repository's index); @what ("the index") names it in @why.
 */
enum sig_status trust_verify_detached(const void *content, size_t len, const uint8_t *sig,
				      size_t sig_len, const char *what, const struct strv *certs,
				      char *signer, size_t signer_len, char *why, size_t why_len);

#endif /* LPCTL_TRUST_H */
