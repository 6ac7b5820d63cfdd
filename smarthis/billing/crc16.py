"""CRC-16/CCITT-FALSE, the checksum EMVCo QR payloads end with (tag 63).

Polynomial 0x1021, initial value 0xFFFF, no reflection, no final XOR; computed over the
payload's bytes up to and including "6304" (the CRC's own tag and length).
"""

from __future__ import annotations


def crc16_ccitt_false(text: str) -> str:
    """Four uppercase hex digits, as the payload carries them."""
    crc = 0xFFFF
    for byte in text.encode("utf-8"):
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
            crc &= 0xFFFF
    return f"{crc:04X}"
