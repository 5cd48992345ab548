/* SPDX-License-Identifier: GPL-2.0-only */
/* lp-build cache: show and clear the object caches of the prepared trees
 * (what builds keep so that no original unit is compiled twice). */
#ifndef LPB_BUILD_CACHE_CMD_H
#define LPB_BUILD_CACHE_CMD_H

/* argv[0] is "cache"; @default_cache: $LPB_CACHE or the default. An exit code. */
int cache_main(int argc, char **argv, const char *default_cache);

#endif /* LPB_BUILD_CACHE_CMD_H */
