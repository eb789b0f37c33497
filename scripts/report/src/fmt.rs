//! Number formatting and a small Markdown table builder.

/// A duration in µs with precision that suits its size; "-" for None.
pub fn us(v: Option<f64>) -> String {
    match v {
        None => "-".to_string(),
        Some(v) if !v.is_finite() => "-".to_string(),
        Some(v) if v.abs() < 10.0 => format!("{v:.2}"),
        Some(v) if v.abs() < 1000.0 => format!("{v:.1}"),
        Some(v) => format!("{v:.0}"),
    }
}

/// "1 client", "8 clients".
pub fn clients(n: u32) -> String {
    if n == 1 {
        "1 client".to_string()
    } else {
        format!("{n} clients")
    }
}

/// A plain count or rate, no decimals.
pub fn int(v: f64) -> String {
    format!("{v:.0}")
}

/// A Markdown table: a header row and data rows of equal width.
pub struct Table {
    head: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(head: &[&str]) -> Table {
        Table {
            head: head.iter().map(|s| s.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        debug_assert_eq!(cells.len(), self.head.len());
        self.rows.push(cells);
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Renders the table; numeric-looking columns are right-aligned.
    pub fn render(&self) -> String {
        let esc = |s: &str| s.replace('|', "\\|").replace('\n', " ");
        let numeric = |col: usize| {
            self.rows.iter().all(|r| {
                let c = r[col].trim_end_matches(" %").trim_end_matches('x');
                c == "-" || c.parse::<f64>().is_ok()
            })
        };
        let mut out = format!(
            "| {} |\n|",
            self.head
                .iter()
                .map(|h| esc(h))
                .collect::<Vec<_>>()
                .join(" | ")
        );
        for col in 0..self.head.len() {
            out.push_str(if numeric(col) && !self.rows.is_empty() {
                " ---: |"
            } else {
                " --- |"
            });
        }
        out.push('\n');
        for r in &self.rows {
            out.push_str(&format!(
                "| {} |\n",
                r.iter().map(|c| esc(c)).collect::<Vec<_>>().join(" | ")
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_by_size() {
        assert_eq!(us(Some(1.234)), "1.23");
        assert_eq!(us(Some(12.34)), "12.3");
        assert_eq!(us(Some(1234.5)), "1234");
        assert_eq!(us(None), "-");
    }

    #[test]
    fn table_aligns_numbers_right() {
        let mut t = Table::new(&["server", "p50 µs"]);
        t.row(vec!["a|b".into(), "1.5".into()]);
        t.row(vec!["c".into(), "-".into()]);
        let s = t.render();
        assert_eq!(
            s,
            "| server | p50 µs |\n| --- | ---: |\n| a\\|b | 1.5 |\n| c | - |\n"
        );
    }
}
