"""Pharmacy: the doctor's outpatient prescription (đơn thuốc) and its printed form."""
