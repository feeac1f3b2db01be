"""Ways in (L5): `intake demo` and the sample submissions it generates for every campaign."""
