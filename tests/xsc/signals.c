/*
 * Signals and ring calls: a call blocked in the kernel is interrupted when
 * its submitting thread takes a signal; kernel restart codes never reach
 * user space; SA_RESTART restarts the call.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "xsc_test.h"

static volatile sig_atomic_t handled;

static void on_alarm(int sig)
{
	(void)sig;
	handled++;
}

static void arm(int restart, long ms)
{
	struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = restart ? SA_RESTART : 0 };
	struct itimerval it = { .it_value = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 } };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	handled = 0;
	setitimer(ITIMER_REAL, &it, NULL);
}

struct late_write {
	int fd;
	long ms;
};

/* Writes one byte after a delay, with SIGALRM blocked so it goes to main. */
static void *write_later(void *arg)
{
	struct late_write *w = arg;
	struct timespec ts = { .tv_sec = w->ms / 1000, .tv_nsec = (w->ms % 1000) * 1000000 };
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	nanosleep(&ts, NULL);
	if (write(w->fd, "x", 1) != 1)
		return NULL;
	return NULL;
}

static volatile sig_atomic_t sigpipe_tid;

static void on_sigpipe(int sig)
{
	(void)sig;
	sigpipe_tid = (sig_atomic_t)syscall(SYS_gettid);
}

static int is_restart_code(int64_t r)
{
	return r <= -512 && r >= -516;
}

int main(void)
{
	struct xsc_ring r;
	int fds[2];
	char c;
	uint64_t a[6] = { 0 };
	int64_t ret;
	pthread_t t;

	if (access("/dev/xsc", F_OK))
		xt_skip_all("no /dev/xsc");
	if (xsc_ring_init(&r, 4, 0) || pipe(fds))
		return 1;
	a[0] = (uint64_t)fds[0];
	a[1] = (uint64_t)(uintptr_t)&c;
	a[2] = 1;

	/* no SA_RESTART: the blocked read ends with EINTR */
	arm(0, 300);
	ret = xsc_call(&r, SYS_read, a);
	xt_check(ret == -EINTR && handled == 1,
		 "read on an empty pipe, SIGALRM without SA_RESTART: -EINTR (got %lld, handler ran %d)",
		 (long long)ret, (int)handled);
	xt_check(!is_restart_code(ret), "no kernel restart code reaches user space");

	/* the submitter never waits in the kernel: it spins on the completion
	 * queue in user space while the signal arrives */
	struct xsc_cqe *cqe = NULL;
	arm(0, 300);
	xsc_prep(xsc_get_sqe(&r), SYS_read, a, 7);
	xsc_submit(&r);
	for (long i = 0; i < 3000 && !(cqe = xsc_peek_cqe(&r)); i++)
		usleep(1000);
	xt_check(cqe && cqe->result == -EINTR && handled == 1,
		 "a signal taken while spinning in user space interrupts the blocked ring read "
		 "(%s %lld)", cqe ? "result" : "no completion", cqe ? (long long)cqe->result : 0LL);
	if (!cqe) {
		/* unblock it so the ring can be used again */
		if (write(fds[1], "y", 1) != 1)
			return 1;
		int err;
		cqe = xsc_wait_cqe(&r, 1000, &err);
	}
	if (cqe)
		xsc_cqe_seen(&r);

	/* SA_RESTART: the read is restarted and gets the byte written later */
	struct late_write w = { .fd = fds[1], .ms = 1500 };
	pthread_create(&t, NULL, write_later, &w);
	arm(1, 300);
	ret = xsc_call(&r, SYS_read, a);
	xt_check(ret == 1 && handled == 1,
		 "read with SIGALRM under SA_RESTART: restarted, reads 1 byte (got %lld, handler ran %d)",
		 (long long)ret, (int)handled);
	pthread_join(t, NULL);

	/* nanosleep returns -ERESTART_RESTARTBLOCK inside: user space sees EINTR */
	struct timespec ts = { .tv_sec = 5 }, rem = { 0 };
	a[0] = (uint64_t)(uintptr_t)&ts;
	a[1] = (uint64_t)(uintptr_t)&rem;
	arm(1, 300);
	ret = xsc_call(&r, SYS_nanosleep, a);
	xt_check(ret == -EINTR && handled == 1 && rem.tv_sec >= 3,
		 "nanosleep(5 s) interrupted: -EINTR with the time left (got %lld, %lld s left)",
		 (long long)ret, (long long)rem.tv_sec);

	/* a signal the call raises on its own thread reaches the submitter */
	struct sigaction sp = { .sa_handler = on_sigpipe };
	int broken[2];

	sigemptyset(&sp.sa_mask);
	sigaction(SIGPIPE, &sp, NULL);
	if (pipe(broken) == 0) {
		close(broken[0]);
		a[0] = (uint64_t)broken[1];
		a[1] = (uint64_t)(uintptr_t)"x";
		a[2] = 1;
		ret = xsc_call(&r, SYS_write, a);
		xt_check(ret == -EPIPE, "write to a pipe without reader: -EPIPE (got %lld)", (long long)ret);
		for (int i = 0; i < 100 && !sigpipe_tid; i++)
			usleep(10000);
		xt_check(sigpipe_tid == syscall(SYS_gettid),
			 "its SIGPIPE is delivered to the submitting thread (tid %d)", (int)sigpipe_tid);
		close(broken[1]);
	}

	/* the ring works normally after interrupted calls */
	a[0] = 0;
	xt_check(xsc_call(&r, SYS_getpid, a) == getpid(), "the ring answers after the interruptions");
	xsc_ring_exit(&r);
	return xt_done();
}
