from __future__ import annotations

import pytest

from smarthis.db import Database
from tests.inpatient.helpers import Patients, seed_hospital


@pytest.fixture
def ward(db: Database) -> Patients:
    return seed_hospital(db)
