"""The screens SmartHIS serves, for the home page and for `smarthis serve` to print."""

from __future__ import annotations

from dataclasses import dataclass

from smarthis.security.permissions import Permission


@dataclass(frozen=True)
class Screen:
    title: str
    path: str
    permission: Permission
    description: str


SCREENS: tuple[Screen, ...] = (
    Screen("Đăng nhập", "/login", Permission.PUBLIC, "Đăng nhập cho nhân viên"),
    Screen(
        "Tiếp đón",
        "/reception",
        Permission.PATIENT_SEARCH,
        "Tìm, đăng ký bệnh nhân, kiểm tra thẻ BHYT, lượt khám chưa xác minh thẻ",
    ),
    Screen(
        "Gọi số",
        "/console",
        Permission.QUEUE_CALL,
        "Bàn gọi số của phòng khám, phòng cận lâm sàng, quầy thu ngân",
    ),
    Screen(
        "Thống kê hàng đợi",
        "/stats",
        Permission.QUEUE_STATS,
        "Thời gian chờ từng bước, số người phục vụ theo giờ, tỷ lệ đăng ký tại kiosk",
    ),
    Screen(
        "Hồ sơ BHYT (XML 130)",
        "/claims",
        Permission.CLAIMS_VIEW,
        "Hồ sơ giám định theo tháng, gửi cổng BHXH, trạng thái tiếp nhận hoặc lý do từ chối",
    ),
    Screen(
        "Hội chẩn liên viện",
        "/consultations",
        Permission.RESULT_READ,
        "Lên lịch hội chẩn với bệnh viện khác, chia sẻ kết quả, biên bản kết luận, số cuộc đã họp",
    ),
    Screen(
        "Thu ngân",
        "/cashier",
        Permission.BILLING_VIEW,
        "Hoá đơn lượt khám, phần BHYT chi trả, thu tiền mặt/thẻ, biên lai, hoàn tiền, cuối ngày",
    ),
    Screen(
        "Phát thuốc ngoại trú",
        "/pharmacy",
        Permission.PHARMACY_DISPENSE,
        "Đơn thuốc đã thanh toán chờ phát, lô và hạn dùng, tồn kho, thuốc sắp hết, sắp hết hạn",
    ),
    Screen(
        "Nội trú — sơ đồ giường",
        "/inpatient",
        Permission.INPATIENT_READ,
        "Sơ đồ giường các khoa, nhận người bệnh, tờ điều trị, sinh hiệu, thuốc, ra viện",
    ),
    Screen(
        "Kiosk tự phục vụ",
        "/kiosk",
        Permission.KIOSK_SELF_SERVICE,
        "Màn hình cảm ứng cho người bệnh (mở bằng /device/activate?token=...)",
    ),
    Screen(
        "Màn hình gọi số khu khám bệnh",
        "/display/KKB",
        Permission.QUEUE_DISPLAY,
        "Màn hình TV khu khám bệnh (demo); /display/CDHA cho khu cận lâm sàng",
    ),
    Screen(
        "Quản trị nhân viên",
        "/admin/staff",
        Permission.STAFF_MANAGE,
        "Tài khoản nhân viên và vai trò",
    ),
    Screen(
        "Bảng điều hành",
        "/dashboard",
        Permission.REPORTS_VIEW,
        "Lượt khám, tỷ lệ kiosk, thời gian chờ, doanh thu, hồ sơ BHYT, giường, công việc",
    ),
    Screen(
        "Lịch làm việc",
        "/admin/schedules",
        Permission.SCHEDULE_MANAGE,
        "Xếp ca theo phòng và ngày; hàng đợi của phòng theo lịch",
    ),
    Screen(
        "Nhật ký truy cập",
        "/admin/audit",
        Permission.AUDIT_READ,
        "Ai đã xem, sửa hồ sơ bệnh nhân nào; kiểm tra toàn vẹn nhật ký",
    ),
    Screen(
        "Giám sát kết nối LIS, PACS",
        "/interfaces",
        Permission.INTERFACES_VIEW,
        "Tin nhắn với hệ thống xét nghiệm (LIS): đã gửi, LIS đã nhận, lỗi, gửi lại",
    ),
    Screen("API (OpenAPI)", "/docs", Permission.PUBLIC, "Tài liệu API cho lập trình viên"),
)


def screen_addresses() -> list[tuple[str, str]]:
    return [(s.title, s.path) for s in SCREENS]
