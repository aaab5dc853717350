#!/usr/bin/env python3
"""An independent reference implementation of SPEC section 4 ("The rules").

Written from the SPEC text alone (not from src/), so that the differential
test (tests/e2e_differential.sh) can compare it with ticket-audit's verdicts.
Standard library only. Python's `re` with IGNORECASE | ASCII behaves like
PCRE2 with PCRE2_CASELESS and without UTF/UCP for these ASCII patterns.

    judge(fields) -> (status, codes)

`fields` maps the canonical names (source, type, email, hp, phone, urgency,
emotion, relation, notes, media) to strings; None (column absent) counts as
empty. `codes` is the sorted codes joined by single spaces ('' for none).
"""
import re

FLAGS = re.IGNORECASE | re.ASCII

# White space collapsed: ASCII white space, line breaks included.
_WS = re.compile(r"[ \t\r\n\v\f]+")


def norm(value):
    """Trim and collapse white space (line breaks included) to single spaces."""
    if value is None:
        return ""
    return _WS.sub(" ", value).strip(" ")


def lower_ascii(s):
    return "".join(chr(ord(c) + 32) if "A" <= c <= "Z" else c for c in s)


NEG = (r"(?<!\btidak )(?<!\btdk )(?<!\btak )(?<!\bbukan )(?<!\bgak )"
       r"(?<!\bnggak )(?<!\bnon )(?<!\bnon-)(?<!\btanpa )")

SCOPE_RE = re.compile(r"123|contact\s*cent(er|re)|call\s*cent(er|re)", FLAGS)

CATEGORIES = [
    ("gangguan", re.compile(r"gangguan", FLAGS)),
    ("keluhan", re.compile(r"keluhan|pengaduan|komplain", FLAGS)),
    ("informasi", re.compile(r"informasi|\binfo\b", FLAGS)),
    ("niaga", re.compile(r"\b(pb|pd|ps)\b|pasang baru|penyambungan|penambahan daya"
                         r"|perubahan daya|niaga|permohonan", FLAGS)),
]

# ---- email -------------------------------------------------------------
EMAIL_DECLINED_RE = re.compile(
    r"^(tidak|tdk|tak|gak|ga|nggak)\s*(ada|punya|memiliki|mempunyai|bersedia|mau)\b"
    r"|menolak|keberatan|\bno\s*e-?mail\b|tanpa\s*e-?mail", FLAGS)
EMAIL_PLACEHOLDERS = {"-", "--", "---", ".", "0", "00", "x", "xx", "xxx", "n/a",
                      "na", "null", "none", "nil"}
EMAIL_RE = re.compile(
    r"^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}\Z", FLAGS)
EMAIL_SPLIT_RE = re.compile(r"[,;/ ]")
TYPO_DOMAINS = {"gmial.com", "gmai.com", "gamil.com", "gmail.co", "gmail.con",
                "gmail.cm", "yahoo.con", "yaho.com", "yahoo.co", "hotmail.con"}
PLACEHOLDER_LOCALS = {"test", "tes", "testing", "email", "noemail", "no.email",
                      "no_email", "tidakada", "tidak.ada", "tidakpunya", "abc",
                      "aaa", "a", "asd", "asdf", "qwerty", "dummy", "contoh",
                      "example", "user", "123", "1234", "12345"}
PLACEHOLDER_DOMAINS = {"example.com", "example.org", "test.com", "email.com",
                       "domain.com", "xxx.com", "abc.com", "a.com"}


def email_state(raw):
    s = norm(raw)
    if s == "":                                                       # 1
        return "EMAIL_MISSING"
    if "@" not in s and EMAIL_DECLINED_RE.search(s):                   # 2
        return "declined"
    if lower_ascii(s) in EMAIL_PLACEHOLDERS:                           # 3
        return "EMAIL_PLACEHOLDER"
    pieces = [p for p in EMAIL_SPLIT_RE.split(s) if p != ""]           # 4
    first = lower_ascii(pieces[0]) if pieces else ""
    if not EMAIL_RE.match(first) or len(first) > 254:
        return "EMAIL_INVALID"
    local, domain = first.rsplit("@", 1)
    if len(local) > 64 or any(len(label) > 63 for label in domain.split(".")):
        return "EMAIL_INVALID"
    if domain in TYPO_DOMAINS:                                         # 5
        return "EMAIL_INVALID"
    if (local in PLACEHOLDER_LOCALS or set(local) == {"x"}             # 6
            or domain in PLACEHOLDER_DOMAINS
            or domain == "pln.co.id" or domain.endswith(".pln.co.id")):
        return "EMAIL_PLACEHOLDER"
    return "valid"                                                     # 7


# ---- HP ------------------------------------------------------------------
HP_PLACEHOLDERS = {"-", "--", "---", "0", "00", "000", "x", "xxx", "n/a", "na",
                   "null", "none", "nil", "tidak ada"}
HP_MOBILE_RE = re.compile(r"^08[1-35-9][0-9]{7,10}\Z")
DIGITS_RE = re.compile(r"[0-9]+\Z")


def hp_state(raw):
    s = norm(raw)
    if s == "":                                                        # 1
        return "HP_MISSING"
    if lower_ascii(s) in HP_PLACEHOLDERS or "x" in s or "X" in s or "*" in s:   # 2
        return "HP_PLACEHOLDER"
    d = "".join(c for c in s if c not in " -.()/")                    # 3
    if d.startswith("+62"):
        d = "0" + d[3:]
    elif d.startswith("62"):
        d = "0" + d[2:]
    if DIGITS_RE.match(d) and d.startswith("8") and 9 <= len(d) <= 12:
        d = "0" + d
    if d == "" or not DIGITS_RE.match(d):                              # 4
        return "HP_INVALID"
    if set(d) == {"0"}:                                                # 5
        return "HP_PLACEHOLDER"
    if d.startswith("08") and len(d) > 2:
        rest = d[2:]
        if len(set(rest)) == 1:
            return "HP_PLACEHOLDER"
        if len(rest) >= 7 and "1234567890".startswith(rest):
            return "HP_PLACEHOLDER"
    if not HP_MOBILE_RE.match(d):                                      # 6
        return "HP_INVALID"
    return "valid"                                                     # 7


# ---- exemptions ------------------------------------------------------------
URGENCY_RE = re.compile(NEG + r"\b(urgen\w*|darurat|bahaya|emergency)\b", FLAGS)
URGENT_NOTES_RE = re.compile(
    NEG + r"\b(darurat|bahaya|berbahaya|kebakaran|terbakar|korsleting|korslet|konslet"
    r"|tersengat|kesetrum|kabel putus|kabel jatuh|tiang roboh|tiang tumbang"
    r"|percikan api|meledak|ledakan)\b", FLAGS)
ANGRY_EMOTION_RE = re.compile(NEG + r"\b(marah|kecewa|emosi|kesal|geram)\b", FLAGS)
ANGRY_NOTES_RE = re.compile(
    NEG + r"\b(marah|marah-marah|kecewa|emosi|emosional|kesal|geram|mengamuk"
    r"|membentak|kasar)\b", FLAGS)
RESPONSIBLE_RE = re.compile(
    NEG + r"(pelanggan|pemilik|penyewa|penanggung\s*jawab|pemohon|pengelola|\bybs\b"
    r"|yang bersangkutan|sendiri)", FLAGS)
NO_EMAIL_NOTES_RE = re.compile(
    r"\b(tidak|tdk|tak|gak|nggak)\s+(punya|memiliki|mempunyai|ada)\s+(alamat\s+)?e-?mail\b"
    r"|\b(menolak|keberatan|enggan|tidak bersedia|tdk bersedia)\s+(untuk\s+)?"
    r"(memberikan|memberi|menyebutkan|menginformasikan|menyampaikan)\s+(alamat\s+)?e-?mail\b"
    r"|\btanpa\s+e-?mail\b", FLAGS)


def category(source, type_):
    t = norm(type_)
    for name, rx in CATEGORIES:
        if rx.search(t):
            return name
    if (source or "").lower() == "ap2t" and t == "":
        return "niaga"
    return "unknown"


def judge(f):
    """Return (status, codes) for one ticket as SPEC section 4 defines them."""
    g = {k: norm(f.get(k)) for k in ("source", "type", "email", "hp", "phone",
                                     "urgency", "emotion", "relation", "notes",
                                     "media")}
    if g["media"] != "" and not SCOPE_RE.search(g["media"]):
        return "out_of_scope", ""
    cat = category(g["source"], g["type"])
    es = email_state(g["email"])
    hs = hp_state(g["hp"])
    if hs == "HP_MISSING" and hp_state(g["phone"]) == "valid":
        hs = "HP_IN_PHONE_FIELD"

    urgency_claim = bool(URGENCY_RE.search(g["urgency"]))
    urgent_ok = cat in ("gangguan", "keluhan")
    valid_ex = set()
    if urgent_ok and (urgency_claim or URGENT_NOTES_RE.search(g["notes"])):
        valid_ex.add("EX_URGENT")
    invalid_claim = urgency_claim and not urgent_ok
    if ANGRY_EMOTION_RE.search(g["emotion"]) or ANGRY_NOTES_RE.search(g["notes"]):
        valid_ex.add("EX_ANGRY")
    if g["relation"] != "" and not RESPONSIBLE_RE.search(g["relation"]):
        valid_ex.add("EX_NOT_RESPONSIBLE")
    if es == "declined" or NO_EMAIL_NOTES_RE.search(g["notes"]):
        valid_ex.add("EX_NO_EMAIL")

    if es == "valid" and hs == "valid":
        return "compliant", ""
    covers_both = valid_ex & {"EX_URGENT", "EX_ANGRY", "EX_NOT_RESPONSIBLE"}
    email_ok = es == "valid" or bool(covers_both) or "EX_NO_EMAIL" in valid_ex
    hp_ok = hs == "valid" or bool(covers_both)
    if email_ok and hp_ok:
        return "exempt", " ".join(sorted(valid_ex))
    codes = []
    if not email_ok:
        codes.append(es)  # never 'declined': declined is always covered
    if not hp_ok:
        codes.append(hs)
    if invalid_claim:
        codes.append("EXEMPTION_INVALID")
    return "violation", " ".join(sorted(codes))


if __name__ == "__main__":
    import json
    import sys
    for line in sys.stdin:
        if line.strip():
            print(json.dumps(judge(json.loads(line))))
