"""The type of a text shown to people."""

from django.utils.functional import Promise
from django.utils.translation import gettext_noop

# A string, or a lazy translation resolved in the reader's language when it is shown.
Text = str | Promise

# Django's forms put `_(":")` after each label, which Django's French catalogue renders with a
# plain no-break space; HBMM's catalogue (LOCALE_PATHS, read first) gives it the narrow one.
FORM_LABEL_SUFFIX = gettext_noop(":")
