// SPDX-License-Identifier: GPL-2.0-only
/* Struct and union layouts from DWARF for the types a set of functions and
 * variables reach, so that a patch changing one can be told from one that does not. */
#include <dwarf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dwarf-layout.h"
#include "dwarf-open.h"
#include "log.h"

/* chains of typedefs, qualifiers, pointers and arrays longer than this are
 * malformed (or cyclic) DWARF */
#define MAX_STRIP 64
#define MAX_NEST 16

struct name_node {
	struct lpb_hnode node;
	const char *name;
};

struct seen_node {
	struct lpb_hnode node;
	Dwarf_Off off;
	struct lpb_layout *layout;
};

struct pending {
	struct lpb_layout *layout;
	Dwarf_Off off;
};

/* What a member's type (a DIE many members share: int, struct list_head,
 * a typedef) amounts to, worked out once. */
struct type_info {
	struct lpb_hnode node;
	Dwarf_Off off;
	const char *text; /* type_text() */
	int64_t size;
	Dwarf_Off anon; /* an unnamed struct/union it is (spelled out in place) */
	Dwarf_Off anon_elem; /* an array of one: its element type */
	bool reached; /* followed to the struct it leads to */
};

struct walk {
	Dwarf *dw;
	const struct lpb_layout_query *q;
	struct lpb_layout_set *out;
	struct lpb_hash funcs, vars, types, seen, infos;
	struct name_node *names; /* nodes of the three name sets */
	struct pending *queue; /* layouts whose members are still to read */
	size_t nr_queue, cap_queue, head;
	int err;
};

struct text {
	char buf[256];
	size_t len;
};

static uint32_t off_hash(Dwarf_Off off)
{
	return (uint32_t)(off * 0x9e3779b97f4a7c15ull >> 32);
}

static bool in_set(const struct lpb_hash *h, const char *name)
{
	struct lpb_hnode *n;

	if (!name || !h->count)
		return false;
	lpb_hash_for_each_possible(h, n, lpb_str_hash(name))
		if (!strcmp(container_of(n, struct name_node, node)->name, name))
			return true;
	return false;
}

static int add_names(struct lpb_hash *h, struct name_node *nodes, const char *const *v,
		     size_t nr)
{
	for (size_t i = 0; i < nr; i++) {
		nodes[i].name = v[i];
		if (lpb_hash_add(h, &nodes[i].node, lpb_str_hash(v[i])))
			return -ENOMEM;
	}
	return 0;
}

/* The type of a variable, parameter or function (through its abstract
 * origin: an out-of-line copy of an inline function names its types there). */
static bool type_of(Dwarf_Die *die, Dwarf_Die *result)
{
	Dwarf_Attribute a;

	return dwarf_attr_integrate(die, DW_AT_type, &a) && dwarf_formref_die(&a, result);
}

/* The type a type DIE (typedef, pointer, member...) refers to. */
static bool next_type(Dwarf_Die *die, Dwarf_Die *result)
{
	Dwarf_Attribute a;

	return dwarf_attr(die, DW_AT_type, &a) && dwarf_formref_die(&a, result);
}

/* A type DIE's or member's own name (they have no abstract origin). */
static const char *name_of(Dwarf_Die *die)
{
	Dwarf_Attribute a;

	return dwarf_attr(die, DW_AT_name, &a) ? dwarf_formstring(&a) : NULL;
}

static bool is_aggregate(int tag)
{
	return tag == DW_TAG_structure_type || tag == DW_TAG_union_type ||
	       tag == DW_TAG_class_type;
}

static bool is_qualifier(int tag)
{
	return tag == DW_TAG_const_type || tag == DW_TAG_volatile_type ||
	       tag == DW_TAG_restrict_type || tag == DW_TAG_atomic_type;
}

/* Drops typedefs and qualifiers: false when nothing is left (void). */
static bool strip(Dwarf_Die *t)
{
	for (int i = 0; i < MAX_STRIP; i++) {
		int tag = dwarf_tag(t);

		if (tag != DW_TAG_typedef && !is_qualifier(tag))
			return true;
		if (!next_type(t, t))
			return false;
	}
	return false;
}

static void put(struct text *tx, const char *s)
{
	size_t n = strlen(s);

	if (tx->len + n >= sizeof(tx->buf))
		n = sizeof(tx->buf) - 1 - tx->len;
	memcpy(tx->buf + tx->len, s, n);
	tx->len += n;
	tx->buf[tx->len] = 0;
}

static void array_dims(Dwarf_Die *arr, struct text *tx)
{
	Dwarf_Die sub;

	if (dwarf_child(arr, &sub))
		return;
	do {
		Dwarf_Attribute a;
		Dwarf_Word n;
		char dim[32];

		if (dwarf_tag(&sub) != DW_TAG_subrange_type)
			continue;
		if (dwarf_attr(&sub, DW_AT_count, &a) && !dwarf_formudata(&a, &n))
			snprintf(dim, sizeof(dim), "[%llu]", (unsigned long long)n);
		else if (dwarf_attr(&sub, DW_AT_upper_bound, &a) && !dwarf_formudata(&a, &n))
			snprintf(dim, sizeof(dim), "[%llu]", (unsigned long long)n + 1);
		else
			snprintf(dim, sizeof(dim), "[]");
		put(tx, dim);
	} while (!dwarf_siblingof(&sub, &sub));
}

/* A type as C would write it, typedefs and qualifiers dropped: a renamed
 * typedef is the same type; only what the bytes mean counts. */
static void type_text(Dwarf_Die *die, struct text *tx, int depth)
{
	static const char *const kinds[] = {
		[DW_TAG_structure_type] = "struct", [DW_TAG_union_type] = "union",
		[DW_TAG_class_type] = "class", [DW_TAG_enumeration_type] = "enum",
	};
	Dwarf_Die t = *die, inner;
	const char *name;
	int tag;

	if (depth > MAX_NEST || !strip(&t)) {
		put(tx, depth > MAX_NEST ? "..." : "void");
		return;
	}
	tag = dwarf_tag(&t);
	switch (tag) {
	case DW_TAG_base_type:
		put(tx, name_of(&t) ?: "?");
		break;
	case DW_TAG_pointer_type:
		if (next_type(&t, &inner))
			type_text(&inner, tx, depth + 1);
		else
			put(tx, "void");
		put(tx, " *");
		break;
	case DW_TAG_array_type:
		if (next_type(&t, &inner))
			type_text(&inner, tx, depth + 1);
		put(tx, " ");
		array_dims(&t, tx);
		break;
	case DW_TAG_structure_type:
	case DW_TAG_union_type:
	case DW_TAG_class_type:
	case DW_TAG_enumeration_type:
		put(tx, kinds[tag]);
		name = name_of(&t);
		put(tx, " ");
		put(tx, name ?: "{...}");
		break;
	case DW_TAG_subroutine_type:
		put(tx, "function");
		break;
	default:
		put(tx, "?");
	}
}

#define BLOCK (64 * 1024)

/* @n bytes (8-aligned) from the set's blocks */
static void *arena(struct walk *w, size_t n)
{
	struct lpb_layout_set *s = w->out;
	void **v, *b;

	n = (n + 7) & ~(size_t)7;
	if (n > s->left) {
		size_t size = n > BLOCK ? n : BLOCK;

		v = realloc(s->blocks, (s->nr_blocks + 1) * sizeof(*v));
		b = malloc(size);
		if (!v || !b) {
			free(b);
			if (v)
				s->blocks = v;
			w->err = -ENOMEM;
			return NULL;
		}
		s->blocks = v;
		s->blocks[s->nr_blocks++] = b;
		s->cur = b;
		s->left = size;
	}
	b = s->cur;
	s->cur += n;
	s->left -= n;
	return b;
}

/* @a followed by @b, in the arena */
static char *cat(struct walk *w, const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *p = arena(w, la + lb + 1);

	if (p) {
		memcpy(p, a, la);
		memcpy(p + la, b, lb + 1);
	}
	return p;
}

static struct seen_node *seen(struct walk *w, Dwarf_Off off)
{
	struct lpb_hnode *n;

	lpb_hash_for_each_possible(&w->seen, n, off_hash(off))
		if (container_of(n, struct seen_node, node)->off == off)
			return container_of(n, struct seen_node, node);
	return NULL;
}

static void add_user(struct walk *w, struct lpb_layout *l, const char *user)
{
	char **v;

	if (!user)
		return;
	for (size_t i = 0; i < l->nr_users; i++)
		if (!strcmp(l->users[i], user))
			return;
	v = realloc(l->users, (l->nr_users + 1) * sizeof(*v));
	if (!v) {
		w->err = -ENOMEM;
		return;
	}
	l->users = v;
	v[l->nr_users++] = cat(w, user, "");
}

/* @die (already known not to be seen) under @key */
static void add_layout(struct walk *w, Dwarf_Die *die, const char *key, const char *user,
		       const struct lpb_layout *via)
{
	Dwarf_Off off = dwarf_dieoffset(die);
	struct seen_node *sn = arena(w, sizeof(*sn));
	struct lpb_layout *l;
	Dwarf_Word size;

	if (!sn)
		return;
	sn->off = off;
	if (lpb_hash_add(&w->seen, &sn->node, off_hash(off))) {
		w->err = -ENOMEM;
		return;
	}
	/* another definition of a name already read (a struct local to a
	 * function shadowing a file-scope one): the first stands */
	l = lpb_layout_find(w->out, key);
	if (l) {
		sn->layout = l;
		add_user(w, l, user);
		return;
	}
	l = arena(w, sizeof(*l));
	if (!l || (w->out->nr == w->out->cap &&
		   !(w->out->v = realloc(w->out->v, (w->out->cap = w->out->cap * 2 + 64) *
						     sizeof(*w->out->v))))) {
		w->err = -ENOMEM;
		return;
	}
	memset(l, 0, sizeof(*l));
	sn->layout = l;
	l->name = cat(w, key, "");
	l->size = dwarf_aggregate_size(die, &size) ? -1 : (int64_t)size;
	l->via = via ? via->name : NULL;
	add_user(w, l, user);
	w->out->v[w->out->nr++] = l;
	if (!l->name || lpb_hash_add(&w->out->names, &l->node, lpb_str_hash(l->name)))
		w->err = -ENOMEM;
	if (w->nr_queue == w->cap_queue) {
		struct pending *q = realloc(w->queue, (w->cap_queue * 2 + 64) * sizeof(*q));

		if (!q) {
			w->err = -ENOMEM;
			return;
		}
		w->queue = q;
		w->cap_queue = w->cap_queue * 2 + 64;
	}
	w->queue[w->nr_queue++] = (struct pending){ l, off };
}

/* @die under "struct NAME" / "union NAME", or @name for a typedef */
static void add_named(struct walk *w, Dwarf_Die *die, const char *kind, const char *name,
		      const char *user, const struct lpb_layout *via)
{
	struct seen_node *sn = seen(w, dwarf_dieoffset(die));
	char key[256];
	size_t lk, ln;

	if (sn) {
		add_user(w, sn->layout, user);
		return;
	}
	lk = kind ? strlen(kind) : 0;
	ln = strlen(name);
	if (lk + ln + 2 > sizeof(key))
		return;
	if (kind) {
		memcpy(key, kind, lk);
		key[lk++] = ' ';
	}
	memcpy(key + lk, name, ln + 1);
	add_layout(w, die, key, user, via);
}

/* The struct or union a type leads to through typedefs, qualifiers,
 * pointers and arrays, added under its name: "struct foo", or the typedef
 * naming an anonymous one. Function pointers are not followed: their
 * parameters are what the callee uses. */
static void reach(struct walk *w, Dwarf_Die *die, const char *user,
		  const struct lpb_layout *via)
{
	Dwarf_Die t = *die, target;

	for (int i = 0; i < MAX_STRIP; i++) {
		int tag = dwarf_tag(&t);
		const char *name;

		if (tag == DW_TAG_typedef) {
			target = t;
			if (next_type(&target, &target) && strip(&target) &&
			    is_aggregate(dwarf_tag(&target)) && !name_of(&target) &&
			    !dwarf_hasattr(&target, DW_AT_declaration)) {
				add_named(w, &target, NULL, name_of(&t) ?: "?", user, via);
				return;
			}
		} else if (is_aggregate(tag)) {
			name = name_of(&t);
			if (!name || dwarf_hasattr(&t, DW_AT_declaration))
				return;
			add_named(w, &t, tag == DW_TAG_union_type ? "union" : "struct", name, user,
				  via);
			return;
		} else if (tag != DW_TAG_pointer_type && tag != DW_TAG_array_type &&
			   !is_qualifier(tag)) {
			return;
		}
		if (!next_type(&t, &t))
			return;
	}
}

/* bytes of a member's type: most types say so themselves */
static int64_t type_size(Dwarf_Die *mt, Dwarf_Die *stripped, bool ok)
{
	Dwarf_Attribute a;
	Dwarf_Word size;

	if (ok && dwarf_tag(stripped) != DW_TAG_array_type &&
	    dwarf_attr(stripped, DW_AT_byte_size, &a) && !dwarf_formudata(&a, &size))
		return (int64_t)size;
	return dwarf_aggregate_size(mt, &size) ? -1 : (int64_t)size;
}

static bool unnamed_aggregate(Dwarf_Die *t)
{
	return is_aggregate(dwarf_tag(t)) && !name_of(t);
}

static struct type_info *type_info(struct walk *w, Dwarf_Die *mt)
{
	Dwarf_Off off = dwarf_dieoffset(mt);
	struct type_info *ti;
	struct lpb_hnode *n;
	struct text tx = { .len = 0 };
	Dwarf_Die s = *mt, e;
	bool ok;

	lpb_hash_for_each_possible(&w->infos, n, off_hash(off))
		if (container_of(n, struct type_info, node)->off == off)
			return container_of(n, struct type_info, node);
	ti = arena(w, sizeof(*ti));
	if (!ti)
		return NULL;
	memset(ti, 0, sizeof(*ti));
	ti->off = off;
	ok = strip(&s);
	ti->size = type_size(mt, &s, ok);
	type_text(mt, &tx, 0);
	ti->text = cat(w, tx.buf, "");
	if (ok && unnamed_aggregate(&s))
		ti->anon = dwarf_dieoffset(&s);
	else if (ok && dwarf_tag(&s) == DW_TAG_array_type && next_type(&s, &e) && strip(&e) &&
		 unnamed_aggregate(&e))
		ti->anon_elem = dwarf_dieoffset(&e);
	if (!ti->text || lpb_hash_add(&w->infos, &ti->node, off_hash(off))) {
		w->err = -ENOMEM;
		return NULL;
	}
	return ti;
}

/* The attributes of a member DIE, read in one pass over them (looking
 * each up on its own parses the DIE again every time). */
struct member_attrs {
	const char *name;
	Dwarf_Attribute type;
	bool has_type, has_loc, has_bits, has_dbo, has_bo, has_unit;
	Dwarf_Word loc, bits, dbo, bo, unit;
};

static int member_attr(Dwarf_Attribute *a, void *arg)
{
	struct member_attrs *ma = arg;

	switch (dwarf_whatattr(a)) {
	case DW_AT_name:
		ma->name = dwarf_formstring(a);
		break;
	case DW_AT_type:
		ma->type = *a;
		ma->has_type = true;
		break;
	case DW_AT_data_member_location:
		ma->has_loc = !dwarf_formudata(a, &ma->loc);
		break;
	case DW_AT_bit_size:
		ma->has_bits = !dwarf_formudata(a, &ma->bits);
		break;
	case DW_AT_data_bit_offset:
		ma->has_dbo = !dwarf_formudata(a, &ma->dbo);
		break;
	case DW_AT_bit_offset:
		ma->has_bo = !dwarf_formudata(a, &ma->bo);
		break;
	case DW_AT_byte_size:
		ma->has_unit = !dwarf_formudata(a, &ma->unit);
		break;
	}
	return DWARF_CB_OK;
}

/* A bitfield's first bit from the start of the outermost type, as
 * lpb_dwarf_member_bits() works it out (DWARF 4+, or the old big-endian
 * style counted back from the storage unit's last bit). */
static void bitfield(const struct member_attrs *ma, int64_t base, struct lpb_layout_member *e)
{
	if (!ma->has_bits)
		return;
	if (ma->has_dbo) {
		e->bit_offset = base * 8 + ma->dbo;
	} else if (ma->has_loc && ma->has_bo && ma->has_unit && ma->bo + ma->bits <= ma->unit * 8) {
		e->bit_offset = (base + ma->loc) * 8 + ma->unit * 8 - ma->bo - ma->bits;
	} else {
		return;
	}
	e->bit_size = ma->bits;
	e->offset = e->bit_offset / 8;
}

static int push_member(struct walk *w, struct lpb_layout *l, const char *prefix,
		       const struct member_attrs *ma, int64_t base, const struct type_info *ti)
{
	struct lpb_layout_member *v, *e;

	/* the capacity is 8, 16, 32...: full when the count reaches one */
	if (!l->nr_members || (l->nr_members >= 8 && !(l->nr_members & (l->nr_members - 1)))) {
		v = realloc(l->members, (l->nr_members ? l->nr_members * 2 : 8) * sizeof(*v));
		if (!v)
			return w->err = -ENOMEM;
		l->members = v;
	}
	e = &l->members[l->nr_members++];
	e->path = cat(w, prefix, ma->name);
	/* a union member has no location: 0 */
	e->offset = base < 0 ? -1 : base + (int64_t)(ma->has_loc ? ma->loc : 0);
	e->bit_offset = e->bit_size = -1;
	if (base >= 0)
		bitfield(ma, base, e);
	e->size = ti->size;
	e->type = (char *)ti->text;
	return w->err;
}

/* The members of @agg at @base, those of unnamed struct/union types
 * (anonymous members, "struct { ... } u") spelled out in place. */
static void read_members(struct walk *w, struct lpb_layout *l, Dwarf_Die *agg,
			 const char *prefix, int64_t base, int depth)
{
	Dwarf_Die m;

	if (depth > MAX_NEST || dwarf_child(agg, &m))
		return;
	do {
		struct member_attrs ma = { 0 };
		struct type_info *ti;
		const char *inner;
		Dwarf_Die mt, s;
		int64_t off;

		if (dwarf_tag(&m) != DW_TAG_member || dwarf_getattrs(&m, member_attr, &ma, 0) != 1 ||
		    !ma.has_type || !dwarf_formref_die(&ma.type, &mt) || !(ti = type_info(w, &mt)))
			continue;
		off = base < 0 ? -1 : base + (int64_t)(ma.has_loc ? ma.loc : 0);
		if (ti->anon && dwarf_offdie(w->dw, ti->anon, &s)) {
			if (ma.name && push_member(w, l, prefix, &ma, base, ti))
				return;
			inner = ma.name ? cat(w, prefix, ma.name) : prefix;
			inner = inner && ma.name ? cat(w, inner, ".") : inner;
			if (!inner)
				return;
			read_members(w, l, &s, inner, off, depth + 1);
			continue;
		}
		if (!ma.name)
			continue; /* an unnamed bitfield: padding */
		if (push_member(w, l, prefix, &ma, base, ti))
			return;
		/* an array of an unnamed struct: its first element's members */
		if (ti->anon_elem && dwarf_offdie(w->dw, ti->anon_elem, &s)) {
			inner = cat(w, prefix, ma.name);
			inner = inner ? cat(w, inner, "[].") : NULL;
			if (!inner)
				return;
			read_members(w, l, &s, inner, off, depth + 1);
		}
		/* once per type: the first layout reaching it is its "via" */
		if (w->q->follow && !ti->reached) {
			ti->reached = true;
			reach(w, &mt, NULL, l);
		}
	} while (!w->err && !dwarf_siblingof(&m, &m));
}

/* Parameters, locals and return types of a function and of everything
 * inlined into it (through their abstract origins). */
static void walk_scope(struct walk *w, Dwarf_Die *die, const char *user, int depth)
{
	Dwarf_Die c, t;

	if (depth > MAX_NEST || dwarf_child(die, &c))
		return;
	do {
		switch (dwarf_tag(&c)) {
		case DW_TAG_formal_parameter:
		case DW_TAG_variable:
		case DW_TAG_constant:
			if (type_of(&c, &t))
				reach(w, &t, user, NULL);
			break;
		case DW_TAG_inlined_subroutine:
			if (type_of(&c, &t))
				reach(w, &t, user, NULL);
			walk_scope(w, &c, user, depth + 1);
			break;
		case DW_TAG_lexical_block:
			walk_scope(w, &c, user, depth + 1);
			break;
		}
	} while (!w->err && !dwarf_siblingof(&c, &c));
}

static void walk_function(struct walk *w, Dwarf_Die *fn, const char *name)
{
	Dwarf_Attribute a;
	Dwarf_Die t, origin;

	if (type_of(fn, &t))
		reach(w, &t, name, NULL);
	walk_scope(w, fn, name, 0);
	/* locals the compiler dropped from the out-of-line copy */
	if (dwarf_attr(fn, DW_AT_abstract_origin, &a) && dwarf_formref_die(&a, &origin))
		walk_scope(w, &origin, name, 0);
}

static void top_level(struct walk *w, Dwarf_Die *die)
{
	const struct lpb_layout_query *q = w->q;
	int tag = dwarf_tag(die);
	const char *name;
	Dwarf_Die t;
	char key[256];

	if (tag == DW_TAG_subprogram && q->nr_funcs) {
		name = dwarf_diename(die);
		if (in_set(&w->funcs, name) &&
		    (dwarf_hasattr(die, DW_AT_low_pc) || dwarf_hasattr(die, DW_AT_ranges)))
			walk_function(w, die, name);
	} else if (tag == DW_TAG_variable && q->nr_vars) {
		name = dwarf_diename(die);
		if (in_set(&w->vars, name) && type_of(die, &t))
			reach(w, &t, name, NULL);
	} else if (is_aggregate(tag) && q->nr_types) {
		const char *kind = tag == DW_TAG_union_type ? "union " : "struct ";
		size_t lk = strlen(kind), ln;

		name = name_of(die);
		if (!name || (ln = strlen(name)) + lk >= sizeof(key) ||
		    dwarf_hasattr(die, DW_AT_declaration))
			return;
		memcpy(key, kind, lk);
		memcpy(key + lk, name, ln + 1);
		if (in_set(&w->types, key) && !seen(w, dwarf_dieoffset(die)))
			add_layout(w, die, key, NULL, NULL);
	} else if (tag == DW_TAG_typedef && q->nr_types) {
		name = name_of(die);
		if (in_set(&w->types, name))
			reach(w, die, NULL, NULL);
	}
}

static void drain(struct walk *w)
{
	while (!w->err && w->head < w->nr_queue) {
		struct pending p = w->queue[w->head++];
		Dwarf_Die die;

		if (dwarf_offdie(w->dw, p.off, &die))
			read_members(w, p.layout, &die, "", 0, 0);
	}
}

static void free_walk(struct walk *w)
{
	lpb_hash_free(&w->seen); /* its nodes are in the set's blocks */
	lpb_hash_free(&w->infos);
	lpb_hash_free(&w->funcs);
	lpb_hash_free(&w->vars);
	lpb_hash_free(&w->types);
	free(w->names);
	free(w->queue);
}

int lpb_dwarf_layouts(const char *path, const struct lpb_layout_query *q,
		      struct lpb_layout_set *out)
{
	struct walk w = { .q = q, .out = out };
	Dwarf_Off off = 0, next;
	size_t hsize, nr = q->nr_funcs + q->nr_vars + q->nr_types;
	struct lpb_dwarf_handle h;
	int ret = 0;

	w.names = calloc(nr ?: 1, sizeof(*w.names));
	if (!w.names || add_names(&w.funcs, w.names, q->funcs, q->nr_funcs) ||
	    add_names(&w.vars, w.names + q->nr_funcs, q->vars, q->nr_vars) ||
	    add_names(&w.types, w.names + q->nr_funcs + q->nr_vars, q->types, q->nr_types)) {
		free_walk(&w);
		return -ENOMEM;
	}
	w.dw = lpb_dwarf_open_types(path, &h, &ret);
	if (!w.dw) {
		free_walk(&w);
		return ret;
	}
	while (!w.err && !dwarf_nextcu(w.dw, off, &next, &hsize, NULL, NULL, NULL)) {
		Dwarf_Die cu, die;

		if (dwarf_offdie(w.dw, off + hsize, &cu) && !dwarf_child(&cu, &die)) {
			do
				top_level(&w, &die);
			while (!w.err && !dwarf_siblingof(&die, &die));
		}
		drain(&w);
		off = next;
	}
	lpb_dwarf_close(&h);
	ret = w.err;
	free_walk(&w);
	if (ret)
		lpb_err("%s: out of memory reading struct layouts", path);
	return ret;
}

struct lpb_layout *lpb_layout_find(const struct lpb_layout_set *s, const char *name)
{
	struct lpb_hnode *n;

	lpb_hash_for_each_possible(&s->names, n, lpb_str_hash(name)) {
		struct lpb_layout *l = container_of(n, struct lpb_layout, node);

		if (!strcmp(l->name, name))
			return l;
	}
	return NULL;
}

void lpb_layout_set_free(struct lpb_layout_set *s)
{
	for (size_t i = 0; i < s->nr; i++) {
		free(s->v[i]->members);
		free(s->v[i]->users);
	}
	for (size_t i = 0; i < s->nr_blocks; i++)
		free(s->blocks[i]);
	free(s->blocks);
	free(s->v);
	lpb_hash_free(&s->names);
	memset(s, 0, sizeof(*s));
}
