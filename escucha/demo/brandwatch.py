"""Write a Brandwatch-style mentions export: ``exports/vendor/brandwatch_mentions_YYYY-MM.csv``.

A vendor's query "Derrame de petróleo" for one month (2022-01 when the run covers it, else the
run's first month), as the Consumer Research mentions export writes it: UTF-8 with a byte-order
mark, every field quoted, six report lines (``"Brandwatch"``, ``"Report:","Mentions"``,
``"Brand:"``, ``"From:"``, ``"To:"``, ``"Label:"``) and a blank line before the header, then the
mentions table with Brandwatch's column names (most columns stay empty), newest mention first.

It holds

* a ~10% sample of that month's X posts about ``derrame_petroleo`` again (``Page Type``
  ``twitter``, ``Url`` ``https://twitter.com/<handle>/status/<id>``): duplicates of posts in
  ``x_search_YYYY-MM.jsonl`` that the warehouse must recognise by the X id in the URL;
* news articles and blog posts on the spill from sites we do not collect otherwise
  (``Page Type`` ``news`` / ``blog``): posts that exist only here.  Their ground-truth network
  is the page type and their id the article's ``Url``.

``Date``, ``Added`` and ``Updated`` are UTC (``2022-01-16 14:05:00.0``).  The vendor's
``Sentiment`` is its own classifier's guess, not the ground truth.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import numpy as np

from . import phrases as P
from .engagement import Engagement
from .interactions import EVENT_SENTIMENT, TOPIC_SENTIMENT
from .population import X, Authors
from .posts import LANGS, QUOTE, REPLY, SENTIMENTS, SHARE, PostTable
from .timeline import DAY_S, LIMA_UTC_OFFSET_S, Event, utc_epoch
from .twarc2 import month_key

PREFERRED_MONTH = "2022-01"
TOPIC = "derrame_petroleo"
SAMPLE_P = 0.10
QUERY_ID = "2001843275"
QUERY_NAME = "Derrame de petróleo - Perú"
#: Brandwatch Consumer Research mentions export columns, in the export's order
COLUMNS: tuple[str, ...] = (
    "Query Id", "Query Name", "Date", "Title", "Url", "Domain", "Sentiment", "Page Type", "Language",
    "Country Code", "Continent Code", "Continent", "Country", "City Code", "Account Type", "Added", "Assignment",
    "Author", "Avatar", "Category Details", "Checked", "City", "Display URLs", "Expanded URLs",
    "Facebook Author ID", "Facebook Comments", "Facebook Likes", "Facebook Role", "Facebook Shares",
    "Facebook Subtype", "Full Name", "Full Text", "Gender", "Hashtags", "Impact", "Impressions",
    "Instagram Comments", "Instagram Followers", "Instagram Following", "Instagram Interactions Count",
    "Instagram Likes", "Instagram Posts", "Interest", "Last Assignment Date", "Latitude", "Location Name",
    "Longitude", "Media Filter", "Media URLs", "Mentioned Authors", "Original Url", "Priority", "Professions",
    "Resource Id", "Short URLs", "Starred", "Status", "Subtype", "Thread Author", "Thread Created Date",
    "Thread Entry Type", "Thread Id", "Thread URL", "Total Monthly Visitors", "Twitter Author ID",
    "Twitter Channel Role", "Twitter Followers", "Twitter Following", "Twitter Reply Count", "Twitter Reply to",
    "Twitter Retweet of", "Twitter Retweets", "Twitter Likes", "Twitter Tweets", "Twitter Verified", "Updated",
    "Reach (new)", "Engagement Type", "Engagement", "Likes", "Comments", "Shares",
)
#: news sites: domain -> (outlet, monthly visitors, department)
NEWS_SITES: dict[str, tuple[str, int, str]] = {
    "rpp.pe": ("RPP Noticias", 38_000_000, "Lima"), "larepublica.pe": ("La República", 31_000_000, "Lima"),
    "elcomercio.pe": ("El Comercio", 35_000_000, "Lima"), "andina.pe": ("Agencia Andina", 6_500_000, "Lima"),
    "infobae.com": ("Infobae", 180_000_000, "Lima"), "ojo-publico.com": ("Ojo Público", 900_000, "Lima"),
    "convoca.pe": ("Convoca", 350_000, "Lima"), "exitosanoticias.pe": ("Exitosa Noticias", 8_000_000, "Lima"),
    "canaln.pe": ("Canal N", 2_500_000, "Lima"), "peru21.pe": ("Perú21", 9_000_000, "Lima"),
    "diariocorreo.pe": ("Diario Correo", 12_000_000, "Arequipa"),
}
#: blogs: domain -> (blog name, author display name, account type, gender, department)
BLOGS: dict[str, tuple[str, str, str, str | None, str]] = {
    "mardefondo.lamula.pe": ("Mar de fondo", "Rosa Huerta Salas", "person", "female", "Lima"),
    "pescadoresancon.wordpress.com": ("Pescadores de Ancón", "Gremio de Pescadores de Ancón", "other", None, "Lima"),
    "ecologiaperuana.blogspot.com": ("Ecología peruana", "Martín Quispe Ayala", "person", "male", "Cusco"),
    "blog.pucp.edu.pe/marycosta": ("Mar y costa", "Claudia Ferreyra Núñez", "person", "female", "Lima"),
    "amazoniaymar.lamula.pe": ("Amazonía y mar", "Colectivo Amazonía y Mar", "ngo", None, "Loreto"),
}
UBIGEO = {"Lima": "15", "Arequipa": "04", "Cusco": "08", "Loreto": "16"}
COUNTRY = {"PE": ("PER", "Peru"), "VE": ("VEN", "Venezuela"), "CO": ("COL", "Colombia"), "CL": ("CHL", "Chile"),
           "ES": ("ESP", "Spain"), "US": ("USA", "United States"), "AR": ("ARG", "Argentina"), "IT": ("ITA", "Italy")}
CONTINENT = {"PER": "s-a", "VEN": "s-a", "COL": "s-a", "CHL": "s-a", "ARG": "s-a", "ESP": "eur", "ITA": "eur",
             "USA": "n-a"}
CONTINENT_NAME = {"s-a": "South America", "eur": "Europe", "n-a": "North America"}
PREAMBLE_LINES = 7      # report lines and a blank line before the header


@dataclass
class WebPost:
    """A post that only the vendor export holds (ground truth)."""

    network: str
    post_id: str
    t: int
    author_key: str
    topics: list[str]
    sentiment: str
    language: str
    event: str | None
    text: str
    file: str
    line: int
    kind: str = "post"
    ref_post_key: str | None = None


@dataclass
class WebAuthor:
    """A news site or blog (ground truth)."""

    author_key: str
    network: str
    author_id: str
    display_name: str
    account_type: str
    gender: str | None
    department: str | None
    community: int


def choose_month(months: list[str]) -> str | None:
    """2022-01 when the run covers it, else the run's first month."""
    if not months:
        return None
    return PREFERRED_MONTH if PREFERRED_MONTH in months else sorted(months)[0]


def _stamp(t: int) -> str:
    """Brandwatch ``Date`` / ``Added`` / ``Updated``: 2022-01-17 14:15:02.0 (UTC)."""
    return datetime.fromtimestamp(int(t), tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S.0")


def _vendor_sentiment(truth: str, u: float) -> str:
    """The vendor's classifier: right ~65% of the time, over-predicts neutral."""
    if u < 0.65:
        return truth
    if u < 0.9:
        return "neutral"
    return {"positive": "negative", "negative": "positive", "neutral": "negative"}[truth]


def _list(prefix: str, words: list[str]) -> str:
    return ", ".join(prefix + w for w in words)


def write(out_dir: Path, posts: PostTable, authors: Authors, eng: Engagement, events: list[Event],
          start: date, end: date, rng: np.random.Generator
          ) -> tuple[dict[str, tuple[int, int]], dict[int, tuple[str, int]], list[WebPost], list[WebAuthor]]:
    """Write the vendor file; return {file: (rows, lines)}, {X post: (file, line)} for the X rows
    (duplicates), and the web-only posts and their authors."""
    x_rows = np.flatnonzero(posts.net == X)
    months = month_key(posts.t[x_rows])
    month = choose_month(sorted(set(months.tolist())))
    if month is None:
        return {}, {}, [], []
    ti = P.TOPIC_INDEX[TOPIC]
    in_month = x_rows[months == month]
    about = in_month[(posts.topic1[in_month] == ti) | (posts.topic2[in_month] == ti)]
    sample = about[rng.random(len(about)) < SAMPLE_P]

    y, m = (int(v) for v in month.split("-"))
    lo = max(utc_epoch(date(y, m, 1)), utc_epoch(start))
    hi = min(utc_epoch(date(y + (m == 12), m % 12 + 1, 1)), utc_epoch(end + timedelta(days=1))) - 1
    # at least one news article and one blog post on every Lima day the month's window touches
    # (the vendor's web coverage has no gaps), more on the busy days of the spill
    first_day, last_day = (lo + LIMA_UTC_OFFSET_S) // DAY_S, (hi + LIMA_UTC_OFFSET_S) // DAY_S
    seg_lo = np.maximum(lo, np.arange(first_day, last_day + 1) * DAY_S - LIMA_UTC_OFFSET_S)
    seg_hi = np.minimum(hi, np.arange(first_day + 1, last_day + 2) * DAY_S - LIMA_UTC_OFFSET_S - 1)
    daily = seg_lo + (rng.random((2, len(seg_lo))) * (seg_hi - seg_lo + 1)).astype(np.int64)
    n_news = max(len(seg_lo), 3, int(round(0.25 * len(sample))))
    n_blog = max(len(seg_lo), 2, int(round(0.08 * len(sample))))
    base_t = posts.t[about] if len(about) else np.array([lo + (hi - lo) // 2], dtype=np.int64)
    n_extra = (n_news - len(seg_lo), n_blog - len(seg_lo))
    extra_t = base_t[rng.integers(0, len(base_t), sum(n_extra))] + rng.integers(600, 6 * 3600, sum(n_extra))
    extra_t = np.clip(np.where(extra_t > hi, extra_t - 6 * 3600, extra_t), lo, hi)
    web_t = np.concatenate([daily[0], extra_t[:n_extra[0]], daily[1], extra_t[n_extra[0]:]])
    n_web = n_news + n_blog
    r = rng.integers(0, 2**31 - 1, size=(n_web, 8)).tolist()
    u_sent = rng.random(len(sample) + n_web)
    resource_ids = rng.choice(9 * 10**11, size=len(sample) + n_web, replace=False) + 10**11

    spill = next((e for e in events if e.topic == TOPIC), None)
    news_domains = sorted(NEWS_SITES)
    blog_domains = sorted(BLOGS)
    cores = P.CORES[TOPIC]
    web_authors: dict[str, WebAuthor] = {}
    records: list[tuple[int, list, WebPost | None, int]] = []   # (t, row, web post, X post or -1)
    used_urls: set[str] = set()

    def unique(url: str) -> str:
        base, slash = url.rstrip("/"), "/" if url.endswith("/") else ""
        k = 2
        while url in used_urls:
            url = f"{base}-{k}{slash}"
            k += 1
        used_urls.add(url)
        return url

    for j in range(n_web):
        rr = r[j]
        t = int(web_t[j])
        is_news = j < n_news
        day = date.fromordinal(date(1970, 1, 1).toordinal() + (t + LIMA_UTC_OFFSET_S) // 86400)
        in_spill = spill is not None and spill.start <= day <= spill.end
        kw, imp = cores["ventanilla"] if in_spill and "ventanilla" in cores else cores["base"]
        implicit = rr[0] % 100 < 10
        pool = imp if implicit else kw
        head = P.fill(P.compile_template(pool[rr[1] % len(pool)]), rr[2])
        body2 = P.fill(P.compile_template(pool[(rr[1] + 1 + rr[3] % max(1, len(pool) - 1)) % len(pool)]), rr[4])
        probs = EVENT_SENTIMENT["ventanilla"] if in_spill else TOPIC_SENTIMENT[ti]
        truth = SENTIMENTS[int(np.searchsorted(np.cumsum(probs), (rr[5] % 10_000) / 10_000 * probs.sum(),
                                               side="right").clip(0, 2))]
        if is_news:
            domain = news_domains[rr[6] % len(news_domains)]
            outlet, visitors, dept = NEWS_SITES[domain]
            network, akey = "news", f"news:{domain}"
            section = dict(P.NEWS_DOMAINS).get(domain, "actualidad")
            slug = P.URL_SLUGS[TOPIC][rr[7] % len(P.URL_SLUGS[TOPIC])]
            url = unique(f"https://{domain}/{section}/{slug}-{1_300_000 + rr[7] % 400_000}")
            author = f"Redacción {outlet}" if rr[6] % 3 else outlet
            full_name = outlet
            title = head.rstrip(".")
            text = f"{head} {body2} La información fue confirmada por las autoridades."
            web_authors.setdefault(akey, WebAuthor(akey, network, domain, outlet, "media", None, dept, 3))
        else:
            domain = blog_domains[rr[6] % len(blog_domains)]
            name, person, kind, gender, dept = BLOGS[domain]
            visitors = 2_000 + rr[7] % 40_000
            network, akey = "blog", f"blog:{domain}"
            url = unique(f"https://{domain}/{day.isoformat().replace('-', '/')}/{P.URL_SLUGS[TOPIC][rr[7] % 3]}/")
            author, full_name = person, f"{person} ({name})"
            title = f"{name}: {head.rstrip('.')}"
            text = f"{head} {body2} Escribo esto desde la indignación y la esperanza."
            web_authors.setdefault(akey, WebAuthor(akey, network, domain, name, kind, gender, dept, 2))
        tags = [w.lower() for w in text.split() if w.startswith("#")]
        row = dict.fromkeys(COLUMNS, "")
        row.update({
            "Title": title, "Url": url, "Domain": domain.split("/")[0], "Page Type": network, "Language": "es",
            "Country Code": "PER", "Continent Code": "s-a", "Continent": "South America", "Country": "Peru",
            "Author": author, "Full Name": full_name, "Full Text": text, "Hashtags": ", ".join(tags),
            "Impact": f"{min(99.9, 20 + np.log10(visitors) * 7.5):.1f}", "Impressions": visitors // 30,
            "Reach (new)": visitors // 30, "Total Monthly Visitors": visitors, "Thread Id": "0",
            "Engagement": 0, "Likes": 0, "Comments": 0, "Shares": 0,
            "Thread Entry Type": "post", "Original Url": url, "Expanded URLs": url,
        })
        records.append((t, row, WebPost(network, "", t, akey, [TOPIC], truth, "es",
                                        spill.id if in_spill else None, text, "", 0), -1))

    for k, i in enumerate(sample.tolist()):
        a = int(posts.author[i])
        handle = authors.handle[a]
        pid = posts.native_id[i]
        kind = int(posts.kind[i])
        ref = int(posts.ref[i])
        text = posts.text[i]
        country = COUNTRY.get(authors.country[a] or "", ("", ""))
        ref_url = (f"https://twitter.com/{authors.handle[int(posts.author[ref])]}/status/{posts.native_id[ref]}"
                   if ref >= 0 else "")
        row = dict.fromkeys(COLUMNS, "")
        row.update({
            "Title": text, "Url": f"https://twitter.com/{handle}/status/{pid}", "Domain": "twitter.com",
            "Page Type": "twitter", "Language": LANGS[posts.lang[i]], "Country Code": country[0],
            "Continent Code": CONTINENT.get(country[0], ""),
            "Continent": CONTINENT_NAME.get(CONTINENT.get(country[0], ""), ""), "Country": country[1],
            "Account Type": "individual" if authors.account_type[a] == "person" else "organisational",
            "Author": handle, "Avatar": f"https://pbs.twimg.com/profile_images/{authors.native_id[a]}/photo_normal.jpg",
            "Full Name": f"{handle} ({authors.display_name[a]})", "Full Text": text,
            "Gender": (authors.gender[a] or "unknown") if authors.account_type[a] == "person" else "unknown",
            "Hashtags": _list("#", [w[1:].lower().rstrip(".,;:!?") for w in text.split() if w.startswith("#")]),
            "Impact": f"{min(99.9, 10 + np.log10(1 + authors.followers[a]) * 12):.1f}",
            "Impressions": int(eng.impression[i]), "Reach (new)": int(authors.followers[a]),
            "Mentioned Authors": _list("", [w.rstrip(".,;:!?") for w in text.split() if w.startswith("@")]),
            "Original Url": f"https://twitter.com/{handle}/status/{pid}",
            "Thread Id": posts.native_id[ref] if kind == REPLY else "0",
            "Thread Entry Type": {REPLY: "reply", SHARE: "share", QUOTE: "quote"}.get(kind, "post"),
            "Twitter Author ID": authors.native_id[a], "Twitter Followers": int(authors.followers[a]),
            "Twitter Following": int(authors.following[a]), "Twitter Reply Count": int(eng.reply[i]),
            "Twitter Reply to": ref_url if kind == REPLY else "",
            "Twitter Retweet of": ref_url if kind == SHARE else "",
            "Twitter Retweets": int(eng.retweet[i]), "Twitter Likes": int(eng.like[i]),
            "Twitter Tweets": int(authors.statuses[a]), "Twitter Verified": "true" if authors.verified[a] else "false",
            "Engagement Type": {REPLY: "REPLY", SHARE: "RETWEET", QUOTE: "QUOTE"}.get(kind, ""),
            "Engagement": int(eng.like[i] + eng.reply[i] + eng.retweet[i] + eng.quote[i]),
            "Likes": int(eng.like[i]), "Comments": int(eng.reply[i]), "Shares": int(eng.retweet[i]),
        })
        truth = SENTIMENTS[int(posts.sentiment[i])]
        records.append((int(posts.t[i]), row, None, i))
        row["_truth"] = truth

    records.sort(key=lambda rec: (-rec[0], rec[1]["Url"]))          # newest first
    rel = f"exports/vendor/brandwatch_mentions_{month}.csv"
    (out_dir / "exports" / "vendor").mkdir(parents=True, exist_ok=True)
    dup_where: dict[int, tuple[str, int]] = {}
    web_posts: list[WebPost] = []
    with open(out_dir / rel, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n", quoting=csv.QUOTE_ALL)
        w.writerow(["Brandwatch"])
        w.writerow(["Report:", "Mentions"])
        w.writerow(["Brand:", QUERY_NAME])
        w.writerow(["From:", _stamp(lo)])
        w.writerow(["To:", _stamp(hi)])
        w.writerow(["Label:", ""])
        fh.write("\n")
        w.writerow(COLUMNS)
        line = PREAMBLE_LINES + 1
        for k, (t, row, web, i) in enumerate(records):
            line += 1
            truth = row.pop("_truth", web.sentiment if web else "neutral")
            row.update({"Query Id": QUERY_ID, "Query Name": QUERY_NAME, "Date": _stamp(t),
                        "Sentiment": _vendor_sentiment(truth, float(u_sent[k])),
                        "Added": _stamp(t + 60 + (k * 7919) % 1800), "Updated": _stamp(t + 60 + (k * 7919) % 1800),
                        "Checked": "false", "Starred": "false", "Resource Id": str(int(resource_ids[k]))})
            w.writerow([row[c] for c in COLUMNS])
            if web is None:
                dup_where[i] = (rel, line)
            else:
                web.post_id, web.file, web.line = row["Url"], rel, line
                web_posts.append(web)
    return {rel: (len(records), line)}, dup_where, web_posts, sorted(web_authors.values(), key=lambda a: a.author_key)
