"""Registering and editing supervisees: bad input gets a clear Chinese message, nothing is lost."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.idnumbers import check_digit, make_id_number, mask_id_number, validate_id_number
from portal.models import AuditEntry, Supervisee

pytestmark = pytest.mark.django_db


def form_data(world, **overrides):
    birth = datetime.date(1990, 3, 15)
    start = timezone.localdate() - datetime.timedelta(days=30)
    data = {
        "name": "周新",
        "gender": "male",
        "birth_date": birth.isoformat(),
        "id_number": make_id_number("370402", birth, 7),
        "phone": "138 0000 1234",
        "judicial_office": world.zhongxin_office.pk,
        "home_township": world.zhongxin.pk,
        "sentence_type": "probation",
        "supervision_level": "strict",
        "offence_category": "fraud",
        "supervision_start": start.isoformat(),
        "planned_end": (start + datetime.timedelta(days=365)).isoformat(),
        "skills": "电工，驾驶、电工",
        "needs": ["employment"],
    }
    data.update(overrides)
    return data


def test_caseworker_registers_a_supervisee(world, client_for):
    response = client_for(world.caseworker).post(reverse("supervisee_create"), form_data(world))
    assert response.status_code == 302
    person = Supervisee.objects.get(name="周新")
    assert person.phone == "+8613800001234"
    assert sorted(s.name for s in person.skills.all()) == ["电工", "驾驶"]
    assert person.level_changes.get().to_level == "strict"
    assert AuditEntry.objects.filter(
        action="create", object_type="portal.supervisee", object_id=str(person.pk)
    ).exists()


def test_caseworker_can_only_choose_own_office(world, client_for):
    data = form_data(world, judicial_office=world.wenshang_office.pk)
    response = client_for(world.caseworker).post(reverse("supervisee_create"), data)
    assert response.status_code == 200
    assert not Supervisee.objects.filter(name="周新").exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"id_number": "37040219900315"}, "id_number", "18"),
        ({"id_number": "wrong-check-digit"}, "id_number", "校验"),
        ({"id_number": "370402199013400070"}, "id_number", "出生日期"),
        (
            {
                "birth_date": (timezone.localdate() + datetime.timedelta(days=3)).isoformat(),
            },
            "birth_date",
            "今天",
        ),
        ({"planned_end": "2000-01-01"}, "planned_end", "晚于"),
        ({"phone": "12345"}, "phone", "手机"),
    ],
)
def test_bad_input_is_explained_in_chinese_and_kept(world, client_for, overrides, field, message):
    if overrides.get("id_number") == "wrong-check-digit":
        valid = make_id_number("370402", datetime.date(1990, 3, 15), 7)
        wrong = next(c for c in "0123456789X" if c != valid[-1])
        overrides = {"id_number": valid[:17] + wrong}
    data = form_data(world, **overrides)
    response = client_for(world.caseworker).post(reverse("supervisee_create"), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert any(message in e for e in errors[field]), errors[field]
    html = response.content.decode()
    assert 'value="周新"' in html  # what was typed is still there
    assert "请更正" in html
    assert not Supervisee.objects.filter(name="周新").exists()


def test_duplicate_id_number_is_refused(world, client_for):
    data = form_data(world, id_number=world.jining_person.id_number)
    response = client_for(world.caseworker).post(reverse("supervisee_create"), data)
    assert response.status_code == 200
    assert "已有" in " ".join(response.context["form"].errors["id_number"])


def test_bad_edit_leaves_the_saved_record_untouched(world, client_for):
    url = reverse("supervisee_edit", args=[world.adult.pk])
    client = client_for(world.caseworker)
    original = Supervisee.objects.get(pk=world.adult.pk)
    data = form_data(
        world,
        name="改名",
        id_number=world.adult.id_number,
        birth_date=world.adult.birth_date.isoformat(),
        planned_end=(world.adult.supervision_start - datetime.timedelta(days=1)).isoformat(),
        supervision_start=world.adult.supervision_start.isoformat(),
        status="active",
    )
    response = client.post(url, data)
    assert response.status_code == 200
    assert 'value="改名"' in response.content.decode()
    assert Supervisee.objects.get(pk=world.adult.pk).name == original.name


def test_level_change_needs_a_reason_and_is_recorded(world, client_for):
    url = reverse("supervisee_level", args=[world.adult.pk])
    client = client_for(world.caseworker)
    response = client.post(url, {"level": "standard", "reason": "x"})
    assert "已是" in " ".join(response.context["form"].errors["level"])
    response = client.post(url, {"level": "lenient", "reason": ""})
    assert response.status_code == 200
    response = client.post(url, {"level": "lenient", "reason": "表现良好，连续六个月无违规"})
    assert response.status_code == 302
    change = world.adult.level_changes.first()
    assert (change.from_level, change.to_level, change.changed_by) == (
        "standard",
        "lenient",
        world.caseworker,
    )
    world.adult.refresh_from_db()
    assert world.adult.supervision_level == "lenient"
    detail = client.get(reverse("supervisee_detail", args=[world.adult.pk])).content.decode()
    assert "表现良好" in detail


def test_id_number_helpers():
    number = make_id_number("370402", datetime.date(2008, 2, 29), 12)
    validate_id_number(number)
    validate_id_number(number.lower())
    assert number[-1] == check_digit(number[:17])
    assert mask_id_number(number) == number[:4] + "*" * 10 + number[-4:]
