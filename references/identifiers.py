"""
Checking, normalising and linking bibliographic identifiers (DOI, PMID, PMCID, ISBN).

Each `normalize_*` function takes what an editor pasted and returns the stored form, or raises
ValueError with a message fit to show next to the field.
"""

import re
from urllib.parse import quote

from django.utils.translation import gettext as _
from stdnum import isbn
from stdnum.exceptions import ValidationError as StdnumError

# Crossref's recommended pattern, which matches nearly all DOIs; older Wiley DOIs need the second.
DOI_RE = re.compile(r"^10\.\d{4,9}/[-._;()/:A-Z0-9]+$", re.IGNORECASE)
WILEY_DOI_RE = re.compile(r"^10\.1002/\S+$", re.IGNORECASE)
DOI_PREFIX_RE = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
PMID_RE = re.compile(r"^[1-9]\d{0,8}$")
PMCID_RE = re.compile(r"^PMC[1-9]\d{0,9}$")


def normalize_doi(value):
    """'https://doi.org/10.1016/J.NEO.2017.09.002.' -> '10.1016/j.neo.2017.09.002'."""
    doi = DOI_PREFIX_RE.sub("", value.strip()).rstrip(".,;:").strip()
    if not (DOI_RE.match(doi) or WILEY_DOI_RE.match(doi)):
        raise ValueError(
            _(
                "“%(value)s” is not a DOI. A DOI starts with 10. and a slash, e.g. 10.1016/j.neo.2017.09.002."
            )
            % {"value": value.strip()}
        )
    # DOIs are case-insensitive; one stored case makes the uniqueness check meaningful.
    return doi.lower()


def normalize_pmid(value):
    pmid = re.sub(r"^PMID:?\s*", "", value.strip(), flags=re.IGNORECASE)
    if not PMID_RE.match(pmid):
        raise ValueError(
            _("“%(value)s” is not a PubMed ID. A PMID is a number such as 29091800.")
            % {"value": value.strip()}
        )
    return pmid


def normalize_pmcid(value):
    pmcid = re.sub(r"^PMCID:?\s*", "", value.strip(), flags=re.IGNORECASE).upper()
    if not PMCID_RE.match(pmcid):
        raise ValueError(
            _("“%(value)s” is not a PubMed Central ID. It starts with PMC, e.g. PMC5678742.")
            % {"value": value.strip()}
        )
    return pmcid


def normalize_isbn(value):
    """Any valid ISBN-10 or ISBN-13, stored as 13 digits without hyphens."""
    try:
        return isbn.to_isbn13(isbn.validate(value.strip()))
    except StdnumError:
        raise ValueError(
            _("“%(value)s” is not a valid ISBN: check the digits (the last one is a checksum).")
            % {"value": value.strip()}
        ) from None


NORMALIZERS = {
    "doi": normalize_doi,
    "pmid": normalize_pmid,
    "pmcid": normalize_pmcid,
    "isbn": normalize_isbn,
}


def doi_url(doi, resolver="https://doi.org/"):
    return resolver + quote(doi, safe="/:;()")


def pubmed_url(pmid):
    return f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/"


def pmc_url(pmcid):
    return f"https://pmc.ncbi.nlm.nih.gov/articles/{pmcid}/"
