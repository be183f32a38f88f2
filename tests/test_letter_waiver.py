"""The waiver matrix: with a waived letter that is uploaded (two versions) and shared with a program,
nothing the applicant can reach shows them the letter or a link that serves it.

"Reach" is every URL of the URLconf (each pattern, its parameters filled with every object of this
world), every path of the API schema, every inbox notification of theirs and every e-mail addressed
to them. The responses are searched, bytes and headers, for the letter's file (its `%PDF-` header
and the unique text written in each version), the storage key of each version, the applicant's
download path of the letter, and the program's and the author's links (`letters/shared/`,
`letters/upload/` and their signed tokens).

The two links are secrets of their holders: the share link is the program's, the upload link the
author's. The walk nevertheless tries both real tokens as the applicant, as if they had stolen them,
because a page behind such a link must still not hand them what it should not:

* the author's upload page, opened with the author's token, must show no letter and no download
  link (the author downloads from their dashboard, signed in);
* the program's share page and download, opened with the program's token, are *meant* to serve the
  letter to whoever holds the link. For those two routes the walk asserts the opposite (the letter
  is really served, which also proves the needles can find a letter in a response) and the waiver
  rests on the applicant never learning the token: every other response, notification and e-mail
  of the walk is checked for it.
"""

import re
import uuid

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse

from notifications.models import Notification, OutgoingEmail
from preceptors import services_letters as services
from preceptors.models import LetterRequest, LetterStatus

from .factories import UserFactory, letter_request, letter_shared, uploaded
from .letter_pdfs import clean_letter_pdf

pytestmark = pytest.mark.django_db

# Routes that are not walked: they end the applicant's session (a GET of allauth's logout may log out
# when ACCOUNT_LOGOUT_ON_GET is set; the admin's logout does on POST and GET alike).
SKIPPED_ROUTES = {"account_logout", "admin:logout"}
# The program's pages: they serve the letter to whoever holds the share link (see the module doc).
PROGRAM_ROUTES = {"preceptors:letter_share", "preceptors:letter_share_download"}
# The applicant's own generated PDF (their experience log): a `%PDF-` header there is not a letter;
# the letter's text, storage key and links are still searched for in it.
OWN_PDF_ROUTES = {"applicants:experience_pdf"}
# Query strings added to some routes: the exports can include what the applicant may read.
EXTRA_QUERIES = {"applicants:experience_pdf": ["?evaluations=1"], "applicants:experience_csv": ["?evaluations=1"]}
ACTIONS = ["cancel", "waiver", "resend", "withdraw", "approve", "open"]
BOGUS_TOKEN = "not-a-token"
PROGRAM_IP, AUTHOR_IP = "203.0.113.77", "198.51.100.9"

LINK = re.compile(r"/letters/(upload|shared)/([^/\s\"'<>]+)/")
GROUP = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^()]*\)")


def _body(response) -> bytes:
    """The whole answer as bytes: headers (a Location or Content-Disposition could carry a link)
    and content, streamed or not (the test client closes the file once it is read: closing the
    response here would close the database connection too)."""
    headers = "\n".join(f"{name}: {value}" for name, value in response.headers.items()).encode()
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return headers + b"\n\n" + content


def _tokens_in(texts) -> dict[str, set[str]]:
    found = {"upload": set(), "shared": set()}
    for text in texts:
        for kind, token in LINK.findall(text):
            found[kind].add(token)
    return found


def _world(*, waived=True):
    """The applicant's waived letter (unless told), uploaded twice (the second version through the author's
    confirmation link), shared with a program which opened it and downloaded it."""
    applicant = UserFactory()
    markers = [f"WAIVED-LETTER-{n}-{uuid.uuid4().hex}" for n in (1, 2)]
    letter = letter_request(applicant=applicant, waived=waived)
    services.letter_upload(letter=letter, upload=uploaded(clean_letter_pdf(f"{markers[0]} I recommend them."),
                                                          name="letter.pdf"), link_nonce=letter.link_nonce)
    received = OutgoingEmail.objects.filter(to=letter.author_email, kind="letter_received").latest("id")
    replacement = LINK.search(received.text_body).group(0)
    author = Client(REMOTE_ADDR=AUTHOR_IP)
    answer = author.post(replacement, {"confirm": "on", "file": uploaded(clean_letter_pdf(
        f"{markers[1]} I recommend them warmly."), name="letter.pdf")}, follow=True)
    assert answer.status_code == 200 and letter.code in answer.text, answer.status_code
    letter.refresh_from_db()
    assert (letter.status, letter.waived, letter.versions.count()) == (LetterStatus.UPLOADED, waived, 2)

    share = letter_shared(letters=[letter])
    share_email = OutgoingEmail.objects.get(to=share.recipient_email, kind="letter_shared")
    share_path = LINK.search(share_email.text_body).group(0)
    assert _payload(share_path) == _payload(services.share_link(share))
    program = Client(REMOTE_ADDR=PROGRAM_IP)
    assert program.get(share_path).status_code == 200
    download = program.get(reverse("preceptors:letter_share_download", args=[share_path.split("/")[-2], letter.pk]))
    assert markers[1].encode() in _body(download)  # the program reads the newest version

    # Every link e-mailed to someone else than the applicant: the author's (the request, the
    # confirmation) and the program's. Their tokens are the forbidden knowledge.
    others = OutgoingEmail.objects.exclude(to__iexact=applicant.email)
    tokens = _tokens_in([email.text_body for email in others] + [email.html_body for email in others])
    current_upload = services.upload_link(letter).split("/")[-2]
    share_token = share_path.split("/")[-2]
    # A token is compared by its payload (the letter and the link's nonce): the timestamp part of a
    # link signed again a second later differs, the secret it carries does not.
    assert _payload(current_upload) in {_payload(t) for t in tokens["upload"]} and tokens["shared"] == {share_token}
    assert len(tokens["upload"]) >= 2  # the request's link (used up) and the confirmation's
    versions = list(letter.versions.all())
    return {
        "applicant": applicant, "letter": letter, "share": share, "versions": versions, "markers": markers,
        "upload_token": current_upload, "share_token": share_token, "tokens": tokens["upload"] | tokens["shared"],
        "placement": letter.applicant.applications.get().pk, "preceptor": letter.preceptor_id,
    }


def _needles(world) -> dict[str, bytes]:
    letter = world["letter"]
    needles = {"the PDF header": b"%PDF-", "a link to a shared letter": b"letters/shared/",
               "a link to upload a letter": b"letters/upload/",
               "the applicant's download path": reverse("preceptors:letter_download", args=[letter.pk]).encode()}
    for number, marker in enumerate(world["markers"], start=1):
        needles[f"the text of version {number}"] = marker.encode()
    for version in world["versions"]:
        needles[f"the storage key of version {version.number}"] = version.file.name.split("/")[-1].encode()
    for token in world["tokens"]:
        needles[f"the token {token[:12]}…"] = _payload(token).encode()
    return needles


def _payload(token: str) -> str:
    return token.split(":")[0]


def _leaks(data: bytes, needles: dict[str, bytes], *, except_: set[bytes] = frozenset()) -> list[str]:
    return [name for name, needle in needles.items() if needle not in except_ and needle in data]


# The URLconf

def _patterns(patterns, prefix="", namespace=None):
    """(route, name) of every URL pattern, regex ones included, with `^` and `$` stripped."""
    for pattern in patterns:
        piece = str(pattern.pattern).removeprefix("^").removesuffix("$")
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern.url_patterns, prefix + piece, pattern.namespace or namespace)
        else:
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield prefix + piece, name or f"{namespace or ''}:<unnamed {prefix + piece}>"


def _values(world, pks) -> dict[str, list[str]]:
    tokens = [world["upload_token"], world["share_token"], BOGUS_TOKEN]
    return {"pk": pks, "id": pks, "slot_pk": pks, "kind": ["invitation", "certificate"], "code": ["0000000000000000"],
            "object_id": [str(world["letter"].pk)], "token": tokens, "action": ACTIONS,
            "key": ["bogus-key"], "uidb36": ["1"], "url": ["preceptors/letterrequest/"], "app_label": ["preceptors"],
            "content_type_id": [str(ContentType.objects.get_for_model(LetterRequest).pk)]}


def _paths(route: str, values: dict[str, list[str]]) -> list[str]:
    """Every way to fill the route's parameters with the known values."""
    paths = [route]
    for match in GROUP.finditer(route):
        name = match.group(1) or match.group(2)
        if name not in values:
            pytest.fail(f"The walk has no value for the parameter {name!r} of {route}: add one.")
        paths = [path.replace(match.group(0), value, 1) for path in paths for value in values[name]]
    for path in paths:
        assert not re.search(r"[()^$\\<>]", path), f"{route} was not filled in: {path}"
    return ["/" + path for path in dict.fromkeys(paths)]


def _pks(world) -> list[str]:
    share = world["share"]
    pks = [world["letter"].pk, share.pk, *[version.pk for version in world["versions"]],
           *share.accesses.values_list("pk", flat=True), world["placement"], world["preceptor"],
           *Notification.objects.filter(user=world["applicant"]).values_list("pk", flat=True)]
    return [str(pk) for pk in dict.fromkeys(pks)]


def _walk_site(client, world, needles):
    """GET every path of every pattern; return the patterns visited, the number of requests, the
    program's pages reached with the program's token, and every leak found."""
    values = _values(world, _pks(world))
    visited, requests, program, failures = set(), 0, [], []
    for route, name in _patterns(get_resolver().url_patterns):
        if name in SKIPPED_ROUTES:
            continue
        for path in _paths(route, values):
            for query in ["", *EXTRA_QUERIES.get(name, [])]:
                response = client.get(path + query)
                requests += 1
                data = _body(response)
                assert response.status_code < 500, f"{path}{query}: {response.status_code}"
                # The token the applicant typed into the address may come back (a form's action):
                # that is not a leak. Any other token, and everything else, is.
                typed = {_payload(token).encode() for token in world["tokens"] if _payload(token) in path}
                if name in PROGRAM_ROUTES and world["share_token"] in path:
                    program.append((name, response.status_code, data))
                    continue
                except_ = typed | ({b"%PDF-"} if name in OWN_PDF_ROUTES else set())
                if leaks := _leaks(data, needles, except_=except_):
                    failures.append(f"{path}{query} ({name}, {response.status_code}): {', '.join(leaks)}")
        visited.add(name)
    return visited, requests, program, failures


def _walk_api(client, world, needles, schema):
    pks = _pks(world)
    visited, requests, failures = set(), 0, []
    for path in schema["paths"]:
        params = re.findall(r"\{(\w+)\}", path)
        filled = [path]
        for param in params:
            filled = [f.replace("{" + param + "}", pk, 1) for f in filled for pk in pks]
        for url in filled:
            # DRF's JSON, its browsable pages (with their forms) and the OPTIONS metadata.
            for method, accept in (("get", "application/json"), ("get", "text/html"), ("options", "application/json")):
                response = getattr(client, method)(url, HTTP_ACCEPT=accept)
                requests += 1
                assert response.status_code < 500, f"{url}: {response.status_code}"
                if leaks := _leaks(_body(response), needles):
                    where = accept if method == "get" else "OPTIONS"
                    failures.append(f"{url} ({where}, {response.status_code}): {', '.join(leaks)}")
        visited.add(path)
    return visited, requests, failures


def test_a_waived_letter_never_reaches_its_applicant_anywhere(client):
    world = _world()
    applicant, letter = world["applicant"], world["letter"]
    needles = _needles(world)
    client.force_login(applicant)

    # The letters page really shows the letter (so the walk is not of an empty account) and its log.
    page = client.get(reverse("preceptors:letters"))
    assert page.status_code == 200
    assert "Uploaded on" in page.text and letter.code in page.text
    assert "203.0.113.0/24" in page.text and PROGRAM_IP not in page.text
    # A few things the applicant may try by POST, whose answers are searched like the rest.
    posts = [
        (reverse("preceptors:share_create"), {"letters": [letter.pk], "program_name": "", "recipient_email": "x"}),
        (reverse("preceptors:letter_action", args=[letter.pk, "waiver"]), {"waived": "no"}),
        (reverse("preceptors:letter_action", args=[letter.pk, "resend"]), {}),
        (f"/api/letters/{letter.pk}/cancel/", {}),
    ]
    for url, data in posts:
        response = client.post(url, data)
        assert response.status_code in (200, 302, 400), (url, response.status_code)
        assert not _leaks(_body(response), needles), url
    letter.refresh_from_db()
    assert (letter.status, letter.waived) == (LetterStatus.UPLOADED, True)
    # "Send the link again" drew a new upload link for the author: it joins the forbidden tokens.
    world["upload_token"] = services.upload_link(letter).split("/")[-2]
    world["tokens"].add(world["upload_token"])
    needles = _needles(world)

    visited, requests, program, failures = _walk_site(client, world, needles)
    assert not failures, "The applicant reaches the waived letter:\n" + "\n".join(failures)
    web = {name for name in visited if not name.startswith("admin:")}
    assert len(web) > 50 and len(visited) > 150, (len(web), len(visited))
    assert {"preceptors:letters", "preceptors:letter_download", "preceptors:letter_upload",
            "notifications:inbox", "notifications:open", "applicants:dashboard"} <= visited
    # The program's pages, reached with the program's token: they do serve the letter (the newest
    # version), which proves that the needles find a letter wherever it is.
    served = [data for name, status, data in program if name == "preceptors:letter_share_download" and status == 200]
    assert len(served) == 1 and world["markers"][1].encode() in served[0] and b"%PDF-" in served[0]
    assert any(name == "preceptors:letter_share" and status == 200 and b"letters/shared/" in data
               for name, status, data in program)

    schema_response = client.get("/api/schema/", {"format": "json"})
    assert schema_response.status_code == 200
    api_visited, api_requests, failures = _walk_api(client, world, needles, schema_response.json())
    assert not failures, "The API gives the applicant the waived letter:\n" + "\n".join(failures)
    assert len(api_visited) > 20, len(api_visited)
    assert {"/api/letters/", "/api/letters/{id}/", "/api/letter-shares/", "/api/letter-shares/{id}/"} <= api_visited
    listed = client.get("/api/letters/").json()["results"]
    assert [(item["code"], item["status"], item["download_url"]) for item in listed] == [
        (letter.code, "uploaded", None)]

    # The inbox and the mail: the upload, the new version and the program's first look are all told,
    # without the letter or a link to it.
    notifications = Notification.objects.filter(user=applicant)
    assert {"letter_uploaded", "letter_share_opened"} <= set(notifications.values_list("kind", flat=True))
    for notification in notifications:
        data = "\n".join([notification.title, notification.body, notification.url]).encode()
        assert not _leaks(data, needles), (notification.kind, _leaks(data, needles))
    emails = OutgoingEmail.objects.filter(to__iexact=applicant.email)
    assert emails.filter(kind="letter_uploaded").count() == 2
    for email in emails:
        data = "\n".join([email.subject, email.text_body, email.html_body]).encode()
        assert not _leaks(data, needles), (email.kind, _leaks(data, needles))
    print(f"walked {len(web)} web patterns ({len(visited)} with the admin's, {requests} requests) and "
          f"{len(api_visited)} API paths ({api_requests} requests)")


def test_the_needles_find_the_letter_in_its_bytes():
    """The walk is only as good as its needles: the stored file holds the marker text and `%PDF-`."""
    world = _world()
    needles = _needles(world)
    newest = world["versions"][0]
    with newest.file.open("rb") as handle:
        data = handle.read()
    assert {"the PDF header", "the text of version 2"} <= set(_leaks(data, needles))


def test_the_same_walk_finds_an_unwaived_letter_its_applicant_may_read(client):
    """The control: with the waiver not given, the walk must flag the pages that rightly serve the
    letter to its applicant. A walk that found nothing here would prove nothing above."""
    world = _world(waived=False)
    letter = world["letter"]
    client.force_login(world["applicant"])
    _, _, _, failures = _walk_site(client, world, _needles(world))
    download = reverse("preceptors:letter_download", args=[letter.pk])
    served = [failure for failure in failures if failure.startswith(f"{download} (")]
    assert len(served) == 1 and "the PDF header" in served[0] and "the text of version 2" in served[0]
    assert any(failure.startswith(reverse("preceptors:letters") + " (") and "the applicant's download path" in failure
               for failure in failures)
    schema = client.get("/api/schema/", {"format": "json"}).json()
    _, _, api_failures = _walk_api(client, world, _needles(world), schema)
    assert any(failure.startswith("/api/letters/ (application/json, 200)") for failure in api_failures)
    assert any(failure.startswith(f"/api/letters/{letter.pk}/ (application/json, 200)") for failure in api_failures)
