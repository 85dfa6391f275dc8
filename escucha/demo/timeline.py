"""Post volumes over time: weekly and daily rhythm, topic mix and planted events.

Volumes are drawn per UTC hour and topic as Poisson counts whose mean is
``posts_per_day`` x weekday factor x diurnal factor (in Lima time) x daily
noise x topic share x event multiplier.  Events multiply the volume of their
topic; a post on an event's topic is attributed to the event with probability
``(m - 1) / m`` (the share of that day's volume the event added).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone

import numpy as np

from .phrases import EVENT_HASHTAGS, OFF_TOPIC, TOPIC_INDEX, TOPICS

LIMA_UTC_OFFSET_S = -5 * 3600
DAY_S = 86400

#: Monday..Sunday, normalised to mean 1 below (Sunday ~0.7 of a weekday).
_WEEKDAY_RAW = np.array([1.06, 1.08, 1.08, 1.06, 1.02, 0.85, 0.72])
WEEKDAY_FACTOR = _WEEKDAY_RAW / _WEEKDAY_RAW.mean()
#: Relative activity per local (Lima) hour 0..23: quiet 1-6 am, busy 8-22 h.
DIURNAL = np.array([0.40, 0.18, 0.09, 0.06, 0.06, 0.12, 0.35, 0.70, 1.00, 1.05, 1.00, 1.00,
                    1.05, 1.00, 0.92, 0.90, 0.95, 1.00, 1.05, 1.12, 1.18, 1.12, 0.95, 0.65])
#: Share of posts per topic on a normal day; the remaining 0.35 is off-topic chatter.
TOPIC_SHARE: dict[str, float] = {
    "congreso": 0.13, "elecciones": 0.07, "informalidad": 0.12, "digitalizacion": 0.09,
    "migracion_venezolana": 0.10, "derrame_petroleo": 0.015, "seguridad_alimentaria": 0.125,
}
OFF_TOPIC_SHARE = 0.35
#: Which topics tend to be mentioned together (row: primary, column: secondary).
COOCCURRENCE = np.array([
    # cong elec info digi migr derr segu
    [0.0, 3.0, 0.5, 0.5, 0.5, 0.5, 0.5],   # congreso
    [3.0, 0.0, 0.5, 0.5, 0.3, 0.2, 0.5],   # elecciones
    [0.5, 0.5, 0.0, 2.0, 2.0, 0.1, 1.5],   # informalidad
    [0.5, 0.3, 2.0, 0.0, 0.3, 0.1, 0.3],   # digitalizacion
    [0.5, 0.3, 2.5, 0.3, 0.0, 0.1, 1.0],   # migracion_venezolana
    [1.0, 0.2, 0.3, 0.1, 0.1, 0.0, 2.0],   # derrame_petroleo
    [0.7, 0.5, 1.5, 0.2, 0.8, 0.3, 0.0],   # seguridad_alimentaria
])
SECONDARY_TOPIC_P = 0.18


@dataclass(frozen=True)
class Event:
    """A planted event: it multiplies the volume of ``topic`` inside [start, end]."""

    id: str
    name: str
    kind: str            # crisis / campaign / national_event
    start: date
    end: date
    topic: str
    multiplier: float    # planted peak multiplier
    peak_start: date
    peak_end: date
    shape: str           # spill / spike / buildup / plateau
    core_key: str        # which text variant event posts use (see phrases.CORES)
    description: str

    def intensity(self, days: np.ndarray) -> np.ndarray:
        """Fraction of the peak effect (0..1) for day ordinals ``days``."""
        k = days - self.start.toordinal()
        inside = (days >= self.start.toordinal()) & (days <= self.end.toordinal())
        f = np.zeros(days.shape, dtype=float)
        if self.shape == "spill":
            f = np.where(k == 0, 0.25, f)
            f = np.where(k == 1, 0.6, f)
            f = np.where((k >= 2) & (k <= 5), 1.0, f)
            f = np.where(k > 5, np.exp(-(k - 5) / 10.0), f)
        elif self.shape == "spike":
            f = np.where((k == 0) | (k == 3), 0.35, f)
            f = np.where((k == 1) | (k == 2), 1.0, f)
        elif self.shape == "buildup":
            peak = self.peak_start.toordinal() - self.start.toordinal()   # index of election day
            rise = 0.45 * np.exp((k - (peak - 2)) / 9.0)
            f = np.where(k <= peak - 2, rise, f)
            f = np.where(k == peak - 1, 0.65, f)
            f = np.where((k == peak) | (k == peak + 1), 1.0, f)
            after = k - (peak + 1)
            f = np.where(k > peak + 1, np.exp(-after / 2.2), f)
        elif self.shape == "plateau":
            f = np.ones(days.shape, dtype=float)
        return np.where(inside, f, 0.0)

    def multiplier_on(self, days: np.ndarray) -> np.ndarray:
        """Volume multiplier of the event's topic for day ordinals ``days``."""
        return 1.0 + (self.multiplier - 1.0) * self.intensity(days)

    def to_json(self) -> dict:
        """Record for ground_truth/events.json."""
        return {
            "id": self.id, "name": self.name, "kind": self.kind,
            "start": self.start.isoformat(), "end": self.end.isoformat(),
            "topics": [self.topic], "planted_multiplier": self.multiplier,
            "peak_start": self.peak_start.isoformat(), "peak_end": self.peak_end.isoformat(),
            "hashtag": EVENT_HASHTAGS.get(self.core_key),
            "description": self.description,
        }


EVENTS: tuple[Event, ...] = (
    Event("vacancia_2021_12", "Moción de vacancia presidencial (diciembre 2021)", "national_event",
          date(2021, 12, 6), date(2021, 12, 9), "congreso", 5.0, date(2021, 12, 7), date(2021, 12, 8),
          "spike", "vacancia", "Votación en el Congreso sobre la admisión de la moción de vacancia."),
    Event("derrame_ventanilla", "Derrame de petróleo en Ventanilla", "crisis",
          date(2022, 1, 15), date(2022, 2, 28), "derrame_petroleo", 15.0, date(2022, 1, 17), date(2022, 1, 20),
          "spill", "ventanilla", "Derrame de crudo en la refinería La Pampilla (Repsol), Ventanilla, Callao."),
    Event("vacancia_2022_03", "Moción de vacancia presidencial (marzo 2022)", "national_event",
          date(2022, 3, 27), date(2022, 3, 30), "congreso", 5.0, date(2022, 3, 28), date(2022, 3, 29),
          "spike", "vacancia", "Debate y votación de la segunda moción de vacancia en el pleno."),
    Event("campana_peru_conectado", "Campaña #PerúConectado", "campaign",
          date(2022, 6, 1), date(2022, 6, 30), "digitalizacion", 2.5, date(2022, 6, 1), date(2022, 6, 30),
          "plateau", "peru_conectado", "Campaña propia de conectividad rural y habilidades digitales."),
    Event("elecciones_regionales_2022", "Elecciones regionales y municipales 2022", "national_event",
          date(2022, 9, 1), date(2022, 10, 9), "elecciones", 6.0, date(2022, 10, 2), date(2022, 10, 3),
          "buildup", "elecciones2022", "Campaña y jornada electoral del 2 de octubre de 2022."),
)


def events_in_range(start: date, end: date) -> list[Event]:
    """Events whose window overlaps [start, end]."""
    return [e for e in EVENTS if e.start <= end and e.end >= start]


def utc_epoch(day: date) -> int:
    """Seconds since the Unix epoch at 00:00 UTC of ``day``."""
    return int(datetime(day.year, day.month, day.day, tzinfo=timezone.utc).timestamp())


@dataclass
class Volumes:
    """Skeleton of all posts: time, primary topic and attributed event."""

    t: np.ndarray          # int64 epoch seconds (UTC)
    topic1: np.ndarray     # int8 topic index, -1 = off-topic
    topic2: np.ndarray     # int8 secondary topic, -1 = none
    event: np.ndarray      # int8 index into ``events``, -1 = none
    events: list[Event]
    local_day0: int        # ordinal of the first local (Lima) day covered


def topic_multipliers(events: list[Event], day_ordinals: np.ndarray) -> np.ndarray:
    """Matrix (n_topics + 1, n_days) of volume multipliers; last row is off-topic (always 1)."""
    m = np.ones((len(TOPICS) + 1, len(day_ordinals)))
    for e in events:
        m[TOPIC_INDEX[e.topic]] *= e.multiplier_on(day_ordinals)
    return m


def build_volumes(start: date, end: date, posts_per_day: int, rng: np.random.Generator) -> Volumes:
    """Draw post timestamps and topics for every UTC hour in [start, end]."""
    n_days = (end - start).days + 1
    events = events_in_range(start, end)
    local_day0 = start.toordinal() - 1                      # first UTC hours are the previous Lima day
    local_days = np.arange(local_day0, end.toordinal() + 1)
    mult = topic_multipliers(events, local_days)
    daily_noise = np.exp(rng.normal(0.0, 0.08, size=len(local_days)))
    weekday = np.array([date.fromordinal(int(d)).weekday() for d in local_days])

    n_hours = n_days * 24
    hours = np.arange(n_hours)
    hour_t0 = utc_epoch(start) + hours * 3600
    local_day_idx = (hour_t0 + LIMA_UTC_OFFSET_S) // DAY_S - (utc_epoch(date.fromordinal(local_day0)) // DAY_S)
    local_hour = (hours + 24 + LIMA_UTC_OFFSET_S // 3600) % 24

    share = np.array([TOPIC_SHARE[t] for t in TOPICS] + [OFF_TOPIC_SHARE])
    base = (posts_per_day * WEEKDAY_FACTOR[weekday[local_day_idx]] * daily_noise[local_day_idx]
            * DIURNAL[local_hour] / DIURNAL.sum())
    lam = base[:, None] * share[None, :] * mult[:, local_day_idx].T      # (n_hours, n_topics+1)
    counts = rng.poisson(lam)

    cell = np.repeat(np.arange(counts.size), counts.ravel())
    hour = cell // counts.shape[1]
    topic = (cell % counts.shape[1]).astype(np.int8)
    topic[topic == OFF_TOPIC] = -1
    t = hour_t0[hour] + rng.integers(0, 3600, size=len(cell))
    order = np.argsort(t, kind="stable")
    t, topic = t[order], topic[order]

    ldi = local_day_index(t, local_day0)
    event = np.full(len(t), -1, dtype=np.int8)
    u = rng.random(len(t))
    for ei, e in enumerate(events):
        ti = TOPIC_INDEX[e.topic]
        m_event = e.multiplier_on(local_days)[ldi]
        p = (m_event - 1.0) / mult[ti, ldi]
        event[(topic == ti) & (u < p)] = ei
    topic2 = draw_secondary_topics(topic, ldi, mult, rng)
    return Volumes(t=t.astype(np.int64), topic1=topic, topic2=topic2, event=event, events=events,
                   local_day0=local_day0)


def local_day_index(t: np.ndarray, local_day0: int) -> np.ndarray:
    """Index of the Lima calendar day of each timestamp, relative to ``local_day0``."""
    return (t + LIMA_UTC_OFFSET_S) // DAY_S - (utc_epoch(date.fromordinal(local_day0)) // DAY_S)


def draw_secondary_topics(topic1: np.ndarray, ldi: np.ndarray, mult: np.ndarray,
                          rng: np.random.Generator) -> np.ndarray:
    """Give ~18% of on-topic posts a second topic, weighted by co-occurrence and that day's volume."""
    topic2 = np.full(len(topic1), -1, dtype=np.int8)
    chosen = np.flatnonzero((topic1 >= 0) & (rng.random(len(topic1)) < SECONDARY_TOPIC_P))
    if len(chosen) == 0:
        return topic2
    share = np.array([TOPIC_SHARE[t] for t in TOPICS])
    w = COOCCURRENCE[topic1[chosen]] * share[None, :] * mult[: len(TOPICS), ldi[chosen]].T
    cum = np.cumsum(w, axis=1)
    u = rng.random(len(chosen)) * cum[:, -1]
    topic2[chosen] = (cum < u[:, None]).sum(axis=1).astype(np.int8)
    return topic2


def assign_networks(vol: Volumes, start: date, n_days: int, shares: tuple[float, ...],
                    rng: np.random.Generator) -> tuple[Volumes, np.ndarray]:
    """Draw a network per post, guaranteeing every UTC day, and every Lima day the range touches,
    has posts on every network.

    A (day, network) cell that drew nothing gets one off-topic post at 17:00 UTC (noon in
    Lima); so does the first UTC day's first five hours (the evening of the Lima day before the
    range), at 03:00 UTC.  Returns the (possibly extended, time-sorted) volumes and the network
    array.
    """
    net = rng.choice(len(shares), size=len(vol.t), p=np.asarray(shares)).astype(np.int8)
    day = (vol.t - utc_epoch(start)) // DAY_S
    present = np.zeros((n_days, len(shares)), dtype=bool)
    present[day, net] = True
    missing_day, missing_net = np.nonzero(~present)
    extra_t = utc_epoch(start) + missing_day.astype(np.int64) * DAY_S + 17 * 3600
    evening = np.zeros(len(shares), dtype=bool)
    evening[net[vol.t < utc_epoch(start) - LIMA_UTC_OFFSET_S]] = True
    missing_evening = np.flatnonzero(~evening)
    if len(missing_evening):
        missing_net = np.concatenate([missing_net, missing_evening])
        extra_t = np.concatenate([extra_t, np.full(len(missing_evening), utc_epoch(start) + 3 * 3600)])
    if len(extra_t):
        k = len(extra_t)
        t = np.concatenate([vol.t, extra_t])
        order = np.argsort(t, kind="stable")
        vol = Volumes(
            t=t[order],
            topic1=np.concatenate([vol.topic1, np.full(k, -1, np.int8)])[order],
            topic2=np.concatenate([vol.topic2, np.full(k, -1, np.int8)])[order],
            event=np.concatenate([vol.event, np.full(k, -1, np.int8)])[order],
            events=vol.events, local_day0=vol.local_day0,
        )
        net = np.concatenate([net, missing_net.astype(np.int8)])[order]
    return vol, net
