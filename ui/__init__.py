"""The PySide6 windows (the only package that imports Qt).

Importing ``ui`` does nothing: the guard against PySide6 6.12.0's lost references
(``ui/refcount_guard.py``) is installed by ``ui.qt_app.create_application``.
"""
