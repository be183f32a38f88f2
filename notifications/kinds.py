"""The kinds of notification, each with its category and templates.

A kind `x` renders `notifications/x/subject.txt` (also the inbox title) and
`notifications/x/body.txt` (also the inbox text); the HTML e-mail wraps the same text.
"""

from dataclasses import dataclass

from .models import Category


@dataclass(frozen=True)
class Kind:
    name: str
    category: Category

    @property
    def always_email(self) -> bool:
        """Account e-mails (verification, password reset) ignore the user's preferences."""
        return self.category == Category.ACCOUNT


KINDS: dict[str, Kind] = {}


def register(name: str, category: Category) -> Kind:
    kind = KINDS[name] = Kind(name, category)
    return kind


INVITATION = register("invitation", Category.TEAM)
INVITATION_REMINDER = register("invitation_reminder", Category.TEAM)
INVITATION_ACCEPTED = register("invitation_accepted", Category.TEAM)
LISTING_SUBMITTED = register("listing_submitted", Category.LISTINGS)
LISTING_PUBLISHED = register("listing_published", Category.LISTINGS)
LISTING_RETURNED = register("listing_returned", Category.LISTINGS)
APPLICATION_STATUS = register("application_status", Category.APPLICATIONS)
APPLICATION_ACTIVITY = register("application_activity", Category.APPLICATIONS)
PLACEMENT_TO_APPROVE = register("placement_to_approve", Category.APPLICATIONS)
OFFER_REMINDER = register("offer_reminder", Category.APPLICATIONS)
DOCUMENT_VERIFIED = register("document_verified", Category.DOCUMENTS)
DOCUMENT_REJECTED = register("document_rejected", Category.DOCUMENTS)
DOCUMENT_EXPIRING = register("document_expiring", Category.DOCUMENTS)
PRECEPTOR_VERIFIED = register("preceptor_verified", Category.ACCOUNT)
PRECEPTOR_REJECTED = register("preceptor_rejected", Category.ACCOUNT)
NPI_DISPUTE_OPENED = register("npi_dispute_opened", Category.ACCOUNT)
NPI_DISPUTE_RESOLVED = register("npi_dispute_resolved", Category.ACCOUNT)
# Reviews and evaluations (preceptors): none of them carries a review's or an evaluation's content.
REVIEW_INVITATION = register("review_invitation", Category.APPLICATIONS)
REVIEW_REMINDER = register("review_reminder", Category.APPLICATIONS)
REVIEW_TO_MODERATE = register("review_to_moderate", Category.LISTINGS)
REVIEW_DECIDED = register("review_decided", Category.APPLICATIONS)
REVIEW_ANSWERED = register("review_answered", Category.APPLICATIONS)
RESPONSE_DECIDED = register("response_decided", Category.LISTINGS)
EVALUATION_REQUEST = register("evaluation_request", Category.LETTERS)
EVALUATION_REMINDER = register("evaluation_reminder", Category.LETTERS)
PLACEMENT_REVEALED = register("placement_revealed", Category.LETTERS)
# Letters of recommendation (preceptors): none carries a letter or a link that serves one to its
# applicant; the author's e-mails carry their upload link, the program's its share link.
LETTER_REQUEST = register("letter_request", Category.LETTERS)
LETTER_REMINDER = register("letter_reminder", Category.LETTERS)
LETTER_RECEIVED = register("letter_received", Category.LETTERS)
LETTER_UPLOADED = register("letter_uploaded", Category.LETTERS)
LETTER_LINK_EXPIRING = register("letter_link_expiring", Category.LETTERS)
LETTER_REMOVED = register("letter_removed", Category.LETTERS)
LETTER_SHARED = register("letter_shared", Category.LETTERS)
LETTER_SHARE_OPENED = register("letter_share_opened", Category.LETTERS)
# Match rounds (matching)
ROUND_OPENED = register("round_opened", Category.APPLICATIONS)
ROUND_CERTIFY_REMINDER = register("round_certify_reminder", Category.APPLICATIONS)
ROUND_RESULT = register("round_result", Category.APPLICATIONS)
ROUND_RESULT_HOST = register("round_result_host", Category.APPLICATIONS)
# Recommendations (matching): the weekly digest, for applicants who asked for it.
RECOMMENDATION_DIGEST = register("recommendation_digest", Category.DIGEST)
