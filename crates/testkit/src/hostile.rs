//! Workbooks an attacker would send: tiny files whose declared dimensions or
//! counts would make a trusting reader allocate gigabytes. Written part by
//! part, since no spreadsheet library writes such lies.

use std::io::Write;

use zip::write::SimpleFileOptions;

const MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const RELS: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
const DOC: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

/// A one-sheet workbook named `sheet` whose sheet XML is `sheet_data` (the
/// rows inside `<sheetData>`) under the declared `dimension`, with an
/// optional shared-strings part.
pub fn workbook(sheet: &str, dimension: &str, sheet_data: &str, shared: Option<&str>) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let mut part = |name: &str, body: &str| {
        out.start_file(name, opts).expect("zip part");
        out.write_all(body.as_bytes()).expect("zip write");
    };
    let sst_type = if shared.is_some() {
        r#"<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>"#
    } else {
        ""
    };
    part(
        "[Content_Types].xml",
        &format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>{sst_type}</Types>"#
        ),
    );
    part(
        "_rels/.rels",
        &format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}"><Relationship Id="rId1" Type="{DOC}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
        ),
    );
    part(
        "xl/workbook.xml",
        &format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{DOC}"><sheets><sheet name="{sheet}" sheetId="1" r:id="rId1"/></sheets></workbook>"#
        ),
    );
    let sst_rel = if shared.is_some() {
        format!(
            r#"<Relationship Id="rId2" Type="{DOC}/sharedStrings" Target="sharedStrings.xml"/>"#
        )
    } else {
        String::new()
    };
    part(
        "xl/_rels/workbook.xml.rels",
        &format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}"><Relationship Id="rId1" Type="{DOC}/worksheet" Target="worksheets/sheet1.xml"/>{sst_rel}</Relationships>"#
        ),
    );
    part(
        "xl/worksheets/sheet1.xml",
        &format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><dimension ref="{dimension}"/><sheetData>{sheet_data}</sheetData></worksheet>"#
        ),
    );
    if let Some(sst) = shared {
        part("xl/sharedStrings.xml", sst);
    }
    out.finish().expect("zip").into_inner()
}

/// An inline-string cell.
pub fn cell(at: &str, text: &str) -> String {
    format!(r#"<c r="{at}" t="inlineStr"><is><t>{text}</t></is></c>"#)
}

/// A header row, one inline cell per label from column A.
pub fn header_row(labels: &[&str]) -> String {
    let cells: String = labels
        .iter()
        .enumerate()
        .map(|(i, l)| cell(&format!("{}1", (b'A' + i as u8) as char), l))
        .collect();
    format!(r#"<row r="1">{cells}</row>"#)
}

/// A header and one cell in the sheet's far corner (XFD1048576): read
/// densely, 17 billion cells.
pub fn far_corner(sheet: &str, headers: &[&str]) -> Vec<u8> {
    let data = format!(
        r#"{}<row r="1048576">{}</row>"#,
        header_row(headers),
        cell("XFD1048576", "x")
    );
    workbook(sheet, "A1:XFD1048576", &data, None)
}

/// A header, then one value a million rows down in column A: read densely,
/// a million rows of every column.
pub fn million_rows(sheet: &str, headers: &[&str]) -> Vec<u8> {
    let data = format!(
        r#"{}<row r="1000000">{}</row>"#,
        header_row(headers),
        cell("A1000000", "x")
    );
    workbook(sheet, "A1:J1000000", &data, None)
}

/// Shared strings declaring a trillion entries, which a trusting reader
/// reserves room for before reading one.
pub fn shared_strings_bomb(sheet: &str, headers: &[&str]) -> Vec<u8> {
    let sst = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}" count="1000000000000" uniqueCount="1000000000000"><si><t>x</t></si></sst>"#
    );
    workbook(sheet, "A1:A1", &header_row(headers), Some(&sst))
}

/// A formula with no stored result in the first data row's column A.
pub fn formula_without_value(sheet: &str, headers: &[&str]) -> Vec<u8> {
    let data = format!(
        r#"{}<row r="2"><c r="A2"><f>1+1</f></c></row>"#,
        header_row(headers)
    );
    workbook(sheet, "A1:J2", &data, None)
}
