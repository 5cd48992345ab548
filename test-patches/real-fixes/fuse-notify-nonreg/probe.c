// SPDX-License-Identifier: GPL-2.0-only
/* Guest probe for real-fixes/fuse-notify-nonreg: a minimal FUSE server
 * (raw /dev/fuse, no libfuse) answers INIT, then sends FUSE_NOTIFY_STORE
 * for the root directory. The old fuse.ko stores the data into the
 * directory's page cache; the fix refuses with EINVAL. */
#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define MNT "/tmp/lpbfuse"

int main(void)
{
	char buf[FUSE_MIN_READ_BUFFER + 4096];
	struct fuse_in_header *in = (void *)buf;
	struct {
		struct fuse_out_header h;
		struct fuse_init_out init;
	} reply;
	struct {
		struct fuse_out_header h;
		struct fuse_notify_store_out st;
		char data[8];
	} note;
	char opts[128];
	ssize_t n;
	int fd;

	mkdir("/tmp", 0755);
	mkdir(MNT, 0755);
	fd = open("/dev/fuse", O_RDWR);
	if (fd < 0) {
		printf("open /dev/fuse failed %s\n", strerror(errno));
		return 1;
	}
	snprintf(opts, sizeof(opts), "fd=%d,rootmode=40000,user_id=0,group_id=0", fd);
	if (mount("lpbfuse", MNT, "fuse", MS_NOSUID | MS_NODEV, opts)) {
		printf("mount failed %s\n", strerror(errno));
		return 1;
	}
	n = read(fd, buf, sizeof(buf));
	if (n < (ssize_t)sizeof(*in) || in->opcode != FUSE_INIT) {
		printf("no FUSE_INIT (read %zd)\n", n);
		return 1;
	}
	memset(&reply, 0, sizeof(reply));
	reply.h.len = sizeof(reply);
	reply.h.unique = in->unique;
	reply.init.major = FUSE_KERNEL_VERSION;
	reply.init.minor = FUSE_KERNEL_MINOR_VERSION;
	reply.init.max_readahead = 4096;
	reply.init.max_write = 4096;
	if (write(fd, &reply, sizeof(reply)) != sizeof(reply)) {
		printf("INIT reply failed %s\n", strerror(errno));
		return 1;
	}
	memset(&note, 0, sizeof(note));
	note.h.len = sizeof(note);
	note.h.error = FUSE_NOTIFY_STORE;
	note.st.nodeid = FUSE_ROOT_ID;
	note.st.size = sizeof(note.data);
	memcpy(note.data, "lpbfuse", 8);
	if (write(fd, &note, sizeof(note)) == sizeof(note))
		puts("stored");
	else
		printf("refused %s\n", errno == EINVAL ? "EINVAL" : strerror(errno));
	umount2(MNT, MNT_DETACH);
	close(fd);
	return 0;
}
