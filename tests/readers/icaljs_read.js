// Reads an .ics on stdin with ical.js (Thunderbird, Nextcloud Calendar) the way those apps do:
// the file's own VTIMEZONEs are registered and trusted. Prints {UID: [start, end]} in UTC (ISO 8601).
// Usage: node icaljs_read.js /path/to/node_modules/ical.js < calendar.ics
"use strict";
const ICAL = require(process.argv[2]);
const calendar = new ICAL.Component(ICAL.parse(require("fs").readFileSync(0, "utf8")));
for (const zone of calendar.getAllSubcomponents("vtimezone")) ICAL.TimezoneService.register(zone);
const found = {};
for (const component of calendar.getAllSubcomponents("vevent")) {
  const event = new ICAL.Event(component);
  found[event.uid] = [event.startDate, event.endDate].map((t) => t.toJSDate().toISOString());
}
process.stdout.write(JSON.stringify(found));
