from django.core.management.base import BaseCommand

from netinfo.articles import services
from netinfo.articles.models import Article
from patient_groups.models import PatientGroup


class Command(BaseCommand):
    help = (
        "Render again what pages show from stored HTML: every article from its Markdown, with "
        "its reference list, authors, links and change log, and every patient group's "
        "directory entry. Run it after an upgrade that changes how they look; `make run` runs "
        "it with --missing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--missing",
            action="store_true",
            help="Only what was saved before it was rendered on save (after an upgrade).",
        )

    def handle(self, missing=False, **options):
        articles = Article.objects.order_by("pk")
        groups = PatientGroup.objects.order_by("pk")
        if missing:
            articles = articles.filter(page_parts={})
            groups = groups.filter(listing_html={})
        count = articles.count()
        services.render_articles(articles.iterator(chunk_size=100), comment="Rendered again.")
        rendered = 0
        for group in groups.iterator(chunk_size=500):
            group.save(update_fields=["listing_html"])
            rendered += 1
        self.stdout.write(f"{count} articles and {rendered} patient groups rendered.")
