from django.conf import settings


def site(request):
    """Site-wide values that are the same for every visitor (safe on cached pages)."""
    return {"site_name": settings.SITE_NAME, "contact_email": settings.CONTACT_EMAIL}
