from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from hbmm.accounts.scope import restrict_to_scope
from hbmm.intake.models import Form, ImportFile, PullSource, Submission
from hbmm.intake.selectors import import_file_list
from hbmm.intake.tasks import pull_enqueue


class PullSourceForm(forms.ModelForm):
    server_url = forms.URLField(
        label=_("server URL"),
        assume_scheme="https",
        help_text=_("e.g. https://central.example.org or https://kf.kobotoolbox.org"),
    )
    secret = forms.CharField(
        label=_("password or API token"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Stored encrypted. Leave empty to keep the current one."),
    )

    class Meta:
        model = PullSource
        fields = [
            "name",
            "channel",
            "server_url",
            "project_id",
            "remote_form_id",
            "form_id",
            "username",
            "secret",
            "owner",
            "enabled",
            "page_size",
            "pull_interval",
            "watermark",
            "edit_watermark",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A source runs as its owner's (role and scope): one is required, among active users.
        owner = self.fields["owner"]
        owner.required = True
        owner.queryset = owner.queryset.filter(is_active=True).order_by("username")

    def save(self, commit=True):
        source = super().save(commit=False)
        if self.cleaned_data.get("secret"):
            source.set_secret(self.cleaned_data["secret"])
        if commit:
            source.save()
        return source


@admin.register(PullSource)
class PullSourceAdmin(admin.ModelAdmin):
    form = PullSourceForm
    list_display = [
        "name",
        "channel",
        "form_id",
        "owner",
        "enabled",
        "pull_interval",
        "watermark",
        "last_run_at",
        "last_status",
    ]
    list_filter = ["channel", "enabled", "last_status"]
    readonly_fields = [
        "pull_progress",
        "next_pull_at",
        "last_run_at",
        "last_status",
        "last_message",
        "last_counts",
    ]
    actions = ["pull_now"]

    @admin.action(description=_("Pull now (in the background)"))
    def pull_now(self, request, queryset):
        queued = sum(pull_enqueue(source=source, by=request.user)[1] for source in queryset)
        self.message_user(
            request,
            ngettext(
                "%(n)s pull queued (see Jobs); a source already being pulled is not queued twice.",
                "%(n)s pulls queued (see Jobs); a source already being pulled is not queued twice.",
                queued,
            )
            % {"n": queued},
            messages.SUCCESS,
        )


@admin.register(Form)
class FormAdmin(admin.ModelAdmin):
    list_display = ["form_id", "version", "title", "md5", "converted_at"]
    readonly_fields = [f.name for f in Form._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(ImportFile)
class ImportFileAdmin(admin.ModelAdmin):
    list_display = ["original_name", "kind", "status", "rows_read", "rows_accepted", "uploaded_at"]
    list_filter = ["kind", "status"]
    # The stored file is linked through the import page's scoped, audited download, never
    # through MEDIA_URL (not served: the files hold personal data).
    exclude = ["file"]
    readonly_fields = [f.name for f in ImportFile._meta.fields if f.name != "file"] + [
        "stored_file"
    ]

    @admin.display(description=_("file"))
    def stored_file(self, obj):
        if obj is None or obj.pk is None:
            return "-"
        url = reverse("intake:import-original", kwargs={"pk": obj.pk})
        return format_html('<a href="{}">{}</a>', url, obj.original_name)

    def get_queryset(self, request):
        # The files the pages show the user (their own; every file to national reviewers).
        return import_file_list(user=request.user)


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    """Read-only: submissions change only through the pipeline and the review pages. The
    encrypted envelope of identifiers is left out: the submission page shows it, to the
    roles allowed, and logs the read."""

    list_display = ["instance_id", "form_id", "channel", "status", "received_at"]
    list_filter = ["form_id", "channel", "status"]
    search_fields = ["instance_id", "root_id"]
    exclude = ["protected"]
    readonly_fields = [f.name for f in Submission._meta.fields if f.name != "protected"]

    def get_queryset(self, request):
        # A staff member of a region sees its records only, as on the pages.
        return restrict_to_scope(super().get_queryset(request), request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
