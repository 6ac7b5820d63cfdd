"""Staff profiles: the practising certificate's format, its uniqueness, and the lookup the
claims export uses for MA_BAC_SI."""

from __future__ import annotations

import pytest

from smarthis.db import Database
from smarthis.errors import Conflict, DomainError
from smarthis.security.principal import system_principal
from smarthis.staff import service

ADMIN = system_principal("48001", source="test")


def _save(db: Database, login: str, certificate: str | None, **fields: str | None) -> None:
    with db.session() as s:
        service.save_profile(
            s,
            ADMIN,
            login,
            title=fields.get("title", "BS"),
            department_code=fields.get("department_code", "KKB"),
            specialty=fields.get("specialty"),
            certificate_number=certificate,
        )


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("000123/BYT-CCHN", "000123/BYT-CCHN"),
        (" 0012345/hcm-cchn ", "0012345/HCM-CCHN"),
        ("123/HNO-CCHN", "000123/HNO-CCHN"),
        ("004567/BYT-GPHN", "004567/BYT-GPHN"),
    ],
)
def test_certificate_numbers_are_normalised(raw: str, stored: str) -> None:
    assert service.normalise_certificate(raw) == stored


@pytest.mark.parametrize(
    "raw", ["", "123456", "ABC/BYT-CCHN", "000123-BYT-CCHN", "000123/BYT", "12345678/BYT-CCHN"]
)
def test_malformed_certificates_are_refused(raw: str) -> None:
    with pytest.raises(DomainError) as err:
        service.normalise_certificate(raw)
    assert err.value.code == "certificate_format"
    assert err.value.field == "certificate_number"


def test_profile_is_saved_and_feeds_the_claim(hospital: Database) -> None:
    _save(hospital, "bs.lan", "000123/byt-cchn", title="ThS.BS", specialty="Ung bướu vú")
    with hospital.session() as s:
        assert service.practising_certificate(s, "bs.lan") == "000123/BYT-CCHN"
        assert service.practising_certificate(s, "BS.LAN") == "000123/BYT-CCHN"
        assert service.practising_certificate(s, "bs.minh") is None  # no profile
        assert service.practising_certificate(s, "nobody") is None
        (lan,) = [p for p in service.list_profiles(s, "48001") if p.login == "bs.lan"]
    assert (lan.title, lan.department_code, lan.specialty) == ("ThS.BS", "KKB", "Ung bướu vú")


def test_a_certificate_belongs_to_one_person(hospital: Database) -> None:
    _save(hospital, "bs.lan", "000123/BYT-CCHN")
    with pytest.raises(Conflict) as err:
        _save(hospital, "bs.minh", "123/byt-cchn")  # the same number, spelled differently
    assert err.value.code == "certificate_taken"
    # Saving one's own profile again keeps the number; two without a number are fine.
    _save(hospital, "bs.lan", "000123/BYT-CCHN", specialty="Nội")
    _save(hospital, "bs.minh", None)
    _save(hospital, "dd.hoa", None, title="ĐD")
    with hospital.session() as s:
        assert service.practising_certificate(s, "bs.minh") is None


def test_unknown_title_and_department_are_refused(hospital: Database) -> None:
    with pytest.raises(DomainError) as err:
        _save(hospital, "bs.lan", None, title="Dr")
    assert err.value.code == "title_unknown"
    with pytest.raises(DomainError) as err:
        _save(hospital, "bs.lan", None, department_code="XYZ")
    assert err.value.code == "department_unknown"
