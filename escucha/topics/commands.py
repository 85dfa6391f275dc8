"""`escucha topics ...`: list, show, validate and change the topics programmes own.

Exit codes (every subcommand):
    0  done (for `set`/`retire`: the new version is recorded)
    1  refused or failed: malformed query, nothing changed, unknown topic or programme, bad id,
       corrupt history or programmes file -- nothing was written
    2  usage: bad arguments (argparse), or no identity (neither --as nor $ESCUCHA_USER)
    3  permission denied: the identity is not a focal point of the topic's programme
Refusals are printed on stderr.
"""
from __future__ import annotations

import argparse
import sys
from typing import Callable

from escucha.home import DataHome
from escucha.topics.query import QueryError, parse
from escucha.topics.registry import (
    IdentityError,
    PermissionDenied,
    Registry,
    RegistryError,
    TopicVersion,
    describe_change,
    format_query_error,
    identity,
)

EXIT_REFUSED = 1
EXIT_USAGE = 2
EXIT_PERMISSION = 3

APPLY_NOTE = ("The new version applies to the whole year on the next pipeline run "
              "(`escucha run`).")

Handler = Callable[[argparse.Namespace, DataHome], int]


def _table(columns: list[str], rows: list[tuple]) -> str:
    from escucha.cli import format_table

    return format_table(columns, rows)


def _yes_no(flag: bool) -> str:
    return "true" if flag else "false"


def _refusals(handler: Handler) -> Handler:
    """Turn the registry's refusals into a message on stderr and an exit code."""
    def run(args: argparse.Namespace, home: DataHome) -> int:
        try:
            return handler(args, home)
        except PermissionDenied as exc:
            print(f"permission denied: {exc}; nothing was changed", file=sys.stderr)
            return EXIT_PERMISSION
        except IdentityError as exc:
            print(f"refused: {exc}", file=sys.stderr)
            return EXIT_USAGE
        except QueryError as exc:
            query = getattr(args, "query", None) or ""
            print(f"refused: malformed query; nothing was changed\n{format_query_error(query, exc)}",
                  file=sys.stderr)
            return EXIT_REFUSED
        except RegistryError as exc:
            print(f"refused: {exc}", file=sys.stderr)
            return EXIT_REFUSED

    run.__name__ = handler.__name__
    run.__doc__ = handler.__doc__
    return run


@_refusals
def cmd_topics_list(args: argparse.Namespace, home: DataHome) -> int:
    """The current version of every topic (retired ones too with --all)."""
    reg = Registry.open(home)
    if args.programme and args.programme not in reg.programmes():
        print(f"unknown programme {args.programme!r} (programmes: {', '.join(reg.programmes())})",
              file=sys.stderr)
        return EXIT_REFUSED
    topics = [t for t in reg.current(include_retired=args.all)
              if not args.programme or t.programme_id == args.programme]
    columns = ["topic", "programme", "version", "use_model", "query"]
    rows = [(t.topic_id, t.programme_id, t.version, _yes_no(t.use_model), t.query) for t in topics]
    if args.all:
        columns.insert(3, "active")
        rows = [r[:3] + (_yes_no(t.active),) + r[3:] for r, t in zip(rows, topics)]
    print(_table(columns, rows))
    return 0


def _versions_table(versions: list[TopicVersion], with_topic: bool) -> str:
    previous: dict[str, TopicVersion] = {}
    rows = []
    for v in versions:
        change = describe_change(previous.get(v.topic_id), v)
        previous[v.topic_id] = v
        row = (v.version, v.changed_at, v.changed_by, change, v.note)
        rows.append(((v.topic_id,) + row) if with_topic else row)
    columns = ["version", "changed_at", "changed_by", "change", "note"]
    return _table((["topic"] + columns) if with_topic else columns, rows)


@_refusals
def cmd_topics_show(args: argparse.Namespace, home: DataHome) -> int:
    """One topic's current definition and its list of versions."""
    reg = Registry.open(home)
    t = reg.topic(args.topic)
    prog = reg.programmes().get(t.programme_id)
    print(f"topic:        {t.topic_id} (version {t.version}, {'active' if t.active else 'retired'})")
    print(f"label:        {t.label}")
    print(f"programme:    {t.programme_id}" + (f" ({prog.label})" if prog else " (not in the programmes file)"))
    if prog:
        print(f"focal points: {', '.join(prog.focal_points)}")
    print(f"use_model:    {_yes_no(t.use_model)}")
    print(f"query:        {t.query}")
    print(f"changed:      {t.changed_at} by {t.changed_by}" + (f" ({t.note})" if t.note else ""))
    print()
    print(_versions_table(reg.history(t.topic_id), with_topic=False))
    return 0


@_refusals
def cmd_topics_history(args: argparse.Namespace, home: DataHome) -> int:
    """Who changed what and when: every version, of one topic or of all."""
    reg = Registry.open(home)
    print(_versions_table(reg.history(args.topic), with_topic=args.topic is None))
    return 0


@_refusals
def cmd_topics_validate(args: argparse.Namespace, home: DataHome) -> int:
    """Check one query, or (--all) every current topic's query."""
    if (args.query is None) == (not args.all):
        print("give a QUERY to check, or --all for every current topic (not both)", file=sys.stderr)
        return EXIT_USAGE
    if args.query is not None:
        try:
            parse(args.query)
        except QueryError as exc:
            print(f"malformed query\n{format_query_error(args.query, exc)}", file=sys.stderr)
            return EXIT_REFUSED
        print(f"ok: {args.query}")
        return 0
    status = 0
    for t in Registry.open(home).current():
        try:
            parse(t.query)
        except QueryError as exc:
            print(f"{t.topic_id} (version {t.version}): malformed query\n"
                  f"{format_query_error(t.query, exc)}", file=sys.stderr)
            status = EXIT_REFUSED
        else:
            print(f"ok: {t.topic_id} (version {t.version})")
    return status


def _accepted(v: TopicVersion, what: str) -> None:
    print(f"{v.topic_id}: version {v.version} recorded ({what}) by {v.changed_by} at {v.changed_at}")
    print(APPLY_NOTE)


@_refusals
def cmd_topics_set(args: argparse.Namespace, home: DataHome) -> int:
    """Create a topic or record a new version of it (a focal point of its programme only)."""
    who = identity(args.as_)
    reg = Registry.open(home)
    previous = None
    try:
        previous = reg.topic(args.topic)
    except KeyError:
        pass
    v = reg.set(args.topic, by=who, query=args.query, label=args.label, use_model=args.use_model,
                programme=args.programme, note=args.note)
    _accepted(v, describe_change(previous, v))
    return 0


@_refusals
def cmd_topics_retire(args: argparse.Namespace, home: DataHome) -> int:
    """Retire a topic: a last version with active = false (the history keeps every version)."""
    who = identity(args.as_)
    v = Registry.open(home).retire(args.topic, by=who, note=args.note)
    _accepted(v, "retired")
    return 0


def add_topics_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register `escucha topics` and its subcommands on the CLI's subparsers."""
    t = subparsers.add_parser(
        "topics", help="list, show, validate and change the topics programmes own",
        description="Topics are versioned in <home>/topics/history.jsonl; only a focal point of the "
                    "topic's programme may change one. Exit codes: 0 done, 1 refused (nothing "
                    "written), 2 usage or no identity, 3 permission denied.")
    sub = t.add_subparsers(dest="topics_command", required=True)

    ls = sub.add_parser("list", help="the current topics")
    ls.add_argument("--programme", help="only this programme's topics")
    ls.add_argument("--all", action="store_true", help="include retired topics")
    ls.set_defaults(func=cmd_topics_list)

    sh = sub.add_parser("show", help="a topic's current definition and its versions")
    sh.add_argument("topic")
    sh.set_defaults(func=cmd_topics_show)

    hi = sub.add_parser("history", help="who changed what and when")
    hi.add_argument("topic", nargs="?", help="one topic (default: all)")
    hi.set_defaults(func=cmd_topics_history)

    va = sub.add_parser("validate", help="check a query (or every current topic's) without changing anything")
    va.add_argument("query", nargs="?", help="a query, e.g. 'derrame NEAR/5 ventanilla'")
    va.add_argument("--all", action="store_true", help="check every current topic's query")
    va.set_defaults(func=cmd_topics_validate)

    def who(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--as", dest="as_", metavar="ID",
                        help="your identity as a focal point (default $ESCUCHA_USER)")
        sp.add_argument("--note", default="", help="why: recorded with the version")

    se = sub.add_parser("set", help="create a topic or record a new version (focal points only)")
    se.add_argument("topic")
    se.add_argument("--query", help="the boolean query (required for a new topic)")
    se.add_argument("--label", help="display label (a new topic defaults to its id)")
    se.add_argument("--programme", help="owning programme (required for a new topic; a move needs "
                                        "a focal point of both programmes)")
    how = se.add_mutually_exclusive_group()
    how.add_argument("--use-model", dest="use_model", action="store_const", const=True, default=None,
                     help="classify with the model")
    how.add_argument("--use-rules", dest="use_model", action="store_const", const=False,
                     help="classify with the query only")
    who(se)
    se.set_defaults(func=cmd_topics_set)

    re_ = sub.add_parser("retire", help="retire a topic (focal points only); its history stays")
    re_.add_argument("topic")
    who(re_)
    re_.set_defaults(func=cmd_topics_retire)
    return t


# ------------------------------------------------------------------------------------ inquire


def _short(text: str | None, width: int = 90) -> str:
    one = " ".join((text or "").split())
    return one if len(one) <= width else one[: width - 1] + "…"


def _no_warehouse(home: DataHome) -> bool:
    from escucha.cli import warehouse_missing

    return warehouse_missing(home)


@_refusals
def cmd_inquire(args: argparse.Namespace, home: DataHome) -> int:
    """Answer an ad-hoc query over the warehouse now; optionally save it as a new topic."""
    import json

    from escucha.topics.inquiry import inquire

    if _no_warehouse(home):
        return EXIT_REFUSED
    r = inquire(home.warehouse, args.query, start=args.start, end=args.end, period=args.by, top=args.top)
    if args.json:
        print(json.dumps({
            "query": r.query, "from": str(r.start or ""), "to": str(r.end or ""), "seconds": round(r.seconds, 3),
            "posts": r.posts, "authors": r.authors, "engagement": r.engagement,
            "volume": [{"period": str(p), "posts": n, "authors": a, "engagement": e} for p, n, a, e in r.volume],
            "networks": [{"network": k, "posts": n, "authors": a, "engagement": e} for k, n, a, e in r.networks],
            "top_posts": [{"post_key": k, "created_at": str(t), "author_key": a, "engagement": e, "text": x}
                          for k, t, a, e, x in r.top_posts],
            "top_accounts": [{"author_key": k, "name": n, "posts": p, "engagement": e}
                             for k, n, p, e in r.top_accounts],
        }, ensure_ascii=False, indent=1))
    else:
        span = f"{r.start or 'first day'}..{r.end or 'last day'}"
        print(f"{r.posts} posts by {r.authors} accounts, engagement {r.engagement}, over {span} "
              f"({r.seconds:.2f} s)\n")
        print(f"volume by {r.period}:")
        print(_table([r.period, "posts", "authors", "engagement"], r.volume))
        print("\nnetworks:")
        print(_table(["network", "posts", "authors", "engagement"], r.networks))
        print("\ntop posts:")
        print(_table(["post", "created_at (UTC)", "account", "engagement", "text"],
                     [(k, t, a, e, _short(x)) for k, t, a, e, x in r.top_posts]))
        print("\ntop accounts:")
        print(_table(["account", "name", "posts", "engagement"], r.top_accounts))
    if args.save_as:
        who = identity(args.as_)
        reg = Registry.open(home)
        v = reg.set(args.save_as, by=who, query=args.query, label=args.label, programme=args.programme,
                    note=args.note or "saved from escucha inquire")
        _accepted(v, "saved from an inquiry")
    return 0


def add_inquire_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register `escucha inquire`."""
    from escucha.cli import _date

    q = subparsers.add_parser(
        "inquire", help="answer an ad-hoc topic query over the whole warehouse now (no rebuild)",
        description="Volume over time, networks, top posts and top accounts of the posts a query "
                    "matches, read-only. --save-as records the query as a new topic (focal points only).")
    q.add_argument("query", help="e.g. '(derrame OR crudo) NEAR/5 (mar OR playa*) OR #DerrameDePetróleo'")
    q.add_argument("--from", dest="start", type=_date, help="first Lima day (default: the first)")
    q.add_argument("--to", dest="end", type=_date, help="last Lima day (default: the last)")
    q.add_argument("--by", choices=["day", "week", "month"], default="day", help="volume period")
    q.add_argument("--top", type=int, default=10, help="how many top posts and accounts")
    q.add_argument("--json", action="store_true", help="print JSON")
    q.add_argument("--save-as", metavar="TOPIC", help="record the query as this topic (new or new version)")
    q.add_argument("--programme", help="programme of a new topic")
    q.add_argument("--label", help="label of a new topic")
    q.add_argument("--as", dest="as_", metavar="ID", help="your identity (default $ESCUCHA_USER)")
    q.add_argument("--note", default="", help="why: recorded with the version")
    q.set_defaults(func=cmd_inquire)
    return q


# -------------------------------------------------------------------------------------- label


@_refusals
def cmd_label_add(args: argparse.Namespace, home: DataHome) -> int:
    """Record relevance labels for posts of a topic (the latest label of a post counts)."""
    from escucha.topics.labels import Label, add_labels, has_labels_table, unknown_posts
    from escucha.warehouse import connect

    who = identity(args.as_)
    Registry.open(home).topic(args.topic)  # UnknownTopic for a typo
    if _no_warehouse(home):
        return EXIT_REFUSED
    with connect(home.warehouse) as con:
        if not has_labels_table(con):
            print("refused: the warehouse has no labels table yet: run the pipeline first", file=sys.stderr)
            return EXIT_REFUSED
        missing = unknown_posts(con, args.post_keys)
        if missing:
            print(f"refused: not posts of the warehouse: {', '.join(missing)}; nothing was recorded",
                  file=sys.stderr)
            return EXIT_REFUSED
        n = add_labels(con, [Label(args.topic, k, args.relevant, who, args.note) for k in args.post_keys])
    verdict = "relevant" if args.relevant else "not relevant"
    print(f"{n} label{'s' if n != 1 else ''} recorded for {args.topic} ({verdict}) by {who}; the topic's "
          "model is retrained on the next pipeline run")
    return 0


@_refusals
def cmd_label_suggest(args: argparse.Namespace, home: DataHome) -> int:
    """Posts worth labelling next: where the topic's model is least sure, plus some rule matches
    and non-matches (without a model: half rule matches, half non-matches)."""
    import numpy as np

    from escucha.warehouse import connect

    from escucha.topics.classifier import suggest
    from escucha.topics.models import stored_models, training_set

    Registry.open(home).topic(args.topic)
    if _no_warehouse(home):
        return EXIT_REFUSED
    with connect(home.warehouse, read_only=True) as con:
        keys, texts, rule, labels = training_set(con, args.topic)
        models = stored_models(home, args.topic)
        picked = suggest(models[-1].model if models else None, texts, rule,
                         np.array([x is not None for x in labels]), args.n, seed=args.seed)
        chosen = [keys[i] for i in picked]
        rows = dict(con.execute("select post_key, text from marts.fct_posts where post_key in "
                                "(select unnest(?::varchar[]))", [chosen]).fetchall())
    print(_table(["post", "rules match", "text"],
                 [(keys[i], _yes_no(rule[i]), _short(rows.get(keys[i]), 100)) for i in picked]))
    print(f"\nlabel them with: escucha label add {args.topic} POST... --relevant | --not-relevant")
    return 0


def add_label_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register `escucha label add|suggest`."""
    lb = subparsers.add_parser(
        "label", help="label posts relevant or not to a topic (trains the topic's model)",
        description="Labels go to the warehouse table labels.topic_labels, which analysts may also "
                    "insert into with SQL (topic_id, post_key, relevant, labelled_by).")
    sub = lb.add_subparsers(dest="label_command", required=True)
    ad = sub.add_parser("add", help="record labels")
    ad.add_argument("topic")
    ad.add_argument("post_keys", nargs="+", metavar="POST", help="post keys, e.g. x:1480000000000000001")
    verdict = ad.add_mutually_exclusive_group(required=True)
    verdict.add_argument("--relevant", dest="relevant", action="store_const", const=True)
    verdict.add_argument("--not-relevant", dest="relevant", action="store_const", const=False)
    ad.add_argument("--as", dest="as_", metavar="ID", help="your identity (default $ESCUCHA_USER)")
    ad.add_argument("--note", default="", help="a remark kept with the label")
    ad.set_defaults(func=cmd_label_add)
    sg = sub.add_parser("suggest", help="posts worth labelling next")
    sg.add_argument("topic")
    sg.add_argument("-n", type=int, default=20, help="how many")
    sg.add_argument("--seed", type=int, default=0)
    sg.set_defaults(func=cmd_label_suggest)
    return lb
