"""The queue marshal's roll call: who is done, who is missing, which ten to call next.

Headless: the marshal window, the phone page and ``station marshal ...`` all
read the same :class:`~app.roll_call.views.MarshalSnapshot`.

Groups of ten are fixed before the day, the way the school prints its sign-in
sheets (附件4: 按组别打印的签字表): a class's roster students in student-number
order, cut into tens. Group 3 of a class is therefore the same ten people on
the sheet, in the timetable and on the marshal's screen. Calling a group sends
only its members who are neither photographed nor marked absent.

The call order is the latest timetable (``station plan``) for this station
when there is one, otherwise the roster's order of colleges and classes. The
current group is the one the marshal last called; before any call it is the
group of the student photographed last ("auto"), so the view is useful even
when nobody presses the button.

Its layers, each importing only those above it:

- :mod:`app.roll_call.groups`: the groups of ten, the statuses and their labels (no database);
- :mod:`app.roll_call.views`: the snapshot's frozen types (students, classes, colleges, groups, slots);
- :mod:`app.roll_call.queries`: the database reads (the roster's classes, cached; tokens; the timetable's slots);
- :mod:`app.roll_call.snapshot`: the snapshot computed from those reads (:func:`~app.roll_call.snapshot.load`);
- :mod:`app.roll_call.actions`: what the marshal records (absences, calls);
- :mod:`app.roll_call.board`: all of it under one name, for the window, the phone page and the commands.

This package's ``__init__`` imports nothing, so a module low in the house
(``app.reports.common`` needs only the groups) does not pull in the rest.
"""
