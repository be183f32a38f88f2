"""Search's own index of the listings, held in each process's memory as columns (numpy arrays)
and brought up to date from PostgreSQL before every search.

Why: filtering, counting and ordering the matches of any mix of filters in PostgreSQL reads
every row the filters' indexes cannot rule out (6 ms for a typical search of 100,000 listings,
30 ms for a rare mix); the same comparisons over columns take a fraction of a millisecond. A
search then costs one small query (what changed, usually nothing) and the page's own rows.

Exact, not eventually right: a trigger stamps every write of a listing with its transaction's id
(`search_xid`, migration 0012; slot changes and an institution's verification rewrite their
listings). Before each search the index reads the rows stamped by transactions at or after the
oldest one that was still running when it last looked (`pg_snapshot_xmin`): every older
transaction had ended by then, so its rows were read then; newer ones are read again. The index
thus answers from the same committed rows a query would see.

Keywords match as `keyword_query` matches them: PostgreSQL reads the search box (stemmer, stop
words, web-search syntax) and returns lexemes and operators (rotations/tsquery.py), which the
index evaluates over each listing's lexemes and their weights (A: title and specialty; B:
institution and city), for the match and for the relevance tiers. Left to the query path
(rotations/search.py), which stays the reference: a quoted phrase the words' prefixes alone
cannot answer ("a b" or c), a search box of stop words only, and any search in a transaction
that has written.
"""

import bisect
import gc
import logging
import threading
import weakref
from datetime import date

import numpy as np
from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from . import tsquery
from .choices import RotationType

EPOCH = date(1970, 1, 1)
NO_DATE = np.iinfo(np.int32).max  # a missing next start sorts last
NO_DEADLINE = -1  # a missing "open until" is never today or later
CATEGORIES = {"specialty": "specialty", "type": "rotation_type", "state": "state"}
# Rows whose words changed since the index was built are matched one by one; past this many,
# the index is built again.
OVERLAY_MAX = 500

# A listing's facts, a fingerprint of its words (64 bits of the document's md5), the months its
# slots start in, and the stamp of the transaction that last wrote it (which names the version of
# the row a page may show without reading it again: rotations/search_cards.py).
COLUMNS = """
    l.id, l.status = 'published' AND i.verified_at IS NOT NULL, l.specialty, l.rotation_type, l.state,
    l.audience, l.visas, l.duration_weeks, l.fee_usd, l.letter_possible, l.review_count, l.review_average::float8,
    l.seats_open, l.seats_open_until - DATE '1970-01-01', l.next_start - DATE '1970-01-01',
    ('x' || left(md5(coalesce(l.search_vector::text, '')), 16))::bit(64)::bigint,
    ARRAY(SELECT DISTINCT (extract(year FROM s.start_date) * 12 + extract(month FROM s.start_date))::int
          FROM rotations_slot AS s WHERE s.listing_id = l.id),
    l.search_xid
"""
# A changed listing's words, as lexemes: all, those weighing A or B (search_head), those weighing A.
WORDS = "tsvector_to_array(l.search_vector), tsvector_to_array(l.search_head), tsvector_to_array(l.search_title)"
FROM = "FROM rotations_listing AS l JOIN institutions_institution AS i ON i.id = l.institution_id"
# Each lexeme's listings, those where it weighs A first, then B, then the rest, and how many of each.
POSTINGS_SQL = """
SELECT lexeme, array_agg(id ORDER BY class, id), count(*) FILTER (WHERE class = 0), count(*) FILTER (WHERE class <= 1)
FROM (SELECT l.id, w.lexeme, CASE WHEN 'A' = ANY(w.weights) THEN 0 WHEN 'B' = ANY(w.weights) THEN 1 ELSE 2 END AS class
      FROM rotations_listing AS l, unnest(l.search_vector) AS w) AS words
GROUP BY lexeme
"""
HORIZON = "pg_snapshot_xmin(pg_current_snapshot())::text::bigint"
# A transaction that has written (a test's, or a view's before it searches) would read its own
# uncommitted rows into an index every request of the process shares: it searches by query.
WRITING = "pg_current_xact_id_if_assigned() IS NOT NULL"
# A deleted listing leaves no row to read again: PostgreSQL's count of rows deleted from the table
# (its statistics, sent within a second or so of a commit) tells that the index must be built
# afresh. Meanwhile a deleted listing is left off its page (rotations.search._load); listings are
# archived, not deleted, so this is rare.
DELETES = "pg_stat_get_tuples_deleted('rotations_listing'::regclass)"
# One round trip before each search: the horizon now, the rows changed since the last one (if
# any), and the search box as PostgreSQL reads it (if filled): its words as prefixes, and in
# web-search syntax (see rotations.search.keyword_query). Prepared once per connection with a
# generic plan: planning it afresh took 0.35 ms of the 0.55 it cost. The plan cannot know how many
# rows changed; read in the stamps' order and stopping after CATCH_UP_LIMIT, it reads at most
# that many through the index on search_xid, and more are read by the same query planned for them.
CATCH_UP_LIMIT = 1000


def _catch_up_sql(since: str, prefixes: str, websearch: str, limit: str = "") -> str:
    return f"""
WITH horizon AS (SELECT {HORIZON} AS xmin, {WRITING} AS writing, {DELETES} AS deletes,
                        to_tsquery('english', {prefixes})::text AS prefixes,
                        websearch_to_tsquery('english', {websearch})::text AS websearch)
SELECT horizon.xmin, horizon.writing, horizon.deletes, horizon.prefixes, horizon.websearch, changed.*
FROM horizon LEFT JOIN LATERAL (SELECT {COLUMNS}, {WORDS} {FROM} WHERE l.search_xid >= {since} {limit}) AS changed ON true
"""


CATCH_UP_SQL = _catch_up_sql("$1", "$2", "$3", f"ORDER BY l.search_xid LIMIT {CATCH_UP_LIMIT} + 1")
CATCH_UP_ALL_SQL = _catch_up_sql("%(since)s", "%(prefixes)s", "%(websearch)s")
CATCH_UP = "rotations_search_catch_up"
_prepared = weakref.WeakKeyDictionary()  # the connections (psycopg2's) that hold CATCH_UP


class ReadApart(Exception):
    pass


# The parts of a listing's words, as `Index._lexeme` returns their rows.
ANYWHERE, IN_HEAD, IN_TITLE = 0, 1, 2


class Answer:
    """The matches in the order asked for: how many, and the ids of any slice of them with the
    stamp of each one's version. Only as many are put in order as the slice reaches: the page of
    a search matching 50,000 listings is found among the first few thousand of the sort's order.
    `parts` are disjoint sets of rows, each wholly before the next (the relevance tiers)."""

    def __init__(self, index: "Index", order: np.ndarray, rank: np.ndarray, parts: list[np.ndarray]):
        # The index's arrays as they are now: a later catch-up replaces them, never reorders them.
        self._ids, self._stamps, self._order, self._rank, self._parts = index.ids, index.stamps, order, rank, parts
        self._sizes = [int(part.sum()) for part in parts]

    def __len__(self) -> int:
        return sum(self._sizes)

    def slice(self, start: int, stop: int) -> tuple[list[int], list[int]]:
        """The ids of the matches start to stop (0-based, stop excluded) and their stamps."""
        rows, wanted = [], stop
        for part, size in zip(self._parts, self._sizes, strict=True):
            if wanted <= 0:
                break
            if size:
                rows.append(self._first(part, size, wanted))
                wanted -= len(rows[-1])
        rows = np.concatenate(rows)[start:stop] if rows else np.zeros(0, dtype=np.int64)
        return self._ids[rows].tolist(), self._stamps[rows].tolist()

    def _first(self, part: np.ndarray, size: int, wanted: int) -> np.ndarray:
        rows = len(self._order)
        if min(size, wanted) * rows // size > rows // 2:
            # Sparse: these few rows, put in order by their place in the sort.
            found = np.flatnonzero(part)
            return found[np.argsort(self._rank[found], kind="stable")][:wanted]
        # Dense: read the sort's order a stretch at a time until `wanted` are found.
        found, got, start, stretch = [], 0, 0, max(1024, 2 * wanted * rows // size)
        while got < wanted and start < rows:
            chunk = self._order[start:start + stretch]
            found.append(chunk[part[chunk]])
            got, start, stretch = got + len(found[-1]), start + stretch, stretch * 2
        return np.concatenate(found)[:wanted]


class Index:
    """Every listing (public or not, once seen) as a row of columns; `row_of` maps ids to rows."""

    def __init__(self, rows: list[tuple], postings: list[tuple], xmin: int, deletes: int):
        """`rows` (COLUMNS) in the order of their ids, `postings` (POSTINGS_SQL) of the same listings."""
        self.xmin, self.deletes = xmin, deletes
        self.size = len(rows)
        self.row_of = {row[0]: n for n, row in enumerate(rows)}
        column = list(zip(*rows, strict=True)) if rows else [()] * 18
        self.ids = np.array(column[0], dtype=np.int64)
        self.public = np.array(column[1], dtype=bool)
        self.codes = {name: {} for name in ("specialty", "rotation_type", "state", "audience", "visa")}
        self.category = {name: np.array([self._code(name, v) for v in column[n]], dtype=np.int16)
                         for n, name in ((2, "specialty"), (3, "rotation_type"), (4, "state"), (5, "audience"))}
        self.visas = np.array([self._visa_bits(v) for v in column[6]], dtype=np.int64)
        self.duration = np.array(column[7], dtype=np.int16)
        self.fee = np.array(column[8], dtype=np.int64)
        self.letter = np.array(column[9], dtype=bool)
        self.review_count = np.array(column[10], dtype=np.int64)
        self.review_average = np.array([np.nan if v is None else v for v in column[11]], dtype=np.float64)
        self.seats_open = np.array(column[12], dtype=np.int64)
        self.seats_until = np.array([NO_DEADLINE if v is None else v for v in column[13]], dtype=np.int32)
        self.next_start = np.array([NO_DATE if v is None else v for v in column[14]], dtype=np.int32)
        self.months: dict[int, np.ndarray] = {}
        for n, months in enumerate(column[16]):
            for month in months:
                self._month(month)[n] = True
        self.words = np.array(column[15], dtype=np.int64)
        self.stamps = np.array(column[17], dtype=np.int64)
        self._postings(postings)
        self.deleted = False  # listings were deleted since: build afresh
        self.overlay: dict[int, dict[str, int]] = {}  # row -> lexeme -> best weight class
        self.overlaid = np.zeros(self.size, dtype=bool)
        self._orders: dict[str, np.ndarray] = {}
        self._lexemes: dict[tsquery.Lexeme, tuple] = {}

    # Building

    def _code(self, name: str, value) -> int:
        return self.codes[name].setdefault(value, len(self.codes[name]))

    def _visa_bits(self, visas) -> int:
        bits = 0
        for visa in visas or ():
            bits |= 1 << self._code("visa", visa)
        return bits

    def _month(self, month: int) -> np.ndarray:
        if month not in self.months:
            self.months[month] = np.zeros(self.size, dtype=bool)
        return self.months[month]

    def _postings(self, postings: list[tuple]) -> None:
        """All the postings' rows in one array; each lexeme's (start, end, A's end, B's end) in it."""
        ids = np.fromiter((listing for _, listings, _, _ in postings for listing in listings), dtype=np.int64)
        rows = np.searchsorted(self.ids, ids)
        if len(ids) and (rows.max() >= self.size or (self.ids[rows] != ids).any()):
            raise ReadApart("the postings name a listing the rows do not have")
        self.posting_rows = rows.astype(np.int32)
        self.postings = {}
        start = 0
        for lexeme, listings, a, ab in postings:
            end = start + len(listings)
            self.postings[lexeme] = (start, end, start + a, start + ab)
            start = end
        self.vocabulary = sorted(self.postings)

    # Catching up

    def apply(self, rows: list[tuple]) -> None:
        """Rows read again (changed, new, or no longer public) replace what the index held."""
        new = [row for row in rows if row[0] not in self.row_of]
        if new:
            self._grow(len(new))
            for row in new:
                self.row_of[row[0]] = self.size
                self.ids[self.size] = row[0]
                self.size += 1
        # A row read again unchanged (as each is while an older transaction still runs) keeps the
        # orders and keyword rows worked out so far; each costs milliseconds to work out again.
        reordered = rewords = bool(new)
        for row in rows:
            order_changed, words_changed = self._set(self.row_of[row[0]], row)
            reordered, rewords = reordered or order_changed, rewords or words_changed
        if reordered:
            self._orders.clear()
        if rewords:
            self._lexemes.clear()

    def _grow(self, extra: int) -> None:
        def grown(array, fill):
            return np.concatenate([array, np.full(extra, fill, dtype=array.dtype)])

        self.ids, self.public, self.duration = grown(self.ids, 0), grown(self.public, False), grown(self.duration, 0)
        self.category = {name: grown(codes, -1) for name, codes in self.category.items()}
        self.visas, self.fee, self.letter = grown(self.visas, 0), grown(self.fee, 0), grown(self.letter, False)
        self.review_count, self.review_average = grown(self.review_count, 0), grown(self.review_average, np.nan)
        self.seats_open, self.seats_until = grown(self.seats_open, 0), grown(self.seats_until, NO_DEADLINE)
        self.next_start, self.words = grown(self.next_start, NO_DATE), grown(self.words, 0)
        self.stamps = grown(self.stamps, 0)
        self.overlaid = grown(self.overlaid, True)  # a new row's words are in the overlay, never in postings
        self.months = {month: grown(rows, False) for month, rows in self.months.items()}

    def _set(self, n: int, row: tuple) -> tuple[bool, bool]:
        """Write the row; whether what the sorts read changed, and whether its words did."""
        sorted_by = self._sorted_by(n)
        (_, public, specialty, rotation_type, state, audience, visas, duration, fee, letter, review_count,
         review_average, seats_open, seats_until, next_start, words, months, stamp, document, head, title) = row
        self.public[n] = public
        for name, value in (("specialty", specialty), ("rotation_type", rotation_type), ("state", state),
                            ("audience", audience)):
            self.category[name][n] = self._code(name, value)
        self.visas[n] = self._visa_bits(visas)
        self.duration[n], self.fee[n], self.letter[n] = duration, fee, letter
        self.review_count[n] = review_count
        self.review_average[n] = np.nan if review_average is None else review_average
        self.seats_open[n] = seats_open
        self.seats_until[n] = NO_DEADLINE if seats_until is None else seats_until
        self.next_start[n] = NO_DATE if next_start is None else next_start
        self.stamps[n] = stamp
        for rows in self.months.values():
            rows[n] = False
        for month in months:
            self._month(month)[n] = True
        words_changed = words != self.words[n]
        if words_changed or (self.overlaid[n] and n not in self.overlay):
            self.words[n] = words
            self.overlaid[n] = True
            title, head = set(title or ()), set(head or ())
            self.overlay[n] = {lexeme: 0 if lexeme in title else 1 if lexeme in head else 2 for lexeme in document or ()}
        return not np.array_equal(sorted_by, self._sorted_by(n), equal_nan=True), words_changed

    def _sorted_by(self, n: int) -> np.ndarray:
        return np.array([self.fee[n], self.next_start[n], self.review_count[n], self.review_average[n]], dtype=np.float64)

    # Searching

    def search(self, params, *, sort: str, keywords: tsquery.Node | None, tiers: bool, today: date) -> Answer:
        matches = self._filter(params, today)
        if keywords is not None:
            matches &= self._keyword_rows(keywords, ANYWHERE)
        order, rank = self._order(sort)
        if not (tiers and keywords is not None):
            return Answer(self, order, rank, [matches])
        title = matches & self._keyword_rows(keywords, IN_TITLE)
        head = matches & self._keyword_rows(keywords, IN_HEAD) & ~title
        return Answer(self, order, rank, [title, head, matches & ~title & ~head])

    def _keyword_rows(self, keywords: tsquery.Node, part: int) -> np.ndarray:
        """The query against one part of each listing's words: the whole document, its A and B
        lexemes (search_head) or its A lexemes (search_title); a "not" counts only that part."""
        return tsquery.evaluate(keywords, lambda lexeme: self._lexeme(lexeme)[part])

    def _filter(self, params, today: date) -> np.ndarray:
        from .search import AUDIENCES, DURATIONS, RATED_AT_LEAST  # the form's own meanings of its choices

        matches = self.public.copy()
        for param, name in CATEGORIES.items():
            if params.get(param):
                matches &= self.category[name] == self.codes[name].get(params[param], -2)
        if params.get("hands_on"):
            matches &= self._any_of("rotation_type", RotationType.hands_on())
        if params.get("start_month"):
            first = params["start_month"]
            month = self.months.get(first.year * 12 + first.month)
            matches &= month if month is not None else False
        if params.get("duration"):
            low, high = DURATIONS[params["duration"]]
            matches &= (self.duration >= low) & (self.duration <= high)
        if params.get("free"):
            matches &= self.fee == 0
        if params.get("max_fee") is not None:
            matches &= self.fee <= params["max_fee"]
        if params.get("audience"):
            matches &= self._any_of("audience", AUDIENCES[params["audience"]])
        if params.get("visa"):
            code = self.codes["visa"].get(params["visa"])
            accepted = (self.visas & (1 << code)) != 0 if code is not None else False
            matches &= accepted | (self.visas == 0)  # no visa listed: any visa status
        if params.get("letter"):
            matches &= self.letter
        if params.get("rated"):
            matches &= (self.review_count >= settings.REVIEWS_MIN_PUBLISHED) & (self.review_average >= RATED_AT_LEAST)
        if params.get("open_only"):
            day = (today - EPOCH).days
            kept = (self.seats_open > 0) & (self.seats_until >= day)
            stale = matches & (self.seats_until != NO_DEADLINE) & (self.seats_until < day)
            matches &= kept | self._open_after_deadline(stale, today)
        return matches

    def _any_of(self, name: str, values) -> np.ndarray:
        # A comparison per value: a few passes over the column beat one gather through a table.
        codes = [self.codes[name][value] for value in values if value in self.codes[name]]
        found = np.zeros(self.size, dtype=bool)
        for code in codes:
            found |= self.category[name] == code
        return found

    def _open_after_deadline(self, stale: np.ndarray, today: date) -> np.ndarray:
        """Listings whose kept seats count a deadline that has passed (between midnight and the
        hourly refresh): open if a slot still takes applications and has a seat, asked of the slots."""
        from .search import seats_with_seats_left

        found = np.zeros(self.size, dtype=bool)
        if stale.any():
            open_listings = seats_with_seats_left(today).filter(listing_id__in=self.ids[stale].tolist())
            found[[self.row_of[listing] for listing in open_listings.values_list("listing_id", flat=True).distinct()]] = True
        return found

    def _lexeme(self, wanted: tsquery.Lexeme) -> tuple:
        """Rows holding the lexeme (or, for a prefix, one starting with it): anywhere, weighing A
        or B, weighing A."""
        kept = self._lexemes.get(wanted)
        if kept is not None:
            return kept
        text = wanted.text
        parts = [[], [], []]
        for lexeme in self.vocabulary[bisect.bisect_left(self.vocabulary, text):]:
            if not (lexeme.startswith(text) if wanted.prefix else lexeme == text):
                break
            start, end, a, ab = self.postings[lexeme]
            rows = self.posting_rows
            parts[0].append(rows[start:end]), parts[1].append(rows[start:ab]), parts[2].append(rows[start:a])
        found = []
        for chosen in parts:
            rows = np.zeros(self.size, dtype=bool)
            if chosen:
                rows[np.concatenate(chosen)] = True
            found.append(rows & ~self.overlaid)
        for n, lexemes in self.overlay.items():
            if wanted.prefix:
                best = min((weight for lexeme, weight in lexemes.items() if lexeme.startswith(text)), default=None)
            else:
                best = lexemes.get(text)
            if best is not None:
                found[0][n], found[1][n], found[2][n] = True, best <= 1, best == 0
        if len(self._lexemes) > 256:
            self._lexemes.clear()
        self._lexemes[wanted] = kept = tuple(found)
        return kept

    def heads(self, count: int) -> list[tuple[int, int]]:
        """The first `count` public listings of each sort, each once, with their stamps."""
        rows = {}
        for sort in ("soonest", "fee", "rated"):
            order, _ = self._order(sort)
            rows.update(dict.fromkeys(order[self.public[order]][:count].tolist()))
        found = np.fromiter(rows, dtype=np.int64, count=len(rows))
        return list(zip(self.ids[found].tolist(), self.stamps[found].tolist(), strict=True))

    def _order(self, sort: str) -> tuple[np.ndarray, np.ndarray]:
        """Every row in the sort's order (rotations/search_order.py states the same orders in SQL),
        and each row's place in it."""
        kept = self._orders.get(sort)
        if kept is None:
            keys = {
                "soonest": (self.ids, self.fee, self.next_start),
                "fee": (self.ids, self.next_start, self.fee),
                "rated": (self.ids, self.next_start, -self.review_count, -self._rating()),
            }[sort]
            order = np.lexsort(keys)  # the last key sorts first
            rank = np.empty(len(order), dtype=np.int64)
            rank[order] = np.arange(len(order))
            kept = self._orders[sort] = (order, rank)
        return kept

    def _rating(self) -> np.ndarray:
        """The average shown (none below the small-numbers threshold); missing ones sort last."""
        shown = np.where(self.review_count >= settings.REVIEWS_MIN_PUBLISHED, self.review_average, np.nan)
        return np.nan_to_num(shown, nan=-np.inf)


_index: Index | None = None
_lock = threading.Lock()
logger = logging.getLogger(__name__)


def search(params, *, sort: str, words: list[str] | None, websearch: str | None, tiers: bool,
           today: date) -> Answer | None:
    """The matches of `params` (SearchForm.cleaned_data) and of the search box, in the sort's
    order, relevance tiers first if asked; None when the index cannot answer. The search box is
    read as `keyword_query` reads it: `words` each as a prefix, all of them, or-ed with `websearch`
    (the box in web-search syntax) unless it holds plain words only."""
    global _index
    with _lock:
        for _ in range(2):  # built afresh at most once
            if _index is None or _index.deleted or len(_index.overlay) > OVERLAY_MAX:
                _index = _build()
                if _index is None:
                    return None
                # Python's full collections would walk the index's hundreds of thousands of objects
                # (100-200 ms pauses, seen as the API's p99): it is kept out of them, as long-lived.
                gc.collect()
                gc.freeze()
            keywords = _catch_up(_index, words, websearch)
            if not _index.deleted:
                break
        if keywords is False:
            return None
        return _index.search(params, sort=sort, keywords=keywords, tiers=tiers, today=today)


def _build() -> Index | None:
    for _ in range(3):
        try:
            return _read()
        except ReadApart:  # a listing written between the two reads (rows, postings): read again
            continue
    return None


def _read() -> Index | None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {HORIZON}, {WRITING}, {DELETES}")  # before the read: what has not ended is read again
        xmin, writing, deletes = cursor.fetchone()
        if writing:
            return None
        cursor.execute(f"SELECT {COLUMNS} {FROM} ORDER BY l.id")
        rows = cursor.fetchall()
        cursor.execute(POSTINGS_SQL)
        postings = cursor.fetchall()
    return Index(rows, postings, xmin, deletes)


def _catch_up(index: Index, words: list[str] | None, websearch: str | None) -> tsquery.Node | None | bool:
    """Apply what changed; answer the search box's query (None if empty), or False if this
    transaction has written or the index cannot read the query (see `_keywords`)."""
    params = {"since": index.xmin, "prefixes": " & ".join(f"{word}:*" for word in words) if words else None,
              "websearch": websearch}
    with connection.cursor() as cursor:
        if connection.connection not in _prepared:
            # Only our statement is prepared on Django's connections (psycopg2 binds on the client).
            cursor.execute("SET plan_cache_mode = force_generic_plan")
            cursor.execute(f"PREPARE {CATCH_UP} (bigint, text, text) AS {CATCH_UP_SQL}")
            _prepared[connection.connection] = True
        cursor.execute(f"EXECUTE {CATCH_UP} (%(since)s, %(prefixes)s, %(websearch)s)", params)
        rows = cursor.fetchall()
        if len(rows) > CATCH_UP_LIMIT:  # more changed than the prepared plan reads: all of them
            cursor.execute(CATCH_UP_ALL_SQL, params)
            rows = cursor.fetchall()
    if rows[0][1]:  # this transaction has written: nothing it read may stay
        return False
    index.xmin, index.deleted = rows[0][0], rows[0][2] != index.deletes
    changed = [row[5:] for row in rows if row[5] is not None]
    if changed:
        index.apply(changed)
    if not words and not websearch:
        return None
    return _keywords(rows[0][3] if words else None, rows[0][4] if websearch else None)


def _keywords(prefixes: str | None, websearch: str | None) -> tsquery.Node | bool:
    """`keyword_query` as a tree: the words as prefixes, or-ed with the web-search reading if
    there is one; False where the index cannot answer as PostgreSQL would. A part read as empty
    (stop words only) is left to PostgreSQL. A phrase ("internal medicine") needs positions the
    index does not keep: it is answered only when the prefixes alone match all the phrase would
    (a query needing every lexeme, each starting with one of the prefixes)."""
    prefix_tree = tsquery.parse(prefixes) if prefixes is not None else None
    web_tree = tsquery.parse(websearch) if websearch is not None else None
    if (prefixes is not None and prefix_tree is None) or (websearch is not None and web_tree is None):
        return False
    if prefix_tree is not None and tsquery.has_phrase(prefix_tree):
        return False  # a word PostgreSQL splits in two ("foo_bar")
    if web_tree is None or prefix_tree is None:
        return (web_tree or prefix_tree) if not tsquery.has_phrase(web_tree or prefix_tree) else False
    if not tsquery.has_phrase(web_tree):
        return tsquery.Either(web_tree, prefix_tree)
    if not tsquery.every_lexeme_needed(web_tree):
        return False
    needed = [lexeme.text for lexeme in tsquery.lexemes(web_tree)]
    if all(any(text.startswith(prefix.text) for text in needed) for prefix in tsquery.lexemes(prefix_tree)):
        return prefix_tree
    return False


def warm() -> None:
    """Build the index now, so that a fresh web process's first search does not wait for it
    (about 3 s for 100,000 listings); gunicorn calls this as each worker starts (gunicorn.conf.py)."""
    if not settings.SEARCH_INDEX:
        return
    try:
        search({}, sort="soonest", words=None, websearch=None, tiers=False, today=timezone.localdate())
    except DatabaseError:
        logger.warning("search index not built at start; the first search builds it", exc_info=True)
    finally:
        connection.close()  # the worker's requests open their own


def heads(count: int) -> list[tuple[int, int]]:
    """The ids and stamps of the listings at the head of each sort order (none without an index):
    the first pages of most searches show them, whatever their filters, so each web process draws
    them as it starts (rotations/search_kept.py)."""
    with _lock:
        return _index.heads(count) if _index is not None else []


def forget() -> None:
    """For tests: the next search builds the index afresh (it holds an earlier test's listings)."""
    global _index
    with _lock:
        _index = None
        gc.unfreeze()
