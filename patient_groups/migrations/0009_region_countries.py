"""
Each region's countries, as data staff can keep (Region.countries). Until now the usual region
of a country was a table in patient_groups/regions.py, used only to pre-select a region; now
the directory offers a region's countries only and a group's country must be in its region.
The lists are those of that table: Israel and the Middle East with Asia & Pacific, as the
source list files them; Central America and the Caribbean with North America; "worldwide"
takes groups from any country.
"""

from django.db import migrations, models

COUNTRIES = {
    "europe": "AD AL AM AT AX AZ BA BE BG BY CH CY CZ DE DK EE ES FI FO FR GB GE GG GI GR HR HU IE "
    "IM IS IT JE LI LT LU LV MC MD ME MK MT NL NO PL PT RO RS RU SE SI SJ SK SM TR UA VA",
    "north-america": "AG AI AW BB BL BM BQ BS BZ CA CR CU CW DM DO GD GL GP GT HN HT JM KN KY LC MF "
    "MQ MS MX NI PA PM PR SV SX TC TT US VC VG VI UM",
    "south-america": "AR BO BR CL CO EC FK GF GY PE PY SR UY VE GS",
    "asia-pacific": "AE AF AQ AS AU BD BH BN BT CC CK CN CX FJ FM GU HK HM ID IL IN IO IQ IR JO JP "
    "KG KH KI KP KR KW KZ LA LB LK MH MM MN MO MP MV MY NC NF NP NR NU NZ OM PF PG PH PK PN PS PW "
    "QA SA SB SG SY TH TJ TK TL TM TO TV TW UZ VN VU WF WS YE",
    "africa": "AO BF BI BJ BV BW CD CF CG CI CM CV DJ DZ EG EH ER ET GA GH GM GN GQ GW KE KM LR LS "
    "LY MA MG ML MR MU MW MZ NA NE NG RE RW SC SD SH SL SN SO SS ST SZ TD TF TG TN TZ UG YT ZA ZM ZW",
}


def seed(apps, schema_editor):
    Region = apps.get_model("patient_groups", "Region")
    for slug, codes in COUNTRIES.items():
        Region.objects.filter(slug=slug).update(countries=" ".join(codes.split()))


class Migration(migrations.Migration):
    dependencies = [
        ("patient_groups", "0008_group_search_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="region",
            name="countries",
            field=models.CharField(
                blank=True,
                help_text="ISO 3166 codes of the countries in this region, separated by spaces "
                "(e.g. “DE FR”). Empty: groups from any country (e.g. worldwide).",
                max_length=1200,
                verbose_name="countries",
            ),
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
