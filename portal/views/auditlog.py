"""Read-only audit log for auditors: filters, chain status, CSV export."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _

from portal import audit
from portal.exports import csv_response
from portal.forms import AuditFilterForm
from portal.models import AuditEntry, Role

from .decorators import role_required


def _filtered(request):
    form = AuditFilterForm(request.GET or None)
    return form, form.apply(AuditEntry.objects.order_by("-seq"))


@role_required(Role.AUDITOR)
def audit_list(request):
    form, queryset = _filtered(request)
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    audit.record(request, audit.Action.LIST, object_type="portal.auditentry")
    return render(
        request,
        "portal/audit_list.html",
        {
            "form": form,
            "page": page,
            "chain": audit.verify_chain(),
            "query": request.GET.urlencode(),
            "retention_days": audit.retention_days(),
        },
    )


@role_required(Role.AUDITOR)
def audit_export(request):
    _form, queryset = _filtered(request)
    audit.record(request, audit.Action.EXPORT, object_type="portal.auditentry")
    header = [
        _("Sequence"),
        _("Time"),
        _("Actor"),
        _("Role"),
        _("Action"),
        _("Object type"),
        _("Object id"),
        _("IP address"),
        _("Reason"),
        _("Hash"),
    ]
    rows = (
        [
            e.seq,
            e.at.isoformat(),
            e.actor_username,
            e.role,
            e.get_action_display(),
            e.object_type,
            e.object_id,
            e.ip or "",
            e.reason,
            e.hash,
        ]
        for e in queryset.iterator()
    )
    return csv_response("audit-log", header, rows)
