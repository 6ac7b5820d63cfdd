"""The XML library (lxml) set up once: a parser that never resolves entities nor fetches
anything, since envelopes and table files arrive from outside (the simulator reads them)."""

from __future__ import annotations

from lxml import etree

PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=True)

# Written by hand: lxml's own declaration uses single quotes, unlike the standard's templates.
XML_DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>\n'


def serialise(root: etree._Element) -> bytes:
    return XML_DECLARATION + etree.tostring(root, encoding="utf-8")


def parse(content: bytes) -> etree._Element:
    """Raises etree.XMLSyntaxError on anything that is not well-formed XML."""
    return etree.fromstring(content, PARSER)
