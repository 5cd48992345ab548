// SPDX-License-Identifier: GPL-2.0-only
/* Guest probe for real-fixes/shm-orphan-lock: a System V segment whose
 * creator has exited, then kernel.shm_rmid_forced=1, which runs the patched
 * shm_try_destroy_orphaned() over every segment: the orphan must be gone. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	int pipefd[2], id = -1;
	struct shmid_ds ds;
	FILE *f;

	if (pipe(pipefd))
		return 1;
	if (fork() == 0) {
		id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
		write(pipefd[1], &id, sizeof(id));
		_exit(0);
	}
	read(pipefd[0], &id, sizeof(id));
	wait(NULL);
	if (id < 0 || shmctl(id, IPC_STAT, &ds)) {
		printf("no orphan segment %s\n", strerror(errno));
		return 1;
	}
	f = fopen("/proc/sys/kernel/shm_rmid_forced", "w");
	if (!f || fputs("1\n", f) < 0 || fclose(f)) {
		puts("cannot set shm_rmid_forced");
		return 1;
	}
	if (shmctl(id, IPC_STAT, &ds) == 0)
		puts("orphan kept");
	else
		puts(errno == EINVAL || errno == EIDRM ? "orphan destroyed" : strerror(errno));
	f = fopen("/proc/sys/kernel/shm_rmid_forced", "w");
	if (f) {
		fputs("0\n", f);
		fclose(f);
	}
	return 0;
}
