// SPDX-License-Identifier: GPL-2.0-only
/* In-process tests of the MAKEFLAGS a batch's own jobserver passes on
 * (jobserver_makeflags_without_jobs): make's own ways of writing it. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "jobserver.h"

static void expect(const char *mf, const char *want)
{
	char *got = jobserver_makeflags_without_jobs(mf);

	CHECK(!strcmp(got, want), "MAKEFLAGS '%s': got '%s', want '%s'", mf ? mf : "(unset)", got,
	      want);
	free(got);
}

int main(void)
{
	expect(NULL, "");
	expect("", "");
	/* make check -> make SUITE -> lp-build: the directory-printing flag
	 * as make writes it, a first word without a dash */
	expect("w", " -w");
	expect("wk -j2 --jobserver-auth=3,4", " -wk");
	expect(" -j2 --jobserver-auth=fifo:/tmp/x", "");
	expect("w -- O=build", " -w -- O=build");
	expect(" -- O=build V=1", " -- O=build V=1");
	expect("--no-print-directory -j4", " --no-print-directory");
	/* words after "--" are the command line's variables, kept as they are */
	expect("s -- J=-j2 X=--jobserver-y", " -s -- J=-j2 X=--jobserver-y");
	return check_end("jobserver");
}
