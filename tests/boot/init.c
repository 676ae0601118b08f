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
 *
 * Output on the console, one line each, read by tests/boot/run-qemu.py:
 *   "XSC: ok <what>" or "XSC: not ok <what>", then "XSC: done <n>" (checks
 *   run), then "XSC-JSON: {...}" with what was observed.
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
#include <unistd.h>

#include "boot_arch.h"

#define QEMU_PASS 33
#define QEMU_FAIL 35

static int checks, failures;

static void check(int ok, const char *fmt, ...)
{
	va_list ap;

	checks++;
	if (!ok)
		failures++;
	printf("XSC: %s ", ok ? "ok" : "not ok");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
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
	static const char *const markers[] = {
		"BUG:", "WARNING:", "Oops", "Kernel panic", "possible recursive locking",
		"possible circular locking", "INFO: lockdep", "Call trace:", "Call Trace:",
	};
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

	mkdir("/proc", 0555);
	mkdir("/sys", 0555);
	check(mount("proc", "/proc", "proc", 0, NULL) == 0, "mount /proc");
	check(mount("sysfs", "/sys", "sysfs", 0, NULL) == 0, "mount /sys");

	uname(&u);
	check(strcmp(u.release, want_release) == 0,
	      "kernel release is %s (expected %s)", u.release, want_release);
	check(strcmp(BOOT_ABI, want_abi) == 0,
	      "init runs as ABI %s on a %s kernel (expected %s)", BOOT_ABI, u.machine, want_abi);

	features = cpu_features(BOOT_CPUINFO_FEATURES);
	snprintf(list, sizeof(list), "%s", want_features);
	for (char *save, *w = strtok_r(list, ",", &save); w; w = strtok_r(NULL, ",", &save))
		check(has_word(features, w), "CPU feature %s in /proc/cpuinfo", w);

	problem = kernel_log_problem();
	check(problem == NULL, "kernel log has no BUG/WARNING/Oops/lockdep report%s%s",
	      problem ? ": " : "", problem ? problem : "");

	printf("XSC: done %d\n", checks);
	printf("XSC-JSON: {\"cell\": \"%s\", \"release\": \"%s\", \"machine\": \"%s\", "
	       "\"abi\": \"%s\", \"cpu_features\": \"%s\", \"checks\": %d, \"failures\": %d}\n",
	       env_or("xsc_cell", ""), u.release, u.machine, BOOT_ABI,
	       features + strspn(features, " "), checks, failures);
	fflush(stdout);
	sync();

	boot_qemu_exit(failures ? QEMU_FAIL : QEMU_PASS);
	/* no exit device: power off, which QEMU reports as status 0 (a failure) */
	reboot(RB_POWER_OFF);
	return 1;
}
