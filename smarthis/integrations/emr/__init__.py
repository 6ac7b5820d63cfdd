"""The national electronic-medical-record portal link: each concluded visit's record leaves
as a JSON document (see payload.py) through the transactional outbox, is posted to the
portal by a worker with retries, and `smarthis sim emr` plays the portal."""
