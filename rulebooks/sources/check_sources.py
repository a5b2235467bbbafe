#!/usr/bin/env python3
"""Check the seed sources catalogue against the seed documents and SEED-RULES.md.

Usage:
    python rulebooks/sources/check_sources.py SEED_DIR SEED_RULES_MD [--catalogue FILE]

SEED_DIR is the folder holding the seed text files (000_....txt ... 004_....txt);
SEED_RULES_MD is the inventory of checkable standards.  The catalogue defaults to
seed-sources.yaml beside this script.

Checks:
  * the catalogue is valid YAML (no duplicate keys), checkengine: 1, kind: sources;
  * every document names a seed file that exists, its id matches the file's number,
    its language is one of es, zh-Hant, zh-Hans, ko, and its title has that language and en;
  * every clause id is a SEED-RULES.md id, appears exactly once, and every SEED-RULES.md
    id is present;
  * every clause sits under the document of the first seed its SEED-RULES.md citation names,
    and its `clause` is that citation (optionally without the leading seed number);
  * every `text`, split on " … ", is a verbatim substring of the seed file;
  * translations has exactly en, zh-Hans and zh-Hant, less the source language, all non-empty.

Exit status 0 when all is well, 1 when problems were found (each is printed), 2 on bad usage.
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import yaml

LANGUAGES = {"es", "zh-Hant", "zh-Hans", "ko"}
TRANSLATION_LANGUAGES = {"en", "zh-Hans", "zh-Hant"}
SEPARATOR = " … "
ID_LINE = re.compile(r"^- ([A-Z]{3}-\d{2}) (.*)$")
SEED_NUMBER = re.compile(r"^(\d{3})\b")


class UniqueKeyLoader(yaml.SafeLoader):
    """A SafeLoader that rejects duplicate mapping keys."""


def _construct_mapping(loader, node, deep=False):
    seen = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping", node.start_mark,
                f"found duplicate key {key!r}", key_node.start_mark)
        seen[key] = True
    return loader.construct_mapping(node, deep)


UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def trailing_citation(line: str) -> str | None:
    """Return the content of the balanced parenthesised group that ends the line."""
    line = line.rstrip()
    if not line.endswith(")"):
        return None
    depth = 0
    for i in range(len(line) - 1, -1, -1):
        ch = line[i]
        if ch == ")":
            depth += 1
        elif ch == "(":
            depth -= 1
            if depth == 0:
                return line[i + 1:-1].strip()
    return None


def read_seed_rules(path: Path) -> dict[str, str]:
    """Map each ID in SEED-RULES.md to its seed citation (e.g. '001 請假 二')."""
    rules: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        m = ID_LINE.match(line.strip())
        if m:
            rules[m.group(1)] = trailing_citation(m.group(2)) or ""
    return rules


def check(catalogue: Path, seed_dir: Path, seed_rules: Path) -> list[str]:
    problems: list[str] = []
    rules = read_seed_rules(seed_rules)
    if not rules:
        return [f"{seed_rules}: no IDs found"]

    try:
        data = yaml.load(catalogue.read_text(encoding="utf-8"), Loader=UniqueKeyLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        return [f"{catalogue}: cannot load: {exc}"]
    if not isinstance(data, dict):
        return [f"{catalogue}: top level is not a mapping"]
    if data.get("checkengine") != 1:
        problems.append("checkengine must be 1")
    if data.get("kind") != "sources":
        problems.append("kind must be 'sources'")
    documents = data.get("documents")
    if not isinstance(documents, list) or not documents:
        return problems + ["documents must be a non-empty list"]

    seen_docs: set[str] = set()
    seen_ids: dict[str, str] = {}
    for d_index, doc in enumerate(documents):
        where = f"documents[{d_index}]"
        if not isinstance(doc, dict):
            problems.append(f"{where}: not a mapping")
            continue
        doc_id = doc.get("id")
        where = f"document {doc_id}"
        if not isinstance(doc_id, str) or not re.fullmatch(r"seed-\d{3}", doc_id):
            problems.append(f"{where}: id must look like seed-NNN")
            continue
        if doc_id in seen_docs:
            problems.append(f"{where}: duplicate document id")
        seen_docs.add(doc_id)
        number = doc_id[len("seed-"):]

        language = doc.get("language")
        if language not in LANGUAGES:
            problems.append(f"{where}: language {language!r} not one of {sorted(LANGUAGES)}")
        title = doc.get("title")
        if not isinstance(title, dict) or not title.get(language) or not title.get("en"):
            problems.append(f"{where}: title needs the source language ({language}) and en")

        content = None
        file_name = doc.get("file")
        if not isinstance(file_name, str) or not file_name.startswith(number + "_"):
            problems.append(f"{where}: file {file_name!r} does not belong to seed {number}")
        else:
            seed_file = seed_dir / file_name
            try:
                content = seed_file.read_text(encoding="utf-8")
            except OSError as exc:
                problems.append(f"{where}: cannot read {seed_file}: {exc}")

        clauses = doc.get("clauses")
        if not isinstance(clauses, list) or not clauses:
            problems.append(f"{where}: clauses must be a non-empty list")
            continue
        for c_index, clause in enumerate(clauses):
            cwhere = f"{where} clauses[{c_index}]"
            if not isinstance(clause, dict):
                problems.append(f"{cwhere}: not a mapping")
                continue
            cid = clause.get("id")
            cwhere = f"{where} clause {cid}"
            if cid not in rules:
                problems.append(f"{cwhere}: id not in SEED-RULES.md")
            elif cid in seen_ids:
                problems.append(f"{cwhere}: id also used in {seen_ids[cid]}")
            else:
                citation = rules[cid]
                m = SEED_NUMBER.match(citation)
                if m and m.group(1) != number:
                    problems.append(
                        f"{cwhere}: SEED-RULES.md cites seed {m.group(1)} first "
                        f"({citation}); put it under seed-{m.group(1)}")
                allowed = {citation}
                if m:
                    rest = citation[len(m.group(1)):].strip()
                    if rest:
                        allowed.add(rest)
                if clause.get("clause") not in allowed:
                    problems.append(
                        f"{cwhere}: clause {clause.get('clause')!r} does not match the "
                        f"SEED-RULES.md citation {citation!r}")
            if isinstance(cid, str):
                seen_ids.setdefault(cid, doc_id)

            text = clause.get("text")
            if not isinstance(text, str) or not text.strip():
                problems.append(f"{cwhere}: text missing")
            elif content is not None:
                for piece in text.split(SEPARATOR):
                    if not piece.strip():
                        problems.append(f"{cwhere}: empty piece in text")
                    elif piece not in content:
                        problems.append(f"{cwhere}: not verbatim in {file_name}: {piece!r}")

            translations = clause.get("translations")
            expected = TRANSLATION_LANGUAGES - {language}
            if not isinstance(translations, dict):
                problems.append(f"{cwhere}: translations missing")
            else:
                keys = set(translations)
                if keys != expected:
                    problems.append(
                        f"{cwhere}: translations has {sorted(keys)}, expected {sorted(expected)}")
                for lang, value in translations.items():
                    if not isinstance(value, str) or not value.strip():
                        problems.append(f"{cwhere}: translation {lang} is empty")

    for missing in sorted(set(rules) - set(seen_ids)):
        problems.append(f"{missing}: in SEED-RULES.md but not in the catalogue")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("seed_dir", type=Path, help="folder with the seed text files")
    parser.add_argument("seed_rules", type=Path, help="SEED-RULES.md")
    parser.add_argument("--catalogue", type=Path,
                        default=Path(__file__).resolve().with_name("seed-sources.yaml"),
                        help="sources catalogue (default: seed-sources.yaml beside this script)")
    args = parser.parse_args(argv)
    if not args.seed_dir.is_dir():
        parser.error(f"not a folder: {args.seed_dir}")
    if not args.seed_rules.is_file():
        parser.error(f"not a file: {args.seed_rules}")

    problems = check(args.catalogue, args.seed_dir, args.seed_rules)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s)", file=sys.stderr)
        return 1
    rules = read_seed_rules(args.seed_rules)
    print(f"OK: {len(rules)} clauses, all texts verbatim, IDs match SEED-RULES.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
