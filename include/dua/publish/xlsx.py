"""The published indicators as an Excel workbook: a sheet ``Om`` (the
publication it comes from), a sheet ``Indikatorer`` (the catalogue) and one
sheet per indicator with Swedish headings, area names and breakdown labels.

Numbers are stored as numbers (Excel shows them with the reader's decimal
comma); a suppressed cell is empty with "skyddat" in its own column.  Rows
are streamed to the file (constant memory), in the primary key's order.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
import xlsxwriter

from dua.warehouse.server import relation_exists

EXCEL_MAX_ROWS = 1_048_576
HEADINGS = ["Områdeskod", "Område", "Period", "Nedbrytning", "Värde (kod)", "Värde", "Kön", "Täljare", "Nämnare",
            "Indikatorvärde", "Skyddat", "Mål"]
GENDER_SV = {"K": "Kvinnor", "M": "Män", "T": "Totalt"}
BREAKDOWN_SV = {"total": "Totalt", "education_level": "Utbildningsnivå", "age_group": "Åldersgrupp",
                "disability": "Funktionsnedsättning", "jobbspar": "Jobbspår", "interruption_reason": "Avbrottsorsak",
                "signal": "Signal"}



def export_xlsx(url: str, out: Path) -> int:
    """Write the workbook; return the number of indicator values written."""
    with psycopg.connect(url) as conn:
        if not relation_exists(conn, "published.indicator_value"):
            raise RuntimeError("nothing is published yet: run `dua run` first")
        area_names = dict(conn.execute("select area_code, area_name from published.area")) if relation_exists(
            conn, "published.area") else {}
        labels = {(b, v): label for b, v, label in conn.execute(
            "select breakdown, breakdown_value, label_sv from published.label")} if relation_exists(
            conn, "published.label") else {}
        catalogue = conn.execute(
            """select indicator_id, title_sv, unit, period_types, source, coalesce(kolada_kpi, ''),
                      coalesce(description_sv, '')
               from published.indicator order by indicator_id""").fetchall()
        publication = conn.execute(
            "select run_id, published_at, rows from published.publication order by published_at desc limit 1"
        ).fetchone()
        counts = dict(conn.execute("select indicator_id, count(*) from published.indicator_value group by 1"))
        too_big = {i: n for i, n in counts.items() if n + 1 > EXCEL_MAX_ROWS}
        if too_big:
            raise RuntimeError("an Excel sheet holds at most 1,048,575 rows: "
                               + ", ".join(f"{i} has {n:,}" for i, n in sorted(too_big.items()))
                               + "; export CSV instead (dua export --excel)")
        out.parent.mkdir(parents=True, exist_ok=True)
        book = xlsxwriter.Workbook(str(out), {"constant_memory": True, "default_date_format": "yyyy-mm-dd"})
        bold = book.add_format({"bold": True})
        one = book.add_format({"num_format": "0.0"})
        whole = book.add_format({"num_format": "0"})

        about = book.add_worksheet("Om")
        about.write_row(0, 0, ["DUA uppföljning — publicerade indikatorer"], bold)
        if publication:
            about.write_row(2, 0, ["Körning", publication[0]])
            about.write_row(3, 0, ["Publicerad (UTC)", publication[1].strftime("%Y-%m-%d %H:%M")])
            about.write_row(4, 0, ["Indikatorvärden", publication[2]])
        about.write_row(6, 0, ['".." i rapporterna = skyddat värde: cellen är tom och kolumnen Skyddat säger "ja".'])

        cat = book.add_worksheet("Indikatorer")
        cat.write_row(0, 0, ["Indikator", "Titel", "Enhet", "Periodtyper", "Källor", "Kolada", "Definition"], bold)
        units = {"percent": "procent", "mean": "medelvärde", "count": "antal"}
        unit_of = {}
        for r, (ind, title, unit, ptypes, source, kpi, desc) in enumerate(catalogue, start=1):
            cat.write_row(r, 0, [ind, title, units.get(unit, unit), ptypes, source, kpi, desc])
            unit_of[ind] = unit
        cat.set_column(0, 0, 30)
        cat.set_column(1, 1, 60)

        rows = 0
        sheet, ind_now, r = None, None, 0
        cur = conn.cursor(name="xlsx_export")  # server-side: bounded memory
        cur.itersize = 5000
        cur.execute("""select indicator_id, area_code, period, breakdown, breakdown_value, gender, numerator,
                              denominator, value, is_suppressed, target_value
                       from published.indicator_value
                       order by indicator_id collate "C", area_code collate "C", period collate "C",
                                breakdown collate "C", breakdown_value collate "C", gender collate "C" """)
        for ind, area, period, bd, bv, g, num, den, val, sup, tgt in cur:
            if ind != ind_now:
                sheet, ind_now, r = book.add_worksheet(ind[:31]), ind, 1
                sheet.write_row(0, 0, HEADINGS, bold)
                sheet.freeze_panes(1, 0)
            fmt = whole if unit_of.get(ind) == "count" else one
            sheet.write_row(r, 0, [area, area_names.get(area, area), period, BREAKDOWN_SV.get(bd, bd), bv,
                                   labels.get((bd, bv), bv), GENDER_SV.get(g, g)])
            for c, v in ((7, num), (8, den)):
                if v is not None:
                    sheet.write_number(r, c, float(v))
            if val is not None:
                sheet.write_number(r, 9, float(val), fmt)
            sheet.write_string(r, 10, "ja" if sup else "nej")
            if tgt is not None:
                sheet.write_number(r, 11, float(tgt))
            r += 1
            rows += 1
        cur.close()
        book.close()
    return rows
