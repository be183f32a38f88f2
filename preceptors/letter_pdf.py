"""Checking a letter of recommendation before it is kept.

Letters are uploaded by physicians through a link, often without an account: the file comes from a
stranger, and a program officer later opens it in a PDF viewer on a work computer. So a letter is
accepted only when it is a PDF that pypdf reads, is not encrypted (it could not be checked) and
carries no active content: no JavaScript (nor XFA forms, which carry scripts), no action that opens a
program or a file or sends data, and no embedded files. Each refusal tells the physician what to do;
printing the letter to a new PDF removes all of these.
"""

import io

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

PDF_SIGNATURE = b"%PDF-"
# A letter has hundreds or a few thousand objects and references; a file crafted to make the walk
# endless is refused.
MAX_OBJECTS_WALKED = 100_000

MESSAGES = {
    "empty": "The file is empty. Choose the PDF of the letter and upload it again.",
    "not_pdf": "Only a PDF is accepted, whatever the file's name says. Save or print the letter as PDF and upload that.",
    "unreadable": "This file is not a readable PDF. Save or print the letter as PDF again and upload that.",
    "too_complex": "This PDF is too complex to check. Print the letter to a new PDF and upload that.",
    "encrypted": "This PDF is encrypted or password-protected. Save a copy without a password and upload that.",
    "javascript": "This PDF contains JavaScript. Print it to a new PDF (or export it without scripts) and upload that.",
    "launch": "This PDF contains an action that opens a program or file, or sends data elsewhere (such as a launch action). "
              "Print it to a new PDF and upload that.",
    "embedded": "This PDF carries embedded files (attachments). Remove them, or print the letter to a new PDF, "
                "and upload that.",
}

# Action types (the /S of an action dictionary) that reach outside the document.
_OUTSIDE_ACTIONS = {"/Launch", "/GoToR", "/GoToE", "/ImportData", "/SubmitForm", "/RichMediaExecute"}
# Annotation types that carry a file or a player of embedded media.
_EMBEDDING_SUBTYPES = {"/FileAttachment", "/RichMedia"}


def letter_pdf_check(upload) -> bytes:
    """Return the bytes of an acceptable letter, or raise django.core.exceptions.ValidationError(message, code=...)."""
    limit = settings.LETTER_MAX_BYTES
    # Judge the declared size before reading anything: a huge upload is never loaded.
    if upload.size > limit:
        raise _too_large(upload.size, limit)
    upload.seek(0)
    data = upload.read(limit + 1)  # never more than the limit, whatever .size said
    upload.seek(0)
    if len(data) > limit:
        raise _too_large(len(data), limit)
    if not data:
        raise _refused("empty")
    if not data.startswith(PDF_SIGNATURE):
        raise _refused("not_pdf")
    problem = _problem_of(data)
    if problem:
        raise _refused(problem)
    return data


def _too_large(size: int, limit: int) -> ValidationError:
    return ValidationError(f"The file is {filesizeformat(size)}; the limit is {filesizeformat(limit)}. "
                           "Save the letter as a smaller PDF (fewer or lower-resolution images) and upload that.",
                           code="too_large")


def _refused(code: str) -> ValidationError:
    return ValidationError(MESSAGES[code], code=code)


def _problem_of(data: bytes) -> str | None:
    """The code of what makes a PDF unacceptable, or None."""
    # Any exception of the parser fed untrusted bytes means "not readable": pypdf raises many kinds
    # (PdfReadError, struct.error, zlib.error, KeyError, RecursionError...) on hostile input.
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            # Without the password nothing inside can be checked, nor read by the program officer.
            return "encrypted"
        # pypdf is lenient: HTML behind a PDF header may "open", but it has no page.
        if len(reader.pages) == 0:
            return "unreadable"
        return _active_content_in(reader.trailer)
    except Exception:  # noqa: BLE001
        return "unreadable"


def _active_content_in(trailer: DictionaryObject) -> str | None:
    """Walk every object reachable from the trailer; return the code of the first active content found.

    The whole graph is walked rather than the places a viewer looks first, because scripts and actions
    hide anywhere: in a link annotation of a page, a form field's additional actions, a name tree.
    """
    stack = [trailer]
    visited_references = set()
    walked = 0
    while stack:
        walked += 1  # references already seen count too: a million of them is also hostile
        if walked > MAX_OBJECTS_WALKED:
            return "too_complex"
        node = stack.pop()
        if isinstance(node, IndirectObject):
            reference = (node.idnum, node.generation)
            if reference in visited_references:
                continue
            visited_references.add(reference)
            node = node.get_object()
        if isinstance(node, DictionaryObject):  # a stream's dictionary too: StreamObject is one
            problem = _problem_in_dictionary(node)
            if problem:
                return problem
            stack.extend(node.values())  # as stored: references are resolved above, once each
        elif isinstance(node, ArrayObject):
            stack.extend(node)
    return None


def _problem_in_dictionary(dictionary: DictionaryObject) -> str | None:
    # Keys and names are compared after pypdf has decoded them, so "/J#61vaScript" is "/JavaScript".
    action_type, subtype, kind = (_name_at(dictionary, key) for key in ("/S", "/Subtype", "/Type"))
    if "/JS" in dictionary or "/JavaScript" in dictionary or "/XFA" in dictionary or action_type == "/JavaScript":
        return "javascript"
    if action_type in _OUTSIDE_ACTIONS:
        return "launch"
    if ("/EmbeddedFiles" in dictionary or "/EF" in dictionary or "/RichMediaContent" in dictionary
            or kind == "/EmbeddedFile" or subtype in _EMBEDDING_SUBTYPES):
        return "embedded"
    return None


def _name_at(dictionary: DictionaryObject, key: str) -> str | None:
    """The name stored at a key, even behind an indirect reference (a way to hide it), else None."""
    value = dictionary.get(key)
    if isinstance(value, IndirectObject):
        value = value.get_object()
    return value if isinstance(value, str) else None
