/* uname(2) through the ia32 entry point: int $0x80 with the i386 number of
 * newuname (122), from a 64-bit process (the kernel has IA32_EMULATION).
 * The buffer is a static of this non-PIE binary, so its address fits the
 * 32-bit register the compat entry reads. Prints the machine field. */
#include <stdio.h>
#include <sys/utsname.h>

static struct utsname buf;

int main(void)
{
	long ret;

	asm volatile("int $0x80" : "=a"(ret) : "a"(122L), "b"(&buf) : "memory");
	if (ret) {
		fprintf(stderr, "uname32: int $0x80 newuname failed: %ld\n", ret);
		return 1;
	}
	printf("%s\n", buf.machine);
	return 0;
}
