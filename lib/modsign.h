/* SPDX-License-Identifier: GPL-2.0-only */
/* Kernel module signatures: create, find and verify the appended PKCS#7
 * signature the kernel's module loader checks (see module_signature.h). */
#ifndef LPB_MODSIGN_H
#define LPB_MODSIGN_H

#include <stddef.h>
#include <stdint.h>

#define MODSIGN_MAGIC "~Module signature appended~\n"
#define MODSIGN_MAGIC_LEN (sizeof(MODSIGN_MAGIC) - 1)
#define MODSIGN_PKEY_ID_PKCS7 2

/* The 12-byte trailer the kernel reads just before the magic. */
struct modsign_info {
	uint8_t algo; /* 0 for PKCS#7 */
	uint8_t hash; /* 0 for PKCS#7 */
	uint8_t id_type; /* MODSIGN_PKEY_ID_PKCS7 */
	uint8_t signer_len; /* 0 for PKCS#7 */
	uint8_t key_id_len; /* 0 for PKCS#7 */
	uint8_t pad[3];
	uint32_t sig_len; /* big-endian length of the PKCS#7 blob */
};

/* Where a signed module splits into payload and signature. */
struct modsign_parts {
	size_t module_len; /* bytes covered by the signature */
	const uint8_t *sig; /* the DER PKCS#7 blob, inside the caller's buffer */
	size_t sig_len;
};

/*
 * Sign @len bytes of @data with the private key in @key_path and the X.509
 * certificate in @cert_path (PEM, or one PEM holding both), digest @hash
 * ("sha256", "sha384", "sha512"). On success *@out is a malloc'd buffer of
 * data + signature + trailer + magic, ready to be written as the module.
 */
int modsign_sign(const uint8_t *data, size_t len, const char *key_path, const char *cert_path,
		 const char *hash, uint8_t **out, size_t *out_len);

/* 1 if @data ends with the signature magic, 0 if not. */
int modsign_is_signed(const uint8_t *data, size_t len);

/*
 * Split a signed module. Returns 0, -ENOENT when there is no signature,
 * -EBADMSG when the trailer is malformed (@name is used in messages).
 */
int modsign_split(const uint8_t *data, size_t len, const char *name,
		  struct modsign_parts *parts);

/*
 * Verify the signature of @data against the PEM or DER certificates in
 * @cert_paths (NULL-terminated). Returns 0 when one of them signed the
 * module, -ENOENT when unsigned, -EKEYREJECTED when the signature is bad
 * or from an unknown signer, -EBADMSG when malformed; on failure writes
 * a one-line reason into @why (size @why_len) when it is not NULL.
 */
int modsign_verify(const uint8_t *data, size_t len, const char *name,
		   const char *const *cert_paths, char *why, size_t why_len);

#endif /* LPB_MODSIGN_H */
