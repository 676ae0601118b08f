/* SPDX-License-Identifier: GPL-2.0 */
/* The syscall policy of drivers/xsc: how each number is handled (policy.c). */
#ifndef _DRIVERS_XSC_POLICY_H
#define _DRIVERS_XSC_POLICY_H

#include <linux/types.h>

struct task_struct;

enum xsc_policy_kind {
	XSC_UNCLASSIFIED = 0,	/* not in the table: traps; the boot check names it */
	XSC_RING,		/* the worker executes it */
	XSC_TRAP,		/* acts on the calling thread or its registers */
	XSC_TID,		/* gettid: the submitter's tid */
	XSC_SELF_PID,		/* pid argument 0 means "the calling thread" */
	XSC_PRIO_WHO,		/* (which, who): who 0 with which == value means "the calling thread" */
	XSC_THREAD_CLOCK,	/* a clockid argument naming the calling thread's CPU clock */
	XSC_TRAP_THREAD_CLOCK,	/* ... where the call refuses the caller's own clock: trap */
	XSC_TRAP_IF_SET,	/* a non-zero argument (a signal mask) applies to the calling thread */
	XSC_TRAP_IF_ONE,	/* argument == 1: RUSAGE_THREAD */
	XSC_TRAP_IF_BITS,	/* argument has one of value's bits: acts on the calling thread */
	XSC_FUTEX,		/* PI futex ops record the caller as the owner */
	XSC_KIND_COUNT
};

/* One entry of the table: the kind, the argument it looks at, a value. */
struct xsc_policy {
	u8 kind;
	u8 arg;
	u32 value;
};

/* The policy of native number @native (xsc_arch_native_nr), or of nothing. */
const struct xsc_policy *xsc_policy_of(int native);

/*
 * Rewrite the arguments of a policy-kind call that name the calling thread
 * so that they name @submitter; false when the call must trap instead.
 */
bool xsc_apply_policy(const struct xsc_policy *p, struct task_struct *submitter, u64 *a);

/* Boot-time check: every implemented number has a class. Returns how many lack one. */
int xsc_policy_check(void);

#endif /* _DRIVERS_XSC_POLICY_H */
