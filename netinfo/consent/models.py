import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class ConsentRecord(models.Model):
    """
    Proof that consent was asked for and given or refused, without tracking anyone: a random
    id that lives only in the visitor's consent cookie, the time, the choice and the policy
    version. No IP address, no user agent, no account.
    """

    class Action(models.TextChoices):
        ACCEPT_ALL = "accept_all", _("Accepted all")
        REJECT_ALL = "reject_all", _("Rejected all")
        SAVE = "save", _("Saved a choice")

    consent_id = models.UUIDField(_("consent id"), db_index=True, default=uuid.uuid4)
    created = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    accepted = models.JSONField(_("accepted groups"), default=list)
    declined = models.JSONField(_("declined groups"), default=list)
    versions = models.JSONField(_("group versions"), default=dict)
    policy_version = models.CharField(_("policy version"), max_length=40)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")

    def __str__(self):
        return f"{self.consent_id} {self.action} {self.created:%Y-%m-%d %H:%M}"
