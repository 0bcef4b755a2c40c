"""``python -m geo bench``: throughput, start-up and memory, ours beside a peer, in one run.

Each contender runs as a whole process over the same folder of texts (the corpora's
documents written as .txt files), so the figures include interpreter start, model load,
gazetteer open, reading and output. The peer is the usual baseline geoparser: spaCy's NER
with the most populous gazetteer candidate for each GPE/LOC/FAC entity
(``python -m geo peer``). Running both in one invocation keeps their ratio meaningful on a
noisy machine.

``paths_corpora`` adds ``python -m geo paths`` as a whole process over those corpora's
texts (``make bench`` gives the four gold corpora, 976 texts): articles/s and peak memory
of the whole role-reading and path-building run, beside ``extract`` over the same texts.
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


def measure(command: list[str]) -> dict[str, float]:
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


def bench_paths(corpora: Sequence[Path]) -> dict[str, object]:
    """``extract`` and ``paths`` as whole processes over the corpora's texts."""
    with tempfile.TemporaryDirectory(prefix="geo-bench-paths-") as tmp:
        folder = Path(tmp)
        articles = _write_texts(corpora, folder)
        runs = {name: measure([sys.executable, "-m", "geo", name, "--format", "jsonl",
                                str(folder)]) for name in ("extract", "paths")}
    report: dict[str, object] = {"corpora": [c.name for c in corpora], "articles": articles}
    for name, run in runs.items():
        report[name] = {"seconds": round(run["seconds"], 2),
                        "articles_per_s": round(articles / run["seconds"], 1),
                        "peak_mib": round(run["peak_mib"], 1)}
    return report


def bench(corpora: Sequence[Path], paths_corpora: Sequence[Path] = ()) -> dict[str, object]:
    """Articles per second, gazetteer open time and peak memory, for ours and the peer.

    Each contender also runs over a single article, which prices its start-up (interpreter,
    imports, model load): the rate after start-up is what a longer batch approaches.
    """
    with tempfile.TemporaryDirectory(prefix="geo-bench-") as tmp:
        folder, single = Path(tmp) / "all", Path(tmp) / "one"
        folder.mkdir()
        single.mkdir()
        articles = _write_texts(corpora, folder)
        first = min(folder.iterdir())
        (single / first.name).write_bytes(first.read_bytes())
        commands = {
            "ours": [sys.executable, "-m", "geo", "extract", "--format", "jsonl"],
            "peer_spacy_population": [sys.executable, "-m", "geo", "peer"],
        }
        runs = {name: (measure([*command, str(folder)]), measure([*command, str(single)]))
                for name, command in commands.items()}
    report: dict[str, object] = {
        "corpora": [c.name for c in corpora],
        "articles": articles,
        "gazetteer_open_s": round(gazetteer_open_seconds(), 3),
    }
    for name, (whole, start_up) in runs.items():
        after_start_up = whole["seconds"] - start_up["seconds"]
        report[name] = {
            "seconds": round(whole["seconds"], 2),
            "articles_per_s": round(articles / whole["seconds"], 1),
            "start_up_s": round(start_up["seconds"], 2),
            "articles_per_s_after_start_up": round((articles - 1) / after_start_up, 1)
            if after_start_up > 0 else None,
            "peak_mib": round(whole["peak_mib"], 1),
        }
    if paths_corpora:
        report["paths"] = bench_paths(paths_corpora)
    return report
