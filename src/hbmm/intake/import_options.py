"""The options of a file import, as a mapper declares them (`Mapper.import_options`): one Django
form per kind, used by the upload page to show and check them, and by `hbmm import --option`
and `import_file_store` to check them the same way."""

import re
from functools import cache

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from hbmm.intake.mappers import ImportOption, Mapper


class CodesField(forms.CharField):
    """Codes written "MLI, SEN GIN" (or given as a list): a list of upper-case codes."""

    def __init__(self, *, pattern: str = "", **kwargs):
        self.pattern = pattern
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, list | tuple):
            value = " ".join(str(v) for v in value)
        text = super().to_python(value)
        codes = [c.upper() for c in re.split(r"[\s,;]+", text) if c]
        bad = [c for c in codes if self.pattern and not re.fullmatch(self.pattern, c)]
        if bad:
            raise ValidationError(
                _("Not a valid code: %(codes)s.") % {"codes": ", ".join(bad)}, code="invalid"
            )
        return list(dict.fromkeys(codes))

    def prepare_value(self, value):
        return ", ".join(value) if isinstance(value, list | tuple) else value


def _field(option: ImportOption) -> forms.Field:
    if option.kind == "bool":
        return forms.BooleanField(label=option.label, help_text=option.help_text, required=False)
    if option.kind == "codes":
        return CodesField(
            label=option.label, help_text=option.help_text, required=False, pattern=option.pattern
        )
    raise ValueError(f"unknown import option kind '{option.kind}' ({option.name})")


@cache
def options_form_class(mapper: Mapper) -> type[forms.Form]:
    fields = {option.name: _field(option) for option in mapper.import_options}
    return type(f"{type(mapper).__name__}Options", (forms.Form,), fields)


def import_options_clean(*, mapper: Mapper, values: dict) -> dict:
    """The options in `values` checked and typed as `mapper` declares them; ValidationError
    naming the option otherwise (an option the mapper does not declare is refused)."""
    declared = {option.name for option in mapper.import_options}
    unknown = sorted(set(values) - declared)
    if unknown:
        raise ValidationError(
            _("Unknown import option(s) for %(kind)s: %(names)s (known: %(known)s).")
            % {
                "kind": mapper.form_id,
                "names": ", ".join(unknown),
                "known": ", ".join(sorted(declared)) or _("none"),
            }
        )
    form = options_form_class(mapper)(data=_as_form_data(mapper, values))
    if not form.is_valid():
        raise ValidationError(
            {
                name: [f"{form.fields[name].label}: {m}" for m in messages]
                for name, messages in form.errors.items()
            }
        )
    return {name: value for name, value in form.cleaned_data.items() if name in values}


def _as_form_data(mapper: Mapper, values: dict) -> dict:
    data = {}
    for option in mapper.import_options:
        if option.name not in values:
            continue
        value = values[option.name]
        if option.kind == "bool" and isinstance(value, str):
            # A checkbox reads "false", "0" and "" as False; the CLI also says "no"/"non".
            value = value.strip().lower() not in ("", "0", "false", "no", "non", "off")
        data[option.name] = value
    return data
