"""python -m impact: validate, import, batches, undo, demo, indicators, equity, partners, export, audit-pack,
comments, users, audit, schema.

Every command that reports takes --json for scripts; the text form is for people.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from impact import schema


def _options(args):
    from impact.ingest import Options, SheetOptions

    mapping = {}
    for item in args.map or []:
        if "=" not in item:
            raise SystemExit(f'--map takes "HEADER=canonical" (got {item!r})')
        header, canonical = item.rsplit("=", 1)
        mapping[header.strip()] = canonical.strip()
    if args.table and args.table not in schema.TABLES:
        raise SystemExit(f"--table must be one of {', '.join(schema.TABLES)}")
    defaults = {}
    for item in args.set or []:
        if "=" not in item:
            raise SystemExit(f'--set takes "column=value" (got {item!r})')
        column, value = item.split("=", 1)
        defaults[column.strip()] = value.strip()
    us, uk = getattr(args, "us_dates", False), getattr(args, "uk_dates", False)
    if us and uk:
        raise SystemExit("give --us-dates or --uk-dates, not both")
    sheets = {}
    for item in getattr(args, "sheet_table", None) or []:
        if "=" not in item:
            raise SystemExit(f'--sheet-table takes "SHEET=table" (got {item!r})')
        sheet, table = (x.strip() for x in item.rsplit("=", 1))
        if table not in (*schema.TABLES, "skip"):
            raise SystemExit(f"--sheet-table: {table!r} is not a table; choose one of {', '.join(schema.TABLES)}, "
                             "or skip (do not import the sheet)")
        sheets[sheet] = SheetOptions("" if table == "skip" else table)
    read_as: dict[str, dict[str, str]] = {}
    for item in getattr(args, "read_as", None) or []:
        if ":" not in item or "=" not in item:
            raise SystemExit(f'--read-as takes "column:VALUE=allowed" (got {item!r})')
        column, rest = item.split(":", 1)
        value, allowed = rest.rsplit("=", 1)
        if column.strip() not in schema.TABLES_BY_COLUMN_ALLOWED:
            raise SystemExit(f"--read-as: {column.strip()!r} has no fixed list; choose one of "
                             f"{', '.join(schema.TABLES_BY_COLUMN_ALLOWED)}")
        read_as.setdefault(column.strip(), {})[value.strip()] = allowed.strip()
    renames: dict[str, str] = {}
    for item in getattr(args, "rename", None) or []:
        if "=" not in item:
            raise SystemExit(f'--rename takes "NAME AS WRITTEN=new name" (got {item!r})')
        old, new = item.rsplit("=", 1)
        renames[old.strip()] = new.strip()
    return Options(table=args.table, mapping=mapping, dayfirst=not us, read_as=read_as, defaults=defaults, sheets=sheets,
                   renames=renames,
                   codes_missing=tuple(getattr(args, "codes_missing", None) or ()), date_order_chosen=us or uk,
                   own_outcomes=tuple(getattr(args, "own_outcome", None) or ()))


def _print_report(report: dict, out) -> None:
    for s in report["sheets"]:
        mapped = ", ".join(f"{h} → {c}" for h, c in s["mapping"].items() if c)
        ignored = [h for h, c in s["mapping"].items() if not c]
        if s["header_row"] is None:
            print(f"{s['file']} / {s['sheet']}: not imported", file=out)
            continue
        print(f"{s['file']} / {s['sheet']}: {s['table'] or 'unknown table'}, {s['rows']} rows "
              f"(header on row {s['header_row']})", file=out)
        if mapped:
            print(f"  columns: {mapped}", file=out)
        if ignored:
            print(f"  not imported: {', '.join(ignored)}", file=out)
    for kind in ("errors", "warnings"):
        items = report[kind]
        if not items:
            continue
        print(f"\n{len(items)} {kind}:", file=out)
        for p in items[:200]:
            place = " / ".join(str(x) for x in (p["file"], p["sheet"], f"row {p['row']}" if p["row"] else None,
                                                 p["column"]) if x)
            value = f" [{p['value']}]" if p["value"] not in (None, "") else ""
            print(f"  {place}{value}: {p['message']}. Fix: {p['fix']}", file=out)
        if len(items) > 200:
            print(f"  ... and {len(items) - 200} more (use --json for all)", file=out)
    print("\nOK: no errors" if report["ok"] else "\nNot OK: fix the errors above, then try again", file=out)


def _missing(paths) -> list[str]:
    return [p for p in paths if not Path(p).is_file()]


def _limits(args, settings=None):
    """The page's limits for the CLI: the store's settings (import) or the defaults (validate), each file read
    in a worker with the same time and memory caps."""
    from impact.ingest import Limits

    return Limits.from_settings(settings or {}, isolate=True, encoding=getattr(args, "encoding", None) or None)


def cmd_validate(args) -> int:
    from impact.ingest import ingest_paths

    if missing := _missing(args.files):
        print(f"no such file: {', '.join(missing)}", file=sys.stderr)
        return 2
    result = ingest_paths(args.files, _options(args), _limits(args))
    report = result.report()
    if args.json:
        print(json.dumps(report, default=str, indent=1))
    else:
        _print_report(report, sys.stdout)
    return 0 if result.ok else 1


def cmd_import(args) -> int:
    from impact.ingest import ingest_paths
    from impact.store import Store

    if missing := _missing(args.files):
        print(f"no such file: {', '.join(missing)}", file=sys.stderr)
        return 2
    store = Store(args.db)
    result = ingest_paths(args.files, _options(args), _limits(args, store.settings()))
    report = result.report()
    from impact import guarded
    from impact.accounts import Actor

    outcome = guarded.commit_upload(store, Actor.cli(), result, force=args.force, uploader=args.uploader or "")
    report.update({"batch_id": outcome.to_dict()["batch_id"], "batch_ids": outcome.batch_ids,
                   "stored": outcome.stored, "created": outcome.created, "refused": outcome.refused,
                   "message": outcome.message})
    if args.json:
        print(json.dumps(report, default=str, indent=1))
    else:
        _print_report(report, sys.stdout)
        print(outcome.message)
    return 0 if outcome.ok else 1


def cmd_batches(args) -> int:
    from impact.store import Store

    frame = Store(args.db).batches()
    rows = [{"batch_id": int(r.id), "file": r.file_name, "sha256": r.sha256, "uploaded_at": str(r.uploaded_at),
             "uploader": r.uploader, "rows": r.rows, "personal_data": bool(r.personal_data),
             "original_kept": bool(r.original_kept), "undone_at": None if r.undone_at is None or str(r.undone_at)
             in ("NaT", "None") else str(r.undone_at)} for r in frame.itertuples()]
    if args.json:
        print(json.dumps(rows, indent=1))
    else:
        if not rows:
            print("no batches yet: import a file or run `python -m impact demo`")
        for r in rows:
            state = f" (undone {r['undone_at']})" if r["undone_at"] else ""
            print(f"{r['batch_id']:>4}  {r['uploaded_at']}  {r['file']}  {r['rows']}{state}")
    return 0


def cmd_undo(args) -> int:
    from impact import guarded
    from impact.accounts import Actor
    from impact.store import Store

    try:
        removed = guarded.undo(Store(args.db), Actor.cli(), args.batch_id)
    except KeyError:
        print(f"no batch {args.batch_id}: see `python -m impact batches`", file=sys.stderr)
        return 1
    print(json.dumps({"batch_id": args.batch_id, "removed": removed}) if args.json else
          f"batch {args.batch_id} undone: removed {removed or 'nothing (already undone)'}")
    return 0


def cmd_demo(args) -> int:
    from impact.store import Store, load_demo

    outcome = load_demo(Store(args.db), force=args.force)
    print(json.dumps(outcome.to_dict()) if args.json else outcome.message)
    return 0 if outcome.ok else 1


def cmd_rebuild_cache(args) -> int:
    import time

    from impact import columnar
    from impact.store import Store

    store = Store(args.db)
    if store.columnar_dir is None:
        print("the columnar copy is off for this database (IMPACT_COLUMNAR_DIR=off, or an in-memory database)",
              file=sys.stderr)
        return 1
    start = time.perf_counter()
    copy = columnar.rebuild_fresh(store)
    seconds = time.perf_counter() - start
    report = {"folder": str(store.columnar_dir), "key": copy.key, "version": copy.version,
              "rows": {t: len(f) for t, f in copy.frames.items()},
              "bytes": columnar.size_on_disk(store.columnar_dir, copy.key), "seconds": round(seconds, 2)}
    print(json.dumps(report) if args.json else
          f"columnar copy of data version {copy.version} rebuilt in {seconds:.1f} s: "
          f"{sum(report['rows'].values()):,} rows, {report['bytes'] / 1e6:.1f} MB in {report['folder']}")
    return 0


def cmd_indicators(args) -> int:
    from impact import indicators
    from impact.filters import prepare
    from impact.store import Store

    store = Store(args.db)
    min_n, rate = int(store.setting("min_n")), float(store.setting("hourly_rate"))
    filters = _scope(args, store, "indicators")
    if filters is None:
        return 2
    data = prepare(store.read_frames())
    total = indicators.compute(data, filters, min_n=min_n, hourly_rate=rate)
    by = indicators.compute_by(data, args.by, filters, min_n=min_n, hourly_rate=rate) if args.by else []
    if args.json:
        result = {"filters": filters.to_dict(), "min_n": min_n, "hourly_rate": rate, **total.to_dict(),
                  "counts": indicators.summary(data, min_n)["counts"],
                  "who_answered": indicators.outcomes.who_answered(data, filters, min_n=min_n).to_dict()}
        if args.by:
            result.update({"by": args.by, "groups": [g.to_dict() for g in by]})
        print(json.dumps(result, indent=1, default=str))
        return 0

    def pct(p):
        return f"{p:.0%}" if p is not None else "–"

    def money(x):
        return f"£{x:,.2f}" if x is not None else "–"

    r, v = total.reach, total.value
    print((f"attendance {r.attendance:,} over {r.sessions:,} sessions" if not r.attendance_in_returns else
           r.sessions_text) + f"; {r.new_attendees:,} new to the library")
    if r.not_recorded:
        print(f"  {r.not_recorded:,} attendance rows not recorded (left out, not counted as zero)")
    print(f"  mean per session {r.mean_per_session.value or 0:.1f}; fill rate {pct(r.fill_rate.value)}; "
          f"survey response rate {pct(r.response_rate.value)} ({r.post_responses:,} post-session responses)")
    if r.unique_participants is not None:
        print(f"  {r.unique_participants:,} unique participants, {pct(r.repeat_rate.rate)} came to 2 or more sessions")
    for domain, o in total.outcomes.items():
        if o.reliable and o.ci_low is not None:
            clustered = (f", design effect {o.design_effect:.1f} over {o.clusters:,} {o.cluster_unit}"
                         if o.design_effect else "")
            print(f"{domain}: {o.positive_rate:.0%} positive (95% CI {o.ci_low:.0%}–{o.ci_high:.0%}{clustered}), "
                  f"n = {o.n:,} responses")
        elif o.reliable:
            print(f"{domain}: {o.positive_rate:.0%} positive, n = {o.n:,} responses (no interval)")
        else:
            print(f"{domain}: fewer than {min_n} responses (n = {o.n})")
    from impact.stats import format_p

    for domain, c in total.change.items():
        detail = f"{c.effect_size_name} {c.effect_size:.2f}, " if c.effect_size is not None else ""
        p = format_p(c.p_value)  # a missing test prints nothing
        test = f"{c.test} {p}" if p else "no test"
        share = (f"; share agreeing: McNemar exact {format_p(c.mcnemar_p)}"
                 if c.method == "paired" and c.mcnemar_p is not None else "")
        few = "pairs" if c.method == "paired" else "responses"
        print(f"change in {domain}: {c.mean_diff:+.2f} points ({c.method}, n = {c.n:,}, {detail}{test}{share})"
              if c.reliable else f"change in {domain}: fewer than {min_n} {few}")
    if total.follow_up_application:
        f = total.follow_up_application
        print(f"follow-up application: {pct(f.positive_rate)} (n = {f.n:,})" if f.reliable else
              f"follow-up application: fewer than {min_n} responses (n = {f.n})")
    print(f"total input {money(v.total_input)} (library {money(v.library_input)}, partners {money(v.partner_input)}, "
          f"leverage {v.leverage:.2f}); {money(v.cost_per_attendance)} per attendance; about "
          f"{money(v.cost_per_positive_outcome)} per positive outcome (estimate)" if v.leverage is not None else
          f"total input {money(v.total_input)}; {money(v.cost_per_attendance)} per attendance")
    if by:
        print(f"\nby {args.by}:")
        print(f"{'group':<40} {'attendance':>10} {'sessions':>8} {'responses':>9} {'positive':>8} {'input':>12} "
              f"{'per attendance':>14}")
        for g in by:
            k, n = sum(o.positive for d, o in g.outcomes.items() if d != "satisfaction"), \
                sum(o.n for d, o in g.outcomes.items() if d != "satisfaction")
            shown = pct(k / n) if n >= min_n else f"n<{min_n}"
            print(f"{str(g.group)[:40]:<40} {g.reach.attendance:>10,} {g.reach.sessions:>8,} "
                  f"{g.reach.post_responses:>9,} {shown:>8} {money(g.value.total_input):>12} "
                  f"{money(g.value.cost_per_attendance):>14}")
    return 0


def _scope_arguments(p) -> None:
    """The scope flags every reporting command shares (indicators, equity, partners, export)."""
    p.add_argument("--from", dest="date_from", metavar="DATE", help="first day: 2024-04-01, 2024-04 or 2024")
    p.add_argument("--to", dest="date_to", metavar="DATE", help="last day (inclusive): 2025-03-31, 2025-03 or 2025")
    p.add_argument("--partner", action="append", help="programmes run with this partner (name or id; repeatable)")
    p.add_argument("--type", action="append", choices=schema.PARTNERSHIP_TYPES,
                   help="programmes with a partner of this partnership type (repeatable)")
    p.add_argument("--theme", action="append", help="programme theme (repeatable)")
    p.add_argument("--branch", action="append", help="branch (repeatable)")
    p.add_argument("--programme", action="append", help="programme name or id (repeatable)")
    p.add_argument("--group", action="append", metavar="DIMENSION=GROUP",
                   help='a demographic group, e.g. "age_band=65+" (repeatable)')


def _scope(args, store, command: str):
    """Filters from the scope flags, or None after printing why they are wrong."""
    from impact.filters import Filters

    groups = {}
    for item in args.group or []:
        dim, _, value = item.partition("=")
        groups.setdefault(dim.strip(), []).append(value.strip())
    try:
        return Filters(date_from=args.date_from, date_to=args.date_to, grain=getattr(args, "grain", None) or "month",
                       fy_start_month=int(store.setting("fy_start_month") or 4), partners=args.partner,
                       partnership_types=args.type, themes=args.theme, branches=args.branch,
                       programmes=args.programme, groups=groups)
    except ValueError as e:
        print(f"{command}: {e}", file=sys.stderr)
        return None


EMPTY_PARTNERS = ("No partnership programmes in scope: upload a Programme partners sheet (who puts in staff time, "
                  "cash, in-kind value or the venue, whether they promoted it and were credited) and, to hear "
                  "both sides, a Partnership health check sheet; or widen the filters.")


def _pct(x) -> str:
    return f"{x:.0%}" if x is not None else "–"


def cmd_equity(args) -> int:
    from impact import equity
    from impact.filters import prepare
    from impact.store import Store

    store = Store(args.db)
    filters = _scope(args, store, "equity")
    if filters is None:
        return 2
    min_n, threshold = int(store.setting("min_n")), float(store.setting("blindspot_threshold") or 0.8)
    found = equity.compute(prepare(store.read_frames()), filters, threshold=threshold, min_n=min_n,
                           dimensions=args.dimension, source=args.source, catchments=args.catchment)
    if args.json:
        print(json.dumps(found.to_dict(), indent=1, default=str))
        return 0
    print(f"Equity of reach: representation index = participants' share / population share "
          f"(blindspot: below {threshold:g} with its whole 95% interval below 1)")
    for dim, r in found.reach.dimensions.items():
        unit = "people" if r.unit == "people" else r.unit
        print(f"\n{dim}: {r.participants:,} {unit} from {r.source}, dissimilarity {r.dissimilarity:.2f}"
              if r.dissimilarity is not None else f"\n{dim}: no participants in the baseline's groups")
        if not r.reliable:
            print(f"  fewer than {min_n} {unit}: no shares shown")
            continue
        print(f"  {'group':<24} {unit:>12} {'share':>6} {'population':>10} {'pop share':>9} {'index (95% CI)':>20}")
        for g in r.groups:
            ri = "–" if g.representation_index is None else f"{g.representation_index:.2f}" + (
                f" ({g.ri_low:.2f}–{g.ri_high:.2f})" if g.ri_low is not None and g.ri_high is not None else "")
            print(f"  {g.group[:24]:<24} {g.participants:>12,} {_pct(g.share):>6} {g.population:>10,.0f} "
                  f"{_pct(g.population_share):>9} {ri:>20}{'  blindspot' if g.blindspot else ''}")
        if r.cluster_unit:
            print(f"  intervals allow for clustering: {r.clusters:,} {r.cluster_unit}, design effect up to "
                  f"{r.design_effect:.1f}")
        if r.targets:
            print(f"  baseline: {r.baseline_label}; {r.outside_target:,} {unit} outside their programme's target "
                  "groups are left out of the shares")
        for g in r.blindspots:
            print(f"  blindspot: {g.group}, index {g.representation_index:.2f}; about {g.shortfall:,.0f} more {unit} "
                  f"by this group would match its share of {r.baseline_label}")
        if r.not_recorded:
            print(f"  {r.not_recorded:,} {unit} with no {dim} recorded (left out of the shares)")
        for u in r.unmatched:
            print(f"  not in the baseline: {u.group!r} ({u.participants:,} {unit}, left out of the shares)")
        if dim == "deprivation_quintile" and r.most_deprived is not None:
            print(f"  quintiles 1-2 (most deprived): {_pct(r.most_deprived.rate)} of {unit} against "
                  f"{_pct(r.most_deprived_population_share)} of residents (index {r.most_deprived_index:.2f})")
        if dim == "deprivation_quintile" and r.concentration_index is not None:
            c = r.concentration_index
            lean = "among the more deprived" if c < 0 else "among the less deprived" if c > 0 else "evenly"
            print(f"  concentration index {c:+.3f}: participation concentrated {lean}")
    for dim, why in found.reach.skipped.items():
        print(f"\n{dim}: {why}")
    print("\nEquity of outcomes: share answering agree or strongly agree after the session, by group")
    for domain, by_dim in found.outcomes.gaps.items():
        for dim, g in by_dim.items():
            if g.gap is None:
                print(f"{domain} by {dim}: fewer than two groups with {min_n} or more answers")
                continue
            best = next(x for x in g.groups if x.group == g.best)
            worst = next(x for x in g.groups if x.group == g.worst)
            adjusted = (f"; within programmes (Mantel-Haenszel) {100 * g.adjusted_gap:.0f} points "
                        f"(95% CI {100 * g.adjusted_low:.0f} to {100 * g.adjusted_high:.0f})"
                        if g.adjusted_gap is not None else "; no programme has answers from both groups")
            test = (f"; the groups differ ({g.test}, Holm-adjusted p {g.p_holm:.3g})" if g.significant else
                    f"; no difference shown by the test of the whole {dim.replace('_', ' ')}"
                    + (f" (Holm-adjusted p {g.p_holm:.3g})" if g.p_holm is not None else ""))
            print(f"{domain} by {dim}: {g.best} {_pct(best.rate)} (n = {best.n:,}) vs {g.worst} {_pct(worst.rate)} "
                  f"(n = {worst.n:,}), gap {100 * g.gap:.0f} points{adjusted}{test}")
    print(f"\n{equity.CAVEATS}")
    return 0


def cmd_partners(args) -> int:
    from impact import equity
    from impact.equity.partners import LIBRARY, Thresholds
    from impact.filters import prepare
    from impact.indicators.value import (
        COST_EFFECTIVENESS_NOTE,
        partner_cost_effectiveness,
    )
    from impact.store import Store

    store = Store(args.db)
    filters = _scope(args, store, "partners")
    if filters is None:
        return 2
    rate = float(store.setting("hourly_rate"))
    data = prepare(store.read_frames())
    found = equity.partnerships(data, filters, Thresholds.from_settings(store.settings()))
    value = partner_cost_effectiveness(data, filters, hourly_rate=rate)
    if args.json:
        out = found.to_dict()
        out["cost_effectiveness"] = {"partners": [v.to_dict() for v in value], "hourly_rate": rate,
                                     "note": COST_EFFECTIVENESS_NOTE}
        if found.empty:
            out["empty"] = EMPTY_PARTNERS
        print(json.dumps(out, indent=1, default=str))
        return 0
    f, fb, net = found.fairness, found.feedback, found.network
    if found.empty:
        print(EMPTY_PARTNERS)
        return 0
    print(f"Partnership fairness: {len(f.partnerships)} partnership programmes of {f.programmes_in_scope} in scope; "
          f"{len(f.not_shared)} not shared")
    if f.imbalance is not None:
        print(f"imbalance of the network {f.imbalance:.2f} (½ Σ |contribution share − recognition share| over "
              "parties: 0 = everyone recognised in proportion to what it gives)")
    for x in f.findings:
        print(f"  - {x.words}")
    if fb.partnerships:
        print(f"\nis it working for them: {fb.both_sides} partnerships with both sides' health checks")
        for p in fb.library_rates_higher:
            print(f"  - {p.words}")
        for n in fb.not_working:
            print(f"  - {n.words}")
    if f.deliveries:
        print("\nagreed against delivered:")
        for d in f.deliveries:
            if d.verdict != "as agreed":
                print(f"  - {d.words}")
    print(f"\n{'party':<40} {'type':<11} {'progs':>5} {'efforts':>7} {'outputs':>7} {'money':>6} "
          f"{'promoted':>9} {'credited':>9}")
    for p in f.parties:
        print(f"{p.party[:40]:<40} {p.type or ('–' if p.party != LIBRARY else ''):<11} {p.programmes:>5} "
              f"{_pct(p.efforts):>7} {_pct(p.outputs):>7} {_pct(p.money_share):>6} "
              f"{p.promoted:>4}/{p.promotion_recorded:<4} {p.credited:>4}/{p.credit_recorded:<4}")
    print(f"\nnetwork: {net.programmes} programmes with partners; {len(net.clusters)} clusters of partners who work "
          f"together (largest {len(net.clusters[0]) if net.clusters else 0}), linked to each other only through "
          f"the library")
    if net.library_only:
        print(f"  working with the library alone: {', '.join(net.library_only)}")
    if net.isolated:
        print(f"  no programme in scope: {', '.join(net.isolated)}")
    print(f"\n{f.note}\nCost-effectiveness of partners' programmes (Value, not fairness): "
          "python -m impact partners --json, under cost_effectiveness.")
    return 0


def _export_first(args) -> None:
    """Before anything heavy is imported: start chromium for the charts, so it comes up beside the imports."""
    from impact.export import parse_formats, renderer

    try:
        formats = parse_formats(args.format)
    except ValueError:
        return  # cmd_export says what is wrong
    if {"png", "pdf", "html"} & set(formats):
        renderer.start()


def cmd_export(args) -> int:
    from impact.export import export_store, parse_formats, renderer
    from impact.store import Store

    try:
        formats = parse_formats(args.format)
    except ValueError as e:
        print(f"export: {e}", file=sys.stderr)
        return 2
    store = Store(args.db)
    filters = _scope(args, store, "export")
    if filters is None:
        renderer.stop()
        return 2
    try:
        pack = export_store(store, filters, formats,
                            None if args.json else lambda share, what: print(f"{share:4.0%}  {what}", file=sys.stderr))
    except BaseException:
        renderer.stop()
        raise
    closing = renderer.stop(wait=False)  # the browser closes while the files are written
    try:
        written = pack.write(Path(args.out), with_zip=not args.no_zip)
        from impact import guarded
        from impact.accounts import Actor

        guarded.record_export(store, Actor.cli(), filters.to_dict(), formats)
    finally:
        if closing is not None:
            closing.result(timeout=60)
    if args.json:
        print(json.dumps({"files": [str(p) for p in written], "statements": [s.to_dict() for s in pack.evidence.statements],
                          "left_out": list(pack.evidence.left_out), "filters": filters.to_dict()}, indent=1, default=str))
    else:
        for path in written:
            print(path)
        for note in pack.evidence.left_out:
            print(f"left out: {note}", file=sys.stderr)
    return 0


def cmd_audit_pack(args) -> int:
    from impact.export.audit import audit_pack, report

    try:
        found = audit_pack(args.pack, args.threshold)
    except (FileNotFoundError, ValueError, KeyError) as e:
        print(f"cannot audit {args.pack}: {e}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(found.to_dict(), indent=1))
    else:
        print(report(found))
    return 0 if found.ok else 1


def cmd_schema(args) -> int:
    rows = schema.data_dictionary()
    if args.json:
        print(json.dumps(rows, indent=1))
    else:
        for r in rows:
            flag = "required" if r["required"] else ("import only" if not r["stored"] else "optional")
            allowed = f" ({r['allowed']})" if r["allowed"] else ""
            print(f"{r['table']}.{r['column']}: {r['kind']}, {flag}{allowed}. {r['description']}")
    return 0


def cmd_users(args) -> int:
    from impact import accounts, guarded
    from impact.accounts import Actor
    from impact.scopes import Scope
    from impact.store import Store

    store = Store(args.db)
    if args.action == "list":
        rows = accounts.accounts(store).astype({"added_at_utc": str}).to_dict("records")
        if args.json:
            print(json.dumps(rows, indent=1))
        for r in [] if args.json else rows:
            print(f"{r['email']}  {r['role']}  {r['scope']}  (added {r['added_at_utc']} UTC by {r['added_by']})")
        if not rows and not args.json:
            print("no accounts yet: `python -m impact users add EMAIL --role admin` makes the first admin")
        return 0
    if not args.email:
        print(f"users {args.action} needs an EMAIL", file=sys.stderr)
        return 2
    if args.action == "add" and not args.role:
        print(f"users add needs --role ({', '.join(accounts.ROLES)})", file=sys.stderr)
        return 2
    try:
        scope = Scope(tuple(args.partner or ()), tuple(args.branch or ()))
        before, after = guarded.set_role(store, Actor.cli(), args.email, args.role if args.action == "add" else None,
                                         scope)
    except ValueError as e:
        print(f"users {args.action}: {e}", file=sys.stderr)
        return 1
    email = accounts.normalise_email(args.email)
    print(json.dumps({"email": email, "before": before, "after": after}) if args.json else
          f"{email}: {before or 'no role'} -> {after or 'no access'}")
    return 0


def cmd_audit(args) -> int:
    from impact import audit_trail
    from impact.store import Store

    frame = audit_trail.trail(Store(args.db), args.event, limit=args.limit)
    if args.csv:
        Path(args.csv).write_bytes(audit_trail.csv_bytes(frame))
        print(f"{len(frame)} entries written to {args.csv}")
    elif args.json:
        print(frame.to_json(orient="records", date_format="iso", indent=1))  # missing values as null
    else:
        for r in frame.itertuples():
            print(f"{r.at_utc}  {r.actor} ({r.via}, {r.role or 'no role'})  {r.event}"
                  f"{'  batch ' + r.batch_ids if r.batch_ids else ''}  {r.detail or ''}")
    return 0


def build_parser(argv=None) -> argparse.ArgumentParser:
    """The command line; `argv` (when given) lets a run of another command skip the comments parser, whose
    package imports the statistics stack (a second on every `import`)."""
    parser = argparse.ArgumentParser(prog="python -m impact", description="Beyond Footfall from the command line")
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p, db=True):
        p.add_argument("--json", action="store_true", help="print JSON for scripts")
        if db:
            p.add_argument("--db", help="database URL (default: IMPACT_DATABASE_URL or sqlite:///data/impact.db)")

    def ingest_args(p):
        p.add_argument("files", nargs="+", help=".xlsx, .xlsm, .ods or .csv files")
        p.add_argument("--table", help="the table every sheet holds, instead of detecting it")
        p.add_argument("--map", action="append", metavar="HEADER=canonical",
                       help='map a header to a canonical column (repeatable); "HEADER=" ignores it. A pre/post '
                            'pair is mapped by its item name without the wave mark ("agree_learning=confidence"); '
                            'outcome_<name> keeps an item as an outcome of your own')
        p.add_argument("--us-dates", action="store_true", help="read 04/03/2025 as April 3 (US month-first)")
        p.add_argument("--encoding", help="a CSV's text encoding, e.g. cp1252 or utf-16 (default: detect, and ask "
                                          "when unsure)")
        p.add_argument("--uk-dates", action="store_true", help="read 04/03/2025 as 4 March (day first, the default); "
                       "says so, so that dates that read two ways are not reported")
        p.add_argument("--sheet-table", action="append", metavar="SHEET=table",
                       help='the table one sheet holds (repeatable); "SHEET=skip" leaves the sheet out')
        p.add_argument("--own-outcome", action="append", metavar="HEADER",
                       help='keep this agreement-scale column as an outcome item of your own, outcome_<name> '
                            '(repeatable; "*" for every agreement column the mapping leaves out)')
        p.add_argument("--rename", action="append", metavar="NAME=new name",
                       help='store a name that held personal data as a name of your choice, in every row: '
                            '"Code Club (contact jane@example.com)=Code Club" (repeatable; checked again)')
        p.add_argument("--read-as", action="append", metavar="column:VALUE=allowed",
                       help='read a value outside a fixed list as one on it, in every row: '
                            '"partnership_type:comunity=community" (repeatable)')
        p.add_argument("--codes-missing", action="append", metavar="HEADER",
                       help='read the negative missing-value codes (-1, -3, -9, -99) of this column as missing '
                            '(repeatable; "*" for every column)')
        p.add_argument("--set", action="append", metavar="column=value",
                       help='a value for a canonical column where the file leaves it blank or has no such column, '
                            'e.g. --set "programme=Code Club" (repeatable)')

    p = sub.add_parser("validate", help="check files and print the validation report; stores nothing")
    ingest_args(p)
    common(p, db=False)
    p.set_defaults(func=cmd_validate)
    p = sub.add_parser("import", help="validate and store files as one batch each, all or nothing")
    ingest_args(p)
    common(p)
    p.add_argument("--force", action="store_true", help="store a file even if it was uploaded before")
    p.add_argument("--uploader", help="who is uploading (default: the system user)")
    p.set_defaults(func=cmd_import)
    p = sub.add_parser("batches", help="upload history")
    common(p)
    p.set_defaults(func=cmd_batches)
    p = sub.add_parser("undo", help="remove one batch whole")
    p.add_argument("batch_id", type=int)
    common(p)
    p.set_defaults(func=cmd_undo)
    p = sub.add_parser("demo", help="load the demo library service")
    common(p)
    p.add_argument("--force", action="store_true", help="load it again even if it is already loaded")
    p.set_defaults(func=cmd_demo)
    p = sub.add_parser("rebuild-cache", help="write the columnar copy of the stored data again, from the database "
                                             "(the database stays the record; pages read the copy)")
    common(p)
    p.set_defaults(func=cmd_rebuild_cache)
    p = sub.add_parser("indicators", help="reach, outcomes and value, for a scope and by any dimension")
    common(p)
    from impact.filters import DIMENSIONS, GRAINS

    _scope_arguments(p)
    p.add_argument("--by", choices=DIMENSIONS, help="one entry per group of this dimension under \"groups\"")
    p.add_argument("--grain", choices=GRAINS, help="time buckets for --by period (default month)")
    p.set_defaults(func=cmd_indicators)
    p = sub.add_parser("equity", help="who is not yet reached (blindspots) and whose outcomes lag, by group")
    common(p)
    _scope_arguments(p)
    p.add_argument("--dimension", action="append", choices=schema.DEMOGRAPHICS,
                   help="only this demographic dimension (repeatable; default: every one with data)")
    p.add_argument("--source", choices=("auto", "attendance", "surveys"), default="auto",
                   help="where participants' groups come from (default: attendance where it records them)")
    p.add_argument("--catchment", action="append",
                   help="compare with this catchment of the population baseline (repeatable; default: the branches)")
    p.set_defaults(func=cmd_equity)
    p = sub.add_parser("partners", help="is each partnership fair to both sides: the five stakes, shared or not, both "
                                           "sides' health checks, agreed vs delivered, imbalance, network")
    common(p)
    _scope_arguments(p)
    p.set_defaults(func=cmd_partners)
    p = sub.add_parser("export", help="an evidence pack for funders: workbook, PDF and HTML report, chart images, statements")
    common(p)
    _scope_arguments(p)
    p.add_argument("--format", default="xlsx,pdf,html,png,txt,csv",
                   help="any of xlsx,pdf,html,png,txt,csv (default: all)")
    p.add_argument("--out", required=True, metavar="DIR", help="folder to write the files into (created if missing)")
    p.add_argument("--no-zip", action="store_true", help="do not also write evidence-pack.zip")
    p.set_defaults(func=cmd_export, first=_export_first)
    comments_at = len(sub.choices)
    p = sub.add_parser("audit-pack", help="check an exported pack: can any suppressed count be worked out? "
                                          "(linear programming over everything it publishes)")
    p.add_argument("pack", help="the pack's zip, or the folder the export wrote")
    p.add_argument("--threshold", type=int, help="fewest whole values a hidden count may have (default: the pack's)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_audit_pack)
    p = sub.add_parser("users", help="who may sign in, with which role (viewer, advocate, staff, admin)")
    p.add_argument("action", choices=("add", "remove", "list"))
    p.add_argument("email", nargs="?", help="the email the sign-in provider gives (add and remove)")
    from impact.accounts import ROLES

    p.add_argument("--role", choices=ROLES, help="the role to give (add; adding an existing email changes its role)")
    p.add_argument("--partner", action="append", help="limit the account to this partner's programmes (repeatable)")
    p.add_argument("--branch", action="append", help="limit the account to this branch (repeatable)")
    common(p)
    p.set_defaults(func=cmd_users)
    p = sub.add_parser("audit", help="the audit trail: uploads, undos, settings, roles, exports, sign-ins")
    common(p)
    from impact.audit_trail import EVENTS

    p.add_argument("--event", choices=EVENTS, help="only this kind of entry")
    p.add_argument("--limit", type=int, help="only the newest N entries")
    p.add_argument("--csv", metavar="FILE", help="write the entries to a CSV file")
    p.set_defaults(func=cmd_audit)
    p = sub.add_parser("schema", help="the canonical tables and columns (data dictionary)")
    common(p, db=False)
    p.set_defaults(func=cmd_schema)
    words = [a for a in (sys.argv[1:] if argv is None else argv) if not a.startswith("-")]
    if not words or words[0] not in sub.choices:  # comments, help, or a mistyped command: the whole list
        from impact.comments.cli import add_parser as add_comments

        add_comments(sub, common, _scope_arguments)
        _move_last(sub, comments_at)
    return parser


def _move_last(sub, at: int) -> None:
    """Put the subcommand added last back at position `at` of the help's list (the same dict, reordered)."""
    for name in list(sub.choices)[at:-1]:
        sub.choices[name] = sub.choices.pop(name)
    sub._choices_actions.insert(at, sub._choices_actions.pop())


def main(argv=None) -> int:
    """Run one command; a database that cannot be used, or a fault of ours, is a plain message (exit 3), never
    a traceback (the fault is logged with an incident id)."""
    import logging

    args = build_parser(argv).parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if getattr(args, "first", None):
        args.first(args)  # what a command starts before the imports below (export: chromium)

    import sqlalchemy as sa

    from impact.incident import fault_text, record
    from impact.store import DatabaseUnavailable, database_problem

    try:
        return args.func(args)
    except DatabaseUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
    except sa.exc.SQLAlchemyError as exc:
        print(f"error: {database_problem(exc, getattr(args, 'db', None) or '')}", file=sys.stderr)
    except KeyboardInterrupt:
        print("stopped: nothing more was changed", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - a fault of ours
        print(f"error: {fault_text(record(exc, 'running ' + args.command))}", file=sys.stderr)
    return 3
