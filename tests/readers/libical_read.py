"""Reads an .ics with libical 3 (Evolution, KDE) through GObject introspection, trusting its VTIMEZONEs.

Run by a system Python that has python3-gi and gir1.2-ical-3.0 (the test venv usually has neither).
Prints {UID: [start, end]} in UTC, as iCalendar UTC date-times. Usage: python3 libical_read.py FILE
"""

import json
import sys

import gi

gi.require_version("ICalGLib", "3.0")
from gi.repository import ICalGLib  # noqa: E402

with open(sys.argv[1], encoding="utf-8") as file:
    calendar = ICalGLib.Component.new_from_string(file.read())
zones = {}
component = calendar.get_first_component(ICalGLib.ComponentKind.VTIMEZONE_COMPONENT)
while component is not None:
    zone = ICalGLib.Timezone.new()
    zone.set_component(component.clone())  # the file's definition, not libical's built-in one
    zones[zone.get_tzid()] = zone
    component = calendar.get_next_component(ICalGLib.ComponentKind.VTIMEZONE_COMPONENT)


def utc(event, kind):
    prop = event.get_first_property(kind)
    moment = ICalGLib.Time.new_from_string(prop.get_value().as_ical_string())
    tzid = prop.get_parameter_as_string("TZID")
    if tzid:
        moment.set_timezone(zones[tzid])
    moment.convert_to_zone_inplace(ICalGLib.Timezone.get_utc_timezone())
    return moment.as_ical_string()


found = {}
event = calendar.get_first_component(ICalGLib.ComponentKind.VEVENT_COMPONENT)
while event is not None:
    found[event.get_uid()] = [
        utc(event, ICalGLib.PropertyKind.DTSTART_PROPERTY),
        utc(event, ICalGLib.PropertyKind.DTEND_PROPERTY),
    ]
    event = calendar.get_next_component(ICalGLib.ComponentKind.VEVENT_COMPONENT)
print(json.dumps(found))
