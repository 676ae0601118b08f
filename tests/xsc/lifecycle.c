/*
 * Lifecycle: exec and exit tear down the ring and its worker, exit with
 * calls in flight does not hang, and nothing leaks: threads, rings, files.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "xsc_test.h"

static int status_field(const char *path, const char *key)
{
	char line[256];
	size_t n = strlen(key);
	int v = -1;
	FILE *f = fopen(path, "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n))
			v = atoi(line + n);
	if (f)
		fclose(f);
	return v;
}

static int threads(void)
{
	return status_field("/proc/self/status", "Threads:");
}

/* free memory in KiB, system-wide */
static long mem_free_kib(void)
{
	return status_field("/proc/meminfo", "MemFree:");
}

static void settle(void)
{
	for (int i = 0; i < 500 && (threads() != 1 || xt_counter("rings") != 0); i++)
		usleep(10000);
}

/* After exec: the inherited ring fd is dead and no worker came along. */
static int after_exec(int fd)
{
	struct xsc_enter e = { .flags = XSC_ENTER_WAKE };
	int ioctl_err = ioctl(fd, XSC_IOC_ENTER, &e) ? errno : 0;
	void *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	int mmap_err = m == MAP_FAILED ? errno : 0;

	settle();
	return (ioctl_err == EBADFD ? 0 : 1) | (mmap_err == EBADFD ? 0 : 2) | (threads() == 1 ? 0 : 4) |
	       (xt_counter("rings") == 0 ? 0 : 8);
}

static void test_exec(void)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		struct xsc_ring r;
		char fdarg[16];

		if (xsc_ring_init(&r, 4, 0))
			_exit(100);
		/* keep the ring's fd across exec (libxsc opens it O_CLOEXEC) */
		int fd = dup(r.fd);
		snprintf(fdarg, sizeof(fdarg), "%d", fd);
		execl("/proc/self/exe", "lifecycle", "--after-exec", fdarg, (char *)NULL);
		_exit(101);
	}
	waitpid(pid, &status, 0);
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : 200;
	xt_check(code < 100 && !(code & 1), "after exec: enter on the old ring fd: EBADFD");
	xt_check(code < 100 && !(code & 2), "after exec: mmap of the old ring fd: EBADFD");
	xt_check(code < 100 && !(code & 4), "after exec: the worker is gone (one thread)");
	xt_check(code < 100 && !(code & 8), "after exec: no live ring counted");
}

/* In a child: @n reads of the empty pipe @fd, left blocked in the worker. */
static void submit_blocking_reads(int fd, int n)
{
	static struct xsc_ring r;
	static char buf[8];
	uint64_t a[6] = { (uint64_t)fd, (uint64_t)(uintptr_t)buf, 1 };

	if (xsc_ring_init(&r, 4, 0))
		_exit(1);
	for (int i = 0; i < n; i++)
		xsc_prep(xsc_get_sqe(&r), SYS_read, a, i);
	xsc_submit(&r);
}

static void test_exit_in_flight(void)
{
	int status, fds[2];
	time_t t0 = time(NULL);
	pid_t pid;

	if (pipe(fds))
		return;
	pid = fork();
	if (pid == 0) {
		submit_blocking_reads(fds[0], 2);
		usleep(200000);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	xt_check(WIFEXITED(status) && WEXITSTATUS(status) == 0 && time(NULL) - t0 < 30,
		 "exit with two blocked ring calls in flight ends the process");

	pid = fork();
	if (pid == 0) {
		submit_blocking_reads(fds[0], 1);
		pause();
		_exit(0);
	}
	usleep(200000);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	xt_check(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
		 "SIGKILL with a blocked ring call in flight kills the process");
	close(fds[0]);
	close(fds[1]);
}

static void *thread_with_ring(void *arg)
{
	(void)arg;
	return (void *)(long)(xsc_syscall(SYS_getpid, 0, 0, 0, 0, 0, 0) == getpid() &&
			      xsc_thread_ring() != NULL);
}

static void test_thread_exit(void)
{
	pthread_t t;
	void *ok;

	pthread_create(&t, NULL, thread_with_ring, NULL);
	pthread_join(t, &ok);
	settle();
	xt_check(ok && threads() == 1 && xt_counter("rings") == 0,
		 "a thread that used its ring exits: its worker and ring go too (%d threads)", threads());
}

/* Each ring costs a vmalloc'ed ring, a worker's stack and task: 200 leaked
 * rings would hold several MiB. */
static void test_no_leaks(void)
{
	long before;
	int i;

	settle();
	before = mem_free_kib();
	for (i = 0; i < 200; i++) {
		struct xsc_ring r;
		uint64_t a[6] = { 0 };

		if (xsc_ring_init(&r, 16, 0) || xsc_call(&r, SYS_getpid, a) != getpid())
			break;
		xsc_ring_exit(&r);
	}
	xt_check(i == 200, "200 rings set up, used and closed");
	settle();
	xt_check(threads() == 1 && xt_counter("rings") == 0, "no worker and no ring left");
	for (int j = 0; j < 100 && mem_free_kib() < before - 1024; j++)
		usleep(10000);
	xt_check(mem_free_kib() >= before - 1024, "no memory leaked (MemFree %ld KiB before, %ld after)",
		 before, mem_free_kib());
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--after-exec"))
		return after_exec(atoi(argv[2]));
	if (access("/dev/xsc", F_OK))
		xt_skip_all("no /dev/xsc");
	test_exec();
	test_exit_in_flight();
	test_thread_exit();
	test_no_leaks();
	return xt_done();
}
