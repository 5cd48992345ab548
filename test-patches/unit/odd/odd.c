// SPDX-License-Identifier: GPL-2.0-only
/* The object the odd inputs (test-patches/unit/odd/cases) are edited from:
 * a call, a static, relocations and __fentry__ call sites. */
extern int g(int);
static int counter;
int f(int x) { counter++; return g(x) + counter; }
int h(int x) { return f(x) * 2; }
