"""Every shipped XLSForm converts with pyxform, passes ODK Validate (when Java and the validator
are present), follows the conventions of docs/forms.md, and is cached by checksum."""

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from hbmm.intake import xforms
from hbmm.intake.models import Form
from hbmm.intake.xlsform_writer import write_xlsform

SHIPPED = sorted(xforms.form_files().items())
XF = "{http://www.w3.org/2002/xforms}"
H = "{http://www.w3.org/1999/xhtml}"


def odk_validate_available() -> bool:
    from pyxform.validators.odk_validate import ODK_VALIDATE_PATH

    return shutil.which("java") is not None and Path(ODK_VALIDATE_PATH).exists()


def test_at_least_the_flow_monitoring_registry_ships():
    assert "flow_count" in dict(SHIPPED)


@pytest.mark.parametrize(("form_id", "path"), SHIPPED, ids=[f for f, _p in SHIPPED])
def test_shipped_form_converts_without_warnings(form_id, path):
    converted = xforms.form_convert(path)
    assert converted.form_id == form_id
    assert converted.version, "set a version in the settings sheet"
    assert converted.warnings == []
    root = ET.fromstring(converted.xml)
    translations = {t.get("lang") for t in root.iter(f"{XF}translation")}
    assert {"French (fr)", "English (en)"} <= translations, "labels in French and English"
    instance = root.find(f"{H}head/{XF}model/{XF}instance")[0]
    assert instance.get("id") == form_id
    assert instance.find(f"{XF}meta/{XF}instanceID") is not None
    assert instance.find(f"{XF}meta/{XF}instanceName") is not None, "set instance_name"


@pytest.mark.skipif(not odk_validate_available(), reason="Java or ODK Validate is not installed")
@pytest.mark.parametrize(("form_id", "path"), SHIPPED, ids=[f for f, _p in SHIPPED])
def test_shipped_form_passes_odk_validate(form_id, path):
    converted = xforms.form_convert(path, validate=True)
    assert converted.warnings == []


def test_flow_count_fields_are_the_mapper_names():
    root = ET.fromstring(xforms.form_convert(dict(SHIPPED)["flow_count"]).xml)
    instance = root.find(f"{H}head/{XF}model/{XF}instance")[0]
    leaves = {e.tag.removeprefix(XF) for e in instance.iter() if len(e) == 0}
    assert {
        "observation_date",
        "site",
        "direction",
        "men",
        "women",
        "boys",
        "girls",
        "unaccompanied_children",
        "total",
        "nationality",
        "transport",
        "reason",
        "previous_country",
        "previous_pcode",
        "next_country",
        "next_pcode",
        "final_destination",
        "stranded",
        "observation_hours",
    } <= leaves
    assert xforms.media_files(xforms.form_convert(dict(SHIPPED)["flow_count"]).xml) == [
        "places.csv",
        "sites.csv",
    ]


def _form(path: Path, *, form_id="probe_form", version="1", label_en=True):
    label = {"label::French (fr)": "Nombre"} | (
        {"label::English (en)": "Number"} if label_en else {}
    )
    write_xlsform(
        path,
        survey=[{"type": "integer", "name": "n", "required": "yes"} | label],
        choices=[],
        settings={"form_id": form_id, "version": version, "form_title": "Probe"},
    )
    return path


def test_form_id_must_match_the_file_name(tmp_path):
    path = _form(tmp_path / "other_name.xlsx", form_id="probe_form")
    with pytest.raises(xforms.FormError, match="form_id is 'probe_form', expected 'other_name'"):
        xforms.form_convert(path)


def test_broken_form_is_a_form_error(tmp_path):
    path = tmp_path / "probe_form.xlsx"
    write_xlsform(
        path,
        survey=[{"type": "select_one missing_list", "name": "x", "label": "X"}],
        choices=[],
        settings={"form_id": "probe_form", "version": "1"},
    )
    with pytest.raises(xforms.FormError, match="probe_form.xlsx"):
        xforms.form_convert(path)


@pytest.mark.django_db
def test_conversion_is_cached_by_checksum(tmp_path, monkeypatch):
    monkeypatch.setattr(xforms, "FORMS_DIR", tmp_path)
    xforms.cache_clear()
    path = _form(tmp_path / "probe_form.xlsx", version="1")
    first = xforms.form_get("probe_form")
    assert (first.version, Form.objects.count()) == ("1", 1)
    xforms.cache_clear()
    assert xforms.form_get("probe_form").pk == first.pk  # same file: no new conversion
    _form(path, version="2")
    second = xforms.form_get("probe_form")
    assert second.version == "2" and second.md5 != first.md5
    assert Form.objects.count() == 2  # the old version's definition is kept
    assert xforms.form_get("no_such_form") is None
    xforms.cache_clear()


@pytest.mark.skipif(not odk_validate_available(), reason="Java or ODK Validate is not installed")
def test_odk_validate_catches_what_pyxform_lets_through(tmp_path):
    path = tmp_path / "probe_form.xlsx"
    write_xlsform(
        path,
        survey=[{"type": "integer", "name": "n", "label": "N", "constraint": ". > > 1"}],
        choices=[],
        settings={"form_id": "probe_form", "version": "1"},
    )
    assert xforms.form_convert(path).warnings == []
    with pytest.raises(xforms.FormError, match="invalid constraint expression"):
        xforms.form_convert(path, validate=True)
