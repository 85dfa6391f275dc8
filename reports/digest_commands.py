"""`escucha digest preview|send`: a programme's weekly digest written to a file, or emailed to the
programme's recipients (SMTP from ESCUCHA_SMTP_*, as for the alerts)."""
from __future__ import annotations

import argparse
import sys
from datetime import date, timedelta
from pathlib import Path

from escucha.home import DataHome

NO_SMTP = ("digest: no SMTP server configured; set ESCUCHA_SMTP_HOST (and ESCUCHA_SMTP_PORT, "
           "ESCUCHA_SMTP_SECURITY=starttls|tls|none, ESCUCHA_SMTP_USER, ESCUCHA_SMTP_PASSWORD, "
           "ESCUCHA_SMTP_FROM), or use `escucha digest preview` to write it to a file")


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from exc


def as_of_for(week_of: date | None) -> date | None:
    """``--week-of D`` (the Monday..Sunday week holding D) as the ``as_of`` build_digest takes."""
    if week_of is None:
        return None
    return week_of - timedelta(days=week_of.weekday()) + timedelta(days=7)


def cmd_digest_preview(args: argparse.Namespace, home: DataHome) -> int:
    """Write the digest's HTML (and its text part beside it, .txt) and print the HTML's path."""
    from escucha.cli import warehouse_missing
    from reports.digest import UnknownProgramme, build_digest

    if warehouse_missing(home):
        return 1
    try:
        digest = build_digest(home.warehouse, args.programme, as_of_for(args.week_of), args.lang)
    except UnknownProgramme as exc:
        print(f"digest: {exc}", file=sys.stderr)
        return 2
    out = Path(args.out) if args.out else home.reports / f"digest-{digest.programme}-{digest.week_start}.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(digest.html, encoding="utf-8")
    out.with_suffix(".txt").write_text(digest.text, encoding="utf-8")
    print(out)
    return 0


def cmd_digest_send(args: argparse.Namespace, home: DataHome) -> int:
    """Send the digest of one programme (or all) to its recipients: 0 sent, 1 a send failed,
    2 no (or invalid) SMTP settings or an unknown programme."""
    from escucha.alerts.notify import NotificationError, SmtpSettings
    from escucha.cli import warehouse_missing
    from reports.digest import UnknownProgramme, build_digest, programmes, send_digest

    try:
        smtp = SmtpSettings.from_env()
    except ValueError as exc:
        print(f"digest: {exc}", file=sys.stderr)
        return 2
    if smtp is None:
        print(NO_SMTP, file=sys.stderr)
        return 2
    if warehouse_missing(home):
        return 1
    config = programmes()
    chosen = sorted(config) if args.all else [args.programme]
    status = 0
    for programme_id in chosen:
        try:
            digest = build_digest(home.warehouse, programme_id, as_of_for(args.week_of), args.lang,
                                  programme_config=config)
        except UnknownProgramme as exc:
            print(f"digest: {exc}", file=sys.stderr)
            return 2
        if not digest.recipients:
            print(f"digest: programme {programme_id!r} has no recipients in the programmes file; not sent",
                  file=sys.stderr)
            status = status or (0 if args.all else 1)
            continue
        try:
            send_digest(digest, smtp)
        except (NotificationError, ValueError) as exc:
            print(f"digest: {programme_id}: not sent: {exc}", file=sys.stderr)
            status = 1
            continue
        print(f"sent {digest.subject!r} to {len(digest.recipients)} recipient(s)")
    return status


def add_digest_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    d = subparsers.add_parser("digest", help="the weekly digest per programme: preview it or email it")
    sub = d.add_subparsers(dest="digest_command", required=True)

    def common(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--week-of", type=_date, metavar="YYYY-MM-DD",
                        help="any day of the Monday..Sunday week (default: the last complete week in the data)")
        sp.add_argument("--lang", choices=("es", "en"), default="es", help="language (es)")

    p = sub.add_parser("preview", help="write a programme's digest to an HTML file (and .txt) and print its path")
    p.add_argument("--programme", required=True, help="programme id (config/programmes.yaml)")
    common(p)
    p.add_argument("--out", help="output HTML file (default <home>/reports/digest-<programme>-<week start>.html)")
    p.set_defaults(func=cmd_digest_preview)

    s = sub.add_parser("send", help="email the digest to the programme's recipients (SMTP from ESCUCHA_SMTP_*)")
    which = s.add_mutually_exclusive_group(required=True)
    which.add_argument("--programme", help="programme id (config/programmes.yaml)")
    which.add_argument("--all", action="store_true", help="every programme with recipients")
    common(s)
    s.set_defaults(func=cmd_digest_send)
    return d
