from django.core.management.base import BaseCommand

import patient_groups.demo
from netinfo.site import demo


class Command(BaseCommand):
    help = (
        "Load the demo topics, articles, references, placeholder images and the patient-group "
        "directory. Idempotent: what already exists is left unchanged."
    )

    def handle(self, *args, **options):
        demo.load(log=self.stdout.write)
        patient_groups.demo.load(log=self.stdout.write)
