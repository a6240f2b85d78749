"""The constraint messages of the XLSForms in the server's own words (no openpyxl here: the
form definitions import it; only writing a workbook needs openpyxl)."""

from django.utils import translation

LANGUAGES = {"fr": "French (fr)", "en": "English (en)"}


class ServerSays:
    """Constraint messages in the server's own words, in one language, translated when the
    workbook is written (str()), so that a form defined at import time can name them: each of
    `messages` is (msgid, parameters or None) as the mapper or a cleaner writes it
    (`("Must be at least %s.", 0)`), translated with the server's catalogues, joined by a space.
    A form then says what the server would say of the same value (tests/intake/
    test_form_constraints.py checks it). Needs Django set up (settings, translations)."""

    def __init__(self, language: str, *messages: tuple[str, object]):
        self.language = language
        self.messages = messages

    def __str__(self) -> str:
        with translation.override(self.language):
            return " ".join(
                translation.gettext(msgid) % params
                if params is not None
                else translation.gettext(msgid)
                for msgid, params in self.messages
            )


def said(*messages: tuple[str, object]) -> tuple[ServerSays, ServerSays]:
    """The French and English `ServerSays` of `messages`."""
    return ServerSays("fr", *messages), ServerSays("en", *messages)


def server_messages(*messages: tuple[str, object], column="constraint_message") -> dict:
    """`column::French (fr)` and `column::English (en)` cells saying `messages` as the server
    does (ServerSays, translated when written); `column="required_message"` for a required
    question's message."""
    return {f"{column}::{LANGUAGES[m.language]}": m for m in said(*messages)}
