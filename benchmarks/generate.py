"""A synthetic story of N entries in the content format, the same for the same seed.

    python benchmarks/generate.py N OUT [--seed S]

Proportions follow a running news story: 20% people (a fifth of them groups or
organizations), 30% events, 35% claims, 15% questions, plus one source per 20
entries. Bodies are two to four paragraphs with about three wikilinks each, in
every form the format allows; claims dispute and support each other; a fifth
of each kind is written as a YAML list file, the rest as Markdown files.
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

import yaml

WORDS = [
    "council",
    "budget",
    "inquiry",
    "witness",
    "statement",
    "report",
    "vote",
    "harbour",
    "bridge",
    "contract",
    "audit",
    "police",
    "court",
    "hearing",
    "schedule",
    "delay",
    "safety",
    "memo",
    "email",
    "record",
    "minutes",
    "testimony",
    "agency",
    "review",
    "policy",
    "funding",
    "director",
    "crew",
    "letter",
    "interview",
    "filing",
    "lawsuit",
    "evidence",
    "timeline",
    "source",
    "official",
    "spokesperson",
]
SHARES = {"people": 0.20, "events": 0.30, "claims": 0.35, "questions": 0.15}
STATUSES = ("unverified", "disputed", "supported", "confirmed", "false", "retracted")


def sentence(rng: random.Random, words: int = 14) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def generate(n: int, out: Path, seed: int = 1) -> dict[str, list[str]]:
    """Write the story into ``out`` (replaced) and return the slugs by kind."""
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    content = out / "content"
    counts = {kind: max(1, int(n * share)) for kind, share in SHARES.items()}
    slugs = {
        kind: [f"{kind[:-1] if kind != 'people' else 'person'}-{i}" for i in range(count)]
        for kind, count in counts.items()
    }
    names = {
        slug: f"{rng.choice(WORDS).title()} {rng.choice(WORDS).title()} {i}" for i, slug in enumerate(slugs["people"])
    }
    sources = [f"source-{i}" for i in range(max(1, n // 20))]
    keys = [f"{kind}/{slug}" for kind, items in slugs.items() for slug in items]

    def body() -> str:
        paragraphs = []
        for _ in range(rng.randint(2, 4)):
            words = [sentence(rng) for _ in range(rng.randint(2, 4))]
            link = rng.choice(keys)
            kind, slug = link.split("/")
            form = rng.choice(["slug", "key", "shown", "name"])
            if form == "name" and kind == "people":
                words.insert(1, f"[[{names[slug]}]] said so.")
            elif form == "shown":
                words.insert(1, f"See [[{link}|this {kind[:-1]}]].")
            else:
                words.insert(1, f"See [[{link}]].")
            paragraphs.append(" ".join(words))
        return "\n\n".join(paragraphs) + "\n"

    def fields(kind: str, index: int, slug: str) -> dict:
        cited = rng.sample(sources, k=min(len(sources), rng.randint(1, 2)))
        if kind == "people":
            return {
                "name": names[slug],
                "role": sentence(rng, 8),
                "kind": "person" if index % 5 else rng.choice(["group", "organization"]),
                "aliases": [names[slug].split()[0] + f" {index}"],
                "sources": cited,
            }
        if kind == "events":
            year, month, day = 2020 + index % 5, 1 + index % 12, 1 + index % 28
            date = [f"{year}", f"{year}-{month:02d}", f"{year}-{month:02d}-{day:02d}"][index % 3]
            return {
                "title": sentence(rng, 6).rstrip("."),
                "date": date,
                "people": rng.sample(slugs["people"], k=min(len(slugs["people"]), rng.randint(1, 3))),
                "key": index % 10 == 0,
                "sources": cited,
            }
        if kind == "claims":
            others = [s for s in slugs["claims"] if s != slug]
            data = {
                "claim": sentence(rng, 10),
                "by": rng.sample(slugs["people"], k=1),
                "status": STATUSES[index % len(STATUSES)],
                "sources": cited,
                "about": [rng.choice(keys)],
            }
            if others and index % 4 == 0:
                data["disputes"] = [rng.choice(others)]
            if others and index % 7 == 0:
                data["supports"] = [rng.choice(others)]
            return data
        data = {"question": sentence(rng, 8).rstrip(".") + "?", "about": [rng.choice(keys)], "sources": cited}
        if index % 3 == 0:
            # with its answer, as a writer gives one (without, each build warns); no draw from rng, so the rest of
            # the story is as it was
            data.update(status="answered", answered="2024-06-01", answer=f"Yes, as the report {cited[0]} says.")
        return data

    for kind, items in slugs.items():
        listed = []
        for index, slug in enumerate(items):
            data = fields(kind, index, slug)
            if index % 5 == 4:
                listed.append({"slug": slug, **data, "body": body()})
            else:
                path = content / kind / f"{slug}.md"
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text("---\n" + yaml.safe_dump(data, sort_keys=False) + "---\n\n" + body())
        if listed:
            (content / f"{kind}.yml").write_text(yaml.safe_dump(listed, sort_keys=False))
    (content / "sources.yml").write_text(
        yaml.safe_dump(
            [
                {"id": s, "title": f"Report {i}", "publisher": "Example News", "url": f"https://example.org/{s}"}
                for i, s in enumerate(sources)
            ],
            sort_keys=False,
        )
    )
    story_links = " ".join(f"[[{key}]]" for key in rng.sample(keys, k=min(10, len(keys))))
    (content / "story.md").write_text(
        "---\ntitle: A synthetic story\nsummary: Generated for benchmarks.\n"
        f"published: 2024-01-01\n---\n\n{sentence(rng)} {story_links}\n"
    )
    (out / "explainer.yml").write_text("title: Synthetic story\n")
    return slugs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("n", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    generate(args.n, args.out, args.seed)
    print(f"wrote a story of {args.n} entries to {args.out}")


if __name__ == "__main__":
    main()
