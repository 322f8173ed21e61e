"""Body quality: newsdex's article bodies against hand-checked ones, beside bare trafilatura.

    python bench/body_quality.py SET_DIR

``SET_DIR`` holds ``html/<id>.html.gz`` pages and a ``ground-truth.json`` mapping each id to
``{"articleBody": ..., "url": ...}`` (the layout of Zyte's article-extraction-benchmark; the
pages are not ours to ship, so they are not in this repository). Scores: the mean per-page token
F1, and that set's shingle F1 (4-grams of ``\\w+`` tokens, per-page normalised counts, F1 of the
mean precision and the mean recall).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import trafilatura

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from search.readers import html  # noqa: E402

_TOKEN = re.compile(r"\w+")
CRAWLED = datetime(2030, 1, 1)


def token_f1(true: str, pred: str) -> float:
    t, p = Counter(_TOKEN.findall(true)), Counter(_TOKEN.findall(pred))
    if not t and not p:
        return 1.0
    hit = sum((t & p).values())
    if not hit:
        return 0.0
    precision, recall = hit / sum(p.values()), hit / sum(t.values())
    return 2 * precision * recall / (precision + recall)


def shingles(text: str, n: int = 4) -> Counter:
    tokens = _TOKEN.findall(text)
    return Counter(tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)))


def shingle_scores(pairs: list[tuple[str, str]]) -> tuple[float, float, float]:
    precisions, recalls = [], []
    for true, pred in pairs:
        t, p = shingles(true), shingles(pred)
        tp = sum((t & p).values())
        fp, fn = sum((p - t).values()), sum((t - p).values())
        if fp == fn == 0:
            precisions.append(1.0)
            recalls.append(1.0)
            continue
        if tp + fp:
            precisions.append(tp / (tp + fp))
        if tp + fn:
            recalls.append(tp / (tp + fn))
    p, r = statistics.mean(precisions), statistics.mean(recalls)
    return 2 * p * r / (p + r), p, r


def newsdex(page: str, url: str | None) -> str:
    try:
        found = html.extract(page, CRAWLED, path="-", location="-", url=url)
    except html.NotArticle:
        return ""
    return found.article.body if found.article else ""


def bare(page: str, url: str | None) -> str:
    return trafilatura.extract(page, url=url, **html.EXTRACT) or ""


def defaults(page: str, url: str | None) -> str:
    return trafilatura.extract(page, url=url) or ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("set_dir", type=Path)
    args = parser.parse_args()
    truth = json.loads((args.set_dir / "ground-truth.json").read_text(encoding="utf-8"))
    pages = {
        path.name.split(".")[0]: gzip.decompress(path.read_bytes()).decode("utf-8")
        for path in sorted((args.set_dir / "html").glob("*.html.gz"))
    }
    extractors: dict[str, Callable[[str, str | None], str]] = {
        "trafilatura defaults": defaults,
        "trafilatura, newsdex settings": bare,
        "newsdex": newsdex,
    }
    for name, fn in extractors.items():
        pairs = [
            (truth[k]["articleBody"], fn(page, truth[k].get("url"))) for k, page in pages.items()
        ]
        tf1 = statistics.mean(token_f1(t, p) for t, p in pairs)
        sf1, sp, sr = shingle_scores(pairs)
        print(f"{name:30} token F1 {tf1:.3f}  shingle F1 {sf1:.3f} (P {sp:.3f} R {sr:.3f})")


if __name__ == "__main__":
    main()
