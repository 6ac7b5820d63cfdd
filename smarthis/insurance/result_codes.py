"""Result codes (maKetQua) of the BHXH card check, and what reception may do with each.

The Vietnamese wording follows the portal's own messages as hospital systems display
them; the portal is the authority, this table only explains its answer to people.
Wording for 054 and 055 could not be confirmed against a published list: those
two messages are our best reading, not the portal's verbatim text.

`verified` says whether the portal gave a definitive answer about the card (whatever
that answer is). When it is False the card's status is still unknown: the visit keeps
the card "not yet verified" and `retry_later` says whether sending the same request
again later can help (portal fault) or whether a person must correct the input first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType


class ReceptionAction(StrEnum):
    PROCEED_WITH_INSURANCE = "proceed_with_insurance"
    # Insurance may apply once staff compared the card / ID papers with the person,
    # because the portal could not confirm everything itself.
    PROCEED_AFTER_ID_CHECK = "proceed_after_id_check"
    PROCEED_SELF_PAY = "proceed_self_pay"
    # Card status unknown: register the visit, keep the card "not yet verified".
    RETRY = "retry"


@dataclass(frozen=True, slots=True)
class ResultCodeInfo:
    code: str
    message_vi: str
    message_en: str
    action: ReceptionAction
    instruction_vi: str
    verified: bool
    retry_later: bool = False


_A = ReceptionAction


def _info(
    code: str,
    message_vi: str,
    message_en: str,
    action: ReceptionAction,
    instruction_vi: str,
    *,
    verified: bool = True,
    retry_later: bool = False,
) -> ResultCodeInfo:
    return ResultCodeInfo(
        code, message_vi, message_en, action, instruction_vi, verified, retry_later
    )


_ID_CHECK = "Đối chiếu thẻ BHYT với CCCD/giấy tờ tùy thân của người bệnh trước khi tiếp nhận BHYT."
_FIX_CODE = (
    "Đối chiếu mã thẻ đã nhập với thẻ BHYT (hoặc VNeID) và tra cứu lại; "
    "nếu mã đúng mà vẫn lỗi, tiếp nhận tự chi trả."
)
_FIX_PERSON = "Đối chiếu CCCD; sửa họ tên, ngày sinh theo dữ liệu thẻ cổng trả về rồi tra cứu lại."
_REDUCED = (
    "Thẻ không còn giá trị từ ngày báo giảm: tiếp nhận tự chi trả; "
    "người bệnh liên hệ cơ quan BHXH nếu có thắc mắc."
)
_PORTAL_FAULT = (
    "Cổng BHXH đang lỗi: vẫn tiếp nhận, đánh dấu thẻ 'chưa xác minh'; hệ thống sẽ tự tra cứu lại."
)

_TABLE: tuple[ResultCodeInfo, ...] = (
    _info(
        "000",
        "Thông tin thẻ chính xác",
        "Card details are correct",
        _A.PROCEED_WITH_INSURANCE,
        "Tiếp nhận BHYT theo thông tin thẻ cổng trả về.",
    ),
    _info(
        "001",
        "Thẻ do BHXH Bộ Quốc phòng quản lý, đề nghị kiểm tra thẻ và thông tin giấy tờ tùy thân",
        "Card managed by the Ministry of Defence social security; check the card and "
        "identity papers",
        _A.PROCEED_AFTER_ID_CHECK,
        _ID_CHECK,
    ),
    _info(
        "002",
        "Thẻ do BHXH Bộ Công an quản lý, đề nghị kiểm tra thẻ và thông tin giấy tờ tùy thân",
        "Card managed by the Ministry of Public Security social security; check the card "
        "and identity papers",
        _A.PROCEED_AFTER_ID_CHECK,
        _ID_CHECK,
    ),
    _info(
        "003",
        "Thẻ cũ hết giá trị sử dụng nhưng đã được cấp thẻ mới",
        "Old card expired but a new card has been issued",
        _A.PROCEED_WITH_INSURANCE,
        "Dùng mã thẻ mới (maTheMoi), hạn thẻ và nơi ĐKBĐ mới do cổng trả về.",
    ),
    _info(
        "004",
        "Thẻ cũ còn giá trị sử dụng nhưng đã được cấp thẻ mới",
        "Old card still valid but a new card has been issued",
        _A.PROCEED_WITH_INSURANCE,
        "Tiếp nhận BHYT bằng thẻ hiện tại; ghi nhận mã thẻ mới (maTheMoi) cho lần sau.",
    ),
    _info(
        "010",
        "Thẻ hết giá trị sử dụng",
        "Card has expired",
        _A.PROCEED_SELF_PAY,
        "Thẻ đã hết hạn: tiếp nhận tự chi trả.",
    ),
    _info(
        "050",
        "Không thấy thông tin thẻ BHYT",
        "No card information found",
        _A.PROCEED_SELF_PAY,
        _FIX_CODE,
    ),
    _info("051", "Mã thẻ không đúng", "Card code is wrong", _A.PROCEED_SELF_PAY, _FIX_CODE),
    _info(
        "052",
        "Mã tỉnh cấp thẻ (ký tự thứ 4, 5 của mã thẻ) không đúng",
        "Issuing province code (characters 4-5) is wrong",
        _A.PROCEED_SELF_PAY,
        _FIX_CODE,
    ),
    _info(
        "053",
        "Mã quyền lợi thẻ (ký tự thứ 3 của mã thẻ) không đúng",
        "Benefit level code (character 3) is wrong",
        _A.PROCEED_SELF_PAY,
        _FIX_CODE,
    ),
    _info(
        "054",
        "Thẻ chưa đến hạn sử dụng",
        "Card is not valid yet",
        _A.PROCEED_SELF_PAY,
        "Thẻ chưa đến ngày có giá trị: tiếp nhận tự chi trả.",
    ),
    _info(
        "055",
        "Cần kiểm tra lại thông tin thẻ",
        "Card details need a manual check",
        _A.PROCEED_AFTER_ID_CHECK,
        "Xem ghi chú của cổng (ghiChu), đối chiếu thẻ và giấy tờ tùy thân trước khi tiếp nhận.",
    ),
    _info(
        "060",
        "Thẻ sai họ tên",
        "Name does not match the card",
        _A.PROCEED_AFTER_ID_CHECK,
        _FIX_PERSON,
    ),
    _info(
        "061",
        "Thẻ sai họ tên (đúng ký tự đầu)",
        "Name does not match the card (first letter matches)",
        _A.PROCEED_AFTER_ID_CHECK,
        _FIX_PERSON,
    ),
    _info(
        "070",
        "Thẻ sai ngày sinh",
        "Date of birth does not match the card",
        _A.PROCEED_AFTER_ID_CHECK,
        _FIX_PERSON,
    ),
    _info(
        "100",
        "Lỗi khi lấy dữ liệu sổ thẻ",
        "Error while reading the card register",
        _A.RETRY,
        _PORTAL_FAULT,
        verified=False,
        retry_later=True,
    ),
    _info(
        "101",
        "Lỗi server",
        "Portal server error",
        _A.RETRY,
        _PORTAL_FAULT,
        verified=False,
        retry_later=True,
    ),
    _info(
        "110",
        "Thẻ đã thu hồi",
        "Card has been withdrawn",
        _A.PROCEED_SELF_PAY,
        "Thẻ đã bị thu hồi: tiếp nhận tự chi trả.",
    ),
    _info("120", "Thẻ đã báo giảm", "Card reported as discontinued", _A.PROCEED_SELF_PAY, _REDUCED),
    _info(
        "121",
        "Thẻ đã báo giảm. Giảm chuyển ngoại tỉnh",
        "Card discontinued: moved to another province",
        _A.PROCEED_SELF_PAY,
        _REDUCED,
    ),
    _info(
        "122",
        "Thẻ đã báo giảm. Giảm chuyển nội tỉnh",
        "Card discontinued: moved within the province",
        _A.PROCEED_SELF_PAY,
        _REDUCED,
    ),
    _info(
        "123",
        "Thẻ đã báo giảm. Thu hồi do tăng lại cùng đơn vị",
        "Card discontinued: withdrawn after re-enrolment in the same unit",
        _A.PROCEED_SELF_PAY,
        _REDUCED,
    ),
    _info(
        "124",
        "Thẻ đã báo giảm. Ngừng tham gia",
        "Card discontinued: participation stopped",
        _A.PROCEED_SELF_PAY,
        _REDUCED,
    ),
    _info(
        "130",
        "Trẻ em không xuất trình thẻ",
        "Child without a card",
        _A.PROCEED_AFTER_ID_CHECK,
        "Trẻ dưới 6 tuổi chưa có thẻ: đối chiếu giấy khai sinh/giấy chứng sinh, tiếp nhận BHYT.",
    ),
    _info(
        "205",
        "Lỗi sai định dạng tham số truyền vào",
        "Request parameters are malformed",
        _A.RETRY,
        "Kiểm tra lại mã thẻ, họ tên, ngày sinh và thông tin cán bộ tra cứu rồi tra cứu lại.",
        verified=False,
    ),
    _info(
        "401",
        "Lỗi xác thực tài khoản",
        "Portal account authentication failed",
        _A.RETRY,
        "Tài khoản cổng BHXH bị từ chối: báo quản trị hệ thống; thẻ để 'chưa xác minh'.",
        verified=False,
        retry_later=True,
    ),
    _info(
        "500",
        "Lỗi không xác định",
        "Unknown portal error",
        _A.RETRY,
        _PORTAL_FAULT,
        verified=False,
        retry_later=True,
    ),
)

RESULT_CODES: Mapping[str, ResultCodeInfo] = MappingProxyType({i.code: i for i in _TABLE})


def normalise_result_code(value: object) -> str:
    """The portal's maKetQua as a 3-character string (some gateways send it as a number)."""
    text = "" if value is None else str(value).strip()
    return text.zfill(3) if text.isdigit() and len(text) < 3 else text


def result_code_info(value: object) -> ResultCodeInfo:
    """Information for a result code; codes we do not know are treated as "not verified"."""
    code = normalise_result_code(value)
    known = RESULT_CODES.get(code)
    if known is not None:
        return known
    return ResultCodeInfo(
        code=code,
        message_vi=f"Mã kết quả không xác định ({code or 'trống'})",
        message_en=f"Unknown result code ({code or 'empty'})",
        action=ReceptionAction.RETRY,
        instruction_vi=_PORTAL_FAULT,
        verified=False,
        retry_later=True,
    )
