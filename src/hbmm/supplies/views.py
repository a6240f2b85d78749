from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse


@login_required
def index(request):
    if not request.user.has_perm("supplies.view_movement"):
        raise PermissionDenied
    return HttpResponse("")
