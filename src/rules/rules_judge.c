/*
 * rules_judge.c — applying the loaded rules to one ticket (SPEC §4):
 * scope, category, the email and HP states, the exemptions, the status and
 * its codes, and the evidence of each exemption.
 *
 * Speed matters (a million tickets must be judged faster than sqlite3
 * imports them), so:
 *   - a judge owns one scratch buffer, one PCRE2 match data and one match
 *     context; the buffer grows only when a ticket's fields are longer than
 *     any before (SPEC §4: patterns apply to the whole field, however
 *     long), so judging allocates nothing in the steady state;
 *   - a field is trimmed and collapsed only when a step needs it, and the
 *     notes (the longest field) only when the ticket is not compliant:
 *     exemptions matter only then;
 *   - cheap byte tests and list look-ups run before any pattern;
 *   - type -> category and media -> scope, which take few distinct values,
 *     are remembered in a tiny cache per judge.
 * A pattern PCRE2 cannot finish on a field (its match, depth or heap limit,
 * or the JIT stack; rules.h has the limits) is an error, never a
 * non-match (SPEC §4): the judge remembers the first one, and
 * rules_judge_ticket returns it.
 *
 * Loading the rules lives in rules.c.
 */
#include "rules_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mask.h"
#include "text.h"
#include "utf8.h"

#define QUOTE_MAX 60 /* bytes of matched text quoted in evidence */
/* bytes of the quote once masked: mask_text may lengthen it (an address
 * gains "***"), and is cut here on a character boundary; four entries
 * of the longest code always fit RULES_EVIDENCE_MAX */
#define QUOTE_OUT 90
#define MEMO_SLOTS 8
#define MEMO_KEY 47

typedef struct memo_ent {
    unsigned char used, len;
    signed char val;
    char s[MEMO_KEY];
} memo_ent;

typedef struct memo {
    memo_ent e[MEMO_SLOTS];
    unsigned next;
} memo;

struct rules_judge {
    const rules *rs;
    pcre2_match_data *md;
    pcre2_match_context *mc;
    pcre2_jit_stack *jit;
    PCRE2_SIZE *ov;
    /* Collapsed fields of the ticket being judged, in store; done[f] says
     * whether field f was collapsed yet for this ticket, in[f] is its
     * length as given. */
    char *fb[TA_F_COUNT];
    size_t fl[TA_F_COUNT], in[TA_F_COUNT];
    unsigned char done[TA_F_COUNT];
    char *addr;   /* lower-cased email address (in store) */
    char *digits; /* HP after step 3 (in store) */
    char *tmp;    /* the public state functions' field (in store) */
    memo cat_memo, scope_memo;
    /* Every field of a ticket collapsed (never longer than given), the
     * address and the digits: grown to the longest ticket seen. */
    char *store;
    size_t cap;
    /* The first pattern that could not finish, since the last ticket. */
    int fail_key, fail_field, fail_rc;
    int nomem;
    char errmsg[1024];
};

rules_judge *rules_judge_new(const rules *rs)
{
    if (!rs)
        return NULL;
    rules_judge *j = calloc(1, sizeof *j);
    if (!j)
        return NULL;
    j->rs = rs;
    j->fail_key = -1;
    j->md = pcre2_match_data_create(rs->ovector_pairs, NULL);
    j->mc = pcre2_match_context_create(NULL);
    /* The JIT stack is reserved, not committed: 8 MiB of address space. */
    j->jit = pcre2_jit_stack_create(32 * 1024, RULES_JIT_STACK_MAX, NULL);
    if (!j->md || !j->mc || !j->jit || pcre2_set_match_limit(j->mc, RULES_MATCH_LIMIT) ||
        pcre2_set_depth_limit(j->mc, RULES_DEPTH_LIMIT) ||
        pcre2_set_heap_limit(j->mc, RULES_HEAP_LIMIT_KIB)) {
        rules_judge_free(j);
        return NULL;
    }
    pcre2_jit_stack_assign(j->mc, NULL, j->jit);
    j->ov = pcre2_get_ovector_pointer(j->md);
    return j;
}

void rules_judge_free(rules_judge *j)
{
    if (!j)
        return;
    pcre2_match_data_free(j->md);
    pcre2_match_context_free(j->mc);
    pcre2_jit_stack_free(j->jit);
    free(j->store);
    free(j);
}

/* Makes store hold at least need bytes; 0, or -1 (j->nomem set) when out
 * of memory or past RULES_TICKET_MAX. Grows by doubling, so a long field
 * costs one allocation, not one per ticket. */
static int scratch(rules_judge *j, size_t need)
{
    if (need <= j->cap)
        return 0;
    size_t ncap = j->cap ? j->cap : 16384;
    while (ncap < need && ncap <= RULES_TICKET_MAX)
        ncap *= 2;
    char *p = need <= 2 * (size_t)RULES_TICKET_MAX ? realloc(j->store, ncap)
                                                   : NULL;
    if (!p || ncap < need) {
        if (p)
            j->store = p;
        j->nomem = 1;
        return -1;
    }
    j->store = p;
    j->cap = ncap;
    return 0;
}

const char *rules_judge_errmsg(const rules_judge *j)
{
    return j ? j->errmsg : "out of memory";
}

int rules_judge_errfield(const rules_judge *j)
{
    return j ? j->fail_field : -1;
}

/* ---- small helpers --------------------------------------------------- */

/* The collapsed field f of t, collapsed on first use (its room in store
 * was made by rules_judge_ticket). */
static size_t field(rules_judge *j, const rules_ticket *t, int f)
{
    if (!j->done[f]) {
        const char *v = t->v[f];
        j->fl[f] = text_collapse(v ? v : "", j->in[f], j->fb[f], j->in[f] + 1);
        j->done[f] = 1;
    }
    return j->fl[f];
}

/* Runs pattern k on s (field f of the ticket); 1 on a match, with its
 * bounds in *ms and *me. Any failure but "no match" — a resource limit —
 * is remembered (the first one) and the ticket's verdict is void. */
static int match(rules_judge *j, int k, int f, const char *s, size_t len,
                 size_t *ms, size_t *me)
{
    int rc =
        pcre2_match(j->rs->re[k], (PCRE2_SPTR)s, len, 0, 0, j->md, j->mc);
    if (rc == PCRE2_ERROR_NOMATCH)
        return 0;
    if (rc < 0) {
        if (j->fail_key < 0) {
            j->fail_key = k;
            j->fail_field = f;
            j->fail_rc = rc;
        }
        return 0;
    }
    if (ms)
        *ms = j->ov[0];
    if (me)
        *me = j->ov[1];
    return 1;
}

static int memo_get(const memo *m, const char *s, size_t len)
{
    for (int i = 0; i < MEMO_SLOTS; i++)
        if (m->e[i].used && m->e[i].len == len &&
            memcmp(m->e[i].s, s, len) == 0)
            return m->e[i].val;
    return -1;
}

static void memo_put(memo *m, const char *s, size_t len, int val)
{
    if (len > MEMO_KEY)
        return;
    memo_ent *e = &m->e[m->next++ % MEMO_SLOTS];
    e->used = 1;
    e->len = (unsigned char)len;
    e->val = (signed char)val;
    memcpy(e->s, s, len);
}

static int all_char(const char *s, size_t len, char c)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] != c)
            return 0;
    return len > 0;
}

/* ---- email (SPEC §4 email steps) ------------------------------------- */

/* Step 4 on one address: lower-cased into j->addr, matched as a whole,
 * lengths checked. */
static int address_ok(rules_judge *j, const char *a, size_t n)
{
    const rules *rs = j->rs;
    if (n == 0 || n > (size_t)rs->num[RK_EMAIL_MAX_LENGTH])
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)a[i];
        j->addr[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    j->addr[n] = '\0';
    if (!match(j, RK_EMAIL_PATTERN, TA_F_EMAIL, j->addr, n, NULL, NULL))
        return 0;
    size_t at = n;
    while (at > 0 && j->addr[at - 1] != '@')
        at--;
    if (at == 0 || at - 1 > (size_t)rs->num[RK_EMAIL_MAX_LOCAL])
        return 0;
    size_t label = 0;
    for (size_t i = at; i <= n; i++) {
        if (i == n || j->addr[i] == '.') {
            if (label > (size_t)rs->num[RK_EMAIL_MAX_LABEL])
                return 0;
            label = 0;
        } else {
            label++;
        }
    }
    return 1;
}

int rules_email_address_ok(rules_judge *j, const char *s, size_t len)
{
    if (len > (size_t)j->rs->num[RK_EMAIL_MAX_LENGTH] || scratch(j, len + 1))
        return 0;
    j->addr = j->store;
    return address_ok(j, s, len);
}

static int email_sep(char c)
{
    return c == ',' || c == ';' || c == '/' || c == ' ';
}

/* Step 4's split: [*b, *e) is the first non-empty piece of s. */
static void first_piece(const char *s, size_t len, size_t *b, size_t *e)
{
    size_t i = 0;
    while (i < len && email_sep(s[i]))
        i++;
    *b = i;
    while (i < len && !email_sep(s[i]))
        i++;
    *e = i;
}

/* Steps 1-7 on a collapsed field. For a declined field, *ds and *de receive
 * the bounds of the matched words. */
static rules_email_state email_state(rules_judge *j, const char *s, size_t len,
                                     size_t *ds, size_t *de)
{
    const rules *rs = j->rs;
    if (len == 0)
        return RULES_EMAIL_MISSING;
    if (!memchr(s, '@', len) &&
        match(j, RK_EMAIL_DECLINED, TA_F_EMAIL, s, len, ds, de))
        return RULES_EMAIL_DECLINED;
    if (rules_list_has(&rs->list[RK_EMAIL_PLACEHOLDERS], s, len))
        return RULES_EMAIL_PLACEHOLDER;
    size_t b, e;
    first_piece(s, len, &b, &e);
    if (!address_ok(j, s + b, e - b))
        return RULES_EMAIL_INVALID;
    const char *a = j->addr;
    size_t n = e - b, at = n;
    while (j->addr[at - 1] != '@')
        at--;
    const char *dom = a + at;
    size_t dlen = n - at, llen = at - 1;
    if (rules_list_has(&rs->list[RK_EMAIL_TYPO_DOMAINS], dom, dlen))
        return RULES_EMAIL_INVALID;
    if (rules_list_has(&rs->list[RK_EMAIL_PH_LOCALS], a, llen) ||
        all_char(a, llen, 'x') ||
        rules_list_has(&rs->list[RK_EMAIL_PH_DOMAINS], dom, dlen))
        return RULES_EMAIL_PLACEHOLDER;
    const rules_list *own = &rs->list[RK_EMAIL_OWN_DOMAINS];
    for (size_t i = 0; i < own->n; i++) {
        size_t ol = own->len[i];
        if (dlen == ol && strncasecmp(dom, own->item[i], ol) == 0)
            return RULES_EMAIL_PLACEHOLDER;
        if (dlen > ol && dom[dlen - ol - 1] == '.' &&
            strncasecmp(dom + dlen - ol, own->item[i], ol) == 0)
            return RULES_EMAIL_PLACEHOLDER;
    }
    return RULES_EMAIL_VALID;
}

/* Room for one field of len bytes given to a public state function: the
 * field collapsed (tmp), its address or digits (len + 2). */
static int public_scratch(rules_judge *j, size_t len)
{
    if (scratch(j, 2 * len + 4))
        return -1;
    j->tmp = j->store;
    j->addr = j->digits = j->store + len + 1;
    return 0;
}

rules_email_state rules_email_state_of(rules_judge *j, const char *s,
                                       size_t len)
{
    if (!s)
        len = 0;
    if (public_scratch(j, len))
        return RULES_EMAIL_INVALID;
    size_t n = text_collapse(s ? s : "", len, j->tmp, len + 1);
    return email_state(j, j->tmp, n, NULL, NULL);
}

/* ---- HP (SPEC §4 HP steps) ------------------------------------------- */

static int hp_strip(char c)
{
    return c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' ||
           c == '/';
}

/* Steps 1-7 on a collapsed field (field f: HP or phone); the number after
 * step 3 is left in j->digits, which has room for len + 2 bytes. */
static rules_hp_state hp_state(rules_judge *j, int f, const char *s,
                               size_t len)
{
    const rules *rs = j->rs;
    char *d = j->digits;
    size_t n = 0;
    d[0] = '\0';
    if (len == 0)
        return RULES_HP_MISSING;
    if (memchr(s, 'x', len) || memchr(s, 'X', len) || memchr(s, '*', len) ||
        rules_list_has(&rs->list[RK_HP_PLACEHOLDERS], s, len))
        return RULES_HP_PLACEHOLDER;
    /* Step 3. d has room for len + 2 bytes: the leading zero is added
     * only to 9-12 digits. */
    for (size_t i = 0; i < len; i++)
        if (!hp_strip(s[i]))
            d[n++] = s[i];
    d[n] = '\0';
    size_t skip = 0;
    if (n >= 3 && memcmp(d, "+62", 3) == 0)
        skip = 3;
    else if (n >= 2 && memcmp(d, "62", 2) == 0)
        skip = 2;
    if (skip) {
        d[0] = '0';
        memmove(d + 1, d + skip, n - skip + 1);
        n = n - skip + 1;
    }
    size_t ndig = strspn(d, "0123456789");
    if (ndig == n && n >= 9 && n <= 12 && d[0] == '8') {
        memmove(d + 1, d, n + 1);
        d[0] = '0';
        n++;
        ndig++;
    }
    /* Step 4. */
    if (n == 0 || ndig != n)
        return RULES_HP_INVALID;
    /* Step 5. */
    if (all_char(d, n, '0'))
        return RULES_HP_PLACEHOLDER;
    if (n > 2 && d[0] == '0' && d[1] == '8') {
        const char *rest = d + 2;
        size_t rl = n - 2;
        const char *seq = rs->value[RK_HP_SEQUENCE];
        if (all_char(rest, rl, rest[0]))
            return RULES_HP_PLACEHOLDER;
        if (rl >= (size_t)rs->num[RK_HP_SEQUENCE_MIN] && rl <= strlen(seq) &&
            memcmp(rest, seq, rl) == 0)
            return RULES_HP_PLACEHOLDER;
    }
    /* Step 6. */
    if (!match(j, RK_HP_PATTERN, f, d, n, NULL, NULL))
        return RULES_HP_INVALID;
    return RULES_HP_VALID;
}

rules_hp_state rules_hp_state_of(rules_judge *j, const char *s, size_t len,
                                 char *norm, size_t normlen)
{
    if (!s)
        len = 0;
    if (public_scratch(j, len)) {
        if (norm && normlen)
            norm[0] = '\0';
        return RULES_HP_INVALID;
    }
    size_t n = text_collapse(s ? s : "", len, j->tmp, len + 1);
    rules_hp_state st = hp_state(j, TA_F_HP, j->tmp, n);
    if (norm && normlen) {
        size_t dl = strlen(j->digits);
        if (dl >= normlen)
            dl = normlen - 1;
        memcpy(norm, j->digits, dl);
        norm[dl] = '\0';
    }
    return st;
}

/* ---- evidence -------------------------------------------------------- */

/* Appends `CODE: field "words"` (with "; " before it when it is not the
 * first), the stored form of docs/schema.md that the report words in its
 * language. The words are personal data only by accident (a pattern
 * matching a number or an address written in the notes), so they are
 * masked by the one masking rule (mask_text): evidence never holds a full
 * email or phone number. A '"' in them becomes '\'', so the quotes
 * delimit the words. An entry that would not fit whole is left out (its
 * code is still in the codes): a reader never meets a cut entry. */
static void ev_add(rules_verdict *out, size_t *pos, const char *code,
                   const char *fieldname, const char *s, size_t n)
{
    char plain[QUOTE_MAX], q[QUOTE_OUT + 1];
    n = utf8_cut(s, n, QUOTE_MAX);
    for (size_t i = 0; i < n; i++)
        plain[i] = s[i] == '"' ? '\'' : s[i];
    size_t ql = mask_text(plain, n, q, sizeof q);
    char entry[QUOTE_OUT + 64];
    int w = snprintf(entry, sizeof entry, "%s%s: %s \"%.*s\"",
                     *pos > 0 ? "; " : "", code, fieldname, (int)ql, q);
    if (w < 0 || (size_t)w >= sizeof entry ||
        *pos + (size_t)w >= sizeof out->evidence)
        return;
    memcpy(out->evidence + *pos, entry, (size_t)w + 1);
    *pos += (size_t)w;
}

/* ---- the ticket ------------------------------------------------------ */

static rules_category category_of(rules_judge *j, const rules_ticket *t)
{
    size_t n = field(j, t, TA_F_TYPE);
    const char *s = j->fb[TA_F_TYPE];
    if (n == 0)
        return t->source == TA_SRC_AP2T ? RULES_CAT_NIAGA : RULES_CAT_UNKNOWN;
    int c = memo_get(&j->cat_memo, s, n);
    if (c >= 0)
        return (rules_category)c;
    static const int keys[] = {RK_CAT_GANGGUAN, RK_CAT_KELUHAN,
                               RK_CAT_INFORMASI, RK_CAT_NIAGA};
    c = RULES_CAT_UNKNOWN;
    for (int i = 0; i < 4; i++)
        if (match(j, keys[i], TA_F_TYPE, s, n, NULL, NULL)) {
            c = i; /* keys[] is in the order of rules_category */
            break;
        }
    if (j->fail_key < 0)
        memo_put(&j->cat_memo, s, n, c);
    return (rules_category)c;
}

static int in_scope(rules_judge *j, const rules_ticket *t)
{
    size_t n = field(j, t, TA_F_MEDIA);
    const char *s = j->fb[TA_F_MEDIA];
    if (n == 0)
        return 1;
    int v = memo_get(&j->scope_memo, s, n);
    if (v < 0) {
        v = match(j, RK_SCOPE_MEDIA, TA_F_MEDIA, s, n, NULL, NULL);
        if (j->fail_key < 0)
            memo_put(&j->scope_memo, s, n, v);
    }
    return v;
}

/* Tries pattern k on field f; on a match adds evidence and returns 1. */
static int ex_field(rules_judge *j, const rules_ticket *t, int k, int f,
                    const char *code, rules_verdict *out, size_t *pos)
{
    size_t n = field(j, t, f), ms, me;
    if (n == 0 || !match(j, k, f, j->fb[f], n, &ms, &me))
        return 0;
    ev_add(out, pos, code, ta_field_name((ta_field)f), j->fb[f] + ms, me - ms);
    return 1;
}

static int cmp_code(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void set_codes(rules_verdict *out, const char **codes, size_t n)
{
    size_t pos = 0;
    qsort(codes, n, sizeof *codes, cmp_code);
    out->codes[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        int w = snprintf(out->codes + pos, sizeof out->codes - pos, "%s%s",
                         i ? " " : "", codes[i]);
        if (w < 0 || (size_t)w >= sizeof out->codes - pos)
            break;
        pos += (size_t)w;
    }
}

static const char *const email_codes[] = {
    [RULES_EMAIL_VALID] = "valid",
    [RULES_EMAIL_MISSING] = "EMAIL_MISSING",
    [RULES_EMAIL_DECLINED] = "declined",
    [RULES_EMAIL_PLACEHOLDER] = "EMAIL_PLACEHOLDER",
    [RULES_EMAIL_INVALID] = "EMAIL_INVALID",
};

static const char *const hp_codes[] = {
    [RULES_HP_VALID] = "valid",
    [RULES_HP_MISSING] = "HP_MISSING",
    [RULES_HP_PLACEHOLDER] = "HP_PLACEHOLDER",
    [RULES_HP_INVALID] = "HP_INVALID",
    [RULES_HP_IN_PHONE_FIELD] = "HP_IN_PHONE_FIELD",
};

const char *rules_email_state_name(rules_email_state s)
{
    if ((unsigned)s < sizeof email_codes / sizeof email_codes[0])
        return email_codes[s];
    return "";
}

const char *rules_hp_state_name(rules_hp_state s)
{
    if ((unsigned)s < sizeof hp_codes / sizeof hp_codes[0])
        return hp_codes[s];
    return "";
}

const char *rules_status_name(rules_status st)
{
    static const char *const names[] = {"compliant", "exempt", "violation",
                                        "out_of_scope"};
    if ((unsigned)st < sizeof names / sizeof names[0])
        return names[st];
    return "";
}

const char *rules_category_name(rules_category c)
{
    static const char *const names[] = {"gangguan", "keluhan", "informasi",
                                        "niaga", "unknown"};
    if ((unsigned)c < sizeof names / sizeof names[0])
        return names[c];
    return "";
}

/* Copies len bytes of s lower-cased (ASCII) into out[RULES_NORM_MAX]. */
static void lower_copy(const char *s, size_t len, char *out)
{
    if (len >= RULES_NORM_MAX)
        len = RULES_NORM_MAX - 1;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        out[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    out[len] = '\0';
}

/* The first piece of a collapsed email field, lower-cased (step 4's
 * split), so that Budi@Gmail.com and budi@gmail.com compare equal. */
static void email_norm(const char *s, size_t len, char *out)
{
    size_t b, e;
    first_piece(s, len, &b, &e);
    lower_copy(s + b, e - b, out);
}

/* The HP after step 3 when hp_state left only digits in j->digits (call
 * right after hp_state), else the collapsed field lower-cased. */
static void hp_norm(const rules_judge *j, const char *s, size_t len, char *out)
{
    size_t dl = strlen(j->digits);
    if (dl > 0 && strspn(j->digits, "0123456789") == dl)
        lower_copy(j->digits, dl, out);
    else
        lower_copy(s, len, out);
}

/* Says which pattern could not finish on which field, and why. */
static ta_status judge_failed(rules_judge *j)
{
    if (j->nomem) {
        snprintf(j->errmsg, sizeof j->errmsg,
                 "out of memory judging a ticket whose fields hold more than "
                 "any before (at most %d MiB together are judged)",
                 RULES_TICKET_MAX >> 20);
        j->fail_field = -1;
        return TA_E_NOMEM;
    }
    char why[96], key[96], where[300], pmsg[120];
    switch (j->fail_rc) {
    case PCRE2_ERROR_MATCHLIMIT:
        snprintf(why, sizeof why, "reached the match limit (%d)",
                 RULES_MATCH_LIMIT);
        break;
    case PCRE2_ERROR_DEPTHLIMIT:
        snprintf(why, sizeof why, "reached the depth limit (%d)",
                 RULES_DEPTH_LIMIT);
        break;
    case PCRE2_ERROR_HEAPLIMIT:
        snprintf(why, sizeof why, "reached the heap limit (%d KiB)",
                 RULES_HEAP_LIMIT_KIB);
        break;
    case PCRE2_ERROR_JIT_STACKLIMIT:
        snprintf(why, sizeof why, "ran out of its JIT stack (%d KiB)",
                 RULES_JIT_STACK_MAX >> 10);
        break;
    default:
        snprintf(why, sizeof why, "failed");
        break;
    }
    rules_key_label(j->rs, j->fail_key, key, sizeof key, where, sizeof where);
    if (pcre2_get_error_message(j->fail_rc, (PCRE2_UCHAR *)pmsg,
                                sizeof pmsg) < 0)
        snprintf(pmsg, sizeof pmsg, "error %d", j->fail_rc);
    snprintf(j->errmsg, sizeof j->errmsg,
             "the rules pattern %s%s cannot finish on the %s field: it %s "
             "(PCRE2: %s); a pattern that nests repetitions, such as "
             "(\\w+\\s?)+, backtracks without end on a long field: "
             "simplify it",
             key, where, ta_field_name((ta_field)j->fail_field), why, pmsg);
    return TA_E_DATA;
}

ta_status rules_judge_ticket(rules_judge *j, const rules_ticket *t,
                             rules_verdict *out)
{
    size_t ds = 0, de = 0, pos = 0;
    memset(j->done, 0, sizeof j->done);
    out->codes[0] = '\0';
    out->evidence[0] = '\0';
    out->invalid_claim = 0;
    out->status = RULES_VIOLATION;
    out->hp_norm[0] = out->email_norm[0] = '\0';
    j->fail_key = -1;
    j->fail_field = -1;
    j->nomem = 0;
    j->errmsg[0] = '\0';
    /* Room for every field collapsed (never longer than given), the
     * address (at most the email field) and the digits (at most the
     * longer of HP and phone, a zero and a NUL). */
    size_t need = 0;
    for (int f = 0; f < TA_F_COUNT; f++) {
        const char *v = t->v[f];
        size_t len = v ? t->len[f] : 0;
        /* A caller that set only v (as in rules.h's example) means a C
         * string. */
        if (v && len == 0)
            len = strlen(v);
        j->in[f] = len;
        need += len + 1;
    }
    size_t dl = j->in[TA_F_HP] > j->in[TA_F_PHONE] ? j->in[TA_F_HP]
                                                   : j->in[TA_F_PHONE];
    size_t total = need + j->in[TA_F_EMAIL] + 1 + dl + 2;
    if (total > RULES_TICKET_MAX || scratch(j, total)) {
        j->nomem = 1;
        return judge_failed(j);
    }
    char *p = j->store;
    for (int f = 0; f < TA_F_COUNT; f++) {
        j->fb[f] = p;
        p += j->in[f] + 1;
    }
    j->addr = p;
    j->digits = p + j->in[TA_F_EMAIL] + 1;

    out->category = category_of(j, t);
    int scoped = in_scope(j, t);
    size_t el = field(j, t, TA_F_EMAIL);
    out->email = email_state(j, j->fb[TA_F_EMAIL], el, &ds, &de);
    /* A refusal is no address: "" like an empty field. */
    email_norm(j->fb[TA_F_EMAIL], out->email == RULES_EMAIL_DECLINED ? 0 : el,
               out->email_norm);
    size_t hl = field(j, t, TA_F_HP);
    out->hp = hp_state(j, TA_F_HP, j->fb[TA_F_HP], hl);
    hp_norm(j, j->fb[TA_F_HP], hl, out->hp_norm);
    if (out->hp == RULES_HP_MISSING) {
        size_t pl = field(j, t, TA_F_PHONE);
        if (pl &&
            hp_state(j, TA_F_PHONE, j->fb[TA_F_PHONE], pl) == RULES_HP_VALID)
            out->hp = RULES_HP_IN_PHONE_FIELD;
    }
    if (j->fail_key >= 0)
        return judge_failed(j);
    if (!scoped) {
        out->status = RULES_OUT_OF_SCOPE;
        return TA_OK;
    }
    int email_ok = out->email == RULES_EMAIL_VALID;
    int hp_ok = out->hp == RULES_HP_VALID;
    if (email_ok && hp_ok) {
        out->status = RULES_COMPLIANT;
        return TA_OK;
    }

    /* Exemptions: only a ticket that is not compliant needs them. */
    int urgent_cat = out->category == RULES_CAT_GANGGUAN ||
                     out->category == RULES_CAT_KELUHAN;
    int urgent = 0, angry, not_resp = 0, no_email = 0;
    if (urgent_cat) {
        urgent = ex_field(j, t, RK_EX_URGENT_URGENCY, TA_F_URGENCY,
                          "EX_URGENT", out, &pos) ||
                 ex_field(j, t, RK_EX_URGENT_NOTES, TA_F_NOTES, "EX_URGENT",
                          out, &pos);
    } else {
        /* Urgency words in the notes of such a ticket are ignored; the
         * urgency field claiming it is an invalid claim. */
        out->invalid_claim = ex_field(j, t, RK_EX_URGENT_URGENCY, TA_F_URGENCY,
                                      "EXEMPTION_INVALID", out, &pos);
    }
    angry =
        ex_field(j, t, RK_EX_ANGRY_EMOTION, TA_F_EMOTION, "EX_ANGRY", out,
                 &pos) ||
        ex_field(j, t, RK_EX_ANGRY_NOTES, TA_F_NOTES, "EX_ANGRY", out, &pos);
    size_t rl = field(j, t, TA_F_RELATION);
    if (rl && !match(j, RK_EX_RESPONSIBLE, TA_F_RELATION,
                     j->fb[TA_F_RELATION], rl, NULL, NULL) &&
        j->fail_key < 0) {
        not_resp = 1;
        ev_add(out, &pos, "EX_NOT_RESPONSIBLE", "relation",
               j->fb[TA_F_RELATION], rl);
    }
    if (out->email == RULES_EMAIL_DECLINED) {
        no_email = 1;
        ev_add(out, &pos, "EX_NO_EMAIL", "email", j->fb[TA_F_EMAIL] + ds,
               de - ds);
    } else {
        no_email = ex_field(j, t, RK_EX_NO_EMAIL_NOTES, TA_F_NOTES,
                            "EX_NO_EMAIL", out, &pos);
    }

    int hp_cov = urgent || angry || not_resp;
    int email_cov = hp_cov || no_email;
    const char *codes[8];
    size_t nc = 0;
    if ((email_ok || email_cov) && (hp_ok || hp_cov)) {
        out->status = RULES_EXEMPT;
        if (urgent)
            codes[nc++] = "EX_URGENT";
        if (angry)
            codes[nc++] = "EX_ANGRY";
        if (not_resp)
            codes[nc++] = "EX_NOT_RESPONSIBLE";
        if (no_email)
            codes[nc++] = "EX_NO_EMAIL";
    } else {
        out->status = RULES_VIOLATION;
        if (!email_ok && !email_cov)
            codes[nc++] = email_codes[out->email];
        if (!hp_ok && !hp_cov)
            codes[nc++] = hp_codes[out->hp];
        if (out->invalid_claim)
            codes[nc++] = "EXEMPTION_INVALID";
    }
    if (j->fail_key >= 0)
        return judge_failed(j);
    set_codes(out, codes, nc);
    return TA_OK;
}
