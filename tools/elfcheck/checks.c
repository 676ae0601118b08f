// SPDX-License-Identifier: MIT
/*
 * xsc-elfcheck: the hardening checks. See README.md for the exact rules.
 */
#include "checks.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *const check_names[C_NCHECKS] = {
	"pie", "relro", "bindnow", "nxstack", "textrel", "wx",
	"stackprot", "fortify", "property", "landing", "closure",
};

const char *status_name(enum check_status st)
{
	return st == ST_PASS ? "pass" : st == ST_FAIL ? "fail" : st == ST_WAIVED ? "waived" : "n/a";
}

static void set(struct check *c, enum check_status st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set(struct check *c, enum check_status st, const char *fmt, ...)
{
	va_list ap;

	c->st = st;
	va_start(ap, fmt);
	vsnprintf(c->detail, sizeof(c->detail), fmt, ap);
	va_end(ap);
}

/* Append ", name" to a bounded list buffer, "..." once it is full. */
static void list_add(char *buf, size_t sz, int *count, int max,
		     const char *name)
{
	size_t len = strlen(buf);

	(*count)++;
	if (*count > max) {
		if (*count == max + 1 && len + 5 < sz)
			strcat(buf, ", ...");
		return;
	}
	snprintf(buf + len, sz - len, "%s%s", len ? ", " : "", name);
}

/* Functions glibc can fortify (an unfortified import of one of these). */
static const char *const fortifiable[] = {
	"memcpy", "memmove", "mempcpy", "memset", "strcpy", "stpcpy",
	"strncpy", "stpncpy", "strcat", "strncat", "sprintf", "snprintf",
	"vsprintf", "vsnprintf", "printf", "fprintf", "vprintf", "vfprintf",
	"dprintf", "vdprintf", "asprintf", "vasprintf", "read", "pread",
	"pread64", "recv", "recvfrom", "readlink", "readlinkat", "getcwd",
	"getwd", "realpath", "gets", "fgets", "fgets_unlocked", "fread",
	"fread_unlocked", "confstr", "getgroups", "ttyname_r", "getlogin_r",
	"gethostname", "getdomainname", "wcscpy", "wcsncpy", "wcscat",
	"wcsncat", "wmemcpy", "wmemmove", "wmemset", "wcpcpy", "wcpncpy",
	"swprintf", "wprintf", "fwprintf", "mbstowcs", "wcstombs", "wcrtomb",
	"wctomb", "syslog", "vsyslog", "poll", "ppoll", "explicit_bzero",
	"obstack_printf", "obstack_vprintf", "longjmp", "fdelt", NULL,
};

static int is_fortifiable(const char *name)
{
	const char *const *p;
	const char *at = strchr(name, '@');
	size_t len = at ? (size_t)(at - name) : strlen(name);

	for (p = fortifiable; *p; p++)
		if (strlen(*p) == len && !strncmp(*p, name, len))
			return 1;
	return 0;
}

static int is_chk_func(const char *name)
{
	size_t len = strlen(name);

	if (strncmp(name, "__", 2) || len < 7)
		return 0;
	if (strcmp(name + len - 4, "_chk"))
		return 0;
	return strncmp(name, "__stack_chk", 11) != 0;
}

struct symscan {
	int sp_ref, sp_def;
	int chk_def;
	int nchk, nplain;
	char chk[200], plain[200];
	int in_dynsym;
};

static int scan_sym(const struct elf *e, const struct elf_sym *s, void *ctx)
{
	struct symscan *sc = ctx;
	int undef = s->shndx == SHN_UNDEF;

	(void)e;
	if (!s->name[0])
		return 0;
	if (!strcmp(s->name, "__stack_chk_fail") ||
	    !strcmp(s->name, "__stack_chk_fail_local") ||
	    !strcmp(s->name, "__stack_chk_guard")) {
		if (undef)
			sc->sp_ref = 1;
		else
			sc->sp_def = 1;
	}
	if (!undef) {
		if (is_chk_func(s->name) || !strcmp(s->name, "__chk_fail"))
			sc->chk_def = 1;
		return 0;
	}
	/* Only imports count for fortify, and only from one table. */
	if (!sc->in_dynsym)
		return 0;
	if (is_chk_func(s->name))
		list_add(sc->chk, sizeof(sc->chk), &sc->nchk, 4, s->name);
	else if (is_fortifiable(s->name))
		list_add(sc->plain, sizeof(sc->plain), &sc->nplain, 4, s->name);
	return 0;
}

static int is_loader(const struct elf *e)
{
	uint64_t v;
	const char *so;

	if (!elf_dyn_get(e, DT_SONAME, &v) || !(so = elf_dynstr(e, v)))
		return 0;
	return !strncmp(so, "ld-linux", 8) || !strncmp(so, "ld64.so", 7) ||
	       !strncmp(so, "ld.so", 5);
}

/* ---- landing pads ---- */

static int pad_at(const struct elf *e, uint64_t off, int *unreadable);

static int has_pad(const struct elf *e, uint64_t vaddr, int *unreadable)
{
	uint64_t off;

	if (elf_vaddr_to_off(e, vaddr, 4, &off)) {
		*unreadable = 1;
		return 0;
	}
	return pad_at(e, off, unreadable);
}

/*
 * A relocatable object's symbol values are offsets into their section
 * (st_shndx), not addresses.
 */
static int has_pad_rel(const struct elf *e, const struct elf_sym *s, int *unreadable)
{
	const struct elf_shdr *sh;

	if (s->shndx >= e->shnum) {
		*unreadable = 1;
		return 0;
	}
	sh = &e->sh[s->shndx];
	if (sh->type == SHT_NOBITS || s->value > sh->size || sh->size - s->value < 4 ||
	    !elf_range_ok(e, sh->offset + s->value, 4)) {
		*unreadable = 1;
		return 0;
	}
	return pad_at(e, sh->offset + s->value, unreadable);
}

static int pad_at(const struct elf *e, uint64_t off, int *unreadable)
{
	const uint8_t *p;
	uint32_t insn;

	*unreadable = 0;
	p = e->data + off;
	if (e->machine == EM_X86_64)
		return p[0] == 0xf3 && p[1] == 0x0f && p[2] == 0x1e &&
		       p[3] == 0xfa;
	insn = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
	return insn == 0xd503245f ||	/* bti c */
	       insn == 0xd50324df ||	/* bti jc */
	       insn == 0xd503233f ||	/* paciasp */
	       insn == 0xd503237f;	/* pacibsp */
}

struct padscan {
	long checked, missing_global, missing_local, unreadable;
	int nlist;
	char list[200];
};

static int sym_in_exec(const struct elf *e, const struct elf_sym *s)
{
	if (s->shndx == SHN_UNDEF || s->shndx >= SHN_LORESERVE)
		return 0;
	if (s->shndx < e->shnum)
		return (e->sh[s->shndx].flags & SHF_EXECINSTR) != 0;
	return elf_vaddr_exec(e, s->value);
}

static int scan_pad(const struct elf *e, const struct elf_sym *s, void *ctx)
{
	struct padscan *ps = ctx;
	int unreadable;

	if (s->type != STT_FUNC || !s->size || !sym_in_exec(e, s))
		return 0;
	ps->checked++;
	if (e->type == ET_REL ? has_pad_rel(e, s, &unreadable) : has_pad(e, s->value, &unreadable))
		return 0;
	if (unreadable) {
		ps->unreadable++;
		return 0;
	}
	if (s->bind == STB_LOCAL) {
		ps->missing_local++;
		return 0;
	}
	ps->missing_global++;
	list_add(ps->list, sizeof(ps->list), &ps->nlist, 3,
		 s->name[0] ? s->name : "?");
	return 0;
}

static void check_landing(const struct elf *e, struct report *r)
{
	struct check *c = &r->c[C_LANDING];
	struct padscan ps = { 0 };
	const char *pad = e->machine == EM_X86_64 ? "endbr64" :
			  "bti c/bti jc/paciasp/pacibsp";
	const char *table = ".symtab";
	int entry_bad = 0, unreadable = 0, claimed;
	char entry[64] = "";

	if (e->machine != EM_X86_64 && e->machine != EM_AARCH64) {
		set(c, ST_NA, "no landing-pad rule for this machine");
		return;
	}
	claimed = e->prop_found && (e->prop_bits & 1);
	if (r->is_exec && e->entry) {
		if (!has_pad(e, e->entry, &unreadable)) {
			entry_bad = 1;
			snprintf(entry, sizeof(entry), "%s at e_entry; ",
				 unreadable ? "e_entry unreadable" :
				 "no landing pad");
		}
	}
	if (elf_for_each_sym(e, SHT_SYMTAB, scan_pad, &ps) < 0) {
		table = ".dynsym";
		if (elf_for_each_sym(e, SHT_DYNSYM, scan_pad, &ps) < 0)
			table = "no symbol table";
	}
	if (!entry_bad && !ps.missing_global) {
		if (!ps.checked && !(r->is_exec && e->entry)) {
			set(c, ST_NA, "no function symbols to check (%s)", table);
			return;
		}
		set(c, ST_PASS,
		    "%s: %ld functions checked (%s), %ld local without pad (direct-call only)%s",
		    pad, ps.checked, table, ps.missing_local,
		    r->is_exec && e->entry ? ", e_entry ok" : "");
		return;
	}
	set(c, ST_FAIL, "%s%s%ld of %ld functions (%s) lack %s: %s%s",
	    claimed ? "property forced without instrumentation: " : "",
	    entry, ps.missing_global, ps.checked, table, pad,
	    ps.list[0] ? ps.list : "-",
	    ps.missing_local ? " (+ locals)" : "");
}

static void check_property(const struct elf *e, struct report *r)
{
	struct check *c = &r->c[C_PROPERTY];
	uint32_t b = e->prop_bits;

	if (e->machine == EM_X86_64) {
		if (!e->prop_found) {
			set(c, ST_FAIL, "no GNU_PROPERTY_X86_FEATURE_1_AND (IBT, SHSTK missing)");
			return;
		}
		set(c, (b & 3) == 3 ? ST_PASS : ST_FAIL, "x86 feature:%s%s",
		    b & FEATURE_X86_IBT ? " IBT" : " (no IBT)",
		    b & FEATURE_X86_SHSTK ? " SHSTK" : " (no SHSTK)");
	} else if (e->machine == EM_AARCH64) {
		if (!e->prop_found) {
			set(c, ST_FAIL, "no GNU_PROPERTY_AARCH64_FEATURE_1_AND (BTI, PAC missing)");
			return;
		}
		set(c, (b & 3) == 3 ? ST_PASS : ST_FAIL, "AArch64 feature:%s%s",
		    b & FEATURE_AARCH64_BTI ? " BTI" : " (no BTI)",
		    b & FEATURE_AARCH64_PAC ? " PAC" : " (no PAC)");
	} else {
		set(c, ST_NA, "no feature property for this machine");
	}
}

void run_checks(const struct elf *e, struct report *r)
{
	const struct elf_phdr *interp = elf_phdr_find(e, PT_INTERP);
	const struct elf_phdr *dynph = elf_phdr_find(e, PT_DYNAMIC);
	const struct elf_phdr *stack = elf_phdr_find(e, PT_GNU_STACK);
	uint64_t flags = 0, flags1 = 0;
	int has_dyn = dynph || e->ndyn;
	struct symscan sc = { 0 };
	size_t i;
	int wx = 0;

	elf_dyn_get(e, DT_FLAGS, &flags);
	elf_dyn_get(e, DT_FLAGS_1, &flags1);
	r->is64 = e->is64;
	r->machine = e->machine;
	r->type = e->type;

	/* 1. pie */
	if (e->type == ET_EXEC) {
		r->kind = has_dyn ? "exec" : "static-exec";
		r->is_exec = 1;
		set(&r->c[C_PIE], ST_FAIL, "ET_EXEC: position-dependent executable");
	} else if (interp || (flags1 & DF_1_PIE)) {
		r->kind = "exec";
		r->is_exec = 1;
		set(&r->c[C_PIE], ST_PASS, "ET_DYN with %s",
		    flags1 & DF_1_PIE ? "DF_1_PIE" : "PT_INTERP");
	} else {
		r->kind = "lib";
		set(&r->c[C_PIE], ST_NA, "shared library");
	}

	/* 2. relro */
	if (elf_phdr_find(e, PT_GNU_RELRO))
		set(&r->c[C_RELRO], ST_PASS, "PT_GNU_RELRO present");
	else if (!has_dyn)
		set(&r->c[C_RELRO], ST_NA, "static, no PT_DYNAMIC");
	else
		set(&r->c[C_RELRO], ST_FAIL, "no PT_GNU_RELRO");

	/* 3. bindnow */
	if (!has_dyn)
		set(&r->c[C_BINDNOW], ST_NA, "static, no PT_DYNAMIC");
	else if (elf_dyn_get(e, DT_BIND_NOW, NULL))
		set(&r->c[C_BINDNOW], ST_PASS, "DT_BIND_NOW");
	else if (flags & DF_BIND_NOW)
		set(&r->c[C_BINDNOW], ST_PASS, "DF_BIND_NOW in DT_FLAGS");
	else if (flags1 & DF_1_NOW)
		set(&r->c[C_BINDNOW], ST_PASS, "DF_1_NOW in DT_FLAGS_1");
	else
		set(&r->c[C_BINDNOW], ST_FAIL, "lazy binding (no BIND_NOW/DF_1_NOW)");

	/* 4. nxstack */
	if (!stack)
		set(&r->c[C_NXSTACK], ST_FAIL, "no PT_GNU_STACK (stack may be executable)");
	else if (stack->flags & PF_X)
		set(&r->c[C_NXSTACK], ST_FAIL, "PT_GNU_STACK is executable");
	else
		set(&r->c[C_NXSTACK], ST_PASS, "PT_GNU_STACK not executable");

	/* 5. textrel */
	if (elf_dyn_get(e, DT_TEXTREL, NULL))
		set(&r->c[C_TEXTREL], ST_FAIL, "DT_TEXTREL");
	else if (flags & DF_TEXTREL)
		set(&r->c[C_TEXTREL], ST_FAIL, "DF_TEXTREL in DT_FLAGS");
	else
		set(&r->c[C_TEXTREL], ST_PASS, "no text relocations");

	/* 6. wx */
	for (i = 0; i < e->phnum; i++) {
		if (e->ph[i].type == PT_LOAD &&
		    (e->ph[i].flags & (PF_W | PF_X)) == (PF_W | PF_X)) {
			wx++;
			if (wx == 1)
				set(&r->c[C_WX], ST_FAIL,
				    "PT_LOAD at 0x%llx is writable and executable",
				    (unsigned long long)e->ph[i].vaddr);
		}
	}
	if (!wx)
		set(&r->c[C_WX], ST_PASS, "no W+X PT_LOAD");

	/* 7, 8: symbol-based checks */
	/* Imports come from .dynsym only; .symtab adds definitions. */
	sc.in_dynsym = 1;
	elf_for_each_sym(e, SHT_DYNSYM, scan_sym, &sc);
	sc.in_dynsym = 0;
	elf_for_each_sym(e, SHT_SYMTAB, scan_sym, &sc);

	if (sc.sp_ref)
		set(&r->c[C_STACKPROT], ST_PASS, "references the stack protector (__stack_chk_*)");
	else if (sc.sp_def)
		set(&r->c[C_STACKPROT], ST_PASS, "defines __stack_chk_fail/__stack_chk_guard (libc/loader)");
	else if (is_loader(e))
		set(&r->c[C_STACKPROT], ST_NA, "dynamic loader: canary use not visible in symbols");
	else if (!has_dyn && elf_section_find(e, SHT_SYMTAB) < 0)
		set(&r->c[C_STACKPROT], ST_NA, "static and stripped: no symbols");
	else
		set(&r->c[C_STACKPROT], ST_FAIL, "no reference to __stack_chk_fail/__stack_chk_guard");

	if (!has_dyn)
		set(&r->c[C_FORTIFY], ST_NA, "static: imports not visible");
	else if (sc.chk_def)
		set(&r->c[C_FORTIFY], ST_NA, "provides the __*_chk functions (libc/loader)");
	else if (sc.nchk)
		set(&r->c[C_FORTIFY], ST_PASS, "%d fortified: %s%s", sc.nchk, sc.chk,
		    sc.nplain ? " (some calls unfortified)" : "");
	else if (sc.nplain)
		set(&r->c[C_FORTIFY], ST_FAIL, "unfortified: %s", sc.plain);
	else
		set(&r->c[C_FORTIFY], ST_NA, "calls no fortifiable function");

	check_property(e, r);
	check_landing(e, r);
	set(&r->c[C_CLOSURE], ST_NA, "not computed");
}

/*
 * A relocatable object (a crt file, a member of a static library) is not a
 * linked artifact: what a link decides (PIE, RELRO, BIND_NOW, the stack,
 * text relocations, segments, the closure) and what is read from imports
 * (canary, fortified calls) is checked in what links it. Its own CET / BTI
 * note and its functions' landing pads are its compiler's, and one object
 * without the note clears it in every output that links it.
 */
void run_object_checks(const struct elf *e, struct report *r)
{
	int i;

	r->is64 = e->is64;
	r->machine = e->machine;
	r->type = e->type;
	r->kind = "object";
	r->is_exec = 0;
	for (i = 0; i < C_NCHECKS; i++)
		set(&r->c[i], ST_NA, "relocatable object: checked where it is linked");
	check_property(e, r);
	check_landing(e, r);
}

int check_required(enum check_id id, enum policy pol)
{
	if (id <= C_BASE_LAST)
		return 1;
	return pol == POLICY_HARDENED;
}

void apply_policy(struct report *r, enum policy pol)
{
	int i;

	r->pass = 1;
	for (i = 0; i < C_NCHECKS; i++)
		if (check_required(i, pol) && r->c[i].st == ST_FAIL)
			r->pass = 0;
}

/* ---- closure ---- */

#define MAX_MODS 512

/*
 * Resolve an absolute path inside root, following symlinks so that absolute
 * link targets stay inside root. root "" means the host filesystem.
 */
static int sr_resolve(const char *root, const char *path, char *out,
		      size_t outsz)
{
	char cur[PATH_MAX] = "", todo[PATH_MAX], tmp[PATH_MAX * 2];
	char host[PATH_MAX * 2], link[PATH_MAX];
	int loops = 0;
	struct stat st;

	if (snprintf(todo, sizeof(todo), "%s", path) >= (int)sizeof(todo))
		return -1;
	while (todo[0]) {
		char *p = todo, comp[NAME_MAX + 1];
		size_t n;

		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		if (!n)
			break;
		if (n > NAME_MAX)
			return -1;
		memcpy(comp, p, n);
		comp[n] = '\0';
		memmove(todo, p + n, strlen(p + n) + 1);
		if (!strcmp(comp, "."))
			continue;
		if (!strcmp(comp, "..")) {
			char *s = strrchr(cur, '/');

			if (s)
				*s = '\0';
			continue;
		}
		if (strlen(cur) + n + 2 > sizeof(cur))
			return -1;
		snprintf(host, sizeof(host), "%s%s/%s", root, cur, comp);
		if (lstat(host, &st))
			return -1;
		if (S_ISLNK(st.st_mode)) {
			ssize_t l = readlink(host, link, sizeof(link) - 1);

			if (l <= 0 || ++loops > 40)
				return -1;
			link[l] = '\0';
			if (link[0] == '/')
				cur[0] = '\0';
			if (snprintf(tmp, sizeof(tmp), "%s/%s", link, todo) >=
			    (int)sizeof(todo))
				return -1;
			strcpy(todo, tmp);
			continue;
		}
		strcat(cur, "/");
		strcat(cur, comp);
	}
	if (snprintf(out, outsz, "%s%s", root, cur[0] ? cur : "/") >= (int)outsz)
		return -1;
	return 0;
}

static const char *const dirs_x86_64[] = {
	"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64",
	"/usr/lib64", "/lib", "/usr/lib", NULL,
};
static const char *const dirs_x32[] = {
	"/lib/x86_64-linux-gnux32", "/usr/lib/x86_64-linux-gnux32", "/libx32",
	"/usr/libx32", "/lib", "/usr/lib", NULL,
};
static const char *const dirs_aarch64[] = {
	"/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/lib64",
	"/usr/lib64", "/lib", "/usr/lib", NULL,
};

struct cl_ctx {
	const char *root;	/* sysroot, no trailing slash */
	int is64;
	uint16_t machine;
	const char *exe_rpath;	/* inherited DT_RPATH of the executable */
	char exe_origin[PATH_MAX];
	struct closure *cl;
};

/* Parse a candidate; 1 if it is a matching ELF shared object/executable. */
static int load_match(struct cl_ctx *x, const char *host, struct elf *e,
		      const uint8_t **data, size_t *size)
{
	const char *err;

	if (elf_map(host, data, size, &err) != ELF_OK)
		return 0;
	if (elf_parse(e, *data, *size, &err) != ELF_OK ||
	    e->is64 != x->is64 || e->machine != x->machine) {
		elf_free(e);
		elf_unmap(*data, *size);
		return 0;
	}
	return 1;
}

static int already(struct closure *cl, const char *host)
{
	size_t i;

	for (i = 0; i < cl->nmods; i++)
		if (!strcmp(cl->mods[i].path, host))
			return 1;
	return 0;
}

static void add_mod(struct closure *cl, const char *host)
{
	struct closure_mod *m;

	if (cl->nmods >= MAX_MODS || already(cl, host))
		return;
	m = realloc(cl->mods, (cl->nmods + 1) * sizeof(*m));
	if (!m)
		return;
	cl->mods = m;
	m[cl->nmods].path = strdup(host);
	m[cl->nmods].prop_found = 0;
	m[cl->nmods].bits = 0;
	if (m[cl->nmods].path)
		cl->nmods++;
}

static void add_unresolved(struct closure *cl, const char *name)
{
	char **u;
	size_t i;

	for (i = 0; i < cl->nunresolved; i++)
		if (!strcmp(cl->unresolved[i], name))
			return;
	u = realloc(cl->unresolved, (cl->nunresolved + 1) * sizeof(*u));
	if (!u)
		return;
	cl->unresolved = u;
	u[cl->nunresolved] = strdup(name);
	if (u[cl->nunresolved])
		cl->nunresolved++;
}

/* Try dir/name; dir may contain $ORIGIN. Returns 1 and sets out if found. */
static int try_dir(struct cl_ctx *x, const char *dir, const char *origin,
		   const char *name, char *out, size_t outsz)
{
	char path[PATH_MAX * 2], exp[PATH_MAX];
	const char *root = x->root;
	const char *o = strstr(dir, "$ORIGIN");
	struct elf e;
	const uint8_t *data;
	size_t size;

	if (!o)
		o = strstr(dir, "${ORIGIN}");
	if (o) {
		size_t skip = o[1] == '{' ? 9 : 7;

		if (snprintf(exp, sizeof(exp), "%.*s%s%s", (int)(o - dir), dir,
			     origin, o + skip) >= (int)sizeof(exp))
			return 0;
		dir = exp;
		/* origin is already a host path */
		root = "";
	}
	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return 0;
	if (sr_resolve(root, path, out, outsz))
		return 0;
	if (!load_match(x, out, &e, &data, &size))
		return 0;
	elf_free(&e);
	elf_unmap(data, size);
	return 1;
}

static int search_list(struct cl_ctx *x, const char *list, const char *origin,
		       const char *name, char *out, size_t outsz)
{
	char buf[PATH_MAX], *tok, *save = NULL;

	if (!list || snprintf(buf, sizeof(buf), "%s", list) >= (int)sizeof(buf))
		return 0;
	for (tok = strtok_r(buf, ":", &save); tok;
	     tok = strtok_r(NULL, ":", &save))
		if (try_dir(x, tok, origin, name, out, outsz))
			return 1;
	return 0;
}

static int find_lib(struct cl_ctx *x, const struct elf *e, const char *origin,
		    int is_main, const char *name, char *out, size_t outsz)
{
	const char *const *d;
	const char *runpath = NULL, *rpath = NULL;
	uint64_t v;

	if (strchr(name, '/')) {
		if (name[0] == '/')
			return try_dir(x, "", origin, name + 1, out, outsz);
		return try_dir(x, "$ORIGIN", origin, name, out, outsz);
	}
	if (elf_dyn_get(e, DT_RUNPATH, &v))
		runpath = elf_dynstr(e, v);
	if (elf_dyn_get(e, DT_RPATH, &v))
		rpath = elf_dynstr(e, v);
	if (!runpath) {
		if (search_list(x, rpath, origin, name, out, outsz))
			return 1;
		if (!is_main &&
		    search_list(x, x->exe_rpath, x->exe_origin, name, out, outsz))
			return 1;
	} else if (search_list(x, runpath, origin, name, out, outsz)) {
		return 1;
	}
	d = x->machine == EM_AARCH64 ? dirs_aarch64 :
	    x->is64 ? dirs_x86_64 : dirs_x32;
	for (; *d; d++)
		if (try_dir(x, *d, origin, name, out, outsz))
			return 1;
	return 0;
}

static void dirname_of(const char *path, char *out, size_t outsz)
{
	const char *s = strrchr(path, '/');

	if (!s)
		snprintf(out, outsz, ".");
	else if (s == path)
		snprintf(out, outsz, "/");
	else
		snprintf(out, outsz, "%.*s", (int)(s - path), path);
}

static void closure_walk(struct cl_ctx *x, const struct elf *exe)
{
	struct closure *cl = x->cl;
	const struct elf_phdr *ip = elf_phdr_find(exe, PT_INTERP);
	char found[PATH_MAX * 2], origin[PATH_MAX];
	size_t i, k;

	cl->mods[0].prop_found = exe->prop_found;
	cl->mods[0].bits = exe->prop_bits;
	if (ip && elf_range_ok(exe, ip->offset, ip->filesz) && ip->filesz > 1) {
		char interp[PATH_MAX];
		size_t n = ip->filesz < sizeof(interp) ? ip->filesz : sizeof(interp) - 1;
		struct elf e;
		const uint8_t *data;
		size_t size;

		memcpy(interp, exe->data + ip->offset, n);
		interp[n] = '\0';
		interp[strnlen(interp, n)] = '\0';
		if (!sr_resolve(x->root, interp, found, sizeof(found)) &&
		    load_match(x, found, &e, &data, &size)) {
			elf_free(&e);
			elf_unmap(data, size);
			add_mod(cl, found);
		} else {
			add_unresolved(cl, interp);
		}
	}

	for (i = 0; i < cl->nmods; i++) {
		struct elf e;
		const uint8_t *data;
		size_t size;
		const struct elf *cur;

		if (i == 0) {
			cur = exe;
			snprintf(origin, sizeof(origin), "%s", x->exe_origin);
		} else {
			if (!load_match(x, cl->mods[i].path, &e, &data, &size))
				continue;
			cl->mods[i].prop_found = e.prop_found;
			cl->mods[i].bits = e.prop_bits;
			cur = &e;
			dirname_of(cl->mods[i].path, origin, sizeof(origin));
		}
		for (k = 0; k < cur->ndyn; k++) {
			const char *name;

			if (cur->dyn[k].tag != DT_NEEDED)
				continue;
			name = elf_dynstr(cur, cur->dyn[k].val);
			if (!name || !name[0])
				continue;
			if (find_lib(x, cur, origin, i == 0, name, found,
				     sizeof(found)))
				add_mod(cl, found);
			else
				add_unresolved(cl, name);
		}
		if (i != 0) {
			elf_free(&e);
			elf_unmap(data, size);
		}
	}
}

void run_closure(const struct elf *e, struct report *r, const char *sysroot)
{
	struct check *c = &r->c[C_CLOSURE];
	struct closure *cl = &r->cl;
	struct cl_ctx x = { 0 };
	char hostpath[PATH_MAX], rootreal[PATH_MAX], blk_a[240] = "",
	     blk_b[240] = "";
	int na = 0, nb = 0;
	uint64_t v;
	size_t i;
	const char *a_name;

	if (!sysroot) {
		set(c, ST_NA, "no --sysroot given");
		return;
	}
	if (!r->is_exec || !elf_phdr_find(e, PT_INTERP)) {
		set(c, ST_NA, r->is_exec ? "static executable" : "not an executable");
		return;
	}
	if (e->machine != EM_X86_64 && e->machine != EM_AARCH64) {
		set(c, ST_NA, "no closure rule for this machine");
		return;
	}
	if (!realpath(sysroot, rootreal) || !realpath(r->path, hostpath)) {
		set(c, ST_FAIL, "cannot resolve sysroot or file path");
		return;
	}
	if (!strcmp(rootreal, "/"))
		rootreal[0] = '\0';
	x.root = rootreal;
	x.is64 = e->is64;
	x.machine = e->machine;
	x.cl = cl;
	dirname_of(hostpath, x.exe_origin, sizeof(x.exe_origin));
	if (!elf_dyn_get(e, DT_RUNPATH, &v) && elf_dyn_get(e, DT_RPATH, &v))
		x.exe_rpath = elf_dynstr(e, v);
	add_mod(cl, hostpath);
	if (!cl->nmods) {
		set(c, ST_FAIL, "out of memory");
		return;
	}
	closure_walk(&x, e);
	cl->done = 1;

	cl->eff_a = cl->eff_b = 1;
	for (i = 0; i < cl->nmods; i++) {
		const struct closure_mod *m = &cl->mods[i];
		const char *base = strrchr(m->path, '/');

		base = base ? base + 1 : m->path;
		if (!m->prop_found || !(m->bits & 1)) {
			cl->eff_a = 0;
			list_add(blk_a, sizeof(blk_a), &na, 4, base);
		}
		if (!m->prop_found || !(m->bits & 2)) {
			cl->eff_b = 0;
			list_add(blk_b, sizeof(blk_b), &nb, 4, base);
		}
	}
	if (cl->nunresolved)
		cl->eff_a = cl->eff_b = 0;
	a_name = e->machine == EM_X86_64 ? "IBT" : "BTI";
	if (cl->nunresolved) {
		set(c, ST_FAIL, "%zu modules, unresolved: %s%s; %s blocked by: %s",
		    cl->nmods, cl->unresolved[0],
		    cl->nunresolved > 1 ? " ..." : "", a_name,
		    na ? blk_a : "-");
	} else if (e->machine == EM_X86_64) {
		if (cl->eff_a && cl->eff_b)
			set(c, ST_PASS, "%zu modules, effective IBT+SHSTK on",
			    cl->nmods);
		else
			set(c, ST_FAIL,
			    "%zu modules, effective IBT %s%s%s, SHSTK %s%s%s",
			    cl->nmods, cl->eff_a ? "on" : "off (",
			    cl->eff_a ? "" : blk_a, cl->eff_a ? "" : ")",
			    cl->eff_b ? "on" : "off (",
			    cl->eff_b ? "" : blk_b, cl->eff_b ? "" : ")");
	} else {
		/* BTI is per module: the closure fails if any module lacks it. */
		if (cl->eff_a)
			set(c, ST_PASS, "%zu modules, all BTI%s%s", cl->nmods,
			    nb ? "; without PAC: " : "", nb ? blk_b : "");
		else
			set(c, ST_FAIL, "%zu modules, without BTI: %s%s%s",
			    cl->nmods, blk_a, nb ? "; without PAC: " : "",
			    nb ? blk_b : "");
	}
}

void report_free(struct report *r)
{
	size_t i;

	for (i = 0; i < r->cl.nmods; i++)
		free(r->cl.mods[i].path);
	for (i = 0; i < r->cl.nunresolved; i++)
		free(r->cl.unresolved[i]);
	free(r->cl.mods);
	free(r->cl.unresolved);
	free(r->path);
	memset(r, 0, sizeof(*r));
}

/* ---- kernel mode ---- */

struct kscan {
	long text_idx;
	long funcs, pads, direct_pads, unreadable;
};

static int scan_kernel(const struct elf *e, const struct elf_sym *s, void *ctx)
{
	struct kscan *k = ctx;
	uint64_t off;
	int unreadable, n;

	if (s->type != STT_FUNC || !s->size || s->shndx != k->text_idx)
		return 0;
	k->funcs++;
	if (has_pad(e, s->value, &unreadable)) {
		k->pads++;
		k->direct_pads++;
		return 0;
	}
	if (unreadable) {
		k->unreadable++;
		return 0;
	}
	/* arm64: allow the -fpatchable-function-entry NOPs before the pad. */
	if (e->machine != EM_AARCH64)
		return 0;
	for (n = 0; n < 2 && (uint64_t)(n + 1) * 4 < s->size; n++) {
		if (elf_vaddr_to_off(e, s->value + 4 * n, 4, &off))
			return 0;
		if (!(e->data[off] == 0x1f && e->data[off + 1] == 0x20 &&
		      e->data[off + 2] == 0x03 && e->data[off + 3] == 0xd5))
			break;
	}
	if (n && has_pad(e, s->value + 4 * n, &unreadable))
		k->pads++;
	return 0;
}

/*
 * Policy threshold: see README.md. The fraction counts functions in .text
 * that start with a landing pad (arm64: possibly after ftrace NOPs).
 */
#define KERNEL_X86_THRESHOLD	0.50
#define KERNEL_ARM64_THRESHOLD	0.50

int run_kernel(const struct elf *e, struct kernel_report *kr, const char **err)
{
	struct kscan k = { .text_idx = -1 };
	double thr;
	size_t i;

	memset(kr, 0, sizeof(*kr));
	kr->machine = e->machine;
	if (e->type != ET_EXEC) {
		*err = "not ET_EXEC (expected a vmlinux)";
		return -1;
	}
	if (e->machine != EM_X86_64 && e->machine != EM_AARCH64) {
		*err = "unsupported machine for --kernel";
		return -1;
	}
	for (i = 0; i < e->shnum; i++) {
		const char *n = elf_section_name(e, i);

		if (n && !strcmp(n, ".text")) {
			k.text_idx = (long)i;
			break;
		}
	}
	if (k.text_idx < 0) {
		*err = "no .text section";
		return -1;
	}
	if (elf_for_each_sym(e, SHT_SYMTAB, scan_kernel, &k) < 0) {
		*err = "no .symtab";
		return -1;
	}
	kr->funcs = k.funcs;
	kr->pads = k.pads;
	kr->direct_pads = k.direct_pads;
	kr->unreadable = k.unreadable;
	kr->fraction = k.funcs ? (double)k.pads / (double)k.funcs : 0.0;
	thr = e->machine == EM_X86_64 ? KERNEL_X86_THRESHOLD :
	      KERNEL_ARM64_THRESHOLD;
	kr->pass = k.funcs > 0 && kr->fraction >= thr;
	snprintf(kr->detail, sizeof(kr->detail),
		 "%ld of %ld .text functions start with %s (%.1f%%, threshold %.0f%%)",
		 k.pads, k.funcs,
		 e->machine == EM_X86_64 ? "endbr64" : "paciasp/bti c",
		 100.0 * kr->fraction, 100.0 * thr);
	return 0;
}
