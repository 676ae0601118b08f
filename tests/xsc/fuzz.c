/*
 * Randomized and boundary input to the driver, bounded in time, seeded and
 * reproducible from the seed it prints (XSC_SEED=<n> in the environment
 * replays it; thread timing is not replayed). Phases:
 *   entries  random and boundary numbers, flags and arguments (bad, kernel
 *            and misaligned pointers) in an unprivileged child whose
 *            seccomp filter refuses what could harm the guest, with user
 *            writes to the kernel-owned ring words and tail overflows
 *   ioctls   random XSC_IOC_* commands and setup / enter structs, random
 *            mmap offsets, sizes, protections and flags on /dev/xsc
 *   teardown exit, SIGKILL, exec, close and fork with calls in flight
 *   threads  many threads with rings of their own, closing and reopening
 * Afterwards the kernel must still answer through a new ring, no worker
 * may be left over, and (the boot harness checks) the kernel log must be
 * free of BUG / WARNING / Oops.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/time.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "xsc_test.h"

#ifndef XSC_AUDIT_ARCH
#error "build with -DXSC_AUDIT_ARCH=AUDIT_ARCH_... (tests/xsc/meson.build passes it)"
#endif

#define PHASE_SECONDS	3.0

static uint64_t seed;

/* xorshift64*: one stream per phase, derived from the seed */
static uint64_t rnd_state;
static uint64_t rnd(void)
{
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return rnd_state * 0x2545F4914F6CDD1DULL;
}

static void rnd_phase(unsigned int phase)
{
	rnd_state = (seed ^ (0x9E3779B97F4A7C15ULL * (phase + 1))) | 1;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static char scratch[8192];

/* An argument: boundary values, bad and kernel pointers, a good buffer. */
static uint64_t rnd_arg(void)
{
	static const uint64_t special[] = {
		0, 1, 2, 3, 4096, 0x7fffffff, 0x80000000ULL, 0xffffffffULL, 0x100000000ULL,
		~0ULL, ~0ULL - 4095, 8, 0xffff800000000000ULL, 0xffffffff80000000ULL,
		0x0000800000000000ULL, 0x4000000000000000ULL,
	};

	switch (rnd() % 5) {
	case 0:
		return special[rnd() % (sizeof(special) / sizeof(special[0]))];
	case 1:
		return (uint64_t)(uintptr_t)(scratch + rnd() % 4096);
	case 2:
		return rnd() % 64;		/* small numbers: fds, flags, signals */
	case 3:
		return rnd() & 0xffffffffULL;
	}
	return rnd();
}

static uint32_t rnd_nr(void)
{
	uint32_t nr = rnd() % 8 ? rnd() % 600 : (uint32_t)rnd();

#ifdef __x86_64__
	if (rnd() % 4 == 0)
		nr |= 0x40000000;	/* __X32_SYSCALL_BIT */
#endif
	return nr;
}

/* ------------------------------------------------ entries */

#define POOL 16			/* rings set up before the filter */

/* Calls that would harm the guest or the harness get EPERM from the
 * child's filter; seccomp decides ring calls as traps, so this holds for
 * both. The filter binds the child's own traps too: its rings are set up
 * before it, and ioctl is allowed only on them (libxsc's wake and wait). */
static int install_filter(const int *ring_fds)
{
	static const int refused[] = {
		SYS_kill, SYS_tkill, SYS_tgkill, SYS_reboot, SYS_kexec_load, SYS_init_module,
		SYS_finit_module, SYS_delete_module, SYS_settimeofday, SYS_clock_settime,
		SYS_adjtimex, SYS_clock_adjtime, SYS_mount, SYS_umount2, SYS_pivot_root,
		SYS_chroot, SYS_swapon, SYS_swapoff, SYS_acct, SYS_vhangup, SYS_syslog,
		SYS_sethostname, SYS_setdomainname, SYS_process_vm_writev, SYS_pidfd_send_signal,
		SYS_rt_sigqueueinfo, SYS_rt_tgsigqueueinfo, SYS_setsid, SYS_setpgid,
		SYS_munmap, SYS_mremap, SYS_mprotect, SYS_madvise, SYS_brk, SYS_mmap,
		SYS_remap_file_pages, SYS_dup3, SYS_close, SYS_close_range, SYS_shutdown,
		SYS_userfaultfd, SYS_mlockall, SYS_setrlimit, SYS_prlimit64, SYS_ioctl,
#ifdef SYS_dup2
		SYS_dup2,
#endif
	};
	struct sock_filter f[5 + 2 * sizeof(refused) / sizeof(refused[0]) + 4 + POOL + 1];
	struct sock_fprog prog = { .filter = f };
	unsigned int n = 0;

	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					      offsetof(struct seccomp_data, arch));
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, XSC_AUDIT_ARCH, 1, 0);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					      offsetof(struct seccomp_data, nr));
	/* x86: the x32 number of the same call too (its own x32 numbers,
	 * 512..547, are forms of calls not refused here) */
	f[n++] = (struct sock_filter)BPF_STMT(BPF_ALU | BPF_AND | BPF_K, ~0x40000000u);
	/* ioctl on a ring fd of the pool (the low word of the fd argument) */
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_ioctl, 0, 2 + POOL);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					      offsetof(struct seccomp_data, args[0]));
	for (unsigned int i = 0; i < POOL; i++)
		f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
						      (uint32_t)ring_fds[i], POOL - i, 0);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	for (unsigned int i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
						      (uint32_t)refused[i], 0, 1);
		f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM);
	}
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	prog.len = n;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

static void on_alarm(int sig)
{
	(void)sig;
}

struct tally {
	long entries, done, trap, invalid, reinit, scribbles;
};

static struct tally *tally;	/* shared with the child */

static int fuzz_entries_child(void)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct xsc_ring pool[POOL];
	int fds[POOL], used = 0;
	double end = now() + PHASE_SECONDS;

	/* unprivileged: nothing the worker runs can touch root's things */
	if (syscall(SYS_setresgid, 65534, 65534, 65534) || syscall(SYS_setresuid, 65534, 65534, 65534))
		return 2;
	sigaction(SIGALRM, &sa, NULL);	/* no SA_RESTART: a stuck wait ends */
	signal(SIGPIPE, SIG_IGN);
	/* random writes must not reach the TAP stream */
	for (int fd = 0; fd < 3; fd++)
		dup2(open("/dev/null", O_RDWR), fd);
	for (int i = 0; i < POOL; i++) {
		if (xsc_ring_init(&pool[i], 1u << (rnd() % 5), rnd() % 200))
			return 3;
		fds[i] = pool[i].fd;
	}
	if (install_filter(fds))
		return 4;
	while (now() < end && used < POOL) {
		struct xsc_ring *r = &pool[used];
		struct xsc_sqe *sqe;
		struct xsc_cqe *cqe = NULL;
		unsigned int batch = 1 + rnd() % 8, reaped = 0;
		int err = 0;

		for (unsigned int i = 0; i < batch && (sqe = xsc_get_sqe(r)); i++) {
			uint64_t a[6];

			for (int j = 0; j < 6; j++)
				a[j] = rnd_arg();
			xsc_prep(sqe, rnd_nr(), a, rnd());
			sqe->flags = rnd() % 16 ? 0 : (uint32_t)rnd();
			tally->entries++;
		}
		int spoilt = 0;

		if (rnd() % 256 == 0) {
			/* user space writes the words only the kernel may write */
			uint32_t *words[] = { r->sq_head, r->cq_tail, r->flags, r->dropped };

			*words[rnd() % 4] = (uint32_t)rnd();
			tally->scribbles++;
			spoilt = 1;
		}
		if (rnd() % 256 == 0) {
			*r->sq_tail += r->sq_entries + 1 + rnd() % 100;	/* overflow */
			spoilt = 1;
		}
		xsc_submit(r);
		/* a wait that blocks this long gives the ring up */
		setitimer(ITIMER_REAL, &(struct itimerval){ .it_value = { 0, 300000 } }, NULL);
		/* at most what was submitted: a scribbled cq_tail shows garbage */
		while (reaped < batch && (cqe = xsc_wait_cqe(r, 100, &err))) {
			tally->done += cqe->status == XSC_STATUS_DONE;
			tally->trap += cqe->status == XSC_STATUS_TRAP;
			tally->invalid += cqe->status == XSC_STATUS_INVALID;
			xsc_cqe_seen(r);
			reaped++;
			if (!xsc_peek_cqe(r))
				break;
		}
		setitimer(ITIMER_REAL, &(struct itimerval){ 0 }, NULL);
		if (!cqe || spoilt) {
			/* broken, stuck, overflowed or scribbled on (libxsc can no
			 * longer trust its view): the next ring of the pool */
			used++;
			tally->reinit++;
		}
	}
	return 0;
}

static void phase_entries(void)
{
	int st = -1;
	pid_t pid;

	xt_note("phase: entries");
	rnd_phase(0);
	tally = mmap(NULL, sizeof(*tally), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid = fork();
	if (pid == 0)
		_exit(fuzz_entries_child());
	/* random calls may leave the child waiting on its own ring (a random
	 * sigaction can take its alarm away): after the phase it is killed,
	 * and SIGKILL must end it */
	for (int i = 0; i < (PHASE_SECONDS + 10) * 100 && waitpid(pid, &st, WNOHANG) == 0; i++)
		usleep(10000);
	if (waitpid(pid, &st, WNOHANG) == 0) {
		xt_note("entries: the child outlived the phase: SIGKILL");
		kill(pid, SIGKILL);
		for (int i = 0; i < 500 && waitpid(pid, &st, WNOHANG) == 0; i++)
			usleep(10000);
	}
	xt_note("entries: %ld submitted, %ld done, %ld trap, %ld invalid; %ld rings given up, %ld scribbles",
		tally->entries, tally->done, tally->trap, tally->invalid, tally->reinit,
		tally->scribbles);
	/* the child may die of its own random calls (a signal); it must not hang */
	xt_check(WIFSIGNALED(st) || (WIFEXITED(st) && WEXITSTATUS(st) == 0),
		 "random entries for %.0f s: the fuzzing child ended (status 0x%x)", PHASE_SECONDS, st);
	xt_check(tally->entries > 0 && tally->done + tally->trap + tally->invalid > 0,
		 "random entries were executed, trapped and refused");
}

/* ------------------------------------------------ ioctls and mmap */

static void phase_ioctls(void)
{
	double end = now() + PHASE_SECONDS;
	long calls = 0, oks = 0;
	int fd = -1;

	xt_note("phase: ioctls");
	rnd_phase(1);
	while (now() < end) {
		unsigned char buf[256];
		unsigned long cmd;

		if (fd < 0 || rnd() % 16 == 0) {
			if (fd >= 0)
				close(fd);
			fd = open("/dev/xsc", O_RDWR | O_CLOEXEC);
		}
		for (unsigned int i = 0; i < sizeof(buf); i++)
			buf[i] = rnd() % 3 ? 0 : (unsigned char)rnd();
		switch (rnd() % 4) {
		case 0:
			cmd = XSC_IOC_SETUP;
			((struct xsc_setup *)buf)->sq_entries = 1u << (rnd() % 14);
			break;
		case 1:
			cmd = XSC_IOC_ENTER;
			((struct xsc_enter *)buf)->flags &= rnd() % 2 ? 3 : ~0u;
			((struct xsc_enter *)buf)->flags &= ~XSC_ENTER_WAIT;	/* never sleep here */
			break;
		case 2:
			cmd = _IOC(rnd() % 4, XSC_IOC_MAGIC, rnd() % 4, rnd() % 128);
			break;
		default:
			cmd = (unsigned long)rnd();
			break;
		}
		calls++;
		oks += ioctl(fd, cmd, rnd() % 8 ? (void *)buf : (void *)(uintptr_t)rnd_arg()) == 0;
		if (rnd() % 4 == 0) {
			size_t len = rnd() % 3 ? 4096u << (rnd() % 6) : (size_t)rnd_arg();
			/* never MAP_FIXED: as root, at 0 and this long, it would map over
			 * this program */
			int flags = (int)(rnd() % 2 ? MAP_SHARED : rnd() & 0xff) & ~MAP_FIXED;
			void *m = mmap(NULL, len, (int)(rnd() % 8), flags, fd,
				       rnd() % 2 ? 0 : (off_t)(rnd() % 8) * 4096);

			if (m != MAP_FAILED) {
				if (rnd() % 2 && len >= 4096)
					madvise(m, len, (int)(rnd() % 24));
				munmap(m, len);
			}
		}
	}
	if (fd >= 0)
		close(fd);
	xt_check(calls > 0, "%ld random ioctls and mmaps on /dev/xsc (%ld succeeded), all answered",
		 calls, oks);
}

/* ------------------------------------------------ teardown with calls in flight */

static int inflight_child(int how, int rd)
{
	struct xsc_ring r;
	char c;

	if (xsc_ring_init(&r, 8, 0))
		return 3;
	/* blocking calls in flight: two reads of an empty pipe, a sleep */
	for (int i = 0; i < 2; i++)
		xsc_prep(xsc_get_sqe(&r), SYS_read, (uint64_t[6]){ rd, (uintptr_t)&c, 1 }, i);
	xsc_prep(xsc_get_sqe(&r), SYS_nanosleep,
		 (uint64_t[6]){ (uintptr_t)&(struct timespec){ 30, 0 }, 0 }, 9);
	xsc_submit(&r);
	usleep(20000 + rnd() % 50000);
	switch (how) {
	case 0:
		_exit(0);
	case 1:
		syscall(SYS_exit_group, 0);
		break;
	case 2:
		close(r.fd);
		munmap(r.mem, r.size);
		_exit(0);
	case 3:
		if (fork() == 0) {
			/* the inherited fd drives nothing here */
			struct xsc_enter e = { .flags = XSC_ENTER_WAKE };

			_exit(ioctl(r.fd, XSC_IOC_ENTER, &e) == 0 || errno != EBADFD);
		}
		{
			int st;

			wait(&st);
			_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 6);
		}
	default:
		execl("/proc/self/exe", "fuzz", "--exit", (char *)NULL);
		_exit(4);
	}
	return 5;
}

static void phase_teardown(void)
{
	double end = now() + PHASE_SECONDS;
	int runs = 0, hung = 0, bad = 0, p[2];

	xt_note("phase: teardown");
	rnd_phase(2);
	if (pipe(p)) {
		xt_check(0, "pipe");
		return;
	}
	while (now() < end) {
		int how = (int)(rnd() % 6), st;
		pid_t pid = fork();

		if (pid == 0)
			_exit(inflight_child(how == 5 ? 4 : how, p[0]));
		if (how == 5) {
			usleep(rnd() % 60000);
			kill(pid, SIGKILL);
		}
		for (int i = 0; i < 300 && waitpid(pid, &st, WNOHANG) == 0; i++)
			usleep(10000);
		if (waitpid(pid, &st, WNOHANG) == 0) {
			hung++;
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
		} else if (WIFEXITED(st) && WEXITSTATUS(st)) {
			bad++;
		}
		runs++;
	}
	close(p[0]);
	close(p[1]);
	xt_check(hung == 0 && bad == 0, "%d exits, exit_groups, closes, forks, execs and SIGKILLs "
		 "with blocking calls in flight: none hung (%d) or misbehaved (%d)", runs, hung, bad);
}

/* ------------------------------------------------ many threads */

static volatile int stop_threads;
static long thread_calls[8];

static void *churn(void *arg)
{
	long i = (long)arg, n = 0;
	struct xsc_ring r;
	uint64_t state = seed + (uint64_t)i;

	while (!stop_threads) {
		if (xsc_ring_init(&r, 4, (unsigned int)(state % 100)))
			break;
		for (int k = 0; k < 50 && !stop_threads; k++) {
			state = state * 6364136223846793005ULL + 1;
			n += xsc_call(&r, (state >> 33) % 3 ? SYS_getppid : SYS_getpid,
				      (uint64_t[6]){ 0 }) > 0;
		}
		xsc_ring_exit(&r);
	}
	thread_calls[i] = n;
	return NULL;
}

static void phase_threads(void)
{
	pthread_t t[8];
	long total = 0;

	xt_note("phase: threads");
	rnd_phase(3);
	for (long i = 0; i < 8; i++)
		pthread_create(&t[i], NULL, churn, (void *)i);
	usleep((useconds_t)(PHASE_SECONDS * 1e6));
	stop_threads = 1;
	for (int i = 0; i < 8; i++) {
		pthread_join(t[i], NULL);
		total += thread_calls[i];
	}
	xt_check(total > 0, "8 threads setting up, using and closing rings: %ld calls", total);
}

/* ------------------------------------------------ afterwards */

static void check_kernel_answers(void)
{
	struct xsc_ring r;
	long long rings = -1;
	int ok;

	for (int i = 0; i < 200; i++) {
		rings = xt_counter("rings");
		if (rings == 0)
			break;
		usleep(10000);
	}
	xt_check(rings == 0, "no worker is left over (rings: %lld)", rings);
	ok = xsc_ring_init(&r, 8, 0) == 0 && xsc_call(&r, SYS_getppid, (uint64_t[6]){ 0 }) == getppid();
	xt_check(ok, "a new ring still answers afterwards");
	if (ok)
		xsc_ring_exit(&r);
}

int main(int argc, char **argv)
{
	const char *s = getenv("XSC_SEED");

	if (argc > 1 && !strcmp(argv[1], "--exit"))
		return 0;		/* the exec'd image of the teardown phase */
	if (access("/dev/xsc", F_OK))
		xt_skip_all("no /dev/xsc");
	seed = s ? strtoull(s, NULL, 0) : (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	xt_note("seed %llu (replay with XSC_SEED=%llu)", (unsigned long long)seed,
		(unsigned long long)seed);
	phase_entries();
	phase_ioctls();
	phase_teardown();
	phase_threads();
	check_kernel_answers();
	return xt_done();
}
