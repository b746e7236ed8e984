/*
 * libFuzzer target: perfdb.yaml. perfdb_config_load reads a path, so the
 * input is written to a memory file and read back through /proc/self/fd.
 */
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "perfdb.h"
#include "perfdb/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	char path[64];
	perfdb_config *cfg = NULL;
	perfdb_benchmark_config bc;

	if (fd < 0 && (fd = memfd_create("perfdb-fuzz-config", 0)) < 0)
		return 0;
	if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		return 0;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (perfdb_config_load(&cfg, path) == 0) {
		perfdb_config_match(&bc, cfg, "BM_Sort/1024", "real_time");
		(void)perfdb_config_database(cfg);
	}
	perfdb_config_free(cfg);
	return 0;
}
