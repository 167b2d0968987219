"""The content review set-up: the workflow 地区审核 with its one step (an official of the page's
region approves), and the 审核人 group that lets officials into the admin to do so. The
workflow is assigned to sections of the site in the admin (Settings → Workflows)."""

from django.db import migrations

WORKFLOW = "地区审核"
TASK = "本地区社区矫正机构审核"
GROUP = "Reviewers"


def create(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    RegionalApprovalTask = apps.get_model("portal", "RegionalApprovalTask")

    reviewers, _ = Group.objects.get_or_create(name=GROUP)
    admin_type, _ = ContentType.objects.get_or_create(app_label="wagtailadmin", model="admin")
    access, _ = Permission.objects.get_or_create(
        content_type=admin_type,
        codename="access_admin",
        defaults={"name": "Can access Wagtail admin"},
    )
    reviewers.permissions.add(access)

    task_type, _ = ContentType.objects.get_or_create(
        app_label="portal", model="regionalapprovaltask"
    )
    task = RegionalApprovalTask.objects.filter(name=TASK).first()
    if task is None:
        task = RegionalApprovalTask.objects.create(name=TASK, content_type=task_type, active=True)
    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW, defaults={"active": True})
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})


def remove(apps, schema_editor):
    apps.get_model("wagtailcore", "Workflow").objects.filter(name=WORKFLOW).delete()
    apps.get_model("portal", "RegionalApprovalTask").objects.filter(name=TASK).delete()
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0005_public_content"),
        ("wagtailcore", "0001_initial"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
    ]

    operations = [migrations.RunPython(create, remove)]
