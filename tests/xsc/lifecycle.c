/*
 * Lifecycle: exec and exit tear down the ring and its worker, exit with
 * calls in flight does not hang, and nothing leaks: threads, rings, files.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "xsc_test.h"

static int threads(void)
{
	return (int)xt_field("/proc/self/status", "Threads");
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

/*
 * What a ring leaves behind if a reference is never dropped, and where
 * /proc/meminfo shows it (KiB): the ring struct, the worker's task_struct,
 * creds and the process's counters in unreclaimable slab (SUnreclaim: the
 * whole of Slab also holds dentry and inode caches, which the test's own
 * /proc reads grow by more than the slack under load); a worker that never exits in
 * KernelStack; the ring memory (vmalloc_user) in VmallocUsed. RINGS rings
 * are set up, used and closed in a child that then exits, so that what the
 * process holds (mm, signal struct, counters) is freed too; each field
 * must come back to within its slack, which is below what one leaked
 * object per ring would add (the smallest, the ring struct, is about
 * 300 bytes: 120 KiB for 400 rings).
 */
#define RINGS 400

static const struct {
	const char *field;
	long slack_kib;
	int quarantined;	/* KASAN holds freed objects back (below) */
} leak_fields[] = {
	{ "SUnreclaim", 64, 1 },	/* varies by up to 32 KiB between runs */
	{ "KernelStack", 32, 0 },
	{ "VmallocUsed", 32, 0 },
};
#define NFIELDS (sizeof(leak_fields) / sizeof(leak_fields[0]))

static int use_rings(void)
{
	int i;

	for (i = 0; i < RINGS; i++) {
		struct xsc_ring r;
		uint64_t a[6] = { 0 };

		if (xsc_ring_init(&r, 16, 0) || xsc_call(&r, SYS_getpid, a) != getpid())
			break;
		xsc_ring_exit(&r);
	}
	settle();
	return i == RINGS && threads() == 1 && xt_counter("rings") == 0 ? 0 : 1;
}

/*
 * Whether the kernel runs KASAN (the debug kernels), from its boot log:
 * KASAN keeps freed slab objects in a quarantine of up to 1/32 of memory,
 * so Slab does not come back after frees and cannot show a leak there.
 */
static int kasan_kernel(void)
{
	static char log[1 << 17];
	int n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, log, sizeof(log) - 1);

	if (n < 0)
		return 0;
	log[n] = 0;
	return strstr(log, "KernelAddressSanitizer") != NULL;
}

static int leaked(const long before[], long after[], int kasan)
{
	int over = 0;

	for (size_t f = 0; f < NFIELDS; f++) {
		after[f] = (long)xt_field("/proc/meminfo", leak_fields[f].field);
		if (!(kasan && leak_fields[f].quarantined))
			over += after[f] - before[f] > leak_fields[f].slack_kib;
	}
	return over;
}

static void test_no_leaks(void)
{
	long before[NFIELDS], after[NFIELDS];
	int st = -1, kasan = kasan_kernel();
	char what[96];
	pid_t pid;

	settle();
	for (size_t f = 0; f < NFIELDS; f++)
		before[f] = (long)xt_field("/proc/meminfo", leak_fields[f].field);
	pid = fork();
	if (pid == 0)
		_exit(use_rings());
	waitpid(pid, &st, 0);
	xt_check(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		 "%d rings set up, used and closed in a child; no worker and no ring left", RINGS);
	/* task structs and creds are freed after an RCU grace period */
	for (int j = 0; j < 100 && leaked(before, after, kasan); j++)
		usleep(20000);
	for (size_t f = 0; f < NFIELDS; f++) {
		snprintf(what, sizeof(what), "no leak after the child exits: %s %ld -> %ld KiB (slack %ld)",
			 leak_fields[f].field, before[f], after[f], leak_fields[f].slack_kib);
		if (kasan && leak_fields[f].quarantined)
			xt_skip(what, "KASAN's quarantine keeps freed slab objects");
		else
			xt_check(before[f] >= 0 && after[f] - before[f] <= leak_fields[f].slack_kib,
				 "%s", what);
	}
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
