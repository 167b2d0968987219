"""Videos in the Wagtail admin: upload with progress, live processing status, retry, chooser."""

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import filesizeformat
from django.templatetags.static import static
from django.urls import path
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, HelpPanel, InlinePanel, ObjectList
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import CreateView, EditView, SnippetViewSet

from . import actions
from .access import can_manage_videos
from .models import Video
from .validators import max_upload_bytes


class VideoFileInput(forms.FileInput):
    """File input whose form uploads in the background with a progress bar.

    A plain FileInput: the stored original is never linked (it is not served), and the
    processing panel names it.
    """

    def __init__(self, attrs=None):
        super().__init__({"accept": "video/*", "data-video-upload": "", **(attrs or {})})

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        limit = max_upload_bytes()
        context["widget"]["attrs"].update(
            {
                "data-max-bytes": limit,
                "data-msg-empty": _("The file is empty."),
                "data-msg-too-large": _("The file is larger than %(limit)s and cannot be uploaded.")
                % {"limit": filesizeformat(limit)},
                "data-msg-uploading": _("Uploading"),
                "data-msg-failed": _(
                    "The upload was interrupted. Check the connection and try again; "
                    "nothing has been saved yet."
                ),
            }
        )
        return context

    class Media:
        js = ["media/admin-upload.js"]


class VideoForm(WagtailAdminModelForm):
    def save(self, commit=True):
        if "original" in self.changed_data:
            self.instance.original_name = self.cleaned_data["original"].name[:255]
        return super().save(commit)


class UploadResponseMixin:
    """After a background upload, answer with where to go next rather than a redirect."""

    def form_valid(self, form):
        response = super().form_valid(form)
        if self.request.headers.get("X-Video-Upload") and response.status_code == 302:
            return JsonResponse({"location": self.get_edit_url()})
        return response

    def save_instance(self):
        instance = super().save_instance()
        if "original" in self.form.changed_data:
            actions.submit_video(instance, self.request.user)
        return instance


class VideoCreateView(UploadResponseMixin, CreateView):
    pass


class VideoEditView(UploadResponseMixin, EditView):
    pass


class StatusColumn(Column):
    cell_template_name = "media/admin/status_cell.html"


def status_view(request):
    """Processing state of the listed videos, polled by the admin while any is in progress."""
    if not can_manage_videos(request.user):
        raise PermissionDenied
    ids = [int(i) for i in request.GET.get("ids", "").split(",") if i.isdigit()][:100]
    return JsonResponse(
        {
            str(video.pk): {
                "status": video.status,
                "label": str(video.get_status_display()),
                "progress": video.progress,
                "failure": str(video.failure_message),
            }
            for video in Video.objects.filter(pk__in=ids)
        }
    )


@require_POST
def retry_view(request, pk):
    if not can_manage_videos(request.user):
        raise PermissionDenied
    video = get_object_or_404(Video, pk=pk)
    if actions.retry_video(video):
        messages.success(
            request, _("“%(title)s” was queued for processing again.") % {"title": video}
        )
    else:
        messages.warning(request, _("Only a video whose processing failed can be retried."))
    return redirect("wagtailsnippets_media_video:edit", quote(video.pk))


class VideoViewSet(SnippetViewSet):
    model = Video
    icon = "media"
    menu_label = _("Videos")
    menu_order = 250
    add_to_admin_menu = True
    add_view_class = VideoCreateView
    edit_view_class = VideoEditView
    list_display = [
        "title",
        StatusColumn("status", label=_("status")),
        "duration",
        DateColumn("created_at", label=_("uploaded")),
    ]
    list_filter = ["status"]
    search_fields = ["title"]
    edit_handler = ObjectList(
        [
            FieldPanel("title"),
            FieldPanel("description"),
            FieldPanel("original", widget=VideoFileInput),
            HelpPanel(template="media/admin/status_panel.html", heading=_("Processing")),
            InlinePanel("captions", heading=_("Captions (WebVTT)"), label=_("caption track")),
        ],
        base_form_class=VideoForm,
    )

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("status/", status_view, name="status"),
            path("retry/<int:pk>/", retry_view, name="retry"),
        ]


register_snippet(VideoViewSet)


@hooks.register("insert_global_admin_js")
def video_status_js():
    return format_html('<script src="{}" defer></script>', static("media/admin-status.js"))
