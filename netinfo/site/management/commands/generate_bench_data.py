import random

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from netinfo.articles import services
from netinfo.articles.models import Article, Citation, Figure, Topic
from netinfo.core.page_cache import SITE_CHROME, invalidate
from netinfo.site.demo import placeholder_png
from patient_groups.models import PatientGroup, Region, Service
from references.models import Reference

WORDS = (
    "neuroendocrine tumour cells hormone pancreas bowel lung scan treatment surgery doctor "
    "receptor somatostatin therapy radiation medicine symptom diagnosis patient carer team "
    "appointment question blood test result growth slow spread liver"
).split()
COUNTRIES = ["DE", "FR", "GB", "IT", "ES", "NL", "US", "CA", "BR", "JP", "IN", "AU", "ZA", "KE"]


def sentence(rng, length=14):
    words = [rng.choice(WORDS) for _ in range(length)]
    return " ".join(words).capitalize() + "."


class Command(BaseCommand):
    help = (
        "Fill an empty database for `make bench`: 500 articles in English and German with 20 "
        "citations and 3 figures each, 5,000 references and 5,000 patient groups."
    )

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=500)
        parser.add_argument("--references", type=int, default=5000)
        parser.add_argument("--groups", type=int, default=5000)

    def handle(self, articles, references, groups, **options):
        if Article.objects.exists() or Reference.objects.exists() or PatientGroup.objects.exists():
            raise CommandError(
                "This database already has content; benchmark data needs an empty one."
            )
        rng = random.Random(2026)
        with transaction.atomic():
            self.make_references(rng, references)
            self.make_groups(rng, groups)
            self.make_articles(rng, articles, references)
        invalidate({SITE_CHROME})  # bulk_create sends no save signals
        if connection.vendor == "postgresql":
            # What autovacuum would do to freshly filled tables a little later: statistics for
            # the planner, and the visibility map without which PostgreSQL cannot answer from
            # an index alone (the directory's counts read every group's row otherwise).
            # Outside the transaction above: VACUUM cannot run inside one.
            tables = ", ".join(
                connection.ops.quote_name(model._meta.db_table)
                for model in (Reference, PatientGroup, Topic, Article, Figure, Citation)
            )
            with connection.cursor() as cursor:
                cursor.execute(f"VACUUM (ANALYZE) {tables}")
        self.stdout.write(
            f"Benchmark data: {articles} articles, {references} references, {groups} patient groups."
        )

    def make_references(self, rng, count):
        rows = []
        for i in range(count):
            reference = Reference(
                key=f"ref{i}",
                authors=[
                    {"family": f"Author{i}", "given": "A B"},
                    {"family": "Second", "given": "C"},
                ],
                title=sentence(rng, 10),
                container_title_short="J Neuroendocrinol",
                year=1990 + i % 35,
                month=1 + i % 12,
                volume=str(1 + i % 40),
                issue=str(1 + i % 12),
                pages=f"{100 + i % 800}-{110 + i % 800}",
                doi=f"10.1000/bench.{i}",
                pmid=str(10_000_000 + i),
            )
            # bulk_create() does not call save(), which sets these two.
            reference.rendered = reference.render()
            reference.search_text = reference.searchable_text()
            rows.append(reference)
        Reference.objects.bulk_create(rows, batch_size=500)

    def make_groups(self, rng, count):
        regions = list(Region.objects.all())
        services = [s.value for s in Service]
        groups = [
            PatientGroup(
                name=f"Patient group {i}",
                slug=f"patient-group-{i}",
                country=COUNTRIES[i % len(COUNTRIES)],
                region=regions[i % len(regions)],
                languages=rng.choice(["en", "de", "en de", "fr en", "ja"]),
                services=" ".join(rng.sample(services, 2)),
                website=f"https://group{i}.example.org/" if i % 3 else "",
            )
            for i in range(count)
        ]
        for group in groups:
            # bulk_create() does not call save(), which fills these.
            group.search_text = group.searchable_text()
            group.listing_html = group.render_listing()
        PatientGroup.objects.bulk_create(groups, batch_size=500)

    def make_articles(self, rng, count, references):
        topics = [
            Topic.objects.create(
                slug_en=f"bench-topic-{i}",
                name_en=f"Topic {i}",
                slug_de=f"thema-{i}",
                name_de=f"Thema {i}",
                order=i,
            )
            for i in range(4)
        ]
        image = default_storage.save(
            "figures/bench/placeholder.png", ContentFile(placeholder_png("1"))
        )
        now = timezone.now()
        for i in range(count):
            cited = rng.sample(range(references), 20)
            sections_en, sections_de = [], []
            for s in range(10):
                cites = f"[@ref{cited[2 * s]}; @ref{cited[2 * s + 1]}]"
                text = " ".join(sentence(rng) for _ in range(5))
                sections_en.append(f"## Section {s + 1}\n\n{text} {cites}")
                sections_de.append(f"## Abschnitt {s + 1}\n\n{text} {cites}")
            figures = "\n\n[[figure:1]]\n\n[[figure:2]]\n\n[[figure:3]]"
            article = Article(
                topic=topics[i % 4],
                order=i,
                status=Article.Status.PUBLISHED,
                published_at=now,
                slug_en=f"article-{i}",
                title_en=f"Article {i}: " + sentence(rng, 5),
                summary_en=sentence(rng, 20),
                body_en="\n\n".join(sections_en) + figures,
                slug_de=f"artikel-{i}",
                title_de=f"Artikel {i}: " + sentence(rng, 5),
                summary_de=sentence(rng, 20),
                body_de="\n\n".join(sections_de) + figures,
            )
            services.import_article(
                article,
                save_related=lambda article=article: Figure.objects.bulk_create(
                    Figure(
                        article=article,
                        number=n,
                        image=image,
                        width=800,
                        height=600,
                        alt_en=f"Placeholder figure {n}",
                        caption_en=sentence(rng, 8),
                        credit_en="Placeholder image: NET Info",
                    )
                    for n in (1, 2, 3)
                ),
            )
            if i % 100 == 99:
                self.stdout.write(f"  {i + 1} articles")
