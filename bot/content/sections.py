"""Feature data files beside the FAQ; each feature registers its loader here."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    """A curated data file, its loader (which validates it) and the name it is kept under."""

    name: str
    filename: str
    # "module:function" taking (path, content) and returning the validated data; imported
    # lazily so loading content stays light.
    loader_path: str


SECTIONS: list[Section] = [
    Section("places", "places.yaml", "bot.cdht.places:load_places"),
    Section("assessment", "assessment.yaml", "bot.cdht.assessment:load_assessment"),
    Section("consent", "consent.yaml", "bot.cdht.assessment:load_consent"),
    Section("events", "events.yaml", "bot.reminders.events:load_events"),
    # "programmes" checks deadline_event against "events": keep it after "events".
    Section("programmes", "programmes.yaml", "bot.support.catalogue:load_programmes"),
    Section("glossary", "glossary.yaml", "bot.matching.glossary:load_glossary"),
    Section("out_of_scope", "out_of_scope.yaml", "bot.matching.out_of_scope:load_out_of_scope"),
]
