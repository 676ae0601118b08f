/*
 * The boot protocol: what the guest's init (init.c) and the host's harness
 * (run-qemu.py) agree on. This file is the one statement of it; run-qemu.py
 * reads the #defines below from this file (simple "#define NAME value"
 * lines: an integer, a string, or a comma-separated list of strings), so a
 * change here changes both sides.
 */
#ifndef XSC_BOOT_PROTOCOL_H
#define XSC_BOOT_PROTOCOL_H

/* QEMU's exit status: every check passed / some check failed. Anything
 * else (a panic reboots with panic=-1 and -no-reboot: status 0) fails. */
#define BOOT_QEMU_PASS 33
#define BOOT_QEMU_FAIL 35

/* Line prefixes on the console: "XSC: ok <what>" / "XSC: not ok <what>"
 * per check (" # SKIP <why>" may follow), "XSC: done <n>" after the n
 * checks, "XSC-NOTE: <text>" for notes, "XSC-JSON: {...}" for the report. */
#define BOOT_CHECK_PREFIX "XSC: "
#define BOOT_DONE_PREFIX "XSC: done "
#define BOOT_NOTE_PREFIX "XSC-NOTE: "
#define BOOT_JSON_PREFIX "XSC-JSON: "

/* Kernel log text that reports a bug: the guest checks its log for them
 * and the harness the serial log. */
#define BOOT_BUG_MARKERS "BUG:", "WARNING:", "Oops", "Kernel panic", \
	"possible recursive locking", "possible circular locking", "INFO: lockdep", \
	"Call trace:", "Call Trace:", "blocked for more than", "ODEBUG:"

#endif
