// SPDX-License-Identifier: GPL-2.0-only
/* Guest probe for real-fixes/pidfd-getfd-exiting: pidfd_getfd() on a zombie
 * child (a task that has passed PF_EXITING). The old kernel looks for the
 * file in the files table the task no longer has (EBADF); the fix refuses
 * an exiting task outright (ESRCH). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef __NR_pidfd_open
#define __NR_pidfd_open 434
#endif
#ifndef __NR_pidfd_getfd
#define __NR_pidfd_getfd 438
#endif

int main(void)
{
	pid_t child = fork();
	int pidfd, fd;

	if (child == 0)
		_exit(0);
	usleep(200000);		/* the child is a zombie now: not reaped */
	pidfd = syscall(__NR_pidfd_open, child, 0);
	if (pidfd < 0) {
		printf("pidfd_open failed %s\n", strerror(errno));
		return 1;
	}
	fd = syscall(__NR_pidfd_getfd, pidfd, 0, 0);
	if (fd >= 0)
		puts("got a file");
	else
		printf("refused %s\n", errno == ESRCH ? "ESRCH" :
		       errno == EBADF ? "EBADF" : strerror(errno));
	waitpid(child, NULL, 0);
	return 0;
}
