//! Charts as SVG drawn on the server: no script, readable on a phone,
//! printable. Labels are escaped here; templates insert the result as is.

use std::fmt::Write;

/// Colours of the Party's red and warm neutrals, in order of use.
const PALETTE: [&str; 8] = [
    "#c8102e", "#e0a526", "#8a1c1c", "#d9734e", "#5b6b7c", "#a4343a", "#f2c14e", "#7f8c8d",
];

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn short(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        format!("{}…", s.chars().take(max - 1).collect::<String>())
    }
}

/// Horizontal bars of counts, one per item, the largest to the full width.
pub fn bars(title: &str, items: &[(String, i64)]) -> String {
    let max = items.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1);
    bars_of(title, items, max, "")
}

/// Horizontal bars of percentages on a scale of 100, each value marked `%`,
/// so a share is never read as a count of people.
pub fn percent_bars(title: &str, items: &[(String, i64)]) -> String {
    bars_of(title, items, 100, "%")
}

fn bars_of(title: &str, items: &[(String, i64)], max: i64, suffix: &str) -> String {
    // Drawn 360 units wide, so on a phone (about 300 px) the 14-unit text
    // stays above 11 px.
    let row = 28;
    let label_w = 130;
    let width = 360;
    let bar_w = width - label_w - 56;
    let height = row * items.len().max(1) + 8;
    let max = max.max(1);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg"><title>{}</title>"#,
        esc(title),
        esc(title)
    );
    for (i, (label, v)) in items.iter().enumerate() {
        let y = 4 + i * row;
        let w = ((*v.min(&max) as f64 / max as f64) * bar_w as f64).round() as i64;
        let _ = write!(
            s,
            r##"<text x="{}" y="{}" text-anchor="end" class="lbl">{}</text><rect x="{}" y="{}" width="{}" height="{}" rx="3" fill="#c8102e"/><text x="{}" y="{}" class="val">{}{suffix}</text>"##,
            label_w - 6,
            y + 18,
            esc(&short(label, 8)),
            label_w,
            y + 4,
            w.max(1),
            row - 8,
            label_w as i64 + w.max(1) + 6,
            y + 18,
            v
        );
    }
    s.push_str("</svg>");
    s
}

/// A ring of parts with its legend below, narrow enough for a phone.
pub fn donut(title: &str, parts: &[(String, i64)]) -> String {
    let total: i64 = parts.iter().map(|(_, v)| *v).sum();
    let (cx, cy, r) = (160.0, 80.0, 60.0);
    let circumference = 2.0 * std::f64::consts::PI * r;
    let legend_top = 170;
    let height = legend_top + parts.len() * 26 + 6;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart" viewBox="0 0 320 {height}" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg"><title>{}</title>"#,
        esc(title),
        esc(title)
    );
    let _ = write!(
        s,
        r##"<circle cx="{cx}" cy="{cy}" r="{r}" fill="none" stroke="#eee" stroke-width="30"/>"##
    );
    let mut offset = 0.0;
    for (i, (label, v)) in parts.iter().enumerate() {
        let colour = PALETTE[i % PALETTE.len()];
        if total > 0 && *v > 0 {
            let len = circumference * (*v as f64) / (total as f64);
            let _ = write!(
                s,
                r#"<circle cx="{cx}" cy="{cy}" r="{r}" fill="none" stroke="{colour}" stroke-width="30" stroke-dasharray="{len:.2} {:.2}" stroke-dashoffset="{:.2}" transform="rotate(-90 {cx} {cy})"/>"#,
                circumference - len,
                -offset
            );
            offset += len;
        }
        let y = legend_top + 16 + i * 26;
        let pct = if total > 0 {
            *v as f64 * 100.0 / total as f64
        } else {
            0.0
        };
        let _ = write!(
            s,
            r#"<rect x="20" y="{}" width="14" height="14" fill="{colour}"/><text x="42" y="{}" class="lbl">{} {} ({pct:.1}%)</text>"#,
            y - 12,
            y,
            esc(&short(label, 12)),
            v
        );
    }
    let _ = write!(
        s,
        r#"<text x="{cx}" y="{}" text-anchor="middle" class="big">{total}</text></svg>"#,
        cy + 8.0
    );
    s
}

/// Columns over time, one per day, with the value of each in percent
/// (0–100); every few days are labelled.
pub fn columns(title: &str, days: &[(String, f64)]) -> String {
    columns_to(title, days, 100.0, "%")
}

/// Columns over time of counts, the largest day full height.
pub fn count_columns(title: &str, days: &[(String, f64)]) -> String {
    let top = days.iter().map(|(_, v)| *v).fold(1.0, f64::max);
    columns_to(title, days, top, "")
}

/// `days` as columns scaled so that `top` is full height; `suffix` after
/// each value ("%" or nothing).
fn columns_to(title: &str, days: &[(String, f64)], top: f64, suffix: &str) -> String {
    let width = 360;
    let height = 180;
    let base = 150;
    let n = days.len().max(1);
    let step = (width - 44) as f64 / n as f64;
    let mut s = String::new();
    let _ = write!(
        s,
        r##"<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{t}" xmlns="http://www.w3.org/2000/svg"><title>{t}</title><line x1="34" y1="{base}" x2="{}" y2="{base}" stroke="#999"/><text x="34" y="{}" text-anchor="end" class="val">{top}{suffix}</text>"##,
        width - 6,
        base - 120 + 4,
        t = esc(title),
    );
    let every = n.div_ceil(5);
    for (i, (label, v)) in days.iter().enumerate() {
        let h = (v.clamp(0.0, top) / top * 120.0).round();
        let x = 38.0 + i as f64 * step;
        let _ = write!(
            s,
            r##"<rect x="{x:.1}" y="{:.1}" width="{:.1}" height="{h:.1}" rx="2" fill="#c8102e"><title>{} {v:.1}{suffix}</title></rect>"##,
            base as f64 - h,
            (step - 4.0).max(1.0),
            esc(label),
        );
        if i % every == 0 || i + 1 == n {
            let _ = write!(
                s,
                r#"<text x="{:.1}" y="{}" text-anchor="middle" class="lbl">{}</text>"#,
                x + step / 2.0,
                base + 18,
                esc(label.get(5..).unwrap_or(label)),
            );
        }
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_escaped_and_bars_scale() {
        let svg = bars("t", &[("<a>".into(), 10), ("b".into(), 5)]);
        assert!(svg.contains("&lt;a&gt;") && !svg.contains("<a>"));
        assert!(
            svg.contains(r#"width="174""#),
            "the largest bar takes the full width"
        );
        assert!(svg.contains(r#"width="87""#));
        let p = percent_bars("p", &[("a".into(), 4)]);
        assert!(
            p.contains(r#"width="7""#),
            "4 % is a short bar, not a full one"
        );
        assert!(p.contains(">4%<"));
        let d = donut("d", &[("x".into(), 1), ("y".into(), 3)]);
        assert!(d.contains("25.0%") && d.contains("75.0%"));
    }
}
