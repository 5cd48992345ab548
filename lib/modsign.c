// SPDX-License-Identifier: GPL-2.0-only
/* Kernel module signatures with OpenSSL CMS: a detached PKCS#7 without
 * certificates or signed attributes, exactly what the module loader parses. */
#include <arpa/inet.h>
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

#include "log.h"
#include "modsign.h"

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
		lpb_err("%s holds no private key (PEM or DER): %s", path,
			ssl_reason());
	BIO_free(b);
	return key;
}

static X509 *load_cert(const char *path, int quiet)
{
	X509 *x = NULL;
	BIO *b = BIO_new_file(path, "rb");

	if (!b) {
		if (!quiet)
			lpb_err("cannot open certificate %s: %s", path,
				strerror(errno));
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

int modsign_sign(const uint8_t *data, size_t len, const char *key_path, const char *cert_path,
		 const char *hash, uint8_t **out, size_t *out_len)
{
	const unsigned int flags = CMS_NOCERTS | CMS_BINARY | CMS_NOSMIMECAP | CMS_NOATTR;
	struct modsign_info info = { .id_type = MODSIGN_PKEY_ID_PKCS7 };
	const EVP_MD *md = EVP_get_digestbyname(hash ? hash : "sha256");
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	CMS_ContentInfo *cms = NULL;
	BIO *in = NULL, *der = NULL;
	BUF_MEM *sig;
	uint8_t *buf;
	int ret = -EINVAL;

	*out = NULL;
	if (!md) {
		lpb_err("unknown digest '%s'", hash);
		return -EINVAL;
	}
	key = load_key(key_path);
	cert = key ? load_cert(cert_path, 0) : NULL;
	if (!key || !cert)
		goto out;
	if (X509_check_private_key(cert, key) != 1) {
		lpb_err("key %s does not belong to certificate %s", key_path,
			cert_path);
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
	der = BIO_new(BIO_s_mem());
	if (!der || i2d_CMS_bio(der, cms) != 1) {
		lpb_err("cannot encode the signature: %s", ssl_reason());
		goto out;
	}
	BIO_get_mem_ptr(der, &sig);

	buf = malloc(len + sig->length + sizeof(info) + MODSIGN_MAGIC_LEN);
	if (!buf) {
		ret = -ENOMEM;
		goto out;
	}
	info.sig_len = htonl((uint32_t)sig->length);
	memcpy(buf, data, len);
	memcpy(buf + len, sig->data, sig->length);
	memcpy(buf + len + sig->length, &info, sizeof(info));
	memcpy(buf + len + sig->length + sizeof(info), MODSIGN_MAGIC, MODSIGN_MAGIC_LEN);
	*out = buf;
	*out_len = len + sig->length + sizeof(info) + MODSIGN_MAGIC_LEN;
	ret = 0;
out:
	BIO_free(der);
	BIO_free(in);
	CMS_ContentInfo_free(cms);
	X509_free(cert);
	EVP_PKEY_free(key);
	ERR_clear_error();
	return ret;
}

int modsign_is_signed(const uint8_t *data, size_t len)
{
	return len >= MODSIGN_MAGIC_LEN &&
	       !memcmp(data + len - MODSIGN_MAGIC_LEN, MODSIGN_MAGIC, MODSIGN_MAGIC_LEN);
}

int modsign_split(const uint8_t *data, size_t len, const char *name,
		  struct modsign_parts *parts)
{
	struct modsign_info info;
	size_t rest, sig_len;

	if (!modsign_is_signed(data, len))
		return -ENOENT;
	rest = len - MODSIGN_MAGIC_LEN;
	if (rest < sizeof(info)) {
		lpb_err("%s: signature trailer is truncated", name);
		return -EBADMSG;
	}
	memcpy(&info, data + rest - sizeof(info), sizeof(info));
	rest -= sizeof(info);
	sig_len = ntohl(info.sig_len);
	if (info.id_type != MODSIGN_PKEY_ID_PKCS7 || info.algo || info.hash ||
	    info.signer_len || info.key_id_len || info.pad[0] || info.pad[1] || info.pad[2]) {
		lpb_err("%s: signature trailer is not a PKCS#7 trailer", name);
		return -EBADMSG;
	}
	if (sig_len == 0 || sig_len > rest) {
		lpb_err("%s: signature length %zu does not fit the file", name,
			sig_len);
		return -EBADMSG;
	}
	parts->module_len = rest - sig_len;
	parts->sig = data + parts->module_len;
	parts->sig_len = sig_len;
	return 0;
}

int modsign_verify(const uint8_t *data, size_t len, const char *name,
		   const char *const *cert_paths, char *why, size_t why_len)
{
	STACK_OF(X509) *certs = sk_X509_new_null();
	struct modsign_parts parts;
	CMS_ContentInfo *cms = NULL;
	BIO *sig = NULL, *content = NULL;
	int ret;

	ret = modsign_split(data, len, name, &parts);
	if (ret) {
		if (why)
			snprintf(why, why_len, "%s", ret == -ENOENT ? "module is not signed" :
				 "signature trailer is malformed");
		goto out;
	}
	for (const char *const *p = cert_paths; p && *p; p++) {
		X509 *x = load_cert(*p, 1);

		if (x && !sk_X509_push(certs, x))
			X509_free(x);
	}
	ret = -EKEYREJECTED;
	if (sk_X509_num(certs) == 0) {
		if (why)
			snprintf(why, why_len, "no trusted certificate is configured");
		goto out;
	}
	sig = BIO_new_mem_buf(parts.sig, (int)parts.sig_len);
	cms = sig ? d2i_CMS_bio(sig, NULL) : NULL;
	if (!cms) {
		ret = -EBADMSG;
		if (why)
			snprintf(why, why_len, "signature is not a valid PKCS#7 message");
		goto out;
	}
	content = BIO_new_mem_buf(data, (int)parts.module_len);
	/* Trust is "signed by one of these certificates", not a chain. */
	if (CMS_verify(cms, certs, NULL, content, NULL,
		       CMS_BINARY | CMS_NOINTERN | CMS_NO_SIGNER_CERT_VERIFY) == 1) {
		ret = 0;
	} else if (why) {
		snprintf(why, why_len, "signature does not verify against the trusted "
			 "certificates (%s)", ssl_reason());
	}
out:
	BIO_free(content);
	BIO_free(sig);
	CMS_ContentInfo_free(cms);
	sk_X509_pop_free(certs, X509_free);
	ERR_clear_error();
	return ret;
}
