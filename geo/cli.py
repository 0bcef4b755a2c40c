"""The command line: ``python -m geo extract|evaluate|build-gazetteer ...``."""

from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from geo.errors import RunError
from geo.gazetteer.store import GazetteerError
from geo.models import Analysis, Article, FlightPath, GazetteerEntry, Place
from geo.spreadsheet import spreadsheet_text

log = logging.getLogger("geo")

EXIT_OK = 0
EXIT_NOTHING_READ = 1
EXIT_USAGE = 2

MENTION_FIELDS = ("doc", "start", "end", "text", "name", "lat", "lon", "country", "feature",
                  "gazetteer_id", "confidence", "kind", "found_by", "reason")


def place_record(place: Place) -> dict[str, Any]:
    """One mention as the flat record the command line prints."""
    mention, entry = place.mention, place.entry
    return {
        "doc": mention.doc_id,
        "start": mention.start,
        "end": mention.end,
        "text": mention.text,
        "name": entry.name if entry else None,
        "lat": round(entry.lat, 5) if entry else None,
        "lon": round(entry.lon, 5) if entry else None,
        "country": entry.country if entry else None,
        "feature": entry.feature.value if entry else None,
        "gazetteer_id": entry.gazetteer_id if entry else None,
        "confidence": place.confidence,
        "kind": mention.kind.value,
        "found_by": mention.found_by,
        "reason": place.reason,
    }


def _print_records(records: Sequence[dict[str, Any]], fmt: str, *, header: bool = True
                   ) -> None:
    out = sys.stdout
    if fmt == "jsonl":
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    elif fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=list(MENTION_FIELDS), extrasaction="ignore")
        if header:
            writer.writeheader()
        writer.writerows({k: spreadsheet_text(v) if isinstance(v, str) else v
                          for k, v in record.items()} for record in records)
    else:
        widths = {"doc": 22, "text": 24, "name": 28, "country": 2, "feature": 8}
        for record in records:
            cells = [
                str(record["doc"])[: widths["doc"]].ljust(widths["doc"]),
                str(record["text"])[: widths["text"]].ljust(widths["text"]),
                str(record["name"] or "?")[: widths["name"]].ljust(widths["name"]),
                str(record["country"] or "").ljust(widths["country"]),
                str(record["feature"] or "").ljust(widths["feature"]),
                f"{record['confidence']:.2f}",
            ]
            out.write("  ".join(cells) + "\n")


def _open_gazetteer() -> Any:
    from geo.gazetteer import Gazetteer, GazetteerError

    try:
        return Gazetteer.open()
    except GazetteerError as err:
        log.error("%s", err)
        raise SystemExit(EXIT_NOTHING_READ) from err


def _cores() -> int:
    """Worker processes for the NER of a large batch: both cores of a two-core machine."""
    return min(2, len(os.sched_getaffinity(0)))


def _read_articles(args: argparse.Namespace) -> list[Article]:
    """The readable articles of the given paths; every unreadable file named on stderr."""
    from geo.articles import load_articles

    articles, problems = load_articles(args.paths)
    for problem in problems:
        log.error("%s", problem)
    if not articles:
        log.error("no article could be read from %s", ", ".join(map(str, args.paths)))
    return articles


THOROUGH_HELP = ("have the NER read every word, not only around the names the gazetteer "
                 "cannot decide: slower, and lists names nothing places (on with --online)")


def _run_options(args: argparse.Namespace, *, thorough: bool = False) -> Any:
    """Where the command's articles come from, and where they are analysed and kept."""
    from geo.runs import RunOptions
    from geo.store import store_path_from_env

    online, pins = _online_and_pins(args)
    store = getattr(args, "store", None) or store_path_from_env()
    return RunOptions(paths=tuple(args.paths), store=Path(store) if store else None,
                      dask=getattr(args, "dask", None), columns=getattr(args, "columns", None),
                      # Asking online, the model reads every word: any name may be placed.
                      thorough=thorough or not online.offline, processes=_cores(),
                      online=online, pins=pins)


def _analyses(args: argparse.Namespace, *, with_roles: bool, thorough: bool = False,
              stack: Any, report: Any, read_back: bool = True) -> Any:
    """The per-article analyses the command asked for (see ``geo.runs``), or None with a
    message when it named no input."""
    from geo.runs import analyses

    options = _run_options(args, thorough=thorough)
    if not options.paths and options.store is None:
        log.error("name articles, folders or corpus files, or a store (--store FILE)")
        return None
    return analyses(options, _open_gazetteer(), stack=stack, report=report,
                    on_problem=lambda problem: log.error("%s", problem),
                    with_roles=with_roles, read_back=read_back)


def _nothing_read(args: argparse.Namespace, report: Any) -> bool:
    if report.read == 0 and args.paths:
        log.error("no article could be read from %s", ", ".join(map(str, args.paths)))
        return True
    return False


def cmd_extract(args: argparse.Namespace) -> int:
    from contextlib import ExitStack

    from geo.runs import RunReport

    report = RunReport()
    with ExitStack() as stack:
        found = _analyses(args, with_roles=False, thorough=args.thorough, stack=stack,
                          report=report)
        if found is None:
            return EXIT_USAGE
        # Printed as analysed, so a corpus of any size streams through bounded memory.
        for number, item in enumerate(found):
            records = [place_record(p) for p in item.places if p.resolved or args.unresolved]
            _print_records(records, args.format, header=number == 0)
    return EXIT_NOTHING_READ if _nothing_read(args, report) else EXIT_OK


def cmd_ingest(args: argparse.Namespace) -> int:
    from contextlib import ExitStack

    from geo.runs import RunReport

    report = RunReport()
    started = time.perf_counter()
    with ExitStack() as stack:
        found = _analyses(args, with_roles=True, stack=stack, report=report,
                          read_back=False)
        if found is None:
            return EXIT_USAGE
        for _ in found:  # runs the ingest
            pass
    seconds = time.perf_counter() - started
    print(f"{args.store}: {report.read:,} articles read ({report.analysed:,} analysed, "
          f"the rest unchanged), {report.problems:,} problems; {seconds:.1f} s")
    return EXIT_NOTHING_READ if _nothing_read(args, report) else EXIT_OK


def _online_and_pins(args: argparse.Namespace) -> tuple[Any, Any]:
    from geo.geocache import GeocodeCache
    from geo.online import OnlineGeocoder, OnlineSettings

    settings = OnlineSettings.from_env()
    cache = GeocodeCache()
    pins = {p.key: p.entry for p in cache.pins()}
    if args.online or settings.enabled:
        return OnlineGeocoder.from_settings(cache, settings), pins
    return OnlineGeocoder.from_settings(cache, settings, offline=True), pins


def _placer(system: str, gazetteer: Any, *, embedded: bool = False,
            thorough: bool = False) -> Any:
    """The function that places a list of articles: ours, or the baseline peer."""
    from geo.peer import peer_places
    from geo.pipeline import place_articles

    if system == "peer":
        return lambda articles: peer_places(articles, gazetteer)
    return lambda articles: place_articles(articles, gazetteer, embedded=embedded,
                                           processes=_cores(), thorough=thorough)


def cmd_peer(args: argparse.Namespace) -> int:
    articles = _read_articles(args)
    records: list[dict[str, Any]] = []
    for places in _placer("peer", _open_gazetteer())(articles):
        records.extend(place_record(p) for p in places if p.resolved)
    _print_records(records, "jsonl")
    return EXIT_OK if articles else EXIT_NOTHING_READ


def cmd_evaluate(args: argparse.Namespace) -> int:
    from geo.evaluate import (
        GoldDoc,
        Judged,
        Prediction,
        evaluate_corpus,
        format_errors,
        format_reliability,
        reliability,
    )
    from geo.models import Article, Feature

    if args.fit_calibration:
        # Fitted on the raw confidences; forked workers inherit the setting.
        os.environ["GEO_CALIBRATION"] = "off"
    placer = _placer(args.system, _open_gazetteer(), embedded=args.embedded,
                     thorough=args.thorough)

    def parse(docs: Sequence[GoldDoc]) -> list[list[Prediction]]:
        articles = [Article(doc_id=str(i), text=d.text, url=d.url) for i, d in enumerate(docs)]
        # What we output is what we place; with --unplaced a name the NER found but nothing
        # placed is scored too, as a recognised name 20,039 km off.
        return [
            [Prediction(p.mention.start, p.mention.end,
                        p.entry.lat if p.entry else None, p.entry.lon if p.entry else None,
                        p.mention.text,
                        p.entry.country if p.entry and p.entry.feature == Feature.COUNTRY
                        else "", p.confidence)
             for p in places if p.entry is not None or args.unplaced]
            for places in placer(articles)
        ]

    status = EXIT_OK
    judged: list[Judged] = []
    for corpus in args.corpora:
        if not Path(corpus).is_file():
            log.error("%s: no such corpus file", corpus)
            status = EXIT_NOTHING_READ
            continue
        result = evaluate_corpus(Path(corpus), parse, limit=args.limit)
        judged.extend(result.judged)
        print(json.dumps({"system": args.system, **result.scores.as_dict()}), flush=True)
        if args.errors:
            print(format_errors(result.errors, args.errors_limit), flush=True)
    if judged:
        print(format_reliability(reliability(judged), "of the corpora above"), flush=True)
    if args.fit_calibration and judged:
        from geo import calibration

        table = calibration.fit((j.confidence, j.correct) for j in judged)
        names = " ".join(Path(c).name for c in args.corpora)
        calibration.write(table, Path(args.fit_calibration),
                          f"isotonic fit, python -m geo evaluate {names}")
        after = [Judged(table(j.confidence), j.correct) for j in judged]
        print(f"{args.fit_calibration}: {len(table.steps)} steps")
        print(format_reliability(reliability(after), "after calibration"), flush=True)
    return status


def cmd_bench(args: argparse.Namespace) -> int:
    from geo.bench import bench

    missing = [c for c in (*args.corpora, *args.paths_corpora) if not Path(c).is_file()]
    if missing:
        log.error("no such corpus file: %s", ", ".join(missing))
        return EXIT_NOTHING_READ
    print(json.dumps(bench([Path(c) for c in args.corpora],
                           [Path(c) for c in args.paths_corpora]), indent=2))
    return EXIT_OK


def cmd_bench_store(args: argparse.Namespace) -> int:
    from geo.bench_store import bench_store

    missing = [c for c in args.corpora if not Path(c).is_file()]
    if missing:
        log.error("no such corpus file: %s", ", ".join(missing))
        return EXIT_NOTHING_READ
    print(json.dumps(bench_store([Path(c) for c in args.corpora], args.articles,
                                 args.dask or None), indent=2))
    return EXIT_OK


def cmd_build_borders(args: argparse.Namespace) -> int:
    from geo.borders import DEFAULT_BORDERS_PATH, write_borders_geojson

    path = Path(args.output or DEFAULT_BORDERS_PATH)
    write_borders_geojson(path)
    print(f"{path}: {path.stat().st_size / 1e6:.2f} MB")
    return EXIT_OK


def path_record(path: FlightPath) -> dict[str, Any]:
    """One flight path as the record ``paths --format jsonl`` prints."""

    def end(entry: GazetteerEntry) -> dict[str, Any]:
        return {"name": entry.name, "lat": round(entry.lat, 5), "lon": round(entry.lon, 5),
                "gazetteer_id": entry.gazetteer_id, "country": entry.country,
                "feature": entry.feature.value}

    return {
        "origin": end(path.origin),
        "target": end(path.target),
        "docs": list(path.docs),
        "sources": list(path.sources),
        "dates": [d.isoformat() for d in path.dates],
        "countries": list(path.countries),
        "distance_km": round(path.distance_km, 1),
        "bearing": round(path.bearing, 1),
        "confidence": round(path.confidence, 3),
        "inferred": path.inferred,
        "actor": list(path.actors),
        "means": list(path.means),
        "approximate": path.approximate,
        "evidence": list(dict.fromkeys(e.sentence for r in path.reports for e in r.evidence)),
    }


def _analyse(args: argparse.Namespace) -> Analysis | None:
    """The analysis of the given inputs, or None (with messages) when nothing could be read."""
    from contextlib import ExitStack

    from geo.runs import RunReport
    from geo.stage import merge

    report = RunReport()
    with ExitStack() as stack:
        found = _analyses(args, with_roles=True, stack=stack, report=report)
        if found is None:
            return None
        analysis = merge(found)
    if _nothing_read(args, report) or not analysis.articles:
        if not args.paths:
            log.error("the store holds no article")
        return None
    return analysis


def cmd_paths(args: argparse.Namespace) -> int:
    analysis = _analyse(args)
    if analysis is None:
        return EXIT_NOTHING_READ
    out = sys.stdout
    if args.format == "jsonl":
        for path in analysis.paths:
            out.write(json.dumps(path_record(path), ensure_ascii=False) + "\n")
    elif args.format == "geojson":
        from geo.export import geojson_dict  # folium's import: only for this format

        only_paths = Analysis(articles=analysis.articles, places=(), paths=analysis.paths)
        out.write(json.dumps(geojson_dict(only_paths), ensure_ascii=False, indent=1) + "\n")
    else:
        for path in analysis.paths:
            record = path_record(path)
            out.write(
                f"{record['origin']['name'][:26]:26}  ->  {record['target']['name'][:22]:22}"
                f"  {record['distance_km']:7.0f} km  {'-'.join(record['countries']):12}"
                f"  {record['confidence']:.2f}{' inferred' if path.inferred else ''}"
                f"  {', '.join(record['sources'])}\n"
            )
    return EXIT_OK


def cmd_events(args: argparse.Namespace) -> int:
    from geo.strikes.incidents import IncidentWindows, merge_incidents
    from geo.strikes.records import write_incidents

    try:
        windows = IncidentWindows.from_env()
    except ValueError as err:
        log.error("%s", err)
        return EXIT_USAGE
    analysis = _analyse(args)
    if analysis is None:
        return EXIT_NOTHING_READ
    write_incidents(merge_incidents(analysis.events, windows), args.format, sys.stdout)
    return EXIT_OK


def cmd_evaluate_paths(args: argparse.Namespace) -> int:
    from geo.strikes.evaluate import GoldFileError, predicted_paths, read_gold, score_paths

    try:
        gold = read_gold(Path(args.gold))
    except GoldFileError as err:
        log.error("%s", err)
        return EXIT_USAGE
    args.paths = [args.folder]
    analysis = _analyse(args)
    if analysis is None:
        return EXIT_NOTHING_READ
    names = {Path(a.path).name for a in analysis.articles}
    for name in sorted(set(gold) - names):
        log.warning("%s: the gold file names %s, which the folder lacks", args.gold, name)
    print(score_paths(predicted_paths(analysis), gold).report())
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from geo.export import check_output_path, export

    try:
        check_output_path(Path(args.output))
    except (ValueError, OSError) as err:
        log.error("%s", err)
        return EXIT_USAGE
    analysis = _analyse(args)
    if analysis is None:
        return EXIT_NOTHING_READ
    known = {a.source for a in analysis.articles}
    unknown = [s for s in args.source or () if s not in known]
    if unknown:
        log.error("no article is from %s (sources: %s)", ", ".join(unknown),
                  ", ".join(sorted(known)))
        return EXIT_USAGE
    written = export(analysis, Path(args.output), title=args.title,
                     sources=args.source or None, min_confidence=args.min_confidence)
    print(f"{written}: {written.stat().st_size / 1e6:.2f} MB, {len(analysis.paths)} paths")
    return EXIT_OK


def cmd_dashboard(args: argparse.Namespace) -> int:
    from geo.launch import serve

    return serve(args.streamlit_options)


def cmd_build_gazetteer(args: argparse.Namespace) -> int:
    from geo.gazetteer import DEFAULT_GAZETTEER_PATH, build_gazetteer, needs_build

    path = Path(args.output or DEFAULT_GAZETTEER_PATH)
    if not args.force and not needs_build(path):
        print(f"{path}: up to date with its sources (use --force to rebuild)")
        return EXIT_OK
    started = time.perf_counter()
    stats = build_gazetteer(path)
    print(f"{path}: built in {time.perf_counter() - started:.1f}s: {stats}")
    return EXIT_OK


INPUTS_HELP = ("article files (.txt, .html), corpus files (.jsonl, .csv, .parquet: one "
               "article a row) or folders of them; none with --store: the whole store")


def _add_inputs(command: argparse.ArgumentParser, *, store_required: bool = False) -> None:
    """The options every analysing command shares: inputs, the store, Dask, columns."""
    command.add_argument("paths", nargs="+" if store_required else "*", help=INPUTS_HELP)
    command.add_argument("--store", metavar="FILE", required=store_required,
                         help="the analysis store (DuckDB): analyse only what it lacks, "
                         "keep it, read the rest from it (default: $GEO_STORE)")
    command.add_argument("--dask", metavar="ADDRESS",
                         help="analyse on a Dask cluster: a scheduler address, or local:N "
                         "for N local worker processes")
    command.add_argument("--columns", metavar="FACT=COLUMN,...",
                         help="corpus columns when not named text/html/id/source/title/"
                         "published/url, e.g. text=body,id=uuid ($GEO_CORPUS_COLUMNS)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m geo", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="show debug logging")
    commands = parser.add_subparsers(dest="command", required=True)

    extract = commands.add_parser("extract", help="list the places each article names")
    _add_inputs(extract)
    extract.add_argument("--format", choices=("jsonl", "csv", "table"), default="table")
    extract.add_argument("--online", action="store_true",
                         help="ask the online geocoder (cached) for names the gazetteer lacks")
    extract.add_argument("--unresolved", action="store_true",
                         help="also list mentions that could not be placed")
    extract.add_argument("--thorough", action="store_true", help=THOROUGH_HELP)
    extract.set_defaults(func=cmd_extract)

    paths = commands.add_parser("paths", help="infer flight paths from bases to targets")
    _add_inputs(paths)
    paths.add_argument("--format", choices=("jsonl", "geojson", "table"), default="table")
    paths.add_argument("--online", action="store_true", help="as for extract")
    paths.set_defaults(func=cmd_paths)

    export = commands.add_parser("export", help="write a map (.html) or data file")
    _add_inputs(export)
    export.add_argument("-o", "--output", required=True,
                        help="briefing.html (with a time control), out.geojson, out.csv, "
                        "out.kml, or a 16:9 slide image briefing.png|.svg|.pdf")
    export.add_argument("--source", action="append", metavar="NAME",
                        help="only what this outlet reported (repeatable)")
    export.add_argument("--min-confidence", type=float, default=0.0)
    export.add_argument("--title", default="Flight paths reported in the news")
    export.add_argument("--online", action="store_true", help="as for extract")
    export.set_defaults(func=cmd_export)

    ingest = commands.add_parser("ingest", help="analyse what the store lacks and keep it")
    _add_inputs(ingest, store_required=True)
    ingest.add_argument("--online", action="store_true", help="as for extract")
    ingest.set_defaults(func=cmd_ingest)

    evaluate = commands.add_parser("evaluate", help="score against gold geoparsing corpora")
    evaluate.add_argument("corpora", nargs="+", help="corpus XML files")
    evaluate.add_argument("--limit", type=int, default=None, help="first N documents only")
    evaluate.add_argument("--errors", action="store_true",
                          help="list misses, false positives and far-off resolutions")
    evaluate.add_argument("--errors-limit", type=int, default=200)
    evaluate.add_argument("--fit-calibration", metavar="CSV", default=None,
                          help="score the raw confidences and write an isotonic "
                               "calibration of them to CSV (data/calibration.csv)")
    evaluate.add_argument("--embedded", action=argparse.BooleanOptionalAction, default=True,
                          help="count place names inside organisations' names, as the "
                          "corpora annotate them (default: on)")
    evaluate.add_argument("--unplaced", action="store_true",
                          help="also score the names nothing could place (as 20,039 km off)")
    evaluate.add_argument("--thorough", action="store_true", help=THOROUGH_HELP)
    evaluate.add_argument("--system", choices=("ours", "peer"), default="ours",
                          help="peer: spaCy NER + most populous candidate, for comparison")
    evaluate.set_defaults(func=cmd_evaluate)

    events = commands.add_parser("events", help="strike events, merged into incidents "
                                 "across reports (actor, means, origin, targets, dates)")
    _add_inputs(events)
    events.add_argument("--format", choices=("jsonl", "csv", "geojson"), default="jsonl")
    events.add_argument("--online", action="store_true", help="as for extract")
    events.set_defaults(func=cmd_events)

    scoring = commands.add_parser("evaluate-paths",
                                  help="path precision and recall against a gold file")
    scoring.add_argument("folder", help="a folder of articles (with its manifest.csv)")
    scoring.add_argument("gold", help="the gold file (JSON, see geo/strikes/evaluate.py)")
    scoring.set_defaults(func=cmd_evaluate_paths, online=False)

    bench = commands.add_parser("bench", help="articles/s, gazetteer open, peak memory")
    bench.add_argument("corpora", nargs="+", help="corpus XML files whose texts to read")
    bench.add_argument("--paths-corpora", nargs="+", default=[], metavar="CORPUS",
                       help="also time `paths` (and `extract`) over these corpora's texts")
    bench.set_defaults(func=cmd_bench)

    bench_store = commands.add_parser(
        "bench-store", help="ingest of a JSONL archive: plain, again, and on Dask")
    bench_store.add_argument("corpora", nargs="+", help="corpus XML files whose texts to repeat")
    bench_store.add_argument("--articles", type=int, default=10_000)
    bench_store.add_argument("--dask", default="local:2",
                             help="the cluster to compare with ('' for none)")
    bench_store.set_defaults(func=cmd_bench_store)

    peer = commands.add_parser("peer", help="the baseline peer's places (jsonl), for bench")
    peer.add_argument("paths", nargs="+")
    peer.set_defaults(func=cmd_peer)

    dashboard = commands.add_parser(
        "dashboard", help="start the dashboard, its first map prepared before it serves")
    # Everything else on its command line is for Streamlit (see main).
    dashboard.set_defaults(streamlit_options=[])
    dashboard.set_defaults(func=cmd_dashboard)

    borders = commands.add_parser("build-borders", help="write the offline base map outlines")
    borders.add_argument("--output", help="where to write it (default data/build/...)")
    borders.set_defaults(func=cmd_build_borders)

    build = commands.add_parser("build-gazetteer", help="build the offline gazetteer")
    build.add_argument("--output", help="where to write it (default data/build/...)")
    build.add_argument("--force", action="store_true", help="rebuild even if present")
    build.set_defaults(func=cmd_build_gazetteer)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if args.command == "dashboard":  # the rest goes to streamlit run: --server.port 8502
        args.streamlit_options = unknown
    elif unknown:
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        format="%(levelname)s: %(message)s", stream=sys.stderr)
    try:
        result: int = args.func(args)
    except BrokenPipeError:
        # The reader (e.g. `head`) stopped early: not an error of ours.
        sys.stderr.close()
        return EXIT_OK
    except GazetteerError as err:  # found corrupt or locked mid-run, after a clean open
        log.error("%s", err)
        return EXIT_NOTHING_READ
    except RunError as err:  # the store or the cluster
        log.error("%s", err)
        return EXIT_NOTHING_READ
    return result
