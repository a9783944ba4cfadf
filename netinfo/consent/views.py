from cookie_consent.models import CookieGroup
from cookie_consent.util import (
    get_accepted_cookie_groups,
    get_declined_cookie_groups,
    get_not_accepted_or_declined_cookie_groups,
)
from cookie_consent.views import CookieStatusView
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseRedirect, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache

from . import texts
from .decisions import groups_in_use, save_decision, state
from .models import ConsentRecord


class ConsentStatusView(CookieStatusView):
    """The library's status JSON for the banner script, pointing at this site's save URL."""

    def get(self, request):
        in_use = {group.varname for group in groups_in_use()}
        return JsonResponse(
            {
                "csrftoken": get_token(request),
                "saveUrl": reverse("consent:settings"),
                "acceptedCookieGroups": [
                    g.varname for g in get_accepted_cookie_groups(request) if g.varname in in_use
                ],
                "declinedCookieGroups": [
                    g.varname for g in get_declined_cookie_groups(request) if g.varname in in_use
                ],
                "notAcceptedOrDeclinedCookieGroups": [
                    g.varname
                    for g in get_not_accepted_or_declined_cookie_groups(request)
                    if g.varname in in_use
                ],
            }
        )


status = never_cache(ConsentStatusView.as_view())


def wants_json(request):
    return request.headers.get("X-Requested-With") == "fetch"


@never_cache
def cookie_settings(request):
    """
    Every cookie group with its cookies, and the choice for the optional ones. Works without
    JavaScript; the banner posts its two buttons here too.
    """
    optional = groups_in_use()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == ConsentRecord.Action.ACCEPT_ALL:
            accepted, declined = optional, []
        elif action == ConsentRecord.Action.REJECT_ALL:
            accepted, declined = [], optional
        elif action == ConsentRecord.Action.SAVE:
            chosen = set(request.POST.getlist("groups"))
            accepted = [g for g in optional if g.varname in chosen]
            declined = [g for g in optional if g.varname not in chosen]
        else:
            return HttpResponseBadRequest("Unknown action.")
        if wants_json(request):
            response = HttpResponse(status=204)
        else:
            target = request.POST.get("next", "")
            if not url_has_allowed_host_and_scheme(
                target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            ):
                target = reverse("consent:settings") + "?saved=1"
            response = HttpResponseRedirect(target)
        if optional:
            save_decision(request, response, accepted, declined, action)
        return response

    required = CookieGroup.objects.filter(is_required=True).prefetch_related("cookie_set")
    sections = []
    for group in [*required, *optional]:
        sections.append(
            {
                "group": group,
                "name": texts.group_text(group.varname, "name", group.name),
                "description": texts.group_text(group.varname, "description", group.description),
                "required": group.is_required,
                "accepted": None if group.is_required else state(request, group),
                "cookies": [
                    texts.cookie_details(c, group.varname)
                    for c in sorted(group.cookie_set.all(), key=lambda c: c.pk)
                ],
            }
        )
    return render(
        request,
        "consent/cookie_settings.html",
        {
            "sections": sections,
            "has_optional": bool(optional),
            "saved": "saved" in request.GET,
            "hide_consent_banner": True,  # this page is the full version of the banner
        },
    )
