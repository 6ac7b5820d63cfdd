"""FHIR R4 (R4B models of fhir.resources) for the national links: a visit's record as a
Bundle, and the read-only `/fhir` API that serves the same resources."""
