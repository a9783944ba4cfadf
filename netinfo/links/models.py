from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext, gettext_lazy as _

# A link is broken once it failed on this many separate runs in a row: one failed run may be a
# site's bad minute, and editors should not chase it.
BROKEN_AFTER_RUNS = 2


class LinkQuerySet(models.QuerySet):
    def broken(self):
        return self.filter(failures_in_a_row__gte=BROKEN_AFTER_RUNS)

    def failing(self):
        """Failed on the last run, broken or not (yet)."""
        return self.filter(failures_in_a_row__gte=1)

    def moved(self):
        """Answering, but only through permanent redirects: the new address should replace it."""
        return self.filter(failures_in_a_row=0, permanent_redirect=True).exclude(final_url="")

    def needing_attention(self):
        return self.broken() | self.moved()

    def object_ids(self, model):
        """The primary keys of the `model` objects that use these links (a subquery)."""
        return LinkUse.objects.filter(
            link__in=self, content_type=ContentType.objects.get_for_model(model)
        ).values("object_id")


class LinkUseQuerySet(models.QuerySet):
    def of(self, obj):
        """Where `obj` uses links."""
        return self.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)


class Link(models.Model):
    """One external web address and what the link checker found there last time."""

    class Outcome(models.TextChoices):
        UNCHECKED = "unchecked", _("Not checked yet")
        OK = "ok", _("Works")
        FAILED = "failed", _("Failed")
        # The site refused an automatic check (401, 403, 429): it says nothing about the page.
        REFUSED = "refused", _("Refused the checker")
        # Not fetched: an address our settings do not allow (e.g. a private network).
        SKIPPED = "skipped", _("Not checked")

    class Problem(models.TextChoices):
        # Stored as a code, shown in the reader's language.
        NONE = "", _("none")
        HTTP_ERROR = "http-error", _("The site answered with an error page")
        TIMEOUT = "timeout", _("No answer in time")
        DNS = "dns", _("Host name not found")
        CONNECTION = "connection", _("Could not connect")
        CERTIFICATE = "certificate", _("Certificate problem (HTTPS)")
        REDIRECT_LOOP = "redirect-loop", _("Redirect loop")
        TOO_MANY_REDIRECTS = "too-many-redirects", _("Too many redirects")
        INVALID = "invalid", _("Not a valid web address")
        NOT_ALLOWED = "not-allowed", _("Address not allowed (private or local network)")
        OTHER = "other", _("Network error")

    url = models.CharField("URL", max_length=2000, unique=True)
    outcome = models.CharField(
        _("result"), max_length=20, choices=Outcome.choices, default=Outcome.UNCHECKED
    )
    status = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    problem = models.CharField(
        _("problem"), max_length=30, choices=Problem.choices, blank=True, default=""
    )
    # The technical detail, for whoever digs further (an exception's message).
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    final_url = models.CharField(_("address after redirects"), max_length=2000, blank=True)
    permanent_redirect = models.BooleanField(
        _("moved permanently"),
        default=False,
        help_text=_("Every redirect on the way was permanent (301 or 308): use the new address."),
    )
    failures_in_a_row = models.PositiveSmallIntegerField(_("failed runs in a row"), default=0)
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    last_ok_at = models.DateTimeField(_("last worked at"), null=True, blank=True)

    objects = LinkQuerySet.as_manager()

    class Meta:
        ordering = ["url"]
        verbose_name = _("external link")
        verbose_name_plural = _("external links")

    def __str__(self):
        return self.url

    @property
    def is_broken(self):
        return self.failures_in_a_row >= BROKEN_AFTER_RUNS

    @property
    def suggested_url(self):
        """The address to use instead, when the link moved permanently."""
        return self.final_url if self.permanent_redirect and not self.failures_in_a_row else ""

    def describe(self):
        """What the last check found, in words: the problem and the HTTP status."""
        parts = [str(self.get_problem_display())] if self.problem else []
        if self.status:
            parts.append(f"HTTP {self.status}")
        return " · ".join(parts) or str(self.get_outcome_display())


class LinkUse(models.Model):
    """Where a link appears: an object and the field that holds it (as of the last run)."""

    link = models.ForeignKey(Link, on_delete=models.CASCADE, related_name="uses")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    content_object = GenericForeignKey("content_type", "object_id")
    # The field's name in English (translated where shown) and, for text, its language.
    field = models.CharField(_("field"), max_length=100)
    language = models.CharField(_("language"), max_length=10, blank=True)
    # The object's name when last seen, so that lists need not load every object.
    label = models.CharField(_("used in"), max_length=300)

    objects = LinkUseQuerySet.as_manager()

    class Meta:
        ordering = ["content_type", "object_id", "field"]
        verbose_name = _("link use")
        verbose_name_plural = _("link uses")
        constraints = [
            models.UniqueConstraint(
                fields=["link", "content_type", "object_id", "field", "language"],
                name="unique_link_use",
            )
        ]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return f"{self.label}: {self.where()}"

    def admin_url(self):
        """The admin page of the object that uses the link."""
        app_label, model = self.content_type.app_label, self.content_type.model
        try:
            return reverse(f"admin:{app_label}_{model}_change", args=[self.object_id])
        except NoReverseMatch:
            return ""

    def where(self):
        """The field, in the active language, with the text's language if any: "Text (de)"."""
        field = gettext(self.field)
        return f"{field} ({self.language})" if self.language else field
