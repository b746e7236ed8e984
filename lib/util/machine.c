/* A machine's identity on CI: see machine.h for the rule. */
#include "util/machine.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int perfdb_machine__on_ci(void)
{
	static const char *const providers[] = {
	    "GITHUB_ACTIONS", "GITLAB_CI", "BUILDKITE",	       "JENKINS_URL",		"CIRCLECI",
	    "TRAVIS",	      "TF_BUILD",  "TEAMCITY_VERSION", "BITBUCKET_BUILD_NUMBER"};
	const char *ci = getenv("CI");
	size_t i;
	if (ci && *ci && strcmp(ci, "false") != 0 && strcmp(ci, "0") != 0)
		return 1;
	for (i = 0; i < sizeof(providers) / sizeof(providers[0]); i++) {
		const char *v = getenv(providers[i]);
		if (v && *v)
			return 1;
	}
	return 0;
}

unsigned long long perfdb_machine__gib(unsigned long long mem_kib)
{
	unsigned long long g = (mem_kib + 524288) / 1048576;
	return mem_kib && !g ? 1 : g;
}

/* Words of a CPU model that say nothing about which CPU it is. */
static int noise_word(const char *w, size_t n)
{
	static const char *const words[] = {"processor", "cpu",	 "with", "radeon",
					    "graphics",	 "core", "(r)",	 "(tm)"};
	size_t i;
	if (n >= 5 && strncmp(w + n - 5, "-core", 5) == 0) /* "64-Core" */
		return 1;
	if (n >= 3 && (strncmp(w + n - 3, "ghz", 3) == 0 || strncmp(w + n - 3, "mhz", 3) == 0))
		return 1;
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strlen(words[i]) == n && strncmp(w, words[i], n) == 0)
			return 1;
	return 0;
}

/* Appends the lower-case alphanumeric words of text to out as "-w1-w2",
 * at most max characters of them, skipping noise words and "@ ..." (the
 * clock). */
static void append_slug(char *out, size_t cap, const char *text, size_t max, int skip_noise)
{
	char word[64];
	size_t len = strlen(out), added = 0;
	const char *p = text;
	while (p && *p && added < max) {
		size_t n = 0;
		while (*p && isspace((unsigned char)*p))
			p++;
		if (*p == '@')
			break;
		while (*p && !isspace((unsigned char)*p)) {
			unsigned char c = (unsigned char)tolower((unsigned char)*p++);
			if (n < sizeof(word) - 1)
				word[n++] = (char)c;
		}
		word[n] = '\0';
		if (!n || (skip_noise && noise_word(word, n)))
			continue;
		{
			/* keep [a-z0-9.], drop "(r)"-like marks inside a word */
			char clean[64];
			size_t i, k = 0;
			for (i = 0; i < n; i++) {
				if (word[i] == '(') {
					while (i < n && word[i] != ')')
						i++;
					continue;
				}
				if (isalnum((unsigned char)word[i]) || word[i] == '.')
					clean[k++] = word[i];
			}
			clean[k] = '\0';
			if (!k || (skip_noise && noise_word(clean, k)))
				continue;
			if (added + k + 1 > max)
				break;
			if (len + k + 2 < cap) {
				out[len++] = '-';
				memcpy(out + len, clean, k + 1);
				len += k;
			}
			added += k + 1;
		}
	}
}

static uint64_t fnv(uint64_t h, const char *s)
{
	for (; s && *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return (h ^ 0x1f) * 1099511628211ull;
}

void perfdb_machine__ci_name(char *out, size_t cap, const char *cpu, long cores,
			     unsigned long long mem_kib, const char *os_id, const char *os_version)
{
	char num[64];
	uint64_t h = 14695981039346656037ull;
	unsigned long long gib = perfdb_machine__gib(mem_kib);
	size_t len;
	if (!cap)
		return;
	snprintf(out, cap, "ci");
	append_slug(out, cap, cpu && *cpu ? cpu : "unknown", 28, 1);
	len = strlen(out);
	if (cores > 0)
		snprintf(out + len, cap - len, "-%ldc", cores);
	len = strlen(out);
	if (gib)
		snprintf(out + len, cap - len, "-%llug", gib);
	if (os_id && *os_id) {
		char os[64];
		snprintf(os, sizeof(os), "%s%s", os_id, os_version ? os_version : "");
		append_slug(out, cap, os, 20, 0);
	}
	h = fnv(h, cpu);
	snprintf(num, sizeof(num), "%ld", cores);
	h = fnv(h, num);
	snprintf(num, sizeof(num), "%llu", gib);
	h = fnv(h, num);
	h = fnv(h, os_id);
	h = fnv(h, os_version);
	len = strlen(out);
	snprintf(out + len, cap - len, "-%08x", (unsigned)(h ^ (h >> 32)));
}
