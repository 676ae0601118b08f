/*
 * What monitors see of ring calls: the syscall tracepoints and audit get
 * each call's own number and arguments, attributed to the worker (its
 * comm is xsc-<tid>). Two ring close()s with different fds must show up
 * with those fds, in order; the old driver traced each call with the
 * previous one's registers. Needs FTRACE_SYSCALLS and AUDITSYSCALL: the
 * debug kernels (variant 'debug'); elsewhere it skips, saying why.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <linux/audit.h>
#include <linux/netlink.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "xsc_test.h"

#define TRACING "/sys/kernel/tracing"
#define FD_A 12345	/* 0x3039 */
#define FD_B 23456	/* 0x5ba0 */

static int put(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	ssize_t n = -1;

	if (fd >= 0) {
		n = write(fd, text, strlen(text));
		close(fd);
	}
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

static char trace_text[1 << 16];

static void test_tracepoints(struct xsc_ring *r, int worker)
{
	char filter[64], raw_a[64], raw_b[64], fn_a[32], fn_b[32];
	char *pa, *pb;
	int fd, n;

	if (mount("tracefs", TRACING, "tracefs", 0, NULL) && errno != EBUSY) {
		xt_skip("the sys_enter tracepoints see each ring call's own arguments",
			"no tracefs in this kernel (FTRACE_SYSCALLS: the debug kernels)");
		return;
	}
	snprintf(filter, sizeof(filter), "common_pid == %d", worker);
	if (put(TRACING "/events/raw_syscalls/sys_enter/filter", filter) ||
	    put(TRACING "/events/raw_syscalls/sys_enter/enable", "1")) {
		xt_skip("the sys_enter tracepoints see each ring call's own arguments",
			"no raw_syscalls events (FTRACE_SYSCALLS: the debug kernels)");
		return;
	}
	/* syscalls:sys_enter_close has no x32 numbers, as with the trap */
	put(TRACING "/events/syscalls/sys_enter_close/filter", filter);
	put(TRACING "/events/syscalls/sys_enter_close/enable", "1");
	put(TRACING "/trace", "");
	xsc_call(r, SYS_close, (uint64_t[6]){ FD_A });
	xsc_call(r, SYS_close, (uint64_t[6]){ FD_B });
	put(TRACING "/events/raw_syscalls/sys_enter/enable", "0");
	put(TRACING "/events/syscalls/sys_enter_close/enable", "0");

	fd = open(TRACING "/trace", O_RDONLY | O_CLOEXEC);
	n = fd >= 0 ? (int)read(fd, trace_text, sizeof(trace_text) - 1) : -1;
	if (fd >= 0)
		close(fd);
	trace_text[n > 0 ? n : 0] = 0;
	snprintf(raw_a, sizeof(raw_a), "NR %ld (%x,", (long)SYS_close, FD_A);
	snprintf(raw_b, sizeof(raw_b), "NR %ld (%x,", (long)SYS_close, FD_B);
	pa = strstr(trace_text, raw_a);
	pb = strstr(trace_text, raw_b);
	xt_check(pa && pb && pa < pb, "raw_syscalls:sys_enter of the worker: close(%x) then "
		 "close(%x), this call's number and arguments", FD_A, FD_B);
	if (!(pa && pb))
		xt_note("trace: %.600s", trace_text);
#ifndef __ILP32__
	snprintf(fn_a, sizeof(fn_a), "sys_close(fd: %x)", FD_A);
	snprintf(fn_b, sizeof(fn_b), "sys_close(fd: %x)", FD_B);
	pa = strstr(trace_text, fn_a);
	pb = strstr(trace_text, fn_b);
	xt_check(pa && pb && pa < pb && strstr(trace_text, "xsc-"),
		 "syscalls:sys_enter_close: fd %x then %x, in task xsc-<tid>", FD_A, FD_B);
#else
	(void)fn_a, (void)fn_b;
#endif
}

/* ------------------------------------------------ audit */

struct audit_msg {
	struct nlmsghdr nh;
	union {
		struct audit_status status;
		struct audit_rule_data rule;
		char text[8192];
	};
};

static int audit_send(int s, int type, const void *data, size_t len)
{
	struct audit_msg m;
	struct sockaddr_nl to = { .nl_family = AF_NETLINK };

	memset(&m, 0, sizeof(m));
	m.nh.nlmsg_len = NLMSG_LENGTH(len);
	m.nh.nlmsg_type = type;
	m.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	memcpy(NLMSG_DATA(&m.nh), data, len);
	return sendto(s, &m, m.nh.nlmsg_len, 0, (struct sockaddr *)&to, sizeof(to)) < 0 ? -1 : 0;
}

/*
 * A task has an audit context only if audit was enabled when it was
 * created (audit_alloc()), so the calls are made by a child forked after
 * the rule is in: its worker, like its own thread, is audited.
 */
static int audited_child(void)
{
	struct xsc_ring r;

	if (xsc_ring_init(&r, 8, 0))
		return 1;
	xsc_call(&r, SYS_close, (uint64_t[6]){ FD_A });
	xsc_call(&r, SYS_close, (uint64_t[6]){ FD_B });
	xsc_ring_exit(&r);
	return 0;
}

static void test_audit(void)
{
	struct audit_status st = { .mask = AUDIT_STATUS_ENABLED | AUDIT_STATUS_PID,
				   .enabled = 1, .pid = (uint32_t)getpid() };
	struct audit_rule_data rule;
	static struct audit_msg m;
	char want_a[32], want_b[32], want_nr[32];
	int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
	int seen_a = 0, seen_b = 0, order_ok = 0, by_worker = 0, status;
	struct timeval tv = { 2, 0 };
	pid_t pid;

	if (s < 0) {
		xt_skip("audit records each ring call's own number and arguments",
			"no audit in this kernel (AUDITSYSCALL: the debug kernels)");
		return;
	}
#ifdef __ILP32__
	/* audit_in_mask() matches no number above its mask, and x32 numbers
	 * carry __X32_SYSCALL_BIT: no syscall rule matches x32, trap or ring */
	xt_skip("audit records each ring call's own number and arguments",
		"no audit syscall rule can match an x32 number");
	close(s);
	return;
#endif
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	/* this process is the audit daemon; one rule: close() exits of its children */
	memset(&rule, 0, sizeof(rule));
	rule.flags = AUDIT_FILTER_EXIT;
	rule.action = AUDIT_ALWAYS;
	rule.mask[AUDIT_WORD(SYS_close)] |= AUDIT_BIT(SYS_close);
	rule.field_count = 1;
	rule.fields[0] = AUDIT_PPID;
	rule.values[0] = (uint32_t)getpid();
	rule.fieldflags[0] = AUDIT_EQUAL;
	if (audit_send(s, AUDIT_SET, &st, sizeof(st)) || audit_send(s, AUDIT_ADD_RULE, &rule,
								  sizeof(rule))) {
		xt_skip("audit records each ring call's own number and arguments",
			"audit refused the rule");
		close(s);
		return;
	}
	pid = fork();
	if (pid == 0)
		_exit(audited_child());
	waitpid(pid, &status, 0);
	snprintf(want_nr, sizeof(want_nr), " syscall=%ld ", (long)SYS_close);
	snprintf(want_a, sizeof(want_a), " a0=%x ", FD_A);
	snprintf(want_b, sizeof(want_b), " a0=%x ", FD_B);
	for (int i = 0; i < 200 && !(seen_a && seen_b); i++) {
		ssize_t n = recv(s, &m, sizeof(m) - 1, 0);

		if (n <= 0)
			break;
		((char *)&m)[n] = 0;
		if (m.nh.nlmsg_type != AUDIT_SYSCALL || !strstr(m.text, want_nr))
			continue;
		by_worker += strstr(m.text, "comm=\"xsc-") != NULL;
		if (strstr(m.text, want_a))
			seen_a = 1;
		if (strstr(m.text, want_b)) {
			order_ok = seen_a;
			seen_b = 1;
		}
	}
	xt_check(seen_a && seen_b && order_ok && by_worker == 2,
		 "audit SYSCALL records: close with a0=%x then a0=%x, by the worker (%d of 2)",
		 FD_A, FD_B, by_worker);
	audit_send(s, AUDIT_DEL_RULE, &rule, sizeof(rule));
	st.enabled = 0;
	st.pid = 0;
	audit_send(s, AUDIT_SET, &st, sizeof(st));
	close(s);
}

/*
 * The worker is in /proc/PID/task from setup on, so it must carry its name
 * from then on, not only once it has run. Shown in a child with one thread
 * and no ring, pinned with (by inheritance) its new worker to one CPU: the
 * worker cannot run before the child, which looks for it right after
 * setup, gives the CPU up.
 */
static void test_name_at_setup(void)
{
	int status = -1;
	pid_t pid = fork();

	if (pid == 0) {
		struct xsc_ring r2;
		cpu_set_t one;
		int cpu = sched_getcpu();

		CPU_ZERO(&one);
		CPU_SET(cpu < 0 ? 0 : cpu, &one);
		if (sched_setaffinity(0, sizeof(one), &one))
			_exit(2);
		if (xsc_ring_init(&r2, 8, 0))
			_exit(3);
		_exit(xt_worker_tid(getpid(), getpid()) > 0 ? 0 : 1);
	}
	if (pid > 0)
		waitpid(pid, &status, 0);
	xt_check(pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
		 "a new worker is named xsc-<tid> before it first runs "
		 "(child status %#x: 1 unnamed, 2 pin, 3 setup)", status);
}

int main(void)
{
	struct xsc_ring r;
	int worker;

	if (access("/dev/xsc", F_OK))
		xt_skip_all("no /dev/xsc");
	if (xsc_ring_init(&r, 8, 0)) {
		xt_check(0, "ring set up");
		return xt_done();
	}
	worker = xt_worker_tid(getpid(), (int)syscall(SYS_gettid));
	xt_check(worker > 0, "the worker is task xsc-<tid> (%d)", worker);
	test_name_at_setup();
	test_tracepoints(&r, worker);
	test_audit();
	xsc_ring_exit(&r);
	return xt_done();
}
