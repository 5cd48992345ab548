// SPDX-License-Identifier: GPL-2.0-only
/* Kernel module signatures: the detached PKCS#7 of lib/cms.c appended to the
 * module with the trailer and magic the kernel's module loader looks for. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cms.h"
#include "log.h"
#include "modsign.h"

int modsign_sign(const uint8_t *data, size_t len, const char *key_path, const char *cert_path,
		 const char *hash, uint8_t **out, size_t *out_len)
{
	struct modsign_info info = { .id_type = MODSIGN_PKEY_ID_PKCS7 };
	uint8_t *sig, *buf;
	size_t sig_len;
	int ret;

	*out = NULL;
	ret = lpb_cms_sign(data, len, key_path, cert_path, hash, &sig, &sig_len);
	if (ret)
		return ret;
	buf = malloc(len + sig_len + sizeof(info) + MODSIGN_MAGIC_LEN);
	if (!buf) {
		free(sig);
		return -ENOMEM;
	}
	info.sig_len = htonl((uint32_t)sig_len);
	memcpy(buf, data, len);
	memcpy(buf + len, sig, sig_len);
	memcpy(buf + len + sig_len, &info, sizeof(info));
	memcpy(buf + len + sig_len + sizeof(info), MODSIGN_MAGIC, MODSIGN_MAGIC_LEN);
	free(sig);
	*out = buf;
	*out_len = len + sig_len + sizeof(info) + MODSIGN_MAGIC_LEN;
	return 0;
}

int modsign_is_signed(const uint8_t *data, size_t len)
{
	return len >= MODSIGN_MAGIC_LEN &&
	       !memcmp(data + len - MODSIGN_MAGIC_LEN, MODSIGN_MAGIC, MODSIGN_MAGIC_LEN);
}

int modsign_split(const uint8_t *data, size_t len, const char *name, struct modsign_parts *parts)
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
	if (info.id_type != MODSIGN_PKEY_ID_PKCS7 || info.algo || info.hash || info.signer_len ||
	    info.key_id_len || info.pad[0] || info.pad[1] || info.pad[2]) {
		lpb_err("%s: signature trailer is not a PKCS#7 trailer", name);
		return -EBADMSG;
	}
	if (sig_len == 0 || sig_len > rest) {
		lpb_err("%s: signature length %zu does not fit the file", name, sig_len);
		return -EBADMSG;
	}
	parts->module_len = rest - sig_len;
	parts->sig = data + parts->module_len;
	parts->sig_len = sig_len;
	return 0;
}

int modsign_verify(const uint8_t *data, size_t len, const char *name, const char *const *cert_paths,
		   char *why, size_t why_len)
{
	struct modsign_parts parts;
	int ret = modsign_split(data, len, name, &parts);

	if (ret) {
		if (why)
			snprintf(why, why_len, "%s",
				 ret == -ENOENT ? "module is not signed" :
						  "signature trailer is malformed");
		return ret;
	}
	return lpb_cms_verify(data, parts.module_len, parts.sig, parts.sig_len, cert_paths, why,
			      why_len);
}
