/*
 * Where a run happened: CI variables, then git, then the host. Used by
 * `perfdb record` and by every library producer that records directly.
 */
#include "perfdb/context.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "util/error.h"
#include "util/git.h"
#include "util/machine.h"
#include "util/utf8.h"

static const char *env(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

/* The first of the named variables that is set, and its name. */
static const char *env_first(const char **name, const char *a, const char *b, const char *c)
{
	const char *names[] = {a, b, c};
	size_t i;
	for (i = 0; i < 3; i++)
		if (names[i] && env(names[i])) {
			*name = names[i];
			return env(names[i]);
		}
	return NULL;
}

/* Commit and branch from the CI system, when there is one, and the names
 * of the variables they came from. On a pull request GitHub's GITHUB_SHA is
 * a merge commit and GITHUB_REF_NAME is "N/merge"; GITHUB_HEAD_REF names the
 * branch. */
static void ci_context(const char **commit, const char **branch, const char **commit_var,
		       const char **branch_var)
{
	*commit = *branch = NULL;
	*commit_var = *branch_var = "";
	if (env("GITHUB_ACTIONS")) {
		*commit = env_first(commit_var, "GITHUB_SHA", NULL, NULL);
		*branch = env_first(branch_var, "GITHUB_HEAD_REF", "GITHUB_REF_NAME", NULL);
	} else if (env("GITLAB_CI")) {
		*commit = env_first(commit_var, "CI_COMMIT_SHA", NULL, NULL);
		*branch = env_first(branch_var, "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME",
				    "CI_COMMIT_REF_NAME", NULL);
	} else if (env("BUILDKITE")) {
		*commit = env_first(commit_var, "BUILDKITE_COMMIT", NULL, NULL);
		*branch = env_first(branch_var, "BUILDKITE_BRANCH", NULL, NULL);
	} else if (env("JENKINS_URL")) {
		*commit = env_first(commit_var, "GIT_COMMIT", NULL, NULL);
		/* In a multibranch pipeline's change request BRANCH_NAME is "PR-12";
		 * CHANGE_BRANCH names the branch the change comes from. */
		*branch = env_first(branch_var, "CHANGE_BRANCH", "BRANCH_NAME", "GIT_BRANCH");
		/* Jenkins' GIT_BRANCH is "origin/main". */
		if (*branch && strncmp(*branch, "origin/", 7) == 0)
			*branch += 7;
	}
}

static int set_if_unset(perfdb_resultset *rs, perfdb_meta key, const char *value)
{
	if (perfdb_resultset_meta(rs, key) || !value)
		return 0;
	return perfdb_resultset_set_meta(rs, key, value);
}

static int set_owned(perfdb_resultset *rs, perfdb_meta key, char *value, int force)
{
	int err = 0;
	if (value && (force || !perfdb_resultset_meta(rs, key)))
		err = perfdb_resultset_set_meta(rs, key, value);
	free(value);
	return err;
}

/* A revision that only git can turn into a commit: HEAD, FETCH_HEAD,
 * main~2, v1^, @{u}. Commit labels that are not shas (a build
 * number, "v1.4") are stored as given. */
static int symbolic_rev(const char *rev)
{
	size_t n = strlen(rev);
	if (strpbrk(rev, "~^") || strstr(rev, "@{") || strcmp(rev, "@") == 0)
		return 1;
	return n >= 4 && strcmp(rev + n - 4, "HEAD") == 0;
}

static int git_context(perfdb_resultset *rs, const char *dir)
{
	const char *commit = perfdb_resultset_meta(rs, PERFDB_META_COMMIT);
	char *sha = NULL, *info, *fields[4] = {0};
	char fmt[] = "--format=%P%x1f%cI%x1f%an <%ae>%x1f%s";
	const char *show[] = {"show", "-s", fmt, NULL, NULL};
	const char *branch_args[] = {"rev-parse", "--abbrev-ref", "HEAD", NULL};
	int err, i;
	char *p;

	if (perfdb_util__git_resolve(&sha, dir, commit ? commit : "HEAD") != 0) {
		perfdb_error_clear();
		/* "HEAD" (Buildkite's BUILDKITE_COMMIT for a build started by
		 * hand) or "main~2" stored as written would pool every such
		 * run into one bogus commit */
		if (commit && symbolic_rev(commit))
			return perfdb_error__set(PERFDB_ENOTFOUND,
						 "cannot resolve revision '%s': git does not know "
						 "it here",
						 commit);
		return 0; /* not a repository, or a commit git does not know */
	}
	show[3] = sha;
	info = perfdb_util__git_text(dir, show);
	/* The commit as given ("HEAD", a short sha) becomes git's full sha. */
	if ((err = perfdb_resultset_set_meta(rs, PERFDB_META_COMMIT, sha))) {
		free(sha);
		free(info);
		return err;
	}
	free(sha);
	if (info) {
		p = info;
		for (i = 0; i < 4 && p; i++) {
			fields[i] = p;
			p = strchr(p, '\x1f');
			if (p)
				*p++ = '\0';
		}
		if (fields[0]) {
			char *space = strchr(fields[0], ' '); /* first parent of a merge */
			if (space)
				*space = '\0';
		}
		/* git gives a commit's author and subject in the bytes they
		 * were written in: never a reason to refuse the run */
		for (i = 2; i < 4; i++)
			if (fields[i])
				perfdb_utf8_mend(fields[i]);
		if ((fields[0] && *fields[0] &&
		     (err = set_if_unset(rs, PERFDB_META_PARENT, fields[0]))) ||
		    (fields[2] && (err = set_if_unset(rs, PERFDB_META_AUTHOR, fields[2]))) ||
		    (fields[3] && (err = set_if_unset(rs, PERFDB_META_SUBJECT, fields[3])))) {
			free(info);
			return err;
		}
		if (fields[1] && *fields[1] &&
		    !perfdb_resultset_meta(rs, PERFDB_META_COMMITTED_AT)) {
			char iso[32];
			if (perfdb_time_parse_iso(iso, sizeof(iso), fields[1]) == 0)
				err = perfdb_resultset_set_meta(rs, PERFDB_META_COMMITTED_AT, iso);
			else
				perfdb_error_clear();
		}
		free(info);
		if (err)
			return err;
	}
	if (!perfdb_resultset_meta(rs, PERFDB_META_BRANCH)) {
		char *b = perfdb_util__git_text(dir, branch_args);
		if (b && strcmp(b, "HEAD") == 0) { /* detached */
			free(b);
			b = NULL;
		}
		if ((err = set_owned(rs, PERFDB_META_BRANCH, b, 0)))
			return err;
	}
	return 0;
}

static char *read_small_file(const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf;
	size_t n;
	if (!f)
		return NULL;
	buf = malloc(65536);
	if (!buf) {
		fclose(f);
		return NULL;
	}
	n = fread(buf, 1, 65535, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* The value of "key : value" on the first line of text that has key. */
static int line_value(const char *text, const char *key, char *out, size_t cap)
{
	const char *p = text;
	size_t klen = strlen(key);
	while (p && *p) {
		if (strncmp(p, key, klen) == 0) {
			const char *v = p + klen, *end;
			while (*v == ' ' || *v == '\t' || *v == ':' || *v == '=' || *v == '"')
				v++;
			end = strchr(v, '\n');
			if (!end)
				end = v + strlen(v);
			while (end > v && (end[-1] == '"' || isspace((unsigned char)end[-1])))
				end--;
			snprintf(out, cap, "%.*s", (int)(end - v), v);
			return 1;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return 0;
}

/* The machine's name when no one gave one: $PERFDB_MACHINE, else on CI a
 * name made from the hardware (util/machine.h), else the host name. */
static int machine_name(perfdb_resultset *rs, const char *cpu, long cores,
			unsigned long long mem_kib, const char *os_release)
{
	char name[256] = "", os_id[64] = "", os_version[64] = "";
	const char *env_name = getenv("PERFDB_MACHINE");
	if (perfdb_resultset_meta(rs, PERFDB_META_MACHINE))
		return 0;
	if (env_name && *env_name)
		return perfdb_resultset_set_meta(rs, PERFDB_META_MACHINE, env_name);
	if (perfdb_machine__on_ci()) {
		if (os_release) {
			line_value(os_release, "ID=", os_id, sizeof(os_id));
			line_value(os_release, "VERSION_ID", os_version, sizeof(os_version));
		}
		perfdb_machine__ci_name(name, sizeof(name), cpu, cores, mem_kib, os_id, os_version);
	} else if (gethostname(name, sizeof(name) - 1) != 0 || !*name) {
		snprintf(name, sizeof(name), "unknown-host");
	}
	return perfdb_resultset_set_meta(rs, PERFDB_META_MACHINE, name);
}

/* The first line of a small file, without its newline, or "" */
static void first_line(const char *path, char *out, size_t cap)
{
	char *text = read_small_file(path);
	out[0] = '\0';
	if (text) {
		snprintf(out, cap, "%.*s", (int)strcspn(text, "\n"), text);
		free(text);
	}
}

static int host_context(perfdb_resultset *rs)
{
	char cpu[256] = "", value[256];
	struct utsname uts;
	char *text, *os_release;
	int err = 0;
	long cores;
	unsigned long long mem_kib = 0;

	/* The fingerprint describes the machine; a producer's own facts (a
	 * Google Benchmark context) are kept where they overlap. */
	if ((text = read_small_file("/proc/cpuinfo"))) {
		if (line_value(text, "model name", cpu, sizeof(cpu)))
			err = perfdb_resultset_set_context(rs, "cpu", cpu);
		free(text);
		if (err)
			return err;
	}
	cores = sysconf(_SC_NPROCESSORS_ONLN);
	if (cores > 0) {
		snprintf(value, sizeof(value), "%ld", cores);
		if ((err = perfdb_resultset_set_context(rs, "cores", value)))
			return err;
	}
	if ((text = read_small_file("/proc/meminfo"))) {
		if (line_value(text, "MemTotal", value, sizeof(value))) {
			mem_kib = strtoull(value, NULL, 10);
			err = perfdb_resultset_set_context(rs, "memory", value);
		}
		free(text);
		if (err)
			return err;
	}
	os_release = read_small_file("/etc/os-release");
	if (os_release && line_value(os_release, "PRETTY_NAME", value, sizeof(value)) &&
	    (err = perfdb_resultset_set_context(rs, "os", value))) {
		free(os_release);
		return err;
	}
	err = machine_name(rs, cpu, cores, mem_kib, os_release);
	free(os_release);
	if (err)
		return err;
	if (uname(&uts) == 0) {
		snprintf(value, sizeof(value), "%s %s %s", uts.sysname, uts.release, uts.machine);
		if ((err = perfdb_resultset_set_context(rs, "kernel", value)))
			return err;
	}
	/* What the run met, not what the machine is: kept with the run (runs.context)
	 * so a noisy run can be audited later. */
	first_line("/proc/loadavg", value, sizeof(value));
	{
		double l1, l5, l15; /* "0.14 0.03 0.01 1/123 4567": the three averages */
		if (sscanf(value, "%lf %lf %lf", &l1, &l5, &l15) == 3) {
			snprintf(value, sizeof(value), "%.2f %.2f %.2f", l1, l5, l15);
			if ((err = perfdb_resultset_set_context(rs, "load_avg", value)))
				return err;
		}
	}
	first_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", value, sizeof(value));
	if (*value && (err = perfdb_resultset_set_context(rs, "cpu_governor", value)))
		return err;
#if defined(__clang__)
	snprintf(value, sizeof(value), "clang %s", __clang_version__);
#elif defined(__GNUC__)
	snprintf(value, sizeof(value), "gcc %s", __VERSION__);
#else
	snprintf(value, sizeof(value), "unknown");
#endif
	return perfdb_resultset_set_context(rs, "perfdb_compiler", value);
}

/* Replaces a value the input claimed with the CI's (NULL: drops it), with a
 * warning when they differ: the input is whatever the job's code wrote. */
static int distrust(perfdb_resultset *rs, perfdb_meta key, const char *what, const char *ci,
		    const char *ci_name)
{
	const char *claimed = perfdb_resultset_meta(rs, key);
	int err;
	if (!claimed)
		return 0;
	if (!ci || strcmp(claimed, ci) != 0) {
		if (ci)
			err = perfdb_resultset_warn(rs,
						    "the input says %s '%s' but %s says '%s': "
						    "using %s (pass --%s to choose)",
						    what, claimed, ci_name, ci, ci_name, what);
		else
			err = perfdb_resultset_warn(rs,
						    "the input says %s '%s': ignored under CI "
						    "(pass --%s to choose)",
						    what, claimed, what);
		if (err)
			return err;
	}
	return perfdb_resultset_set_meta(rs, key, ci);
}

int perfdb_resultset_apply_ci(perfdb_resultset *rs)
{
	static const perfdb_meta commit_details[] = {PERFDB_META_PARENT, PERFDB_META_SUBJECT,
						     PERFDB_META_AUTHOR, PERFDB_META_COMMITTED_AT};
	const char *ci_commit, *ci_branch, *commit_var, *branch_var, *claimed;
	const char *machine = getenv("PERFDB_MACHINE");
	size_t i;
	int err;

	ci_context(&ci_commit, &ci_branch, &commit_var, &branch_var);
	if (!ci_commit)
		return 0;
	claimed = perfdb_resultset_meta(rs, PERFDB_META_COMMIT);
	/* the commit's details came with the claimed commit: git fills them again */
	if (claimed && strcmp(claimed, ci_commit) != 0)
		for (i = 0; i < sizeof(commit_details) / sizeof(commit_details[0]); i++)
			if ((err = perfdb_resultset_set_meta(rs, commit_details[i], NULL)))
				return err;
	if ((err = distrust(rs, PERFDB_META_COMMIT, "commit", ci_commit, commit_var)) ||
	    (err = distrust(rs, PERFDB_META_BRANCH, "branch", ci_branch, branch_var)) ||
	    (err = distrust(rs, PERFDB_META_MACHINE, "machine",
			    machine && *machine ? machine : NULL, "PERFDB_MACHINE")))
		return err;
	/* the run happens now, whatever the file says */
	return perfdb_resultset_set_meta(rs, PERFDB_META_STARTED_AT, NULL);
}

int perfdb_resultset_fill_context(perfdb_resultset *rs, const char *repo_dir)
{
	const char *ci_commit, *ci_branch, *commit_var, *branch_var;
	char now[32];
	int err;

	ci_context(&ci_commit, &ci_branch, &commit_var, &branch_var);
	if ((err = set_if_unset(rs, PERFDB_META_COMMIT, ci_commit)) ||
	    (err = set_if_unset(rs, PERFDB_META_BRANCH, ci_branch)) ||
	    (err = git_context(rs, repo_dir)) || (err = host_context(rs)))
		return err;
	if (!perfdb_resultset_meta(rs, PERFDB_META_STARTED_AT)) {
		perfdb_time_now_iso(now, sizeof(now));
		if ((err = perfdb_resultset_set_meta(rs, PERFDB_META_STARTED_AT, now)))
			return err;
	}
	if (!perfdb_resultset_meta(rs, PERFDB_META_COMMIT))
		return perfdb_error__set(
		    PERFDB_ENOTFOUND,
		    "no commit to record for: not in a git repository and no CI variables");
	return 0;
}
