import unicodedata

from smarthis.text import fold, tidy


def test_fold_strips_diacritics_case_and_extra_spaces() -> None:
    assert fold("Nguyễn Văn  An") == "nguyen van an"


def test_fold_turns_stroked_d_into_d() -> None:
    assert fold("Đặng Thị Đào") == "dang thi dao"
    assert fold("đường") == "duong"


def test_fold_covers_every_vietnamese_vowel_with_every_tone() -> None:
    vowels = "aăâeêioôơuưy"
    tones = ["", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"]
    for vowel in vowels:
        for tone in tones:
            composed = unicodedata.normalize("NFC", vowel + tone)
            assert fold(composed.upper()) == fold(vowel)
    assert fold("ĂÂÊÔƠƯ") == "aaeoou"


def test_fold_treats_composed_and_decomposed_input_alike() -> None:
    composed = unicodedata.normalize("NFC", "Huỳnh Thị Thủy")
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    assert fold(composed) == fold(decomposed) == "huynh thi thuy"


def test_fold_collapses_tabs_newlines_and_trims() -> None:
    assert fold("  Lê\tVăn\r\nTám  ") == "le van tam"
    assert fold("") == ""


def test_tidy_keeps_diacritics_and_composes() -> None:
    decomposed = unicodedata.normalize("NFD", "Phạm  Thị   Ngọc ")
    result = tidy(decomposed)
    assert result == "Phạm Thị Ngọc"
    assert result == unicodedata.normalize("NFC", result)
