"""Letters of recommendation: the applicant's letters page, the author's upload page (through the
e-mailed link, no account needed) and dashboard page, the program's share page, and the admins'.

Thin views over `services_letters`; lookups through the user-scoped letter selectors. A file
leaves the server only through `_serve`, to someone the selectors allow, each time recorded.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.permissions import role_required
from core.form_support import add_service_errors

from . import policies
from . import selectors_letters as selectors
from . import services_letters as services
from .forms_letters import LetterRequestForm, LetterShareForm, LetterUploadForm, ReasonForm
from .models import LetterAccess, LetterRequest, LetterStatus

# The applicant's letters page


@role_required(Role.APPLICANT)
def letters(request, share_form: LetterShareForm | None = None, status: int = 200):
    letters_ = list(selectors.letters_of_applicant(request.user).prefetch_related("shares"))
    reminders = selectors.letter_reminders_sent(letters_)
    now = timezone.now()
    uploaded = selectors.letters_of_applicant(request.user).filter(status=LetterStatus.UPLOADED)
    shares = list(selectors.shares_of_applicant(request.user).prefetch_related("accesses__request"))
    return render(request, "preceptors/letters/letters.html", {
        "rows": [{"letter": letter, "reminders": reminders.get(letter.pk, []),
                  "readable": policies.applicant_may_read_letter(letter, request.user),
                  "can_cancel": not policies.can_cancel_letter(letter, request.user),
                  "can_change_waiver": not policies.can_change_waiver(letter, request.user),
                  "can_resend": not policies.can_resend_letter_link(letter, request.user),
                  "nudge_refusal": policies.can_nudge_author(letter, request.user, now)} for letter in letters_],
        "shares": [(share, policies.share_refusal(share, now)) for share in shares],
        "share_form": share_form or LetterShareForm(letters=uploaded),
        "can_share": uploaded.exists(),
    }, status=status)


@role_required(Role.APPLICANT)
def letter_new(request):
    authors = list(selectors.letter_authors_for(request.user).select_related("user"))
    form = LetterRequestForm(request.POST or None, authors=authors, offers=selectors.letter_offers_for(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            letter = services.letter_request_create(applicant=request.user, data=form.service_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Letter {letter.code} requested: we e-mailed {letter.author_name} the request "
                                      "and the upload link.")
            return redirect("preceptors:letters")
    return render(request, "preceptors/letters/new.html", {"form": form}, status=400 if form.errors else 200)


ACTIONS = {
    "cancel": (lambda letter, user, post: services.letter_cancel(letter=letter, by=user), "The request is cancelled."),
    "resend": (lambda letter, user, post: services.letter_link_resend(letter=letter, by=user),
               "We e-mailed the author a new link; the old one no longer works."),
    "nudge": (lambda letter, user, post: services.letter_nudge(letter=letter, by=user), "We reminded the author."),
    "waiver": (lambda letter, user, post: services.letter_waiver_set(letter=letter, by=user,
                                                                     waived=post.get("waived") == "yes"),
               "Your waiver choice is recorded."),
}


@require_POST
@role_required(Role.APPLICANT)
def letter_action(request, pk, action):
    letter = get_object_or_404(selectors.letters_of_applicant(request.user), pk=pk)
    if action not in ACTIONS:
        raise Http404("No such action.")
    act, done = ACTIONS[action]
    try:
        act(letter, request.user, request.POST)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect("preceptors:letters")


@require_POST
@role_required(Role.APPLICANT)
def share_create(request):
    uploaded = selectors.letters_of_applicant(request.user).filter(status=LetterStatus.UPLOADED)
    form = LetterShareForm(request.POST, letters=uploaded)
    if form.is_valid():
        try:
            share = services.letter_share_create(applicant=request.user, letters=form.cleaned_data["letters"],
                                                 program_name=form.cleaned_data["program_name"],
                                                 recipient_email=form.cleaned_data["recipient_email"])
        except ValidationError as error:
            add_service_errors(form, error, fallback="letters")
        else:
            messages.success(request, f"Shared with {share.program_name}: we e-mailed {share.recipient_email} the link.")
            return redirect("preceptors:letters")
    return letters(request, share_form=form, status=400)


@require_POST
@role_required(Role.APPLICANT)
def share_revoke(request, pk):
    share = get_object_or_404(selectors.shares_of_applicant(request.user), pk=pk)
    services.letter_share_revoke(share=share, by=request.user)
    messages.success(request, f"{share.program_name} can no longer open these letters.")
    return redirect("preceptors:letters")


# Downloads outside a share: the applicant's unwaived letters, the author's own.

def letter_download(request, pk):
    """The newest version of letter `pk`, for its author or, if unwaived, its applicant."""
    version = selectors.letter_versions_readable_by(request.user).filter(request_id=pk).first()
    if version is None:
        raise Http404("No such letter among those you may read.")
    return _serve(request, version, user=request.user)


def _serve(request, version, *, user=None, share=None, reason: str = ""):
    try:
        handle = version.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file of this letter is missing.") from None
    services.letter_access_record(kind=LetterAccess.Kind.DOWNLOAD, request=version.request, version=version,
                                  share=share, user=user, ip=request.META.get("REMOTE_ADDR", ""), reason=reason)
    response = FileResponse(handle, as_attachment=True, filename=f"{version.request.code}.pdf",
                            content_type="application/pdf")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private"
    return response


# The author: through the e-mailed link (GET shows, only POST uses it) or signed in.

@never_cache
def letter_upload(request, token):
    letter, refusal = services.letter_from_token(token)
    if refusal:
        return render(request, "preceptors/letters/upload_refused.html", {"refusal": refusal, "letter": letter},
                      status=410 if letter else 404)
    form = LetterUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.letter_upload(letter=letter, upload=form.cleaned_data["file"], link_nonce=letter.link_nonce)
        except ValidationError as error:
            add_service_errors(form, error, fallback="file")
        else:
            # Redirect, so that a reload does not post the file again through a used link.
            request.session["letter_received"] = letter.pk
            return redirect("preceptors:letter_received")
    return render(request, "preceptors/letters/upload.html", {
        "letter": letter, "applicant_name": letter.applicant.get_full_name() or "the applicant", "form": form,
        "versions": letter.versions.count()}, status=400 if form.errors else 200)


@never_cache
def letter_received(request):
    """The thank-you page after an upload through a link: only in the uploader's session."""
    letter = get_object_or_404(LetterRequest.objects.select_related("applicant"),
                               pk=request.session.get("letter_received") or 0)
    return render(request, "preceptors/letters/uploaded.html", {
        "letter": letter, "applicant_name": letter.applicant.get_full_name() or "the applicant"})


@role_required(Role.PRECEPTOR)
def author_letter(request, pk):
    letter = get_object_or_404(selectors.letters_for_author(request.user), pk=pk)
    refusal = policies.letter_upload_refusal(letter)
    form = LetterUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and not refusal and form.is_valid():
        try:
            services.letter_upload(letter=letter, upload=form.cleaned_data["file"], by=request.user)
        except ValidationError as error:
            add_service_errors(form, error, fallback="file")
        else:
            messages.success(request, f"Letter {letter.code} uploaded; {letter.applicant.get_full_name()} is told.")
            return redirect("preceptors:dashboard")
    return render(request, "preceptors/letters/author.html", {
        "letter": letter, "form": form, "refusal": refusal, "versions": letter.versions.all()},
        status=400 if form.errors else 200)


# The program: a share link, valid until it expires or the applicant withdraws it.

@never_cache
def letter_share(request, token):
    share = services.share_from_token(token)
    if share is None:
        return render(request, "preceptors/letters/share_closed.html", {
            "refusal": "This link is not valid. Open it again from the e-mail, copying the whole address."}, status=404)
    if refusal := policies.share_refusal(share, timezone.now()):
        return render(request, "preceptors/letters/share_closed.html", {"refusal": refusal}, status=410)
    services.letter_access_record(kind=LetterAccess.Kind.VIEW, share=share, ip=request.META.get("REMOTE_ADDR", ""))
    shown = share.letters.filter(status=LetterStatus.UPLOADED).prefetch_related("versions")
    return render(request, "preceptors/letters/share.html", {
        "share": share, "token": token, "letters": shown,
        "applicant_name": share.applicant.get_full_name() or "The applicant"})


@never_cache
def letter_share_download(request, token, pk):
    share = services.share_from_token(token)
    if share is None or policies.share_refusal(share, timezone.now()):
        raise Http404("This link is not valid any more.")
    letter = get_object_or_404(share.letters.filter(status=LetterStatus.UPLOADED), pk=pk)
    version = letter.versions.first()  # the newest: programs always read the latest version
    if version is None:
        raise Http404("This letter has no file.")
    return _serve(request, version, share=share)


# The admins: every request's state; opening or removing a letter takes a recorded reason.

@role_required(Role.ADMIN)
def admin_letters(request):
    return render(request, "preceptors/letters/admin.html", {
        "letters": LetterRequest.objects.select_related("applicant").order_by("-created_at")[:200], "form": ReasonForm()})


@require_POST
@role_required(Role.ADMIN)
def admin_letter_open(request, pk):
    letter = get_object_or_404(LetterRequest, pk=pk)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    if refusal := policies.can_open_letter_as_admin(letter, request.user, reason):
        messages.error(request, refusal)
        return redirect("preceptors:admin_letters")
    return _serve(request, letter.versions.first(), user=request.user, reason=reason)


@require_POST
@role_required(Role.ADMIN)
def admin_letter_remove(request, pk):
    letter = get_object_or_404(LetterRequest, pk=pk)
    form = ReasonForm(request.POST)
    try:
        services.letter_remove(letter=letter, by=request.user, reason=form.data.get("reason", ""))
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, f"Letter {letter.code} removed; the applicant is told.")
    return redirect("preceptors:admin_letters")

