"""
Readability of article text: Flesch reading ease and Flesch-Kincaid grade for English; Amstad's
German Flesch formula and the first Wiener Sachtextformel for German.

Syllables come from pyphen's hyphenation dictionaries (what textstat uses too, without
textstat's other dependencies). Medical words that patients must learn anyway (neuroendocrine,
somatostatin, everolimus ...) do not count as long words: they are scored as two-syllable,
six-letter words, so that the figures measure the writing rather than the disease's name.
"""

import re
from functools import cache

import pyphen

# Targets for patient articles: about school grade 8, or Flesch reading ease of at least 50.
TARGET_GRADE = 8.0
TARGET_EASE = 50.0

MEDICAL_TERMS = {
    word.lower()
    for word in """
    neuroendocrine neuroendokrin neuroendokrine neuroendokrinen neuroendokriner tumour tumours
    tumor tumoren somatostatin somatostatin-rezeptoren receptors receptor rezeptoren
    everolimus lutetium-177 lutetium-177-dotatate lutetium-177-edotreotide lutathera
    yttrium-90 dotatate edotreotide radionuclide radionuklidtherapie peptide gastroenteropancreatic
    gastroenteropankreatische pancreas pancreatic bauchspeicheldrüse carcinoid karzinoid
    chemotherapy chemotherapie metastasis metastases metastasierung metastasen tomography
    tomografie computertomografie endocrine endokrin endokrinen neurotransmitters neurotransmitter
    gep-nets gep-net prrt pet/ct spect
    """.split()
}
WORD_RE = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*", re.UNICODE)
SENTENCE_END_RE = re.compile(r"[.!?]+(?:\s|$)|\n\s*\n")


@cache
def dictionary(language):
    return pyphen.Pyphen(lang={"de": "de_DE", "en": "en_US"}.get(language, "en_US"))


def syllables(word, language):
    if word.lower() in MEDICAL_TERMS:
        return 2
    parts = [part for part in re.split(r"[-'’]", word) if part]
    total = 0
    for part in parts:
        total += max(1, len(dictionary(language).positions(part.lower())) + 1)
    return total


def measure(text, language):
    """Readability figures for `text` (plain text) in `language`; empty text gives {}."""
    words = WORD_RE.findall(text)
    if not words:
        return {}
    sentences = max(1, len([s for s in SENTENCE_END_RE.split(text) if WORD_RE.search(s or "")]))
    counts = [syllables(word, language) for word in words]
    n = len(words)
    per_sentence = n / sentences
    per_word = sum(counts) / n
    result = {"words": n, "sentences": sentences}
    if language == "de":
        ease = 180 - per_sentence - 58.5 * per_word  # Amstad
        long_words = sum(1 for w in words if len(w) > 6 and w.lower() not in MEDICAL_TERMS)
        many_syllables = sum(1 for c in counts if c >= 3)
        one_syllable = sum(1 for c in counts if c == 1)
        wstf = (
            0.1935 * 100 * many_syllables / n
            + 0.1672 * per_sentence
            + 0.1297 * 100 * long_words / n
            - 0.0327 * 100 * one_syllable / n
            - 0.875
        )
        result.update(ease=round(ease, 1), grade=round(wstf, 1), formula="Amstad / WSTF")
    else:
        ease = 206.835 - 1.015 * per_sentence - 84.6 * per_word
        grade = 0.39 * per_sentence + 11.8 * per_word - 15.59
        result.update(ease=round(ease, 1), grade=round(grade, 1), formula="Flesch / Flesch-Kincaid")
    result["meets_target"] = result["grade"] <= TARGET_GRADE or result["ease"] >= TARGET_EASE
    return result
