"""Ranked, explained mentor candidates: nearby first, then needs, skills and spare room; only
approved mentors of the person's city with room; a minor sees screened mentors only."""

import pytest

from portal.models import Skill
from tests.conftest import make_user
from tests.volunteers.conftest import active
from volunteers.matching import candidates
from volunteers.models import MentorProfile, Pairing

pytestmark = pytest.mark.django_db


@pytest.fixture
def pool(world, mentors):
    """The screened mentor serves the person's township and helps with jobs; the unscreened
    one is only in a group of the same city; a Jining mentor is too far away."""
    electrician = Skill.objects.create(name="电工")
    world.adult.needs = ["employment", "family"]
    world.adult.save()
    world.adult.skills.add(electrician)
    mentors.screened.regions.add(world.zhongxin)
    mentors.screened.helps_with = ["employment"]
    mentors.screened.availability = "周末上午"
    mentors.screened.save()
    mentors.screened.skills.add(electrician)
    far = make_user("jn_mentor", "mentor", world.jn_volunteers, full_name="孔老师")
    MentorProfile.objects.create(user=far, elder_kind="retired_teacher", capacity=3)
    return mentors


def names(found) -> list[str]:
    return [c.user.username for c in found]


def test_candidates_are_ranked_and_explained(world, pool):
    found = candidates(world.adult)
    assert names(found) == ["mentor", "new_mentor"]  # Jining's mentor is not offered
    best, second = found
    assert best.score == 40 + 12 + 15 + 20 and second.score == 10 + 20
    assert best.reasons == [
        "服务区域包括中心街街道",
        "可帮助：就业",  # one of the person's two needs: half the points
        "技能相同：电工",
        "可带 2 人，尚余 2 个名额",
        "可服务时间：周末上午",
    ]
    assert second.reasons == ["同一地市", "可带 1 人，尚余 1 个名额"]


def test_full_paired_and_unapproved_mentors_are_left_out(world, pool):
    active(world, world.kuangqu_person, mentor=pool.unscreened_user)  # capacity 1: now full
    assert names(candidates(world.adult)) == ["mentor"]
    active(world, world.adult)  # already this person's mentor
    assert names(candidates(world.adult)) == []
    Pairing.objects.all().delete()
    world.mentor.memberships.update(status="pending")
    assert names(candidates(world.adult)) == ["new_mentor"]


def test_a_minor_is_offered_screened_mentors_only(world, pool, client_for):
    found = candidates(world.minor)
    assert names(found) == ["mentor"]
    assert "已通过审查；结对需经社区矫正机构批准" in found[0].reasons
    page = client_for(world.caseworker).get(f"/mentoring/people/{world.minor.pk}/").content.decode()
    assert f'data-mentor="{world.mentor.pk}"' in page
    assert f'data-mentor="{pool.unscreened_user.pk}"' not in page
    # Staff who do not manage the person see the pairings but no candidates.
    page = client_for(world.official).get(f"/mentoring/people/{world.minor.pk}/").content.decode()
    assert "data-mentor" not in page


def test_proposing_from_the_ranked_list(world, pool, client_for):
    page = client_for(world.caseworker).post(
        f"/mentoring/people/{world.adult.pk}/propose/",
        {"mentor": world.mentor.pk, "goals": "找到电工工作"},
        follow=True,
    )
    assert page.status_code == 200
    pairing = Pairing.objects.get()
    assert (pairing.mentor, pairing.goals, pairing.status) == (
        world.mentor,
        "找到电工工作",
        "proposed",
    )


def test_a_mentor_of_another_city_is_not_offered_even_serving_the_township(world, pool, client_for):
    far = MentorProfile.objects.get(user__username="jn_mentor")
    far.regions.add(world.zhongxin)  # as if ticked before the form limited the areas
    assert "jn_mentor" not in names(candidates(world.adult))
    # The form offers only areas inside the volunteer's own group's region.
    from volunteers.forms import ProfileForm

    offered = ProfileForm(user=far.user).fields["regions"].queryset
    assert (
        world.wenshang in offered
        and world.zhongxin not in offered
        and world.shizhong not in offered
    )
