"""Photo checks: one unit per check, a shared face analysis, the standard crop. No Qt here."""
