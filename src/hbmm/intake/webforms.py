"""Django forms of the intake pages (the XLSForms live in forms/)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from hbmm.intake.columns import column_for
from hbmm.intake.import_options import options_form_class
from hbmm.intake.mappers import registered_mappers
from hbmm.intake.parsing import alias_map
from hbmm.text import normalise_name
from hbmm.web.forms import TabularFileField


class ImportUploadForm(forms.Form):
    """The file, its kind, and the options of that kind: each kind that declares options
    (`Mapper.import_options`) has its own small form (prefixed by the kind); only the chosen
    kind's is checked, and its values are `cleaned_data["options"]`."""

    kind = forms.ChoiceField(label=_("Kind of data"))
    file = TabularFileField(label=_("File (CSV or XLSX)"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        mappers = [
            (form_id, mapper)
            for form_id, mapper in sorted(registered_mappers().items())
            if user.has_perm(mapper.permission)
        ]
        self.mappers = mappers  # the kinds this user may import, and their mappers
        self.fields["kind"].choices = [(k, m.title or k) for k, m in mappers]
        self.option_forms = [
            (
                form_id,
                mapper.title or form_id,
                options_form_class(mapper)(self.data or None, prefix=form_id),
            )
            for form_id, mapper in mappers
            if mapper.import_options
        ]

    def clean(self):
        cleaned = super().clean()
        cleaned["options"] = {}
        chosen = next((f for k, _t, f in self.option_forms if k == cleaned.get("kind")), None)
        if chosen is not None:
            if not chosen.is_valid():
                raise forms.ValidationError(_("Check the options of this kind of file."))
            cleaned["options"] = dict(chosen.cleaned_data)
        return cleaned


class CorrectionForm(forms.Form):
    """One text field per field shown (`fields`: the parsed fields with their corrections, the
    identifier fields only for a reader allowed to see them) and per field named in a reason
    (but those in `exclude`: identifier fields not shown). One input per field the mapper
    reads: a reason naming "total" is the file's "Total" column, corrected under that name
    (a second, empty "total" input would be ignored by the mapper, which reads the first name
    given for a field). Each input is labelled with the column's label when the form has one."""

    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, submission, fields: dict, exclude=frozenset(), mapper=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.values = fields
        names = [name for name in fields if name not in exclude]
        aliases = alias_map(mapper.aliases) if mapper is not None else {}
        read_as = {aliases.get(normalise_name(name), name): name for name in reversed(names)}
        for error in submission.errors:
            name = error.get("field")
            if not name or name.startswith("__") or name == "form_id":
                continue
            name = read_as.get(aliases.get(normalise_name(name), name), name)
            if name not in names and name not in exclude:
                names.append(name)
        if mapper is not None:  # in the form's order (a JSON column keeps no key order)
            order = {canonical: i for i, canonical in enumerate(mapper.aliases)}
            names.sort(key=lambda n: order.get(aliases.get(normalise_name(n), n), len(order)))
        self.field_names = []
        for name in names:
            value = fields.get(name, "")
            if isinstance(value, list | dict):
                continue  # repeated values are corrected at the source, not here
            column = column_for(mapper, name)
            label = name
            if column is not None and column.label and column.label != name:
                label = f"{column.label} ({name})"  # the name: as the file or the form wrote it
            self.fields[f"field__{name}"] = forms.CharField(
                label=label, required=False, initial="" if value is None else str(value)
            )
            self.field_names.append(name)
        self.order_fields([f"field__{n}" for n in self.field_names] + ["note"])

    def changes(self) -> dict:
        result = {}
        for name in self.field_names:
            new = self.cleaned_data.get(f"field__{name}", "")
            old = self.values.get(name, "")
            if str("" if old is None else old) != new:
                result[name] = new
        return result
