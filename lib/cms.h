/* SPDX-License-Identifier: GPL-2.0-only */
/* Detached CMS (PKCS#7) signatures of a byte string, in the form the kernel's
 * module loader parses: used for module signatures and the patch repository's
 * signed index alike. */
#ifndef LPB_CMS_H
#define LPB_CMS_H

#include <stddef.h>
#include <stdint.h>

/*
 * Sign @len bytes of @data with the private key in @key_path and the X.509
 * certificate in @cert_path (PEM or DER; one PEM may hold both), digest
 * @hash ("sha256", "sha384", "sha512"; NULL: sha256). The signature is
 * detached DER, without certificates or signed attributes; the signer is
 * named by issuer and serial. 0 with *@der malloc'd, or -errno after a
 * message (lpb_err).
 */
int lpb_cms_sign(const void *data, size_t len, const char *key_path, const char *cert_path,
		 const char *hash, uint8_t **der, size_t *der_len);

/*
 * Verify the detached signature @sig over @data against the certificates
 * (PEM or DER files) in @cert_paths (NULL-terminated). Trust is "made by the
 * key of one of these certificates", not a chain; certificates inside the
 * signature are ignored. 0 when it verifies; -EBADMSG when @sig is not a
 * CMS message, -EKEYREJECTED otherwise, with a one-line reason in @why.
 */
int lpb_cms_verify(const void *data, size_t len, const uint8_t *sig, size_t sig_len,
		   const char *const *cert_paths, char *why, size_t why_len);

#endif /* LPB_CMS_H */
