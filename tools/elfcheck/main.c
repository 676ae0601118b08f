// SPDX-License-Identifier: MIT
/*
 * xsc-elfcheck: validate hardening markers of ELF files.
 *
 * Usage: xsc-elfcheck [--policy base|hardened] [--sysroot DIR] [--json FILE|-]
 *                     [--waivers FILE] [--kernel VMLINUX]... [-v] [-q] PATH...
 */
#include "checks.h"
#include "elf.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct opts {
	enum policy policy;
	const char *sysroot;
	const char *json_path;
	int verbose, quiet;
};

/*
 * A waiver: a check that may fail on the files whose path matches a glob
 * (fnmatch, '*' also across '/'), for a stated reason. Such a failure is
 * reported as "waived" with the reason, never as a pass.
 */
struct waiver {
	int check;
	char *glob, *reason;
	long used;
};

static struct waiver *waivers;
static size_t nwaivers;

struct totals {
	long elf, pass, fail, malformed, unsupported, non_elf, ioerr, waived;
	long kernels, kernel_fail;
};

static struct opts opt;
static struct totals tot;
static FILE *json;
static FILE *out;	/* human-readable report */
static int json_first_file = 1;

static void json_str(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', json);
	for (; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(json, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", json);
		else if (*p < 0x20 || *p >= 0x7f)
			fprintf(json, "\\u%04x", *p);
		else
			fputc(*p, json);
	}
	fputc('"', json);
}

static void json_begin_file(const char *path)
{
	fputs(json_first_file ? "\n    {" : ",\n    {", json);
	json_first_file = 0;
	fputs("\"path\": ", json);
	json_str(path);
}

static void json_features(uint16_t machine, int found, uint32_t bits)
{
	const char *a = machine == EM_AARCH64 ? "BTI" : "IBT";
	const char *b = machine == EM_AARCH64 ? "PAC" : "SHSTK";
	int first = 1;

	fputc('[', json);
	if (found && (bits & 1)) {
		json_str(a);
		first = 0;
	}
	if (found && (bits & 2)) {
		if (!first)
			fputs(", ", json);
		json_str(b);
	}
	fputc(']', json);
}

static void json_report(const struct report *r)
{
	size_t i;

	json_begin_file(r->path);
	fprintf(json, ", \"class\": \"%s\", \"machine\": \"%s\", \"type\": \"%s\", \"kind\": \"%s\", \"result\": \"%s\",\n      \"checks\": {",
		r->is64 ? "ELF64" : "ELF32", elf_machine_name(r->machine),
		elf_type_name(r->type), r->kind, r->pass ? "pass" : "fail");
	for (i = 0; i < C_NCHECKS; i++) {
		fprintf(json, "%s\n        \"%s\": {\"status\": \"%s\", \"required\": %s, \"detail\": ",
			i ? "," : "", check_names[i], status_name(r->c[i].st),
			check_required(i, opt.policy) ? "true" : "false");
		json_str(r->c[i].detail);
		fputc('}', json);
	}
	fputs("\n      }", json);
	if (r->cl.done) {
		fputs(",\n      \"closure\": {\"modules\": [", json);
		for (i = 0; i < r->cl.nmods; i++) {
			fputs(i ? ", {\"path\": " : "{\"path\": ", json);
			json_str(r->cl.mods[i].path);
			fputs(", \"features\": ", json);
			json_features(r->machine, r->cl.mods[i].prop_found,
				      r->cl.mods[i].bits);
			fputc('}', json);
		}
		fputs("], \"unresolved\": [", json);
		for (i = 0; i < r->cl.nunresolved; i++) {
			if (i)
				fputs(", ", json);
			json_str(r->cl.unresolved[i]);
		}
		if (r->machine == EM_X86_64)
			fprintf(json, "], \"effective\": {\"IBT\": %s, \"SHSTK\": %s}}",
				r->cl.eff_a ? "true" : "false",
				r->cl.eff_b ? "true" : "false");
		else
			fprintf(json, "], \"all_modules\": {\"BTI\": %s, \"PAC\": %s}}",
				r->cl.eff_a ? "true" : "false",
				r->cl.eff_b ? "true" : "false");
	}
	fputc('}', json);
}

static void json_error(const char *path, const char *result, const char *err)
{
	json_begin_file(path);
	fprintf(json, ", \"result\": \"%s\", \"error\": ", result);
	json_str(err);
	fputc('}', json);
}

/* Read FILE: one waiver per line, "CHECK GLOB REASON...", '#' comments.
 * Returns 0, or -1 after naming the problem on stderr. */
static int load_waivers(const char *file)
{
	char line[1024];
	unsigned lineno = 0;
	FILE *f = fopen(file, "r");

	if (!f) {
		fprintf(stderr, "xsc-elfcheck: --waivers %s: %s\n", file, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char name[32], glob[512];
		int n = 0, i, check = -1;
		const char *reason;
		struct waiver *w;

		lineno++;
		line[strcspn(line, "\n")] = 0;
		if (sscanf(line, " %31s %511s %n", name, glob, &n) != 2 || name[0] == '#') {
			if (sscanf(line, " %31s", name) == 1 && name[0] != '#')
				goto bad;
			continue;
		}
		for (i = 0; i < C_NCHECKS; i++)
			if (!strcmp(name, check_names[i]))
				check = i;
		reason = line + n;
		if (check < 0 || !*reason)
			goto bad;
		w = realloc(waivers, (nwaivers + 1) * sizeof(*w));
		if (!w)
			goto bad;
		waivers = w;
		w = &waivers[nwaivers++];
		w->check = check;
		w->glob = strdup(glob);
		w->reason = strdup(reason);
		w->used = 0;
		if (!w->glob || !w->reason)
			goto bad;
	}
	fclose(f);
	return 0;
bad:
	fprintf(stderr, "xsc-elfcheck: %s:%u: not 'CHECK GLOB REASON' with a known check "
		"(pie relro bindnow nxstack textrel wx stackprot fortify property landing closure)\n",
		file, lineno);
	fclose(f);
	return -1;
}

/* Failed checks that a waiver names become ST_WAIVED. Returns how many. */
static int apply_waivers(struct report *r)
{
	int i, n = 0;
	size_t j;

	for (i = 0; i < C_NCHECKS; i++) {
		if (r->c[i].st != ST_FAIL)
			continue;
		for (j = 0; j < nwaivers; j++) {
			struct waiver *w = &waivers[j];
			size_t len = strlen(r->c[i].detail);

			if (w->check != i || fnmatch(w->glob, r->path, 0))
				continue;
			r->c[i].st = ST_WAIVED;
			snprintf(r->c[i].detail + len, sizeof(r->c[i].detail) - len,
				 " [waived: %s]", w->reason);
			w->used++;
			n++;
			break;
		}
	}
	return n;
}

static void print_report(const struct report *r)
{
	int i, n = 0;

	if (!opt.quiet || !r->pass) {
		fprintf(out, "%s: %s", r->path, r->pass ? "PASS" : "FAIL");
		for (i = 0; i < C_NCHECKS; i++) {
			if (!check_required(i, opt.policy) || r->c[i].st != ST_FAIL)
				continue;
			fprintf(out, "%s%s (%s)", n++ ? "; " : " ", check_names[i],
			       r->c[i].detail);
		}
		for (i = 0; i < C_NCHECKS; i++)
			if (check_required(i, opt.policy) && r->c[i].st == ST_WAIVED)
				fprintf(out, "%swaived %s", n++ ? "; " : " ", check_names[i]);
		fputc('\n', out);
	}
	if (opt.verbose) {
		fprintf(out, "  [%s %s %s %s]\n", r->is64 ? "ELF64" : "ELF32",
		       elf_machine_name(r->machine), elf_type_name(r->type),
		       r->kind);
		for (i = 0; i < C_NCHECKS; i++)
			fprintf(out, "  %-9s %-4s%s %s\n", check_names[i],
			       status_name(r->c[i].st),
			       check_required(i, opt.policy) ? " " : "*",
			       r->c[i].detail);
	}
}

/* Waivers, policy, totals and output of a report with its checks run. */
static void finish_report(struct report *r)
{
	if (apply_waivers(r))
		tot.waived++;
	apply_policy(r, opt.policy);
	tot.elf++;
	if (r->pass)
		tot.pass++;
	else
		tot.fail++;
	print_report(r);
	if (json)
		json_report(r);
	report_free(r);
}

/*
 * An ar archive (a static library): each ELF member is checked as a
 * relocatable object and the archive gets one report, whose property and
 * landing checks fail when a member's do, naming up to three such members.
 * Header: "!<arch>\n"; per member a 60-byte header (name[16], date[12],
 * uid[6], gid[6], mode[8], size[10], "`\n"), its data, padded to an even
 * offset. GNU names: "/" the symbol table, "//" the long-name table,
 * "/N" the name at offset N of it, "name/" a short name.
 */
struct member_tally {
	long checked, failed;
	int nlist;
	char list[200];
	char first[320];	/* a passing member's detail */
};

static void member_name(const uint8_t *hdr, const uint8_t *names, size_t nnames,
			char *out, size_t outsz)
{
	size_t i, n = 0;

	if (hdr[0] == '/' && hdr[1] >= '0' && hdr[1] <= '9' && names) {
		size_t off = strtoul((const char *)hdr + 1, NULL, 10);

		for (i = off; i < nnames && names[i] != '/' && names[i] != '\n' && n + 1 < outsz; i++)
			out[n++] = (char)names[i];
	} else {
		for (i = 0; i < 16 && hdr[i] != '/' && hdr[i] != ' ' && n + 1 < outsz; i++)
			out[n++] = (char)hdr[i];
	}
	out[n] = 0;
}

static void tally(struct member_tally *t, const struct check *c, const char *name)
{
	char item[80];

	if (c->st == ST_NA)
		return;
	t->checked++;
	if (c->st == ST_PASS) {
		if (!t->first[0])
			snprintf(t->first, sizeof(t->first), "%s", c->detail);
		return;
	}
	t->failed++;
	snprintf(item, sizeof(item), "%s", name);
	if (t->nlist < 3) {
		size_t len = strlen(t->list);

		snprintf(t->list + len, sizeof(t->list) - len, "%s%s", t->nlist ? ", " : "", item);
	}
	t->nlist++;
}

static void tally_result(struct check *c, const struct member_tally *t, const char *what)
{
	if (!t->checked) {
		c->st = ST_NA;
		snprintf(c->detail, sizeof(c->detail), "no member with %s to check", what);
	} else if (t->failed) {
		c->st = ST_FAIL;
		snprintf(c->detail, sizeof(c->detail), "%ld of %ld members fail (%s): %s%s",
			 t->failed, t->checked, what, t->list, t->nlist > 3 ? ", ..." : "");
	} else {
		c->st = ST_PASS;
		snprintf(c->detail, sizeof(c->detail), "%ld members pass (%s), e.g. %.200s",
			 t->checked, what, t->first);
	}
}

static void check_archive(const char *path, const uint8_t *data, size_t size)
{
	struct member_tally prop = { 0 }, land = { 0 };
	const uint8_t *names = NULL;
	size_t nnames = 0, pos = 8;
	long members = 0, bad = 0;
	struct report r;
	int i;

	memset(&r, 0, sizeof(r));
	while (size - pos >= 60) {
		const uint8_t *h = data + pos;
		char sizebuf[11], name[64];
		unsigned long msize;
		char *end;
		struct elf e;
		struct report m;
		const char *err = "";

		memcpy(sizebuf, h + 48, 10);
		sizebuf[10] = 0;
		msize = strtoul(sizebuf, &end, 10);
		if (h[58] != '`' || h[59] != '\n' || end == sizebuf || msize > size - pos - 60) {
			bad++;
			break;
		}
		pos += 60;
		if (h[0] == '/' && h[1] == '/' && h[2] == ' ') {
			names = data + pos;
			nnames = msize;
		} else if (!(h[0] == '/' && h[1] == ' ') && memcmp(h, "__.SYMDEF", 9)) {
			member_name(h, names, nnames, name, sizeof(name));
			if (elf_parse(&e, data + pos, msize, &err) == ELF_OK) {
				if (e.type == ET_REL) {
					memset(&m, 0, sizeof(m));
					run_object_checks(&e, &m);
					if (!members) {
						r.is64 = m.is64;
						r.machine = m.machine;
						r.type = m.type;
					}
					members++;
					tally(&prop, &m.c[C_PROPERTY], name);
					tally(&land, &m.c[C_LANDING], name);
				}
				elf_free(&e);
			} else if (msize >= 4 && !memcmp(data + pos, "\x7f" "ELF", 4)) {
				bad++;
			}
		}
		pos += msize + (msize & 1);
		if (pos > size)
			break;
	}
	if (!members && !bad) {
		tot.non_elf++;
		if (opt.verbose)
			fprintf(out, "%s: SKIP archive without ELF members\n", path);
		return;
	}
	r.path = strdup(path);
	if (!r.path) {
		fprintf(stderr, "xsc-elfcheck: out of memory\n");
		exit(2);
	}
	r.kind = "archive";
	for (i = 0; i < C_NCHECKS; i++)
		snprintf(r.c[i].detail, sizeof(r.c[i].detail),
			 "archive of %ld relocatable objects: checked where they are linked", members);
	tally_result(&r.c[C_PROPERTY], &prop, "CET / BTI note");
	tally_result(&r.c[C_LANDING], &land, "landing pads");
	if (bad) {
		/* a member that cannot be read fails the archive outright */
		for (i = 0; i < C_NCHECKS; i++) {
			r.c[i].st = ST_FAIL;
			snprintf(r.c[i].detail, sizeof(r.c[i].detail),
				 "malformed archive: %ld member(s) unreadable", bad);
		}
	}
	finish_report(&r);
}

static void check_file(const char *path)
{
	const uint8_t *data;
	size_t size;
	const char *err = "";
	struct elf e;
	struct report r;
	enum elf_status st;

	st = elf_map(path, &data, &size, &err);
	if (st == ELF_NOT_ELF) {
		tot.non_elf++;
		return;
	}
	if (st == ELF_IOERR) {
		fprintf(stderr, "xsc-elfcheck: %s: %s\n", path, err);
		tot.ioerr++;
		return;
	}
	if (size >= 8 && !memcmp(data, "!<arch>\n", 8)) {
		check_archive(path, data, size);
		elf_unmap(data, size);
		return;
	}
	st = elf_parse(&e, data, size, &err);
	if (st == ELF_NOT_ELF) {
		tot.non_elf++;
		elf_unmap(data, size);
		return;
	}
	if (st != ELF_OK) {
		int bad = st == ELF_MALFORMED;

		fprintf(out, "%s: %s (%s)\n", path, bad ? "FAIL malformed ELF" :
		       "SKIP unsupported ELF", err);
		if (bad)
			tot.malformed++;
		else
			tot.unsupported++;
		if (json)
			json_error(path, bad ? "malformed" : "unsupported", err);
		elf_unmap(data, size);
		return;
	}
	if (e.type != ET_EXEC && e.type != ET_DYN && e.type != ET_REL) {
		/* cores and the like: not a program or library */
		tot.unsupported++;
		if (opt.verbose)
			fprintf(out, "%s: SKIP ELF type %s\n", path,
			       elf_type_name(e.type));
		if (json)
			json_error(path, "unsupported", "not ET_EXEC/ET_DYN/ET_REL");
		elf_free(&e);
		elf_unmap(data, size);
		return;
	}
	memset(&r, 0, sizeof(r));
	r.path = strdup(path);
	if (!r.path) {
		fprintf(stderr, "xsc-elfcheck: out of memory\n");
		exit(2);
	}
	if (e.type == ET_REL) {
		run_object_checks(&e, &r);
	} else {
		run_checks(&e, &r);
		if (opt.sysroot)
			run_closure(&e, &r, opt.sysroot);
		else
			snprintf(r.c[C_CLOSURE].detail, sizeof(r.c[C_CLOSURE].detail),
				 "no --sysroot given");
	}
	finish_report(&r);
	elf_free(&e);
	elf_unmap(data, size);
}

static int name_cmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static void walk(const char *path, int top)
{
	struct stat st;
	struct dirent **ents;
	int n, i;

	if ((top ? stat(path, &st) : lstat(path, &st)) < 0) {
		fprintf(stderr, "xsc-elfcheck: %s: %s\n", path, strerror(errno));
		tot.ioerr++;
		return;
	}
	if (S_ISLNK(st.st_mode))
		return;		/* inside trees, links duplicate or escape */
	if (S_ISREG(st.st_mode)) {
		check_file(path);
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		if (top)
			tot.non_elf++;
		return;
	}
	n = scandir(path, &ents, NULL, name_cmp);
	if (n < 0) {
		fprintf(stderr, "xsc-elfcheck: %s: %s\n", path, strerror(errno));
		tot.ioerr++;
		return;
	}
	for (i = 0; i < n; i++) {
		const char *d = ents[i]->d_name;
		char sub[PATH_MAX];

		if (strcmp(d, ".") && strcmp(d, "..")) {
			if (snprintf(sub, sizeof(sub), "%s%s%s", path,
				     path[strlen(path) - 1] == '/' ? "" : "/",
				     d) < (int)sizeof(sub))
				walk(sub, 0);
			else
				tot.ioerr++;
		}
		free(ents[i]);
	}
	free(ents);
}

static void check_kernel(const char *path, int *first)
{
	const uint8_t *data;
	size_t size;
	const char *err = "";
	struct elf e;
	struct kernel_report k;
	enum elf_status st;

	tot.kernels++;
	st = elf_map(path, &data, &size, &err);
	if (st == ELF_OK)
		st = elf_parse(&e, data, size, &err);
	else if (st == ELF_NOT_ELF)
		err = "not an ELF file";
	if (st == ELF_NOT_ELF && !err[0])
		err = "not an ELF file";
	if (st != ELF_OK || run_kernel(&e, &k, &err)) {
		fprintf(stderr, "xsc-elfcheck: --kernel %s: %s\n", path, err);
		if (st == ELF_OK)
			elf_free(&e);
		elf_unmap(data, size);
		tot.ioerr++;
		if (json) {
			fprintf(json, "%s\n    {\"path\": ", *first ? "" : ",");
			json_str(path);
			fputs(", \"result\": \"error\", \"error\": ", json);
			json_str(err);
			fputc('}', json);
			*first = 0;
		}
		return;
	}
	if (!k.pass)
		tot.kernel_fail++;
	fprintf(out, "%s: kernel %s %s: %s\n", path, elf_machine_name(k.machine),
	       k.pass ? "PASS" : "FAIL", k.detail);
	if (json) {
		fprintf(json, "%s\n    {\"path\": ", *first ? "" : ",");
		json_str(path);
		fprintf(json, ", \"machine\": \"%s\", \"functions\": %ld, \"with_pad\": %ld, \"with_pad_at_entry\": %ld, \"unreadable\": %ld, \"fraction\": %.4f, \"result\": \"%s\", \"detail\": ",
			elf_machine_name(k.machine), k.funcs, k.pads,
			k.direct_pads, k.unreadable, k.fraction,
			k.pass ? "pass" : "fail");
		json_str(k.detail);
		fputc('}', json);
		*first = 0;
	}
	elf_free(&e);
	elf_unmap(data, size);
}

static void usage(FILE *f)
{
	fputs("usage: xsc-elfcheck [--policy base|hardened] [--sysroot DIR] [--json FILE|-]\n"
	      "                    [--waivers FILE] [--kernel VMLINUX]... [-v|--verbose] [-q|--quiet] PATH...\n"
	      "Checks ELF files (x86_64, x32, aarch64) for hardening; directories recurse.\n"
	      "Exit: 0 all files meet the policy, 1 some file fails, 2 usage/IO error.\n",
	      f);
}

int main(int argc, char **argv)
{
	const char **paths, **kernels;
	int npaths = 0, nkernels = 0, i, first = 1;

	paths = calloc((size_t)argc, sizeof(*paths));
	kernels = calloc((size_t)argc, sizeof(*kernels));
	if (!paths || !kernels)
		return 2;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *val = NULL;

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		}
		if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			opt.verbose = 1;
			continue;
		}
		if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			opt.quiet = 1;
			continue;
		}
		if (!strcmp(a, "--")) {
			for (i++; i < argc; i++)
				paths[npaths++] = argv[i];
			break;
		}
		if (!strncmp(a, "--", 2)) {
			const char *eq = strchr(a, '=');
			size_t len = eq ? (size_t)(eq - a) : strlen(a);

			if (eq)
				val = eq + 1;
			else if (i + 1 < argc)
				val = argv[++i];
			else {
				fprintf(stderr, "xsc-elfcheck: %s needs a value\n", a);
				return 2;
			}
			if (len == 8 && !strncmp(a, "--policy", len)) {
				if (!strcmp(val, "base"))
					opt.policy = POLICY_BASE;
				else if (!strcmp(val, "hardened"))
					opt.policy = POLICY_HARDENED;
				else {
					fprintf(stderr, "xsc-elfcheck: unknown policy '%s'\n", val);
					return 2;
				}
			} else if (len == 9 && !strncmp(a, "--sysroot", len)) {
				opt.sysroot = val;
			} else if (len == 6 && !strncmp(a, "--json", len)) {
				opt.json_path = val;
			} else if (len == 8 && !strncmp(a, "--kernel", len)) {
				kernels[nkernels++] = val;
			} else if (len == 9 && !strncmp(a, "--waivers", len)) {
				if (load_waivers(val))
					return 2;
			} else {
				fprintf(stderr, "xsc-elfcheck: unknown option %s\n", a);
				usage(stderr);
				return 2;
			}
			continue;
		}
		if (a[0] == '-' && a[1]) {
			fprintf(stderr, "xsc-elfcheck: unknown option %s\n", a);
			usage(stderr);
			return 2;
		}
		paths[npaths++] = a;
	}
	out = stdout;
	if (!npaths && !nkernels) {
		usage(stderr);
		return 2;
	}
	if (opt.sysroot) {
		struct stat st;

		if (stat(opt.sysroot, &st) || !S_ISDIR(st.st_mode)) {
			fprintf(stderr, "xsc-elfcheck: --sysroot %s: not a directory\n",
				opt.sysroot);
			return 2;
		}
	}
	if (opt.json_path) {
		json = strcmp(opt.json_path, "-") ? fopen(opt.json_path, "w") : stdout;
		if (!json) {
			fprintf(stderr, "xsc-elfcheck: %s: %s\n", opt.json_path,
				strerror(errno));
			return 2;
		}
		if (json == stdout)
			out = stderr;	/* keep stdout machine-readable */
	}
	if (json) {
		fprintf(json, "{\n  \"tool\": \"xsc-elfcheck\",\n  \"schema\": 1,\n  \"policy\": \"%s\",\n  \"sysroot\": ",
			opt.policy == POLICY_HARDENED ? "hardened" : "base");
		if (opt.sysroot)
			json_str(opt.sysroot);
		else
			fputs("null", json);
		fputs(",\n  \"files\": [", json);
	}
	for (i = 0; i < npaths; i++)
		walk(paths[i], 1);
	if (json)
		fputs("\n  ],\n  \"kernels\": [", json);
	for (i = 0; i < nkernels; i++)
		check_kernel(kernels[i], &first);
	fprintf(out, "xsc-elfcheck: policy %s: %ld ELF files, %ld pass, %ld fail, %ld malformed, %ld unsupported, %ld non-ELF skipped, %ld I/O errors",
	       opt.policy == POLICY_HARDENED ? "hardened" : "base", tot.elf,
	       tot.pass, tot.fail, tot.malformed, tot.unsupported, tot.non_elf,
	       tot.ioerr);
	if (nkernels)
		fprintf(out, ", %ld kernels (%ld fail)", tot.kernels, tot.kernel_fail);
	if (nwaivers)
		fprintf(out, ", %ld with waived checks", tot.waived);
	fputc('\n', out);
	/* a waiver that matched nothing is stale: say so, it does not fail */
	for (size_t j = 0; j < nwaivers; j++)
		if (!waivers[j].used)
			fprintf(stderr, "xsc-elfcheck: waiver '%s %s' matched no failure\n",
				check_names[waivers[j].check], waivers[j].glob);
	if (json) {
		fprintf(json, "\n  ],\n  \"summary\": {\"elf\": %ld, \"pass\": %ld, \"fail\": %ld, \"malformed\": %ld, \"unsupported\": %ld, \"non_elf\": %ld, \"io_errors\": %ld, \"kernels\": %ld, \"kernel_fail\": %ld, \"waived\": %ld}\n}\n",
			tot.elf, tot.pass, tot.fail, tot.malformed,
			tot.unsupported, tot.non_elf, tot.ioerr, tot.kernels,
			tot.kernel_fail, tot.waived);
		if (fclose(json)) {
			fprintf(stderr, "xsc-elfcheck: writing JSON failed\n");
			return 2;
		}
	}
	free(paths);
	free(kernels);
	if (tot.ioerr)
		return 2;
	return tot.fail || tot.malformed || tot.kernel_fail ? 1 : 0;
}
