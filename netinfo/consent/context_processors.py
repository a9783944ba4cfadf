from django.conf import settings

from .decisions import analytics_configured


def analytics(request):
    """How to load analytics after consent; the same for every visitor (cache-safe)."""
    if not analytics_configured():
        return {"analytics": None}
    if settings.MATOMO_URL:
        return {
            "analytics": {
                "script": "js/analytics-matomo.js",
                "matomo_url": settings.MATOMO_URL,
                "site_id": settings.MATOMO_SITE_ID,
            }
        }
    return {"analytics": {"script": "js/analytics-standin.js", "matomo_url": "", "site_id": "1"}}
