from django.db import migrations

ACTIONS = ["add", "change", "delete", "view"]


def grant(apps, schema_editor):
    """Wagtail's Editors and Moderators groups manage videos."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    video_type, _ = ContentType.objects.get_or_create(app_label="media", model="video")
    permissions = [
        Permission.objects.get_or_create(
            content_type=video_type,
            codename=f"{action}_video",
            defaults={"name": f"Can {action} video"},
        )[0]
        for action in ACTIONS
    ]
    for group in Group.objects.filter(name__in=["Editors", "Moderators"]):
        group.permissions.add(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("media", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
