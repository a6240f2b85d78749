from hbmm.intake.selectors import demo_data_present
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
