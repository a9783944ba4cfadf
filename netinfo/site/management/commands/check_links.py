import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from netinfo.links import checker, services
from netinfo.links.models import BROKEN_AFTER_RUNS, Link

from ...links import external_links


class Command(BaseCommand):
    help = (
        "Check every external web address the site shows (links in articles, further "
        "resources, reference URLs and DOIs, patient groups' websites) and store what each "
        "answered. A link counts as broken once it failed on two runs in a row. Exits with "
        "status 1 when broken links remain, so that cron or a systemd timer reports them. "
        "Never run during a page request: schedule it (see README, 'Checking links')."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--concurrency", type=int, default=8, help="Requests at a time (default 8)."
        )
        parser.add_argument(
            "--per-host",
            type=int,
            default=2,
            help="Requests at a time to one host name and port (default 2).",
        )
        parser.add_argument(
            "--timeout", type=float, default=15, help="Seconds per request (default 15)."
        )
        parser.add_argument(
            "--max-time",
            type=float,
            default=900,
            help="Seconds for the whole run (default 900); what is left is checked next time.",
        )

    def handle(self, concurrency, per_host, timeout, max_time, **options):
        if min(concurrency, per_host) < 1 or min(timeout, max_time) <= 0:
            raise CommandError("--concurrency and --per-host must be at least 1, times above 0.")
        started = time.monotonic()
        urls = services.record_uses(external_links())
        self.verbosity = options["verbosity"]
        self.live = self.verbosity >= 1 and self.stderr.isatty()
        if self.verbosity >= 1:
            self.stdout.write(f"Checking {len(urls)} addresses ...")
        results = checker.check(
            urls,
            checker.Options(
                user_agent=settings.LINK_CHECK_USER_AGENT,
                concurrency=concurrency,
                per_host=per_host,
                timeout=timeout,
                max_time=max_time,
                networks=tuple(settings.LINK_CHECK_NETWORKS),
            ),
            progress=self.progress,
        )
        if self.live:
            self.stderr.write("")
        services.record_results(results, timezone.now())
        self.report(results, time.monotonic() - started)
        broken = Link.objects.broken().count()
        if broken:
            raise CommandError(
                f"{broken} broken links (failed on {BROKEN_AFTER_RUNS} runs or more in a row).",
                returncode=1,
            )

    def progress(self, result, done, total):
        if self.live:
            # One line, rewritten in place: a terminal shows how far the run is.
            self.stderr.write(f"\r{done} of {total} checked", ending="")
        if self.verbosity >= 2:
            self.stdout.write(f"{result.outcome:9} {result.status or '-':>3} {result.url}")

    def report(self, results, seconds):
        outcomes = [result.outcome for result in results.values()]
        moved = sum(result.permanent_redirect for result in results.values())
        counts = ", ".join(
            f"{outcomes.count(outcome)} {label}"
            for outcome, label in [
                (Link.Outcome.OK, "work"),
                (Link.Outcome.FAILED, "failed"),
                (Link.Outcome.REFUSED, "refused the checker"),
                (Link.Outcome.SKIPPED, "not allowed"),
                (Link.Outcome.UNCHECKED, "left for the next run (time limit)"),
            ]
            if outcomes.count(outcome)
        )
        if self.verbosity >= 1:
            self.stdout.write(
                f"Checked {len(results)} addresses in {seconds:.0f} s: {counts or 'none'}; "
                f"{moved} moved permanently."
            )
        for link in Link.objects.needing_attention().prefetch_related("uses"):
            places = "; ".join(f"{use.label} ({use.where()})" for use in link.uses.all())
            if link.is_broken:
                self.stdout.write(f"BROKEN {link.url} [{link.describe()}] in {places}")
            elif self.verbosity >= 1:
                self.stdout.write(f"MOVED {link.url} -> {link.final_url} in {places}")
