/*
 * Trap parity by construction: a ring call never acts as a different thread
 * than its submitter, and where the worker cannot act as the submitter the
 * entry goes back to the trap. One check per finding of the driver review,
 * each failing on a driver without its fix: the ring cannot be driven from
 * a ring or from another process, the worker follows the submitter's
 * credentials, fs, file table and personality (or traps), calls that act on
 * the calling thread trap, a close completes after its fput, a stop during
 * a blocked call stops the process, an idle worker ends with its submitter.
 * Runs as root in the guest (some checks drop privileges in a child).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/close_range.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "xsc_test.h"

#define P(p)	((uint64_t)(uintptr_t)(p))

/* Run @fn in a forked child and return its exit status (or 128 + signal). */
static int in_child(int (*fn)(void))
{
	int st;
	pid_t pid = fork();

	if (pid == 0)
		_exit(fn());
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* ------------------------------------------------ the ring drives no ring */

static void test_ring_in_ring(void)
{
	struct xsc_ring r;
	struct xsc_setup p = { .sq_entries = 4 };
	struct xsc_enter e = { .flags = XSC_ENTER_WAIT, .min_complete = 1 };
	struct sigaction sa = { .sa_handler = on_alarm };
	int fd2 = open("/dev/xsc", O_RDWR | O_CLOEXEC);
	int64_t ret;

	if (xsc_ring_init(&r, 8, 0)) {
		xt_check(0, "ring set up");
		return;
	}
	ret = xsc_call(&r, SYS_ioctl, (uint64_t[6]){ fd2, XSC_IOC_SETUP, P(&p) });
	xt_check(ret == -EPERM, "XSC_IOC_SETUP made by a worker (a ring in a ring): EPERM (got %lld)",
		 (long long)ret);
	/* the worker would wait for completions only it can post */
	sigaction(SIGALRM, &sa, NULL);
	alarm(3);
	ret = xsc_call(&r, SYS_ioctl, (uint64_t[6]){ r.fd, XSC_IOC_ENTER, P(&e) });
	alarm(0);
	xt_check(ret == -EPERM, "XSC_IOC_ENTER on its own ring made by the worker: EPERM at once "
		 "(got %lld)", (long long)ret);
	ret = xsc_call(&r, SYS_mmap, (uint64_t[6]){ 0, 4096, PROT_READ, MAP_SHARED, fd2, 0 });
	xt_check(ret == -EPERM, "mmap of /dev/xsc made by a worker: EPERM (got %lld)", (long long)ret);
	xt_check(xsc_call(&r, SYS_getppid, (uint64_t[6]){ 0 }) == getppid(),
		 "the ring still works afterwards");
	close(fd2);
	xsc_ring_exit(&r);
}

/* ------------------------------------------------ only the submitter's group */

static volatile int vfork_errno;

static void test_other_process(void)
{
	struct xsc_ring r;
	struct xsc_enter e = { .flags = XSC_ENTER_WAKE };
	pid_t pid;
	int st;

	if (xsc_ring_init(&r, 8, 0)) {
		xt_check(0, "ring set up");
		return;
	}
	/* a vfork child runs on the parent's memory and thread descriptor */
	vfork_errno = -1;
	pid = vfork();
	if (pid == 0) {
		vfork_errno = ioctl(r.fd, XSC_IOC_ENTER, &e) ? errno : 0;
		_exit(0);
	}
	waitpid(pid, &st, 0);
	xt_check(vfork_errno == EBADFD, "XSC_IOC_ENTER from a vfork child (same mm, another "
		 "process): EBADFD (got %d)", vfork_errno);
	st = madvise(r.mem, r.size, MADV_DOFORK);
	if (st && errno == ENOSYS)
		xt_skip("madvise(MADV_DOFORK) on the ring: EINVAL",
			"this kernel has no madvise (CONFIG_ADVISE_SYSCALLS)");
	else
		xt_check(st != 0 && errno == EINVAL, "madvise(MADV_DOFORK) on the ring: EINVAL, a "
			 "fork child never shares it (%d, %s)", st, st ? strerror(errno) : "no error");
	xsc_ring_exit(&r);
}

/* ------------------------------------------------ setup that cannot answer */

static void test_setup_efault(void)
{
	struct xsc_setup *ro = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
				    -1, 0);
	struct xsc_setup p = { .sq_entries = 4 };
	int fd = open("/dev/xsc", O_RDWR | O_CLOEXEC);
	int r1, e1, r2;

	ro->sq_entries = 4;
	mprotect(ro, 4096, PROT_READ);
	r1 = ioctl(fd, XSC_IOC_SETUP, ro);
	e1 = errno;
	r2 = ioctl(fd, XSC_IOC_SETUP, &p);
	xt_check(r1 < 0 && e1 == EFAULT && r2 == 0,
		 "setup whose answer cannot be written: EFAULT and no ring (a retry sets up: %d)",
		 r2 ? errno : 0);
	close(fd);
	munmap(ro, 4096);
}

/* ------------------------------------------------ the worker acts as the submitter */

static int child_creds(void)
{
	struct xsc_ring r;
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	struct xsc_cqe c;
	long long stale0, calls0;
	int bad = 0;

	if (xsc_ring_init(&r, 8, 0))
		return 100;
	/* libxsc's thread ring too, set up while root */
	if (xsc_syscall(SYS_getppid, 0, 0, 0, 0, 0, 0) != getppid() || !xsc_thread_ring())
		return 102;
	if (syscall(SYS_setresuid, 65534, 65534, 65534))
		return 101;
	/* readable /proc/self again (a dropped privilege makes it root's) */
	prctl(PR_SET_DUMPABLE, 1);
	stale0 = xt_counter("trap_stale");
	xt_raw_call(&r, SYS_geteuid, 0, (uint64_t[6]){ 0 }, &c);
	if (c.status != XSC_STATUS_TRAP || c.reason != XSC_REASON_STALE)
		bad |= 1;		/* the worker still has root's credentials */
	if (xt_counter("trap_stale") != stale0 + 1)
		bad |= 2;
	memset(d, 0xff, sizeof(d));
	if (xsc_call(&r, SYS_capget, (uint64_t[6]){ P(&h), P(d) }) != 0 || d[0].effective)
		bad |= 4;		/* capget(0) reported the worker's setup-time caps */
	if (xsc_call(&r, SYS_openat, (uint64_t[6]){ AT_FDCWD, P("/proc/1/xsc"), O_RDONLY }) != -EACCES)
		bad |= 8;		/* uid 65534 reads root's counters */
	xsc_ring_exit(&r);
	/* libxsc's thread ring: the stale call traps, then a new ring carries calls */
	if (xsc_syscall(SYS_geteuid, 0, 0, 0, 0, 0, 0) != 65534)
		bad |= 16;
	xsc_syscall(SYS_getppid, 0, 0, 0, 0, 0, 0);
	calls0 = xt_counter("ring_calls");
	if (xsc_syscall(SYS_geteuid, 0, 0, 0, 0, 0, 0) != 65534 || xt_counter("ring_calls") != calls0 + 1)
		bad |= 32;
	return bad;
}

static int child_fs(void)
{
	struct xsc_ring r;
	char cwd[64] = "";
	int bad = 0, fd;
	struct stat st;

	if (xsc_ring_init(&r, 8, 0))
		return 100;
	if (unshare(CLONE_FS) || chdir("/tmp"))
		return 101;
	if (xsc_call(&r, SYS_getcwd, (uint64_t[6]){ P(cwd), sizeof(cwd) }) < 0 || strcmp(cwd, "/tmp"))
		bad |= 1;		/* the worker kept the old fs_struct */
	if (unshare(CLONE_FILES))
		return 102;
	fd = open("/proc/self/status", O_RDONLY);
	if (xsc_call(&r, SYS_fstat, (uint64_t[6]){ fd, P(&st) }) != 0)
		bad |= 2;		/* the worker kept the old file table */
	xsc_ring_exit(&r);
	return bad;
}

static int child_personality(void)
{
	struct xsc_ring r;
	struct utsname u;

	if (xsc_ring_init(&r, 8, 0))
		return 100;
	if (personality(PER_LINUX | UNAME26) < 0)
		return 101;
	if (xsc_call(&r, SYS_uname, (uint64_t[6]){ P(&u) }) != 0)
		return 102;
	xsc_ring_exit(&r);
	return strncmp(u.release, "2.6.", 4) ? 1 : 0;	/* the worker's personality */
}

static int child_close_range(void)
{
	struct xsc_ring r;
	int fd = open("/proc/self/status", O_RDONLY);

	if (xsc_ring_init(&r, 8, 0))
		return 100;
	if (xsc_call(&r, SYS_close_range, (uint64_t[6]){ fd, fd, CLOSE_RANGE_UNSHARE }) != 0)
		return 101;
	xsc_ring_exit(&r);
	/* CLOSE_RANGE_UNSHARE must close it in the submitter's own table */
	return fcntl(fd, F_GETFD) < 0 && errno == EBADF ? 0 : 1;
}

static void test_identity(void)
{
	int st;

	st = in_child(child_creds);
	xt_check(st == 0, "after setresuid(65534): a ring call traps with XSC_REASON_STALE and "
		 "counts as trap_stale, capget shows no capabilities, /proc/1/xsc is EACCES, "
		 "libxsc's ring sets up anew (child status %d)", st);
	st = in_child(child_fs);
	xt_check(st == 0, "after unshare(CLONE_FS) and chdir: ring getcwd is the new cwd; after "
		 "unshare(CLONE_FILES): ring fstat sees a new fd (child status %d)", st);
	st = in_child(child_personality);
	xt_check(st == 0, "after personality(UNAME26): ring uname reports 2.6 (child status %d)", st);
	st = in_child(child_close_range);
	xt_check(st == 0, "ring close_range(CLOSE_RANGE_UNSHARE) closes the fd in the submitter's "
		 "table (child status %d)", st);
}

/* ------------------------------------------------ calls about the calling thread */

static void test_thread_calls(void)
{
	struct xsc_ring r;
	struct timespec one = { 1, 0 };
	struct sigaction sa = { .sa_handler = on_alarm };
	struct rusage ru;
	struct xsc_cqe c;
	siginfo_t si;
	sigset_t set;
	clockid_t clk;
	int64_t ret;
	pid_t pid;
	int st;

	if (xsc_ring_init(&r, 8, 0)) {
		xt_check(0, "ring set up");
		return;
	}
	/* the submitter's own CPU clock by its tid: the trap says EINVAL */
	clk = (clockid_t)((~(unsigned int)gettid() << 3) | 4 | 2);
	sigaction(SIGALRM, &sa, NULL);
	alarm(3);
	ret = xsc_call(&r, SYS_clock_nanosleep, (uint64_t[6]){ (uint32_t)clk, 0, P(&one), 0 });
	alarm(0);
	xt_check(ret == -EINVAL, "clock_nanosleep on the submitter's CPU clock named by its tid: "
		 "EINVAL at once, as the trap (got %lld)", (long long)ret);

	xt_raw_call(&r, SYS_getrusage, 0, (uint64_t[6]){ 0x100000001ULL, P(&ru) }, &c);
	xt_check(c.status == XSC_STATUS_TRAP, "getrusage(0x100000001) is RUSAGE_THREAD to the "
		 "kernel (an int): it traps (status %u)", c.status);

	pid = fork();
	if (pid == 0)
		_exit(7);
	usleep(100000);
	ret = xsc_call(&r, SYS_wait4, (uint64_t[6]){ -1, P(&st), __WNOTHREAD, 0 });
	xt_check(ret == pid, "wait4(__WNOTHREAD) reaps the submitter's own child (got %lld, want %d)",
		 (long long)ret, pid);

	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, NULL);
	memset(&si, 0, sizeof(si));
	si.si_signo = SIGUSR2;
	si.si_code = SI_USER;
	si.si_pid = getpid();
	ret = xsc_call(&r, SYS_rt_sigqueueinfo, (uint64_t[6]){ getpid(), SIGUSR2, P(&si) });
	xt_check(ret == 0, "rt_sigqueueinfo(getpid(), SI_USER) from the main thread: 0, as the trap "
		 "(got %lld)", (long long)ret);
	if (ret == 0)
		sigwaitinfo(&set, NULL);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	xsc_ring_exit(&r);
}

/* ------------------------------------------------ a close completes after its fput */

static void test_close_then_flock(void)
{
	const char *path = "/tmp/parity-flock";
	struct xsc_ring r;
	int busy = 0, n = 1000;

	if (xsc_ring_init(&r, 8, 0)) {
		xt_check(0, "ring set up");
		return;
	}
	for (int i = 0; i < n; i++) {
		int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		int fd2 = open(path, O_RDWR | O_CLOEXEC);

		flock(fd, LOCK_EX);
		xsc_call(&r, SYS_close, (uint64_t[6]){ fd });
		if (flock(fd2, LOCK_EX | LOCK_NB))
			busy++;
		close(fd2);
	}
	xt_check(busy == 0, "ring close() has released the flock when it completes (%d of %d "
		 "still locked)", busy, n);
	unlink(path);
	xsc_ring_exit(&r);
}

/* ------------------------------------------------ a stop during a blocked call */

/* CPU time (user + system ticks) of @pid's ring worker, or -1. */
static int worker_ticks(pid_t pid)
{
	char path[96], buf[512];
	unsigned long ut, st;
	int tid = xt_worker_tid(pid, 0), ticks = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, tid);
	f = tid > 0 ? fopen(path, "r") : NULL;
	if (f && fgets(buf, sizeof(buf), f) &&
	    sscanf(buf, "%*d (%*[^)]) %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
		   &ut, &st) == 2)
		ticks = (int)(ut + st);
	if (f)
		fclose(f);
	return ticks;
}

static int stop_pipe[2];

/* read() blocks in the worker; SIGSTOP and SIGCONT have no handler */
static void *blocked_read(void *unused)
{
	struct xsc_ring r;
	char c;

	(void)unused;
	if (xsc_ring_init(&r, 8, 0))
		return (void *)100L;
	return (void *)(long)(xsc_call(&r, SYS_read, (uint64_t[6]){ stop_pipe[0], P(&c), 1 }) == 1 ? 0 : 1);
}

static int main_thread_reads(void)
{
	return (int)(long)blocked_read(NULL);
}

/*
 * The submitter is not the main thread, to which complete_signal() hands
 * the process's SIGSTOP: no signal is queued for the submitter, only the
 * group stop wakes the worker (review #13). The other half of #13, a
 * cgroup v2 freeze and thaw, is not tested: these kernels have no cgroups.
 */
static int other_thread_reads(void)
{
	pthread_t t;
	void *ret;

	if (pthread_create(&t, NULL, blocked_read, NULL))
		return 101;
	pthread_join(t, &ret);
	return (int)(long)ret;
}

static void test_stop_and_continue(int (*child)(void), const char *submitter)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	int st = 0, stopped, t0, t1, status;
	pid_t pid;

	if (pipe(stop_pipe)) {
		xt_check(0, "pipe");
		return;
	}
	pid = fork();
	if (pid == 0)
		_exit(child());
	usleep(300000);
	sigaction(SIGALRM, &sa, NULL);
	kill(pid, SIGSTOP);
	alarm(10);
	stopped = waitpid(pid, &st, WUNTRACED) == pid && WIFSTOPPED(st);
	alarm(0);
	xt_check(stopped, "SIGSTOP while a ring read() of the %s blocks: the process stops "
		 "(waitpid WUNTRACED returns)", submitter);
	t0 = worker_ticks(pid);
	sleep(1);
	t1 = worker_ticks(pid);
	xt_check(t0 >= 0 && t1 - t0 < 10, "the stopped worker uses no CPU (%d ticks in 1 s)", t1 - t0);
	kill(pid, SIGCONT);
	usleep(200000);
	if (write(stop_pipe[1], "x", 1) != 1)
		xt_note("write to the pipe failed");
	alarm(10);
	status = waitpid(pid, &st, 0) == pid && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	alarm(0);
	if (status < 0)
		kill(pid, SIGKILL);
	xt_check(status == 0, "after SIGCONT the %s's read continues, as the trap's restarts, and "
		 "returns the byte (child status %d)", submitter, status);
	close(stop_pipe[0]);
	close(stop_pipe[1]);
}

/* ------------------------------------------------ the worker ends with its submitter */

static struct xsc_ring kept_ring;
static int kept_ok;

static void *set_up_and_leave(void *unused)
{
	(void)unused;
	kept_ok = xsc_ring_init(&kept_ring, 8, 0) == 0;
	return NULL;		/* the fd and mapping stay: only the thread exits */
}

static void test_idle_worker_ends(void)
{
	pthread_t t;
	long long rings = -1;

	pthread_create(&t, NULL, set_up_and_leave, NULL);
	pthread_join(t, NULL);
	for (int i = 0; i < 100; i++) {
		rings = xt_counter("rings");
		if (rings == 0)
			break;
		usleep(10000);
	}
	xt_check(kept_ok && rings == 0, "an idle worker ends when its submitter thread exits, its "
		 "fd still open (rings: %lld)", rings);
	xsc_ring_exit(&kept_ring);
}

/* ------------------------------------------------ a copy of the fd keeps no worker */

static void test_fork_copy_keeps_no_worker(void)
{
	struct xsc_ring r;
	long long rings = -1;
	int p[2], st;
	pid_t pid;
	char c;

	if (xsc_ring_init(&r, 8, 0) || pipe(p)) {
		xt_check(0, "ring and pipe set up");
		return;
	}
	pid = fork();
	if (pid == 0) {
		/* holds its copy of the ring fd until the parent writes */
		close(p[1]);
		_exit(read(p[0], &c, 1) == 1 ? 0 : 1);
	}
	close(p[0]);
	xsc_ring_exit(&r);
	for (int i = 0; i < 100; i++) {
		rings = xt_counter("rings");
		if (rings == 0)
			break;
		usleep(10000);
	}
	xt_check(rings == 0, "closing the ring ends its worker while a fork child still holds a "
		 "copy of the fd (rings: %lld)", rings);
	if (write(p[1], "x", 1) != 1)
		xt_note("write to the pipe failed");
	waitpid(pid, &st, 0);
	close(p[1]);
}

int main(void)
{
	if (access("/dev/xsc", F_OK))
		xt_skip_all("no /dev/xsc");
	if (geteuid() != 0)
		xt_skip_all("needs root (drops privileges in children)");
	test_ring_in_ring();
	test_other_process();
	test_setup_efault();
	test_identity();
	test_thread_calls();
	test_close_then_flock();
	test_stop_and_continue(main_thread_reads, "main thread");
	test_stop_and_continue(other_thread_reads, "non-main thread");
	test_idle_worker_ends();
	test_fork_copy_keeps_no_worker();
	return xt_done();
}
