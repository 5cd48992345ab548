// SPDX-License-Identifier: GPL-2.0-only
/* libFuzzer target for create-diff-object: a pair of objects (and options)
 * through the whole pipeline in-process, mutated field by field (pair.h). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cdo.h"
#include "elf-mutate.h"
#include "exit-codes.h"
#include "json.h"
#include "pair.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max, unsigned int seed);
size_t LLVMFuzzerCustomCrossOver(const uint8_t *d1, size_t s1, const uint8_t *d2, size_t s2,
				 uint8_t *out, size_t max, unsigned int seed);
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);

/* where the pipeline writes: a private directory, set up once, in memory
 * where there is /dev/shm (a write, rename and unlink per execution) */
static char out_dir[64];
static char out_path[64], json_path[64];
static FILE *devnull;

static void remove_out_dir(void)
{
	unlink(out_path);
	unlink(json_path);
	rmdir(out_dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	snprintf(out_dir, sizeof(out_dir), "%s/lpb-fuzz-cdo.XXXXXX",
		 access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm");
	if (!mkdtemp(out_dir) || !(devnull = fopen("/dev/null", "w"))) {
		perror("fuzz-cdo: setup");
		exit(1);
	}
	snprintf(out_path, sizeof(out_path), "%s/out.o", out_dir);
	snprintf(json_path, sizeof(json_path), "%s/out.json", out_dir);
	atexit(remove_out_dir);
	return 0;
}

/* A memfd holding @n bytes, its /proc path in @path; -1 on failure. */
static int memfd_path(const uint8_t *d, size_t n, char path[32])
{
	int fd = memfd_create("fuzz-cdo", 0);

	if (fd < 0)
		return -1;
	if (write(fd, d, n) != (ssize_t)n) {
		close(fd);
		return -1;
	}
	snprintf(path, 32, "/proc/self/fd/%d", fd);
	return fd;
}

/* What create-diff-object says it wrote must be readable by its readers. */
static void check_outputs(int code)
{
	struct lpb_elf *e;
	char why[160], *text = NULL;
	struct stat st;
	size_t len = 0;
	FILE *f;

	if (code == LPB_EXIT_OK) {
		e = lpb_elf_open(out_path, 0);
		if (!e || e->ehdr.e_type != ET_REL || !e->symtab) {
			fprintf(stderr, "fuzz-cdo: exit 0 but the output does not read back\n");
			abort();
		}
		lpb_elf_free(e);
	}
	f = fopen(json_path, "r");
	if (!f)
		return;
	/* sized to the file: a large buffer per run costs ASan more than the run */
	if (!fstat(fileno(f), &st) && st.st_size > 0 && (text = malloc(st.st_size)))
		len = fread(text, 1, st.st_size, f);
	fclose(f);
	if (text && len) {
		struct json *j = json_parse(text, len, why, sizeof(why));

		if (!j) {
			fprintf(stderr, "fuzz-cdo: the --json report does not parse: %s\n", why);
			abort();
		}
		json_free(j);
	}
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char orig[32], patched[32], symvers[32];
	struct cdo_opts o = { .out = out_path, .json = json_path };
	struct cdo c = { 0 };
	int fds[3] = { -1, -1, -1 }, code;
	struct pair p;

	pair_unpack(data, size, &p);
	fds[0] = memfd_path(p.part[0], p.len[0], orig);
	fds[1] = memfd_path(p.part[1], p.len[1], patched);
	if (p.flags & PAIR_SYMVERS)
		fds[2] = memfd_path(p.part[2], p.len[2], symvers);
	if (fds[0] < 0 || fds[1] < 0 || ((p.flags & PAIR_SYMVERS) && fds[2] < 0))
		goto out;
	o.orig = orig;
	o.patched = patched;
	if (p.flags & PAIR_PARENT_ORIG)
		o.parent = orig;
	if (p.flags & PAIR_SYMVERS)
		o.symvers = symvers;
	if (p.flags & PAIR_MODULE)
		o.parent_name = "mymod";
	if (p.flags & PAIR_BUG_ENTSIZE) {
		o.entsizes[0].section = "__bug_table";
		o.entsizes[0].size = 12;
		o.nr_entsizes = 1;
	}
	unlink(out_path);
	unlink(json_path);
	c.opts = &o;
	c.objname = o.parent_name ? o.parent_name : "vmlinux";
	code = cdo_run(&c);
	if (cdo_report(&c, code, devnull) && code == LPB_EXIT_OK)
		code = LPB_EXIT_ERROR;
	cdo_free(&c);
	if (code < LPB_EXIT_OK || code > LPB_EXIT_NO_CHANGE) {
		fprintf(stderr, "fuzz-cdo: exit code %d is not one of create-diff-object's\n", code);
		abort();
	}
	check_outputs(code);
out:
	for (int i = 0; i < 3; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return 0;
}

/* Parts copied out of the input, each with room to grow to @max. */
struct work {
	struct pair p;
	uint8_t *buf[PAIR_PARTS];
};

static bool work_init(struct work *w, const uint8_t *data, size_t size, size_t max)
{
	pair_unpack(data, size, &w->p);
	for (int i = 0; i < PAIR_PARTS; i++) {
		w->buf[i] = malloc(max);
		if (!w->buf[i])
			return false;
		memcpy(w->buf[i], w->p.part[i], w->p.len[i]);
		w->p.part[i] = w->buf[i];
	}
	return true;
}

static size_t work_pack(struct work *w, uint8_t *out, size_t max)
{
	size_t n = pair_size(&w->p);

	if (n > max)
		n = 0;
	else
		pair_pack(&w->p, out);
	for (int i = 0; i < PAIR_PARTS; i++)
		free(w->buf[i]);
	return n;
}

/*
 * Mostly one structured change to one object of the pair, so that the pair
 * stays a pair that differs a little (which is what the engine sees);
 * sometimes the two objects made equal, an option flipped, the symvers
 * text or the raw bytes changed.
 */
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max, unsigned int seed)
{
	uint32_t s = seed * 2654435761u + 1;
	struct work w = { 0 };
	unsigned int op = s % 20, side = (s >> 8) & 1;
	size_t n;

	if (op == 19 || !work_init(&w, data, size, max)) {
		for (int i = 0; i < PAIR_PARTS; i++)
			free(w.buf[i]);
		return LLVMFuzzerMutate(data, size, max);
	}
	if (op < 15) {
		w.p.len[side] = elf_mutate(w.buf[side], w.p.len[side], max, w.buf[!side],
					   w.p.len[!side], s >> 9);
	} else if (op == 15) {
		memcpy(w.buf[side], w.buf[!side], w.p.len[!side]);
		w.p.len[side] = w.p.len[!side];
		w.p.len[1] = elf_mutate(w.buf[1], w.p.len[1], max, w.buf[0], w.p.len[0], s >> 9);
	} else if (op == 16 || op == 17) {
		w.p.flags ^= 1u << ((s >> 9) % 4);
	} else {
		w.p.len[2] = LLVMFuzzerMutate(w.buf[2], w.p.len[2], max / 4 > w.p.len[2] ?
								     max / 4 : w.p.len[2]);
	}
	n = work_pack(&w, data, max);
	return n ? n : LLVMFuzzerMutate(data, size, max);
}

/* Each part from one parent or the other: unrelated objects paired. */
size_t LLVMFuzzerCustomCrossOver(const uint8_t *d1, size_t s1, const uint8_t *d2, size_t s2,
				 uint8_t *out, size_t max, unsigned int seed)
{
	struct pair a, b, c;

	pair_unpack(d1, s1, &a);
	pair_unpack(d2, s2, &b);
	c = a;
	for (int i = 0; i < PAIR_PARTS; i++) {
		if (seed >> i & 1) {
			c.part[i] = b.part[i];
			c.len[i] = b.len[i];
		}
	}
	if (pair_size(&c) > max)
		return 0;
	pair_pack(&c, out);
	return pair_size(&c);
}
