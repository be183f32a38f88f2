"""PostgreSQL's own reading of the search box, read back: the text of a tsquery
(`to_tsquery(…)::text`, `websearch_to_tsquery(…)::text`) as a tree the search index evaluates.

PostgreSQL stems the words and drops the stop words; what comes back is lexemes joined by its
operators: `'medicin' & !'surgeri'`, `'cardiolog' | 'neurolog'`, `'intern' <-> 'medicin'`,
`'cardio':*`. Anything else in the text (weights, a backslash) is not read: `parse` answers None
and search asks PostgreSQL instead.
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

TOKEN = re.compile(r"\s*(?:'((?:[^'\\]|'')+)'(:\*)?|(<->|<\d+>|[!&|()]))")


@dataclass(frozen=True)
class Lexeme:
    text: str
    prefix: bool  # 'cardio':* matches every lexeme that starts with it


@dataclass(frozen=True)
class Not:
    operand: "Node"


@dataclass(frozen=True)
class Both:
    left: "Node"
    right: "Node"


@dataclass(frozen=True)
class Either:
    left: "Node"
    right: "Node"


@dataclass(frozen=True)
class Phrase:
    """`a <-> b`: b right after a. The index keeps no positions, so it never evaluates one."""

    left: "Node"
    right: "Node"


Node = Lexeme | Not | Both | Either | Phrase


def parse(text: str) -> Node | None:
    """The tree of a tsquery's text; None if it is empty (stop words only) or not read here."""
    tokens, at = [], 0
    while at < len(text.rstrip()):
        match = TOKEN.match(text, at)
        if match is None:
            return None
        lexeme, prefix, operator = match.groups()
        tokens.append(Lexeme(lexeme.replace("''", "'"), bool(prefix)) if lexeme else operator)
        at = match.end()
    if not tokens:
        return None
    try:
        node, rest = _either(tokens)
    except (IndexError, ValueError):
        return None
    return node if not rest else None


# Precedence, loosest first: |, &, <->, !, as PostgreSQL prints them.

def _either(tokens: list) -> tuple[Node, list]:
    return _joined(tokens, _both, lambda token: token == "|", Either)


def _both(tokens: list) -> tuple[Node, list]:
    return _joined(tokens, _phrase, lambda token: token == "&", Both)


def _phrase(tokens: list) -> tuple[Node, list]:
    return _joined(tokens, _unary, lambda token: isinstance(token, str) and token.startswith("<"), Phrase)


def _joined(tokens: list, operand, is_operator, node) -> tuple[Node, list]:
    """Operands of the next tighter level joined, left to right, by one operator."""
    joined, tokens = operand(tokens)
    while tokens and is_operator(tokens[0]):
        right, tokens = operand(tokens[1:])
        joined = node(joined, right)
    return joined, tokens


def _unary(tokens: list) -> tuple[Node, list]:
    first = tokens[0]
    if first == "!":
        operand, tokens = _unary(tokens[1:])
        return Not(operand), tokens
    if first == "(":
        node, tokens = _either(tokens[1:])
        if tokens[:1] != [")"]:
            raise ValueError("unclosed parenthesis")
        return node, tokens[1:]
    if isinstance(first, Lexeme):
        return first, tokens[1:]
    raise ValueError(f"unexpected {first!r}")


def lexemes(node: Node) -> Iterator[Lexeme]:
    if isinstance(node, Lexeme):
        yield node
    elif isinstance(node, Not):
        yield from lexemes(node.operand)
    else:
        yield from lexemes(node.left)
        yield from lexemes(node.right)


def has_phrase(node: Node) -> bool:
    if isinstance(node, Phrase):
        return True
    if isinstance(node, Lexeme):
        return False
    if isinstance(node, Not):
        return has_phrase(node.operand)
    return has_phrase(node.left) or has_phrase(node.right)


def every_lexeme_needed(node: Node) -> bool:
    """Whether a match must hold every lexeme of the query (no "or", no "not")."""
    if isinstance(node, Lexeme):
        return True
    if isinstance(node, Both | Phrase):
        return every_lexeme_needed(node.left) and every_lexeme_needed(node.right)
    return False


def evaluate(node: Node, rows: Callable[[Lexeme], object]):
    """The rows matching `node`, given each lexeme's rows (numpy masks, combined with & | ~)."""
    if isinstance(node, Lexeme):
        return rows(node)
    if isinstance(node, Not):
        return ~evaluate(node.operand, rows)
    if isinstance(node, Both):
        return evaluate(node.left, rows) & evaluate(node.right, rows)
    if isinstance(node, Either):
        return evaluate(node.left, rows) | evaluate(node.right, rows)
    raise ValueError("a phrase needs the words' positions, which the index does not keep")
