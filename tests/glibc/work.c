/*
 * Ordinary programs, which know nothing of XSC, for the XSC glibc tests
 * (tests/glibc/suite.c runs them). Built with a cell's emitted toolchain
 * against the cell's XSC glibc; each case exits 0 when it behaved as on
 * any Linux, and prints what it did.
 *
 *   work CASE      CASE: hello threads fork-exec spawn signals cancel stdio libcalls setxid
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define FAIL(...) do { fprintf(stderr, "work: " __VA_ARGS__); fputc('\n', stderr); exit(1); } while (0)

static const char *self_path;

static int hello(void)
{
	printf("hello, world\n");
	return 0;
}

static void *thread_main(void *arg)
{
	int fd = open("/dev/null", O_WRONLY);
	long n = (long)arg;

	if (fd < 0)
		return (void *)-1L;
	for (int i = 0; i < 20; i++)
		if (write(fd, "x", 1) != 1)
			n = -1;
	close(fd);
	return (void *)n;
}

/* threads created and joined in a loop */
static int threads(void)
{
	for (int round = 0; round < 10; round++) {
		pthread_t t[4];
		for (long i = 0; i < 4; i++)
			if (pthread_create(&t[i], NULL, thread_main, (void *)i))
				FAIL("pthread_create: round %d", round);
		for (long i = 0; i < 4; i++) {
			void *ret;
			if (pthread_join(t[i], &ret) || ret != (void *)i)
				FAIL("thread %ld of round %d returned %p", i, round, ret);
		}
	}
	printf("40 threads created, each wrote 20 bytes, joined\n");
	return 0;
}

static int wait_ok(pid_t pid, const char *what)
{
	int st;

	if (waitpid(pid, &st, 0) != pid)
		FAIL("%s: waitpid: %s", what, strerror(errno));
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		FAIL("%s: child status %#x", what, st);
	return 0;
}

/* fork (the child works, with a ring of its own) and fork + exec */
static int fork_exec(void)
{
	int p[2];
	char buf[16] = "";
	pid_t pid;

	if (pipe(p))
		FAIL("pipe");
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		_exit(write(p[1], "child", 5) == 5 && getppid() > 0 ? 0 : 1);
	}
	close(p[1]);
	if (read(p[0], buf, sizeof(buf) - 1) != 5 || strcmp(buf, "child"))
		FAIL("fork: read '%s' from the child", buf);
	close(p[0]);
	wait_ok(pid, "fork");
	pid = fork();
	if (pid == 0) {
		execl(self_path, self_path, "hello", (char *)NULL);
		_exit(127);
	}
	wait_ok(pid, "fork+exec");
	printf("fork child wrote to its parent; fork+exec ran hello\n");
	return 0;
}

/* posix_spawn, with a file action the child makes before exec, and vfork */
static int spawn(void)
{
	posix_spawn_file_actions_t fa;
	char *argv[] = { (char *)self_path, "hello", NULL };
	pid_t pid;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	if (posix_spawn(&pid, self_path, &fa, NULL, argv, environ))
		FAIL("posix_spawn: %s", strerror(errno));
	posix_spawn_file_actions_destroy(&fa);
	wait_ok(pid, "posix_spawn");
	/* the spawn child's dup2 of /dev/null onto 1 must not be the parent's */
	if (write(1, "", 0) != 0 || fcntl(1, F_GETFD) < 0)
		FAIL("stdout after posix_spawn");
	pid = vfork();
	if (pid == 0) {
		execv(self_path, argv);
		_exit(127);
	}
	wait_ok(pid, "vfork+exec");
	printf("posix_spawn and vfork ran hello; the parent's stdout is its own\n");
	return 0;
}

static volatile sig_atomic_t alarms;
static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

/* a blocking read interrupted by a handled signal: EINTR without
 * SA_RESTART; restarted with it (the data comes after the signal) */
static int signals(void)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	int p[2];
	char c;
	pid_t pid;

	if (pipe(p))
		FAIL("pipe");
	sigaction(SIGALRM, &sa, NULL);
	alarm(1);
	errno = 0;
	if (read(p[0], &c, 1) != -1 || errno != EINTR || alarms != 1)
		FAIL("read without SA_RESTART: errno %d, %d alarms", errno, (int)alarms);

	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	pid = fork();
	if (pid == 0) {
		sleep(2);			/* after the parent's alarm */
		_exit(write(p[1], "r", 1) == 1 ? 0 : 1);
	}
	alarm(1);
	if (read(p[0], &c, 1) != 1 || c != 'r' || alarms != 2)
		FAIL("read with SA_RESTART: got '%c', %d alarms", c, (int)alarms);
	wait_ok(pid, "writer");
	printf("EINTR without SA_RESTART, restarted with it, %d handlers run\n", (int)alarms);
	return 0;
}

static int cancel_pipe[2];
static volatile int cleaned;
static void cleanup(void *arg)
{
	(void)arg;
	cleaned = 1;
}

static void *blocked_reader(void *arg)
{
	char c;

	(void)arg;
	pthread_cleanup_push(cleanup, NULL);
	if (read(cancel_pipe[0], &c, 1) >= 0)	/* blocks: nobody writes */
		c = 0;
	pthread_cleanup_pop(0);
	return NULL;
}

/* pthread_cancel of a thread blocked in read() */
static int cancel(void)
{
	pthread_t t;
	void *ret;

	if (pipe(cancel_pipe))
		FAIL("pipe");
	for (int i = 0; i < 3; i++) {
		cleaned = 0;
		if (pthread_create(&t, NULL, blocked_reader, NULL))
			FAIL("pthread_create");
		usleep(200000);			/* let it block */
		if (pthread_cancel(t) || pthread_join(t, &ret) || ret != PTHREAD_CANCELED || !cleaned)
			FAIL("cancel %d: returned %p, cleanup %d", i, ret, cleaned);
	}
	/* the process goes on making calls after its threads' rings closed */
	if (write(cancel_pipe[1], "z", 1) != 1)
		FAIL("write after cancel");
	printf("3 threads cancelled in a blocking read, cleanup handlers ran\n");
	return 0;
}

/* stdio and file work */
static int stdio(void)
{
	const char *path = "/tmp/xsc-glibc-stdio";
	char line[64];
	FILE *f = fopen(path, "w");
	long sum = 0;

	if (!f)
		FAIL("fopen w: %s", strerror(errno));
	for (int i = 0; i < 1000; i++)
		fprintf(f, "%d\n", i);
	if (fclose(f))
		FAIL("fclose");
	f = fopen(path, "r");
	if (!f)
		FAIL("fopen r");
	while (fgets(line, sizeof(line), f))
		sum += atol(line);
	fclose(f);
	if (sum != 999 * 1000 / 2 || unlink(path))
		FAIL("read back sum %ld", sum);
	printf("wrote, read back and removed 1000 lines\n");
	return 0;
}

/* no system calls of its own: glibc's getaddrinfo (/etc/hosts), iconv,
 * printf of a large buffer */
static int libcalls(void)
{
	struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM }, *ai;
	char in[] = "gr\xc3\xbc\xc3\x9f", out[32], *ip = in, *op = out;
	size_t il = strlen(in), ol = sizeof(out);
	iconv_t cd;
	char *big;
	int r;

	r = getaddrinfo("xsc-test-host", "80", &hints, &ai);
	if (r)
		FAIL("getaddrinfo: %s", gai_strerror(r));
	freeaddrinfo(ai);
	/* a conversion built into libc: no gconv modules in the guest */
	cd = iconv_open("UCS-4LE", "UTF-8");
	if (cd == (iconv_t)-1 || iconv(cd, &ip, &il, &op, &ol) == (size_t)-1 || op - out != 16)
		FAIL("iconv: %s", strerror(errno));
	iconv_close(cd);
	big = malloc(1 << 20);
	if (!big)
		FAIL("malloc");
	memset(big, 'y', (1 << 20) - 1);
	big[(1 << 20) - 1] = 0;
	r = printf("%s\n", big);
	free(big);
	if (r != 1 << 20)
		FAIL("printf of 1 MiB returned %d", r);
	printf("getaddrinfo found xsc-test-host, iconv made UCS-4, printf wrote 1 MiB\n");
	return 0;
}

static pthread_barrier_t setxid_barrier;

static void *setxid_thread(void *arg)
{
	int fd;

	(void)arg;
	/* a ring of this thread's own, set up while it is root */
	fd = open("/tmp/xsc-glibc-root-only", O_RDONLY);
	if (fd < 0)
		return (void *)1L;
	close(fd);
	pthread_barrier_wait(&setxid_barrier);	/* main drops privileges */
	pthread_barrier_wait(&setxid_barrier);
	/* the same ring's worker must not act as root any more */
	if (geteuid() != 65534 || getuid() != 65534)
		return (void *)2L;
	for (int i = 0; i < 10; i++) {
		fd = open("/tmp/xsc-glibc-root-only", O_RDONLY);
		if (fd >= 0 || errno != EACCES)
			return (void *)3L;
	}
	return NULL;
}

/* setresuid in one thread changes every thread (glibc's SIGSETXID): no
 * thread's ring may still open files as root afterwards */
static int setxid(void)
{
	pthread_t t[3];
	void *ret;
	int fd = open("/tmp/xsc-glibc-root-only", O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (geteuid() != 0)
		FAIL("setxid: needs root (euid %d)", (int)geteuid());
	if (fd < 0)
		FAIL("setxid: create: %s", strerror(errno));
	close(fd);
	pthread_barrier_init(&setxid_barrier, NULL, 4);
	for (int i = 0; i < 3; i++)
		if (pthread_create(&t[i], NULL, setxid_thread, NULL))
			FAIL("pthread_create");
	pthread_barrier_wait(&setxid_barrier);
	if (setresuid(65534, 65534, 65534))
		FAIL("setresuid: %s", strerror(errno));
	pthread_barrier_wait(&setxid_barrier);
	for (int i = 0; i < 3; i++)
		if (pthread_join(t[i], &ret) || ret)
			FAIL("setxid thread %d: check %ld failed", i, (long)ret);
	fd = open("/tmp/xsc-glibc-root-only", O_RDONLY);
	if (fd >= 0 || errno != EACCES)
		FAIL("setxid: main thread still opens a root-only file");
	printf("after setresuid in one thread, 4 threads act as 65534\n");
	return 0;
}

int main(int argc, char **argv)
{
	static const struct { const char *name; int (*fn)(void); } cases[] = {
		{ "hello", hello }, { "threads", threads }, { "fork-exec", fork_exec },
		{ "spawn", spawn }, { "signals", signals }, { "cancel", cancel },
		{ "stdio", stdio }, { "libcalls", libcalls }, { "setxid", setxid },
	};

	self_path = argv[0];
	if (argc == 2)
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
			if (!strcmp(argv[1], cases[i].name))
				return cases[i].fn();
	fprintf(stderr, "usage: work CASE (hello threads fork-exec spawn signals cancel stdio libcalls setxid)\n");
	return 2;
}
