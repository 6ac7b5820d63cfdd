"""Signed clinical documents: the hospital's CA, PAdES signatures and the patient's
document registry (see `models` for the versioning rules)."""
