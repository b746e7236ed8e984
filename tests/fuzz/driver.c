/*
 * Runs a libFuzzer target (LLVMFuzzerTestOneInput) over corpus files and
 * directories without libFuzzer, so every build (gcc included) smoke-tests
 * the fuzz targets over their seed corpora: `fuzz_smoke_<t> DIR|FILE...`.
 * Exit 0 when every input ran; a crash is the failure.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	size_t len = 0, cap = 0, n;
	if (!f) {
		fprintf(stderr, "fuzz driver: cannot read '%s'\n", path);
		return -1;
	}
	do {
		if (len == cap) {
			unsigned char *b = realloc(buf, cap ? cap * 2 : 4096);
			if (!b) {
				free(buf);
				fclose(f);
				return -1;
			}
			buf = b;
			cap = cap ? cap * 2 : 4096;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, len);
	/* Every prefix of a small seed too: truncated input is the commonest. */
	if (len <= 4096)
		for (n = 0; n < len; n += 1 + len / 64)
			LLVMFuzzerTestOneInput(buf, n);
	free(buf);
	return 1;
}

static int run(const char *path)
{
	struct stat st;
	struct dirent *de;
	DIR *d;
	int count = 0, r;
	if (stat(path, &st) != 0) {
		fprintf(stderr, "fuzz driver: no '%s'\n", path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return run_file(path);
	if (!(d = opendir(path)))
		return -1;
	while ((de = readdir(d))) {
		char sub[4096];
		if (de->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
		if ((r = run(sub)) < 0) {
			closedir(d);
			return r;
		}
		count += r;
	}
	closedir(d);
	return count;
}

int main(int argc, char **argv)
{
	int i, r, total = 0;
	for (i = 1; i < argc; i++) {
		if ((r = run(argv[i])) < 0)
			return 1;
		total += r;
	}
	printf("ran %d inputs\n", total);
	return total > 0 ? 0 : 1;
}
