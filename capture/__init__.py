"""Camera backends: libgphoto2 (main), hot folder, webcam. No Qt here."""
