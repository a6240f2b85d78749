"""The type of a text shown to people."""

from django.utils.functional import Promise

# A string, or a lazy translation resolved in the reader's language when it is shown.
Text = str | Promise
