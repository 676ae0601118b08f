/*
 * init for the boot tests: checks that the booted cell is the one the matrix
 * promises and leaves QEMU with status 33 (every check passed) or 35.
 *
 * Expectations arrive on the kernel command line; the kernel passes unknown
 * name=value words to init as environment variables:
 *   xsc_cell      cell name, echoed in the report
 *   xsc_abi       x86_64, x32 or aarch64: the ABI this binary must be
 *   xsc_release   the kernel release the build produced
 *   xsc_features  comma-separated /proc/cpuinfo features the cell promises
 *   xsc_run       a test program in the initramfs to run after the boot
 *                 checks; its TAP lines are relayed as checks of their own
 *   xsc_run_env   NAME=VALUE put into that program's environment (only
 *                 its: e.g. GLIBC_TUNABLES for a program with rings of its
 *                 own, tests/boot/meson.build)
 *
 * Output on the console, one line each, read by tests/boot/run-qemu.py in
 * the protocol of boot_protocol.h: a line per check, the count of checks,
 * notes, and a JSON report of what was observed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "boot_arch.h"
#include "boot_protocol.h"

static int checks, failures;

static void check(int ok, const char *fmt, ...)
{
	va_list ap;

	checks++;
	if (!ok)
		failures++;
	printf(BOOT_CHECK_PREFIX "%s ", ok ? "ok" : "not ok");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/*
 * Run @path with its stdout on a pipe and relay its TAP lines: "ok ..." and
 * "not ok ..." become checks, "1..0 # SKIP why" a skipped check, anything
 * else a note. Its exit status is a check too (77 means skipped).
 */
static void run_test(const char *path)
{
	const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	char line[1024];
	int fds[2], status;
	pid_t pid;
	FILE *out;

	if (pipe(fds)) {
		check(0, "%s: pipe: %s", name, strerror(errno));
		return;
	}
	pid = fork();
	if (pid == 0) {
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		close(fds[0]);
		close(fds[1]);
		if (getenv("xsc_run_env") && putenv(getenv("xsc_run_env"))) {
			printf("not ok 1 - xsc_run_env: %s\n", strerror(errno));
			_exit(1);
		}
		execl(path, path, (char *)NULL);
		printf("not ok 1 - exec %s: %s\n", path, strerror(errno));
		_exit(1);
	}
	close(fds[1]);
	out = fdopen(fds[0], "r");
	while (out && fgets(line, sizeof(line), out)) {
		char *desc;

		line[strcspn(line, "\n")] = 0;
		if (!strncmp(line, "ok ", 3) || !strncmp(line, "not ok ", 7)) {
			int ok = line[0] == 'o';

			desc = strstr(line, " - ");
			desc = desc ? desc + 3 : line + (ok ? 3 : 7);
			checks++;
			failures += !ok;
			printf(BOOT_CHECK_PREFIX "%s %s: %s\n", ok ? "ok" : "not ok", name, desc);
		} else if (!strncmp(line, "1..0 # SKIP", 11)) {
			checks++;
			printf(BOOT_CHECK_PREFIX "ok %s # SKIP%s\n", name, line + 11);
		} else if (strncmp(line, "1..", 3)) {
			printf(BOOT_NOTE_PREFIX "%s\n", line);
		}
		fflush(stdout);
	}
	if (out)
		fclose(out);
	if (pid < 0 || waitpid(pid, &status, 0) < 0) {
		check(0, "%s: could not run: %s", name, strerror(errno));
		return;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 77)
		return;
	check(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s exited with %s %d", name,
	      WIFEXITED(status) ? "status" : "signal",
	      WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
}

static const char *env_or(const char *name, const char *dflt)
{
	const char *v = getenv(name);
	return v ? v : dflt;
}

/* The feature list of the first cpuinfo line named `key`, or "" */
static char *cpu_features(const char *key)
{
	static char line[4096];
	size_t klen = strlen(key);
	FILE *f = fopen("/proc/cpuinfo", "r");

	if (!f)
		return "";
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');
		if (strncmp(line, key, klen) == 0 && colon &&
		    strspn(line + klen, " \t") == (size_t)(colon - line - klen)) {
			fclose(f);
			line[strcspn(line, "\n")] = 0;
			return colon + 1;
		}
	}
	fclose(f);
	return "";
}

static int has_word(const char *list, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = list; (p = strstr(p, word)); p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == 0))
			return 1;
	return 0;
}

/* First kernel log line that reports a bug, or NULL. */
static const char *kernel_log_problem(void)
{
	static const char *const markers[] = { BOOT_BUG_MARKERS };
	static char buf[1 << 17];
	int n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, sizeof(buf) - 1);

	if (n < 0)
		return "klogctl failed";
	buf[n] = 0;
	for (size_t i = 0; i < sizeof(markers) / sizeof(markers[0]); i++) {
		char *p = strstr(buf, markers[i]);
		if (p) {
			char *start = p;
			while (start > buf && start[-1] != '\n')
				start--;
			start[strcspn(start, "\n")] = 0;
			return start;
		}
	}
	return NULL;
}

int main(void)
{
	struct utsname u;
	const char *want_abi = env_or("xsc_abi", "");
	const char *want_release = env_or("xsc_release", "");
	const char *want_features = env_or("xsc_features", "");
	const char *problem;
	char *features, list[512];

	check(mount("proc", "/proc", "proc", 0, NULL) == 0, "mount /proc");
	check(mount("sysfs", "/sys", "sysfs", 0, NULL) == 0, "mount /sys");
	/* devtmpfs hides the initramfs /dev/console node; fds 0-2 stay open */
	check(mount("devtmpfs", "/dev", "devtmpfs", 0, NULL) == 0, "mount /dev");
	check(mount("tmpfs", "/tmp", "tmpfs", 0, NULL) == 0, "mount /tmp");

	uname(&u);
	check(strcmp(u.release, want_release) == 0,
	      "kernel release is %s (expected %s)", u.release, want_release);
	check(strcmp(BOOT_ABI, want_abi) == 0,
	      "init runs as ABI %s on a %s kernel (expected %s)", BOOT_ABI, u.machine, want_abi);

	features = cpu_features(BOOT_CPUINFO_FEATURES);
	snprintf(list, sizeof(list), "%s", want_features);
	for (char *save, *w = strtok_r(list, ",", &save); w; w = strtok_r(NULL, ",", &save))
		check(has_word(features, w), "CPU feature %s in /proc/cpuinfo", w);

	if (*env_or("xsc_run", ""))
		run_test(env_or("xsc_run", ""));

	problem = kernel_log_problem();
	check(problem == NULL, "kernel log has no BUG/WARNING/Oops/lockdep report%s%s",
	      problem ? ": " : "", problem ? problem : "");

	printf(BOOT_DONE_PREFIX "%d\n", checks);
	printf(BOOT_JSON_PREFIX "{\"cell\": \"%s\", \"release\": \"%s\", \"machine\": \"%s\", "
	       "\"abi\": \"%s\", \"cpu_features\": \"%s\", \"checks\": %d, \"failures\": %d}\n",
	       env_or("xsc_cell", ""), u.release, u.machine, BOOT_ABI,
	       features + strspn(features, " "), checks, failures);
	fflush(stdout);
	sync();
	/* the UART sends asynchronously: let the report out before QEMU exits */
	tcdrain(STDOUT_FILENO);

	boot_qemu_exit(failures ? BOOT_QEMU_FAIL : BOOT_QEMU_PASS);
	/* no exit device: power off, which QEMU reports as status 0 (a failure) */
	reboot(RB_POWER_OFF);
	return 1;
}
