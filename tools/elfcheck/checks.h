/* SPDX-License-Identifier: MIT */
#ifndef XSC_ELFCHECK_CHECKS_H
#define XSC_ELFCHECK_CHECKS_H

#include "elf.h"

/* ST_WAIVED: failed, but a --waivers entry names the file and the check */
enum check_status { ST_NA = 0, ST_PASS, ST_FAIL, ST_WAIVED };

enum check_id {
	C_PIE,
	C_RELRO,
	C_BINDNOW,
	C_NXSTACK,
	C_TEXTREL,
	C_WX,
	C_STACKPROT,
	C_FORTIFY,
	C_PROPERTY,
	C_LANDING,
	C_CLOSURE,
	C_NCHECKS
};

/* Checks 0..C_BASE_LAST are required by --policy base. */
#define C_BASE_LAST C_FORTIFY

enum policy { POLICY_BASE, POLICY_HARDENED };

struct check {
	enum check_status st;
	char detail[320];
};

struct closure_mod {
	char *path;		/* host path */
	int prop_found;
	uint32_t bits;
};

struct closure {
	int done;
	size_t nmods, nunresolved;
	struct closure_mod *mods;	/* mods[0] is the executable */
	char **unresolved;
	int eff_a, eff_b;	/* x86: IBT, SHSTK effective; arm64: BTI/PAC everywhere */
};

struct report {
	char *path;
	int is64;
	uint16_t machine, type;
	const char *kind;	/* "exec", "static-exec", "lib", "object" */
	int is_exec;
	struct check c[C_NCHECKS];
	struct closure cl;
	int pass;		/* meets the selected policy */
};

extern const char *const check_names[C_NCHECKS];

const char *status_name(enum check_status st);
/* Run the per-file checks 1..10 on a parsed ELF. */
void run_checks(const struct elf *e, struct report *r);
/* A relocatable object (ET_REL): the property note and landing pads only. */
void run_object_checks(const struct elf *e, struct report *r);
/* Run the closure check (needs r->path, r->is_exec); sysroot may be NULL. */
void run_closure(const struct elf *e, struct report *r, const char *sysroot);
int check_required(enum check_id id, enum policy pol);
void apply_policy(struct report *r, enum policy pol);
void report_free(struct report *r);

struct kernel_report {
	uint16_t machine;
	long funcs, pads, direct_pads, unreadable;
	double fraction;
	int pass;
	char detail[320];
};

/* Returns 0 on success, -1 with *err set if the file is unsuitable. */
int run_kernel(const struct elf *e, struct kernel_report *k, const char **err);

#endif
