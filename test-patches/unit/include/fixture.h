/* SPDX-License-Identifier: GPL-2.0-only */
/* Kernel constructs for create-diff-object fixtures: WARN/BUG with __bug_table,
 * asm-goto jump labels, __ex_table, alternatives, paravirt and static call
 * sites, the printk index, objtool's .discard.* annotations, __init, notrace,
 * callbacks. */
#ifndef LPB_FIXTURE_H
#define LPB_FIXTURE_H

/* Which kernel's conventions the macros follow (run-fixtures.sh's profile):
 * 510 (Debian 11), 601 (Debian 12), 612 (6.12). */
#ifndef FIXTURE_KERNEL
#define FIXTURE_KERNEL 601
#endif

#define __used __attribute__((__used__))
#define noinline __attribute__((__noinline__))
#define notrace __attribute__((__no_instrument_function__))
#define __cold __attribute__((__cold__))
#define __init __attribute__((__section__(".init.text"))) __cold
#define __initdata __attribute__((__section__(".init.data")))
#define __section(s) __attribute__((__section__(s)))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define bool _Bool
#define true 1
#define false 0

extern int printk(const char *fmt, ...);
extern void __might_sleep(const char *file, int line);
#define might_sleep() __might_sleep(__FILE__, __LINE__)

/* The layouts of the kernel's tables, as x86_64 declares them (6.1 unless
 * said otherwise). */
struct bug_entry {
	int bug_addr_disp;
	int file_disp;
	unsigned short line;
	unsigned short flags;
};
struct jump_entry {
	int code;
	int target;
	long key;
};
#if FIXTURE_KERNEL < 517
struct exception_table_entry {
	int insn, fixup, handler; /* handler: a function, e.g. ex_handler_default */
};
#else
struct exception_table_entry {
	int insn, fixup, data;
};
#endif
#if FIXTURE_KERNEL >= 603
/* 6.3+: a 32-bit feature word (cpuid and flags) */
struct alt_instr {
	int instr_offset;
	int repl_offset;
	unsigned int ft_flags;
	unsigned char instrlen;
	unsigned char replacementlen;
} __attribute__((packed));
#define ALT_FEATURE ".long"
#else
struct alt_instr {
	int instr_offset;
	int repl_offset;
	unsigned short cpuid;
	unsigned char instrlen;
	unsigned char replacementlen;
} __attribute__((packed));
#define ALT_FEATURE ".word"
#endif
struct static_key {
	int enabled;
};
struct paravirt_patch_site {
	unsigned char *instr;
	unsigned char type;
	unsigned char len;
};
struct static_call_site {
	int addr;
	int key;
};
struct pi_entry {
	const char *fmt;
	const char *func;
	const char *file;
	unsigned int line;
	const char *level;
	const char *subsys_fmt_prefix;
};

#ifndef FIXTURE_NO_TYPES
/* Makes the compiler describe the table structs in DWARF, as vmlinux's
 * DWARF does; create-diff-object reads entry sizes from there. */
static const struct {
	struct bug_entry b;
	struct jump_entry j;
	struct exception_table_entry e;
	struct alt_instr a;
	struct paravirt_patch_site p;
	struct static_call_site s;
	struct pi_entry i;
} __fixture_types __used;
#endif

#define BUGFLAG_WARNING (1 << 0)
#define __WARN_FLAGS(flags)                                              \
	asm volatile("1:\tud2\n"                                         \
		     ".pushsection __bug_table,\"aw\"\n"                 \
		     "2:\t.long 1b - .\n"                                \
		     "\t.long %c0 - .\n"                                 \
		     "\t.word %c1\n"                                     \
		     "\t.word %c2\n"                                     \
		     "\t.org 2b+%c3\n"                                   \
		     ".popsection"                                       \
		     : : "i"(__FILE__), "i"(__LINE__), "i"(flags),       \
		       "i"(sizeof(struct bug_entry)))

#define WARN_ON(cond)                                                    \
	({                                                               \
		int __ret = !!(cond);                                    \
		if (unlikely(__ret))                                     \
			__WARN_FLAGS(BUGFLAG_WARNING);                   \
		unlikely(__ret);                                         \
	})
#define BUG_ON(cond)                                                     \
	do {                                                             \
		if (unlikely(cond)) {                                    \
			__WARN_FLAGS(0);                                 \
			__builtin_unreachable();                         \
		}                                                        \
	} while (0)

static inline __attribute__((__always_inline__)) bool
arch_static_branch(struct static_key *key, bool branch)
{
	asm goto("1: .byte 0x0f,0x1f,0x44,0x00,0x00\n\t"
		 ".pushsection __jump_table, \"aw\"\n\t"
		 ".balign 8\n\t"
		 ".long 1b - .\n\t"
		 ".long %l[l_yes] - .\n\t"
		 ".quad %c0 + %c1 - .\n\t"
		 ".popsection"
		 : : "i"(key), "i"(branch) : : l_yes);
	return false;
l_yes:
	return true;
}
#define static_branch_unlikely(k) unlikely(arch_static_branch(k, false))

/* dynamic debug as 6.1 builds it with CONFIG_DYNAMIC_DEBUG and jump
 * labels: a descriptor per call site in __dyndbg (its line a bitfield),
 * switched by the static key inside it */
struct _ddebug {
	const char *modname;
	const char *function;
	const char *filename;
	const char *format;
	unsigned int lineno:18;
	unsigned int class_id:6;
	unsigned int flags:8;
	struct static_key key;
} __attribute__((aligned(8)));
extern void __dynamic_pr_debug(struct _ddebug *descriptor, const char *fmt, ...);
#define __DD_PASTE(a, b) a##b
#define __DD_ID(n) __DD_PASTE(__UNIQUE_ID_ddebug, n)
#define __pr_debug(id, fmt, ...)                                               \
	do {                                                                   \
		static struct _ddebug __attribute__((aligned(8)))              \
		__section("__dyndbg") id = { "fixture", __func__, __FILE__,    \
					     fmt, __LINE__, 0, 0, { 0 } };      \
		if (static_branch_unlikely(&id.key))                           \
			__dynamic_pr_debug(&id, fmt, ##__VA_ARGS__);           \
	} while (0)
#define pr_debug(fmt, ...) __pr_debug(__DD_ID(__COUNTER__), fmt, ##__VA_ARGS__)
/* pr_debug_ratelimited() and dev_dbg_ratelimited() still name their
 * descriptor "descriptor" (GCC makes it descriptor.N), as every pr_debug()
 * did before 5.x */
#define pr_debug_ratelimited(fmt, ...) __pr_debug(descriptor, fmt, ##__VA_ARGS__)

/* the third field of an __ex_table entry: 5.10 names a handler function
 * there (ex_handler_default, ex_handler_uaccess...), 5.17+ keeps a type */
#if FIXTURE_KERNEL < 517
extern void ex_handler_default(void), ex_handler_uaccess(void);
#define EX_HANDLER ".long ex_handler_default - .\n"
#else
#define EX_HANDLER ".long 0\n"
#endif

/* a load that may fault, with its fixup in __ex_table */
static inline __attribute__((__always_inline__)) int get_user_int(const int *p)
{
	int v;

	asm volatile("1: movl (%1), %0\n"
		     "2:\n"
		     ".pushsection __ex_table, \"a\"\n"
		     ".balign 4\n"
		     ".long 1b - .\n"
		     ".long 2b - .\n"
		     EX_HANDLER
		     ".popsection"
		     : "=r"(v) : "r"(p));
	return v;
}

/* the same with the fixup landing on label @fixup: "2" right after the
 * load, "3" after a further nop (the code is the same either way) */
#define get_user_int_fixup(p, fixup)                                           \
	({                                                                     \
		int __v;                                                       \
		asm volatile("1: movl (%1), %0\n"                              \
			     "2: nop\n"                                        \
			     "3:\n"                                            \
			     ".pushsection __ex_table, \"a\"\n"                \
			     ".balign 4\n"                                     \
			     ".long 1b - .\n"                                  \
			     ".long " #fixup "b - .\n"                         \
			     EX_HANDLER                                        \
			     ".popsection"                                     \
			     : "=r"(__v) : "r"(p));                            \
		__v;                                                           \
	})

/* a user load as 5.10's __get_user_asm leaves it: the fixup is code of
 * its own in .fixup (set the error, zero the value, jump back), which the
 * __ex_table entry names by section and offset */
#define get_user_fixup(p, err)                                                 \
	({                                                                     \
		int __v, __e = 0;                                              \
		asm volatile("1: movl (%2), %0\n"                              \
			     "2:\n"                                            \
			     ".section .fixup, \"ax\"\n"                       \
			     "3: mov %3, %1\n"                                 \
			     "   xorl %0, %0\n"                                \
			     "   jmp 2b\n"                                     \
			     ".previous\n"                                     \
			     ".pushsection __ex_table, \"a\"\n"                \
			     ".balign 4\n"                                     \
			     ".long 1b - .\n"                                  \
			     ".long 3b - .\n"                                  \
			     ".long ex_handler_uaccess - .\n"                  \
			     ".popsection"                                     \
			     : "=r"(__v), "+r"(__e) : "r"(p), "i"(err));       \
		__e ? __e : __v;                                               \
	})

/* runtime constants as 6.11+ emits them (asm/runtime-const.h): a
 * placeholder immediate vmlinux patches at boot, found through
 * runtime_ptr_<var> / runtime_shift_<var> */
#define runtime_const_ptr(sym)                                                 \
	({                                                                     \
		typeof(sym) __ret;                                             \
		asm("mov %1,%0\n1:\n"                                          \
		    ".pushsection runtime_ptr_" #sym ",\"a\"\n\t"                \
		    ".long 1b - %c2 - .\n"                                     \
		    ".popsection"                                              \
		    : "=r"(__ret)                                              \
		    : "i"((unsigned long)0x0123456789abcdefull), "i"(sizeof(long))); \
		__ret;                                                         \
	})
#define runtime_const_shift_right_32(val, sym)                                 \
	({                                                                     \
		typeof(0u + (val)) __ret = (val);                              \
		asm("shrl $12,%k0\n1:\n"                                       \
		    ".pushsection runtime_shift_" #sym ",\"a\"\n\t"              \
		    ".long 1b - 1 - .\n"                                       \
		    ".popsection"                                              \
		    : "+r"(__ret));                                            \
		__ret;                                                         \
	})

/* a paravirt call site as 6.1's PVOP_CALL leaves it: an indirect call
 * through pv_ops, recorded in .parainstructions with its patch type; 5.10
 * adds a 16-bit clobber mask and leaves the padding to the next entry's
 * alignment, so the final entry of a file is 12 bytes of a 16-byte struct */
extern void *pv_ops[];
#define PV_CLOBBERS "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "memory", "cc"
#if FIXTURE_KERNEL < 600
#define PV_SITE_END ".short 0x1ff\n"
#else
#define PV_SITE_END ".balign 8\n"
#endif
#define paravirt_call(slot, type)                                              \
	asm volatile("771: call *pv_ops+%c0(%%rip)\n772:\n"                     \
		     ".pushsection .parainstructions, \"a\"\n"                 \
		     ".balign 8\n"                                              \
		     ".quad 771b\n"                                             \
		     ".byte %c1\n"                                              \
		     ".byte 772b - 771b\n"                                      \
		     PV_SITE_END                                                \
		     ".popsection" : : "i"((slot) * 8), "i"(type) : PV_CLOBBERS)

/* a static call as objtool records it: the call to the trampoline
 * __SCT__name, and a .static_call_sites entry { s32 addr, s32 key } */
struct static_call_key {
	void *func;
};
#define DEFINE_STATIC_CALL(name)                                               \
	struct static_call_key __SCK__##name;                                  \
	void __SCT__##name(void)
#define DECLARE_STATIC_CALL(name)                                              \
	extern struct static_call_key __SCK__##name;                           \
	extern void __SCT__##name(void)
#define static_call_void(name)                                                 \
	asm volatile("1: call __SCT__" #name "\n"                               \
		     ".pushsection .static_call_sites, \"a\"\n"                \
		     ".balign 4\n"                                              \
		     ".long 1b - .\n"                                           \
		     ".long %c0 - .\n"                                          \
		     ".popsection" : : "i"(&__SCK__##name) : PV_CLOBBERS)

/* printk() with CONFIG_PRINTK_INDEX: a pi_entry per call site, reached
 * through a pointer in .printk_index; the entry names the function only
 * through __func__ */
extern int _printk(const char *fmt, ...);
#define KERN_INFO "\001" "6"
#define printk_index_emit(_fmt)                                                \
	do {                                                                   \
		static const struct pi_entry _entry __used = {                 \
			.fmt = _fmt, .func = __func__, .file = __FILE__,       \
			.line = __LINE__, .level = (void *)0,                  \
			.subsys_fmt_prefix = (void *)0,                        \
		};                                                             \
		static const struct pi_entry *_entry_ptr __used                \
			__section(".printk_index") = &_entry;                  \
	} while (0)
#define pr_info(fmt, ...)                                                      \
	({                                                                     \
		printk_index_emit(KERN_INFO fmt);                              \
		_printk(KERN_INFO fmt, ##__VA_ARGS__);                         \
	})

/* objtool's annotations, in sections the kernel's linker script discards */
#define annotate_reachable()                                                   \
	asm volatile("1:\n.pushsection .discard.reachable\n"                    \
		     ".long 1b - .\n.popsection")
#define annotate_unreachable()                                                 \
	asm volatile("1:\n.pushsection .discard.unreachable\n"                  \
		     ".long 1b - .\n.popsection")
#define STACK_FRAME_NON_STANDARD(fn)                                           \
	static void *__func_stack_frame_non_standard_##fn __used               \
		__section(".discard.func_stack_frame_non_standard") = (void *)fn
#define __ADDR_PASTE(a, b) a##b
#define __ADDR_ID(sym, n) __ADDR_PASTE(__UNIQUE_ID___addressable_##sym, n)
#define __ADDRESSABLE(sym)                                                     \
	static void *__ADDR_ID(sym, __COUNTER__) __used                        \
		__section(".discard.addressable") = (void *)&sym

/* three nops the kernel would replace with lfence on some CPUs */
#define alternative_lfence()                                             \
	asm volatile("661: nop; nop; nop\n662:\n"                        \
		     ".pushsection .altinstructions, \"a\"\n"            \
		     ".long 661b - .\n"                                  \
		     ".long 6641f - .\n"                                 \
		     ALT_FEATURE " 123\n"                                \
		     ".byte 662b - 661b\n"                               \
		     ".byte 6642f - 6641f\n"                             \
		     ".popsection\n"                                     \
		     ".pushsection .altinstr_replacement, \"ax\"\n"      \
		     "6641: lfence\n6642:\n"                             \
		     ".popsection" ::: "memory")

/* an alternative whose replacement is @repl (at most 6 bytes) */
#define alternative_insn(repl)                                           \
	asm volatile("661: .skip 6, 0x90\n662:\n"                        \
		     ".pushsection .altinstructions, \"a\"\n"            \
		     ".long 661b - .\n"                                  \
		     ".long 6641f - .\n"                                 \
		     ALT_FEATURE " 123\n"                                \
		     ".byte 662b - 661b\n"                               \
		     ".byte 6642f - 6641f\n"                             \
		     ".popsection\n"                                     \
		     ".pushsection .altinstr_replacement, \"ax\"\n"      \
		     "6641: " repl "\n6642:\n"                           \
		     ".popsection" ::: "memory")

/* lp-build's callback macros (kmod-template/include/lpb-patch.h) */
struct klp_object;
typedef int (*lpb_pre_patch_fn)(struct klp_object *obj);
typedef void (*lpb_obj_fn)(struct klp_object *obj);
#define __LPB_CALLBACK(kind, type, fn)                                          \
	static const struct {                                                   \
		type func;                                                      \
		unsigned long line;                                             \
	} __lpb_cb_##kind##_##fn __used __attribute__((__aligned__(8)))         \
		__section(".lpb.cb." #kind) = { (fn), __LINE__ }
#define LPB_PRE_PATCH_CALLBACK(fn) __LPB_CALLBACK(pre_patch, lpb_pre_patch_fn, fn)
#define LPB_POST_PATCH_CALLBACK(fn) __LPB_CALLBACK(post_patch, lpb_obj_fn, fn)
#define LPB_PRE_UNPATCH_CALLBACK(fn) __LPB_CALLBACK(pre_unpatch, lpb_obj_fn, fn)
#define LPB_POST_UNPATCH_CALLBACK(fn) __LPB_CALLBACK(post_unpatch, lpb_obj_fn, fn)

#if FIXTURE_KERNEL >= 605
/* EXPORT_SYMBOL as 6.5+ leaves it in an object: an entry in .export_symbol
 * (license, namespace, address) under the local label __export_symbol_<sym>;
 * modpost makes the __ksymtab from it */
#define __EXPORT_STR(x) #x
#define EXPORT_SYMBOL(sym)                                                     \
	extern typeof(sym) sym;                                                \
	asm(".section \".export_symbol\",\"a\"\n"                             \
	    "__export_symbol_" #sym ":\n"                                      \
	    ".asciz \"\"\n"                                                    \
	    ".ascii \"\" \"\\0\"\n"                                          \
	    ".balign 8\n"                                                      \
	    ".quad " #sym "\n"                                                 \
	    ".previous")
#else
/* EXPORT_SYMBOL as 6.1 (and 5.10) leave it in an object */
#define EXPORT_SYMBOL(sym)                                                     \
	extern typeof(sym) sym;                                                \
	static const char __kstrtab_##sym[] __used __section("__ksymtab_strings") = #sym; \
	static const void *__ksymtab_##sym __used __section("___ksymtab+" #sym) = &sym
#endif

/* Module information (include/linux/module.h): one "tag=value" string per
 * variable in .modinfo, each named by __COUNTER__. */
#define __MI_PASTE2(a, b) a##b
#define __MI_PASTE(a, b) __MI_PASTE2(a, b)
#define MODULE_INFO(tag, info)                                                  \
	static const char __MI_PASTE(__UNIQUE_ID_##tag, __COUNTER__)[] __used   \
	__section(".modinfo") __attribute__((__aligned__(1))) = #tag "=" info
#define MODULE_LICENSE(l) MODULE_INFO(license, l)
#define MODULE_AUTHOR(a) MODULE_INFO(author, a)
#define MODULE_DESCRIPTION(d) MODULE_INFO(description, d)

#endif /* LPB_FIXTURE_H */
