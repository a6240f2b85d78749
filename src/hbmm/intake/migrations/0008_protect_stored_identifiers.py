"""Protect the identifiers already stored in clear (docs/forms.md, "Identifiers").

For every form whose mapper declares identifier fields (screening): each stored submission's
raw payload and identifier fields move into the encrypted envelope, and reasons stop quoting
identifier values; corrections of identifier fields move into the correction's encrypted copy;
the audit events of those corrections keep the field names, not the values (the one change
ever made to past audit events: removing identifiers a DPO would not keep in clear).
Batches of 500 rows; nothing to do on a new database.
"""

import json

from django.db import migrations

BATCH = 500


def _mappers():
    from hbmm.intake.mappers import registered_mappers

    return [m for m in registered_mappers().values() if m.identifier_fields]


def protect_stored(apps, schema_editor):
    from hbmm.intake.identifiers import identifier_keys, protect
    from hbmm.intake.parsing import json_dumps

    Submission = apps.get_model("intake", "Submission")
    Correction = apps.get_model("intake", "Correction")
    AuditEvent = apps.get_model("accounts", "AuditEvent")
    for mapper in _mappers():
        last = 0
        while True:
            batch = list(
                Submission.objects.filter(form_id=mapper.form_id, pk__gt=last)
                .filter(protected__isnull=True)
                .order_by("pk")[:BATCH]
            )
            if not batch:
                break
            last = batch[-1].pk
            for submission in batch:
                _protect_submission(submission, mapper, protect, identifier_keys, json_dumps)
            Submission.objects.bulk_update(
                batch, ["payload", "data", "corrections", "errors", "protected"]
            )
            ids = [s.pk for s in batch]
            _protect_corrections(Correction, ids, mapper, identifier_keys, json_dumps)
            _redact_audit(AuditEvent, ids, mapper, identifier_keys)


def _protect_submission(submission, mapper, protect, identifier_keys, json_dumps):
    payload, data, envelope = protect(
        mapper=mapper, payload=submission.payload, data=submission.data
    )
    hidden = identifier_keys(mapper, submission.corrections)
    corrections = {k: v for k, v in submission.corrections.items() if k not in hidden}
    envelope = json.loads(envelope)
    if hidden:
        envelope["corrections"] = {k: submission.corrections[k] for k in hidden}
    errors_hidden = identifier_keys(mapper, {e.get("field") or "" for e in submission.errors})
    submission.payload, submission.data, submission.corrections = payload, data, corrections
    submission.errors = [
        {**e, "value": None} if e.get("field") in errors_hidden else e for e in submission.errors
    ]
    submission.protected = json_dumps(envelope)


def _protect_corrections(Correction, submission_ids, mapper, identifier_keys, json_dumps):
    changed = []
    for correction in Correction.objects.filter(submission_id__in=submission_ids):
        hidden = identifier_keys(mapper, correction.changes)
        kept = {k: correction.changes[k] for k in hidden if correction.changes[k] is not None}
        if not kept:
            continue
        correction.protected = json_dumps(kept)
        correction.changes = {
            k: None if k in hidden else v for k, v in correction.changes.items()
        }
        changed.append(correction)
    if changed:
        Correction.objects.bulk_update(changed, ["changes", "protected"])


def _redact_audit(AuditEvent, submission_ids, mapper, identifier_keys):
    targets = [f"intake.submission:{pk}" for pk in submission_ids]
    for event in AuditEvent.objects.filter(target__in=targets, action="data_change"):
        changes = (event.details or {}).get("changes")
        if not isinstance(changes, dict):
            continue
        hidden = identifier_keys(mapper, changes)
        if not any(changes[k] is not None for k in hidden):
            continue
        details = {
            **event.details,
            "changes": {k: None if k in hidden else v for k, v in changes.items()},
        }
        AuditEvent.objects.filter(pk=event.pk).update(details=details)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("intake", "0007_refused_copies_protected_values_pull_owner"),
    ]

    operations = [migrations.RunPython(protect_stored, migrations.RunPython.noop)]
