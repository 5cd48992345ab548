// SPDX-License-Identifier: GPL-2.0-only
/* Guest probe for real-fixes/authencesn-short-digest: binds an AF_ALG aead
 * socket to the algorithm named on the command line (instantiating it). */
#include <errno.h>
#include <linux/if_alg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

int main(int argc, char **argv)
{
	struct sockaddr_alg sa = { .salg_family = AF_ALG, .salg_type = "aead" };
	int fd;

	if (argc != 2)
		return 2;
	strncpy((char *)sa.salg_name, argv[1], sizeof(sa.salg_name) - 1);
	fd = socket(AF_ALG, SOCK_SEQPACKET, 0);
	if (fd < 0) {
		printf("socket failed %s\n", strerror(errno));
		return 1;
	}
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		puts("bound");
	else
		printf("refused %s\n", errno == EINVAL ? "EINVAL" :
		       errno == ENOENT ? "ENOENT" : strerror(errno));
	return 0;
}
