"""`readiness()`: each eligibility rule and each state of a required document, as exact lists.

Pure rules over unsaved objects: no database needed.
"""

from datetime import date

import pytest

from applicants.readiness import DocumentCheck, readiness

from .factories import DocumentFactory, ListingFactory, ProfileFactory, SlotFactory

TODAY = date(2027, 1, 10)
START, END = date(2027, 3, 1), date(2027, 3, 28)


def _listing(**kwargs):
    kwargs.setdefault("required_documents", [])
    return ListingFactory.build(**kwargs)


def _check(*, profile_kwargs=None, listing_kwargs=None, documents=(), with_slot=True, no_profile=False):
    listing = _listing(**(listing_kwargs or {}))
    profile = None if no_profile else ProfileFactory.build(**(profile_kwargs or {}))
    slot = SlotFactory.build(listing=listing, start_date=START, end_date=END) if with_slot else None
    return readiness(profile=profile, documents=documents, listing=listing, slot=slot, today=TODAY)


def _document(kind="cv", **kwargs):
    return DocumentFactory.build(kind=kind, **kwargs)


# Eligibility.

def test_an_eligible_applicant_with_nothing_required_may_apply():
    check = _check()
    assert (check.eligibility, check.documents, check.can_apply, check.all_verified) == ([], [], True, True)


def test_without_a_profile_the_applicant_is_asked_to_complete_it():
    check = _check(no_profile=True)
    assert check.eligibility == ["Complete your profile: hosts need your school, exams and visa status."]
    assert check.can_apply is False


@pytest.mark.parametrize("listing_kwargs, profile_kwargs, problems", [
    ({"audience": "students"}, {"stage": "graduate"},
     ["This rotation is for students still enrolled in medical school."]),
    ({"audience": "students"}, {"stage": "student"}, []),
    ({"audience": "graduates"}, {"stage": "student"}, ["This rotation is for graduates of medical school."]),
    ({"audience": "graduates"}, {"stage": "graduate"}, []),
    ({"audience": "both"}, {"stage": "student"}, []),
    ({"visas": ["j1"]}, {"visa_status": "b1"},
     ["This rotation accepts J-1; your visa status is B-1 (business visitor)."]),
    ({"visas": ["b1", "b2"]}, {"visa_status": "b2"}, []),
    ({"visas": []}, {"visa_status": "h1b"}, []),  # no visa named: every status is welcome
    ({"requires_step1": True}, {"step1_status": "failed"}, ["A passed USMLE Step 1 is required."]),
    ({"requires_step1": True}, {"step1_status": "passed"}, []),
    ({"requires_step2": True}, {"step2_status": "scheduled", "step2_score": None},
     ["A passed USMLE Step 2 CK is required."]),
    ({"requires_step2": True}, {"step2_status": "passed"}, []),
    ({"min_step2_score": 240}, {"step2_status": "not_taken", "step2_score": None},
     ["A passed USMLE Step 2 CK is required."]),
    ({"min_step2_score": 250}, {"step2_score": 249},
     ["A USMLE Step 2 CK score of at least 250 is required."]),
    ({"min_step2_score": 250}, {"step2_score": 250}, []),
])
def test_each_eligibility_rule(listing_kwargs, profile_kwargs, problems):
    check = _check(listing_kwargs=listing_kwargs, profile_kwargs=profile_kwargs)
    assert check.eligibility == problems
    assert check.can_apply is (problems == [])


def test_every_failed_rule_is_listed_in_order():
    check = _check(listing_kwargs={"audience": "students", "visas": ["f1"], "requires_step1": True,
                                   "min_step2_score": 230},
                   profile_kwargs={"stage": "graduate", "visa_status": "b1", "step1_status": "scheduled",
                                   "step2_status": "passed", "step2_score": 220})
    assert check.eligibility == [
        "This rotation is for students still enrolled in medical school.",
        "This rotation accepts F-1; your visa status is B-1 (business visitor).",
        "A passed USMLE Step 1 is required.",
        "A USMLE Step 2 CK score of at least 230 is required.",
    ]


# Required documents.

REQUIRED = {"required_documents": ["cv", "passport"]}


@pytest.mark.parametrize("document, problem, blocking", [
    (None, "Missing: upload it to your documents.", True),
    ({"status": "rejected", "rejection_reason": "The scan is cut off"},
     "Rejected (The scan is cut off): upload a new one.", True),
    ({"status": "rejected", "rejection_reason": ""}, "Rejected: upload a new one.", True),
    ({"status": "pending"}, "Awaiting verification by Rotamatch.", False),
    ({"status": "verified"}, "", False),
])
def test_each_state_of_a_document_without_expiry(document, problem, blocking):
    documents = [_document("cv", **document)] if document is not None else []
    check = _check(listing_kwargs={"required_documents": ["cv"]}, documents=documents)
    assert check.documents == [DocumentCheck("cv", "CV", problem, blocking)]
    assert (check.can_apply, check.all_verified) == (not blocking, problem == "")


@pytest.mark.parametrize("expires_on, problem, blocking", [
    (date(2027, 1, 9), "Expired on Jan 9, 2027: upload a new one.", True),
    (date(2027, 3, 27), "Expires on Mar 27, 2027, before the rotation ends.", True),
    (END, "", False),  # valid through the last day is enough
    (date(2028, 1, 1), "", False),
])
def test_a_passport_must_be_valid_until_the_rotation_ends(expires_on, problem, blocking):
    check = _check(listing_kwargs={"required_documents": ["passport"]},
                   documents=[_document("passport", expires_on=expires_on)])
    assert check.documents == [DocumentCheck("passport", "Passport", problem, blocking)]


def test_without_a_slot_a_document_needs_to_be_valid_today_only():
    check = _check(listing_kwargs={"required_documents": ["passport"]}, with_slot=False,
                   documents=[_document("passport", expires_on=date(2027, 1, 10))])
    assert check.documents == [DocumentCheck("passport", "Passport", "", False)]


def test_a_rejected_document_is_reported_as_rejected_even_when_it_also_expired():
    check = _check(listing_kwargs={"required_documents": ["passport"]},
                   documents=[_document("passport", status="rejected", rejection_reason="Unreadable",
                                        expires_on=date(2026, 1, 1))])
    assert check.documents[0].problem == "Rejected (Unreadable): upload a new one."


def test_documents_are_checked_in_the_order_the_listing_requires_them_and_others_are_ignored():
    check = _check(listing_kwargs=REQUIRED,
                   documents=[_document("hipaa", expires_on=date(2028, 1, 1)), _document("cv", status="pending")])
    assert check.documents == [
        DocumentCheck("cv", "CV", "Awaiting verification by Rotamatch.", False),
        DocumentCheck("passport", "Passport", "Missing: upload it to your documents.", True),
    ]
    assert [c.kind for c in check.document_problems] == ["cv", "passport"]


def test_a_pending_document_lets_the_applicant_apply_but_not_be_approved():
    check = _check(listing_kwargs={"required_documents": ["cv"]}, documents=[_document("cv", status="pending")])
    assert (check.can_apply, check.all_verified) == (True, False)


def test_an_ineligible_applicant_with_every_document_verified_still_cannot_apply():
    check = _check(listing_kwargs={"required_documents": ["cv"], "requires_step1": True},
                   profile_kwargs={"step1_status": "not_taken"}, documents=[_document("cv")])
    assert (check.can_apply, check.all_verified, check.eligibility) == (
        False, True, ["A passed USMLE Step 1 is required."])
