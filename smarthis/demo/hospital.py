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
    ("ktv.cdha", "Đỗ Văn Long", "imaging_technician", "KCDHA", "048087002233"),
    ("bs.cdha", "Ngô Thị Hạnh", "radiologist", "KCDHA", "048180003344"),
    ("thungan", "Huỳnh Thị Ngọc", "cashier", "PTCKT", "048196004455"),
    ("duocsi", "Phan Văn Đức", "pharmacist", "KDUOC", "048089005566"),
)

# (code, name, kind, location, receptionist on duty)
DEVICES: tuple[tuple[str, str, str, str, str | None], ...] = (
    ("kiosk-01", "Kiosk sảnh chính 1", "kiosk", "Sảnh Khoa Khám bệnh", "letan.hoa"),
    ("kiosk-02", "Kiosk sảnh chính 2", "kiosk", "Sảnh Khoa Khám bệnh", "letan.hoa"),
    ("board-kkb", "Màn hình khu khám bệnh", "display_board", "Hành lang tầng 1", None),
    ("board-cdha", "Màn hình khu chẩn đoán hình ảnh", "display_board", "Tầng 2", None),
)
