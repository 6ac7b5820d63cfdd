"""Health-insurance claims in the format of Decision 130/QĐ-BYT as amended by 4750/QĐ-BYT.

XML 130 field names (MA_LK, T_BHTT ...) are spelled as the standard spells them inside
this package and nowhere else. The pieces, in the order a claim travels:

- `inputs`: typed description of one finished visit (`ClaimVisit`), filled by the caller;
- `visit_loader` (outpatient, "01") and `stay_loader` (inpatient "03", day care "04"): the
  month's finished encounters read from the database (`loader_chunk`, `stay_chunk`,
  `claim_lines` hold what they share); `batch` chains them;
- `builders/`: the check-in table (XML0) and tables XML1-XML5 as records of formatted text;
- `xml_io` + `envelope`: the table files and the GIAMDINHHS envelope (base64 contents);
- `validation/`: every field against the packaged field tables, plus sums and conditions;
- `portal` + `simulator`: the BHXH receiving portal (token login, check-in, send);
- `models` + `submissions`: status of each visit's claim, delivered with retries;
- `export`: the monthly batch of files.
"""
