/*
 * fork while other threads allocate: neither parent nor children may crash
 * or deadlock under the tracker. Children allocate, some exit() (writing
 * their own report), some _exit(), one execs /bin/true.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int stop;

static void *churn(void *arg)
{
	unsigned n = 0;
	(void)arg;
	while (!stop) {
		void *p = malloc(16 + (n++ % 512));
		if (!p)
			abort();
		memset(p, 1, 16);
		free(p);
	}
	return NULL;
}

int main(void)
{
	pthread_t th[3];
	int i, status, failed = 0;

	for (i = 0; i < 3; i++)
		if (pthread_create(&th[i], NULL, churn, NULL) != 0)
			return 1;
	for (i = 0; i < 40; i++) {
		pid_t pid = fork();
		if (pid < 0)
			return 1;
		if (pid == 0) {
			void *p = malloc(1000);
			char *q = realloc(p, 5000);
			if (!q)
				_exit(3);
			free(q);
			if (i == 7) {
				execl("/bin/true", "true", (char *)NULL);
				_exit(4);
			}
			if (i % 2)
				_exit(0);
			exit(0);
		}
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0)
			failed++;
	}
	stop = 1;
	for (i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	return failed ? 2 : 0;
}
