/* SPDX-License-Identifier: GPL-2.0-only */
/* The one place lib/ reports failures: a single line on stderr naming the
 * file, section or symbol involved (lib/ never prints to stdout). */
#ifndef LPB_LOG_H
#define LPB_LOG_H

void lpb_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void lpb_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* LPB_LOG_H */
