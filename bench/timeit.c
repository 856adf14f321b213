/* timeit: run a command once and append what it cost to a file.
 *
 *   timeit OUT CMD [ARG...]
 *
 * CMD runs with its standard output and error thrown away.  One line is
 * appended to OUT: wall-clock seconds from fork to exit, CPU seconds (user
 * + system, from wait4), CMD's exit status (128 + N for a signal), and its
 * peak resident set size in KB.  The benchmark runs on shared machines:
 * the CPU time of the child is what the code costs whatever else runs
 * beside it, the wall time is what parallel work (-j) changes.
 *
 * Exit status: 0, or 2 if CMD could not be run.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	struct rusage ru;
	double t0, t1, cpu;
	pid_t pid;
	int st, rc;
	FILE *f;

	if (argc < 3) {
		fprintf(stderr, "usage: timeit OUT CMD [ARG...]\n");
		return 2;
	}
	t0 = now();
	pid = fork();
	if (pid == -1) {
		fprintf(stderr, "timeit: fork: %s\n", strerror(errno));
		return 2;
	}
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);

		if (fd != -1) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execvp(argv[2], argv + 2);
		_exit(127);
	}
	if (wait4(pid, &st, 0, &ru) == -1) {
		fprintf(stderr, "timeit: wait: %s\n", strerror(errno));
		return 2;
	}
	t1 = now();
	cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	if ((f = fopen(argv[1], "a")) == NULL) {
		fprintf(stderr, "timeit: cannot open '%s': %s\n", argv[1],
		    strerror(errno));
		return 2;
	}
	fprintf(f, "%.6f %.6f %d %ld\n", t1 - t0, cpu, rc, ru.ru_maxrss);
	if (fclose(f) != 0)
		return 2;
	return rc == 127 ? 2 : 0;
}
