"""Events: the declared calendar, their impact against a counterfactual, and changepoints.

* :mod:`escucha.events.calendar`: ``config/events.yaml`` read and validated (no heavy imports).
* :mod:`escucha.events.impact`: effect of an event on a topic's daily volume (statsmodels).
* :mod:`escucha.events.changepoints`: level shifts in a daily series (ruptures).

Names are re-exported lazily so that importing the calendar does not import statsmodels or ruptures.
"""
from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "Event": "calendar", "EventsConfigError": "calendar", "events_frame": "calendar",
    "load_events": "calendar", "ImpactEstimate": "impact", "estimate_impact": "impact",
    "Changepoint": "changepoints", "changepoints_frame": "changepoints",
    "detect_changepoints": "changepoints",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
