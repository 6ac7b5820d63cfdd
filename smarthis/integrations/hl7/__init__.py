"""The LIS link: lab orders out (OML^O21 or ORM^O01) through the outbox, results in
(ORU^R01, OUL^R22) through an MLLP listener, HL7 v2.5.1 in UTF-8."""
