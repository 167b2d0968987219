from django.db import migrations


def create_initial_data(apps, schema_editor):
    AuditChain = apps.get_model("portal", "AuditChain")
    AuditChain.objects.get_or_create(pk=1)

    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    Site = apps.get_model("wagtailcore", "Site")
    HomePage = apps.get_model("portal", "HomePage")
    Locale = apps.get_model("wagtailcore", "Locale")

    # Replace Wagtail's placeholder welcome page with the platform's home page.
    Page.objects.filter(depth=2, slug="home", content_type__model="page").delete()
    if HomePage.objects.exists():
        return
    content_type, _ = ContentType.objects.get_or_create(model="homepage", app_label="portal")
    locale = Locale.objects.first()
    home = HomePage.objects.create(
        title="矫正帮教平台",
        draft_title="矫正帮教平台",
        slug="home",
        content_type=content_type,
        path="00010001",
        depth=2,
        numchild=0,
        url_path="/home/",
        locale=locale,
        intro=(
            "<p>社区矫正是与监禁矫正相对的非监禁刑罚执行方式。本平台为社区矫正对象提供入矫教育、"
            "每月主题学习、就业与技能帮扶，并连接社会工作者、五老志愿者和帮扶基地。</p>"
        ),
    )
    Page.objects.filter(depth=1).update(numchild=1)
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "port": 80, "root_page": home, "site_name": "矫正帮教平台"},
    )


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0002_homepage"),
        ("wagtailcore", "0002_initial_data"),
    ]

    operations = [migrations.RunPython(create_initial_data, migrations.RunPython.noop)]
