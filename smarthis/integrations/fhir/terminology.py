"""Codes the export maps our values to: LOINC for vital signs and lab analytes, UCUM for
units, HL7 interpretation codes for our result flags.

The lab catalogue has no LOINC column yet, so the few analytes whose LOINC code is beyond
doubt (serum/plasma or blood, the unit our catalogue reports) are mapped here; the others
carry only the local code until the laboratory maps them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class VitalSign:
    loinc: str
    display: str
    unit: str  # UCUM
    profile: str  # the FHIR vital-signs profile of this measurement
    name_vi: str


_PROFILE = "http://hl7.org/fhir/StructureDefinition"
VITALS_PANEL_PROFILE = f"{_PROFILE}/vitalsigns"
# Keyed by the column of vital_signs that holds the value.
VITAL_SIGNS: dict[str, VitalSign] = {
    "pulse": VitalSign("8867-4", "Heart rate", "/min", f"{_PROFILE}/heartrate", "Mạch"),
    "temperature_c": VitalSign(
        "8310-5", "Body temperature", "Cel", f"{_PROFILE}/bodytemp", "Nhiệt độ"
    ),
    "respiratory_rate": VitalSign(
        "9279-1", "Respiratory rate", "/min", f"{_PROFILE}/resprate", "Nhịp thở"
    ),
    "spo2": VitalSign(
        "59408-5",
        "Oxygen saturation in Arterial blood by Pulse oximetry",
        "%",
        f"{_PROFILE}/oxygensat",
        "SpO2",
    ),
    "height_cm": VitalSign("8302-2", "Body height", "cm", f"{_PROFILE}/bodyheight", "Chiều cao"),
    "weight_kg": VitalSign("29463-7", "Body weight", "kg", f"{_PROFILE}/bodyweight", "Cân nặng"),
    "bmi": VitalSign(
        "39156-5", "Body mass index (BMI) [Ratio]", "kg/m2", f"{_PROFILE}/bmi", "Chỉ số BMI"
    ),
}
BLOOD_PRESSURE = VitalSign(
    "85354-9",
    "Blood pressure panel with all children optional",
    "mm[Hg]",
    f"{_PROFILE}/bp",
    "Huyết áp",
)
SYSTOLIC = ("8480-6", "Systolic blood pressure")
DIASTOLIC = ("8462-4", "Diastolic blood pressure")

# analyte code -> (LOINC code, LOINC display)
LAB_LOINC: dict[str, tuple[str, str]] = {
    "WBC": ("6690-2", "Leukocytes [#/volume] in Blood by Automated count"),
    "NEUT": ("751-8", "Neutrophils [#/volume] in Blood by Automated count"),
    "RBC": ("789-8", "Erythrocytes [#/volume] in Blood by Automated count"),
    "HGB": ("718-7", "Hemoglobin [Mass/volume] in Blood"),
    "HCT": ("4544-3", "Hematocrit [Volume Fraction] of Blood by Automated count"),
    "MCV": ("787-2", "MCV [Entitic volume] by Automated count"),
    "MCH": ("785-6", "MCH [Entitic mass] by Automated count"),
    "MCHC": ("786-4", "MCHC [Mass/volume] by Automated count"),
    "PLT": ("777-3", "Platelets [#/volume] in Blood by Automated count"),
    "GLU": ("14749-6", "Glucose [Moles/volume] in Serum or Plasma"),
    "UREA": ("22664-7", "Urea [Moles/volume] in Serum or Plasma"),
    "CREA": ("14682-9", "Creatinine [Moles/volume] in Serum or Plasma"),
    "AST": ("1920-8", "Aspartate aminotransferase [Enzymatic activity/volume] in Serum or Plasma"),
    "ALT": ("1742-6", "Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma"),
    "GGT": ("2324-2", "Gamma glutamyl transferase [Enzymatic activity/volume] in Serum or Plasma"),
    "ALB": ("1751-7", "Albumin [Mass/volume] in Serum or Plasma"),
    "NA": ("2951-2", "Sodium [Moles/volume] in Serum or Plasma"),
    "K": ("2823-3", "Potassium [Moles/volume] in Serum or Plasma"),
    "CL": ("2075-0", "Chloride [Moles/volume] in Serum or Plasma"),
    "CEA": ("2039-6", "Carcinoembryonic Ag [Mass/volume] in Serum or Plasma"),
    "AFP": ("1834-1", "Alpha-1-Fetoprotein [Mass/volume] in Serum or Plasma"),
    "PSA": ("2857-1", "Prostate specific Ag [Mass/volume] in Serum or Plasma"),
}

# Units as the catalogue writes them -> UCUM. A unit not listed goes out as text only.
UCUM_UNITS: dict[str, str] = {
    "G/L": "10*9/L",
    "T/L": "10*12/L",
    "g/L": "g/L",
    "L/L": "L/L",
    "fL": "fL",
    "pg": "pg",
    "mmol/L": "mmol/L",
    "µmol/L": "umol/L",
    "U/L": "U/L",
    "U/mL": "U/mL",
    "ng/mL": "ng/mL",
    "%": "%",
    "giây": "s",
}

# Our result flag -> (v3 ObservationInterpretation code, display)
INTERPRETATION: dict[str, tuple[str, str]] = {
    "normal": ("N", "Normal"),
    "low": ("L", "Low"),
    "high": ("H", "High"),
    "critical_low": ("LL", "Critical low"),
    "critical_high": ("HH", "Critical high"),
}

# Imaging order kinds -> DICOM modality, for studies whose procedure row is missing.
MODALITY_NAMES: dict[str, str] = {
    "DX": "Digital Radiography",
    "CR": "Computed Radiography",
    "CT": "Computed Tomography",
    "MR": "Magnetic Resonance",
    "US": "Ultrasound",
    "ES": "Endoscopy",
}
