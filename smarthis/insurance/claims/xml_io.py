"""Table files: records to UTF-8 XML in the table's layout, and back.

Every field of the table is written, in the table's order, empty when it has no value:
that is how the standard's templates look and what portal schemas expect.
"""

from __future__ import annotations

from copy import deepcopy
from functools import cache

from lxml import etree

from smarthis.insurance.claims.builders.record import Record
from smarthis.insurance.claims.fields import table
from smarthis.insurance.claims.structure import LAYOUTS
from smarthis.insurance.claims.xmlsafe import parse, serialise


class ClaimXmlError(ValueError):
    """A table file that cannot be read as the layout says (not XML, wrong root ...)."""


@cache
def _names(table_key: str) -> tuple[str, ...]:
    return table(table_key).names


@cache
def _blank_record(table_key: str) -> etree._Element:
    """A record element with every field, empty: copied (in C) for each record, which is
    several times faster than creating the fields one by one."""
    layout = LAYOUTS[table_key]
    element = etree.Element(layout.record_tag)
    for name in _names(table_key):
        etree.SubElement(element, name)
    return element


def table_xml(table_key: str, records: list[Record]) -> bytes:
    layout, names = LAYOUTS[table_key], _names(table_key)
    blank = _blank_record(table_key)
    if layout.list_tag is None:
        # Table 1 is its own root: its fields sit directly under TONG_HOP.
        root = deepcopy(blank)
        for child, name in zip(root, names, strict=True):
            child.text = records[0].get(name) if records else None
        return serialise(root)
    root = etree.Element(layout.root)
    parent = etree.SubElement(root, layout.list_tag)
    for record in records:
        element = deepcopy(blank)
        get = record.get
        for child, name in zip(element, names, strict=True):
            text = get(name)
            if text is not None:
                child.text = text
        parent.append(element)
    return serialise(root)


def parse_table(table_key: str, content: bytes) -> list[Record]:
    layout = LAYOUTS[table_key]
    try:
        root = parse(content)
    except etree.XMLSyntaxError as exc:
        raise ClaimXmlError(f"{table_key}: not well-formed XML ({exc})") from exc
    if root.tag != layout.root:
        raise ClaimXmlError(f"{table_key}: root element {root.tag!r}, expected {layout.root!r}")
    if layout.list_tag is None:
        elements = [root]
    else:
        container = root.find(layout.list_tag)
        if container is None:
            raise ClaimXmlError(f"{table_key}: no {layout.list_tag} element")
        elements = container.findall(layout.record_tag)
    return [_record(element) for element in elements]


def _record(element: etree._Element) -> Record:
    return {
        str(child.tag): child.text
        for child in element
        if isinstance(child.tag, str) and child.text and child.text.strip()
    }
