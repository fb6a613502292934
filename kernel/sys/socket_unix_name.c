/* AF_UNIX sockets: names, path (an S_IFSOCK node) or abstract, and lookup. */
#include <kernel/errno.h>
#include <kernel/log.h>
#include <kernel/mm.h>
#include <kernel/string.h>

#include "fs/vfs.h"
#include "path.h"
#include "socket_unix_priv.h"

/* Bound sockets, path or abstract, one list (Linux hashes them). */
static struct usock *bound;
static uint32_t autobind_next;

void us_unlist(struct usock *u)
{
	struct usock **pp = &bound;

	if (!u->listed)
		return;
	while (*pp && *pp != u)
		pp = &(*pp)->bnext;
	if (*pp)
		*pp = u->bnext;
	u->listed = false;
	if (u->vn)
		vnode_put(u->vn);
	u->vn = NULL;
}

/* Abstract names are per type (Linux hashes the type in). */
static struct usock *find_abstract(const struct sock_addr *a, int type)
{
	for (struct usock *u = bound; u; u = u->bnext) {
		if (!u->vn && u->type == type && u->name.len == a->len &&
		    !memcmp(u->name.bytes, a->bytes, a->len))
			return u;
	}
	return NULL;
}

static struct usock *find_vnode(const struct vnode *vn)
{
	for (struct usock *u = bound; u; u = u->bnext) {
		if (u->vn == vn)
			return u;
	}
	return NULL;
}

/* The NUL-terminated path of a path address (108 bytes at most). */
static void addr_path(const struct sock_addr *a, char path[SUN_LEN_MAX])
{
	size_t n = a->len - SUN_PATH_OFF;

	memcpy(path, a->bytes + SUN_PATH_OFF, n);
	path[n] = '\0';
}

static int unix_vn_open(struct vnode *vn, struct file *f)
{
	(void)vn;
	(void)f;
	return -ENXIO; /* open(2) of a socket, as Linux */
}

static const struct vnode_ops unix_vnode_ops = {.open = unix_vn_open};

/* A new S_IFSOCK node at path, held in *out. */
static int make_node(const char *path, struct vnode **out)
{
	struct vnode *vn;
	struct walk w;
	int err = vfs_walk(cwd_get(), path, WALK_PARENT, &w);

	if (err == 0 && (w.vn || w.last != LAST_NORM))
		err = -EADDRINUSE;
	if (err == 0 && !w.dir->ops->link)
		err = -EACCES;
	if (err == 0) {
		vn = vnode_alloc(w.dir->fs, &unix_vnode_ops,
				 S_IFSOCK | (0777 & ~umask_get()));
		if (!vn)
			err = -ENOMEM;
		else if ((err = w.dir->ops->link(w.dir, w.name, w.namelen,
						 vn)) < 0) {
			vnode_get(vn);
			vnode_put(vn); /* no name, no reference: frees it */
		} else {
			vnode_get(vn);
			*out = vn;
		}
	}
	walk_done(&w);
	return err;
}

/* Linux's autobind: an abstract name of five hex digits. */
static int us_autobind(struct usock *u)
{
	struct sock_addr a = {.len = SUN_PATH_OFF + 6};

	a.family = AF_UNIX;
	for (int tries = 0; tries < 0x100000; tries++) {
		snprintf((char *)a.bytes + SUN_PATH_OFF + 1, 6, "%05x",
			 autobind_next++ & 0xfffff);
		a.bytes[SUN_PATH_OFF] = 0;
		if (!find_abstract(&a, u->type)) {
			u->name = a;
			u->listed = true;
			u->bnext = bound;
			bound = u;
			return 0;
		}
	}
	return -ENOSPC;
}

int unix_bind(struct socket *s, const struct sock_addr *a)
{
	struct usock *u = U(s);
	char path[SUN_LEN_MAX];
	struct vnode *vn = NULL;
	int err;

	if (a->len < SUN_PATH_OFF || a->family != AF_UNIX ||
	    a->len > SUN_LEN_MAX)
		return -EINVAL;
	if (u->name.len) { /* Linux makes the node first */
		addr_path(a, path);
		return a->len > SUN_PATH_OFF && path[0] &&
				       vfs_lookup(cwd_get(), path, 0, &vn) == 0
			       ? -EADDRINUSE
			       : -EINVAL;
	}
	if (a->len == SUN_PATH_OFF)
		return us_autobind(u);
	if (a->bytes[SUN_PATH_OFF] == 0) {
		if (find_abstract(a, u->type))
			return -EADDRINUSE;
		u->name = *a;
	} else {
		addr_path(a, path);
		if ((err = make_node(path, &vn)) < 0)
			return err;
		/* as Linux: the path up to its NUL, and the NUL */
		u->name = (struct sock_addr){
			.len = (uint32_t)(SUN_PATH_OFF + strlen(path) + 1)};
		u->name.family = AF_UNIX;
		memcpy(u->name.bytes + SUN_PATH_OFF, path, strlen(path));
		u->vn = vn;
	}
	u->listed = true;
	u->bnext = bound;
	bound = u;
	return 0;
}

/* The bound socket an address names, referenced: Linux's unix_find_other()
 * errors. */
int us_lookup(const struct sock_addr *a, int type, struct usock **out)
{
	char path[SUN_LEN_MAX];
	struct vnode *vn;
	struct usock *u;
	int err;

	if (a->len <= SUN_PATH_OFF || a->len > SUN_LEN_MAX ||
	    a->family != AF_UNIX)
		return -EINVAL;
	if (a->bytes[SUN_PATH_OFF] == 0) {
		u = find_abstract(a, type);
	} else {
		addr_path(a, path);
		if ((err = vfs_lookup(cwd_get(), path, WALK_FOLLOW, &vn)) < 0)
			return err;
		if ((vn->mode & S_IFMT) != S_IFSOCK)
			return -ECONNREFUSED;
		u = find_vnode(vn);
	}
	if (!u || u->dead)
		return -ECONNREFUSED;
	if (u->type != type)
		return -EPROTOTYPE;
	*out = us_get(u);
	return 0;
}

