"""Reference data for BHYT (health-insurance) card codes, kept as data so it can be amended.

Group codes follow the list of beneficiary groups of Decision 1351/QĐ-BHXH (2015) and its
amendments. Three codes (TL, XV, NA) are in use on cards but their meaning was not found in a
source at hand: they are accepted and marked unverified rather than guessed.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import NamedTuple


class BenefitLevel(NamedTuple):
    percent: int
    description_vi: str
    description_en: str


class BeneficiaryGroup(NamedTuple):
    name_vi: str
    name_en: str
    verified: bool = True


# Digit 3 of the card code: the share of covered costs the fund pays on the correct route.
BENEFIT_LEVELS: MappingProxyType[int, BenefitLevel] = MappingProxyType(
    {
        1: BenefitLevel(
            100,
            "100% chi phí, không giới hạn tỷ lệ thanh toán dịch vụ kỹ thuật cao",
            "100%, no ceiling on high-tech services",
        ),
        2: BenefitLevel(
            100,
            "100% chi phí, có giới hạn tỷ lệ thanh toán dịch vụ kỹ thuật cao",
            "100%, with a ceiling on high-tech services",
        ),
        3: BenefitLevel(95, "95% chi phí", "95%"),
        4: BenefitLevel(80, "80% chi phí", "80%"),
        5: BenefitLevel(
            100,
            "100% chi phí, kể cả chi phí ngoài phạm vi được hưởng BHYT",
            "100%, including services outside the benefit list",
        ),
    }
)

_UNVERIFIED_VI = "Nhóm đối tượng {code} (chưa xác minh mô tả)"
_UNVERIFIED_EN = "Beneficiary group {code} (description not verified)"


def _unverified(code: str) -> BeneficiaryGroup:
    return BeneficiaryGroup(
        _UNVERIFIED_VI.format(code=code), _UNVERIFIED_EN.format(code=code), verified=False
    )


BENEFICIARY_GROUPS: MappingProxyType[str, BeneficiaryGroup] = MappingProxyType(
    {
        # Paid by employee and employer.
        "DN": BeneficiaryGroup("Người lao động trong doanh nghiệp", "Employee of an enterprise"),
        "HX": BeneficiaryGroup("Người lao động trong hợp tác xã", "Employee of a cooperative"),
        "CH": BeneficiaryGroup(
            "Người lao động trong cơ quan nhà nước, đơn vị sự nghiệp, tổ chức chính trị - xã hội",
            "Employee of a state agency, public service unit or socio-political organisation",
        ),
        "NN": BeneficiaryGroup(
            "Người lao động trong cơ quan, tổ chức nước ngoài, tổ chức quốc tế tại Việt Nam",
            "Employee of a foreign or international organisation in Vietnam",
        ),
        "TK": BeneficiaryGroup("Người lao động trong tổ chức khác", "Employee of another body"),
        "HC": BeneficiaryGroup("Cán bộ, công chức, viên chức", "Civil servant or public employee"),
        "XK": BeneficiaryGroup(
            "Người hoạt động không chuyên trách ở xã, phường, thị trấn",
            "Part-time official of a commune",
        ),
        # Paid by the social-insurance fund.
        "HT": BeneficiaryGroup(
            "Người hưởng lương hưu, trợ cấp mất sức lao động hằng tháng",
            "Pensioner or monthly incapacity allowance recipient",
        ),
        "TB": BeneficiaryGroup(
            "Người hưởng trợ cấp hằng tháng do tai nạn lao động, bệnh nghề nghiệp",
            "Monthly occupational accident or disease allowance recipient",
        ),
        "NO": BeneficiaryGroup(
            "Người lao động nghỉ việc hưởng chế độ ốm đau dài ngày",
            "Employee on long-term sickness benefit",
        ),
        "CT": BeneficiaryGroup(
            "Người từ đủ 80 tuổi hưởng trợ cấp tuất hằng tháng",
            "Person aged 80+ receiving a monthly survivor allowance",
        ),
        "XB": BeneficiaryGroup(
            "Cán bộ xã đã nghỉ việc hưởng trợ cấp bảo hiểm xã hội hằng tháng",
            "Retired commune official on a monthly social-insurance allowance",
        ),
        "TN": BeneficiaryGroup("Người hưởng trợ cấp thất nghiệp", "Unemployment benefit recipient"),
        "CS": BeneficiaryGroup(
            "Công nhân cao su nghỉ việc hưởng trợ cấp hằng tháng",
            "Retired rubber worker on a monthly allowance",
        ),
        # Paid by the state budget.
        "QN": BeneficiaryGroup("Quân nhân", "Military personnel"),
        "CA": BeneficiaryGroup("Công an nhân dân", "People's police"),
        "CY": BeneficiaryGroup("Người làm công tác cơ yếu", "Cipher service staff"),
        "XN": BeneficiaryGroup(
            "Cán bộ xã đã nghỉ việc hưởng trợ cấp hằng tháng từ ngân sách nhà nước",
            "Retired commune official on a monthly state allowance",
        ),
        "MS": BeneficiaryGroup(
            "Người đã thôi hưởng trợ cấp mất sức lao động, hưởng trợ cấp từ ngân sách",
            "Former incapacity allowance recipient on a state allowance",
        ),
        "CC": BeneficiaryGroup(
            "Người có công với cách mạng", "Person with meritorious service to the revolution"
        ),
        "CK": BeneficiaryGroup(
            "Người có công với cách mạng (nhóm khác)",
            "Person with meritorious service to the revolution (other group)",
        ),
        "CB": BeneficiaryGroup("Cựu chiến binh", "Veteran"),
        "KC": BeneficiaryGroup(
            "Người tham gia kháng chiến, bảo vệ Tổ quốc",
            "Participant in the resistance wars or defence of the country",
        ),
        "HD": BeneficiaryGroup(
            "Đại biểu Quốc hội, Hội đồng nhân dân đương nhiệm",
            "Sitting National Assembly or People's Council deputy",
        ),
        "TE": BeneficiaryGroup("Trẻ em dưới 6 tuổi", "Child under 6"),
        "BT": BeneficiaryGroup(
            "Người hưởng trợ cấp bảo trợ xã hội hằng tháng",
            "Monthly social assistance recipient",
        ),
        "HN": BeneficiaryGroup("Người thuộc hộ nghèo", "Member of a poor household"),
        "DT": BeneficiaryGroup(
            "Người dân tộc thiểu số sống ở vùng khó khăn",
            "Ethnic minority resident of a disadvantaged area",
        ),
        "DK": BeneficiaryGroup(
            "Người sống ở vùng đặc biệt khó khăn",
            "Resident of an extremely disadvantaged area",
        ),
        "XD": BeneficiaryGroup(
            "Người sống ở xã đảo, huyện đảo", "Resident of an island commune or district"
        ),
        "TS": BeneficiaryGroup("Thân nhân liệt sĩ", "Relative of a fallen soldier"),
        "TC": BeneficiaryGroup(
            "Thân nhân người có công với cách mạng",
            "Relative of a person with meritorious service",
        ),
        "TQ": BeneficiaryGroup("Thân nhân quân nhân", "Relative of military personnel"),
        "TA": BeneficiaryGroup("Thân nhân công an nhân dân", "Relative of police personnel"),
        "TY": BeneficiaryGroup("Thân nhân người làm công tác cơ yếu", "Relative of cipher staff"),
        "HG": BeneficiaryGroup("Người đã hiến bộ phận cơ thể", "Organ donor"),
        "LS": BeneficiaryGroup(
            "Người nước ngoài học tập tại Việt Nam theo học bổng ngân sách nhà nước",
            "Foreign student in Vietnam on a state scholarship",
        ),
        "PV": BeneficiaryGroup(
            "Người phục vụ người có công với cách mạng",
            "Carer of a person with meritorious service",
        ),
        # Contribution partly paid by the state budget.
        "CN": BeneficiaryGroup("Người thuộc hộ cận nghèo", "Member of a near-poor household"),
        "HS": BeneficiaryGroup("Học sinh", "Pupil"),
        "SV": BeneficiaryGroup("Sinh viên", "Student"),
        "GB": BeneficiaryGroup(
            "Người thuộc hộ làm nông, lâm, ngư, diêm nghiệp có mức sống trung bình",
            "Member of a middle-income farming, forestry, fishing or salt-making household",
        ),
        # Contribution paid by the household.
        "GD": BeneficiaryGroup("Người tham gia theo hộ gia đình", "Household member"),
        "TL": _unverified("TL"),
        "XV": _unverified("XV"),
        "NA": _unverified("NA"),
    }
)

# Cards of the armed forces are issued by their own social-insurance offices, which use
# codes outside the province range (Decision 1351/QĐ-BHXH).
ARMED_FORCES_OFFICES: MappingProxyType[str, str] = MappingProxyType(
    {
        "97": "Bảo hiểm xã hội Bộ Quốc phòng",
        "98": "Bảo hiểm xã hội Công an nhân dân",
    }
)
