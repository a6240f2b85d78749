from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def home(request):
    """The landing page; the reports app replaces its content with the situation overview."""
    return render(request, "web/home.html")
