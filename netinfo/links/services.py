"""The link checker's two writes: where each address is used, and what a run found."""

from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from .models import Link, LinkUse

RESULT_FIELDS = [
    *("outcome", "status", "problem", "detail", "final_url", "permanent_redirect"),
    *("failures_in_a_row", "checked_at", "failing_since", "last_ok_at"),
]


@transaction.atomic
def record_uses(found):
    """
    Replace what we know of where links are used with `found`: (object, field, language, url)
    for every address the site shows now. Addresses used nowhere any more are forgotten.
    Returns the addresses, each once, in the order found.
    """
    found = list(found)
    urls = list(dict.fromkeys(url for _obj, _field, _language, url in found))
    known = set(Link.objects.values_list("url", flat=True))
    Link.objects.bulk_create(Link(url=url) for url in urls if url not in known)
    ids = dict(Link.objects.values_list("url", "pk"))
    types = {}
    uses = {}
    for obj, field, language, url in found:
        model = type(obj)
        if model not in types:
            types[model] = ContentType.objects.get_for_model(model)
        use = LinkUse(
            link_id=ids[url],
            content_type=types[model],
            object_id=obj.pk,
            field=field,
            language=language,
            label=str(obj)[:300],
        )
        uses[(use.link_id, use.content_type.pk, use.object_id, field, language)] = use
    LinkUse.objects.all().delete()
    LinkUse.objects.bulk_create(uses.values(), batch_size=500)
    Link.objects.filter(uses__isnull=True).delete()
    return urls


@transaction.atomic
def record_results(results, checked_at):
    """
    Store a run's findings ({url: checker.Result}). A failure counts one more failed run; a
    working answer clears them; a refusal or a skipped address leaves the count as it was.
    Addresses the run did not reach keep what the run before found.
    """
    links = Link.objects.in_bulk(list(results), field_name="url")
    changed = []
    for url, result in results.items():
        link = links.get(url)
        if link is None or result.outcome == Link.Outcome.UNCHECKED:
            continue
        link.outcome = result.outcome
        link.status = result.status
        link.problem = result.problem
        link.detail = result.detail[:300]
        link.final_url = result.final_url[:2000]
        link.permanent_redirect = result.permanent_redirect
        link.checked_at = checked_at
        if result.outcome == Link.Outcome.FAILED:
            link.failures_in_a_row += 1
            link.failing_since = link.failing_since or checked_at
        elif result.outcome == Link.Outcome.OK:
            link.failures_in_a_row = 0
            link.failing_since = None
            link.last_ok_at = checked_at
        changed.append(link)
    Link.objects.bulk_update(changed, RESULT_FIELDS, batch_size=200)
    return changed
