import re

from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.decorators.cache import cache_control
from django.views.i18n import JavaScriptCatalog
from django.views.static import serve
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from .api import api
from .views import auditlog, notifications, supervisees, volunteers, workspace

# The Django admin signs in through allauth too (with its MFA and rate limits).
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("workspace/", workspace.workspace, name="workspace"),
    path("supervisees/", supervisees.supervisee_list, name="supervisee_list"),
    path("supervisees/new/", supervisees.supervisee_create, name="supervisee_create"),
    path(
        "supervisees/export.<str:fmt>",
        supervisees.supervisee_export,
        name="supervisee_export",
    ),
    path("supervisees/<int:pk>/", supervisees.supervisee_detail, name="supervisee_detail"),
    path("supervisees/<int:pk>/edit/", supervisees.supervisee_edit, name="supervisee_edit"),
    path("supervisees/<int:pk>/level/", supervisees.supervisee_level, name="supervisee_level"),
    path(
        "supervisees/<int:pk>/violations/new/",
        supervisees.violation_create,
        name="violation_create",
    ),
    path(
        "supervisees/<int:pk>/account/",
        supervisees.supervisee_account,
        name="supervisee_account",
    ),
    path("supervisees/<int:pk>/photo/", supervisees.supervisee_photo, name="supervisee_photo"),
    path(
        "volunteer-applications/",
        volunteers.application_list,
        name="volunteer_applications",
    ),
    path(
        "volunteer-applications/<int:pk>/decide/",
        volunteers.application_decide,
        name="volunteer_application_decide",
    ),
    path("notifications/", notifications.notification_list, name="notifications"),
    path("notifications/read/", notifications.notifications_read, name="notifications_read"),
    path("audit/", auditlog.audit_list, name="audit_list"),
    path("audit/export.csv", auditlog.audit_export, name="audit_export"),
    path("video/", include("media.urls")),
    path("study/", include("courses.urls")),
    path("search/", include("search.urls")),
    path("directory/", include("resources.urls")),
    path("mentoring/", include("volunteers.urls")),
    path("live/", include("live.urls")),
    path("insights/", include("insights.urls")),
    path("api/v1/", api.urls),
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
]

if settings.PORTAL_SERVE_MEDIA:
    urlpatterns.append(
        re_path(
            rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<path>.*)$",
            cache_control(public=True, max_age=24 * 3600)(serve),
            {"document_root": settings.MEDIA_ROOT},
        )
    )

urlpatterns.append(path("", include(wagtail_urls)))

# A lost database or Redis connection answers 503, not 500, and error pages never keep a broken
# database connection (portal/faults.py).
handler400 = "portal.faults.bad_request"
handler403 = "portal.faults.permission_denied"
handler404 = "portal.faults.page_not_found"
handler500 = "portal.faults.server_error"
