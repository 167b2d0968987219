from django.db import migrations

# National default monthly requirements in minutes: (study, community service).
NATIONAL_DEFAULTS = {"strict": (12 * 60, 12 * 60), "standard": (8 * 60, 8 * 60), "lenient": (6 * 60, 6 * 60)}
ACTIONS = ["add", "change", "delete", "view"]


def create(apps, schema_editor):
    """National hour requirements, and monthly themes for Wagtail's Editors and Moderators."""
    HourRequirement = apps.get_model("courses", "HourRequirement")
    for level, (study, service) in NATIONAL_DEFAULTS.items():
        HourRequirement.objects.get_or_create(
            region=None, level=level, defaults={"study_minutes": study, "service_minutes": service}
        )
    ContentType = apps.get_model("contenttypes", "ContentType")
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    theme_type, _ = ContentType.objects.get_or_create(app_label="courses", model="monthlytheme")
    permissions = [
        Permission.objects.get_or_create(
            content_type=theme_type,
            codename=f"{action}_monthlytheme",
            defaults={"name": f"Can {action} monthly theme"},
        )[0]
        for action in ACTIONS
    ]
    for group in Group.objects.filter(name__in=["Editors", "Moderators"]):
        group.permissions.add(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
    ]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
