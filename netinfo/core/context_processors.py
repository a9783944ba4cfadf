from django.conf import settings


def site(request):
    """Site-wide values that are the same for every visitor (safe on cached pages)."""
    return {
        "site_name": settings.SITE_NAME,
        "contact_email": settings.CONTACT_EMAIL,
        # The terms partners may reuse our text under (About page, embeds, the API).
        "content_licence": settings.CONTENT_LICENCE,
        "content_licence_url": settings.CONTENT_LICENCE_URL,
    }
