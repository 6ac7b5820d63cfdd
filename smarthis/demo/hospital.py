"""The demo hospital: a provincial oncology hospital's departments, rooms and staff."""

from __future__ import annotations

# (code, name, kind)
DEPARTMENTS: tuple[tuple[str, str, str], ...] = (
    ("KKB", "Khoa Khám bệnh", "clinical"),
    ("KCC", "Khoa Cấp cứu", "clinical"),
    ("KXN", "Khoa Xét nghiệm", "paraclinical"),
    ("KCDHA", "Khoa Chẩn đoán hình ảnh", "paraclinical"),
    ("KTDCN", "Khoa Thăm dò chức năng - Nội soi", "paraclinical"),
    ("KNOI", "Khoa Nội - Hóa trị", "inpatient"),
    ("KNGOAI", "Khoa Ngoại - Ung bướu", "inpatient"),
    ("KXATRI", "Khoa Xạ trị", "inpatient"),
    ("KGIAMNHE", "Khoa Chăm sóc giảm nhẹ", "inpatient"),
    ("KDUOC", "Khoa Dược", "administrative"),
    ("PTCKT", "Phòng Tài chính - Kế toán", "administrative"),
)

# (code, name, department, kind, specialty)
ROOMS: tuple[tuple[str, str, str, str, str | None], ...] = (
    ("TD-01", "Quầy tiếp đón 1", "KKB", "reception", None),
    ("TD-02", "Quầy tiếp đón 2", "KKB", "reception", None),
    ("TD-03", "Quầy tiếp đón 3 (ưu tiên)", "KKB", "reception", None),
    ("PK-101", "Phòng khám Ung bướu đầu cổ", "KKB", "examination", "Ung bướu đầu cổ"),
    ("PK-102", "Phòng khám Ung bướu vú", "KKB", "examination", "Ung bướu vú - phụ khoa"),
    ("PK-103", "Phòng khám Ung bướu vú 2", "KKB", "examination", "Ung bướu vú - phụ khoa"),
    ("PK-104", "Phòng khám Ung bướu tiêu hóa", "KKB", "examination", "Ung bướu tiêu hóa"),
    ("PK-105", "Phòng khám Ung bướu phổi - lồng ngực", "KKB", "examination", "Ung bướu phổi"),
    ("PK-106", "Phòng khám Nội tổng quát", "KKB", "examination", "Nội tổng quát"),
    ("PK-107", "Phòng khám Huyết học", "KKB", "examination", "Huyết học"),
    ("PK-108", "Phòng khám Nhi - Ung bướu", "KKB", "examination", "Nhi"),
    ("CC-01", "Phòng cấp cứu", "KCC", "examination", "Cấp cứu"),
    ("XN-LM", "Phòng lấy mẫu xét nghiệm", "KXN", "lab", None),
    ("SA-01", "Phòng siêu âm 1", "KCDHA", "ultrasound", None),
    ("SA-02", "Phòng siêu âm 2", "KCDHA", "ultrasound", None),
    ("XQ-01", "Phòng X-quang 1", "KCDHA", "xray", None),
    ("XQ-02", "Phòng X-quang 2", "KCDHA", "xray", None),
    ("CT-01", "Phòng chụp CT", "KCDHA", "ct", None),
    ("MRI-01", "Phòng chụp cộng hưởng từ", "KCDHA", "mri", None),
    ("NS-01", "Phòng nội soi tiêu hóa", "KTDCN", "endoscopy", None),
    ("DTD-01", "Phòng điện tim", "KTDCN", "ecg", None),
    ("TN-01", "Quầy thu ngân 1", "PTCKT", "cashier", None),
    ("TN-02", "Quầy thu ngân 2", "PTCKT", "cashier", None),
    ("NT-01", "Quầy phát thuốc BHYT", "KDUOC", "pharmacy", None),
    ("NOI-B", "Buồng bệnh Nội - Hóa trị", "KNOI", "ward", None),
    ("NGOAI-B", "Buồng bệnh Ngoại", "KNGOAI", "ward", None),
    ("XATRI-B", "Buồng bệnh Xạ trị", "KXATRI", "ward", None),
)

DEMO_PASSWORD = "smarthis-demo"

# (login, full name, role, department, CCCD)
STAFF: tuple[tuple[str, str, str, str | None, str | None], ...] = (
    ("admin", "Quản trị hệ thống", "admin", None, None),
    ("letan.hoa", "Trần Thị Hoa", "receptionist", "KKB", "048188001234"),
    ("letan.minh", "Lê Văn Minh", "receptionist", "KKB", "048090004567"),
    ("bs.nam", "Nguyễn Văn Nam", "doctor", "KKB", "048078002345"),
    ("bs.lan", "Phạm Thị Lan", "doctor", "KKB", "048183003456"),
    ("bs.tuan", "Hoàng Minh Tuấn", "doctor", "KCC", "048085007890"),
    ("dd.mai", "Võ Thị Mai", "nurse", "KKB", "048192005678"),
    ("dd.hung", "Đặng Văn Hùng", "nurse", "KNOI", "048091006789"),
    ("ktv.xn", "Bùi Thị Thu", "lab_technician", "KXN", "048195001122"),
    ("ktv.xn2", "Lý Văn Phúc", "lab_technician", "KXN", "048093001133"),
    ("ktv.cdha", "Đỗ Văn Long", "imaging_technician", "KCDHA", "048087002233"),
    ("bs.cdha", "Ngô Thị Hạnh", "radiologist", "KCDHA", "048180003344"),
    ("bs.cdha2", "Trương Quốc Bảo", "radiologist", "KCDHA", "048082003355"),
    ("thungan", "Huỳnh Thị Ngọc", "cashier", "PTCKT", "048196004455"),
    ("duocsi", "Phan Văn Đức", "pharmacist", "KDUOC", "048089005566"),
    ("giamdoc", "Lê Quang Vinh", "manager", None, "048075006677"),
)

# (login, title, practising certificate) of the clinical staff: the claims carry the
# certificate as MA_BAC_SI. DEMO numbers in the real format, not real certificates.
STAFF_PROFILES: tuple[tuple[str, str, str], ...] = (
    ("bs.nam", "BSCKI", "004512/DNA-CCHN"),
    ("bs.lan", "ThS.BS", "004513/DNA-CCHN"),
    ("bs.tuan", "BSCKII", "004514/DNA-CCHN"),
    ("dd.mai", "ĐD", "004515/DNA-CCHN"),
    ("dd.hung", "ĐD", "004516/DNA-CCHN"),
    ("ktv.xn", "KTV", "004517/DNA-CCHN"),
    ("ktv.xn2", "KTV", "004518/DNA-CCHN"),
    ("ktv.cdha", "KTV", "004519/DNA-CCHN"),
    ("bs.cdha", "BSCKI", "004520/DNA-CCHN"),
    ("bs.cdha2", "BS", "004521/DNA-CCHN"),
    ("duocsi", "DS", "004522/DNA-CCHN"),
)

# (code, name, kind, location, receptionist on duty)
DEVICES: tuple[tuple[str, str, str, str, str | None], ...] = (
    ("kiosk-01", "Kiosk sảnh chính 1", "kiosk", "Sảnh Khoa Khám bệnh", "letan.hoa"),
    ("kiosk-02", "Kiosk sảnh chính 2", "kiosk", "Sảnh Khoa Khám bệnh", "letan.hoa"),
    ("board-kkb", "Màn hình khu khám bệnh", "display_board", "KKB", None),
    ("board-cdha", "Màn hình khu cận lâm sàng", "display_board", "CDHA", None),
)

# (code, name) of the waiting areas, each with its display boards.
AREAS: tuple[tuple[str, str], ...] = (
    ("KKB", "Khu khám bệnh — tầng 1"),
    ("CDHA", "Khu cận lâm sàng — tầng 2"),
)

# (code, name, kind, specialty, area, queue group, prefix, door label, floor)
SERVICE_POINTS: tuple[tuple[str, str, str, str | None, str, str, str, str, str], ...] = (
    ("TD-01", "Quầy tiếp đón 1", "reception", None, "KKB", "TD", "A", "Quầy 1", "Tầng 1"),
    ("TD-02", "Quầy tiếp đón 2", "reception", None, "KKB", "TD", "A", "Quầy 2", "Tầng 1"),
    ("TD-03", "Quầy tiếp đón ưu tiên", "reception", None, "KKB", "TD", "A", "Quầy 3", "Tầng 1"),
    ("TT-01", "Quầy thông tin - hỗ trợ", "information", None, "KKB", "TT", "I", "Quầy 4", "Tầng 1"),
    (
        "PK-101",
        "Phòng khám Ung bướu đầu cổ",
        "examination",
        "Ung bướu đầu cổ",
        "KKB",
        "DC",
        "C",
        "101",
        "Tầng 1",
    ),
    (
        "PK-102",
        "Phòng khám Ung bướu vú 1",
        "examination",
        "Ung bướu vú - phụ khoa",
        "KKB",
        "VU",
        "B",
        "102",
        "Tầng 1",
    ),
    (
        "PK-103",
        "Phòng khám Ung bướu vú 2",
        "examination",
        "Ung bướu vú - phụ khoa",
        "KKB",
        "VU",
        "B",
        "103",
        "Tầng 1",
    ),
    (
        "PK-104",
        "Phòng khám Ung bướu tiêu hóa",
        "examination",
        "Ung bướu tiêu hóa",
        "KKB",
        "TH",
        "D",
        "104",
        "Tầng 1",
    ),
    (
        "PK-105",
        "Phòng khám Ung bướu phổi",
        "examination",
        "Ung bướu phổi - lồng ngực",
        "KKB",
        "PH",
        "P",
        "105",
        "Tầng 1",
    ),
    (
        "PK-106",
        "Phòng khám Nội tổng quát",
        "examination",
        "Nội tổng quát",
        "KKB",
        "NO",
        "N",
        "106",
        "Tầng 1",
    ),
    (
        "PK-107",
        "Phòng khám Huyết học",
        "examination",
        "Huyết học",
        "KKB",
        "HH",
        "H",
        "107",
        "Tầng 1",
    ),
    (
        "PK-108",
        "Phòng khám Nhi - Ung bướu",
        "examination",
        "Nhi",
        "KKB",
        "NH",
        "E",
        "108",
        "Tầng 1",
    ),
    ("TN-01", "Quầy thu ngân 1", "cashier", None, "KKB", "TN", "T", "Quầy 5", "Tầng 1"),
    ("TN-02", "Quầy thu ngân 2", "cashier", None, "KKB", "TN", "T", "Quầy 6", "Tầng 1"),
    ("NT-01", "Quầy phát thuốc BHYT", "pharmacy", None, "KKB", "NT", "F", "Quầy 7", "Tầng 1"),
    ("XN-LM", "Phòng lấy mẫu xét nghiệm", "lab", None, "CDHA", "XN", "X", "201", "Tầng 2"),
    ("SA-01", "Phòng siêu âm 1", "ultrasound", None, "CDHA", "SA", "S", "202", "Tầng 2"),
    ("SA-02", "Phòng siêu âm 2", "ultrasound", None, "CDHA", "SA", "S", "203", "Tầng 2"),
    ("XQ-01", "Phòng X-quang 1", "xray", None, "CDHA", "XQ", "Q", "204", "Tầng 2"),
    ("XQ-02", "Phòng X-quang 2", "xray", None, "CDHA", "XQ", "Q", "205", "Tầng 2"),
    ("CT-01", "Phòng chụp CT", "ct", None, "CDHA", "CT", "CT", "206", "Tầng 2"),
    ("MRI-01", "Phòng chụp cộng hưởng từ", "mri", None, "CDHA", "MR", "M", "207", "Tầng 2"),
    ("NS-01", "Phòng nội soi tiêu hóa", "endoscopy", None, "CDHA", "NS", "NS", "208", "Tầng 2"),
    ("DTD-01", "Phòng điện tim", "ecg", None, "CDHA", "DT", "DT", "209", "Tầng 2"),
)
