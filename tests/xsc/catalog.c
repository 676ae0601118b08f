/*
 * Ring-vs-trap equivalence over a catalog of system calls.
 *
 * Each case runs twice with identical inputs: once with its calls made
 * through the ring (xsc_call), once through the trap (xsc_trap), each time
 * in a fresh directory with the same file names. The case records what it
 * observed (return values, projections of them, bytes it read back); the
 * two records must agree. Projections: fds, ids and addresses compare as
 * "succeeded" (or the same -errno), clocks and CPU times as "ring <= trap"
 * (the ring side runs first).
 *
 * Then the calls the kernel must send back to the trap are submitted as raw
 * entries, and /proc/self/xsc must show the ring ran what it was given.
 *
 * XSC_CATALOG_TRAP_ONLY=1: both sides use the trap (to check the catalog
 * itself on a kernel without /dev/xsc); raw-entry and counter checks skip.
 * XSC_CATALOG_MOUNT_TMP=1 (or running as PID 1): mount a tmpfs on /tmp.
 * XSC_CATALOG_VERBOSE: print every recorded result as a note.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <sys/times.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <linux/capability.h>
#include <linux/futex.h>
#include <linux/kcmp.h>
#include <linux/membarrier.h>
#include <linux/openat2.h>
#if defined(__x86_64__)
#include <asm/prctl.h>
#endif

#include "xsc.h"
#include "xsc_test.h"

#define P(p)		((uint64_t)(uintptr_t)(p))
#define BADPTR		((void *)8)		/* in the never-mapped first page */
#define NR_UNKNOWN	1000			/* no ABI's table reaches it */
#define MAX_REAL_NR	600			/* above every table in 6.1, x32's 547 included */
#define MAXREC		128
#define MAXBYTES	4096

static const char text[] = "The quick brown fox jumps over the lazy dog, 0123456789.";

/* ------------------------------------------------------------ the two paths */

static struct xsc_ring ring;
static int trap_only;
static long long ring_calls;		/* ring calls the worker ran: each counts in ring_calls */
static long long ring_trapped;		/* ring calls sent back to the trap by the policy */
static unsigned char seen[1024];	/* syscall numbers (x32 bit masked off) compared */

/* xsc_call() by hand, to count how each ring call completed */
static int64_t call(int via_ring, long nr, const uint64_t a[6])
{
	struct xsc_cqe *c;
	uint32_t status;
	int64_t ret;
	int err;

	if (!via_ring || trap_only)
		return xsc_trap(nr, a);
	xsc_prep(xsc_get_sqe(&ring), nr, a, 0);
	xsc_submit(&ring);
	c = xsc_wait_cqe(&ring, 2000, &err);
	if (!c)
		return err;
	ret = c->result;
	status = c->status;
	xsc_cqe_seen(&ring);
	if (status == XSC_STATUS_DONE) {
		ring_calls++;
		return ret;
	}
	ring_trapped++;
	return xsc_trap(nr, a);
}

/* ------------------------------------------------------------ one side's record */

enum kind { SAME, RISE, BYTES };

struct rec {
	int line;
	enum kind kind;
	int64_t v;		/* BYTES: offset into bytes[] */
	uint32_t len;
};

struct side {
	int ring;
	int dfd;			/* this side's directory for the case */
	char dir[96];			/* and its path */
	char path[160];			/* scratch for at() */
	const char *bad;		/* a setup step that failed */
	int n, overflow;
	struct rec rec[MAXREC];
	uint32_t blen;
	unsigned char bytes[MAXBYTES];
};

static int is_err(int64_t v)
{
	return v < 0 && v >= -4095;
}

static int64_t rec(struct side *S, int line, enum kind kind, int64_t v)
{
	if (S->n == MAXREC) {
		S->overflow = 1;
		return v;
	}
	S->rec[S->n++] = (struct rec){ .line = line, .kind = kind, .v = v };
	return v;
}

static void rec_bytes(struct side *S, int line, const void *p, size_t len)
{
	if (S->n == MAXREC || len > MAXBYTES - S->blen) {
		S->overflow = 1;
		return;
	}
	memcpy(S->bytes + S->blen, p, len);
	S->rec[S->n++] = (struct rec){ .line = line, .kind = BYTES, .v = S->blen, .len = len };
	S->blen += len;
}

/* the result of a call whose success value differs between sides (fd, id) */
static int64_t rec_ok(struct side *S, int line, int64_t v)
{
	rec(S, line, SAME, is_err(v) ? v : 0);
	return v;
}

/* an address: it must be usable as a pointer of this ABI (x32: below 4 GiB) */
static int64_t rec_addr(struct side *S, int line, int64_t v)
{
	rec(S, line, SAME, is_err(v) ? v : (uint64_t)(uintptr_t)v != (uint64_t)v);
	return v;
}

static int64_t sc(struct side *S, long nr, const uint64_t a[6])
{
	if (S->ring && (unsigned long)(nr & 1023) < MAX_REAL_NR)
		seen[nr & 1023] = 1;
	return call(S->ring, nr, a);
}

#define C(nr, ...)	sc(S, nr, (const uint64_t[6]){ __VA_ARGS__ })
#define EQ(nr, ...)	rec(S, __LINE__, SAME, C(nr, __VA_ARGS__))
#define LE(nr, ...)	rec(S, __LINE__, RISE, C(nr, __VA_ARGS__))
#define OK(nr, ...)	rec_ok(S, __LINE__, C(nr, __VA_ARGS__))
#define ADDR(nr, ...)	rec_addr(S, __LINE__, C(nr, __VA_ARGS__))
#define V(x)		rec(S, __LINE__, SAME, (int64_t)(x))
#define VLE(x)		rec(S, __LINE__, RISE, (int64_t)(x))
#define B(p, n)		rec_bytes(S, __LINE__, (p), (n))
/* a setup step made with libc: it must not fail */
#define SU(x)		setup(S, (long)(x), #x)

static long setup(struct side *S, long r, const char *what)
{
	if (r < 0 && !S->bad)
		S->bad = what;
	return r;
}

/* ------------------------------------------------------------ case helpers */

static long pg;
static int shared_fd, cwd_fd;
static char base[] = "/tmp/xsc-catalog.XXXXXX";
static char shared_path[64];

static const char *at(struct side *S, const char *name)
{
	snprintf(S->path, sizeof(S->path), "%s/%s", S->dir, name);
	return S->path;
}

static int mkfile(struct side *S, const char *name, const char *content)
{
	int fd = SU(openat(S->dfd, name, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));

	if (fd >= 0 && content) {
		SU(write(fd, content, strlen(content)));
		SU(lseek(fd, 0, SEEK_SET));
	}
	return fd;
}

static struct stat stat_of(struct side *S, int fd)
{
	struct stat st;

	memset(&st, 0, sizeof(st));
	SU(fstat(fd, &st));
	return st;
}

static int64_t ns_of(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
}

static void burn_cpu(int64_t ns)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
	do
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	while (ns_of(&t) - ns_of(&t0) < ns);
}

/* rt_sigaction's struct as the kernel of this ABI reads it (x32: compat) */
struct ksigaction {
	void (*handler)(int);
	unsigned long flags;
	void (*restorer)(void);
	unsigned int mask[2];
};

/* sched_attr, SCHED_ATTR_SIZE_VER0 */
struct sched_attr0 {
	uint32_t size, policy;
	uint64_t flags;
	int32_t nice;
	uint32_t priority;
	uint64_t runtime, deadline, period;
};

struct dent64 {
	uint64_t ino;
	int64_t off;
	unsigned short reclen;
	unsigned char type;
	char name[];
};

static void on_signal(int sig)
{
	(void)sig;
}

/* ------------------------------------------------------------ files */

static void c_openat_close(struct side *S)
{
	int fd = OK(SYS_openat, S->dfd, P("f"), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0640);

	V(fcntl(fd, F_GETFD));
	V(stat_of(S, fd).st_mode);
	EQ(SYS_openat, S->dfd, P("f"), O_RDWR | O_CREAT | O_EXCL, 0640);	/* EEXIST */
	EQ(SYS_openat, S->dfd, P("missing"), O_RDONLY);
	EQ(SYS_openat, S->dfd, P("f/x"), O_RDONLY);				/* ENOTDIR */
	EQ(SYS_openat, S->dfd, P("f"), O_RDONLY | O_DIRECTORY);
	EQ(SYS_openat, S->dfd, P(BADPTR), O_RDONLY);
	EQ(SYS_openat, 9999, P("f"), O_RDONLY);
	EQ(SYS_openat, S->dfd, P("."), O_WRONLY);				/* EISDIR */
	OK(SYS_openat, S->dfd, P("."), O_RDWR | O_TMPFILE, 0600);
	EQ(SYS_close, fd);
	EQ(SYS_close, fd);							/* EBADF */
}

static void c_read_write_lseek(struct side *S)
{
	char buf[64];
	int fd = mkfile(S, "f", NULL);

	memset(buf, 0, sizeof(buf));
	EQ(SYS_write, fd, P(text), 40);
	EQ(SYS_write, fd, P(text), 0);
	EQ(SYS_lseek, fd, 0, SEEK_CUR);
	EQ(SYS_lseek, fd, 0, SEEK_SET);
	EQ(SYS_read, fd, P(buf), sizeof(buf));
	B(buf, sizeof(buf));
	EQ(SYS_read, fd, P(buf), sizeof(buf));					/* EOF */
	EQ(SYS_lseek, fd, -5, SEEK_END);
	EQ(SYS_lseek, fd, 1ULL << 40, SEEK_SET); /* needs 64-bit offsets */
	EQ(SYS_lseek, fd, 0, 7);
	EQ(SYS_lseek, fd, -1, SEEK_SET);
	EQ(SYS_lseek, fd, 0, SEEK_SET);
	EQ(SYS_read, fd, P(BADPTR), 8);
	EQ(SYS_write, fd, P(BADPTR), 8);
	EQ(SYS_read, -1, P(buf), 1);
	EQ(SYS_write, 9999, P(buf), 1);
	EQ(SYS_read, S->dfd, P(buf), 1);					/* EISDIR */
}

static void c_pread_pwrite(struct side *S)
{
	char buf[32];
	int fd = mkfile(S, "f", text), p[2];

	SU(pipe2(p, O_CLOEXEC));
	memset(buf, 0, sizeof(buf));
	EQ(SYS_pwrite64, fd, P(text), 10, 5000);
	EQ(SYS_pwrite64, fd, P(text + 10), 10, (1ULL << 33) + 3);
	EQ(SYS_pread64, fd, P(buf), 20, 4995);
	B(buf, 20);
	EQ(SYS_pread64, fd, P(buf), sizeof(buf), (1ULL << 33) + 3);
	B(buf, sizeof(buf));
	EQ(SYS_lseek, fd, 0, SEEK_CUR);
	V(stat_of(S, fd).st_size);
	EQ(SYS_pread64, fd, P(buf), 1, -1);
	EQ(SYS_pread64, p[0], P(buf), 1, 0);					/* ESPIPE */
	EQ(SYS_pwrite64, fd, P(BADPTR), 4, 0);
}

static void c_readv_writev(struct side *S)
{
	char a[4], b[8], c[16];
	struct iovec w[3] = {
		{ (void *)text, 5 }, { (void *)(text + 10), 7 }, { (void *)(text + 20), 9 },
	};
	struct iovec r[3] = { { a, sizeof(a) }, { b, sizeof(b) }, { c, sizeof(c) } };
	struct iovec bad = { BADPTR, 4 };
	int fd = mkfile(S, "f", NULL);

	memset(a, 0, sizeof(a)), memset(b, 0, sizeof(b)), memset(c, 0, sizeof(c));
	EQ(SYS_writev, fd, P(w), 3);
	EQ(SYS_writev, fd, P(w), 0);
	EQ(SYS_lseek, fd, 0, SEEK_SET);
	EQ(SYS_readv, fd, P(r), 3);
	B(a, sizeof(a)), B(b, sizeof(b)), B(c, sizeof(c));
	EQ(SYS_readv, fd, P(r), -1);
	EQ(SYS_readv, fd, P(r), 100000);
	EQ(SYS_writev, fd, P(&bad), 1);
	EQ(SYS_readv, fd, P(BADPTR), 1);
	EQ(SYS_pwritev, fd, P(w), 2, 100, 0);
	EQ(SYS_preadv, fd, P(r), 3, 98, 0);
	B(a, sizeof(a)), B(b, sizeof(b));
	EQ(SYS_preadv, fd, P(r), 1, -1, -1);
}

static void c_preadv2_pwritev2(struct side *S)
{
	char a[8], b[8];
	struct iovec w[2] = { { (void *)text, 6 }, { (void *)(text + 30), 6 } };
	struct iovec r[2] = { { a, sizeof(a) }, { b, sizeof(b) } };
	int fd = mkfile(S, "f", NULL);

	memset(a, 0, sizeof(a)), memset(b, 0, sizeof(b));
	EQ(SYS_pwritev2, fd, P(w), 2, 7, 0, 0);
	EQ(SYS_pwritev2, fd, P(w), 1, -1, 0, 0); /* at the file position */
	EQ(SYS_lseek, fd, 0, SEEK_CUR);
	EQ(SYS_preadv2, fd, P(r), 2, 5, 0, 0);
	B(a, sizeof(a)), B(b, sizeof(b));
	/* x32 (compat_sys_preadv64v2) takes the flags one register earlier */
#if defined(__x86_64__) && defined(__ILP32__)
	EQ(SYS_preadv2, fd, P(r), 2, 0, 0x80000000);
	EQ(SYS_preadv2, fd, P(r), 2, 0, RWF_NOWAIT);
#else
	EQ(SYS_preadv2, fd, P(r), 2, 0, 0, 0x80000000);
	EQ(SYS_preadv2, fd, P(r), 2, 0, 0, RWF_NOWAIT);
#endif
}

static void c_stat(struct side *S)
{
	struct stat st;
	struct statx sx;
	int fd = mkfile(S, "f", text);

	/* the whole structure of a file both sides see: the ABI's layout */
	memset(&st, 0, sizeof(st));
	EQ(SYS_fstat, shared_fd, P(&st));
	B(&st, sizeof(st));
	memset(&st, 0, sizeof(st));
	EQ(SYS_newfstatat, AT_FDCWD, P(shared_path), P(&st), 0);
	B(&st, sizeof(st));
	memset(&sx, 0, sizeof(sx));
	EQ(SYS_statx, AT_FDCWD, P(shared_path), 0, STATX_BASIC_STATS | STATX_BTIME, P(&sx));
	B(&sx, sizeof(sx));

	memset(&st, 0, sizeof(st));
	EQ(SYS_fstat, fd, P(&st));
	V(st.st_mode), V(st.st_size), V(st.st_nlink), V(st.st_uid), V(st.st_gid), V(st.st_blksize);
	memset(&st, 0, sizeof(st));
	EQ(SYS_newfstatat, S->dfd, P("f"), P(&st), AT_SYMLINK_NOFOLLOW);
	V(st.st_mode), V(st.st_size), V(st.st_nlink);
	memset(&sx, 0, sizeof(sx));
	EQ(SYS_statx, S->dfd, P("f"), 0, STATX_BASIC_STATS, P(&sx));
	V(sx.stx_mask & STATX_BASIC_STATS), V(sx.stx_mode), V(sx.stx_size), V(sx.stx_nlink);
	EQ(SYS_statx, fd, P(""), AT_EMPTY_PATH, STATX_SIZE, P(&sx));
	V(sx.stx_size);
	EQ(SYS_newfstatat, S->dfd, P("missing"), P(&st), 0);
	EQ(SYS_newfstatat, S->dfd, P("f"), P(&st), 0x12345);
	EQ(SYS_fstat, 9999, P(&st));
	EQ(SYS_fstat, fd, P(BADPTR));
	EQ(SYS_statx, S->dfd, P("f"), 0, STATX__RESERVED, P(&sx));
}

static void c_truncate(struct side *S)
{
	int fd = mkfile(S, "f", text), ro = SU(openat(S->dfd, "f", O_RDONLY | O_CLOEXEC));

	EQ(SYS_ftruncate, fd, 12345);
	V(stat_of(S, fd).st_size);
	EQ(SYS_ftruncate, fd, (1ULL << 32) + 1);				/* 64-bit length */
	V(stat_of(S, fd).st_size);
	EQ(SYS_ftruncate, fd, -1);
	EQ(SYS_ftruncate, -1, 0);
	EQ(SYS_ftruncate, ro, 0);
	EQ(SYS_truncate, P(at(S, "f")), 77);
	V(stat_of(S, fd).st_size);
	EQ(SYS_truncate, P(at(S, "missing")), 0);
	EQ(SYS_truncate, P(S->dir), 0);
	EQ(SYS_truncate, P(BADPTR), 0);
}

static void c_sync(struct side *S)
{
	int fd = mkfile(S, "f", text), p[2];

	SU(pipe2(p, O_CLOEXEC));
	EQ(SYS_fsync, fd);
	EQ(SYS_fdatasync, fd);
	EQ(SYS_syncfs, fd);
	EQ(SYS_sync_file_range, fd, 0, 4096, SYNC_FILE_RANGE_WRITE);
	EQ(SYS_sync_file_range, fd, 0, 4096, 0x100);
	EQ(SYS_fsync, -1);
	EQ(SYS_fdatasync, p[0]);						/* EINVAL */
	EQ(SYS_fadvise64, fd, 0, 4096, POSIX_FADV_WILLNEED);
	EQ(SYS_fadvise64, fd, 0, 4096, 99);
	EQ(SYS_fadvise64, p[0], 0, 0, POSIX_FADV_NORMAL);			/* ESPIPE */
	EQ(SYS_readahead, fd, 0, 4096);
	EQ(SYS_readahead, p[0], 0, 4096);
}

static void c_fcntl(struct side *S)
{
	int fd = mkfile(S, "f", text), fd2 = SU(openat(S->dfd, "f", O_RDWR | O_CLOEXEC)), p[2];
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10 };

	SU(pipe2(p, 0));
	EQ(SYS_fcntl, fd, F_GETFD);
	EQ(SYS_fcntl, fd, F_SETFD, 0);
	EQ(SYS_fcntl, fd, F_GETFD);
	EQ(SYS_fcntl, fd, F_GETFL);
	EQ(SYS_fcntl, fd, F_SETFL, O_APPEND | O_NONBLOCK);
	EQ(SYS_fcntl, fd, F_GETFL);
	EQ(SYS_fcntl, fd, F_DUPFD, 100);
	EQ(SYS_fcntl, fd, F_DUPFD_CLOEXEC, 100);
	V(fcntl(101, F_GETFD));
	EQ(SYS_fcntl, fd, F_SETLK, P(&fl));
	fl.l_type = F_RDLCK;
	EQ(SYS_fcntl, fd, F_GETLK, P(&fl)); /* our own lock: F_UNLCK */
	V(fl.l_type);
	fl = (struct flock){ .l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 5, .l_len = 1 };
	EQ(SYS_fcntl, fd2, F_OFD_GETLK, P(&fl)); /* sees the process's lock */
	V(fl.l_type), V(fl.l_start), V(fl.l_len), V(fl.l_pid);
	EQ(SYS_fcntl, fd, F_SETOWN, getpid());
	EQ(SYS_fcntl, fd, F_GETOWN);
	EQ(SYS_fcntl, p[1], F_SETPIPE_SZ, 8192);
	EQ(SYS_fcntl, p[1], F_GETPIPE_SZ);
	EQ(SYS_fcntl, fd, F_GETPIPE_SZ);
	EQ(SYS_fcntl, fd, 0x7fff);
	EQ(SYS_fcntl, -1, F_GETFD);
	EQ(SYS_fcntl, fd, F_SETLK, P(BADPTR));
}

static void c_dup(struct side *S)
{
	int fd = mkfile(S, "f", text);

	/* both sides start with the same descriptors open: numbers match */
	EQ(SYS_dup, fd);
	EQ(SYS_dup, -1);
	EQ(SYS_dup3, fd, 200, O_CLOEXEC);
	V(fcntl(200, F_GETFD));
	EQ(SYS_dup3, fd, 200, 0);
	V(fcntl(200, F_GETFD));
	EQ(SYS_dup3, fd, fd, 0);
	EQ(SYS_dup3, fd, 201, 0x1234);
	EQ(SYS_dup3, -1, 202, 0);
	EQ(SYS_dup3, fd, 1 << 30, 0); /* EBADF: past RLIMIT_NOFILE */
#ifdef SYS_dup2
	EQ(SYS_dup2, fd, 203);
	V(C(SYS_dup2, fd, fd) == fd);
	EQ(SYS_dup2, 9999, 204);
#endif
}

static void c_access(struct side *S)
{
	SU(close(mkfile(S, "f", text)));
	SU(fchmodat(S->dfd, "f", 0640, 0));
	EQ(SYS_faccessat, S->dfd, P("f"), R_OK | W_OK);
	EQ(SYS_faccessat, S->dfd, P("f"), X_OK);
	EQ(SYS_faccessat, S->dfd, P("f"), F_OK);
	EQ(SYS_faccessat, S->dfd, P("missing"), F_OK);
	EQ(SYS_faccessat, S->dfd, P("f"), 0x10);
	EQ(SYS_faccessat, S->dfd, P(BADPTR), F_OK);
#ifdef SYS_faccessat2
	EQ(SYS_faccessat2, S->dfd, P("f"), R_OK, AT_EACCESS);
	EQ(SYS_faccessat2, S->dfd, P("f"), R_OK, 0x1);
#endif
}

static void c_chmod_chown(struct side *S)
{
	int fd = mkfile(S, "f", text);
	struct stat st;

	EQ(SYS_fchmod, fd, 0751);
	V(stat_of(S, fd).st_mode);
	EQ(SYS_fchmodat, S->dfd, P("f"), 04604);
	V(stat_of(S, fd).st_mode);
	EQ(SYS_fchmodat, S->dfd, P("missing"), 0600);
	EQ(SYS_fchmod, -1, 0600);
	EQ(SYS_fchown, fd, 1234, 5678);
	st = stat_of(S, fd);
	V(st.st_uid), V(st.st_gid), V(st.st_mode); /* set-uid cleared */
	EQ(SYS_fchownat, S->dfd, P("f"), -1, 42, AT_SYMLINK_NOFOLLOW);
	st = stat_of(S, fd);
	V(st.st_uid), V(st.st_gid);
	EQ(SYS_fchownat, S->dfd, P("f"), 0, 0, 0x8000000);
	EQ(SYS_fchownat, S->dfd, P("missing"), 0, 0, 0);
	EQ(SYS_fchown, fd, 0, 0);
}

static void c_utimensat(struct side *S)
{
	int fd = mkfile(S, "f", text);
	struct timespec ts[2] = { { 1000, 5 }, { 3000000000LL, 7 } };		/* past 2038 */
	struct stat st;

	EQ(SYS_utimensat, S->dfd, P("f"), P(ts), 0);
	st = stat_of(S, fd);
	V(st.st_atim.tv_sec), V(st.st_atim.tv_nsec), V(st.st_mtim.tv_sec), V(st.st_mtim.tv_nsec);
	ts[0].tv_nsec = UTIME_OMIT;
	ts[1] = (struct timespec){ 4000, 9 };
	EQ(SYS_utimensat, fd, 0, P(ts), 0);
	st = stat_of(S, fd);
	V(st.st_atim.tv_sec), V(st.st_mtim.tv_sec), V(st.st_mtim.tv_nsec);
	ts[1].tv_nsec = 2000000000;
	EQ(SYS_utimensat, fd, 0, P(ts), 0);
	EQ(SYS_utimensat, S->dfd, P("missing"), 0, 0);
	EQ(SYS_utimensat, S->dfd, P("f"), 0, 0x1);
	EQ(SYS_utimensat, S->dfd, P("f"), P(BADPTR), 0);
}

static void c_rename(struct side *S)
{
	char buf[8];
	int fd;

	SU(close(mkfile(S, "a", "aaaa")));
	SU(close(mkfile(S, "b", "bbbb")));
#ifdef SYS_renameat
	EQ(SYS_renameat, S->dfd, P("a"), S->dfd, P("c"));
	EQ(SYS_renameat, S->dfd, P("a"), S->dfd, P("d"));
#endif
	EQ(SYS_renameat2, S->dfd, P("c"), S->dfd, P("b"), RENAME_NOREPLACE);
	EQ(SYS_renameat2, S->dfd, P("c"), S->dfd, P("b"), RENAME_EXCHANGE);
	EQ(SYS_renameat2, S->dfd, P("c"), S->dfd, P("b"), 0x80);
	EQ(SYS_renameat2, S->dfd, P("missing"), S->dfd, P("x"), 0);
	EQ(SYS_renameat2, S->dfd, P("b"), S->dfd, P("."), 0);
	fd = SU(openat(S->dfd, "b", O_RDONLY | O_CLOEXEC));
	memset(buf, 0, sizeof(buf));
	SU(read(fd, buf, sizeof(buf)));
	B(buf, sizeof(buf));
}

static void c_mkdir_unlink(struct side *S)
{
	struct stat st;

	EQ(SYS_mkdirat, S->dfd, P("d"), 0750);
	EQ(SYS_mkdirat, S->dfd, P("d"), 0750);
	SU(fstatat(S->dfd, "d", &st, 0));
	V(st.st_mode), V(st.st_nlink);
	EQ(SYS_mkdirat, S->dfd, P("missing/d"), 0750);
	EQ(SYS_mknodat, S->dfd, P("fifo"), S_IFIFO | 0600, 0);
	EQ(SYS_mknodat, S->dfd, P("reg"), S_IFREG | 0600, 0);
	EQ(SYS_mknodat, S->dfd, P("bad"), 0170000 | 0600, 0);
	SU(fstatat(S->dfd, "fifo", &st, 0));
	V(st.st_mode);
	EQ(SYS_mkdirat, S->dfd, P("full"), 0700);
	SU(close(mkfile(S, "full/x", "")));
	EQ(SYS_unlinkat, S->dfd, P("full"), AT_REMOVEDIR);			/* ENOTEMPTY */
	EQ(SYS_unlinkat, S->dfd, P("d"), 0);					/* EISDIR */
	EQ(SYS_unlinkat, S->dfd, P("d"), AT_REMOVEDIR);
	EQ(SYS_unlinkat, S->dfd, P("reg"), AT_REMOVEDIR);
	EQ(SYS_unlinkat, S->dfd, P("fifo"), 0);
	EQ(SYS_unlinkat, S->dfd, P("fifo"), 0);
	EQ(SYS_unlinkat, S->dfd, P("reg"), 0x1);
}

static void c_link_symlink(struct side *S)
{
	char buf[32];
	int fd = mkfile(S, "f", text);

	memset(buf, 0, sizeof(buf));
	EQ(SYS_linkat, S->dfd, P("f"), S->dfd, P("hard"), 0);
	V(stat_of(S, fd).st_nlink);
	EQ(SYS_linkat, S->dfd, P("f"), S->dfd, P("hard"), 0);
	EQ(SYS_symlinkat, P("f"), S->dfd, P("soft"));
	EQ(SYS_symlinkat, P("f"), S->dfd, P("soft"));
	EQ(SYS_readlinkat, S->dfd, P("soft"), P(buf), sizeof(buf));
	B(buf, sizeof(buf));
	EQ(SYS_readlinkat, S->dfd, P("f"), P(buf), sizeof(buf));		/* EINVAL */
	EQ(SYS_readlinkat, S->dfd, P("soft"), P(buf), 0);
	EQ(SYS_readlinkat, S->dfd, P("missing"), P(buf), sizeof(buf));
	EQ(SYS_linkat, S->dfd, P("soft"), S->dfd, P("hard2"), AT_SYMLINK_FOLLOW);
	V(stat_of(S, fd).st_nlink);
	EQ(SYS_linkat, S->dfd, P("f"), S->dfd, P("x"), 0x1234);
	EQ(SYS_linkat, S->dfd, P("."), S->dfd, P("dirlink"), 0);		/* EPERM */
}

static int by_name(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void c_getdents64(struct side *S)
{
	char buf[1024], names[16][32];
	int n = 0, dir, fd = mkfile(S, "aa", text);
	long len;

	SU(close(mkfile(S, "bbb", "")));
	SU(mkdirat(S->dfd, "cccc", 0700));
	SU(symlinkat("aa", S->dfd, "ddddd"));
	dir = SU(openat(S->dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	memset(buf, 0, sizeof(buf)), memset(names, 0, sizeof(names));
	len = EQ(SYS_getdents64, dir, P(buf), sizeof(buf));
	/* order and d_off depend on the filesystem: compare sorted names and types */
	for (long off = 0; off < len && n < 16;) {
		struct dent64 *d = (struct dent64 *)(buf + off);

		snprintf(names[n++], sizeof(names[0]), "%s:%u", d->name, d->type);
		off += d->reclen;
	}
	qsort(names, n, sizeof(names[0]), by_name);
	B(names, n * sizeof(names[0]));
	EQ(SYS_getdents64, dir, P(buf), sizeof(buf));				/* end: 0 */
	SU(lseek(dir, 0, SEEK_SET));
	EQ(SYS_getdents64, dir, P(buf), 1);					/* EINVAL */
	EQ(SYS_getdents64, fd, P(buf), sizeof(buf));				/* ENOTDIR */
	EQ(SYS_getdents64, -1, P(buf), sizeof(buf));
	EQ(SYS_getdents64, dir, P(BADPTR), sizeof(buf));
}

static void c_cwd(struct side *S)
{
	char cwd[160], want[160];
	int sub, fd = mkfile(S, "f", "");

	SU(mkdirat(S->dfd, "sub", 0700));
	sub = SU(openat(S->dfd, "sub", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	memset(cwd, 0, sizeof(cwd));
	EQ(SYS_chdir, P(S->dir));
	EQ(SYS_getcwd, P(cwd), sizeof(cwd));			/* same length: "ring"/"trap" */
	V(strcmp(cwd, S->dir) == 0);
	EQ(SYS_fchdir, sub);
	EQ(SYS_getcwd, P(cwd), sizeof(cwd));
	snprintf(want, sizeof(want), "%s/sub", S->dir);
	V(strcmp(cwd, want) == 0);
	EQ(SYS_chdir, P(".."));
	EQ(SYS_getcwd, P(cwd), 2);						/* ERANGE */
	EQ(SYS_getcwd, P(BADPTR), sizeof(cwd));
	EQ(SYS_chdir, P("missing"));
	EQ(SYS_chdir, P("f"));
	EQ(SYS_fchdir, fd);
	EQ(SYS_fchdir, -1);
	SU(fchdir(cwd_fd));
}

static void c_statfs(struct side *S)
{
	struct statfs a;

	memset(&a, 0, sizeof(a));
	EQ(SYS_statfs, P(S->dir), P(&a));
	V(a.f_type), V(a.f_bsize), V(a.f_namelen), V(a.f_frsize), V(a.f_flags), V(a.f_blocks);
	memset(&a, 0, sizeof(a));
	EQ(SYS_fstatfs, S->dfd, P(&a));
	V(a.f_type), V(a.f_bsize), V(a.f_namelen), V(a.f_flags);
	EQ(SYS_statfs, P(at(S, "missing")), P(&a));
	EQ(SYS_statfs, P(S->dir), P(BADPTR));
	EQ(SYS_fstatfs, -1, P(&a));
}

static void c_fallocate(struct side *S)
{
	int fd = mkfile(S, "f", NULL), p[2];

	SU(pipe2(p, O_CLOEXEC));
	EQ(SYS_fallocate, fd, 0, 0, 8192);
	V(stat_of(S, fd).st_size);
	EQ(SYS_fallocate, fd, FALLOC_FL_KEEP_SIZE, 8192, 8192);
	V(stat_of(S, fd).st_size);
	EQ(SYS_fallocate, fd, 0, 1ULL << 34, 4096); /* offset past 32 bits */
	V(stat_of(S, fd).st_size);
	EQ(SYS_fallocate, fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 4096);
	EQ(SYS_fallocate, fd, FALLOC_FL_PUNCH_HOLE, 0, 4096);			/* EOPNOTSUPP */
	EQ(SYS_fallocate, fd, 0, 0, 0);
	EQ(SYS_fallocate, fd, 0, -1, 4096);
	EQ(SYS_fallocate, p[1], 0, 0, 4096);
	EQ(SYS_fallocate, -1, 0, 0, 4096);
}

static void c_flock(struct side *S)
{
	int fd = mkfile(S, "f", text), fd2 = SU(openat(S->dfd, "f", O_RDONLY | O_CLOEXEC));

	EQ(SYS_flock, fd, LOCK_EX);
	EQ(SYS_flock, fd2, LOCK_EX | LOCK_NB);					/* EWOULDBLOCK */
	EQ(SYS_flock, fd2, LOCK_SH | LOCK_NB);
	EQ(SYS_flock, fd, LOCK_UN);
	EQ(SYS_flock, fd2, LOCK_SH | LOCK_NB);
	EQ(SYS_flock, fd, LOCK_EX | LOCK_NB);
	EQ(SYS_flock, fd, 0x40);
	EQ(SYS_flock, -1, LOCK_SH);
}

static void c_sendfile_copy(struct side *S)
{
	char buf[64];
	int in = mkfile(S, "in", text), out = mkfile(S, "out", NULL);
	int64_t off = 4, off_out = 100;

	EQ(SYS_sendfile, out, in, P(&off), 10);
	V(off);
	EQ(SYS_sendfile, out, in, 0, 5); /* from in's position */
	EQ(SYS_lseek, in, 0, SEEK_CUR);
	EQ(SYS_sendfile, out, -1, 0, 5);
	EQ(SYS_sendfile, out, in, P(BADPTR), 5);
	off = 7;
	EQ(SYS_copy_file_range, in, P(&off), out, P(&off_out), 20, 0);
	V(off), V(off_out);
	EQ(SYS_copy_file_range, in, 0, out, 0, 1, 1);
	off = off_out = 0;
	EQ(SYS_copy_file_range, in, P(&off), in, P(&off_out), 5, 0); /* overlapping: EINVAL */
	memset(buf, 0, sizeof(buf));
	SU(pread(out, buf, sizeof(buf), 0));
	B(buf, sizeof(buf));
	memset(buf, 0, sizeof(buf));
	SU(pread(out, buf, sizeof(buf), 95));
	B(buf, sizeof(buf));
}

static void c_splice_tee(struct side *S)
{
	char buf[32], got[8];
	int p[2], q[2], out = mkfile(S, "out", NULL), in = mkfile(S, "in", text);
	int64_t off = 3;
	struct iovec v = { (void *)(text + 40), 6 };

	SU(pipe2(p, O_CLOEXEC)), SU(pipe2(q, O_CLOEXEC | O_NONBLOCK));
	SU(write(p[1], text, 20));
	memset(buf, 0, sizeof(buf)), memset(got, 0, sizeof(got));
	EQ(SYS_tee, p[0], q[1], 8, 0);
	EQ(SYS_splice, p[0], 0, out, P(&off), 20, 0);
	V(off);
	EQ(SYS_vmsplice, p[1], P(&v), 1, 0);
	EQ(SYS_splice, p[0], 0, out, 0, 100, SPLICE_F_NONBLOCK);
	EQ(SYS_splice, in, P(&off), p[1], 0, 5, 0);
	V(off);
	EQ(SYS_splice, p[0], P(&off), out, 0, 1, 0);				/* ESPIPE */
	EQ(SYS_splice, in, 0, out, 0, 1, 0);					/* neither a pipe */
	EQ(SYS_splice, p[0], 0, out, 0, 1, 0x100);
	EQ(SYS_tee, p[0], p[1], 1, 0);
	EQ(SYS_tee, q[0], p[1], 1, SPLICE_F_NONBLOCK);
	EQ(SYS_vmsplice, p[1], P(BADPTR), 1, 0);
	SU(read(q[0], got, sizeof(got)));
	B(got, sizeof(got));
	SU(pread(out, buf, sizeof(buf), 0));
	B(buf, sizeof(buf));
	memset(buf, 0, sizeof(buf));
	SU(read(p[0], buf, sizeof(buf)));
	B(buf, sizeof(buf));
}

static void c_fd_misc(struct side *S)
{
	struct open_how how = { .flags = O_RDONLY | O_CLOEXEC, .resolve = RESOLVE_BENEATH };
	int fd = mkfile(S, "f", text), spare = SU(dup(fd));

	OK(SYS_memfd_create, P("xsc"), MFD_CLOEXEC);
	EQ(SYS_memfd_create, P("xsc"), 0x1000);
	EQ(SYS_memfd_create, P(BADPTR), 0);
	OK(SYS_openat2, S->dfd, P("f"), P(&how), sizeof(how));
	EQ(SYS_openat2, S->dfd, P("../f"), P(&how), sizeof(how));		/* EXDEV */
	EQ(SYS_openat2, S->dfd, P("f"), P(&how), 8);
	how.mode = 0600;
	EQ(SYS_openat2, S->dfd, P("f"), P(&how), sizeof(how)); /* mode without O_CREAT */
	EQ(SYS_close_range, spare, spare, 0);
	V(fcntl(spare, F_GETFD));
	EQ(SYS_close_range, 5, 4, 0);
	EQ(SYS_close_range, 300, 400, 0x40000000);
	EQ(SYS_kcmp, getpid(), getpid(), KCMP_FILE, fd, fd);
	EQ(SYS_kcmp, getpid(), getpid(), 99, 0, 0);
}

static void c_inotify(struct side *S)
{
	union { struct inotify_event e; char buf[256]; } u;
	int in = OK(SYS_inotify_init1, IN_NONBLOCK | IN_CLOEXEC);
	long len;

	memset(&u, 0, sizeof(u));
	EQ(SYS_inotify_add_watch, in, P(S->dir), IN_CREATE);			/* first watch: 1 */
	SU(close(mkfile(S, "new", "")));
	len = EQ(SYS_read, in, P(&u), sizeof(u));
	if (len > 0)
		V(u.e.mask), V(u.e.len), B(u.e.name, strlen(u.e.name));
	EQ(SYS_read, in, P(&u), sizeof(u));					/* EAGAIN */
	EQ(SYS_inotify_add_watch, in, P(at(S, "missing")), IN_CREATE);
	EQ(SYS_inotify_add_watch, in, P(S->dir), 0);
	EQ(SYS_inotify_rm_watch, in, 1);
	EQ(SYS_inotify_rm_watch, in, 1);
	EQ(SYS_inotify_init1, 0x1234);
}

static void c_xattr(struct side *S)
{
	char v[16], list[256];
	int fd = mkfile(S, "f", text);
	long n;

	/* trusted.* works for root on tmpfs; elsewhere both sides fail alike */
	memset(v, 0, sizeof(v)), memset(list, 0, sizeof(list));
	EQ(SYS_fsetxattr, fd, P("trusted.xsc"), P("v1"), 2, XATTR_CREATE);
	EQ(SYS_fsetxattr, fd, P("trusted.xsc"), P("v1"), 2, XATTR_CREATE);	/* EEXIST */
	EQ(SYS_fgetxattr, fd, P("trusted.xsc"), P(v), sizeof(v));
	B(v, sizeof(v));
	EQ(SYS_getxattr, P(at(S, "f")), P("trusted.xsc"), P(v), 1);		/* ERANGE */
	EQ(SYS_lgetxattr, P(at(S, "f")), P("trusted.xsc"), 0, 0);
	n = EQ(SYS_flistxattr, fd, P(list), sizeof(list));
	B(list, n > 0 ? (size_t)n : 0);
	EQ(SYS_fremovexattr, fd, P("trusted.xsc"));
	EQ(SYS_fremovexattr, fd, P("trusted.xsc"));
	EQ(SYS_fgetxattr, fd, P("trusted.none"), P(v), sizeof(v));
	EQ(SYS_fsetxattr, fd, P("trusted.xsc"), P("v"), 1, 4);
	EQ(SYS_fsetxattr, fd, P("bogus.xsc"), P("v"), 1, 0);
}

/* ------------------------------------------------------------ memory */

static void c_mmap(struct side *S)
{
	unsigned char vec[6];
	char *m = (char *)(uintptr_t)ADDR(SYS_mmap, 0, 3 * pg, PROT_READ | PROT_WRITE,
					   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int64_t r;

	if (is_err((intptr_t)m))
		return;
	memset(m, 0x5a, 3 * pg);
	r = ADDR(SYS_mremap, P(m), 3 * pg, 6 * pg, MREMAP_MAYMOVE, 0);
	if (is_err(r))
		return;
	m = (char *)(uintptr_t)r;
	V(m[3 * pg - 1]), V(m[4 * pg]);
	EQ(SYS_mremap, P(m), pg, pg, 0x100, 0);
	EQ(SYS_mprotect, P(m + pg), pg, PROT_READ);
	EQ(SYS_mprotect, P(m + 1), pg, PROT_READ);
	EQ(SYS_mprotect, P(m), pg, 0x1000);
	EQ(SYS_madvise, P(m + 2 * pg), pg, MADV_DONTNEED);
	V(m[2 * pg]);
	EQ(SYS_madvise, P(m), pg, 12345);
	memset(vec, 0xff, sizeof(vec));
	EQ(SYS_mincore, P(m), 6 * pg, P(vec));
	for (int i = 0; i < 6; i++)
		vec[i] &= 1;
	B(vec, sizeof(vec));
	EQ(SYS_mincore, P(m + 1), pg, P(vec));
	EQ(SYS_msync, P(m), 3 * pg, MS_SYNC);
	EQ(SYS_msync, P(m + 1), pg, MS_SYNC);
	EQ(SYS_msync, P(m), pg, MS_SYNC | MS_ASYNC);
	EQ(SYS_mlock, P(m), pg);
	EQ(SYS_munlock, P(m), pg);
	EQ(SYS_mlock2, P(m), pg, MLOCK_ONFAULT);
	EQ(SYS_munlock, P(m), pg);
	EQ(SYS_mlock2, P(m), pg, 0x10);
	EQ(SYS_munmap, P(m), 6 * pg);
	EQ(SYS_munmap, P(m + 1), pg);
	EQ(SYS_mincore, P(m), pg, P(vec));					/* ENOMEM */
	ADDR(SYS_mmap, 0, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ADDR(SYS_mmap, 0, pg, PROT_READ, MAP_PRIVATE, -1, 0);			/* EBADF */
	ADDR(SYS_mmap, 0, pg, PROT_READ, MAP_ANONYMOUS, -1, 0); /* neither shared nor private */
}

static void c_mmap_file(struct side *S)
{
	char buf[32];
	int fd = mkfile(S, "f", NULL), ro;
	char *m;

	SU(ftruncate(fd, pg));
	ro = SU(openat(S->dfd, "f", O_RDONLY | O_CLOEXEC));
	m = (char *)(uintptr_t)ADDR(SYS_mmap, 0, pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (is_err((intptr_t)m))
		return;
	memcpy(m, text, 20);
	EQ(SYS_msync, P(m), pg, MS_SYNC);
	memset(buf, 0, sizeof(buf));
	SU(pread(fd, buf, sizeof(buf), 0));
	B(buf, sizeof(buf));
	EQ(SYS_munmap, P(m), pg);
	ADDR(SYS_mmap, 0, pg, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0);	/* EACCES */
	ADDR(SYS_mmap, 0, pg, PROT_READ, MAP_SHARED, fd, 1);			/* EINVAL */
	ADDR(SYS_mmap, 0, pg, PROT_READ, MAP_SHARED, S->dfd, 0);		/* ENODEV */
}

static void c_brk(struct side *S)
{
	/* relative to the break each side finds: libc may move it in between */
	int64_t cur = C(SYS_brk, 0);

	V(cur > 0);
	V(C(SYS_brk, cur + 16 * pg) - cur);
	V(C(SYS_brk, 0) - cur);
	V(C(SYS_brk, cur) - cur);
}

static void c_mm_misc(struct side *S)
{
	char src[16] = "process_vm_data", dst[16];
	struct iovec l = { dst, sizeof(dst) }, r = { src, sizeof(src) };

	memset(dst, 0, sizeof(dst));
	EQ(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
	EQ(SYS_membarrier, 0x7777, 0, 0);
	EQ(SYS_process_vm_readv, getpid(), P(&l), 1, P(&r), 1, 0);
	B(dst, sizeof(dst));
	EQ(SYS_process_vm_writev, getpid(), P(&r), 1, P(&l), 1, 0);
	EQ(SYS_process_vm_readv, getpid(), P(&l), 1, P(&r), 1, 1);
}

/* ------------------------------------------------------------ pipes, eventfd, timers */

static void c_pipe(struct side *S)
{
	char buf[32];
	int p[2] = { -1, -1 }, q[2], n = -1;

	memset(buf, 0, sizeof(buf));
	EQ(SYS_pipe2, P(p), O_CLOEXEC);
	V(p[0] >= 0 && p[1] >= 0);
	EQ(SYS_write, p[1], P(text), 12);
	EQ(SYS_ioctl, p[0], FIONREAD, P(&n));
	V(n);
	EQ(SYS_read, p[0], P(buf), sizeof(buf));
	B(buf, sizeof(buf));
	EQ(SYS_fcntl, p[0], F_SETFL, O_NONBLOCK);
	EQ(SYS_read, p[0], P(buf), 1);						/* EAGAIN */
	EQ(SYS_ioctl, p[0], 0x5401, P(buf));					/* TCGETS: ENOTTY */
	EQ(SYS_pipe2, P(q), 0x1234);
	EQ(SYS_pipe2, P(BADPTR), 0);
	EQ(SYS_close, p[0]);
	EQ(SYS_write, p[1], P(text), 1); /* EPIPE, SIGPIPE ignored */
#ifdef SYS_pipe
	EQ(SYS_pipe, P(q));
#endif
}

static void c_eventfd(struct side *S)
{
	uint64_t v = 0;
	int e = OK(SYS_eventfd2, 3, EFD_NONBLOCK | EFD_CLOEXEC);

	EQ(SYS_read, e, P(&v), 8);
	V(v);
	EQ(SYS_read, e, P(&v), 8);						/* EAGAIN */
	EQ(SYS_read, e, P(&v), 4);
	v = 5;
	EQ(SYS_write, e, P(&v), 8);
	v = UINT64_MAX;
	EQ(SYS_write, e, P(&v), 8);
	EQ(SYS_read, e, P(&v), 8);
	V(v);
	EQ(SYS_eventfd2, 0, 0x1234);
#ifdef SYS_eventfd
	OK(SYS_eventfd, 0);
#endif
}

static void c_timerfd(struct side *S)
{
	struct itimerspec set = { { 0, 0 }, { 100, 0 } }, old, cur;
	uint64_t n;
	int t = OK(SYS_timerfd_create, CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);

	memset(&old, 0x55, sizeof(old)), memset(&cur, 0, sizeof(cur));
	EQ(SYS_timerfd_settime, t, 0, P(&set), P(&old));
	B(&old, sizeof(old));
	EQ(SYS_timerfd_gettime, t, P(&cur));
	V(cur.it_interval.tv_sec), V(cur.it_interval.tv_nsec);
	V(cur.it_value.tv_sec > 90 && cur.it_value.tv_sec <= 100);
	EQ(SYS_read, t, P(&n), sizeof(n));					/* EAGAIN */
	EQ(SYS_timerfd_settime, t, 0x99, P(&set), 0);
	set.it_value.tv_nsec = 1000000000;
	EQ(SYS_timerfd_settime, t, 0, P(&set), 0);
	EQ(SYS_timerfd_gettime, S->dfd, P(&cur));
	EQ(SYS_timerfd_create, 12345, 0);
	EQ(SYS_timerfd_create, CLOCK_MONOTONIC, 0x1234);
}

static void c_signalfd(struct side *S)
{
	uint64_t mask = 1ULL << (SIGUSR2 - 1);
	struct signalfd_siginfo si;
	int sf = OK(SYS_signalfd4, -1, P(&mask), 8, SFD_NONBLOCK | SFD_CLOEXEC);

	/* SIGUSR2 is blocked in every thread: kill() leaves it pending for the process */
	memset(&si, 0, sizeof(si));
	EQ(SYS_read, sf, P(&si), sizeof(si));					/* EAGAIN */
	EQ(SYS_kill, getpid(), SIGUSR2);
	EQ(SYS_read, sf, P(&si), sizeof(si));
	V(si.ssi_signo), V(si.ssi_code), V(si.ssi_pid), V(si.ssi_uid);
	EQ(SYS_signalfd4, -1, P(&mask), 4, 0);
	EQ(SYS_signalfd4, -1, P(&mask), 8, 0x1234);
	EQ(SYS_signalfd4, S->dfd, P(&mask), 8, 0);
#ifdef SYS_signalfd
	OK(SYS_signalfd, -1, P(&mask), 8);
#endif
}

static void c_futex(struct side *S)
{
	uint32_t w[2] = { 7, 0 };
	struct timespec zero = { 0, 0 }, bad = { 0, -1 };

	EQ(SYS_futex, P(w), FUTEX_WAKE_PRIVATE, 1, 0, 0, 0);
	EQ(SYS_futex, P(w), FUTEX_WAKE, 1, 0, 0, 0);
	EQ(SYS_futex, P(w), FUTEX_WAIT_PRIVATE, 8, 0, 0, 0);			/* EAGAIN */
	EQ(SYS_futex, P(w), FUTEX_WAIT, 8, 0, 0, 0);
	EQ(SYS_futex, P(w), FUTEX_WAIT_PRIVATE, 7, P(&zero), 0, 0);		/* ETIMEDOUT */
	EQ(SYS_futex, P(w), FUTEX_WAIT_PRIVATE, 7, P(&bad), 0, 0);
	EQ(SYS_futex, P(w), FUTEX_WAIT_BITSET_PRIVATE, 7, P(&zero), 0, 0);	/* bitset 0 */
	EQ(SYS_futex, P((char *)w + 1), FUTEX_WAKE, 1, 0, 0, 0);
	EQ(SYS_futex, P(w), FUTEX_CMP_REQUEUE_PRIVATE, 1, 1, P(w + 1), 9);	/* EAGAIN */
	EQ(SYS_futex, P(w), 99, 0, 0, 0, 0);
	EQ(SYS_futex, P(BADPTR), FUTEX_WAIT, 0, 0, 0, 0);
}

/* ------------------------------------------------------------ sockets */

static void c_socketpair(struct side *S)
{
	char buf[32];
	int sv[2] = { -1, -1 }, sv2[2];

	memset(buf, 0, sizeof(buf));
	EQ(SYS_socketpair, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, P(sv));
	V(sv[0] >= 0 && sv[1] >= 0);
	EQ(SYS_sendto, sv[0], P(text), 11, MSG_NOSIGNAL, 0, 0);
	EQ(SYS_recvfrom, sv[1], P(buf), sizeof(buf), 0, 0, 0);
	B(buf, sizeof(buf));
	EQ(SYS_recvfrom, sv[1], P(buf), sizeof(buf), MSG_DONTWAIT, 0, 0);
	EQ(SYS_shutdown, sv[0], SHUT_WR);
	EQ(SYS_recvfrom, sv[1], P(buf), sizeof(buf), 0, 0, 0);			/* EOF */
	EQ(SYS_sendto, sv[0], P(text), 1, MSG_NOSIGNAL, 0, 0);			/* EPIPE */
	EQ(SYS_shutdown, sv[0], 7);
	EQ(SYS_shutdown, S->dfd, SHUT_RD);
	EQ(SYS_socketpair, AF_INET, SOCK_STREAM, 0, P(sv2));
	EQ(SYS_socketpair, AF_UNIX, 0x77, 0, P(sv2));
	EQ(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, P(BADPTR));
	EQ(SYS_socket, 12345, SOCK_STREAM, 0);
	EQ(SYS_socket, AF_UNIX, SOCK_STREAM, 99);
}

static void c_listen_connect(struct side *S)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX }, got, none = { .sun_family = AF_UNIX };
	socklen_t alen, len;
	char buf[16];
	int l, c, s, l2 = SU(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
	int c2 = SU(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));

	snprintf(a.sun_path, sizeof(a.sun_path), "%s/sock", S->dir);
	snprintf(none.sun_path, sizeof(none.sun_path), "%s/none", S->dir);
	alen = offsetof(struct sockaddr_un, sun_path) + strlen(a.sun_path) + 1;
	memset(&got, 0, sizeof(got)), memset(buf, 0, sizeof(buf));
	l = OK(SYS_socket, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	EQ(SYS_bind, l, P(&a), alen);
	EQ(SYS_bind, l, P(&a), alen);
	EQ(SYS_bind, l2, P(&a), alen);						/* EADDRINUSE */
	EQ(SYS_bind, l2, P(&a), 1);
	EQ(SYS_accept4, l, 0, 0, 0); /* EINVAL: not listening */
	EQ(SYS_listen, l, 4);
	c = OK(SYS_socket, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	EQ(SYS_connect, c, P(&a), alen);
	EQ(SYS_connect, c2, P(&none), alen);					/* ENOENT */
	EQ(SYS_connect, c2, P(BADPTR), alen);
	len = sizeof(got);
	s = OK(SYS_accept4, l, P(&got), P(&len), SOCK_CLOEXEC);
	V(len), V(got.sun_family);
	EQ(SYS_accept4, l, 0, 0, 0x1234);
	len = sizeof(got);
	EQ(SYS_getsockname, l, P(&got), P(&len));
	V(len), V(strcmp(got.sun_path, a.sun_path) == 0);
	len = sizeof(got);
	EQ(SYS_getpeername, c, P(&got), P(&len));
	V(len), V(strcmp(got.sun_path, a.sun_path) == 0);
	len = sizeof(got);
	EQ(SYS_getpeername, l, P(&got), P(&len));				/* ENOTCONN */
	EQ(SYS_getsockname, S->dfd, P(&got), P(&len));
	EQ(SYS_sendto, c, P(text), 5, MSG_NOSIGNAL, 0, 0);
	len = sizeof(got);
	EQ(SYS_recvfrom, s, P(buf), sizeof(buf), 0, P(&got), P(&len));
	B(buf, sizeof(buf));
	V(len);
	EQ(SYS_listen, S->dfd, 1);
}

static void c_sockopt(struct side *S)
{
	struct timeval tv = { 2, 500000 }, tg;
	struct ucred cred;
	socklen_t len;
	int v = 65536, g = 0, sv[2];

	SU(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	EQ(SYS_setsockopt, sv[0], SOL_SOCKET, SO_RCVBUF, P(&v), sizeof(v));
	len = sizeof(g);
	EQ(SYS_getsockopt, sv[0], SOL_SOCKET, SO_RCVBUF, P(&g), P(&len));
	V(g), V(len);
	len = sizeof(g);
	EQ(SYS_getsockopt, sv[0], SOL_SOCKET, SO_TYPE, P(&g), P(&len));
	V(g);
	/* timeval: compat, 64-bit time on x32 */
	EQ(SYS_setsockopt, sv[0], SOL_SOCKET, SO_RCVTIMEO, P(&tv), sizeof(tv));
	memset(&tg, 0, sizeof(tg));
	len = sizeof(tg);
	EQ(SYS_getsockopt, sv[0], SOL_SOCKET, SO_RCVTIMEO, P(&tg), P(&len));
	B(&tg, sizeof(tg));
	V(len);
	memset(&cred, 0, sizeof(cred));
	len = sizeof(cred);
	EQ(SYS_getsockopt, sv[0], SOL_SOCKET, SO_PEERCRED, P(&cred), P(&len));
	V(cred.pid), V(cred.uid), V(cred.gid);
	EQ(SYS_setsockopt, sv[0], SOL_SOCKET, SO_RCVBUF, P(&v), 2);
	EQ(SYS_setsockopt, sv[0], 9999, 1, P(&v), sizeof(v));
	EQ(SYS_getsockopt, sv[0], SOL_SOCKET, SO_RCVBUF, P(&g), P(BADPTR));
	EQ(SYS_setsockopt, S->dfd, SOL_SOCKET, SO_RCVBUF, P(&v), sizeof(v));
}

static void c_sendmsg_recvmsg(struct side *S)
{
	union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } ctl, rctl;
	struct iovec iov[2] = { { (void *)text, 4 }, { (void *)(text + 4), 6 } };
	char r1[3], r2[16];
	struct iovec riov[2] = { { r1, sizeof(r1) }, { r2, sizeof(r2) } };
	struct msghdr m = { .msg_iov = iov, .msg_iovlen = 2,
			    .msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf) };
	struct msghdr rm = { .msg_iov = riov, .msg_iovlen = 2,
			     .msg_control = rctl.buf, .msg_controllen = sizeof(rctl.buf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	struct stat st;
	int sv[2], fd;

	SU(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv));
	memset(ctl.buf, 0, sizeof(ctl.buf)), memset(&rctl, 0, sizeof(rctl));
	memset(r1, 0, sizeof(r1)), memset(r2, 0, sizeof(r2));
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &S->dfd, sizeof(int));
	EQ(SYS_sendmsg, sv[0], P(&m), MSG_NOSIGNAL);
	EQ(SYS_recvmsg, sv[1], P(&rm), MSG_CMSG_CLOEXEC);
	B(r1, sizeof(r1)), B(r2, sizeof(r2));
	V(rm.msg_flags), V(rm.msg_controllen);
	c = CMSG_FIRSTHDR(&rm);
	V(c != NULL);
	if (c) {
		V(c->cmsg_len), V(c->cmsg_level), V(c->cmsg_type);
		memcpy(&fd, CMSG_DATA(c), sizeof(fd));
		V(fstat(fd, &st) == 0 && S_ISDIR(st.st_mode));
		V(fcntl(fd, F_GETFD));
	}
	EQ(SYS_sendmsg, sv[0], P(&m), MSG_NOSIGNAL);
	rm.msg_controllen = 0;							/* MSG_CTRUNC */
	EQ(SYS_recvmsg, sv[1], P(&rm), 0);
	V(rm.msg_flags);
	EQ(SYS_recvmsg, sv[1], P(&rm), MSG_DONTWAIT);				/* EAGAIN */
	EQ(SYS_sendmsg, sv[0], P(BADPTR), 0);
	EQ(SYS_recvmsg, S->dfd, P(&rm), 0);
}

static void c_mmsg(struct side *S)
{
	char a[8], b[8], c[8];
	struct iovec siov[2] = { { (void *)text, 3 }, { (void *)(text + 10), 7 } };
	struct iovec riov[3] = { { a, sizeof(a) }, { b, sizeof(b) }, { c, sizeof(c) } };
	struct mmsghdr sm[2], rmm[3];
	int sv[2];

	SU(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv));
	memset(sm, 0, sizeof(sm)), memset(rmm, 0, sizeof(rmm));
	memset(a, 0, sizeof(a)), memset(b, 0, sizeof(b)), memset(c, 0, sizeof(c));
	for (int i = 0; i < 2; i++)
		sm[i].msg_hdr.msg_iov = &siov[i], sm[i].msg_hdr.msg_iovlen = 1;
	for (int i = 0; i < 3; i++)
		rmm[i].msg_hdr.msg_iov = &riov[i], rmm[i].msg_hdr.msg_iovlen = 1;
	EQ(SYS_sendmmsg, sv[0], P(sm), 2, 0);
	V(sm[0].msg_len), V(sm[1].msg_len);
	EQ(SYS_recvmmsg, sv[1], P(rmm), 3, MSG_DONTWAIT, 0);
	V(rmm[0].msg_len), V(rmm[1].msg_len), V(rmm[2].msg_len);
	B(a, sizeof(a)), B(b, sizeof(b));
	EQ(SYS_recvmmsg, sv[1], P(rmm), 3, MSG_DONTWAIT, 0);			/* EAGAIN */
	EQ(SYS_sendmmsg, sv[0], P(BADPTR), 1, 0);
}

/* ------------------------------------------------------------ poll, epoll */

static void c_poll(struct side *S)
{
	struct timespec zero = { 0, 0 }, bad = { 0, -1 };
	struct pollfd fds[3];
	fd_set r;
	int p[2];

	SU(pipe2(p, O_CLOEXEC));
	SU(write(p[1], "x", 1));
	fds[0] = (struct pollfd){ .fd = p[0], .events = POLLIN };
	fds[1] = (struct pollfd){ .fd = p[1], .events = POLLOUT };
	fds[2] = (struct pollfd){ .fd = -1, .events = POLLIN };
	EQ(SYS_ppoll, P(fds), 3, P(&zero), 0, 8);
	V(fds[0].revents), V(fds[1].revents), V(fds[2].revents);
	V(zero.tv_sec), V(zero.tv_nsec);
	fds[0].fd = 9999;
	EQ(SYS_ppoll, P(fds), 1, P(&zero), 0, 0);
	V(fds[0].revents);							/* POLLNVAL */
	EQ(SYS_ppoll, P(BADPTR), 1, P(&zero), 0, 8);
	EQ(SYS_ppoll, P(fds), 1, P(&bad), 0, 8);
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	EQ(SYS_pselect6, p[0] + 1, P(&r), 0, 0, P(&zero), 0);
	V(FD_ISSET(p[0], &r));
	EQ(SYS_pselect6, -1, 0, 0, 0, P(&zero), 0);
#ifdef SYS_poll
	fds[0].fd = p[0];
	EQ(SYS_poll, P(fds), 2, 0);
	V(fds[0].revents), V(fds[1].revents);
#endif
#ifdef SYS_select
	{
		struct timeval tz = { 0, 0 };

		FD_ZERO(&r);
		FD_SET(p[0], &r);
		EQ(SYS_select, p[0] + 1, P(&r), 0, 0, P(&tz));
		V(FD_ISSET(p[0], &r));
	}
#endif
}

static void c_epoll(struct side *S)
{
	struct epoll_event ev, out[4];
	struct timespec zero = { 0, 0 };
	int p[2], fd = mkfile(S, "f", NULL);
	int ep = OK(SYS_epoll_create1, EPOLL_CLOEXEC);

	SU(pipe2(p, O_CLOEXEC));
	SU(write(p[1], "x", 1));
	memset(&ev, 0, sizeof(ev)), memset(out, 0, sizeof(out));
	ev.events = EPOLLIN;
	ev.data.u64 = 0x1122334455667788ULL;
	EQ(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, p[0], P(&ev));
	EQ(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, p[0], P(&ev));			/* EEXIST */
	EQ(SYS_epoll_pwait, ep, P(out), 4, 0, 0, 8);
	B(out, sizeof(out));
	ev.events = EPOLLOUT;
	EQ(SYS_epoll_ctl, ep, EPOLL_CTL_MOD, p[1], P(&ev));			/* ENOENT */
	EQ(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, ep, P(&ev));
	EQ(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, fd, P(&ev));			/* EPERM */
	EQ(SYS_epoll_ctl, ep, 99, p[0], P(&ev));
	EQ(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, p[1], P(BADPTR));
#ifdef SYS_epoll_wait
	memset(out, 0, sizeof(out));
	EQ(SYS_epoll_wait, ep, P(out), 4, 0);
	B(out, sizeof(out));
#endif
#ifdef SYS_epoll_pwait2
	EQ(SYS_epoll_pwait2, ep, P(out), 4, P(&zero), 0, 8);
#endif
	EQ(SYS_epoll_ctl, ep, EPOLL_CTL_DEL, p[0], 0);
	EQ(SYS_epoll_ctl, ep, EPOLL_CTL_DEL, p[0], 0);
	EQ(SYS_epoll_pwait, ep, P(out), 4, 0, 0, 8);
	EQ(SYS_epoll_pwait, ep, P(out), 0, 0, 0, 8);
	EQ(SYS_epoll_pwait, fd, P(out), 4, 0, 0, 8);
	EQ(SYS_epoll_create1, 0x1234);
#ifdef SYS_epoll_create
	OK(SYS_epoll_create, 1);
	EQ(SYS_epoll_create, 0);
#endif
}

/* ------------------------------------------------------------ time */

static void c_clocks(struct side *S)
{
	static const int clocks[] = {
		CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME, CLOCK_MONOTONIC_RAW,
		CLOCK_REALTIME_COARSE, CLOCK_MONOTONIC_COARSE,
		CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID,
	};
	struct timespec ts;

	for (size_t i = 0; i < sizeof(clocks) / sizeof(clocks[0]); i++) {
		memset(&ts, 0, sizeof(ts));
		EQ(SYS_clock_gettime, clocks[i], P(&ts));
		VLE(ns_of(&ts));
		memset(&ts, 0, sizeof(ts));
		EQ(SYS_clock_getres, clocks[i], P(&ts));
		B(&ts, sizeof(ts));
	}
	EQ(SYS_clock_getres, CLOCK_MONOTONIC, 0);
	EQ(SYS_clock_gettime, 12345, P(&ts));
	EQ(SYS_clock_gettime, CLOCK_REALTIME, P(BADPTR));
	EQ(SYS_clock_getres, 12345, P(&ts));
}

static void c_sleep(struct side *S)
{
	struct timespec zero = { 0, 0 }, rem = { 7, 7 }, bad = { 0, 1000000000 };

	EQ(SYS_nanosleep, P(&zero), P(&rem));
	B(&rem, sizeof(rem));
	EQ(SYS_nanosleep, P(&bad), 0);
	EQ(SYS_nanosleep, P(BADPTR), 0);
	EQ(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, P(&zero), P(&rem));
	EQ(SYS_clock_nanosleep, CLOCK_REALTIME, TIMER_ABSTIME, P(&zero), 0);	/* in the past */
	EQ(SYS_clock_nanosleep, CLOCK_PROCESS_CPUTIME_ID, 0, P(&zero), 0);
	EQ(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, P(&bad), 0);
	EQ(SYS_clock_nanosleep, 12345, 0, P(&zero), 0);
}

/* the calling thread's CPU clock cannot be slept on (EOPNOTSUPP, EINVAL) */
static void c_sleep_thread_clock(struct side *S)
{
	struct timespec zero = { 0, 0 };

	EQ(SYS_clock_nanosleep, CLOCK_THREAD_CPUTIME_ID, 0, P(&zero), 0);
	EQ(SYS_clock_nanosleep, -2 /* this thread's CPUCLOCK_SCHED, by pid 0 */, 0, P(&zero), 0);
}

static void c_time_misc(struct side *S)
{
	struct tms t;
	struct itimerval it;
	struct timeval tv;

	memset(&t, 0, sizeof(t)), memset(&it, 0x55, sizeof(it));
	LE(SYS_times, P(&t));
	VLE(t.tms_utime + t.tms_stime);
	V(t.tms_cutime), V(t.tms_cstime);
	EQ(SYS_times, P(BADPTR));
	EQ(SYS_getitimer, ITIMER_REAL, P(&it));
	B(&it, sizeof(it));
	EQ(SYS_getitimer, 99, P(&it));
#ifdef SYS_gettimeofday
	EQ(SYS_gettimeofday, P(&tv), 0);
	VLE((int64_t)tv.tv_sec * 1000000 + tv.tv_usec);
#endif
#ifdef SYS_time
	LE(SYS_time, 0);
#endif
#ifdef SYS_alarm
	EQ(SYS_alarm, 0);
#endif
	(void)tv;
}

static void c_posix_timer(struct side *S)
{
	struct sigevent ev;
	struct itimerspec set = { { 0, 0 }, { 100, 0 } }, cur;
	int id = -1;

	memset(&ev, 0, sizeof(ev)), memset(&cur, 0, sizeof(cur));
	ev.sigev_notify = SIGEV_NONE;
	EQ(SYS_timer_create, CLOCK_MONOTONIC, P(&ev), P(&id));
	V(id >= 0);
	EQ(SYS_timer_settime, id, 0, P(&set), 0);
	EQ(SYS_timer_gettime, id, P(&cur));
	V(cur.it_value.tv_sec >= 90 && cur.it_value.tv_sec <= 100);
	EQ(SYS_timer_getoverrun, id);
	EQ(SYS_timer_delete, id);
	EQ(SYS_timer_delete, id);
	EQ(SYS_timer_create, 12345, P(&ev), P(&id));
	ev.sigev_notify = 99;
	EQ(SYS_timer_create, CLOCK_MONOTONIC, P(&ev), P(&id));
}

/* a timer on the thread CPU clock measures the thread that created it */
static void c_thread_cpu_timer(struct side *S)
{
	struct sigevent ev;
	struct itimerspec set = { { 0, 0 }, { 10, 0 } }, cur;
	int id = -1;

	memset(&ev, 0, sizeof(ev)), memset(&cur, 0, sizeof(cur));
	ev.sigev_notify = SIGEV_NONE;
	EQ(SYS_timer_create, CLOCK_THREAD_CPUTIME_ID, P(&ev), P(&id));
	EQ(SYS_timer_settime, id, 0, P(&set), 0);
	burn_cpu(30000000);
	EQ(SYS_timer_gettime, id, P(&cur));
	V(ns_of(&cur.it_value) <= 10000000000LL - 20000000);
	EQ(SYS_timer_delete, id);
}

/* ------------------------------------------------------------ identity, limits, scheduling */

static void c_ids(struct side *S)
{
	unsigned int r[3];
	gid_t g[64];
	long n;

	EQ(SYS_getpid);
	EQ(SYS_getppid);
	V(EQ(SYS_gettid) == gettid());
	EQ(SYS_getuid);
	EQ(SYS_geteuid);
	EQ(SYS_getgid);
	EQ(SYS_getegid);
	memset(r, 0, sizeof(r)), memset(g, 0, sizeof(g));
	EQ(SYS_getresuid, P(&r[0]), P(&r[1]), P(&r[2]));
	B(r, sizeof(r));
	EQ(SYS_getresgid, P(&r[0]), P(&r[1]), P(&r[2]));
	B(r, sizeof(r));
	EQ(SYS_getresuid, P(BADPTR), P(&r[1]), P(&r[2]));
	EQ(SYS_getgroups, 0, 0);
	n = EQ(SYS_getgroups, 64, P(g));
	B(g, n > 0 ? n * sizeof(gid_t) : 0);
	EQ(SYS_getgroups, -1, P(g));
	EQ(SYS_getpgid, 0);
	EQ(SYS_getpgid, getpid());
	EQ(SYS_getpgid, 0x3ffffff0);						/* ESRCH */
	EQ(SYS_getsid, 0);
	EQ(SYS_getsid, 0x3ffffff0);
#ifdef SYS_getpgrp
	EQ(SYS_getpgrp);
#endif
}

static void c_uname_sysinfo(struct side *S)
{
	struct utsname u;
	struct sysinfo si;

	memset(&u, 0, sizeof(u)), memset(&si, 0, sizeof(si));
	EQ(SYS_uname, P(&u));
	B(&u, sizeof(u));
	EQ(SYS_uname, P(BADPTR));
	EQ(SYS_sysinfo, P(&si));
	VLE(si.uptime);
	V(si.totalram), V(si.totalswap), V(si.totalhigh), V(si.mem_unit);
	EQ(SYS_sysinfo, P(BADPTR));
}

static void c_rlimit(struct side *S)
{
	struct rlimit rl, cur;

	memset(&rl, 0, sizeof(rl)), memset(&cur, 0, sizeof(cur));
	EQ(SYS_getrlimit, RLIMIT_NOFILE, P(&rl));
	B(&rl, sizeof(rl));
	EQ(SYS_prlimit64, 0, RLIMIT_STACK, 0, P(&rl));
	B(&rl, sizeof(rl));
	EQ(SYS_prlimit64, getpid(), RLIMIT_CORE, 0, P(&cur));
	B(&cur, sizeof(cur));
	EQ(SYS_prlimit64, 0, RLIMIT_CORE, P(&cur), P(&rl)); /* set it unchanged */
	B(&rl, sizeof(rl));
	EQ(SYS_setrlimit, RLIMIT_CORE, P(&cur));
	EQ(SYS_prlimit64, 0, 999, 0, P(&rl));
	EQ(SYS_getrlimit, 999, P(&rl));
	EQ(SYS_prlimit64, 0x3ffffff0, RLIMIT_CORE, 0, P(&rl));
}

/* This thread's nice value and setting it, by the trap (the readback and
 * the undo of a change a case made through its side's path). */
static int64_t trap_nice(void)
{
	return 20 - xsc_trap(SYS_getpriority, (const uint64_t[6]){ PRIO_PROCESS, 0 });
}

static void trap_set_nice(int64_t nice)
{
	xsc_trap(SYS_setpriority, (const uint64_t[6]){ PRIO_PROCESS, 0, (uint64_t)nice });
}

static void c_sched(struct side *S)
{
	cpu_set_t m;
	struct sched_param sp;
	struct sched_attr0 at;
	struct timespec ts;
	long n;

	memset(&m, 0, sizeof(m)), memset(&sp, 0x55, sizeof(sp)), memset(&at, 0, sizeof(at));
	n = EQ(SYS_sched_getaffinity, 0, sizeof(m), P(&m));
	B(&m, n > 0 ? (size_t)n : 0);
	EQ(SYS_sched_getaffinity, getpid(), sizeof(m), P(&m));
	EQ(SYS_sched_getaffinity, 0, 1, P(&m));
	EQ(SYS_sched_setaffinity, 0, n > 0 ? n : 0, P(&m));			/* unchanged */
	EQ(SYS_sched_getscheduler, 0);
	EQ(SYS_sched_getscheduler, -1);
	EQ(SYS_sched_getparam, 0, P(&sp));
	V(sp.sched_priority);
	EQ(SYS_sched_getattr, 0, P(&at), sizeof(at), 0);
	B(&at, sizeof(at));
	EQ(SYS_sched_getattr, 0, P(&at), 8, 0);
	EQ(SYS_sched_get_priority_max, SCHED_FIFO);
	EQ(SYS_sched_get_priority_min, SCHED_RR);
	EQ(SYS_sched_get_priority_max, 99);
	EQ(SYS_sched_rr_get_interval, 0, P(&ts));
	EQ(SYS_sched_rr_get_interval, -1, P(&ts));
	EQ(SYS_sched_yield);

	/*
	 * Pid 0 is rewritten to the submitter: set a different value through
	 * this side's path and read it back by the trap, which the rewrite
	 * must have changed (had it acted on the worker, the trap would read
	 * the old value). Each is put back by the trap.
	 */
	if (n > 0) {
		cpu_set_t one, back;
		int cpu = 0;

		while (cpu < CPU_SETSIZE - 1 && !CPU_ISSET(cpu, &m))
			cpu++;
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		V(CPU_COUNT(&m) > 1);		/* else the new mask is the old one */
		EQ(SYS_sched_setaffinity, 0, sizeof(one), P(&one));
		CPU_ZERO(&back);
		V(xsc_trap(SYS_sched_getaffinity, (const uint64_t[6]){ 0, sizeof(back), P(&back) }));
		V(CPU_EQUAL(&back, &one));
		xsc_trap(SYS_sched_setaffinity, (const uint64_t[6]){ 0, n, P(&m) });
	}
	sp.sched_priority = 0;
	EQ(SYS_sched_setscheduler, 0, SCHED_BATCH, P(&sp));
	V(xsc_trap(SYS_sched_getscheduler, (const uint64_t[6]){ 0 }));
	xsc_trap(SYS_sched_setscheduler, (const uint64_t[6]){ 0, SCHED_OTHER, P(&sp) });
	if (geteuid() == 0) {		/* putting a nice value back down needs CAP_SYS_NICE */
		int64_t nice = trap_nice();

		at = (struct sched_attr0){ .size = sizeof(at), .policy = SCHED_OTHER,
					   .nice = nice < 19 ? nice + 1 : nice - 1 };
		EQ(SYS_sched_setattr, 0, P(&at), 0);
		V(trap_nice());
		trap_set_nice(nice);
	}
}

static void c_priority(struct side *S)
{
	int64_t prio = EQ(SYS_getpriority, PRIO_PROCESS, 0), io;

	EQ(SYS_getpriority, PRIO_PROCESS, getpid());
	EQ(SYS_getpriority, PRIO_PGRP, 0);
	EQ(SYS_getpriority, PRIO_USER, 0);
	EQ(SYS_getpriority, 99, 0);
	EQ(SYS_setpriority, PRIO_PROCESS, 0, 20 - prio);			/* unchanged */
	io = EQ(SYS_ioprio_get, 1 /* IOPRIO_WHO_PROCESS */, 0);
	EQ(SYS_ioprio_get, 99, 0);

	/* who 0 is rewritten to the submitter: a change through this side's
	 * path, read back by the trap and put back (as in c_sched) */
	if (geteuid() == 0) {
		int64_t nice = trap_nice();

		EQ(SYS_setpriority, PRIO_PROCESS, 0, nice < 19 ? nice + 1 : nice - 1);
		V(trap_nice());
		trap_set_nice(nice);
	}
	/* IOPRIO_CLASS_BE level 5; these kernels have no CONFIG_BLOCK, so
	 * both sides get ENOSYS there */
	EQ(SYS_ioprio_set, 1, 0, (2 << 13) | 5);
	V(xsc_trap(SYS_ioprio_get, (const uint64_t[6]){ 1, 0 }));
	if (io >= 0)
		xsc_trap(SYS_ioprio_set, (const uint64_t[6]){ 1, 0, io });
}

static void c_umask(struct side *S)
{
	int64_t old = EQ(SYS_umask, 027);
	int fd;

	EQ(SYS_umask, 077);
	fd = OK(SYS_openat, S->dfd, P("f"), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	V(stat_of(S, fd).st_mode);
	EQ(SYS_mkdirat, S->dfd, P("d"), 0777);
	EQ(SYS_umask, old);
}

static void c_rusage(struct side *S)
{
	struct rusage ru;

	memset(&ru, 0, sizeof(ru));
	EQ(SYS_getrusage, RUSAGE_SELF, P(&ru));
	VLE(ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec +
	    ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec);
	VLE(ru.ru_maxrss), VLE(ru.ru_minflt), VLE(ru.ru_nvcsw + ru.ru_nivcsw);
	memset(&ru, 0x55, sizeof(ru));
	EQ(SYS_getrusage, RUSAGE_CHILDREN, P(&ru));
	B(&ru, sizeof(ru));
	EQ(SYS_getrusage, 99, P(&ru));
	EQ(SYS_getrusage, RUSAGE_SELF, P(BADPTR));
}

/* ------------------------------------------------------------ signals, processes, misc */

static void c_sigaction(struct side *S)
{
	struct ksigaction act = {
		.handler = on_signal, .flags = SA_RESTART, .mask = { 1u << (SIGINT - 1) },
	};
	struct ksigaction old1, old2;

	memset(&old1, 0x55, sizeof(old1)), memset(&old2, 0x55, sizeof(old2));
	EQ(SYS_rt_sigaction, SIGUSR1, P(&act), P(&old1), 8);
	EQ(SYS_rt_sigaction, SIGUSR1, P(&old1), P(&old2), 8);			/* restore */
	B(&old1, sizeof(old1)), B(&old2, sizeof(old2));
	EQ(SYS_rt_sigaction, SIGKILL, P(&act), 0, 8);
	EQ(SYS_rt_sigaction, SIGUSR1, 0, P(&old1), 4);
	EQ(SYS_rt_sigaction, 0, 0, P(&old1), 8);
	EQ(SYS_rt_sigaction, 65, 0, P(&old1), 8);
	EQ(SYS_rt_sigaction, SIGUSR1, P(BADPTR), 0, 8);
}

static void c_kill(struct side *S)
{
	EQ(SYS_kill, getpid(), 0);
	EQ(SYS_kill, 0x3ffffff0, 0);
	EQ(SYS_kill, getpid(), 999);
	EQ(SYS_tgkill, getpid(), gettid(), 0);
	EQ(SYS_tgkill, getpid(), 0x3ffffff0, 0);
	EQ(SYS_tgkill, getpid(), gettid(), 999);
	EQ(SYS_tgkill, 0, gettid(), 0);
}

static void c_process(struct side *S)
{
	siginfo_t si;
	int pidfd;

	memset(&si, 0, sizeof(si));
	pidfd = OK(SYS_pidfd_open, getpid(), 0);
	EQ(SYS_pidfd_send_signal, pidfd, 0, 0, 0);
	EQ(SYS_pidfd_open, getpid(), 0x1234);
	EQ(SYS_pidfd_open, 0x3ffffff0, 0);
	EQ(SYS_waitid, P_ALL, 0, P(&si), WEXITED | WNOHANG, 0);			/* ECHILD */
	EQ(SYS_waitid, 99, 0, P(&si), WEXITED, 0);
	EQ(SYS_wait4, -1, 0, WNOHANG, 0);
	EQ(SYS_wait4, -1, 0, 0x12345678, 0);
}

static void c_misc(struct side *S)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	char buf[16];

	memset(d, 0, sizeof(d));
	EQ(SYS_capget, P(&h), P(d));
	B(d, sizeof(d));
	h.version = 0;
	EQ(SYS_capget, P(&h), P(d)); /* EINVAL, version written back */
	V(h.version);
	EQ(SYS_getrandom, P(buf), sizeof(buf), GRND_NONBLOCK);
	EQ(SYS_getrandom, P(buf), sizeof(buf), 0x100);
	EQ(SYS_getrandom, P(BADPTR), sizeof(buf), 0);
}

static void c_unknown(struct side *S)
{
	EQ(NR_UNKNOWN);
	EQ(4000, 1, 2, 3);
#if defined(__x86_64__) && defined(__ILP32__)
	EQ(__X32_SYSCALL_BIT | NR_UNKNOWN);
#elif defined(__x86_64__)
	EQ(0x40000000 | SYS_getpid);						/* an x32 call */
#endif
}

#ifdef SYS_open
/* the calls aarch64 only has as *at variants */
static void c_legacy(struct side *S)
{
	struct stat st;
	struct timeval tv[2] = { { 1000, 1 }, { 2000, 2 } };
	char buf[16];

	SU(fchdir(S->dfd));
	SU(close(mkfile(S, "f", text)));
	memset(&st, 0, sizeof(st)), memset(buf, 0, sizeof(buf));
	OK(SYS_open, P("f"), O_RDONLY | O_CLOEXEC);
	EQ(SYS_open, P("missing"), O_RDONLY);
	OK(SYS_creat, P("c"), 0600);
	EQ(SYS_stat, P(shared_path), P(&st));
	B(&st, sizeof(st));
	EQ(SYS_lstat, P("f"), P(&st));
	V(st.st_mode), V(st.st_size);
	EQ(SYS_access, P("f"), R_OK);
	EQ(SYS_access, P("missing"), R_OK);
	EQ(SYS_chmod, P("f"), 0600);
	EQ(SYS_chown, P("f"), 0, 0);
	EQ(SYS_lchown, P("f"), 0, 0);
	EQ(SYS_utimes, P("f"), P(tv));
	EQ(SYS_rename, P("c"), P("c2"));
	EQ(SYS_mkdir, P("d"), 0700);
	EQ(SYS_rmdir, P("d"));
	EQ(SYS_rmdir, P("f"));
	EQ(SYS_link, P("f"), P("l"));
	EQ(SYS_symlink, P("f"), P("s"));
	EQ(SYS_readlink, P("s"), P(buf), sizeof(buf));
	B(buf, sizeof(buf));
	EQ(SYS_unlink, P("l"));
	EQ(SYS_unlink, P("l"));
	OK(SYS_inotify_init);
	SU(fchdir(cwd_fd));
}
#endif

/* ------------------------------------------------------------ the harness */

struct kase {
	const char *name;
	void (*fn)(struct side *);
};

#define K(name)	{ #name, c_##name }

static const struct kase cases[] = {
	K(openat_close), K(read_write_lseek), K(pread_pwrite), K(readv_writev),
	K(preadv2_pwritev2), K(stat), K(truncate), K(sync), K(fcntl), K(dup), K(access),
	K(chmod_chown), K(utimensat), K(rename), K(mkdir_unlink), K(link_symlink),
	K(getdents64), K(cwd), K(statfs), K(fallocate), K(flock), K(sendfile_copy),
	K(splice_tee), K(fd_misc), K(inotify), K(xattr),
	K(mmap), K(mmap_file), K(brk), K(mm_misc),
	K(pipe), K(eventfd), K(timerfd), K(signalfd), K(futex),
	K(socketpair), K(listen_connect), K(sockopt), K(sendmsg_recvmsg), K(mmsg),
	K(poll), K(epoll),
	K(clocks), K(sleep), K(sleep_thread_clock), K(time_misc), K(posix_timer),
	K(thread_cpu_timer),
	K(ids), K(uname_sysinfo), K(rlimit), K(sched), K(priority), K(umask), K(rusage),
	K(sigaction), K(kill), K(process), K(misc), K(unknown),
#ifdef SYS_open
	K(legacy),
#endif
};

static int lowfd, verbose;

static void side_run(const struct kase *k, int idx, struct side *S, int via_ring)
{
	memset(S, 0, sizeof(*S));
	S->ring = via_ring;
	snprintf(S->dir, sizeof(S->dir), "%s/%03d.%s", base, idx, via_ring ? "ring" : "trap");
	S->dfd = -1;
	if (mkdir(S->dir, 0755) == 0)
		S->dfd = open(S->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (S->dfd < 0)
		S->bad = "case directory";
	else
		k->fn(S);
	/* the next side starts with the same descriptors */
	for (int fd = lowfd; fd < 1024; fd++)
		close(fd);
}

static void show(char *out, size_t n, const struct side *S, const struct rec *r)
{
	if (r->kind != BYTES) {
		snprintf(out, n, "%lld", (long long)r->v);
		return;
	}
	out[0] = 0;
	for (uint32_t i = 0; i < r->len && i < 24 && strlen(out) + 3 < n; i++)
		snprintf(out + strlen(out), n - strlen(out), "%02x", S->bytes[r->v + i]);
}

static int same(const struct side *R, const struct side *T, int i)
{
	const struct rec *r = &R->rec[i], *t = &T->rec[i];

	if (r->kind != t->kind || r->line != t->line)
		return 0;
	if (r->kind == BYTES)
		return r->len == t->len && !memcmp(R->bytes + r->v, T->bytes + t->v, r->len);
	if (r->kind == RISE && !is_err(r->v) && !is_err(t->v))
		return r->v <= t->v;
	return r->v == t->v;
}

static void run_case(const struct kase *k, int idx)
{
	static struct side R, T;
	char a[64], b[64];
	int i;

	side_run(k, idx, &R, 1);
	side_run(k, idx, &T, 0);
	if (R.bad || T.bad || R.overflow || T.overflow) {
		xt_check(0, "%s: setup failed: %s", k->name,
			 R.bad ? R.bad : T.bad ? T.bad : "record overflow");
		return;
	}
	for (i = 0; verbose && i < R.n && i < T.n; i++) {
		show(a, sizeof(a), &R, &R.rec[i]);
		show(b, sizeof(b), &T, &T.rec[i]);
		xt_note("%s line %d: ring %s, trap %s", k->name, R.rec[i].line, a, b);
	}
	for (i = 0; i < R.n && i < T.n && same(&R, &T, i); i++)
		;
	if (i == R.n && i == T.n) {
		xt_check(1, "%s: ring and trap agree on %d results", k->name, R.n);
		return;
	}
	if (i == R.n || i == T.n) {
		xt_check(0, "%s: ring recorded %d results, trap %d", k->name, R.n, T.n);
		return;
	}
	show(a, sizeof(a), &R, &R.rec[i]);
	show(b, sizeof(b), &T, &T.rec[i]);
	xt_check(0, "%s: line %d: ring %s, trap %s%s", k->name, R.rec[i].line, a, b,
		 R.rec[i].kind == RISE ? " (ring must not exceed trap)" : "");
}

/* The thread CPU clock read through the ring is the submitter's: it falls
 * between two trap readings taken just before and after. */
static void thread_clock_order(void)
{
	static const int clocks[] = { CLOCK_THREAD_CPUTIME_ID, -2 /* CPUCLOCK_SCHED of pid 0 */ };

	for (size_t i = 0; i < sizeof(clocks) / sizeof(clocks[0]); i++) {
		struct timespec t[3];
		int64_t ret[3];

		for (int j = 0; j < 3; j++) {
			uint64_t a[6] = { (uint64_t)(int64_t)clocks[i], P(&t[j]) };

			ret[j] = call(j == 1, SYS_clock_gettime, a);
		}
		xt_check(!ret[0] && !ret[1] && !ret[2] && ns_of(&t[0]) <= ns_of(&t[1]) &&
			 ns_of(&t[1]) <= ns_of(&t[2]),
			 "clock %d through the ring reads the submitting thread's CPU time",
			 clocks[i]);
	}
}

/* Calls that act on the calling thread come back as TRAP/POLICY, unexecuted
 * (arguments harmless anyway); an entry with unknown flags is INVALID. */
static int raw_entries(void)
{
	static uint32_t tid_word;
	static char name[16];
	static uint64_t mask;
	static stack_t ss;
	static unsigned int cpu, node;
#ifdef SYS_arch_prctl
	static unsigned long fsbase;
#endif
	const struct { const char *name; long nr; uint64_t a[6]; } must[] = {
		{ "rt_sigprocmask", SYS_rt_sigprocmask, { SIG_BLOCK, 0, P(&mask), 8 } },
		{ "sigaltstack", SYS_sigaltstack, { 0, P(&ss) } },
		{ "set_tid_address", SYS_set_tid_address, { P(&tid_word) } },
		{ "prctl", SYS_prctl, { PR_GET_NAME, P(name) } },
		{ "rseq", SYS_rseq, { 0, 0, 0, 0 } },
		{ "getcpu", SYS_getcpu, { P(&cpu), P(&node), 0 } },
#ifdef SYS_arch_prctl
		{ "arch_prctl", SYS_arch_prctl, { ARCH_GET_FS, P(&fsbase) } },
#endif
	};
	const int n = sizeof(must) / sizeof(must[0]);
	struct xsc_cqe got[16];
	int seen_ud[16] = { 0 }, err = 0, i;
	uint64_t none[6] = { 0 };

	for (i = 0; i <= n; i++) {
		struct xsc_sqe *sqe = xsc_get_sqe(&ring);

		if (!sqe) {
			xt_check(0, "raw entries: the submission queue is full");
			return 0;
		}
		if (i < n) {
			xsc_prep(sqe, must[i].nr, must[i].a, i + 1);
		} else {
			xsc_prep(sqe, SYS_getpid, none, i + 1);
			sqe->flags = 1;
		}
	}
	err = xsc_submit(&ring);
	xt_check(err == n + 1, "raw entries: %d published (%d expected)", err, n + 1);
	for (i = 0; i <= n; i++) {
		struct xsc_cqe *cqe = xsc_wait_cqe(&ring, 1000, &err);

		if (!cqe) {
			xt_check(0, "raw entries: completion %d missing: %s", i, strerror(-err));
			return 0;
		}
		if (cqe->user_data >= 1 && cqe->user_data <= (uint64_t)n + 1) {
			got[cqe->user_data - 1] = *cqe;
			seen_ud[cqe->user_data - 1]++;
		}
		xsc_cqe_seen(&ring);
	}
	for (i = 0; i < n; i++)
		xt_check(seen_ud[i] == 1 && got[i].status == XSC_STATUS_TRAP &&
			 got[i].reason == XSC_REASON_POLICY,
			 "%s as a raw entry: status TRAP, reason POLICY (got %u/%u)", must[i].name,
			 seen_ud[i] ? got[i].status : 99, seen_ud[i] ? got[i].reason : 99);
	xt_check(seen_ud[n] == 1 && got[n].status == XSC_STATUS_INVALID &&
		 got[n].reason == XSC_REASON_FLAGS && got[n].result == -EINVAL,
		 "an entry with flags=1: status INVALID, -EINVAL (got %u/%u, %lld)",
		 seen_ud[n] ? got[n].status : 99, seen_ud[n] ? got[n].reason : 99,
		 seen_ud[n] ? (long long)got[n].result : 0);
	return n;
}

static int rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st, (void)type, (void)ftw;
	remove(path);
	return 0;
}

static void mount_tmp(void)
{
	const char *env = getenv("XSC_CATALOG_MOUNT_TMP");

	if (getpid() != 1 && !(env && !strcmp(env, "1")))
		return;
	mkdir("/tmp", 01777);
	if (mount("tmpfs", "/tmp", "tmpfs", 0, "mode=1777") < 0 && errno != EBUSY)
		xt_note("mount tmpfs on /tmp: %s", strerror(errno));
}

static int start(void)
{
	const char *env = getenv("XSC_CATALOG_TRAP_ONLY");
	sigset_t usr2;
	int fd, e;

	trap_only = env && !strcmp(env, "1");
	verbose = getenv("XSC_CATALOG_VERBOSE") != NULL;
	if (!trap_only) {
		if (access("/dev/xsc", F_OK) < 0)
			xt_skip_all("no /dev/xsc");
		e = xsc_ring_init(&ring, 64, 0);
		if (e < 0) {
			xt_check(0, "xsc_ring_init: %s", strerror(-e));
			return -1;
		}
	} else {
		xt_note("trap only: the ring side uses the trap too");
	}
	mount_tmp();
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	sigprocmask(SIG_BLOCK, &usr2, NULL);
	pg = sysconf(_SC_PAGESIZE);
	if (!mkdtemp(base)) {
		xt_check(0, "mkdtemp %s: %s", base, strerror(errno));
		return -1;
	}
	snprintf(shared_path, sizeof(shared_path), "%s/shared", base);
	fd = open(shared_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, text, sizeof(text)) != sizeof(text)) {
		xt_check(0, "create %s: %s", shared_path, strerror(errno));
		return -1;
	}
	shared_fd = fd;
	cwd_fd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cwd_fd < 0) {
		xt_check(0, "open the working directory: %s", strerror(errno));
		return -1;
	}
	lowfd = cwd_fd + 1;
	return 0;
}

int main(void)
{
	long long calls0 = -1, policy0 = -1, flags0 = -1;
	int ncases = sizeof(cases) / sizeof(cases[0]), must = 0, distinct = 0;

	/* a blocking getrandom() seeds the CRNG now, so a later one cannot
	 * change what GRND_NONBLOCK answers between the two sides */
	char seed;
	if (syscall(SYS_getrandom, &seed, 1, 0) != 1)
		xt_note("getrandom: %s", strerror(errno));
	if (start() < 0)
		return xt_done();
	if (!trap_only) {
		calls0 = xt_counter("ring_calls");
		policy0 = xt_counter("trap_policy");
		flags0 = xt_counter("invalid_flags");
	}

	for (int i = 0; i < ncases; i++)
		run_case(&cases[i], i);
	thread_clock_order();

	for (int i = 0; i < (int)sizeof(seen); i++)
		distinct += seen[i];
	xt_note("catalog: %d distinct syscalls compared", distinct);
	xt_check(distinct >= 80, "at least 80 distinct syscalls compared (%d)", distinct);

	if (trap_only) {
		xt_note("trap only: raw entries and /proc/self/xsc not checked");
	} else {
		must = raw_entries();
		if (!(ring.features & XSC_FEAT_COUNTERS)) {
			xt_note("the kernel reports no XSC_FEAT_COUNTERS: counters not checked");
		} else {
			long long calls = xt_counter("ring_calls") - calls0;
			long long policy = xt_counter("trap_policy") - policy0;
			long long flags = xt_counter("invalid_flags") - flags0;

			xt_check(calls0 >= 0 && calls >= ring_calls,
				 "ring_calls grew by %lld (>= %lld)", calls, ring_calls);
			xt_check(policy0 >= 0 && policy == must + ring_trapped,
				 "trap_policy grew by %lld (%d must-trap entries, %lld catalog calls)",
				 policy, must, ring_trapped);
			xt_check(flags0 >= 0 && flags == 1,
				 "invalid_flags grew by %lld (1 flags=1 entry)", flags);
		}
		xsc_ring_exit(&ring);
	}

	if (fchdir(cwd_fd) < 0)
		xt_note("fchdir back: %s", strerror(errno));
	nftw(base, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return xt_done();
}
