/*
 * Many threads, many rings: 16 threads make 10,000 calls each, every
 * thread through its own ring (xsc_syscall sets one up per thread), and
 * every answer is checked.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "xsc_test.h"

#define THREADS 16
#define CALLS 10000

static int devnull;

struct result {
	long wrong;
	long ring;		/* whether the thread had a ring */
};

static void *worker(void *arg)
{
	struct result *res = arg;
	long pid = getpid(), tid = syscall(SYS_gettid);

	for (int i = 0; i < CALLS; i++) {
		switch (i % 3) {
		case 0:
			res->wrong += xsc_syscall(SYS_getpid, 0, 0, 0, 0, 0, 0) != pid;
			break;
		case 1:
			res->wrong += xsc_syscall(SYS_gettid, 0, 0, 0, 0, 0, 0) != tid;
			break;
		case 2:
			res->wrong += xsc_syscall(SYS_write, devnull, (long)"abc", 3, 0, 0, 0) != 3;
			break;
		}
	}
	res->ring = xsc_thread_ring() != NULL;
	return NULL;
}

int main(void)
{
	pthread_t t[THREADS];
	struct result res[THREADS] = { 0 };
	long wrong = 0, rings = 0;
	long long before;

	if (access("/dev/xsc", F_OK))
		xt_skip_all("no /dev/xsc");
	devnull = open("/dev/null", O_WRONLY);
	before = xt_counter("ring_calls");
	for (int i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, worker, &res[i]);
	for (int i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		wrong += res[i].wrong;
		rings += res[i].ring;
	}
	xt_check(rings == THREADS, "every thread got its own ring (%ld)", rings);
	xt_check(wrong == 0, "%d threads x %d calls: every answer right (%ld wrong)", THREADS, CALLS, wrong);
	xt_check(xt_counter("ring_calls") - before >= THREADS * CALLS,
		 "/proc/self/xsc: %lld ring calls", xt_counter("ring_calls") - before);
	for (int i = 0; i < 500 && xt_counter("rings") != 0; i++)
		usleep(10000);
	xt_check(xt_counter("rings") == 0, "thread exit closed every thread's ring");
	return xt_done();
}
