"""The weekly digest leaves the warehouse: every Monday at 08:00 Lima time a run builds each
programme's digest for the week just ended and emails it to the programme's recipients.

The schedule is RUNNING by default, like the alerts sensor, and the environment is the switch:
while ESCUCHA_SMTP_HOST is unset each tick is skipped with the reason shown in the UI, so a demo
or a laptop never sends anything, and a deployment that configured SMTP for its alerts gets its
digests without another step. Stop it in the UI to pause the digests alone. The run key is the
week, so a week's digest is requested at most once by the schedule.
"""

from datetime import date, datetime

import dagster as dg

from escucha.alerts.notify import NotificationError, SmtpSettings
from orchestration.resources import EscuchaHome
from reports.digest import build_digest, programmes, send_digest, week_before
from reports.render import LIMA

CRON = "0 8 * * 1"  # Mondays 08:00
TIMEZONE = "America/Lima"


class DigestConfig(dg.Config):
    """``as_of``: ISO date; the digest covers the Monday..Sunday week that ended before it
    (empty: today in Lima, so the week just ended). ``programmes``: ids (empty: every programme)."""

    as_of: str = ""
    programmes: list[str] = []
    lang: str = "es"


@dg.op(description="Build each programme's weekly digest and email it to the programme's recipients "
                   "(SMTP from ESCUCHA_SMTP_*).")
def send_weekly_digests(context: dg.OpExecutionContext, config: DigestConfig,
                        escucha_home: EscuchaHome) -> dg.Output[int]:
    smtp = SmtpSettings.from_env()
    if smtp is None:
        raise dg.Failure(description="no SMTP server configured: set ESCUCHA_SMTP_HOST (and _PORT, _SECURITY, "
                                     "_USER, _PASSWORD, _FROM) in the environment of the Dagster daemon")
    home = escucha_home.home()
    as_of = date.fromisoformat(config.as_of) if config.as_of else datetime.now(LIMA).date()
    config_programmes = programmes()
    chosen = config.programmes or sorted(config_programmes)
    rows, failures, sent = [], [], 0
    for programme_id in chosen:
        try:
            digest = build_digest(home.warehouse, programme_id, as_of, config.lang,
                                  programme_config=config_programmes)
            if not digest.recipients:
                context.log.warning(f"{programme_id}: no recipients in the programmes file; not sent")
                continue
            send_digest(digest, smtp)
        except (NotificationError, ValueError, FileNotFoundError) as exc:
            failures.append(f"{programme_id}: {exc}")
            context.log.error(f"digest for {programme_id} not sent: {exc}")
            continue
        sent += 1
        rows.append((programme_id, len(digest.recipients), digest.subject))
        context.log.info(f"digest for {programme_id} sent to {len(digest.recipients)} recipient(s): {digest.subject}")
    start, end = week_before(as_of)
    table = "| programme | recipients | subject |\n|---|---|---|\n" + "".join(
        f"| {p} | {n} | {s.replace('|', '/')} |\n" for p, n, s in rows)
    if failures:
        raise dg.Failure(description=f"{len(failures)} digest(s) not sent; {sent} sent",
                         metadata={"failures": "\n".join(failures), "sent": dg.MetadataValue.md(table)})
    return dg.Output(sent, metadata={"week": f"{start}..{end}", "digests_sent": sent,
                                     "sent": dg.MetadataValue.md(table)})


@dg.job(description="Email every programme's weekly digest (launched by weekly_digest_schedule).")
def weekly_digest() -> None:
    send_weekly_digests()


@dg.schedule(job=weekly_digest, cron_schedule=CRON, execution_timezone=TIMEZONE,
             default_status=dg.DefaultScheduleStatus.RUNNING,
             description="Mondays 08:00 Lima time: the digest of the week just ended, to every programme's "
                         "recipients. Skipped while ESCUCHA_SMTP_HOST is unset.")
def weekly_digest_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest | dg.SkipReason:
    try:
        smtp = SmtpSettings.from_env()
    except ValueError as exc:
        return dg.SkipReason(f"invalid SMTP settings: {exc}")
    if smtp is None:
        return dg.SkipReason("no SMTP server configured: set ESCUCHA_SMTP_HOST to send the weekly digest")
    when = context.scheduled_execution_time or datetime.now(LIMA)
    as_of = when.astimezone(LIMA).date()
    start, end = week_before(as_of)
    return dg.RunRequest(run_key=f"digest:{start}",
                         run_config={"ops": {"send_weekly_digests": {"config": {"as_of": as_of.isoformat()}}}},
                         tags={"escucha/digest_week": f"{start}..{end}"})
