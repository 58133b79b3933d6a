"""Camera backends: libgphoto2 (main), hot folder, webcam. No Qt here.

``make_backend`` (capture/factory.py) builds the configured one; the
interface and event types are in capture/base.py.
"""

from capture.factory import BACKENDS, make_backend

__all__ = ["BACKENDS", "make_backend"]
