"""Billing: charges, invoices, payments (cash, VietQR), receipts.

So far: the VietQR payload codec (`vietqr.py`) that puts an invoice on a bank-transfer QR.
"""
