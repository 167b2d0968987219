from django.db import migrations

DEFAULT_RULES = [
    # name, kind, from_level, to_level, months, days
    ("普管满六个月且每月达标、无违规：可考虑调整为宽管", "lighter_level", "standard", "lenient", 6, 0),
    ("严管满三个月且每月达标、无违规：可考虑调整为普管", "lighter_level", "strict", "standard", 3, 0),
    ("三十天内解除矫正：做好解矫准备", "near_release", "", "", 0, 30),
    ("连续两个月学时或公益活动不达标", "shortfall", "", "", 2, 0),
    ("转介逾期未获基地答复", "overdue_referral", "", "", 0, 0),
]


def add_rules(apps, schema_editor):
    OpportunityRule = apps.get_model("insights", "OpportunityRule")
    for name, kind, from_level, to_level, months, days in DEFAULT_RULES:
        OpportunityRule.objects.get_or_create(
            name=name,
            defaults={
                "kind": kind,
                "from_level": from_level,
                "to_level": to_level,
                "months": months,
                "days": days,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("insights", "0001_initial")]

    operations = [migrations.RunPython(add_rules, migrations.RunPython.noop)]
