"""Request and response shapes of the prescription routes and the drug search."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class PrescriptionItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    drug_code: str = Field(max_length=32)
    # Whole numbers only: "2.5" is refused by the schema, 0 and below by the service.
    quantity: int = Field(strict=True)
    instructions: str = Field(max_length=500)
    days: int | None = None


class PrescriptionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    items: list[PrescriptionItemIn] = Field(max_length=30)
    advice: str | None = Field(default=None, max_length=2000)
    issue: bool = False  # true: issue now (needs the visit's main diagnosis)


class PrescriptionItemOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    drug_code: str
    active_ingredient: str
    strength: str
    brand_name: str | None
    dosage_form: str
    route: str
    quantity: int
    unit: str
    instructions: str
    days: int | None
    unit_price_vnd: int
    insurance_covered: bool
    insurance_ratio: int | None


class PrescriptionOut(BaseModel):
    id: int
    visit_id: int
    patient_id: int
    status: str
    prescribed_by: str
    prescribed_at: datetime
    issued_at: datetime | None
    diagnosis_text: str | None
    advice: str | None
    total_vnd: int
    items: list[PrescriptionItemOut]


class DrugOut(BaseModel):
    code: str
    active_ingredient: str
    brand_name: str | None
    strength: str
    dosage_form: str
    route: str
    unit: str
    price_vnd: int
    insurance_covered: bool
    insurance_ratio: int | None
    controlled: str | None
    needs_special_prescription: bool
