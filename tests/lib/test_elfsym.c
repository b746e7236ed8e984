/*
 * lib/instrument/elfsym.c: function names from ELF symbol tables and from
 * separate debug files (build-id and .gnu_debuglink), on real files the
 * build made (tests/CMakeLists.txt: libmemtrack_splitlib*.so, stripped, with
 * a .debug file beside them), and on truncated and corrupted copies.
 */
#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "instrument/elfsym.h"

#define SPLIT	   PERFDB_BUILD_DIR "/tests/libmemtrack_splitlib.so"
#define SPLIT_NOID PERFDB_BUILD_DIR "/tests/libmemtrack_splitlib_noid.so"

static char tmpdir[256];

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/perfdb-elfsym.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[512];
	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	assert_int_equal(system(cmd), 0);
}

static const char *lookup1(const elfsym_module *m, uint64_t addr)
{
	const char *name = (const char *)1;
	assert_int_equal(elfsym_lookup(m, &addr, &name, 1), 0);
	return name;
}

/* Loads a split library; *bias is its load bias, *static_at the static
 * function's ELF address, *exported_at the exported one's. */
static void *load_split(const char *path, uint64_t *static_at, uint64_t *exported_at)
{
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	uintptr_t (*addr_fn)(void);
	void *exported;
	struct link_map *lm = NULL;
	assert_non_null(h);
	*(void **)&addr_fn = dlsym(h, "memtrack_split_static_addr");
	exported = dlsym(h, "memtrack_split_alloc");
	assert_non_null(addr_fn);
	assert_non_null(exported);
	assert_int_equal(dlinfo(h, RTLD_DI_LINKMAP, &lm), 0);
	*static_at = addr_fn() - lm->l_addr;
	*exported_at = (uintptr_t)exported - lm->l_addr;
	return h;
}

static void test_crc32(void **state)
{
	(void)state;
	/* The CRC-32 check value (ISO-HDLC). */
	assert_int_equal(elfsym_crc32(0, (const unsigned char *)"123456789", 9), 0xcbf43926u);
	/* Continued in two pieces gives the same. */
	assert_int_equal(elfsym_crc32(elfsym_crc32(0, (const unsigned char *)"1234", 4),
				      (const unsigned char *)"56789", 5),
			 0xcbf43926u);
	assert_int_equal(elfsym_crc32(0, NULL, 0), 0);
}

__attribute__((noinline)) static int local_function(int x)
{
	return x * 3 + 1;
}

/* This test program's own symbol table names its static functions, and an
 * address inside a function (not just its start) resolves to it. */
static void test_own_symtab(void **state)
{
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	struct link_map *lm = NULL;
	Dl_info info;
	elfsym_module *m;
	uint64_t at;
	(void)state;
	assert_true(n > 0);
	exe[n] = 0;
	assert_int_equal(local_function(1), 4);
	assert_true(dladdr1((void *)&local_function, &info, (void **)&lm, RTLD_DL_LINKMAP));
	at = (uintptr_t)&local_function - lm->l_addr;
	m = elfsym_open(exe);
	assert_non_null(m);
	assert_string_equal(lookup1(m, at), "local_function");
	assert_string_equal(lookup1(m, at + 1), "local_function");
	assert_null(lookup1(m, 0)); /* no function at address 0 */
	elfsym_close(m);
}

/* Stripped, with a build-id: the debug file beside it is found through the
 * debuglink and accepted by the build-id; it names the static function. */
static void test_split_debuglink(void **state)
{
	uint64_t st, ex, addrs[3];
	const char *names[3];
	void *h = load_split(SPLIT, &st, &ex);
	elfsym_module *m = elfsym_open(SPLIT);
	(void)state;
	assert_non_null(m);
	assert_false(elfsym_has_lines(m));
	assert_non_null(elfsym_debug_file(m));
	assert_string_equal(elfsym_debug_file(m), SPLIT ".debug");
	addrs[0] = st + 4;
	addrs[1] = ex;
	addrs[2] = st; /* out of order, repeated function: each gets its name */
	assert_int_equal(elfsym_lookup(m, addrs, names, 3), 0);
	assert_string_equal(names[0], "split_static_alloc");
	assert_string_equal(names[1], "memtrack_split_alloc");
	assert_string_equal(names[2], "split_static_alloc");
	elfsym_close(m);
	dlclose(h);
}

/* No build-id: the debuglink's CRC decides. The right file is accepted; a
 * different file under the same name is not, and then only the exported
 * function (from .dynsym) has a name. */
static void test_split_crc(void **state)
{
	uint64_t st, ex;
	char lib[512], dbg[600];
	void *h = load_split(SPLIT_NOID, &st, &ex);
	elfsym_module *m = elfsym_open(SPLIT_NOID);
	(void)state;
	assert_string_equal(elfsym_debug_file(m), SPLIT_NOID ".debug");
	assert_string_equal(lookup1(m, st), "split_static_alloc");
	elfsym_close(m);

	snprintf(lib, sizeof(lib), "%s/libmemtrack_splitlib_noid.so", tmpdir);
	snprintf(dbg, sizeof(dbg), "%s.debug", lib);
	sh("cp '%s' '%s' && cp '%s.debug' '%s' && printf x >> '%s'", SPLIT_NOID, lib, SPLIT_NOID,
	   dbg, dbg);
	m = elfsym_open(lib);
	assert_null(elfsym_debug_file(m));
	assert_null(lookup1(m, st));
	assert_string_equal(lookup1(m, ex), "memtrack_split_alloc");
	elfsym_close(m);
	/* In DIR/.debug/ it is found too. */
	sh("mkdir -p '%s/.debug' && cp '%s.debug' '%s/.debug/' && rm '%s'", tmpdir, SPLIT_NOID,
	   tmpdir, dbg);
	m = elfsym_open(lib);
	assert_non_null(elfsym_debug_file(m));
	assert_non_null(strstr(elfsym_debug_file(m), "/.debug/libmemtrack_splitlib_noid.so.debug"));
	assert_string_equal(lookup1(m, st), "split_static_alloc");
	elfsym_close(m);
	dlclose(h);
}

/* The build-id path under a debug root: ROOT/.build-id/xx/rest.debug, the
 * id read here with readelf, not with the code under test. */
static void test_split_build_id(void **state)
{
	uint64_t st, ex;
	char lib[512], root[512], id[256], cmd[1024], want[1024];
	FILE *p;
	void *h = load_split(SPLIT, &st, &ex);
	elfsym_module *m;
	(void)state;
	snprintf(cmd, sizeof(cmd), "readelf -n '%s' | awk '/Build ID/ {print $3}'", SPLIT);
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_non_null(fgets(id, sizeof(id), p));
	pclose(p);
	id[strcspn(id, "\n")] = 0;
	assert_true(strlen(id) > 8);
	snprintf(lib, sizeof(lib), "%s/lonely.so", tmpdir);
	snprintf(root, sizeof(root), "%s/root", tmpdir);
	snprintf(want, sizeof(want), "%s/.build-id/%.2s/%s.debug", root, id, id + 2);
	sh("cp '%s' '%s' && mkdir -p '%s/.build-id/%.2s' && cp '%s.debug' '%s'", SPLIT, lib, root,
	   id, SPLIT, want);
	/* lonely.so's debuglink names libmemtrack_splitlib.so.debug, which is
	 * not beside it: only the build-id finds it. */
	m = elfsym_open(lib);
	assert_null(elfsym_debug_file(m));
	assert_null(lookup1(m, st));
	/* Without the debug file: names to resolve later. */
	{
		uint64_t addrs[3] = {st + 4, ex + 3, ex}, offs[3], other;
		const char *names[3], *want_name = NULL;
		const unsigned char *bid;
		char hex[256] = "";
		size_t len, i;
		void *o = dlsym(h, "memtrack_split_static_addr");
		struct link_map *lm = NULL;
		assert_non_null(o);
		assert_int_equal(dlinfo(h, RTLD_DI_LINKMAP, &lm), 0);
		other = (uintptr_t)o - lm->l_addr;
		assert_int_equal(elfsym_nearest(m, addrs, names, offs, 3), 0);
		/* The static function's nearest exported function below it, if
		 * any: where the compiler put the functions decides. */
		if (ex <= st + 4 && (other > st + 4 || other < ex))
			want_name = "memtrack_split_alloc";
		else if (other <= st + 4)
			want_name = "memtrack_split_static_addr";
		if (want_name) {
			assert_non_null(names[0]);
			assert_string_equal(names[0], want_name);
			assert_int_equal(offs[0], st + 4 - (want_name[15] == 'a' ? ex : other));
		} else {
			assert_null(names[0]);
		}
		assert_string_equal(names[1], "memtrack_split_alloc");
		assert_int_equal(offs[1], 3);
		assert_string_equal(names[2], "memtrack_split_alloc");
		assert_int_equal(offs[2], 0);
		bid = elfsym_build_id(m, &len);
		assert_non_null(bid);
		for (i = 0; i < len; i++)
			snprintf(hex + 2 * i, sizeof(hex) - 2 * i, "%02x", bid[i]);
		assert_string_equal(hex, id);
	}
	elfsym_close(m);
	m = elfsym_open_in(lib, root);
	assert_non_null(elfsym_debug_file(m));
	assert_string_equal(elfsym_debug_file(m), want);
	assert_string_equal(lookup1(m, st), "split_static_alloc");
	elfsym_close(m);
	/* A debug file of another build at that path is refused. */
	sh("cp '%s.debug' '%s'", SPLIT_NOID, want);
	m = elfsym_open_in(lib, root);
	assert_null(elfsym_debug_file(m));
	elfsym_close(m);
	dlclose(h);
}

/* Files that are not ELF, or cut short, give no names and no crash. */
static void test_bad_files(void **state)
{
	static const long cuts[] = {0, 3, 63, 64, 200, 4096, -4096, -1};
	uint64_t st, ex, addrs[2];
	const char *names[2];
	char path[512];
	struct stat sb;
	size_t i;
	void *h = load_split(SPLIT, &st, &ex);
	elfsym_module *m;
	(void)state;
	assert_int_equal(stat(SPLIT, &sb), 0);
	addrs[0] = st;
	addrs[1] = ex;
	m = elfsym_open("/nonexistent/lib.so");
	assert_non_null(m);
	assert_null(lookup1(m, ex));
	assert_false(elfsym_has_lines(m));
	elfsym_close(m);
	m = elfsym_open("/proc/self/status"); /* not a regular file's size, not ELF */
	assert_null(lookup1(m, ex));
	elfsym_close(m);
	snprintf(path, sizeof(path), "%s/cut.so", tmpdir);
	for (i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		long len = cuts[i] >= 0 ? cuts[i] : (long)sb.st_size + cuts[i];
		sh("head -c %ld '%s' > '%s'", len, SPLIT, path);
		m = elfsym_open(path);
		assert_non_null(m);
		assert_int_equal(elfsym_lookup(m, addrs, names, 2), 0);
		/* The section headers are at the end: any cut loses them. */
		assert_null(names[0]);
		assert_null(names[1]);
		elfsym_close(m);
	}
	elfsym_close(NULL);
	dlclose(h);
}

/* Random bytes overwritten all over real files (seeded, 300 times): the
 * reader may find names or not, but stays inside the file (ASan checks). */
static void test_corrupted_files(void **state)
{
	static const char *const sources[] = {SPLIT ".debug", SPLIT};
	char path[512];
	unsigned seed = 12345;
	struct stat sb;
	int round;
	(void)state;
	snprintf(path, sizeof(path), "%s/bad.so", tmpdir);
	for (round = 0; round < 300; round++) {
		const char *src = sources[round % 2];
		FILE *in = fopen(src, "rb"), *out;
		unsigned char *buf;
		assert_int_equal(stat(src, &sb), 0);
		buf = malloc((size_t)sb.st_size);
		uint64_t addrs[4] = {0x1000, 0x1100, 0x1139, 0x2000};
		const char *names[4];
		elfsym_module *m;
		int k;
		assert_non_null(in);
		assert_non_null(buf);
		assert_int_equal(fread(buf, 1, (size_t)sb.st_size, in), (size_t)sb.st_size);
		fclose(in);
		for (k = 0; k < 16; k++) {
			seed = seed * 1103515245u + 12345u;
			buf[(seed >> 8) % (unsigned)sb.st_size] = (unsigned char)(seed >> 3);
		}
		out = fopen(path, "wb");
		assert_non_null(out);
		assert_int_equal(fwrite(buf, 1, (size_t)sb.st_size, out), (size_t)sb.st_size);
		fclose(out);
		free(buf);
		m = elfsym_open(path);
		assert_non_null(m);
		assert_int_equal(elfsym_lookup(m, addrs, names, 4), 0);
		elfsym_close(m);
	}
}

/* A file already in memory reads as the same file opened by path (the
 * debug file: its own symbol table and line table), from any alignment,
 * and looks for no debug file; a cut one gives no names. */
static void test_elfsym__open_buffer(void **state)
{
	const char *path = SPLIT ".debug";
	uint64_t st, ex, addrs[2];
	const char *want[2], *got[2];
	const unsigned char *id_file, *id_buf;
	size_t id_file_len, id_buf_len;
	unsigned char *buf;
	struct stat sb;
	FILE *in;
	void *h = load_split(SPLIT, &st, &ex);
	elfsym_module *f, *m;
	(void)state;
	addrs[0] = st;
	addrs[1] = ex;
	assert_int_equal(stat(path, &sb), 0);
	buf = malloc((size_t)sb.st_size + 1);
	assert_non_null(buf);
	assert_non_null(in = fopen(path, "rb"));
	assert_int_equal(fread(buf + 1, 1, (size_t)sb.st_size, in), (size_t)sb.st_size);
	fclose(in);
	f = elfsym_open(path);
	assert_int_equal(elfsym_lookup(f, addrs, want, 2), 0);
	assert_string_equal(want[0], "split_static_alloc");
	id_file = elfsym_build_id(f, &id_file_len);
	assert_non_null(id_file);

	m = elfsym_open_buffer(buf + 1, (size_t)sb.st_size); /* misaligned: copied */
	assert_non_null(m);
	assert_int_equal(elfsym_lookup(m, addrs, got, 2), 0);
	assert_string_equal(got[0], want[0]);
	assert_string_equal(got[1], want[1]);
	assert_true(elfsym_has_lines(m));
	assert_null(elfsym_debug_file(m));
	id_buf = elfsym_build_id(m, &id_buf_len);
	assert_int_equal(id_buf_len, id_file_len);
	assert_memory_equal(id_buf, id_file, id_file_len);
	elfsym_close(m);

	m = elfsym_open_buffer(buf + 1, (size_t)sb.st_size - 64); /* section headers cut */
	assert_int_equal(elfsym_lookup(m, addrs, got, 2), 0);
	assert_null(got[0]);
	assert_null(got[1]);
	elfsym_close(m);
	m = elfsym_open_buffer(buf + 1, 3);
	assert_non_null(m);
	assert_false(elfsym_has_lines(m));
	elfsym_close(m);

	elfsym_close(f);
	free(buf);
	dlclose(h);
}

/* Extended section numbering (e_shnum 0, the count in section 0's sh_size):
 * the real count reads as before; a count whose size in bytes wraps to 0
 * (2^58 headers of 64 bytes) is not believed (it was: the reader walked
 * 2^58 headers past the end of the file, fuzz_elf found it). */
static void test_elfsym__extended_section_count(void **state)
{
	const char *path = SPLIT ".debug";
	uint64_t st, ex, addrs[2];
	const char *names[2];
	Elf64_Ehdr eh;
	Elf64_Shdr sh0;
	unsigned char *buf;
	struct stat sb;
	FILE *in;
	void *h = load_split(SPLIT, &st, &ex);
	elfsym_module *m;
	(void)state;
	addrs[0] = st;
	addrs[1] = ex;
	assert_int_equal(stat(path, &sb), 0);
	assert_non_null(buf = malloc((size_t)sb.st_size));
	assert_non_null(in = fopen(path, "rb"));
	assert_int_equal(fread(buf, 1, (size_t)sb.st_size, in), (size_t)sb.st_size);
	fclose(in);
	memcpy(&eh, buf, sizeof(eh));
	memcpy(&sh0, buf + eh.e_shoff, sizeof(sh0));
	assert_int_equal(sh0.sh_size, 0);
	sh0.sh_size = eh.e_shnum;
	eh.e_shnum = 0;
	memcpy(buf, &eh, sizeof(eh));
	memcpy(buf + eh.e_shoff, &sh0, sizeof(sh0));
	m = elfsym_open_buffer(buf, (size_t)sb.st_size);
	assert_int_equal(elfsym_lookup(m, addrs, names, 2), 0);
	assert_string_equal(names[0], "split_static_alloc");
	assert_non_null(names[1]);
	elfsym_close(m);

	sh0.sh_size = (uint64_t)1 << 58;
	memcpy(buf + eh.e_shoff, &sh0, sizeof(sh0));
	m = elfsym_open_buffer(buf, (size_t)sb.st_size);
	assert_int_equal(elfsym_lookup(m, addrs, names, 2), 0);
	assert_null(names[0]);
	assert_null(names[1]);
	assert_false(elfsym_has_lines(m));
	elfsym_close(m);
	free(buf);
	dlclose(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_crc32),
	    cmocka_unit_test(test_own_symtab),
	    cmocka_unit_test(test_split_debuglink),
	    cmocka_unit_test(test_split_crc),
	    cmocka_unit_test(test_split_build_id),
	    cmocka_unit_test(test_bad_files),
	    cmocka_unit_test(test_corrupted_files),
	    cmocka_unit_test(test_elfsym__open_buffer),
	    cmocka_unit_test(test_elfsym__extended_section_count),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
