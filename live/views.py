"""Scheduling, joining and running live classes; the attendance dashboard and its exports;
the calendar feed."""

import re

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from media.delivery import CONTENT_TYPES, deliver
from media.models import video_storage
from portal import audit
from portal.access import has_role
from portal.exports import csv_response, xlsx_response
from portal.models import Role
from portal.privacy import person_view
from portal.views.decorators import role_required

from . import attendance as attendance_rules
from . import broadcast, calendar, payloads
from .access import access_live_class, classes_for, manages
from .forms import LiveClassForm
from .models import Attendance, BroadcastRun, LiveClass

HLS_FILE = re.compile(r"index\.m3u8|seg_\d{5}\.ts", re.ASCII)
# How long a viewer's right to a class's stream is remembered: players fetch a playlist every
# second or two, and the full check reads the roles and the audience.
VIEWER_CACHE_SECONDS = 60


@role_required(Role.SUPERVISEE, Role.OFFICIAL, Role.CASEWORKER)
def class_list(request):
    return render(
        request,
        "live/class_list.html",
        {
            "classes": classes_for(request.user),
            "can_schedule": has_role(request.user, Role.OFFICIAL),
            "feed": request.build_absolute_uri(
                reverse("live:calendar", args=[calendar.feed_token(request.user)])
            ),
        },
    )


@role_required(Role.OFFICIAL)
def schedule(request):
    form = LiveClassForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        live_class = form.save(commit=False)
        live_class.organiser, live_class.created_by = form.organiser, request.user
        live_class.save()
        form.save_m2m()
        audit.record(request, audit.Action.CREATE, live_class)
        messages.success(request, _("The class was scheduled."))
        return redirect("live:class_detail", key=live_class.key)
    return render(
        request, "live/class_form.html", {"form": form}, status=400 if form.errors else 200
    )


@role_required(Role.SUPERVISEE, Role.OFFICIAL, Role.CASEWORKER)
def class_detail(request, key):
    live_class = access_live_class(request.user, key)
    moderator = manages(request.user, live_class)
    return render(
        request,
        "live/class_detail.html",
        {
            "live_class": live_class,
            "moderator": moderator,
            "presenter": moderator and live_class.status != LiveClass.Status.ENDED,
            "playlist": broadcast.current_playlist(live_class),
            "socket_path": f"/ws/live/{live_class.key}/",
            "broadcast_path": f"/ws/live/{live_class.key}/broadcast/",
            "reactions": payloads.REACTIONS,
        },
    )


@require_POST
@role_required(Role.OFFICIAL, Role.CASEWORKER)
def go_on_air(request, key):
    """For a class fed by a studio encoder: mark it on air (a browser broadcast does it itself)."""
    live_class = access_live_class(request.user, key)
    if not manages(request.user, live_class):
        raise Http404
    updated = LiveClass.objects.filter(pk=live_class.pk, status=LiveClass.Status.SCHEDULED).update(
        status=LiveClass.Status.LIVE
    )
    if updated:
        audit.record(request, audit.Action.UPDATE, live_class, detail={"step": "on air"})
        messages.success(request, _("The class is on air."))
    return redirect("live:class_detail", key=key)


@require_GET
@role_required(Role.SUPERVISEE, Role.OFFICIAL, Role.CASEWORKER)
def hls(request, key, run, name: str):
    """The browser broadcast's playlist (from the cache, never stored by anyone) and segments
    (from the video store) for those who may see the class."""
    if not HLS_FILE.fullmatch(name):
        raise Http404
    remembered = f"live:viewer:{request.user.pk}:{key}"
    if not cache.get(remembered):
        access_live_class(request.user, key)
        cache.set(remembered, True, VIEWER_CACHE_SECONDS)
    found = (
        BroadcastRun.objects.select_related("live_class")
        .filter(key=run, live_class__key=key)
        .first()
    )
    if found is None:
        raise Http404
    if name == broadcast.PLAYLIST:
        text = broadcast.live_playlist(found.key)
        if text is None:
            raise Http404
        response = HttpResponse(text, content_type=CONTENT_TYPES["m3u8"])
        response["Cache-Control"] = "no-cache, private"
        return response
    stored = f"{found.folder}/{name}"
    if not video_storage().exists(stored):
        raise Http404
    return deliver(request, stored)


@require_POST
@role_required(Role.OFFICIAL, Role.CASEWORKER)
def end(request, key):
    live_class = access_live_class(request.user, key)
    if not manages(request.user, live_class):
        raise Http404
    attendance_rules.end_class(live_class)
    layer = get_channel_layer()
    transaction.on_commit(
        lambda: async_to_sync(layer.group_send)(live_class.group, {"type": "class.end"})
    )
    audit.record(request, audit.Action.UPDATE, live_class, detail={"step": "end"})
    messages.success(request, _("The class has ended and attendance was credited."))
    return redirect("live:attendance", key=key)


def _rows(request, live_class):
    for attendance in (
        Attendance.objects.filter(live_class=live_class)
        .select_related("supervisee__judicial_office__parent", "supervisee__home_township")
        .order_by("supervisee__name")
    ):
        person = person_view(request.user, attendance.supervisee)
        yield attendance, person


@role_required(Role.OFFICIAL, Role.CASEWORKER)
def attendance(request, key, fmt: str = ""):
    """Who came, for how long, and what they said; kept for good, exportable."""
    live_class = access_live_class(request.user, key)
    if not manages(request.user, live_class) or fmt not in ("", "csv", "xlsx"):
        raise Http404
    if live_class.status != LiveClass.Status.ENDED:
        attendance_rules.recompute(live_class)
    rows = list(_rows(request, live_class))
    if fmt:
        header = [
            _("Name"),
            _("Township"),
            _("Minutes"),
            _("First joined"),
            _("Last left"),
            _("Messages"),
        ]
        table = [
            [
                person.name,
                person.township,
                a.minutes,
                timezone.localtime(a.first_joined).strftime("%Y-%m-%d %H:%M:%S"),
                timezone.localtime(a.last_left).strftime("%Y-%m-%d %H:%M:%S"),
                a.messages,
                a.poll_answers,
                a.attention_answered,
                a.attention_asked,
            ]
            for a, person in rows
        ]
        audit.record(request, audit.Action.EXPORT, live_class, detail={"attendance": fmt})
        stem = f"live-attendance-{live_class.pk}"
        if fmt == "xlsx":
            return xlsx_response(stem, _("Attendance"), header, table)
        return csv_response(stem, header, table)
    return render(request, "live/attendance.html", {"live_class": live_class, "rows": rows})


def calendar_feed(request, token: str):
    """The personal feed a calendar app subscribes to; no session, the token is the key."""
    user = get_user_model().objects.filter(pk=calendar.user_of_token(token), is_active=True).first()
    if user is None:
        raise Http404
    classes = [c for c in classes_for(user) if c.status != LiveClass.Status.ENDED]
    body = calendar.ics(
        classes,
        lambda c: request.build_absolute_uri(reverse("live:class_detail", args=[c.key])),
        request.get_host(),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="live-classes.ics"'
    return response
