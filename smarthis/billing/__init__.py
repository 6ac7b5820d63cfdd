"""Billing: charges, invoices, payments (cash, card, VietQR), receipts, refunds.

- `charges.py`      every billable thing becomes a charge line (hooks in examination,
                    orders and pharmacy)
- `invoices.py`     the visit's invoice: its charges split by the co-payment engine
- `payments.py`     cashier payments; `bank_webhook.py` the bank's signed notifications
- `invoice_qr.py`   the invoice's VietQR (codec in `vietqr.py`)
- `refunds.py`, `reconciliation.py`, `receipt.py` + `receipt_print.py`
- `api.py` (/api/billing), `bank_api.py` (/api/bank), `kiosk_api.py` (/api/kiosk/billing),
  `pages.py` (/cashier); `bank_simulator.py` is `smarthis sim bank`
"""
