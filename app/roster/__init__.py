"""The roster: getting a school's student list into the station without losing
or silently corrupting a single student.

Pipeline (each step usable on its own):

- :func:`read_roster` (``reader.py``, over ``sniff.py``, ``formats.py`` and ``limits.py``): xlsx/xls/csv,
  password-protected workbooks, the first visible sheet with the roster's headers, Excel row numbers.
- :func:`validate` (``validate.py``): cleaning (``clean.py``) and every check,
  producing :class:`Finding` objects with stable codes (``findings.py``); ID
  numbers are checked against GB 11643 (``idcard.py``).
- :func:`import_roster` (``importer.py``: ``import_match.py``, then ``import_write.py``): upsert by
  school + Xh (then Sfzh) into the database, findings stored as
  :class:`app.models.RosterFinding`, the import in the audit log; nobody is deleted.
- :func:`write_report` (``report.py``): the findings as an xlsx the school can
  correct from.
- ``colleges.py``: major → college mapping for rosters without a college column.

For other areas: a student's roster problems are ``Student.findings`` (those of
the roster in force; severity ``error`` feeds the errata form), and
``Student.has_error`` says the row has at least one error.

The package itself imports nothing: a caller imports the step it needs from its module, so using
``idcard`` (the GB 11643 rule) does not load the reader, SQLAlchemy or openpyxl.
"""
