/* Library-internal: a machine's identity. Outside CI a machine is its host
 * name. On CI, where hosted runners get a new host name every time, it is a
 * name made from what decides performance: CPU model, cores, memory and OS,
 * "ci-<cpu>-<N>c-<M>g-<os>-<hash>", the same for every runner of one
 * hardware type. */
#ifndef PERFDB_UTIL_MACHINE_H
#define PERFDB_UTIL_MACHINE_H

#include <stddef.h>

/* 1 when running under CI: CI set to anything but "false"/"0", or a known
 * provider's variable (GITHUB_ACTIONS, GITLAB_CI, BUILDKITE, JENKINS_URL,
 * CIRCLECI, TRAVIS, TF_BUILD, TEAMCITY_VERSION, BITBUCKET_BUILD_NUMBER). */
int perfdb_machine__on_ci(void);

/* Writes the CI machine name for this hardware into out (at most cap bytes,
 * NUL-terminated, truncated when needed). cpu is /proc/cpuinfo's model name,
 * cores the online CPUs, mem_kib MemTotal in KiB (rounded to whole GiB, so
 * the few MiB the kernel reserves differently from boot to boot do not
 * split a machine), os_id and os_version /etc/os-release's ID and
 * VERSION_ID. Any may be NULL or 0 when unknown. The hash (8 hex digits,
 * FNV-1a of the full values) keeps two machines apart whose readable part
 * was cut short. */
void perfdb_machine__ci_name(char *out, size_t cap, const char *cpu, long cores,
			     unsigned long long mem_kib, const char *os_id, const char *os_version);

/* The memory figure the name and the fingerprint comparison use: MemTotal
 * in KiB rounded to whole GiB (at least 1 when mem_kib > 0). */
unsigned long long perfdb_machine__gib(unsigned long long mem_kib);

#endif
