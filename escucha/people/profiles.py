"""Per-author demographic profile: account type, gender, age band and region, with evidence.

Individual inferences stay inside the warehouse; marts publish aggregates only.

    profile_authors(rows, reference_year) -> DataFrame, one row per input row:

    author_key
    account_type             person | media | government | ngo | business | other | unknown
    account_type_confidence  0..1 (0 for unknown)
    account_type_evidence
    gender                   female | male | unknown for persons; null for every other type
    gender_confidence        0..1 (0 for unknown); null when gender is null
    gender_evidence
    age_band                 18-24 | 25-34 | 35-44 | 45-54 | 55+ | unknown for persons; null otherwise
    age_confidence           0..1 (0 for unknown); null when age_band is null
    age_evidence
    department               Peru department (official name, e.g. "Áncash") or null
    ubigeo                   INEI department code, 2 digits, or null
    province                 province name or null (only when the text names a city/district)
    province_ubigeo          INEI province code, 4 digits, or null
    country                  ISO 3166-1 alpha-2 of residence ("PE", "VE"...) or null
    region_confidence        0..1 (0 when department and country are null)
    region_evidence

Work is done once per distinct string (display name, handle, bio, location) through caches in
the per-attribute modules, so 100k authors take a few seconds.
"""
from __future__ import annotations

import gc

import pandas as pd
import pyarrow as pa

from . import account_type as at
from . import age as age_mod
from . import gender as gender_mod
from . import region as region_mod

OUTPUT_COLUMNS: tuple[str, ...] = (
    "author_key", "account_type", "account_type_confidence", "account_type_evidence",
    "gender", "gender_confidence", "gender_evidence",
    "age_band", "age_confidence", "age_evidence",
    "department", "ubigeo", "province", "province_ubigeo", "country", "region_confidence", "region_evidence",
)
INPUT_COLUMNS: tuple[str, ...] = ("author_key", "display_name", "handle", "bio", "location")


def _text(v) -> str | None:
    if v is None or (isinstance(v, float) and v != v) or v is pd.NA:
        return None
    s = str(v).strip()
    return s or None


def profile_author(display_name: str | None, handle: str | None, bio: str | None, location: str | None,
                   reference_year: int) -> dict:
    """All inferences for one author (without ``author_key``)."""
    kind, kconf, kev = at.account_type(display_name, handle, bio)
    out: dict = {"account_type": kind, "account_type_confidence": kconf, "account_type_evidence": kev}
    if kind == "person":
        g, gconf, gev = gender_mod.gender_of_person(display_name, handle, bio)
        a, aconf, aev = age_mod.age_band(bio, reference_year)
        out.update(gender=g, gender_confidence=gconf, gender_evidence=gev,
                   age_band=a, age_confidence=aconf, age_evidence=aev)
    else:
        why = f"not a person (account type {kind})"
        out.update(gender=None, gender_confidence=None, gender_evidence=why,
                   age_band=None, age_confidence=None, age_evidence=why)
    r = region_mod.region(location, bio, display_name, kind)
    out.update(department=r.department, ubigeo=r.ubigeo, province=r.province, province_ubigeo=r.province_ubigeo,
               country=r.country, region_confidence=r.confidence, region_evidence=r.evidence)
    return out


def profile_authors(rows: pd.DataFrame, reference_year: int) -> pd.DataFrame:
    """Profile every row of ``rows`` (columns author_key, display_name, handle, bio, location;
    missing text columns count as empty).  Returns the columns in ``OUTPUT_COLUMNS``."""
    n = len(rows)
    cols = {c: (rows[c].tolist() if c in rows.columns else [None] * n) for c in INPUT_COLUMNS}
    if "author_key" not in rows.columns:
        raise KeyError("rows need an author_key column")
    memo: dict[tuple, dict] = {}
    records: list[dict] = []
    was_enabled = gc.isenabled()
    gc.disable()        # many small cached objects: collections would dominate the run time
    try:
        for dn, h, b, loc in zip(cols["display_name"], cols["handle"], cols["bio"], cols["location"]):
            args = (_text(dn), _text(h), _text(b), _text(loc))
            got = memo.get(args)
            if got is None:
                got = profile_author(*args, reference_year=reference_year)
                memo[args] = got
            records.append(got)
    finally:
        if was_enabled:
            gc.enable()
    out = pd.DataFrame.from_records(records, columns=OUTPUT_COLUMNS[1:]) if records else \
        pd.DataFrame(columns=OUTPUT_COLUMNS[1:])
    out.insert(0, "author_key", cols["author_key"])
    for c in ("account_type_confidence", "gender_confidence", "age_confidence", "region_confidence"):
        out[c] = out[c].astype("float64")
    for c in OUTPUT_COLUMNS:
        if c not in ("account_type_confidence", "gender_confidence", "age_confidence", "region_confidence"):
            out[c] = out[c].astype("string")
    return out[list(OUTPUT_COLUMNS)]


def profile_batch(batch: pa.Table) -> pd.DataFrame:
    """Profile a batch of authors (profile_authors' columns, plus ``reference_year`` and
    ``input_hash``), each with the reference year of its row; ``input_hash`` is carried through.
    A module-level function, so escucha.batches can run it in worker processes. The per-string
    caches are emptied after each batch: full, they held about 800 MB in each worker of the 10M
    year, and a batch repeats its own strings far more than the next batch's."""
    inputs = batch.to_pandas()
    frames = [profile_authors(group, reference_year=int(year)).assign(input_hash=group["input_hash"].to_numpy())
              for year, group in inputs.groupby("reference_year", sort=True)]
    if not frames:
        frames = [profile_authors(inputs, 2000).assign(input_hash=pd.Series([], dtype="string"))]
    forget_cached_strings()
    return pd.concat(frames, ignore_index=True)


def forget_cached_strings() -> None:
    """Empty the per-string caches of the attribute modules (not the lexicons each loads once)."""
    for module in (at, age_mod, gender_mod, region_mod):
        for value in vars(module).values():
            info = getattr(value, "cache_info", None)
            if info is not None and (info().maxsize or 0) > 1:
                value.cache_clear()
