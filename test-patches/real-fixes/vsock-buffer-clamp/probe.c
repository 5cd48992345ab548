// SPDX-License-Identifier: GPL-2.0-only
/* Guest probe for real-fixes/vsock-buffer-clamp: max 1024, then min 4096;
 * prints the buffer size the socket ends with (fixed kernel: the max). */
#include <errno.h>
#include <linux/vm_sockets.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

int main(void)
{
	uint64_t max = 1024, min = 4096, size = 0;
	socklen_t len = sizeof(size);
	int fd = socket(AF_VSOCK, SOCK_STREAM, 0);

	if (fd < 0) {
		printf("socket failed %s\n", strerror(errno));
		return 1;
	}
	if (setsockopt(fd, AF_VSOCK, SO_VM_SOCKETS_BUFFER_MAX_SIZE, &max, sizeof(max)) ||
	    setsockopt(fd, AF_VSOCK, SO_VM_SOCKETS_BUFFER_MIN_SIZE, &min, sizeof(min)) ||
	    getsockopt(fd, AF_VSOCK, SO_VM_SOCKETS_BUFFER_SIZE, &size, &len)) {
		printf("sockopt failed %s\n", strerror(errno));
		return 1;
	}
	printf("size %llu\n", (unsigned long long)size);
	return 0;
}
