// SPDX-License-Identifier: GPL-2.0-only
/* `lp-build keygen`: a module-signing key and self-signed certificate with
 * the extensions the kernel's keyring accepts for module signing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "keygen.h"
#include "util.h"

static int add_ext(X509 *cert, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx(&ctx, cert, cert, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (!ext)
		return -1;
	ok = X509_add_ext(cert, ext, -1);
	X509_EXTENSION_free(ext);
	return ok ? 0 : -1;
}

static int write_bio(const char *path, BIO *b, unsigned int mode)
{
	BUF_MEM *mem;

	BIO_get_mem_ptr(b, &mem);
	return write_file_atomic(path, mem->data, mem->length, mode);
}

int keygen(const char *dir, const char *subject, int days)
{
	EVP_PKEY *key = EVP_RSA_gen(4096);
	X509 *cert = X509_new();
	BIO *kb = BIO_new(BIO_s_mem()), *cb = BIO_new(BIO_s_mem()), *db = BIO_new(BIO_s_mem());
	char *kp = xasprintf("%s/signing_key.pem", dir);
	char *cp = xasprintf("%s/signing_cert.pem", dir);
	char *dp = xasprintf("%s/signing_cert.der", dir);
	X509_NAME *name;
	int ret = -1;

	if (!key || !cert || !kb || !cb || !db) {
		fprintf(stderr, "lp-build: keygen: cannot generate an RSA key: %s\n",
			ERR_reason_error_string(ERR_peek_error()));
		goto out;
	}
	if (mkdir_p(dir))
		goto out;
	if (path_exists(kp)) {
		fprintf(stderr, "lp-build: keygen: %s exists; refusing to overwrite a signing key\n",
			kp);
		goto out;
	}
	X509_set_version(cert, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(cert), (long)time(NULL));
	X509_gmtime_adj(X509_getm_notBefore(cert), 0);
	X509_gmtime_adj(X509_getm_notAfter(cert), (long)days * 24 * 3600);
	X509_set_pubkey(cert, key);
	name = X509_get_subject_name(cert);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)subject, -1,
				   -1, 0);
	X509_set_issuer_name(cert, name);
	if (add_ext(cert, NID_basic_constraints, "critical,CA:FALSE") ||
	    add_ext(cert, NID_key_usage, "digitalSignature") ||
	    add_ext(cert, NID_ext_key_usage, "codeSigning") ||
	    add_ext(cert, NID_subject_key_identifier, "hash") ||
	    add_ext(cert, NID_authority_key_identifier, "keyid") ||
	    !X509_sign(cert, key, EVP_sha256())) {
		fprintf(stderr, "lp-build: keygen: cannot build the certificate: %s\n",
			ERR_reason_error_string(ERR_peek_error()));
		goto out;
	}
	if (!PEM_write_bio_PrivateKey(kb, key, NULL, NULL, 0, NULL, NULL) ||
	    !PEM_write_bio_X509(cb, cert) || !i2d_X509_bio(db, cert))
		goto out;
	if (write_bio(kp, kb, 0600) || write_bio(cp, cb, 0644) || write_bio(dp, db, 0644))
		goto out;
	printf("%s\n%s\n%s\n", kp, cp, dp);
	ret = 0;
out:
	BIO_free(kb);
	BIO_free(cb);
	BIO_free(db);
	X509_free(cert);
	EVP_PKEY_free(key);
	free(kp);
	free(cp);
	free(dp);
	return ret;
}
