/* SPDX-License-Identifier: GPL-2.0 */
/* XSC hooks the rest of the kernel calls (drivers/xsc/xsc.c defines them). */
#ifndef _LINUX_XSC_H
#define _LINUX_XSC_H

#include <uapi/linux/xsc.h>

struct signal_struct;
struct seq_file;
struct pid_namespace;
struct pid;
struct task_struct;
struct seccomp_data;

#ifdef CONFIG_XSC
/* free_signal_struct(): drop the process's counters */
void xsc_free_counters(struct signal_struct *sig);
/* /proc/<pid>/xsc */
int proc_xsc_show(struct seq_file *m, struct pid_namespace *ns,
		  struct pid *pid, struct task_struct *task);
/* complete_signal(): @sig was queued for @t, siglock held; interrupt @t's ring call */
void xsc_signal_delivered(struct task_struct *t, int sig);
/* exit_signals(): @t has PF_EXITING, siglock held; its rings' workers end */
void xsc_task_exiting(struct task_struct *t);
/* sched_submit_work() / sched_update_worker(): the io thread @t (current)
 * of a process with rings sleeps / runs again */
void xsc_worker_sleeping(struct task_struct *t);
void xsc_worker_running(struct task_struct *t);
/* kernel/seccomp.c: run @task's filters on @sd without acting on the result */
u32 seccomp_run_task_filters(struct task_struct *task, const struct seccomp_data *sd);
#else
static inline void xsc_free_counters(struct signal_struct *sig) { }
#endif

#endif /* _LINUX_XSC_H */
