/* SPDX-License-Identifier: GPL-2.0-only */
/* `lp-build keygen`: a key and certificate for signing livepatch modules. */
#ifndef LPB_BUILD_KEYGEN_H
#define LPB_BUILD_KEYGEN_H

/* Write DIR/signing_key.pem (0600), DIR/signing_cert.pem and .der (for the
 * kernel's keyring or MOK); never overwrites a key. 0 or -1 + message. */
int keygen(const char *dir, const char *subject, int days);

#endif /* LPB_BUILD_KEYGEN_H */
