"""Finding ICD-10 codes as a doctor types them, and checking the diagnoses of a visit.

Search takes a code ("C50", "c50.9", "C509") or Vietnamese words with or without diacritics
("u ác vú", "u ac vu", "ung thu vu"). Results come best first:

    exact code > code prefix > every word is a whole word of the Vietnamese name
      > every word starts a word of the Vietnamese name > every word starts a word of the
      English name

and, within one tier, in code order. The catalogue is indexed once per process: every row
gets a position in code order, and every word maps to a bit set of positions (a Python
int), so a search is a handful of AND/OR operations on 12,219-bit integers and the best
hits are the lowest set bits.

Rules (Decision 4469/QĐ-BYT): appendix A2 lists codes that may not be the main diagnosis,
appendices A4.1/A4.2 codes valid for one sex only. The appendices mostly list leaf codes,
and not all of them (M07.0 is listed, M07.01 is not). So a code under a listed code
inherits its restriction (O96 -> O96.0, M070 -> M0701), and a category or subcategory
counts as restricted when every code directly under it in the catalogue is (C53 from
C53.0 ... C53.9).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from smarthis.catalogs.csv_source import CatalogError, data_file, read_rows, reject_row
from smarthis.catalogs.icd10 import (
    Icd10Code,
    female_only_codes,
    find_icd10,
    icd10_codes,
    male_only_codes,
    not_main_diagnosis_codes,
    plain_icd10,
)
from smarthis.errors import DomainError
from smarthis.text import fold

SYNONYMS_FILE = "icd10_search_synonyms.csv"

Sex = Literal["male", "female"]
Severity = Literal["error", "warning"]
MatchKind = Literal["code", "code_prefix", "words", "word_prefixes", "english"]
DiagnosisRole = Literal["main", "secondary"]

SEXES: tuple[Sex, ...] = ("male", "female")
_SEX_VI = {"male": "nam", "female": "nữ"}
_SEX_ONLY_VI = {"male": "chỉ dùng cho nam", "female": "chỉ dùng cho nữ"}

# A letter then at least one digit: "C5", "c50.9", "A17.0†". A lone letter is treated as a
# word, so typing "u" (tumour) is not swamped by the U chapter.
_CODE_QUERY = re.compile(r"[A-Za-z]\d[\d.]*[†*]?")
_WORD = re.compile(r"[a-z0-9]+")
_RAW_WORD = re.compile(r"\w+")


def _words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


@dataclass(frozen=True, slots=True)
class Icd10Hit:
    code: str  # as printed, e.g. "C50.9" or "A17.0†"
    code_plain: str  # as claims carry it, e.g. "C509"
    name_vi: str
    name_en: str | None
    not_main: bool  # may not be recorded as the main diagnosis (appendix A2)
    sex_only: Sex | None  # valid for this sex only (appendices A4.1 / A4.2)
    dagger_asterisk: str | None  # "†" aetiology, "*" manifestation, or None
    matched_by: MatchKind


@dataclass(frozen=True, slots=True)
class DiagnosisWarning:
    code: str  # icd_unknown | icd_not_main | icd_sex_mismatch | icd_duplicate | icd_main_missing
    icd: str | None  # the code concerned (catalogue spelling when known); None if none
    role: DiagnosisRole | None
    severity: Severity  # "error" blocks concluding the visit, "warning" asks to confirm
    message_vi: str
    message_en: str

    @property
    def blocks_conclusion(self) -> bool:
        return self.severity == "error"


# --- rule lists --------------------------------------------------------------------------


def _restricted(listed: frozenset[str], plains: Iterable[str]) -> frozenset[str]:
    """Every catalogue code a rule appendix covers, by the reading in the module docstring."""
    plains = set(plains)
    covered = set(listed) | {
        plain for plain in plains if any(plain[:size] in listed for size in range(3, len(plain)))
    }
    children: dict[str, list[str]] = {}
    for plain in plains:
        if len(plain) > 3:
            children.setdefault(plain[:-1], []).append(plain)
    # Longest parents first, so that a category sees its subcategories already rolled up.
    for parent in sorted(children, key=len, reverse=True):
        if parent in plains and all(code in covered for code in children[parent]):
            covered.add(parent)
    return frozenset(covered)


@lru_cache(maxsize=1)
def _rule_sets() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    plains = {entry.code_plain for entry in icd10_codes()}
    female = _restricted(female_only_codes(), plains)
    male = _restricted(male_only_codes(), plains)
    both = female & male
    if both:
        raise CatalogError(
            "catalog_value",
            f"Mã vừa chỉ dùng cho nam vừa chỉ dùng cho nữ: {', '.join(sorted(both))}",
            f"codes listed as both male-only and female-only: {', '.join(sorted(both))}",
        )
    return _restricted(not_main_diagnosis_codes(), plains), female, male


def _plain_flags(plain: str) -> tuple[bool, Sex | None]:
    not_main, female, male = _rule_sets()
    sex: Sex | None = "female" if plain in female else "male" if plain in male else None
    return plain in not_main, sex


def may_be_main_diagnosis(code: str) -> bool:
    """False for codes of appendix A2 (and categories made only of them), however typed."""
    return not _plain_flags(plain_icd10(code))[0]


def sex_restriction(code: str) -> Sex | None:
    """Return "female" / "male" for codes valid for one sex only, else None."""
    return _plain_flags(plain_icd10(code))[1]


# --- synonyms ----------------------------------------------------------------------------


@lru_cache(maxsize=1)
def search_synonyms() -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
    """(phrase words, replacement words): lay words the Ministry's names do not use."""
    path = data_file(SYNONYMS_FILE)
    pairs: list[tuple[tuple[str, ...], tuple[str, ...]]] = []
    for line, row in read_rows(path, ("phrase", "replacement")):
        phrase, replacement = tuple(_words(row["phrase"])), tuple(_words(row["replacement"]))
        if not phrase or not replacement:
            raise reject_row(path, line, "phrase", "trống", "is empty")
        if " ".join(phrase) != row["phrase"] or " ".join(replacement) != row["replacement"]:
            # Stored folded so that what the file says is exactly what is matched.
            raise reject_row(
                path, line, "phrase", "phải viết không dấu, chữ thường", "must be folded words"
            )
        pairs.append((phrase, replacement))
    return tuple(pairs)


def _variants(words: tuple[str, ...]) -> set[tuple[str, ...]]:
    variants = {words}
    for phrase, replacement in search_synonyms():
        size = len(phrase)
        for variant in list(variants):
            for start in range(len(variant) - size + 1):
                if variant[start : start + size] == phrase:
                    variants.add(variant[:start] + replacement + variant[start + size :])
    return variants


# --- index -------------------------------------------------------------------------------


def _bit_set(positions: Sequence[int], size: int) -> int:
    """An int with the given bits set, built in one go (OR-ing 12k-bit ints one bit at a
    time would copy the whole int each time)."""
    bits = bytearray((size + 7) // 8)
    for position in positions:
        bits[position >> 3] |= 1 << (position & 7)
    return int.from_bytes(bits, "little")


class _WordIndex:
    """Word -> bit set of row positions, with prefix look-ups over the sorted vocabulary."""

    def __init__(self, names: Sequence[str | None]):
        positions: dict[str, list[int]] = {}
        folded: dict[str, list[str]] = {}  # the names share a small vocabulary: fold it once
        for position, name in enumerate(names):
            words: set[str] = set()
            for raw in _RAW_WORD.findall(unicodedata.normalize("NFC", name or "").lower()):
                found = folded.get(raw)
                if found is None:
                    found = folded[raw] = _words(raw)
                words.update(found)
            for word in words:
                positions.setdefault(word, []).append(position)
        self._postings: Mapping[str, int] = {
            word: _bit_set(found, len(names)) for word, found in positions.items()
        }
        self._vocabulary = sorted(self._postings)
        self._prefix_cache: dict[str, int] = {}

    def whole(self, word: str) -> int:
        return self._postings.get(word, 0)

    def prefix(self, start: str) -> int:
        cached = self._prefix_cache.get(start)
        if cached is not None:
            return cached
        mask = 0
        vocabulary = self._vocabulary
        for index in range(bisect_left(vocabulary, start), len(vocabulary)):
            word = vocabulary[index]
            if not word.startswith(start):
                break
            mask |= self._postings[word]
        if len(self._prefix_cache) < 20_000:
            self._prefix_cache[start] = mask
        return mask

    def all_whole(self, words: Sequence[str]) -> int:
        mask = -1
        for word in words:
            mask &= self.whole(word)
            if not mask:
                return 0
        return mask

    def all_prefix(self, words: Sequence[str]) -> int:
        mask = -1
        for word in words:
            mask &= self.prefix(word)
            if not mask:
                return 0
        return mask


@dataclass(frozen=True, slots=True)
class _Row:
    entry: Icd10Code
    not_main: bool
    sex_only: Sex | None


class _Icd10Index:
    def __init__(self, entries: Sequence[Icd10Code]):
        # Code order; a code listed with and without a mark keeps the published order.
        order = sorted(range(len(entries)), key=lambda i: (entries[i].code_plain, i))
        self.rows = tuple(_Row(entries[i], *_plain_flags(entries[i].code_plain)) for i in order)
        self.plains = [row.entry.code_plain for row in self.rows]
        self.vi = _WordIndex([row.entry.name_vi for row in self.rows])
        self.en = _WordIndex([row.entry.name_en for row in self.rows])

    def code_masks(self, query: str) -> tuple[int, int]:
        """(exact, prefix) bit sets for a code-like query."""
        plain = plain_icd10(query)
        low = bisect_left(self.plains, plain)
        high = low
        exact_end = low
        while high < len(self.plains) and self.plains[high].startswith(plain):
            if self.plains[high] == plain:
                exact_end = high + 1
            high += 1
        exact = ((1 << (exact_end - low)) - 1) << low
        prefix = ((1 << (high - low)) - 1) << low
        return exact, prefix & ~exact


@lru_cache(maxsize=1)
def _index() -> _Icd10Index:
    return _Icd10Index(icd10_codes())


def _lowest_positions(mask: int, count: int) -> list[int]:
    positions: list[int] = []
    while mask and len(positions) < count:
        low = mask & -mask
        positions.append(low.bit_length() - 1)
        mask ^= low
    return positions


def search_icd10(text: str, limit: int = 20) -> list[Icd10Hit]:
    """Best `limit` matches for a code or for words of the name (see the module docstring)."""
    if limit < 1:
        raise DomainError(
            "search_limit",
            "Số kết quả tối đa phải từ 1 trở lên",
            "limit must be at least 1",
            field="limit",
        )
    query = text.strip()
    if not query:
        return []
    index = _index()
    tiers: list[tuple[MatchKind, int]] = []
    if _CODE_QUERY.fullmatch(query):
        exact, prefix = index.code_masks(query)
        tiers += [("code", exact), ("code_prefix", prefix)]
    words = tuple(_words(query))
    if words:
        whole = prefixes = english = 0
        for variant in _variants(words):
            whole |= index.vi.all_whole(variant)
            prefixes |= index.vi.all_prefix(variant)
            english |= index.en.all_prefix(variant)
        tiers += [("words", whole), ("word_prefixes", prefixes), ("english", english)]
    hits: list[Icd10Hit] = []
    seen = 0
    for kind, mask in tiers:
        mask &= ~seen
        seen |= mask
        for position in _lowest_positions(mask, limit - len(hits)):
            row = index.rows[position]
            hits.append(
                Icd10Hit(
                    code=row.entry.code,
                    code_plain=row.entry.code_plain,
                    name_vi=row.entry.name_vi,
                    name_en=row.entry.name_en,
                    not_main=row.not_main,
                    sex_only=row.sex_only,
                    dagger_asterisk=row.entry.mark,
                    matched_by=kind,
                )
            )
        if len(hits) >= limit:
            break
    return hits


# --- diagnosis checks --------------------------------------------------------------------


def _check_sex(patient_sex: str | None) -> Sex | None:
    if patient_sex is None or patient_sex == "":
        return None
    if patient_sex not in SEXES:
        raise DomainError(
            "patient_sex",
            f"Giới tính '{patient_sex}' không hợp lệ (male hoặc female)",
            f"sex '{patient_sex}' is not valid (male or female)",
            field="patient_sex",
        )
    return patient_sex  # type: ignore[return-value]


def check_diagnoses(
    main: str | None, secondary: Sequence[str], patient_sex: str | None
) -> list[DiagnosisWarning]:
    """Everything wrong with a visit's diagnoses, in the order they were entered.

    Errors (unknown code, code not allowed as main diagnosis, secondaries without a main)
    block concluding the visit; warnings (sex-specific code that does not fit the patient,
    the same code twice) ask the doctor to confirm. Blank entries are ignored.
    """
    sex = _check_sex(patient_sex)
    main_code = main.strip() if main and main.strip() else None
    secondary_codes = [code.strip() for code in secondary if code and code.strip()]
    warnings: list[DiagnosisWarning] = []
    if main_code is None and secondary_codes:
        warnings.append(
            DiagnosisWarning(
                code="icd_main_missing",
                icd=None,
                role="main",
                severity="error",
                message_vi="Chưa có chẩn đoán chính nhưng đã có chẩn đoán kèm theo",
                message_en="secondary diagnoses are recorded without a main diagnosis",
            )
        )
    entered: list[tuple[DiagnosisRole, str]] = [("secondary", code) for code in secondary_codes]
    if main_code is not None:
        entered.insert(0, ("main", main_code))
    seen: set[str] = set()
    for role, typed in entered:
        entry = find_icd10(typed)
        shown = entry.code if entry is not None else typed
        plain = plain_icd10(typed)
        if plain in seen:
            warnings.append(
                DiagnosisWarning(
                    code="icd_duplicate",
                    icd=shown,
                    role=role,
                    severity="warning",
                    message_vi=f"Mã {shown} được nhập hơn một lần",
                    message_en=f"code {shown} is entered more than once",
                )
            )
            continue
        seen.add(plain)
        if entry is None:
            warnings.append(
                DiagnosisWarning(
                    code="icd_unknown",
                    icd=shown,
                    role=role,
                    severity="error",
                    message_vi=f"Mã {shown} không có trong danh mục ICD-10 của Bộ Y tế",
                    message_en=f"code {shown} is not in the Ministry of Health ICD-10 list",
                )
            )
            continue
        not_main, sex_only = _plain_flags(entry.code_plain)
        if role == "main" and not_main:
            warnings.append(
                DiagnosisWarning(
                    code="icd_not_main",
                    icd=shown,
                    role=role,
                    severity="error",
                    message_vi=(
                        f"Mã {shown} không được dùng làm chẩn đoán chính "
                        "(Phụ lục A2, QĐ 4469/QĐ-BYT)"
                    ),
                    message_en=(
                        f"code {shown} may not be the main diagnosis "
                        "(appendix A2, Decision 4469/QĐ-BYT)"
                    ),
                )
            )
        if sex is not None and sex_only is not None and sex_only != sex:
            warnings.append(
                DiagnosisWarning(
                    code="icd_sex_mismatch",
                    icd=shown,
                    role=role,
                    severity="warning",
                    message_vi=(
                        f"Mã {shown} {_SEX_ONLY_VI[sex_only]}, người bệnh là {_SEX_VI[sex]}"
                    ),
                    message_en=f"code {shown} is for {sex_only} patients only; patient is {sex}",
                )
            )
    return warnings
