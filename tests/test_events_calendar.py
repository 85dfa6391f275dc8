"""The events calendar: the shipped config/events.yaml, and errors that point at the line."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from escucha.demo.timeline import EVENTS as DEMO_EVENTS
from escucha.events.calendar import DEFAULT_PATH, Event, EventsConfigError, events_frame, load_events
from escucha.topics.registry import DEFAULT_CONFIG, load_config

TOPICS = sorted(load_config(DEFAULT_CONFIG)[1])


def test_shipped_config_loads_against_the_programme_topics() -> None:
    events = {e.event_id: e for e in load_events(DEFAULT_PATH, known_topics=TOPICS)}
    assert sorted(events) == sorted(["vacancia_2021_12", "derrame_ventanilla", "vacancia_2022_03",
                                     "campana_peru_conectado", "elecciones_regionales_2022"])
    spill = events["derrame_ventanilla"]
    assert (spill.start, spill.end, spill.topics, spill.kind, spill.origin) == (
        date(2022, 1, 15), date(2022, 2, 28), ("derrame_petroleo",), "crisis", "real")
    assert events["campana_peru_conectado"].origin == "demo"
    assert events["campana_peru_conectado"].name == "Campaña #PerúConectado"   # not cut at the " #"
    assert {e.event_id for e in events.values() if e.origin == "real"} == {
        "vacancia_2021_12", "derrame_ventanilla", "vacancia_2022_03", "elecciones_regionales_2022"}


def test_shipped_config_matches_the_events_the_demo_plants() -> None:
    events = {e.event_id: e for e in load_events(DEFAULT_PATH)}
    for planted in DEMO_EVENTS:
        event = events[planted.id]
        assert (event.name, event.kind, event.start, event.end, event.topics) == (
            planted.name, planted.kind, planted.start, planted.end, (planted.topic,))


def test_default_path_follows_escucha_events(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "other.yaml"
    path.write_text("events:\n  uno:\n    name: Uno\n    kind: crisis\n    start: 2023-05-02\n"
                    "    topics: [congreso]\n    origin: real\n", encoding="utf-8")
    monkeypatch.setenv("ESCUCHA_EVENTS", str(path))
    [event] = load_events()
    assert event == Event("uno", "Uno", "crisis", date(2023, 5, 2), date(2023, 5, 2), ("congreso",),
                          "real", "")
    assert event.days == 1


GOOD = """\
# a comment
events:
  uno:
    name: Uno
    kind: crisis
    start: 2022-01-15
    end: 2022-01-20
    topics: [congreso]
    origin: real
  dos:
    name: Dos
    kind: campaign
    start: 2022-03-01
    topics: [elecciones, congreso]
    origin: demo
    description: Dos temas.
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "events.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("old, new, event, field, line, words", [
    ("kind: campaign", "kind: campana", "dos", "kind", 12, "'campana' is not one of crisis, campaign"),
    ("end: 2022-01-20", "end: 2022-01-10", "uno", "end", 7, "2022-01-10 is before start 2022-01-15"),
    ("topics: [elecciones, congreso]", "topics: [elecciones, congresso]", "dos", "topics", 14,
     "unknown topic 'congresso'"),
    ("    origin: demo\n", "", "dos", "origin", 10, "is missing"),
    ("start: 2022-03-01", "start: 2022-02-30", "dos", "start", 13, "not a valid date"),
    ("start: 2022-03-01", "start: 1 de marzo", "dos", "start", 13, "not a date written YYYY-MM-DD"),
    ("topics: [congreso]", "topics: []", "uno", "topics", 8, "non-empty list"),
    ("    origin: real\n", "    origin: real\n    topic: congreso\n", "uno", "topic", 10, "unknown field"),
])
def test_errors_name_file_event_field_and_line(tmp_path: Path, old: str, new: str, event: str, field: str,
                                               line: int, words: str) -> None:
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(EventsConfigError) as caught:
        load_events(path, known_topics=TOPICS)
    message = str(caught.value)
    assert message.startswith(f"{path}:{line}: ")
    assert f"event {event!r}" in message and f"field {field!r}" in message and words in message


def test_duplicate_event_id_is_refused_not_silently_overwritten(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD + "  uno:\n    name: Otra vez\n    kind: crisis\n    start: 2022-05-01\n"
                                  "    topics: [congreso]\n    origin: real\n")
    with pytest.raises(EventsConfigError, match=rf"^{path}:17: event 'uno': duplicate event id "
                                                r"\(first defined on line 3\)"):
        load_events(path)


def test_unknown_topics_pass_when_no_topic_list_is_given(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("[congreso]", "[tema_nuevo]"))
    assert load_events(path)[0].topics == ("tema_nuevo",)


def test_missing_file_and_bad_yaml(tmp_path: Path) -> None:
    with pytest.raises(EventsConfigError, match="no events file at"):
        load_events(tmp_path / "absent.yaml")
    with pytest.raises(EventsConfigError, match="not valid YAML"):
        load_events(write(tmp_path, "events:\n  uno: [\n"))


def test_events_frame_has_one_row_per_event_and_topic(tmp_path: Path) -> None:
    frame = events_frame(load_events(write(tmp_path, GOOD), known_topics=TOPICS))
    assert list(frame.columns) == ["event_id", "name", "kind", "start_date", "end_date", "topic_id", "origin",
                                   "description"]
    assert list(zip(frame.event_id, frame.topic_id)) == [("uno", "congreso"), ("dos", "elecciones"),
                                                         ("dos", "congreso")]
    dos = frame[frame.event_id == "dos"]
    assert set(dos.start_date) == set(dos.end_date) == {date(2022, 3, 1)}   # end defaults to start
    assert set(dos.description) == {"Dos temas."}
    shipped = events_frame(load_events(DEFAULT_PATH))
    assert len(shipped) == 5 and shipped.event_id.is_unique
    assert events_frame([]).columns.tolist() == frame.columns.tolist()
