"""Putting a result message's values on the right order items, through the same service
calls a lab technician's screen uses (so units, ranges, flags, audit and live alerts are
the workstation's), in the name of the system."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from smarthis.catalogs.lab import lab_analytes
from smarthis.catalogs.service_catalog import find_service
from smarthis.errors import DomainError
from smarthis.integrations.hl7.ack import (
    APPLICATION_INTERNAL_ERROR,
    TABLE_VALUE_NOT_FOUND,
    UNKNOWN_KEY_IDENTIFIER,
    Hl7Problem,
    Location,
)
from smarthis.integrations.hl7.models import LisOrderLink
from smarthis.integrations.hl7.result_message import (
    NO_VALUE_STATUSES,
    ObservationGroup,
    ResultMessage,
)
from smarthis.orders import service as orders
from smarthis.orders.models import OrderItem, Specimen
from smarthis.security.principal import Principal


def _unknown_order(group: ObservationGroup) -> Hl7Problem:
    named = group.placer_number or group.filler_number or group.accession_number or "—"
    return Hl7Problem(
        "AE",
        UNKNOWN_KEY_IDENTIFIER,
        Location("OBR", group.obr_sequence, 2),
        f"Không tìm thấy chỉ định xét nghiệm {named} (số chỉ định, số của LIS hoặc mã mẫu)",
        f"No lab order item {named} (placer, filler or accession number)",
    )


def _by_placer(session: Session, actor: Principal, number: str) -> OrderItem | None:
    if not number.isdigit():
        return None
    try:
        return orders.get_item(session, actor, int(number))
    except DomainError:
        return None


def _by_filler(session: Session, actor: Principal, number: str) -> OrderItem | None:
    link = session.execute(
        select(LisOrderLink).where(
            LisOrderLink.facility_code == actor.facility_code,
            LisOrderLink.filler_order_number == number,
        )
    ).scalar_one_or_none()
    return session.get(OrderItem, link.order_item_id) if link is not None else None


def _by_accession(session: Session, actor: Principal, group: ObservationGroup) -> OrderItem | None:
    """A tube can carry several tests: the OBR's service code picks one, or else the one
    test that reports every analyte of the OBR."""
    specimen = session.execute(
        select(Specimen).where(
            Specimen.facility_code == actor.facility_code,
            Specimen.accession_number == group.accession_number,
        )
    ).scalar_one_or_none()
    if specimen is None:
        return None
    items = list(
        session.execute(select(OrderItem).where(OrderItem.specimen_id == specimen.id)).scalars()
    )
    by_code = [i for i in items if i.service_code == group.service_code]
    if len(by_code) == 1:
        return by_code[0]
    wanted = {o.analyte_code for o in group.observations}
    covering = [i for i in items if wanted <= set(find_service(i.service_code).analytes)]
    return covering[0] if len(covering) == 1 else None


def find_item(session: Session, actor: Principal, group: ObservationGroup) -> OrderItem:
    item = None
    if group.placer_number:
        item = _by_placer(session, actor, group.placer_number)
    if item is None and group.filler_number:
        item = _by_filler(session, actor, group.filler_number)
    if item is None and group.accession_number:
        item = _by_accession(session, actor, group)
    if item is None:
        raise _unknown_order(group)
    return item


def _check_analytes(item: OrderItem, group: ObservationGroup) -> list[tuple[str, str]]:
    """The (analyte, value) pairs to record; an analyte we do not know, one the ordered
    test does not report, or a unit other than ours is refused rather than guessed at."""
    known = lab_analytes()
    reported = set(find_service(item.service_code).analytes)
    values: list[tuple[str, str]] = []
    for obs in group.observations:
        where = Location("OBX", obs.obx_sequence, 3)
        analyte = known.get(obs.analyte_code)
        if analyte is None:
            raise Hl7Problem(
                "AE",
                TABLE_VALUE_NOT_FOUND,
                where,
                f"Không biết chỉ số xét nghiệm '{obs.analyte_code}'",
                f"Unknown analyte '{obs.analyte_code}'",
            )
        if obs.analyte_code not in reported:
            raise Hl7Problem(
                "AE",
                TABLE_VALUE_NOT_FOUND,
                where,
                f"Chỉ số {obs.analyte_code} không thuộc xét nghiệm {item.service_code}",
                f"{obs.analyte_code} is not reported by {item.service_code}",
            )
        if obs.status in NO_VALUE_STATUSES or not obs.value:
            continue
        if obs.unit and _unit_key(obs.unit) != _unit_key(analyte.unit):
            raise Hl7Problem(
                "AE",
                TABLE_VALUE_NOT_FOUND,
                Location("OBX", obs.obx_sequence, 6),
                f"Đơn vị '{obs.unit}' của {obs.analyte_code} khác đơn vị '{analyte.unit}'",
                f"Unit '{obs.unit}' of {obs.analyte_code} differs from '{analyte.unit}'",
            )
        values.append((obs.analyte_code, obs.value))
    return values


def _unit_key(unit: str) -> str:
    return unit.strip().lower().replace("µ", "u").replace("μ", "u")


def _remember_filler(session: Session, item: OrderItem, group: ObservationGroup) -> None:
    filler = group.filler_number
    if not filler:
        return
    taken = session.execute(
        select(LisOrderLink).where(
            LisOrderLink.facility_code == item.facility_code,
            LisOrderLink.filler_order_number == filler,
        )
    ).scalar_one_or_none()
    if taken is not None and taken.order_item_id != item.id:
        raise Hl7Problem(
            "AE",
            UNKNOWN_KEY_IDENTIFIER,
            Location("OBR", group.obr_sequence, 3),
            f"Số của LIS {filler} đã gắn với một chỉ định khác",
            f"Filler order number {filler} already belongs to another order item",
        )
    known = session.execute(
        select(LisOrderLink).where(LisOrderLink.order_item_id == item.id)
    ).scalar_one_or_none()
    if known is None:
        session.add(
            LisOrderLink(
                facility_code=item.facility_code, order_item_id=item.id, filler_order_number=filler
            )
        )
        session.flush()


def apply_group(
    session: Session, actor: Principal, group: ObservationGroup, control_id: str
) -> OrderItem:
    item = find_item(session, actor, group)
    values = _check_analytes(item, group)
    _remember_filler(session, item, group)
    try:
        _record(session, actor, item, values, control_id)
    except DomainError as exc:  # e.g. a cancelled test: the workstation's own refusal
        raise Hl7Problem(
            "AE",
            APPLICATION_INTERNAL_ERROR,
            Location("OBR", group.obr_sequence),
            exc.message_vi,
            exc.message_en,
        ) from exc
    return item


def _record(
    session: Session,
    actor: Principal,
    item: OrderItem,
    values: list[tuple[str, str]],
    control_id: str,
) -> None:
    current = {r.analyte_code: r for r in orders.current_results(session, item.id)}
    new = [(code, value) for code, value in values if code not in current]
    if new:
        orders.enter_lab_results(session, actor, item.id, new)
    for code, value in values:
        earlier = current.get(code)
        if earlier is not None and earlier.value_text != value.strip():
            # The LIS changed a value it sent before: a correction, the earlier one kept.
            orders.correct_result(
                session, actor, earlier.id, value, f"LIS gửi kết quả sửa (HL7 {control_id})"
            )


def apply_result_message(
    session: Session, actor: Principal, message: ResultMessage
) -> list[OrderItem]:
    """All of the message or none of it: the caller's transaction rolls back on a problem."""
    return [
        apply_group(session, actor, group, message.received.control_id) for group in message.groups
    ]
