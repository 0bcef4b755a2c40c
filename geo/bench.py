"""``python -m geo bench``: throughput, start-up and memory, ours beside a peer, in one run.

Each contender runs as a whole process over the same folder of texts (the corpora's
documents written as .txt files), so the figures include interpreter start, model load,
gazetteer open, reading and output. The peer is the usual baseline geoparser: spaCy's NER
with the most populous gazetteer candidate for each GPE/LOC/FAC entity
(``python -m geo peer``). Running both in one invocation keeps their ratio meaningful on a
noisy machine.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from geo.evaluate import read_corpus


def _write_texts(corpora: Sequence[Path], folder: Path) -> int:
    count = 0
    for corpus in corpora:
        for doc in read_corpus(corpus):
            count += 1
            (folder / f"{corpus.stem}_{count:05d}.txt").write_text(doc.text, encoding="utf-8")
    return count


def _measure(command: list[str]) -> dict[str, float]:
    probe = [sys.executable, "-c",
             "import json, subprocess, sys, time, resource\n"
             "t = time.perf_counter()\n"
             "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)\n"
             "s = time.perf_counter() - t\n"
             "m = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
             "print(json.dumps({'seconds': s, 'peak_mib': m}))\n",
             *command]
    out = subprocess.run(probe, check=True, capture_output=True, text=True).stdout
    result: dict[str, float] = json.loads(out)
    return result


def gazetteer_open_seconds() -> float:
    """Seconds to open the gazetteer in a fresh process (imports excluded)."""
    code = ("import time; from geo.gazetteer import Gazetteer; t = time.perf_counter(); "
            "g = Gazetteer.open(); g.lookup(['aleppo']); print(time.perf_counter() - t)")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True).stdout
    return float(out.strip())


def bench(corpora: Sequence[Path]) -> dict[str, object]:
    """Articles per second, gazetteer open time and peak memory, for ours and the peer."""
    with tempfile.TemporaryDirectory(prefix="geo-bench-") as tmp:
        folder = Path(tmp)
        articles = _write_texts(corpora, folder)
        ours = _measure([sys.executable, "-m", "geo", "extract", str(folder), "--format",
                         "jsonl"])
        peer = _measure([sys.executable, "-m", "geo", "peer", str(folder)])
    report: dict[str, object] = {
        "corpora": [c.name for c in corpora],
        "articles": articles,
        "gazetteer_open_s": round(gazetteer_open_seconds(), 3),
    }
    for name, figures in (("ours", ours), ("peer_spacy_population", peer)):
        report[name] = {
            "seconds": round(figures["seconds"], 2),
            "articles_per_s": round(articles / figures["seconds"], 1),
            "peak_mib": round(figures["peak_mib"], 1),
        }
    return report
