"""An attacker's audit of marts.fct_topic_demographics: can a suppressed value be recomputed?

For every (topic_id, month) the auditor writes down, as an integer program, everything a reader of
the published marts knows about the withheld numbers (authors, posts, engagement of each
suppressed cell), then asks of each one whether it can take two different values (scipy's milp).
A number whose smallest and largest possible values coincide is pinned down by what is
published: it is recoverable, and the suppression failed.

What the reader is assumed to know (all of it is public: the marts and their documentation):

* which cells exist. The table lists only the values that occur, so a value without a row has no
  authors (it is zero and known to be), and a row that exists has at least one author;
* every published authors / posts / engagement figure, group_authors and share_known;
* posts >= authors (an author is counted because of at least one post), engagement >= 0;
* per dimension, the cells add up to group_authors when that is published; an account_type or
  region group whose group_authors is withheld has fewer than 10 authors (documented rule);
* account_type and region partition the same authors: their cells have equal sums of authors,
  posts and engagement; gender and age_band each partition the persons: their sums equal the
  account_type 'person' cell (zero when that cell is absent; a gender or age_band group without
  any row beside a 'person' cell is taken as left out, not as zero);
* share_known * group_authors = authors with a known value, i.e. group_authors minus the
  'unknown' cell;
* marts.fct_topic_daily (when the table exists and has rows for the topic): its monthly sums of
  posts and engagement equal the account_type (and so region) sums of the month, and the month's
  distinct authors lie between the sum over networks of the largest daily author count (an
  author_key belongs to one network) and the sum of all daily author counts.

assume_small=True adds what a reader of the model's SQL knows about the suppression rule. The
literal version of that assumption ("every suppressed cell has at most 9 authors") is false for
complementary cells (they are >= 10 by construction) and would make real months infeasible, so
it is not used. Instead the auditor models the rule itself: in a group whose group_authors is
published, every suppressed cell has at most 9 authors except at most one complementary cell,
which has at least 10, is no larger than the smallest published cell of its group (ties broken
by value, as the SQL ranks them) and exists only when there is at least one primary cell; if
there is none while a cell of the group is published, two or more primary cells are withheld
and they are not all ones; if there is
one, the primary cells are a single cell or are all ones. Groups not published (a total under
10, or gender / age band withheld with the 'person' cell) get no per-cell assumption beyond
their sums. This is a sound, strictly stronger attacker than the default one. Should it still
be infeasible for a month (the data do not follow the rule the auditor believes), that month is
audited with the default knowledge instead and reported in Audit.fallbacks, so a test can demand
there be none.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

MEASURES = ("authors", "posts", "engagement")
DIMENSIONS = ("account_type", "gender", "age_band", "region")
SMALL = 9  # the largest suppressed primary cell: cells under 10 authors are withheld


class InconsistentMarts(ValueError):
    """The published figures of a topic-month contradict each other: no table could produce them."""


@dataclass
class Audit:
    """What audit_disclosure examined and found.

    topic_months: topic-months examined; suppressed_cells: suppressed (topic, month, dimension,
    value) cells among them; unknowns: withheld numbers examined (3 per suppressed cell, one per
    measure); recoverable: those pinned down (see recoverable_cells); fallbacks: (topic_id,
    month) pairs where the assume_small model was infeasible and the default one was used.
    """

    topic_months: int = 0
    suppressed_cells: int = 0
    unknowns: int = 0
    recoverable: list[dict] = field(default_factory=list)
    fallbacks: list[tuple[str, dt.date]] = field(default_factory=list)


def recoverable_cells(con: Any, *, assume_small: bool = False, use_daily: bool = True) -> list[dict]:
    """Every withheld number of marts.fct_topic_demographics that follows from what is published.

    con: a DuckDB connection holding marts.fct_topic_demographics (and, if use_daily and it
    exists, marts.fct_topic_daily). assume_small: also grant the attacker the suppression rule
    (see the module docstring). Returns one dict per recovered number, sorted, with keys
    topic_id, month (datetime.date), dimension, value (the cell's dimension value), measure
    ('authors', 'posts' or 'engagement') and recovered (the int it must be). An empty list means
    no suppressed number can be recomputed. Raises InconsistentMarts when a topic-month's
    published figures contradict each other.
    """
    return audit_disclosure(con, assume_small=assume_small, use_daily=use_daily).recoverable


def audit_disclosure(con: Any, *, assume_small: bool = False, use_daily: bool = True) -> Audit:
    """recoverable_cells with the counts of what was examined (an Audit)."""
    rows = con.execute("""
        select topic_id, cast(month as date), dimension, value, authors, posts, engagement,
            is_suppressed, group_authors, share_known
        from marts.fct_topic_demographics
        order by topic_id, month, dimension, value
    """).fetchall()
    daily, daily_topics = _daily(con) if use_daily else ({}, set())
    months: dict[tuple[str, dt.date], list[tuple]] = {}
    for row in rows:
        months.setdefault((row[0], row[1]), []).append(row[2:])
    audit = Audit()
    for (topic, month), cells in months.items():
        audit.topic_months += 1
        audit.suppressed_cells += sum(1 for c in cells if c[5])
        totals = daily.get((topic, month), (0, 0, 0, 0)) if topic in daily_topics else None
        try:
            found, audited = _Problem(cells, totals, assume_small).recoverable()
        except InconsistentMarts as e:
            if not assume_small:
                raise InconsistentMarts(f"{topic} {month}: {e}") from None
            audit.fallbacks.append((topic, month))
            try:
                found, audited = _Problem(cells, totals, False).recoverable()
            except InconsistentMarts as e:
                raise InconsistentMarts(f"{topic} {month}: {e}") from None
        audit.unknowns += audited
        for (dimension, value, measure), recovered in found:
            audit.recoverable.append({"topic_id": topic, "month": month, "dimension": dimension,
                                      "value": value, "measure": measure, "recovered": recovered})
    audit.recoverable.sort(key=lambda r: (r["topic_id"], r["month"], r["dimension"], r["value"], r["measure"]))
    return audit


def _daily(con: Any) -> tuple[dict, set]:
    """Per (topic, month) of marts.fct_topic_daily: posts, engagement, lowest and highest distinct authors."""
    exists = con.execute("select count(*) from information_schema.tables "
                         "where table_schema = 'marts' and table_name = 'fct_topic_daily'").fetchone()[0]
    if not exists:
        return {}, set()
    out = con.execute("""
        with per_network as (
            select topic_id, cast(date_trunc('month', day) as date) as month, network,
                sum(posts) as posts, sum(coalesce(engagement, 0)) as engagement,
                max(authors) as most, sum(authors) as all_days
            from marts.fct_topic_daily group by all
        )
        select topic_id, month, sum(posts), sum(engagement), sum(most), sum(all_days)
        from per_network group by all
    """).fetchall()
    return {(t, m): tuple(int(v) for v in rest) for t, m, *rest in out}, {t for t, *_ in out}


class _Problem:
    """The integer program of one topic-month."""

    def __init__(self, cells: list[tuple], totals: tuple | None, assume_small: bool):
        self.cells = cells  # (dimension, value, authors, posts, engagement, is_suppressed, group_authors, share)
        self.lb: list[float] = []
        self.ub: list[float] = []
        self.rows: list[tuple[dict[int, float], float, float]] = []
        self.audit: list[tuple[int, tuple[str, str, str]]] = []  # variable, (dimension, value, measure)
        # term[(cell index, measure)] is an int (published) or ("v", variable index)
        self.term: dict[tuple[int, str], Any] = {}
        for i, (dim, value, a, p, e, hidden, *_rest) in enumerate(cells):
            for measure, known in zip(MEASURES, (a, p, e)):
                if known is None:
                    var = self._var(1 if measure == "authors" else 0, math.inf)
                    self.term[i, measure] = ("v", var)
                    if hidden:
                        self.audit.append((var, (dim, value, measure)))
                else:
                    self.term[i, measure] = int(known)
        self.audited = len(self.audit)
        self._compiled: tuple | None = None
        self._constraints(totals)
        if assume_small:
            self._rule()

    # building blocks -------------------------------------------------------------------------
    def _var(self, lo: float, hi: float) -> int:
        self.lb.append(lo)
        self.ub.append(hi)
        return len(self.lb) - 1

    def _add(self, terms: list[tuple[float, Any]], lo: float, hi: float) -> None:
        """lo <= sum(coef * term) <= hi, published terms moved to the bounds."""
        coefs: dict[int, float] = {}
        const = 0.0
        for coef, t in terms:
            if isinstance(t, tuple):
                coefs[t[1]] = coefs.get(t[1], 0.0) + coef
            else:
                const += coef * t
        coefs = {k: v for k, v in coefs.items() if v != 0}
        if not coefs:
            if not (lo - 1e-9 <= const <= hi + 1e-9):
                raise InconsistentMarts(f"published figures break {lo} <= {const} <= {hi}")
            return
        self.rows.append((coefs, lo - const, hi - const))

    def _group(self, dim: str) -> list[int]:
        return [i for i, c in enumerate(self.cells) if c[0] == dim]

    def _sum(self, cells: list[int], measure: str, sign: float = 1.0) -> list[tuple[float, Any]]:
        return [(sign, self.term[i, measure]) for i in cells]

    def _constraints(self, totals: tuple | None) -> None:
        for i in range(len(self.cells)):  # posts >= authors
            self._add([(1, self.term[i, "posts"]), (-1, self.term[i, "authors"])], 0, math.inf)
        groups = {d: self._group(d) for d in DIMENSIONS}
        for dim, cells in groups.items():
            published = {self.cells[i][6] for i in cells} - {None}
            if len(published) > 1:
                raise InconsistentMarts(f"{dim} has several group_authors {published}")
            if published:
                (total,) = published
                self._add(self._sum(cells, "authors"), total, total)
                shares = {self.cells[i][7] for i in cells} - {None}
                unknown = [i for i in cells if self.cells[i][1] == "unknown"]
                for share in shares:  # group_authors - unknown cell = share_known * group_authors
                    known = round(share * total)
                    self._add(self._sum(unknown, "authors"), total - known, total - known)
            elif dim in ("account_type", "region") and cells:  # a group under 10 publishes nothing
                self._add(self._sum(cells, "authors"), 0, SMALL)
        person = [i for i in groups["account_type"] if self.cells[i][1] == "person"]
        for measure in MEASURES:
            self._add(self._sum(groups["account_type"], measure) + self._sum(groups["region"], measure, -1), 0, 0)
            for dim in ("gender", "age_band"):
                if groups[dim] or not person:  # a group left out altogether tells nothing
                    self._add(self._sum(groups[dim], measure) + self._sum(person, measure, -1), 0, 0)
        if totals is not None:
            posts, engagement, fewest, most = totals
            self._add(self._sum(groups["account_type"], "posts"), posts, posts)
            self._add(self._sum(groups["account_type"], "engagement"), engagement, engagement)
            self._add(self._sum(groups["account_type"], "authors"), fewest, most)

    def _rule(self) -> None:
        """The suppression rule of the SQL model, for groups whose group_authors is published."""
        for dim in DIMENSIONS:
            cells = self._group(dim)
            total = next((self.cells[i][6] for i in cells if self.cells[i][6] is not None), None)
            hidden = [i for i in cells if self.cells[i][5]]
            if total is None or not hidden:
                continue
            shown = [(self.cells[i][2], self.cells[i][1]) for i in cells if not self.cells[i][5]]
            k = len(hidden)
            comp = []
            for i in hidden:
                a = self.term[i, "authors"]
                if not isinstance(a, tuple):  # a suppressed cell with published authors: nothing to model
                    continue
                # the complementary cell ranks first, by (authors, value), among the publishable cells
                cap = min([n if self.cells[i][1] < v else n - 1 for n, v in shown] + [total])
                c = self._var(0, 1)
                comp.append((c, a, cap))
                self._add([(1, a), (-(cap - SMALL), ("v", c))], -math.inf, SMALL)  # a <= 9 unless comp
                self._add([(1, a), (-(SMALL + 1), ("v", c))], 0, math.inf)  # a >= 10 if comp
            if not comp:
                continue
            z = [(1, ("v", c)) for c, _, _ in comp]
            self._add(z, 0, min(1, k - 1))  # at most one, and only beside a primary cell
            if k >= 2 and shown:  # no complement beside a publishable cell: primaries, not all ones
                self._add(self._sum(hidden, "authors") + z, k + 1, math.inf)
            if k >= 3:  # with one: the two or more primaries are all ones
                for c, a, cap in comp:
                    self._add([(1, a)] + [(cap, t) for _, t in z] + [(-cap, ("v", c))], -math.inf, 1 + cap)

    # solving ---------------------------------------------------------------------------------
    # HiGHS (scipy 1.17's milp) with presolve on has been seen to report a wrong optimum on these
    # programs (derrame_petroleo 2021-12, assume_small: "max business authors = 1" when 16 fits).
    # So the auditor never trusts an optimum: every solution is checked against the constraints
    # before it counts as a witness ("this unknown can take this value"), and an unknown is called
    # recoverable only when, beside one witnessed value v, the programs "unknown >= v + 1" and
    # "unknown <= v - 1" are both reported infeasible (presolve off). A solver error can then only
    # flag too much, never hide a leak behind a false witness.
    def _compile(self) -> None:
        n = len(self.lb)
        a = np.zeros((len(self.rows), n))
        lo = np.empty(len(self.rows))
        hi = np.empty(len(self.rows))
        for r, (coefs, low, high) in enumerate(self.rows):
            for var, coef in coefs.items():
                a[r, var] = coef
            lo[r], hi[r] = low, high
        self._compiled = (a, lo, hi)

    def _solve(self, objective: np.ndarray, var: int | None = None, lo: float = -math.inf,
               hi: float = math.inf) -> np.ndarray | None:
        """A checked integer solution (optionally with lo <= x[var] <= hi), None when infeasible
        (or, for a non-zero objective, unbounded)."""
        if self._compiled is None:
            self._compile()
        a, row_lo, row_hi = self._compiled
        lb, ub = np.array(self.lb, dtype=float), np.array(self.ub, dtype=float)
        if var is not None:
            lb[var], ub[var] = max(lb[var], lo), min(ub[var], hi)
            if lb[var] > ub[var]:
                return None
        constraints = [LinearConstraint(a, row_lo, row_hi)] if len(row_lo) else []
        res = milp(objective, integrality=np.ones(len(lb)), bounds=Bounds(lb, ub), constraints=constraints,
                   options={"mip_rel_gap": 0, "presolve": False})
        if res.status == 2:
            return None
        if res.x is None:
            if res.status in (3, 4) and np.any(objective):  # a broad objective that is unbounded: no witness
                return None
            raise RuntimeError(f"milp gave up: {res.message}")
        x = np.round(res.x)
        ax = a @ x if len(row_lo) else np.zeros(0)
        if not (np.all(x >= lb) and np.all(x <= ub) and np.all(ax >= row_lo - 1e-6) and np.all(ax <= row_hi + 1e-6)):
            raise RuntimeError(f"milp returned a point that breaks the constraints ({res.message})")
        return x

    def recoverable(self) -> tuple[list[tuple[tuple[str, str, str], int]], int]:
        """((dimension, value, measure), recovered value) of every pinned-down unknown, and how many were examined."""
        return self._recoverable(), self.audited

    def _recoverable(self) -> list[tuple[tuple[str, str, str], int]]:
        n = len(self.lb)
        if not n:
            return []
        x = self._solve(np.zeros(n))
        if x is None:
            raise InconsistentMarts("no table fits the published figures")
        if not self.audit:
            return []
        seen = {var: {x[var]} for var, _ in self.audit}
        audited = [var for var, _ in self.audit]
        # a few broad solutions first: they separate most unknowns that are not pinned down
        rng = np.random.default_rng(0)
        for weights in (np.ones(len(audited)), -np.ones(len(audited)), rng.normal(size=len(audited))):
            objective = np.zeros(n)
            objective[audited] = weights
            self._witness(self._solve(objective), seen)
        found = []
        for var, key in self.audit:
            if len(seen[var]) > 1:
                continue
            (v,) = seen[var]
            for lo, hi in ((v + 1, math.inf), (-math.inf, v - 1)):
                if len(seen[var]) == 1:
                    self._witness(self._solve(np.zeros(n), var, lo, hi), seen)
            if len(seen[var]) == 1:
                found.append((key, int(v)))
        return found

    @staticmethod
    def _witness(x: np.ndarray | None, seen: dict) -> None:
        if x is not None:
            for var, values in seen.items():
                values.add(x[var])
