// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Replay driver for the fuzz harnesses without libFuzzer: every file named
 * on the command line (or inside a directory named there) is read and given
 * to LLVMFuzzerTestOneInput once. A crash or sanitizer report ends the
 * process (non-zero), as it would end a fuzzing run. Prints the number of
 * inputs replayed.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "fuzz.h"

/* a weak default: harnesses that need no set-up do not define it */
__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static long replay_one(const char *path)
{
	struct stat st;
	uint8_t *buf;
	size_t n;
	FILE *f;

	if (stat(path, &st) || !S_ISREG(st.st_mode))
		return 0;
	f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	n = buf ? fread(buf, 1, (size_t)st.st_size, f) : 0;
	fclose(f);
	if (!buf)
		return -1;
	LLVMFuzzerTestOneInput(buf, n);
	free(buf);
	return 1;
}

int main(int argc, char **argv)
{
	long total = 0, r;
	struct dirent *de;
	char path[4096];
	int i, bad = 0;
	DIR *d;

	LLVMFuzzerInitialize(&argc, &argv);
	for (i = 1; i < argc; i++) {
		d = opendir(argv[i]);
		if (!d) {
			r = replay_one(argv[i]);
			bad |= r < 0;
			total += r > 0;
			continue;
		}
		while ((de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", argv[i], de->d_name);
			r = replay_one(path);
			bad |= r < 0;
			total += r > 0;
		}
		closedir(d);
	}
	printf("replayed %ld inputs\n", total);
	return bad;
}
