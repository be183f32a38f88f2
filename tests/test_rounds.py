"""Match rounds: the table of moves written out, deadlines, eligibility, reserved seats, an
idempotent run, publication into accepted placements, and explanations that equal what stability
implies."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from matching import engine, policies
from matching import selectors_rounds as selectors
from matching import services_rounds as services
from matching.models import Application, MatchRound, RoundMatch, RoundStatus, Status
from matching.rounds import ROUND_MOVES
from matching.services import application_submit
from notifications.models import Notification
from rotations.models import Slot

from .factories import AdminFactory, CoordinatorFactory, ProfileFactory, SlotFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_table_of_round_moves_written_out():
    table = {action: (sorted(move.sources), move.target, sorted(move.actors)) for action, move in ROUND_MOVES.items()}
    assert table == {
        "open": (["draft"], "ranking_open", ["admin", "system"]),
        "close": (["ranking_open"], "ranking_closed", ["admin", "system"]),
        "run": (["matched", "ranking_closed"], "matched", ["admin", "system"]),
        "publish": (["matched"], "published", ["admin"]),
    }


def ready_applicant():
    """An applicant whose profile and documents satisfy the factories' listings."""
    return ProfileFactory().user


def make_round(*, slots=2, capacity=1, status=RoundStatus.RANKING_OPEN, institution=None):
    admin = AdminFactory()
    now = timezone.now()
    coordinator = CoordinatorFactory(**({"institution": institution} if institution else {}))
    made = [SlotFactory(listing__institution=coordinator.institution, capacity=capacity,
                        start_date=timezone.localdate() + timedelta(days=60 + 30 * n),
                        end_date=timezone.localdate() + timedelta(days=87 + 30 * n),
                        application_deadline=timezone.localdate() + timedelta(days=30)) for n in range(slots)]
    match_round = services.round_create(by=admin, name="Summer electives", slots=made,
                                        ranking_opens_at=now - timedelta(days=1),
                                        ranking_deadline=now + timedelta(days=5), match_at=now + timedelta(days=6))
    MatchRound.objects.filter(pk=match_round.pk).update(status=status)
    match_round.refresh_from_db()
    return match_round, made, coordinator.user, admin


def rank(match_round, applicant, slots, certify=True):
    return services.rank_list_save(match_round=match_round, applicant=applicant, slot_ids=[s.pk for s in slots],
                                   certify=certify)


def host_rank(match_round, slot, coordinator, applicants, certify=True):
    return services.slot_ranking_save(match_round=match_round, slot=slot, by=coordinator,
                                      applicant_ids=[a.pk for a in applicants], certify=certify)


def close_and_run(match_round):
    MatchRound.objects.filter(pk=match_round.pk).update(status=RoundStatus.RANKING_CLOSED)
    return services.round_run(round_id=match_round.pk, by=AdminFactory())


def test_a_round_takes_only_published_public_slots_and_orders_its_dates():
    admin = AdminFactory()
    now = timezone.now()
    draft_slot = SlotFactory(listing__status="draft", start_date=timezone.localdate() + timedelta(days=60))
    with pytest.raises(ValidationError) as error:
        services.round_create(by=admin, name="X", slots=[draft_slot], ranking_opens_at=now,
                              ranking_deadline=now - timedelta(days=1), match_at=now)
    assert {"slots", "ranking_deadline"} <= set(error.value.error_dict)
    with pytest.raises(PermissionDenied):
        services.round_create(by=UserFactory(), name="X", slots=[], ranking_opens_at=now,
                              ranking_deadline=now, match_at=now)


def test_a_slot_is_in_one_running_round_at_a_time():
    match_round, slots, _, admin = make_round()
    now = timezone.now()
    with pytest.raises(ValidationError, match="another round"):
        services.round_create(by=admin, name="Again", slots=slots[:1], ranking_opens_at=now,
                              ranking_deadline=now + timedelta(days=1), match_at=now + timedelta(days=2))


def test_reserved_seats_take_no_ordinary_applications_while_the_round_runs():
    match_round, slots, _, _ = make_round()
    applicant = ready_applicant()
    with pytest.raises(ValidationError, match="reserved for the match round"):
        application_submit(applicant=applicant, slot=slots[0], statement="Please.")
    MatchRound.objects.filter(pk=match_round.pk).update(status=RoundStatus.PUBLISHED)
    assert application_submit(applicant=applicant, slot=slots[0], statement="Please.").status == Status.SUBMITTED


def test_a_rank_list_after_the_deadline_is_refused():
    match_round, slots, coordinator, _ = make_round()
    applicant = ready_applicant()
    rank(match_round, applicant, slots)
    MatchRound.objects.filter(pk=match_round.pk).update(ranking_deadline=timezone.now() - timedelta(minutes=1),
                                                        ranking_opens_at=timezone.now() - timedelta(days=2))
    match_round.refresh_from_db()
    with pytest.raises(ValidationError, match="deadline passed"):
        rank(match_round, applicant, slots[:1])
    with pytest.raises(ValidationError, match="deadline passed"):
        host_rank(match_round, slots[0], coordinator, [applicant])


def test_ranking_refuses_what_the_rules_refuse():
    match_round, slots, coordinator, _ = make_round(slots=1)
    ineligible = UserFactory()  # no profile: the readiness rules refuse them
    with pytest.raises(ValidationError, match="not eligible"):
        rank(match_round, ineligible, slots)
    applicant, stranger = ready_applicant(), ready_applicant()
    with pytest.raises(ValidationError, match="this round's slots"):
        rank(match_round, applicant, [SlotFactory()])
    with pytest.raises(ValidationError, match="at most"):
        services.rank_list_save(match_round=match_round, applicant=applicant, slot_ids=list(range(1, 22)))
    rank(match_round, applicant, slots)
    with pytest.raises(ValidationError, match="who ranked this slot"):
        host_rank(match_round, slots[0], coordinator, [stranger])
    with pytest.raises(PermissionDenied):
        host_rank(match_round, slots[0], CoordinatorFactory().user, [applicant])


def test_a_change_uncertifies_and_certifying_again_counts():
    match_round, slots, _, _ = make_round()
    applicant = ready_applicant()
    assert rank(match_round, applicant, slots).certified_at is not None
    assert rank(match_round, applicant, slots[::-1], certify=False).certified_at is None


def test_only_certified_lists_enter_the_match_and_the_run_is_idempotent():
    match_round, slots, coordinator, _ = make_round(slots=2, capacity=1)
    a, b, c = ready_applicant(), ready_applicant(), ready_applicant()
    rank(match_round, a, slots)
    rank(match_round, b, slots)
    rank(match_round, c, slots, certify=False)  # never certified: not in the match
    host_rank(match_round, slots[0], coordinator, [b, a, c])
    host_rank(match_round, slots[1], coordinator, [a, b])
    assert close_and_run(match_round) is True
    result = dict(RoundMatch.objects.filter(round=match_round).values_list("applicant_id", "slot_id"))
    assert result == {a.pk: slots[1].pk, b.pk: slots[0].pk}
    assert close_and_run(match_round) is False  # the same result, nothing written
    assert dict(RoundMatch.objects.filter(round=match_round).values_list("applicant_id", "slot_id")) == result
    match_round.refresh_from_db()
    assert (match_round.status, match_round.run_progress) == (RoundStatus.MATCHED, 100)


def test_the_stored_result_is_the_engines_on_the_stored_instance():
    match_round, slots, coordinator, _ = make_round(slots=3, capacity=2)
    applicants = [ready_applicant() for _ in range(7)]
    for n, applicant in enumerate(applicants):
        rank(match_round, applicant, slots[n % 3:] + slots[:n % 3])
    for k, slot in enumerate(slots):
        host_rank(match_round, slot, coordinator, applicants[k:] + applicants[:k])
    close_and_run(match_round)
    match_round.refresh_from_db()
    result = services.round_result(match_round)
    assert engine.check(match_round.run_instance, result) is None


def test_publication_makes_binding_accepted_placements_and_tells_everyone():
    match_round, slots, coordinator, admin = make_round(slots=2, capacity=1)
    a, b, c = ready_applicant(), ready_applicant(), ready_applicant()
    for applicant in (a, b, c):
        rank(match_round, applicant, slots)
    host_rank(match_round, slots[0], coordinator, [a, b, c])
    host_rank(match_round, slots[1], coordinator, [b, c])
    close_and_run(match_round)
    services.round_move(match_round=match_round, action="publish", by=admin)
    placements = dict(Application.objects.filter(match_round=match_round).values_list("applicant_id", "status"))
    assert placements == {a.pk: Status.ACCEPTED, b.pk: Status.ACCEPTED}
    assert [Slot.objects.get(pk=s.pk).seats_taken for s in slots] == [1, 1]
    assert Notification.objects.filter(user=c, kind="round_result").exists()  # the unmatched are told too
    assert Notification.objects.filter(user=coordinator, kind="round_result_host").exists()
    with pytest.raises(ValidationError):
        services.round_move(match_round=match_round, action="publish", by=admin)  # once


def test_only_admins_move_rounds_and_ranking_closes_no_earlier_than_promised():
    match_round, _, coordinator, admin = make_round()
    with pytest.raises(PermissionDenied):
        services.round_move(match_round=match_round, action="close", by=coordinator)
    with pytest.raises(ValidationError, match="until the deadline"):
        services.round_move(match_round=match_round, action="close", by=admin)
    assert policies.round_move_refusal(match_round, "close", None, match_round.ranking_deadline) is None


def test_explanations_equal_what_stability_implies():
    match_round, slots, coordinator, _ = make_round(slots=3, capacity=1)
    star, second, third = ready_applicant(), ready_applicant(), ready_applicant()
    for applicant in (star, second, third):
        rank(match_round, applicant, slots)  # everyone wants slot 0, then 1, then 2
    host_rank(match_round, slots[0], coordinator, [star, second])
    host_rank(match_round, slots[1], coordinator, [star, second])  # never ranks third
    host_rank(match_round, slots[2], coordinator, [third, second])
    close_and_run(match_round)
    match, reasons = selectors.applicant_explanations(match_round, third)
    assert match.slot_id == slots[2].pk
    assert [(slot.pk, reason) for slot, reason in reasons] == [
        (slots[0].pk, selectors.DID_NOT_RANK_YOU), (slots[1].pk, selectors.DID_NOT_RANK_YOU)]
    match, reasons = selectors.applicant_explanations(match_round, second)
    assert match.slot_id == slots[1].pk
    assert [(slot.pk, reason) for slot, reason in reasons] == [(slots[0].pk, selectors.FILLED_BY_HIGHER)]
    # Each "filled by higher" is true of the result: the slot is full of applicants it ranked higher.
    assert RoundMatch.objects.get(round=match_round, slot=slots[0]).applicant == star
    host = dict(selectors.host_explanations(match_round, slots[0]))
    assert host == {second: selectors.SEATS_TO_HIGHER, third: selectors.NOT_RANKED_BY_YOU}
    host = dict(selectors.host_explanations(match_round, slots[2]))
    assert host == {star: selectors.MATCHED_PREFERRED, second: selectors.MATCHED_PREFERRED}


def test_the_applicant_result_page_names_nobody_else(client):
    match_round, slots, coordinator, admin = make_round(slots=1, capacity=1)
    winner, loser = ready_applicant(), ready_applicant()
    for applicant in (winner, loser):
        rank(match_round, applicant, slots)
    host_rank(match_round, slots[0], coordinator, [winner, loser])
    close_and_run(match_round)
    services.round_move(match_round=match_round, action="publish", by=admin)
    client.force_login(loser)
    page = client.get(reverse("matching:round_result", args=[match_round.pk])).text
    assert selectors.FILLED_BY_HIGHER in page
    assert winner.get_full_name() not in page and winner.email not in page


def test_the_keyboard_buttons_reorder_the_list(client):
    match_round, slots, _, _ = make_round(slots=3)
    applicant = ready_applicant()
    client.force_login(applicant)
    url = reverse("matching:round_rank", args=[match_round.pk])
    for slot in slots:
        client.post(url, {"slot": [s.pk for s in selectors.rank_list_of(match_round, applicant)[1]], "add": slot.pk})
    order = [s.pk for s in selectors.rank_list_of(match_round, applicant)[1]]
    assert order == [s.pk for s in slots]
    client.post(url, {"slot": order, "move": f"up-{slots[2].pk}"})
    client.post(url, {"slot": [s.pk for s in selectors.rank_list_of(match_round, applicant)[1]], "certify": "1"})
    rank_list, ranked = selectors.rank_list_of(match_round, applicant)
    assert [s.pk for s in ranked] == [slots[0].pk, slots[2].pk, slots[1].pk] and rank_list.certified_at


def test_the_beat_opens_closes_and_runs_on_time():
    match_round, slots, coordinator, _ = make_round(status=RoundStatus.DRAFT)
    applicant = ready_applicant()
    assert services.rounds_advance() == 1  # ranking_opens_at has passed
    match_round.refresh_from_db()
    assert match_round.status == RoundStatus.RANKING_OPEN
    rank(match_round, applicant, slots)
    host_rank(match_round, slots[0], coordinator, [applicant])
    later = match_round.match_at + timedelta(minutes=1)
    services.rounds_advance(now=later)  # closes; the run is due too
    services.rounds_advance(now=later)
    match_round.refresh_from_db()
    assert match_round.status == RoundStatus.MATCHED
    assert RoundMatch.objects.get(round=match_round, applicant=applicant).slot_id == slots[0].pk


def test_whoever_has_not_certified_is_reminded_3_days_and_1_day_before_the_deadline():
    from matching.reminders import rank_lists_to_certify

    match_round, slots, coordinator, _ = make_round(slots=2)
    certified, draft = ready_applicant(), ready_applicant()
    rank(match_round, certified, slots)
    rank(match_round, draft, slots, certify=False)
    host_rank(match_round, slots[0], coordinator, [certified], certify=True)  # slot 1's ranking is missing
    MatchRound.objects.filter(pk=match_round.pk).update(ranking_deadline=timezone.now() + timedelta(days=2, hours=12))
    assert rank_lists_to_certify() == 2  # the draft applicant and the coordinator of slot 1
    assert rank_lists_to_certify() == 0  # once per stage
    MatchRound.objects.filter(pk=match_round.pk).update(ranking_deadline=timezone.now() + timedelta(hours=20))
    assert rank_lists_to_certify() == 2
    reminded = set(Notification.objects.filter(kind="round_certify_reminder").values_list("user_id", flat=True))
    assert reminded == {draft.pk, coordinator.pk}


def test_no_publication_while_the_match_runs_again():
    match_round, slots, coordinator, admin = make_round(slots=1)
    applicant = ready_applicant()
    rank(match_round, applicant, slots)
    host_rank(match_round, slots[0], coordinator, [applicant])
    close_and_run(match_round)
    MatchRound.objects.filter(pk=match_round.pk).update(run_step="Queued", run_progress=0)
    match_round.refresh_from_db()
    with pytest.raises(ValidationError, match="running again"):
        services.round_move(match_round=match_round, action="publish", by=admin)
