/*
 * Hardening at run time, in a glibc cell's guest (tests/boot init, TAP):
 * built with the cell's emitted toolchain, dynamically linked against the
 * cell's XSC glibc. Each case runs in a child and is judged by how the
 * child ends:
 *
 *   every cell    a stack smash aborts with glibc's "stack smashing
 *                 detected"; a fortified overflow aborts with "buffer
 *                 overflow detected", into a stack array and into a
 *                 malloc(n) buffer (that one needs _FORTIFY_SOURCE=3); a write into the GOT (RELRO +
 *                 BIND_NOW) faults; executing code copied onto the stack
 *                 faults;
 *   aarch64       an indirect call into a function that starts without a
 *                 landing pad ends in SIGILL (BTI), a return through a
 *                 return address signed for another frame in SIGSEGV (PAC:
 *                 QEMU 7.2 has no FEAT_FPAC), and the program's and libc's text
 *                 mappings are BTI-guarded ("bt" in /proc/self/smaps) -
 *                 when the program was built with branch protection and
 *                 the CPU has BTI / PAuth (HWCAP2_BTI, HWCAP_PACA). Built
 *                 without it (base) or run on a CPU without them, the same
 *                 cases must NOT fault: the negative controls, reported as
 *                 "inert" (xsc_negative_cpu in the environment: the run on
 *                 the variant's negative_cpu, which must lack both);
 *   x86           CET cannot be exercised (QEMU 7.2 emulates no IBT/SHSTK,
 *                 Linux 6.1 has no user CET): a SKIP with that reason.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <link.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../tap.h"

#ifndef _FORTIFY_SOURCE
#error "built without _FORTIFY_SOURCE: the cell's emitted toolchain passes the variant's flags"
#endif

/* Run fn in a child with stderr captured; return its wait status. */
static int in_child(void (*fn)(void), char *err, size_t errsz)
{
	int p[2], status = -1;
	ssize_t n;
	size_t len = 0;
	pid_t pid;

	if (pipe(p))
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 2);
		close(p[0]);
		fn();
		_exit(0);
	}
	close(p[1]);
	while ((n = read(p[0], err + len, errsz - 1 - len)) > 0 && len + n < errsz - 1)
		len += n;
	err[len] = 0;
	close(p[0]);
	waitpid(pid, &status, 0);
	return status;
}

static const char *describe(int st)
{
	static char buf[64];

	if (WIFSIGNALED(st))
		snprintf(buf, sizeof(buf), "killed by signal %d (%s)", WTERMSIG(st), strsignal(WTERMSIG(st)));
	else if (WIFEXITED(st))
		snprintf(buf, sizeof(buf), "exited %d", WEXITSTATUS(st));
	else
		snprintf(buf, sizeof(buf), "status %#x", st);
	return buf;
}

/* ---- every cell ---- */

static volatile size_t smash_len = 64;

static void __attribute__((noinline)) smash(void)
{
	char buf[16];
	char *volatile p = buf;

	/* byte by byte, past the end: no fortified call sees it, the canary's job */
	for (size_t i = 0; i < smash_len; i++)
		p[i] = 'A';
	asm volatile("" : : "r"(buf) : "memory");
}

static volatile size_t overflow_len = 32;

static void overflow(void)
{
	char buf[8];

	/* known object size, unknown length: __memcpy_chk at run time */
	memcpy(buf, "0123456789abcdef0123456789abcdef", overflow_len);
	asm volatile("" : : "r"(buf) : "memory");
}

/*
 * _FORTIFY_SOURCE=3 only: the buffer's size is known at run time alone
 * (malloc's alloc_size), so level 2 passes the call unchecked and the
 * copy overruns the heap chunk; level 3 calls __memcpy_chk with it.
 */
static volatile size_t dyn_size = 8;

static void overflow_dynamic(void)
{
	char *buf = malloc(dyn_size);

	if (!buf)
		_exit(3);
	memcpy(buf, "0123456789abcdef0123456789abcdef", overflow_len);
	asm volatile("" : : "r"(buf) : "memory");
	_exit(0);	/* no free(): its own heap check must not be what aborts */
}

/* The address of the GOT (DT_PLTGOT, or the start of PT_GNU_RELRO) */
static void *got;

static int find_got(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	(void)data;
	if (info->dlpi_name && info->dlpi_name[0])
		return 0;			/* the executable comes first, unnamed */
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

		if (ph->p_type == PT_DYNAMIC) {
			for (ElfW(Dyn) *d = (void *)(info->dlpi_addr + ph->p_vaddr); d->d_tag != DT_NULL; d++)
				if (d->d_tag == DT_PLTGOT)
					got = (void *)d->d_un.d_ptr;	/* relocated by ld.so */
		}
		if (ph->p_type == PT_GNU_RELRO && !got)
			got = (void *)(info->dlpi_addr + ph->p_vaddr);
	}
	return 1;
}

static void write_got(void)
{
	*(volatile uintptr_t *)got = 0x41414141;
}

static void exec_stack(void)
{
#if defined(__x86_64__)
	unsigned char code[16] = { 0xc3 };			/* ret */
#elif defined(__aarch64__)
	uint32_t code[4] = { 0xd65f03c0 };			/* ret */
	__builtin___clear_cache((char *)code, (char *)code + sizeof(code));
#endif
	void (*f)(void) = (void (*)(void))(uintptr_t)code;

	f();
	/* reached only when the stack is executable */
}

/* ---- aarch64: BTI and PAC ---- */
#if defined(__aarch64__)
/* A function that starts without a landing pad, in the program's guarded
 * text: calling it indirectly is a BTI violation (SIGILL) */
int nopad(void);
asm(".text\n"
    ".global nopad\n"
    ".type nopad, %function\n"
    "nopad:\n"
    "	mov w0, #42\n"
    "	ret\n"
    ".size nopad, .-nopad\n");

static int (*volatile nopad_ptr)(void) = nopad;

static void call_nopad(void)
{
	_exit(nopad_ptr() == 42 ? 0 : 3);
}

/*
 * PAC: rec(3) calls rec(2), rec(1), rec(0) from the same call site, so the
 * return addresses saved by rec(1) and rec(2) are the same address, each
 * signed (paciasp, non-leaf) with its own frame's stack pointer. rec(1)
 * overwrites its saved one with rec(2)'s: without pointer authentication
 * the two are equal and the return lands; with it, autiasp fails on the
 * other frame's signature and the return faults. Frame records
 * ({x29, x30} at x29) need -fno-omit-frame-pointer.
 */
static volatile int sink;
static volatile int corrupt;

static int __attribute__((noinline)) rec(int n)
{
	uintptr_t *volatile frame = __builtin_frame_address(0);
	int r = 0;

	if (n > 0)
		r = rec(n - 1);
	if (n == 1 && corrupt) {
		uintptr_t *parent = (uintptr_t *)frame[0];

		frame[1] = parent[1];
	}
	sink = r;
	return r + 1;
}

static void pac_case(void)
{
	corrupt = 1;
	_exit(rec(3) == 4 ? 0 : 3);
}

/* "bt" in the VmFlags of the mappings of path that are executable */
static int guarded(const char *path, int *mappings)
{
	char line[512];
	int in_text = 0, all = 1;
	FILE *f = fopen("/proc/self/smaps", "r");

	*mappings = 0;
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char perms[8] = "", name[256] = "";

		if (sscanf(line, "%*[0-9a-f]-%*[0-9a-f] %7s %*s %*s %*s %255s", perms, name) >= 1 &&
		    strchr(line, '-') == line + strspn(line, "0123456789abcdef")) {
			in_text = strchr(perms, 'x') && strstr(name, path);
			*mappings += in_text;
		} else if (in_text && !strncmp(line, "VmFlags:", 8)) {
			all &= strstr(line, " bt") != NULL;
		}
	}
	fclose(f);
	return *mappings > 0 && all;
}
#endif

int main(void)
{
	char err[512];
	int st;

	/* set by the boot test that runs this program on the variant's
	 * negative_cpu (tests/boot/meson.build) */
	int negative_cpu = getenv("xsc_negative_cpu") != NULL;

	printf("1..%d\n", 5 + 3 + negative_cpu);

	st = in_child(smash, err, sizeof(err));
	tap(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT && strstr(err, "stack smashing detected"),
	    "stack smash: %s, stderr '%.80s'", describe(st), err);

	st = in_child(overflow, err, sizeof(err));
	tap(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT && strstr(err, "buffer overflow detected"),
	    "fortified memcpy overflow: %s, stderr '%.80s'", describe(st), err);

	st = in_child(overflow_dynamic, err, sizeof(err));
	tap(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT && strstr(err, "buffer overflow detected"),
	    "fortified memcpy into malloc(n), n known at run time only (_FORTIFY_SOURCE=%d): "
	    "%s, stderr '%.80s'", _FORTIFY_SOURCE, describe(st), err);

	dl_iterate_phdr(find_got, NULL);
	st = got ? in_child(write_got, err, sizeof(err)) : -1;
	tap(got && WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV,
	    "write into the GOT at %p (RELRO + BIND_NOW): %s", got, describe(st));

	st = in_child(exec_stack, err, sizeof(err));
	tap(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV,
	    "executing code on the stack: %s", describe(st));

#if defined(__aarch64__)
	{
		int built_bti = 0, built_pac = 0, maps_exe, maps_libc, g_exe, g_libc;
		int cpu_bti = !!(getauxval(AT_HWCAP2) & HWCAP2_BTI);
		int cpu_pac = !!(getauxval(AT_HWCAP) & HWCAP_PACA);
#if defined(__ARM_FEATURE_BTI_DEFAULT) && __ARM_FEATURE_BTI_DEFAULT
		built_bti = 1;
#endif
#if defined(__ARM_FEATURE_PAC_DEFAULT) && __ARM_FEATURE_PAC_DEFAULT
		built_pac = 1;
#endif
		/* the control must run where it claims to: a CPU without either */
		if (negative_cpu)
			tap(!cpu_bti && !cpu_pac, "negative-control CPU has neither BTI nor PAuth "
			    "(HWCAP2_BTI %d, HWCAP_PACA %d)", cpu_bti, cpu_pac);
		st = in_child(call_nopad, err, sizeof(err));
		if (built_bti && cpu_bti)
			tap(WIFSIGNALED(st) && WTERMSIG(st) == SIGILL,
			    "BTI: indirect call to a function without a landing pad: %s", describe(st));
		else
			tap(WIFEXITED(st) && WEXITSTATUS(st) == 0,
			    "BTI inert (built with BTI %d, CPU BTI %d): the call returns: %s",
			    built_bti, cpu_bti, describe(st));

		st = in_child(pac_case, err, sizeof(err));
		if (built_pac && cpu_pac)
			tap(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV,
			    "PAC: return through an address signed for another frame: %s", describe(st));
		else
			tap(WIFEXITED(st) && WEXITSTATUS(st) == 0,
			    "PAC inert (built with PAC %d, CPU PAuth %d): the return lands: %s",
			    built_pac, cpu_pac, describe(st));

		char exe[256] = "";
		ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

		exe[n > 0 ? n : 0] = 0;
		g_exe = guarded(exe, &maps_exe);
		g_libc = guarded("libc.so.6", &maps_libc);
		if (built_bti && cpu_bti)
			tap(g_exe && g_libc, "BTI-guarded text ('bt' in smaps): program %d of %d mappings, "
			    "libc.so.6 %d of %d", g_exe ? maps_exe : 0, maps_exe, g_libc ? maps_libc : 0, maps_libc);
		else
			tap(!g_exe && !g_libc, "no BTI-guarded text (built with BTI %d, CPU BTI %d): "
			    "program %d, libc.so.6 %d", built_bti, cpu_bti, g_exe, g_libc);
	}
#else
	if (negative_cpu)
		tap(0, "no negative-control CPU is defined for x86 (CET cannot be enforced at all)");
	for (int i = 0; i < 3; i++)
		printf("ok %d - # SKIP x86 CET (%s): QEMU 7.2 emulates no IBT/SHSTK and Linux 6.1 "
		       "has no user CET\n", ++tap_count, i == 0 ? "IBT" : i == 1 ? "SHSTK" : "enforcement");
#endif
	return tap_failed ? 1 : 0;
}
