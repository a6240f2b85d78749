"""Community feedback (risk communication and community engagement, RCCE): rumours, questions,
suggestions, complaints and praise received through the hotline, community focal points,
awareness sessions and social media; coded, answered, counted.

What was said (`text`) and the answer given (`answer`) are personal data until a reviewer
marks the entry publishable: both are encrypted at rest, never in a table or an export unless
`publishable` (the table registry's gate, `hbmm.presentation.tables.Column.gate`), and every
read of an unpublished text is audited (`feedback.selectors.feedback_text_read`). Who spoke is
a type of person; a name is kept only with their consent, encrypted, and never leaves the
entry's page.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hbmm.fields import EncryptedTextField

__all__ = ["Feedback"]


class Feedback(models.Model):
    scope_site_lookup = "site"
    scope_area_lookup = "area"
    scope_known_at = "created_at"
    scope_audit_target = "feedback.feedback"

    class Channel(models.TextChoices):
        HOTLINE = "hotline", _("hotline")
        FOCAL_POINT = "focal_point", _("community focal point")
        SESSION = "session", _("awareness session")
        SOCIAL_MEDIA = "social_media", _("social media")
        OTHER = "other", _("other")

    class SourceType(models.TextChoices):
        COMMUNITY_MEMBER = "community_member", _("community member")
        MIGRANT = "migrant", _("migrant or traveller")
        HOST_COMMUNITY_LEADER = "leader", _("community or religious leader")
        HEALTH_WORKER = "health_worker", _("health worker")
        TRANSPORTER = "transporter", _("transporter or driver")
        AUTHORITY = "authority", _("local authority")
        UNKNOWN = "unknown", pgettext_lazy("who spoke", "not known")

    class Kind(models.TextChoices):
        RUMOUR = "rumour", _("rumour")
        QUESTION = "question", _("question")
        SUGGESTION = "suggestion", _("suggestion")
        COMPLAINT = "complaint", _("complaint")
        PRAISE = "praise", _("praise")

    class Topic(models.TextChoices):
        SYMPTOMS = "symptoms", _("symptoms")
        PREVENTION = "prevention", _("prevention")
        STIGMA = "stigma", _("migrants and stigma")
        BORDER_CLOSURE = "border_closure", _("border closure")
        SERVICES = "services", _("services")
        VACCINATION = "vaccination", _("vaccination")
        OTHER = "other", _("other")

    class Sensitivity(models.TextChoices):
        NORMAL = "normal", _("normal")
        SENSITIVE = "sensitive", _("sensitive")
        RESTRICTED = "restricted", _("restricted (never published)")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        ANSWERED = "answered", _("answered")
        REFERRED = "referred", _("referred")
        CLOSED = "closed", _("closed")

    submission = models.ForeignKey(
        "intake.Submission",
        verbose_name=_("submission"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    received_at = models.DateTimeField(_("received at"), db_index=True)
    channel = models.CharField(_("channel"), max_length=14, choices=Channel.choices)
    site = models.ForeignKey(
        "places.Site",
        verbose_name=_("site"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    area = models.ForeignKey(
        "places.AdminArea", verbose_name=_("admin area"), on_delete=models.PROTECT, related_name="+"
    )
    source_type = models.CharField(
        _("from whom"), max_length=18, choices=SourceType.choices, default=SourceType.UNKNOWN
    )
    name_consent = models.BooleanField(_("consented to give their name"), default=False)
    source_name = EncryptedTextField(_("name (with consent)"), blank=True)
    text = EncryptedTextField(_("what was said"))

    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, blank=True)
    topic = models.CharField(_("topic"), max_length=14, choices=Topic.choices, blank=True)
    sensitivity = models.CharField(
        _("sensitivity"), max_length=10, choices=Sensitivity.choices, default=Sensitivity.NORMAL
    )
    coded_at = models.DateTimeField(_("coded at"), null=True, blank=True)
    coded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("coded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    answer = EncryptedTextField(_("answer given"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answer entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    responder = models.CharField(_("answered by"), max_length=150, blank=True)
    referred_to = models.CharField(_("referred to"), max_length=200, blank=True)
    referred_at = models.DateTimeField(_("referred at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    # A community surveillance signal (health.ebs) this feedback is; only its id is used here,
    # read back through hbmm.health.ebs.selectors.
    signal = models.ForeignKey(
        "health.Signal",
        verbose_name=_("community signal"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    publishable = models.BooleanField(
        _("publishable"),
        default=False,
        help_text=_("Set by a reviewer: the text and the answer may leave HBMM."),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("entered at"), default=timezone.now)

    class Meta:
        verbose_name = _("community feedback")
        verbose_name_plural = _("community feedback")
        ordering = ["-received_at", "-pk"]
        permissions = [
            ("view_feedback_text", _("Can read what was said before it is publishable")),
            ("publish_feedback", _("Can mark community feedback publishable")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(name_consent=True) | models.Q(source_name=""),
                name="feedback_name_only_with_consent",
            ),
            models.CheckConstraint(
                condition=~models.Q(publishable=True) | ~models.Q(sensitivity="restricted"),
                name="feedback_restricted_never_publishable",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="referred") | ~models.Q(referred_to=""),
                name="feedback_referred_has_recipient",
            ),
        ]
        indexes = [models.Index(fields=["kind", "topic", "received_at"])]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"FB-{self.pk:05d}" if self.pk else "FB-new"

    @property
    def is_coded(self) -> bool:
        return bool(self.kind and self.topic)
