"""Driving dcmtk's findscu and storescu as the modality would (subprocesses, bounded)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from pydicom import dcmread
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset
from pydicom.uid import generate_uid

MODALITY_AET = "CT_TANG2"
TIMEOUT_S = 60


def findscu(
    port: int, keys: list[str], out_dir: Path, *, calling: str = MODALITY_AET
) -> list[Dataset]:
    """A worklist C-FIND with `-k` keys; the answers as datasets (written by findscu -X)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    args = ["findscu", "-W", "-aet", calling, "-aec", "SMARTHIS", "-X", "-od", str(out_dir)]
    for key in keys:
        args += ["-k", key]
    done = subprocess.run(
        [*args, "127.0.0.1", str(port)], capture_output=True, text=True, timeout=TIMEOUT_S
    )
    assert done.returncode == 0, done.stderr
    return [dcmread(path) for path in sorted(out_dir.glob("rsp*.dcm"))]


# The keys a CT modality asks with (return keys empty, matching keys with values).
def worklist_keys(**matching: str) -> list[str]:
    step = "ScheduledProcedureStepSequence[0]"
    return [
        "SpecificCharacterSet=ISO_IR 192",
        "PatientName",
        "PatientID",
        "PatientBirthDate",
        "PatientSex",
        f"AccessionNumber={matching.get('accession', '')}",
        "RequestedProcedureDescription",
        "RequestedProcedureID",
        "StudyInstanceUID",
        "RequestedProcedureCodeSequence[0].CodeValue",
        "RequestedProcedureCodeSequence[0].CodeMeaning",
        f"{step}.Modality={matching.get('modality', '')}",
        f"{step}.ScheduledStationAETitle={matching.get('station', '')}",
        f"{step}.ScheduledProcedureStepStartDate={matching.get('date', '')}",
        f"{step}.ScheduledProcedureStepStartTime",
        f"{step}.ScheduledProcedureStepDescription",
    ]


def sample_for(name: str, patient_id: str, patient_name: str, accession: str, out: Path) -> Path:
    """pydicom's sample CT/MR file, re-tagged as this patient's order (new UIDs)."""
    ds = dcmread(get_testdata_file(name))
    ds.SpecificCharacterSet = "ISO_IR 192"
    ds.PatientName = patient_name
    ds.PatientID = patient_id
    ds.AccessionNumber = accession
    ds.StudyInstanceUID = generate_uid()
    ds.SeriesInstanceUID = generate_uid()
    ds.SOPInstanceUID = generate_uid()
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    out.parent.mkdir(parents=True, exist_ok=True)
    ds.save_as(out)
    return out


def storescu(port: int, files: list[Path], *, called: str, calling: str = "STORESCU") -> None:
    done = subprocess.run(
        ["storescu", "-aet", calling, "-aec", called, "127.0.0.1", str(port), *map(str, files)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
    )
    assert done.returncode == 0, done.stderr
