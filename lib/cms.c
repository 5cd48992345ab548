// SPDX-License-Identifier: GPL-2.0-only
/* Detached CMS signatures with OpenSSL: one signer, no certificates, no
 * signed attributes (what the kernel's module loader accepts). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "cms.h"
#include "log.h"

/* The first OpenSSL error, or a fallback, for a one-line message. */
static const char *ssl_reason(void)
{
	unsigned long e = ERR_peek_error();
	const char *r = e ? ERR_reason_error_string(e) : NULL;

	return r ? r : "unknown OpenSSL error";
}

static EVP_PKEY *load_key(const char *path)
{
	EVP_PKEY *key = NULL;
	BIO *b = BIO_new_file(path, "rb");

	if (!b) {
		lpb_err("cannot open key %s: %s", path, strerror(errno));
		return NULL;
	}
	key = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
	if (!key) {
		BIO_reset(b);
		key = d2i_PrivateKey_bio(b, NULL);
	}
	if (!key)
		lpb_err("%s holds no private key (PEM or DER): %s", path, ssl_reason());
	BIO_free(b);
	return key;
}

static X509 *load_cert(const char *path, int quiet)
{
	X509 *x = NULL;
	BIO *b = BIO_new_file(path, "rb");

	if (!b) {
		if (!quiet)
			lpb_err("cannot open certificate %s: %s", path, strerror(errno));
		return NULL;
	}
	x = PEM_read_bio_X509(b, NULL, NULL, NULL);
	if (!x) {
		BIO_reset(b);
		x = d2i_X509_bio(b, NULL);
	}
	if (!x && !quiet)
		lpb_err("%s holds no X.509 certificate (PEM or DER)", path);
	BIO_free(b);
	return x;
}

int lpb_cms_sign(const void *data, size_t len, const char *key_path, const char *cert_path,
		 const char *hash, uint8_t **der, size_t *der_len)
{
	const unsigned int flags = CMS_NOCERTS | CMS_BINARY | CMS_NOSMIMECAP | CMS_NOATTR;
	const EVP_MD *md = EVP_get_digestbyname(hash ? hash : "sha256");
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	CMS_ContentInfo *cms = NULL;
	BIO *in = NULL, *out = NULL;
	BUF_MEM *mem;
	int ret = -EINVAL;

	*der = NULL;
	if (!md) {
		lpb_err("unknown digest '%s'", hash);
		return -EINVAL;
	}
	key = load_key(key_path);
	cert = key ? load_cert(cert_path, 0) : NULL;
	if (!key || !cert)
		goto out;
	if (X509_check_private_key(cert, key) != 1) {
		lpb_err("key %s does not belong to certificate %s", key_path, cert_path);
		goto out;
	}
	in = BIO_new_mem_buf(data, (int)len);
	cms = CMS_sign(NULL, NULL, NULL, NULL,
		       CMS_NOCERTS | CMS_PARTIAL | CMS_BINARY | CMS_DETACHED | CMS_STREAM);
	if (!in || !cms || !CMS_add1_signer(cms, cert, key, md, flags) ||
	    CMS_final(cms, in, NULL, CMS_NOCERTS | CMS_BINARY) != 1) {
		lpb_err("signing with %s failed: %s", key_path, ssl_reason());
		goto out;
	}
	out = BIO_new(BIO_s_mem());
	if (!out || i2d_CMS_bio(out, cms) != 1) {
		lpb_err("cannot encode the signature: %s", ssl_reason());
		goto out;
	}
	BIO_get_mem_ptr(out, &mem);
	*der = malloc(mem->length ? mem->length : 1);
	if (!*der) {
		ret = -ENOMEM;
		goto out;
	}
	memcpy(*der, mem->data, mem->length);
	*der_len = mem->length;
	ret = 0;
out:
	BIO_free(out);
	BIO_free(in);
	CMS_ContentInfo_free(cms);
	X509_free(cert);
	EVP_PKEY_free(key);
	ERR_clear_error();
	return ret;
}

int lpb_cms_verify(const void *data, size_t len, const uint8_t *sig, size_t sig_len,
		   const char *const *cert_paths, char *why, size_t why_len)
{
	STACK_OF(X509) *certs = sk_X509_new_null();
	CMS_ContentInfo *cms = NULL;
	BIO *sbio = NULL, *content = NULL, *mem = NULL;
	int ret = -EKEYREJECTED;

	for (const char *const *p = cert_paths; certs && p && *p; p++) {
		X509 *x = load_cert(*p, 1);

		if (x && !sk_X509_push(certs, x))
			X509_free(x);
	}
	if (!certs || sk_X509_num(certs) == 0) {
		if (why)
			snprintf(why, why_len, "no trusted certificate is configured");
		goto out;
	}
	sbio = BIO_new_mem_buf(sig, (int)sig_len);
	cms = sbio ? d2i_CMS_bio(sbio, NULL) : NULL;
	if (!cms) {
		ret = -EBADMSG;
		if (why)
			snprintf(why, why_len, "signature is not a valid PKCS#7 message");
		goto out;
	}
	/*
	 * The content goes through a buffering BIO, not a bare memory BIO:
	 * given a memory BIO, OpenSSL 3.0's CMS_verify copies it into a BIO of
	 * its own, which it leaks when the signature names a digest it cannot
	 * set up (found by fuzz-modsign).
	 */
	mem = BIO_new_mem_buf(data, (int)len);
	content = mem ? BIO_new(BIO_f_buffer()) : NULL;
	if (content) {
		BIO_push(content, mem);
		mem = NULL;
	}
	/* Trust is "signed by one of these certificates", not a chain. */
	if (content && CMS_verify(cms, certs, NULL, content, NULL,
				  CMS_BINARY | CMS_NOINTERN | CMS_NO_SIGNER_CERT_VERIFY) == 1)
		ret = 0;
	else if (why)
		snprintf(why, why_len,
			 "signature does not verify against the trusted certificates (%s)",
			 ssl_reason());
out:
	BIO_free(mem);
	BIO_free_all(content);
	BIO_free(sbio);
	CMS_ContentInfo_free(cms);
	sk_X509_pop_free(certs, X509_free);
	ERR_clear_error();
	return ret;
}
