// SPDX-License-Identifier: GPL-2.0-only
/* Guest probe for real-fixes/settimeofday-usec: settimeofday() with
 * tv_usec == 1000000, which the fixed kernel refuses with EINVAL. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>

int main(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	tv.tv_usec = 1000000;
	if (settimeofday(&tv, NULL) == 0)
		puts("accepted");
	else
		printf("refused %s\n", errno == EINVAL ? "EINVAL" : strerror(errno));
	return 0;
}
