/* The kernel heap: power-of-two size classes over pages, big blocks whole. */
#include <kernel/mm.h>
#include <kernel/panic.h>
#include <kernel/string.h>

/*
 * Every block starts with a 16-byte header (so payloads stay 16-byte
 * aligned) whose magic tells allocated from free: freeing twice, or
 * freeing something kmalloc never returned, is a kernel bug and panics.
 * Small blocks (up to 4080 bytes) come from per-class free lists refilled a
 * page at a time and never given back; bigger ones are whole runs of pages
 * returned to the frame allocator on kfree. Single CPU: no lock yet.
 */

#define HEAP_MAGIC_USED 0x6b696c6eU /* "klin" */
#define HEAP_MAGIC_FREE 0x66726565U /* "free" */
#define CLASS_LARGE	0xffffU
#define MIN_SHIFT	5 /* 32-byte blocks */
#define NCLASSES	8 /* 32 .. 4096 */

struct block_header {
	uint32_t magic;
	uint16_t cls; /* size class, or CLASS_LARGE */
	uint16_t pad;
	uint64_t npages; /* large blocks: pages in the run */
};

struct free_block {
	struct block_header h;
	struct free_block *next;
};

_Static_assert(sizeof(struct block_header) == 16, "header keeps alignment");

static struct free_block *free_list[NCLASSES];

static size_t class_size(unsigned cls)
{
	return (size_t)1 << (cls + MIN_SHIFT);
}

static bool refill(unsigned cls)
{
	paddr_t pa = pmm_alloc_page();

	if (!pa)
		return false;
	char *page = phys_to_virt(pa);
	size_t sz = class_size(cls);
	for (size_t off = 0; off + sz <= PAGE_SIZE; off += sz) {
		struct free_block *b = (struct free_block *)(page + off);
		b->h =
		    (struct block_header){HEAP_MAGIC_FREE, (uint16_t)cls, 0, 0};
		b->next = free_list[cls];
		free_list[cls] = b;
	}
	return true;
}

static void *alloc_large(size_t size)
{
	size_t npages =
	    (size + sizeof(struct block_header) + PAGE_SIZE - 1) / PAGE_SIZE;
	paddr_t pa = pmm_alloc_pages(npages);

	if (!pa)
		return NULL;
	struct block_header *h = phys_to_virt(pa);
	*h = (struct block_header){HEAP_MAGIC_USED, CLASS_LARGE, 0, npages};
	return h + 1;
}

void heap_init(void)
{
	/* Nothing to set up before the first kmalloc: classes fill lazily.
	 * Kept as the point in kmain() after which kmalloc may be called. */
}

void *kmalloc(size_t size)
{
	if (size > SIZE_MAX / 2)
		return NULL;
	size_t need = size + sizeof(struct block_header);
	if (need > class_size(NCLASSES - 1))
		return alloc_large(size);

	unsigned cls = 0;
	while (class_size(cls) < need)
		cls++;
	if (!free_list[cls] && !refill(cls))
		return NULL;
	struct free_block *b = free_list[cls];
	if (b->h.magic != HEAP_MAGIC_FREE || b->h.cls != cls)
		panic("kmalloc: free list of %zu-byte blocks corrupted at %p",
		      class_size(cls), (void *)b);
	free_list[cls] = b->next;
	b->h.magic = HEAP_MAGIC_USED;
	return &b->h + 1;
}

void *kzalloc(size_t size)
{
	void *p = kmalloc(size);

	if (p)
		memset(p, 0, size);
	return p;
}

void kfree(void *p)
{
	if (!p)
		return;
	if ((uintptr_t)p % 16)
		panic("kfree(%p): not a heap pointer", p);

	struct block_header *h = (struct block_header *)p - 1;
	if (h->magic == HEAP_MAGIC_FREE)
		panic("kfree(%p): double free", p);
	if (h->magic != HEAP_MAGIC_USED ||
	    (h->cls >= NCLASSES && h->cls != CLASS_LARGE))
		panic("kfree(%p): not a heap pointer", p);

	h->magic = HEAP_MAGIC_FREE;
	if (h->cls == CLASS_LARGE) {
		pmm_free_pages(virt_to_phys(h), h->npages);
		return;
	}
	struct free_block *b = (struct free_block *)h;
	b->next = free_list[h->cls];
	free_list[h->cls] = b;
}
