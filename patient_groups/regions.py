"""
The directory's regions, and the region a country usually belongs to.

Region rows are seeded by migration 0002 (slugs: europe, north-america, south-america,
asia-pacific, africa, worldwide). The suggestion only fills an empty region field: staff
decide. The source list files Israel under "Asia & Asia Pacific", so the Middle East is
suggested there; Central America and the Caribbean go with North America.
"""

_COUNTRIES = {
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
USUAL_REGION = {code: region for region, codes in _COUNTRIES.items() for code in codes.split()}


def suggested_region_slug(country_code):
    """The usual region for an ISO 3166-1 alpha-2 code, or None."""
    return USUAL_REGION.get((country_code or "").upper())
