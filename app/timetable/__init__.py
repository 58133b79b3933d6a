"""The timetable (排期): which class, on which station, from when to when, to the minute.

Named apart from the photo delivery's plan (``app.export.plan``). Its modules, each importing only those above it:

- :mod:`app.timetable.model`: the inputs and outputs (``ClassLoad``, ``Slot``, ``Plan``) and the notice's limits;
- :mod:`app.timetable.rules`: what must hold of a timetable (附件1 warnings, invariants);
- :mod:`app.timetable.scheduler`: the planner (:func:`~app.timetable.scheduler.schedule`);
- :mod:`app.timetable.days`: a school spread over N days (``station plan --days N``);
- :mod:`app.timetable.parse`: the command line's times, breaks and station counts;
- :mod:`app.timetable.places`: where each college or class waits (地点, ``--place``);
- :mod:`app.timetable.store`: the database side (plan from the roster, re-plan at the measured rate, keep a plan);
- :mod:`app.timetable.output`: the xlsx and the printable PDF.

This ``__init__`` imports nothing.
"""
