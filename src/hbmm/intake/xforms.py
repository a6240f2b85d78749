"""The XLSForms shipped in `intake/forms/` and their XForm conversion (pyxform), cached.

Conventions (docs/forms.md): the file is `<form_id>.xlsx`; its settings sheet's form_id equals
the file name and a registered mapper's form_id; field names are the mapper's canonical names;
labels in `label::French (fr)` and `label::English (en)`; sites are chosen with
`select_one_from_file sites.csv`, a media file the server generates per user; admin areas
from `areas.csv` (the user's scope) or `places.csv` (every country's, filtered by country).
"""

import hashlib
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

from django.db import IntegrityError, transaction

from hbmm.intake.models import Form

FORMS_DIR = Path(__file__).resolve().parent / "forms"
MEDIA_REF = re.compile(r"jr://(?:file|file-csv|images|audio|video)/([^\"'<>\s]+)")
# Media files the server generates (per requesting user) rather than ships.
GENERATED_MEDIA = {"sites.csv", "areas.csv", "places.csv"}
# pyxform warnings that are not worth fixing (none so far; add with a reason).
IGNORED_WARNINGS: tuple[str, ...] = ()


class FormError(ValueError):
    """The XLSForm cannot be converted, or breaks a convention."""


@dataclass
class Converted:
    form_id: str
    version: str
    title: str
    xml: str
    warnings: list[str] = field(default_factory=list)

    @property
    def md5(self) -> str:
        return hashlib.md5(self.xml.encode("utf-8")).hexdigest()


def form_files() -> dict[str, Path]:
    """form_id -> .xlsx path for every shipped form."""
    return {p.stem: p for p in sorted(FORMS_DIR.glob("*.xlsx")) if not p.name.startswith("~")}


def media_files(xml: str) -> list[str]:
    """The media file names an XForm refers to (jr://file-csv/sites.csv -> sites.csv)."""
    return sorted(set(MEDIA_REF.findall(xml)))


def form_convert(path: Path, *, validate: bool = False) -> Converted:
    """Convert an XLSForm with pyxform (and ODK Validate when `validate`); check conventions."""
    # pyxform takes ~0.5 s to import; only converting a form needs it, not every process
    # that imports this module (the web workers do, for the form list).
    from pyxform.errors import PyXFormError  # noqa: PLC0415
    from pyxform.validators.odk_validate import ODKValidateError  # noqa: PLC0415
    from pyxform.xls2xform import convert  # noqa: PLC0415

    warnings: list[str] = []
    try:
        result = convert(xlsform=str(path), warnings=warnings, validate=validate)
    except (PyXFormError, ODKValidateError) as exc:
        raise FormError(f"{path.name}: {exc}") from exc
    survey = result._survey
    form_id = survey.id_string
    if form_id != path.stem:
        raise FormError(
            f"{path.name}: settings form_id is '{form_id}', expected '{path.stem}' (the file name)"
        )
    version = str(survey.version or "")
    if not version:
        raise FormError(f"{path.name}: the settings sheet has no version")
    title = str(survey.title or form_id)
    kept = [w for w in result.warnings if not any(i in w for i in IGNORED_WARNINGS)]
    return Converted(form_id=form_id, version=version, title=title, xml=result.xform, warnings=kept)


_cache: dict[str, tuple[tuple[int, int], Form]] = {}
_lock = threading.Lock()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def form_get(form_id: str) -> Form | None:
    """The current XForm of a shipped form (converted once per .xlsx content), or None."""
    path = form_files().get(form_id)
    if path is None:
        return None
    stat = path.stat()
    stamp = (stat.st_mtime_ns, stat.st_size)
    cached = _cache.get(form_id)
    if cached and cached[0] == stamp:
        return cached[1]
    with _lock:
        checksum = _sha256(path)
        form = Form.objects.filter(xlsx_sha256=checksum).first()
        if form is None:
            converted = form_convert(path)
            try:
                with transaction.atomic():
                    form = Form.objects.create(
                        form_id=converted.form_id,
                        version=converted.version,
                        title=converted.title,
                        xlsx_sha256=checksum,
                        xml=converted.xml,
                        md5=converted.md5,
                        warnings=converted.warnings,
                    )
            except IntegrityError:  # another process converted it at the same time
                form = Form.objects.get(xlsx_sha256=checksum)
        _cache[form_id] = (stamp, form)
        return form


def forms_all() -> list[Form]:
    return [f for f in (form_get(form_id) for form_id in form_files()) if f is not None]


def cache_clear() -> None:
    _cache.clear()
