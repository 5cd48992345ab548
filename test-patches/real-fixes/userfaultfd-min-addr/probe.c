// SPDX-License-Identifier: GPL-2.0-only
/* Guest probe for real-fixes/userfaultfd-min-addr: registers a page mapped
 * below mmap_min_addr with userfaultfd; the fixed kernel allows it. */
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
	void *want = (void *)0x8000;	/* below Debian's mmap_min_addr (65536) */
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { 0 };
	void *p;
	int fd;

	p = mmap(want, 4096, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (p != want) {
		printf("mmap failed %s\n", strerror(errno));
		return 1;
	}
	fd = syscall(__NR_userfaultfd, O_CLOEXEC);
	if (fd < 0 || ioctl(fd, UFFDIO_API, &api)) {
		printf("userfaultfd failed %s\n", strerror(errno));
		return 1;
	}
	reg.range.start = (unsigned long)p;
	reg.range.len = 4096;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	if (ioctl(fd, UFFDIO_REGISTER, &reg) == 0)
		puts("registered");
	else
		printf("refused %s\n", errno == EINVAL ? "EINVAL" : strerror(errno));
	return 0;
}
