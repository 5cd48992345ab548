// SPDX-License-Identifier: GPL-2.0-only
/* Trust store checks. lib/modsign.c verifies a signature against a set of
 * certificates; this file first finds *which* certificate the PKCS#7 names
 * (issuer + serial), so an unknown signer and altered bytes get different
 * answers. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "cms.h"
#include "modsign.h"
#include "trust.h"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int trust_list(const char *dir, struct strv *certs)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		char *p;
		struct stat st;

		if (e->d_name[0] == '.')
			continue;
		p = xasprintf("%s/%s", dir, e->d_name);
		if (!stat(p, &st) && S_ISREG(st.st_mode))
			strv_add(certs, p);
		free(p);
	}
	closedir(d);
	if (certs->n)
		qsort(certs->v, certs->n, sizeof(*certs->v), cmp_str);
	return 0;
}

static X509 *load_cert(const char *path)
{
	BIO *b = BIO_new_file(path, "rb");
	X509 *x;

	if (!b)
		return NULL;
	x = PEM_read_bio_X509(b, NULL, NULL, NULL);
	if (!x) {
		BIO_reset(b);
		x = d2i_X509_bio(b, NULL);
	}
	BIO_free(b);
	return x;
}

/* @name as "CN=...,O=..." (RFC 2253) into @buf. */
static void name_str(X509_NAME *name, char *buf, size_t len)
{
	BIO *b = BIO_new(BIO_s_mem());
	int n;

	buf[0] = 0;
	if (!b)
		return;
	X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253);
	n = BIO_read(b, buf, (int)len - 1);
	buf[n > 0 ? n : 0] = 0;
	BIO_free(b);
}

/* "issuer 'CN=...', serial 0A1B..." of the signer. */
static void describe_signer(CMS_SignerInfo *si, char *buf, size_t len)
{
	ASN1_OCTET_STRING *keyid = NULL;
	X509_NAME *issuer = NULL;
	ASN1_INTEGER *serial = NULL;
	char name[256] = "?", ser[128] = "?";

	if (CMS_SignerInfo_get0_signer_id(si, &keyid, &issuer, &serial) == 1) {
		if (issuer)
			name_str(issuer, name, sizeof(name));
		if (serial) {
			BIGNUM *bn = ASN1_INTEGER_to_BN(serial, NULL);
			char *hex = bn ? BN_bn2hex(bn) : NULL;

			if (hex)
				snprintf(ser, sizeof(ser), "%s", hex);
			OPENSSL_free(hex);
			BN_free(bn);
		}
		if (keyid && !issuer)
			snprintf(name, sizeof(name), "(by key identifier)");
	}
	snprintf(buf, len, "issuer '%s', serial %s", name, ser);
}

enum sig_status trust_verify_detached(const void *content, size_t len, const uint8_t *sig,
				      size_t sig_len, const char *what, const struct strv *certs,
				      char *signer, size_t signer_len, char *why, size_t why_len)
{
	enum sig_status st = SIG_MALFORMED;
	CMS_ContentInfo *cms = NULL;
	STACK_OF(CMS_SignerInfo) * sis;
	CMS_SignerInfo *si;
	const char *match = NULL;
	X509 *match_x = NULL;
	size_t usable = 0;
	char who[400];
	BIO *b;

	signer[0] = 0;
	b = BIO_new_mem_buf(sig, (int)sig_len);
	cms = b ? d2i_CMS_bio(b, NULL) : NULL;
	BIO_free(b);
	sis = cms ? CMS_get0_SignerInfos(cms) : NULL;
	if (!sis || sk_CMS_SignerInfo_num(sis) != 1) {
		snprintf(why, why_len, "%s's signature is not a PKCS#7 message with one signer",
			 what);
		goto out;
	}
	si = sk_CMS_SignerInfo_value(sis, 0);
	describe_signer(si, who, sizeof(who));

	for (size_t i = 0; i < certs->n && !match; i++) {
		X509 *x = load_cert(certs->v[i]);

		if (!x)
			continue;
		usable++;
		if (CMS_SignerInfo_cert_cmp(si, x) == 0) {
			match = certs->v[i];
			match_x = x;
		} else {
			X509_free(x);
		}
	}
	if (!usable) {
		st = SIG_NO_TRUST;
		snprintf(why, why_len, "no trusted certificate is configured (signed by %s)", who);
		goto out;
	}
	if (!match) {
		st = SIG_UNTRUSTED;
		snprintf(why, why_len, "signed by a key that is not trusted (%s)", who);
		goto out;
	}
	const char *const one[] = { match, NULL };
	char reason[256];

	if (lpb_cms_verify(content, len, sig, sig_len, one, reason, sizeof(reason))) {
		st = SIG_BAD;
		snprintf(why, why_len,
			 "the signature does not match %s's content (changed after signing): %s",
			 what, reason);
		goto out;
	}
	name_str(X509_get_subject_name(match_x), who, sizeof(who));
	snprintf(signer, signer_len, "%s (%s)", who, match);
	st = SIG_OK;
out:
	X509_free(match_x);
	CMS_ContentInfo_free(cms);
	ERR_clear_error();
	return st;
}

enum sig_status trust_verify(const uint8_t *data, size_t len, const char *name,
			     const struct strv *certs, char *signer, size_t signer_len, char *why,
			     size_t why_len)
{
	struct modsign_parts parts;
	int ret;

	signer[0] = 0;
	ret = modsign_split(data, len, name, &parts);
	if (ret == -ENOENT) {
		snprintf(why, why_len, "the module is not signed");
		return SIG_UNSIGNED;
	}
	if (ret) {
		snprintf(why, why_len, "the module's signature trailer is malformed");
		return SIG_MALFORMED;
	}
	return trust_verify_detached(data, parts.module_len, parts.sig, parts.sig_len, "the module",
				     certs, signer, signer_len, why, why_len);
}
