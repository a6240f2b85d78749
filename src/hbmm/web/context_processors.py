from hbmm.intake.selectors import demo_data_present
from hbmm.presentation.figures import format_date
from hbmm.web.nav import items_for


def navigation(request):
    user = getattr(request, "user", None)
    return {"nav_items": items_for(user) if user is not None else []}


def demo_flag(request):
    """Every page says so when the instance holds demonstration data."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"demo_data_present": demo_data_present()}


def as_of(request):
    """The request's as-of date (`hbmm.presentation.as_of`), for the header: shown on the pages
    that read it, with a form to choose another."""
    value = getattr(request, "as_of", None)
    if value is None:
        return {}
    keep = [
        (name, v)
        for name, values in request.GET.lists()
        if name not in ("as_of", "page", "format")
        for v in values
    ]
    # Called by the template only when the header shows the date (the default costs queries).
    return {"page_as_of": value, "as_of_keep": keep, "as_of_words": lambda: format_date(value.date)}
