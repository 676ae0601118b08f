/*
 * Security parity with the trap: the submitting thread's seccomp filter
 * decides ring calls with the trap's outcome (errno, trap and kill by
 * number, argument and instruction pointer; log, trace and user
 * notification left to the trap; filters of other threads, with and
 * without TSYNC), and a ptraced thread's ring calls go back to the trap,
 * where the tracer sees them.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "xsc_test.h"

/* the AUDIT_ARCH_* of this ABI, from matrix.meson (xsc_arches audit_arch) */
#ifndef XSC_AUDIT_ARCH
#error "build with -DXSC_AUDIT_ARCH=AUDIT_ARCH_... (tests/xsc/meson.build passes it)"
#endif

#define LOAD(field) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, field))
#define IF_NR(nr, action) \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), BPF_STMT(BPF_RET | BPF_K, (action))

/* the low and high words of a 64-bit field of struct seccomp_data */
#define LOAD_LO(field) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, field) + \
				(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? 0 : 4))
#define LOAD_HI(field) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, field) + \
				(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? 4 : 0))

/*
 * getppid: EACCES; uname: SIGSYS; getuid: kill the process;
 * sched_getscheduler(0): EDOM (the ring rewrites that 0 to the submitter's
 * tid: the filter must see the original argument);
 * getsid with instruction_pointer 0: ENOTSUP (spec: a ring call shows 0,
 * never the address of an earlier trap);
 * else allow.
 */
static int install_filter(void)
{
	struct sock_filter f[] = {
		LOAD(arch),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, XSC_AUDIT_ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		LOAD(nr),
		IF_NR(SYS_getppid, SECCOMP_RET_ERRNO | EACCES),
		IF_NR(SYS_uname, SECCOMP_RET_TRAP | 7),
		IF_NR(SYS_getuid, SECCOMP_RET_KILL_PROCESS),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_sched_getscheduler, 0, 6),
		LOAD_LO(args[0]),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 2),
		LOAD_HI(args[0]),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EDOM),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getsid, 0, 6),
		LOAD_LO(instruction_pointer),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 2),
		LOAD_HI(instruction_pointer),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOTSUP),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;
	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) ? -errno : 0;
}

static volatile sig_atomic_t sigsys_nr = -1, sigsys_data = -1;

static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	sigsys_nr = si->si_syscall;
	sigsys_data = si->si_errno;
}

static void raw(struct xsc_ring *r, long nr, struct xsc_cqe *out)
{
	uint64_t a[6] = { 0 };
	struct xsc_cqe *c;
	int err;

	xsc_prep(xsc_get_sqe(r), nr, a, 1);
	xsc_submit(r);
	c = xsc_wait_cqe(r, 1000, &err);
	*out = *c;
	xsc_cqe_seen(r);
}

/* In a child: ring first, filter second (the filter applies to an existing ring). */
static int filtered_child(void)
{
	struct sigaction sa = { .sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO };
	struct xsc_ring r;
	struct xsc_cqe c;
	struct utsname u;
	uint64_t a[6] = { 0 };
	long long before;

	if (xsc_ring_init(&r, 4, 0))
		return 1;
	sigaction(SIGSYS, &sa, NULL);
	if (!xt_check(install_filter() == 0, "install a seccomp filter after the ring exists"))
		return 1;
	before = xt_counter("seccomp_errno");
	xt_check(xsc_trap(SYS_getppid, a) == -EACCES, "trap getppid: -EACCES from the filter");
	xt_check(xsc_call(&r, SYS_getppid, a) == -EACCES, "ring getppid: -EACCES, as the trap");
	xt_check(xt_counter("seccomp_errno") - before == 1, "counted as a seccomp errno ring call");
	xt_check(xsc_call(&r, SYS_getpid, a) == getpid(), "ring getpid: allowed");
	xt_check(xsc_trap(SYS_sched_getscheduler, a) == -EDOM &&
		 xsc_call(&r, SYS_sched_getscheduler, a) == -EDOM,
		 "sched_getscheduler(0), refused by an argument rule: -EDOM by the trap and by the ring "
		 "(the filter sees the original 0, not the rewritten tid)");
	a[0] = (uint64_t)getpid();
	xt_check(xsc_call(&r, SYS_sched_getscheduler, a) == SCHED_OTHER,
		 "sched_getscheduler(getpid()) through the ring: allowed");
	a[0] = 0;
	xt_check(xsc_trap(SYS_getsid, a) == getsid(0) && xsc_call(&r, SYS_getsid, a) == -ENOTSUP,
		 "a rule on instruction_pointer 0: the trap's getsid passes, the ring's is refused "
		 "(ring calls show instruction_pointer 0, not the last trap's)");

	raw(&r, SYS_uname, &c);
	xt_check(c.status == XSC_STATUS_TRAP && c.reason == XSC_REASON_SECCOMP,
		 "ring uname (RET_TRAP): sent back to the trap (status %u reason %u)", c.status, c.reason);
	xt_check(sigsys_nr == -1, "no SIGSYS from the ring itself");
	a[0] = (uint64_t)(uintptr_t)&u;
	xsc_call(&r, SYS_uname, a);
	xt_check(sigsys_nr == SYS_uname && sigsys_data == 7,
		 "xsc_call re-issues it by the trap: SIGSYS for uname with data 7 (nr %d data %d)",
		 (int)sigsys_nr, (int)sigsys_data);
	a[0] = 0;
	/* the plan, before the call that must kill: a child killed earlier
	 * (a wrong ring decision raising SIGSYS) never prints it */
	printf("1..%d\n", xt_n);
	fflush(stdout);
	xsc_call(&r, SYS_getuid, a);
	xt_check(0, "getuid under RET_KILL_PROCESS returned");
	return 1;
}

/* Run fn in a child whose checks are relayed as ours, renumbered; the
 * child prints its plan ("1..N") before it may end. */
static int relay_child(int (*fn)(void), int *plan, int *relayed)
{
	int status = -1, fds[2];
	char line[512];
	FILE *in;
	pid_t pid;

	*plan = -1;
	*relayed = 0;
	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(fds[1], 1);
		xt_n = xt_failed = 0;		/* the child's own checks */
		_exit(fn());
	}
	close(fds[1]);
	in = fdopen(fds[0], "r");
	while (in && fgets(line, sizeof(line), in)) {
		char *desc = strstr(line, " - ");

		line[strcspn(line, "\n")] = 0;
		if (sscanf(line, "1..%d", plan) == 1)
			continue;
		if (line[0] == '#') {
			puts(line);
		} else if (desc) {
			(*relayed)++;
			xt_check(!strncmp(line, "ok", 2), "%s", desc + 3);
		}
	}
	if (in)
		fclose(in);
	waitpid(pid, &status, 0);
	return status;
}

static void test_filter(void)
{
	int plan, relayed, status = relay_child(filtered_child, &plan, &relayed);

	xt_check(plan > 0 && relayed == plan,
		 "the filtered child made all its checks before the kill (plan %d, %d relayed)",
		 plan, relayed);
	xt_check(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS,
		 "ring getuid under RET_KILL_PROCESS kills the process with SIGSYS, as the trap");
}

/*
 * The actions the ring leaves to the trap: RET_LOG (getppid), RET_TRACE
 * without a tracer (getsid: -ENOSYS), RET_USER_NOTIF (geteuid, with a
 * listener nobody answers): each ring entry comes back TRAP / SECCOMP,
 * and the trap then does what the filter says.
 */
static int actions_child(void)
{
	struct sock_filter f[] = {
		LOAD(nr),
		IF_NR(SYS_getppid, SECCOMP_RET_LOG),
		IF_NR(SYS_getsid, SECCOMP_RET_TRACE),
		IF_NR(SYS_geteuid, SECCOMP_RET_USER_NOTIF),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };
	struct xsc_ring r;
	struct xsc_cqe c;
	uint64_t a[6] = { 0 };
	int listener;

	if (xsc_ring_init(&r, 4, 0) || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return 1;
	listener = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
	if (!xt_check(listener >= 0, "install a filter with LOG, TRACE and USER_NOTIF actions (%d)", listener))
		return 1;
	raw(&r, SYS_getppid, &c);
	xt_check(c.status == XSC_STATUS_TRAP && c.reason == XSC_REASON_SECCOMP,
		 "RET_LOG: the ring sends getppid back (status %u reason %u)", c.status, c.reason);
	xt_check(xsc_call(&r, SYS_getppid, a) == getppid(), "and the trap runs it (logged and allowed)");
	raw(&r, SYS_getsid, &c);
	xt_check(c.status == XSC_STATUS_TRAP && c.reason == XSC_REASON_SECCOMP,
		 "RET_TRACE: the ring sends getsid back (status %u reason %u)", c.status, c.reason);
	xt_check(xsc_call(&r, SYS_getsid, a) == -ENOSYS && xsc_trap(SYS_getsid, a) == -ENOSYS,
		 "without a tracer, the ring's getsid fails -ENOSYS as the trap's");
	raw(&r, SYS_geteuid, &c);
	xt_check(c.status == XSC_STATUS_TRAP && c.reason == XSC_REASON_SECCOMP,
		 "RET_USER_NOTIF: the ring sends geteuid back for the listener (status %u reason %u)",
		 c.status, c.reason);
	printf("1..%d\n", xt_n);
	fflush(stdout);
	return xt_failed ? 1 : 0;
}

static void test_actions(void)
{
	int plan, relayed, status = relay_child(actions_child, &plan, &relayed);

	xt_check(plan > 0 && relayed == plan && WIFEXITED(status) && WEXITSTATUS(status) == 0,
		 "the actions child made all its checks (plan %d, %d relayed, status %#x)",
		 plan, relayed, status);
}

static void *install_from_thread(void *tsync)
{
	struct sock_filter f[] = {
		LOAD(nr),
		IF_NR(tsync ? SYS_getppid : SYS_getpgid, SECCOMP_RET_ERRNO | (tsync ? EPERM : ESRCH)),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };

	return (void *)(long)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
				     tsync ? SECCOMP_FILTER_FLAG_TSYNC : 0, &prog);
}

/*
 * Filters installed by another thread: with TSYNC, the submitter's ring
 * calls see it at once (getppid: EPERM); without, only that thread has it
 * (getpgid: ESRCH there), and the submitter's ring calls do not.
 */
static int threads_child(void)
{
	struct xsc_ring r;
	uint64_t a[6] = { 0 };
	pthread_t t;
	void *ret;

	if (xsc_ring_init(&r, 4, 0) || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return 1;
	xt_check(xsc_call(&r, SYS_getppid, a) == getppid(), "ring getppid before any filter");
	pthread_create(&t, NULL, install_from_thread, (void *)0);
	pthread_join(t, &ret);
	xt_check(ret == 0, "another thread installs a filter on itself alone (%ld)", (long)ret);
	xt_check(xsc_call(&r, SYS_getpgid, a) == getpgid(0),
		 "the submitter's ring getpgid is not refused by the other thread's filter");
	pthread_create(&t, NULL, install_from_thread, (void *)1);
	pthread_join(t, &ret);
	xt_check(ret == 0, "another thread installs a filter with TSYNC (%ld)", (long)ret);
	xt_check(xsc_trap(SYS_getppid, a) == -EPERM && xsc_call(&r, SYS_getppid, a) == -EPERM,
		 "the synced filter refuses the submitter's getppid by the trap and by the ring");
	printf("1..%d\n", xt_n);
	fflush(stdout);
	return xt_failed ? 1 : 0;
}

static void test_threads(void)
{
	int plan, relayed, status = relay_child(threads_child, &plan, &relayed);

	xt_check(plan > 0 && relayed == plan && WIFEXITED(status) && WEXITSTATUS(status) == 0,
		 "the threads child made all its checks (plan %d, %d relayed, status %#x)",
		 plan, relayed, status);
}

static int count_getpid_stops(pid_t pid)
{
	struct __ptrace_syscall_info info;
	int status, n = 0;

	waitpid(pid, &status, 0);		/* the child's SIGSTOP */
	ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACESYSGOOD);
	for (;;) {
		ptrace(PTRACE_SYSCALL, pid, 0, 0);
		if (waitpid(pid, &status, 0) < 0 || WIFEXITED(status) || WIFSIGNALED(status))
			break;
		if (!(WIFSTOPPED(status) && WSTOPSIG(status) == (SIGTRAP | 0x80)))
			continue;
		if (ptrace(PTRACE_GET_SYSCALL_INFO, pid, sizeof(info), &info) > 0 &&
		    info.op == PTRACE_SYSCALL_INFO_ENTRY && info.entry.nr == (unsigned long)SYS_getpid)
			n++;
	}
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? n : -1;
}

static void test_ptrace(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		struct xsc_ring r;
		struct xsc_cqe c;
		uint64_t a[6] = { 0 };
		int ok;

		if (xsc_ring_init(&r, 4, 0))
			_exit(2);
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		raise(SIGSTOP);
		raw(&r, SYS_getpid, &c);
		ok = c.status == XSC_STATUS_TRAP && c.reason == XSC_REASON_PTRACE;
		ok &= xsc_call(&r, SYS_getpid, a) == syscall(SYS_getpid);
		_exit(ok ? 0 : 3);
	}
	/* getpid twice by the trap: once from xsc_call, once direct */
	int n = count_getpid_stops(pid);
	xt_check(n == 2, "ptraced: ring getpid comes back as XSC_REASON_PTRACE and the tracer sees "
		 "the trap (%d getpid entries)", n);
}

int main(void)
{
	if (access("/dev/xsc", F_OK))
		xt_skip_all("no /dev/xsc");
	test_filter();
	test_actions();
	test_threads();
	test_ptrace();
	return xt_done();
}
