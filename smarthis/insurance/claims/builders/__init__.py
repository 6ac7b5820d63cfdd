"""Builders of the check-in table (XML0) and tables XML1-XML5: each turns typed inputs into
records of formatted text, in the field order of the packaged tables."""

from smarthis.insurance.claims.builders.checkin import CheckIn, FirstCharge, checkin_records
from smarthis.insurance.claims.builders.course import course_records
from smarthis.insurance.claims.builders.drugs import drug_records
from smarthis.insurance.claims.builders.results import result_records
from smarthis.insurance.claims.builders.services import service_records
from smarthis.insurance.claims.builders.summary import summary_record

__all__ = [
    "CheckIn",
    "FirstCharge",
    "checkin_records",
    "course_records",
    "drug_records",
    "result_records",
    "service_records",
    "summary_record",
]
