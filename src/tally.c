/*
 * tally.c — rows counted by a key (tally.h).
 *
 * Open addressing over an array of groups in the order they were first
 * counted; the texts of the keys in one arena, each NUL-terminated, by
 * offset (the arena may move as it grows). The slots double as the
 * groups grow, at most twice max_groups: memory is bounded by the
 * caller's two limits, whatever the number of rows.
 */
#include "tally.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

#define NO_TEXT ((size_t)-1)

typedef struct entry {
    uint64_t hash;
    size_t off[TALLY_TEXTS]; /* into names, NO_TEXT for NULL */
    size_t n[TALLY_TEXTS];
    long long k, max;
    unsigned long long count;
} entry;

struct tally {
    entry *e;
    size_t ne, cap;
    size_t *slot; /* 1 + index into e, 0 empty */
    size_t nslot;
    ta_buf names;
    size_t max_groups, max_bytes;
};

tally *tally_new(size_t max_groups, size_t max_bytes)
{
    tally *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->max_groups = max_groups ? max_groups : 1;
    t->max_bytes = max_bytes;
    buf_init(&t->names, 0);
    return t;
}

void tally_free(tally *t)
{
    if (!t)
        return;
    free(t->e);
    free(t->slot);
    buf_free(&t->names);
    free(t);
}

/* FNV-1a over the texts, each one's end marked (a NULL otherwise), and
 * the integer. */
static uint64_t key_hash(const tally_key *key)
{
    uint64_t h = 14695981039346656037ULL;
    for (int i = 0; i < TALLY_TEXTS; i++) {
        if (!key->t[i]) {
            h = (h ^ 0xffu) * 1099511628211ULL;
            continue;
        }
        const unsigned char *p = (const unsigned char *)key->t[i];
        for (size_t k = 0; k < key->n[i]; k++)
            h = (h ^ p[k]) * 1099511628211ULL;
        h = (h ^ 0xfeu) * 1099511628211ULL;
    }
    return (h ^ (uint64_t)key->k) * 1099511628211ULL;
}

static int is_key(const tally *t, const entry *e, const tally_key *key)
{
    if (e->k != key->k)
        return 0;
    for (int i = 0; i < TALLY_TEXTS; i++) {
        if (!key->t[i] || e->off[i] == NO_TEXT) {
            if (key->t[i] || e->off[i] != NO_TEXT)
                return 0;
            continue;
        }
        if (e->n[i] != key->n[i] ||
            (key->n[i] && memcmp(t->names.p + e->off[i], key->t[i],
                                 key->n[i]) != 0))
            return 0;
    }
    return 1;
}

/* Every group into the empty slots slot[0..nslot) (a power of two). */
static void place_all(const tally *t, size_t *slot, size_t nslot)
{
    for (size_t i = 0; i < t->ne; i++) {
        size_t at = (size_t)t->e[i].hash & (nslot - 1);
        while (slot[at])
            at = (at + 1) & (nslot - 1);
        slot[at] = i + 1;
    }
}

/* nslot slots (a power of two) for the groups there are. */
static int reslot(tally *t, size_t nslot)
{
    size_t *slot = calloc(nslot, sizeof *slot);
    if (!slot)
        return -1;
    place_all(t, slot, nslot);
    free(t->slot);
    t->slot = slot;
    t->nslot = nslot;
    return 0;
}

int tally_add(tally *t, const tally_key *key, long long v)
{
    if (2 * (t->ne + 1) > t->nslot &&
        reslot(t, t->nslot ? 2 * t->nslot : 1024) != 0)
        return -1;
    uint64_t h = key_hash(key);
    size_t at = (size_t)h & (t->nslot - 1);
    for (; t->slot[at]; at = (at + 1) & (t->nslot - 1)) {
        entry *e = &t->e[t->slot[at] - 1];
        if (e->hash == h && is_key(t, e, key)) {
            e->count++;
            if (v > e->max)
                e->max = v;
            return 0;
        }
    }
    size_t bytes = TALLY_TEXTS;
    for (int i = 0; i < TALLY_TEXTS; i++)
        bytes += key->t[i] ? key->n[i] : 0;
    /* full; but a first group always goes in, however long */
    if (t->ne > 0 && (t->ne >= t->max_groups ||
                      (t->max_bytes && t->names.len + bytes > t->max_bytes)))
        return 1;
    if (t->ne == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 256;
        entry *g = realloc(t->e, cap * sizeof *g);
        if (!g)
            return -1;
        t->e = g;
        t->cap = cap;
    }
    entry *e = &t->e[t->ne];
    size_t mark = t->names.len;
    for (int i = 0; i < TALLY_TEXTS; i++) {
        e->n[i] = key->t[i] ? key->n[i] : 0;
        e->off[i] = key->t[i] ? t->names.len : NO_TEXT;
        /* each text with its NUL: tally_at hands out C strings */
        if (key->t[i] && (buf_add(&t->names, key->t[i], key->n[i]) != 0 ||
                          buf_addc(&t->names, '\0') != 0)) {
            t->names.len = mark;
            if (t->names.p)
                t->names.p[mark] = '\0';
            return -1;
        }
    }
    e->hash = h;
    e->k = key->k;
    e->max = v;
    e->count = 1;
    t->slot[at] = ++t->ne;
    return 0;
}

size_t tally_groups(const tally *t)
{
    return t->ne;
}

/* The group of entry e, its texts in t's arena. */
static tally_group view(const tally *t, const entry *e)
{
    tally_group g;
    for (int k = 0; k < TALLY_TEXTS; k++) {
        g.key.t[k] = e->off[k] == NO_TEXT ? NULL : t->names.p + e->off[k];
        g.key.n[k] = e->n[k];
    }
    g.key.k = e->k;
    g.count = e->count;
    g.max = e->max;
    return g;
}

tally_group tally_at(const tally *t, size_t i)
{
    return view(t, &t->e[i]);
}

/* qsort has no context: the tally being sorted, this thread's. (qsort
 * may compare copies of the entries, so a group is made from the entry
 * it is handed, not from its index.) */
static _Thread_local const tally *sorting;
static _Thread_local int (*sort_cmp)(const tally_group *, const tally_group *);

static int entry_cmp(const void *a, const void *b)
{
    tally_group ga = view(sorting, a), gb = view(sorting, b);
    return sort_cmp(&ga, &gb);
}

void tally_sort(tally *t, int (*cmp)(const tally_group *, const tally_group *))
{
    if (t->ne < 2)
        return;
    sorting = t;
    sort_cmp = cmp;
    qsort(t->e, t->ne, sizeof *t->e, entry_cmp);
    sorting = NULL;
    /* the slots point at the old places: placed again, in place */
    memset(t->slot, 0, t->nslot * sizeof *t->slot);
    place_all(t, t->slot, t->nslot);
}

void tally_clear(tally *t)
{
    t->ne = 0;
    if (t->slot)
        memset(t->slot, 0, t->nslot * sizeof *t->slot);
    buf_reset(&t->names);
}
