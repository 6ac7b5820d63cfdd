"""Vietnamese name parts for demo people, weighted roughly as they occur in central Vietnam.

Weights are relative frequencies (per mille of the population, rounded); Võ and Huỳnh are
commoner than Vũ and Hoàng in the central provinces the demo hospital serves.
"""

from __future__ import annotations

FAMILY_NAMES: tuple[tuple[str, int], ...] = (
    ("Nguyễn", 380),
    ("Trần", 110),
    ("Lê", 95),
    ("Phạm", 70),
    ("Huỳnh", 35),
    ("Hoàng", 20),
    ("Phan", 45),
    ("Võ", 30),
    ("Vũ", 10),
    ("Đặng", 21),
    ("Bùi", 20),
    ("Đỗ", 14),
    ("Hồ", 13),
    ("Ngô", 13),
    ("Dương", 10),
    ("Lý", 5),
    ("Trương", 8),
    ("Đoàn", 6),
    ("Mai", 4),
    ("Lương", 4),
    ("Đinh", 5),
    ("Cao", 4),
    ("Lâm", 3),
    ("Tô", 2),
)

# Older women nearly all carry "Thị"; younger parents pick more varied middle names.
MALE_MIDDLE_NAMES: tuple[tuple[str, int], ...] = (
    ("Văn", 40),
    ("Hữu", 10),
    ("Đức", 10),
    ("Minh", 10),
    ("Quốc", 7),
    ("Công", 7),
    ("Thanh", 6),
    ("Ngọc", 4),
    ("Xuân", 4),
    ("Đình", 5),
    ("Gia", 3),
)
FEMALE_MIDDLE_NAMES_OLDER: tuple[tuple[str, int], ...] = (
    ("Thị", 85),
    ("Ngọc", 5),
    ("Thu", 4),
    ("Kim", 3),
    ("Thanh", 3),
)
FEMALE_MIDDLE_NAMES_YOUNGER: tuple[tuple[str, int], ...] = (
    ("Thị", 35),
    ("Ngọc", 12),
    ("Thu", 10),
    ("Thanh", 8),
    ("Kim", 6),
    ("Minh", 8),
    ("Mỹ", 6),
    ("Bảo", 5),
    ("Hồng", 5),
    ("Khánh", 5),
)

MALE_GIVEN_NAMES: tuple[str, ...] = (
    "An", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hiếu", "Hòa", "Hùng", "Hưng", "Huy",
    "Khánh", "Khoa", "Lâm", "Long", "Lợi", "Minh", "Nam", "Nghĩa", "Phong", "Phúc", "Quang",
    "Sơn", "Tài", "Tâm", "Thắng", "Thành", "Thiện", "Tiến", "Toàn", "Trung", "Tuấn", "Việt",
    "Vinh", "Vũ", "Bảo", "Duy", "Hoàng", "Kiên", "Nhân",
)  # fmt: skip
FEMALE_GIVEN_NAMES: tuple[str, ...] = (
    "Anh", "Bích", "Chi", "Diệp", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hoa", "Hương",
    "Hồng", "Huyền", "Lan", "Liên", "Linh", "Loan", "Mai", "My", "Nga", "Ngân", "Nhung",
    "Oanh", "Phương", "Quyên", "Sương", "Tâm", "Thảo", "Thủy", "Trang", "Tuyết", "Uyên",
    "Vân", "Yến", "Xuân", "Hiền", "Lệ", "Nhi", "Thư", "Vy",
)  # fmt: skip

# Streets found in most towns of central Vietnam, for urban addresses.
STREET_NAMES: tuple[str, ...] = (
    "Lê Duẩn", "Trần Phú", "Lê Lợi", "Hùng Vương", "Quang Trung", "Nguyễn Huệ",
    "Hai Bà Trưng", "Lý Thường Kiệt", "Phan Châu Trinh", "Nguyễn Văn Linh", "Điện Biên Phủ",
    "Ông Ích Khiêm", "Hoàng Diệu", "Nguyễn Tri Phương", "Trần Cao Vân", "Lê Thanh Nghị",
    "Núi Thành", "Tôn Đức Thắng", "Ngô Quyền", "Nguyễn Chí Thanh", "Hàm Nghi", "Bạch Đằng",
)  # fmt: skip
