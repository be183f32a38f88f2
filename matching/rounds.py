"""A match round's states and moves as one table, like the application workflow's (`moves.py`).

draft → ranking open → ranking closed → matched (results under admin review) → published.
The beat task makes the timed moves (opening, closing, running at the match date); an admin may
make them early, runs the match again (same result, nothing written twice) and publishes.
"""

from dataclasses import dataclass

from .models_rounds import RoundStatus

ADMIN, SYSTEM = "admin", "system"
R = RoundStatus


@dataclass(frozen=True)
class RoundMove:
    action: str
    sources: frozenset[str]
    target: str
    actors: frozenset[str]
    label: str
    past: str
    done: str


def _move(action, sources, target, actors, label, past, done) -> RoundMove:
    return RoundMove(action, frozenset(sources), target, frozenset(actors), label, past, done)


ROUND_MOVES = {move.action: move for move in [
    _move("open", {R.DRAFT}, R.RANKING_OPEN, {ADMIN, SYSTEM}, "Open ranking", "opened",
          "Ranking is open; applicants and coordinators are told."),
    _move("close", {R.RANKING_OPEN}, R.RANKING_CLOSED, {ADMIN, SYSTEM}, "Close ranking", "closed",
          "Ranking is closed."),
    # Running again from "matched" recomputes the same result and writes nothing twice.
    _move("run", {R.RANKING_CLOSED, R.MATCHED}, R.MATCHED, {ADMIN, SYSTEM}, "Run the match", "run",
          "The match is running."),
    _move("publish", {R.MATCHED}, R.PUBLISHED, {ADMIN}, "Publish the results", "published",
          "Results published: every match is now an accepted placement, and everyone is told."),
]}
