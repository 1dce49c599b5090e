import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from certification.models import VettingRecord
from certification.selectors import vetting_eligibility, with_vetting_status
from certification.services_vetting import default_valid_until, vetting_record_add

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
START = TODAY + datetime.timedelta(days=30)
END = START + datetime.timedelta(days=10)


def days(n):
    return TODAY + datetime.timedelta(days=n)


def record(world, **kwargs):
    kwargs.setdefault("trainee", world.trainee_a)
    return vetting_record_add(actor=world.admin, **kwargs)


def eligibility(world):
    return vetting_eligibility(trainee=world.trainee_a, start=START, end=END)


def test_no_vetting_at_all(world):
    result = eligibility(world)
    assert (result.eligible, result.code) == (False, "none")
    assert "not been submitted" in result.reason


def test_pending(world):
    record(world, status="pending", case_reference="GT-1")
    assert (eligibility(world).eligible, eligibility(world).code) == (False, "pending")


def test_approved_and_valid_through_the_class(world):
    record(world, status="pending")
    record(world, status="approved", decided_on=days(-10), case_reference="GT-1")
    result = eligibility(world)
    assert result.eligible and result.code == "approved"
    assert result.record.valid_until == default_valid_until(days(-10))


def test_approval_expiring_before_the_class_ends(world):
    record(world, status="approved", decided_on=days(-300), valid_until=START + datetime.timedelta(days=5))
    result = eligibility(world)
    assert (result.eligible, result.code) == (False, "expires")
    assert (START + datetime.timedelta(days=5)).isoformat() in result.reason


def test_approval_valid_exactly_through_the_last_day(world):
    record(world, status="approved", decided_on=days(-300), valid_until=END)
    assert eligibility(world).eligible


def test_denied(world):
    record(world, status="denied", decided_on=days(-1))
    assert eligibility(world).code == "denied"


def test_suspended_after_approval(world):
    record(world, status="approved", decided_on=days(-100))
    record(world, status="suspended", decided_on=days(-2), notes="Under investigation")
    result = eligibility(world)
    assert (result.eligible, result.code) == (False, "suspended")


def test_unit_denied_blocks_an_approved_officer(world):
    record(world, status="approved", decided_on=days(-10))
    vetting_record_add(actor=world.admin, unit=world.unit_a, status="denied", decided_on=days(-5))
    result = eligibility(world)
    assert (result.eligible, result.code) == (False, "unit_denied")
    assert "Unidad de Fronteras" in result.reason


def test_unit_pending_does_not_block(world):
    record(world, status="approved", decided_on=days(-10))
    vetting_record_add(actor=world.admin, unit=world.unit_a, status="pending")
    assert eligibility(world).eligible


def test_history_is_append_only_and_the_latest_entry_counts(world):
    record(world, status="approved", decided_on=days(-100))
    record(world, status="denied", decided_on=days(-1))
    record(world, status="approved", decided_on=days(0), case_reference="re-vetted")
    assert VettingRecord.objects.filter(trainee=world.trainee_a).count() == 3
    assert eligibility(world).eligible


def test_recording_the_same_entry_twice_appends_once(world):
    first = record(world, status="approved", decided_on=days(-3), case_reference="GT-9")
    again = record(world, status="approved", decided_on=days(-3), case_reference="GT-9")
    assert first.pk == again.pk
    assert VettingRecord.objects.count() == 1


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"status": "approved"}, "decided_on"),
        ({"status": "approved", "decided_on": days(3)}, "decided_on"),
        ({"status": "approved", "decided_on": days(-3), "valid_until": days(-4)}, "valid_until"),
        ({"status": "bogus", "decided_on": days(-3)}, "status"),
    ],
)
def test_invalid_entries_are_refused_and_change_nothing(world, kwargs, field):
    with pytest.raises(ValidationError) as error:
        record(world, **kwargs)
    assert field in error.value.message_dict
    assert VettingRecord.objects.count() == 0


def test_only_program_administrators_record_vetting(world):
    with pytest.raises(PermissionDenied):
        vetting_record_add(actor=world.head_a, trainee=world.trainee_a, status="pending")
    assert VettingRecord.objects.count() == 0


def test_list_annotation_matches_the_history_in_one_query(world, django_assert_num_queries):
    record(world, status="pending")
    record(world, status="approved", decided_on=days(-1))
    with django_assert_num_queries(1):
        rows = {
            t.pk: (t.vetting_status, t.vetting_valid_until)
            for t in with_vetting_status(type(world.trainee_a).objects.all())
        }
    assert rows[world.trainee_a.pk] == ("approved", default_valid_until(days(-1)))
    assert rows[world.trainee_b.pk] == (None, None)


def test_leap_day_approval_ends_on_28_february():
    assert default_valid_until(datetime.date(2028, 2, 29)) == datetime.date(2029, 2, 28)
