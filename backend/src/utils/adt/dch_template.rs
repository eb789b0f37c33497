//! The scanner of datetime templates (PostgreSQL's parse_format for its
//! DCH patterns), shared by `to_char` of timestamps and intervals and by
//! `to_timestamp`/`to_date`: the template as a list of nodes, each a
//! pattern (with its `FM` and `TM` prefixes and `TH`/`th` suffix), a blank, a
//! separator (ASCII punctuation) or literal text (double-quoted text
//! and backslash-escaped double quotes included).

/// The patterns, longest first where one is a prefix of another.
const PATTERNS: &[&str] = &[
    "A.D.", "A.M.", "AD", "AM", "B.C.", "BC", "CC", "DAY", "DDD", "DD", "DY", "Day", "Dy", "D",
    "FF1", "FF2", "FF3", "FF4", "FF5", "FF6", "FX", "HH24", "HH12", "HH", "IDDD", "ID", "IW",
    "IYYY", "IYY", "IY", "I", "J", "MI", "MM", "MONTH", "MON", "MS", "Month", "Mon", "OF", "P.M.",
    "PM", "Q", "RM", "SSSSS", "SSSS", "SS", "TZH", "TZM", "TZ", "US", "WW", "W", "Y,YYY", "YYYY",
    "YYY", "YY", "Y", "a.d.", "a.m.", "ad", "am", "b.c.", "bc", "cc", "day", "ddd", "dd", "dy",
    "d", "ff1", "ff2", "ff3", "ff4", "ff5", "ff6", "fx", "hh24", "hh12", "hh", "iddd", "id", "iw",
    "iyyy", "iyy", "iy", "i", "j", "mi", "mm", "month", "mon", "ms", "of", "p.m.", "pm", "q", "rm",
    "sssss", "ssss", "ss", "tzh", "tzm", "tz", "us", "ww", "w", "y,yyy", "yyyy", "yyy", "yy", "y",
];

/// One element of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// A pattern as written (`Month`, `hh24`, ...).
    Pattern {
        text: &'static str,
        /// The `FM` prefix: no padding on output, no fixed width on input.
        fm: bool,
        /// The `TH` (true) or `th` (false) ordinal suffix.
        th: Option<bool>,
        /// The `TM` prefix: month and day names unpadded, as
        /// PostgreSQL's translated names are.
        tm: bool,
    },
    Space(char),
    Separator(char),
    /// Literal text: a letter, digit or other character, or one from a
    /// double-quoted string.
    Char(char),
}

/// is_separator_char: ASCII punctuation.
fn is_separator(c: char) -> bool {
    c.is_ascii() && c > ' ' && c < '\x7f' && !c.is_ascii_alphanumeric()
}

/// The nodes of a template.
pub fn parse(template: &str) -> Vec<Node> {
    let chars: Vec<char> = template.chars().collect();
    let mut nodes = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let mut fm = false;
        let mut tm = false;
        loop {
            let two: String = chars[i..].iter().take(2).collect();
            match two.as_str() {
                "FM" | "fm" => fm = true,
                "TM" | "tm" => tm = true,
                _ => break,
            }
            i += 2;
        }
        if i >= chars.len() {
            break;
        }
        let rest: String = chars[i..].iter().collect();
        if let Some(p) = PATTERNS.iter().find(|p| rest.starts_with(**p)) {
            i += p.chars().count();
            let suffix: String = chars[i..].iter().take(2).collect();
            let th = match suffix.as_str() {
                "TH" => Some(true),
                "th" => Some(false),
                _ => None,
            };
            if th.is_some() {
                i += 2;
            }
            nodes.push(Node::Pattern {
                text: p,
                fm,
                th,
                tm,
            });
            continue;
        }
        let c = chars[i];
        i += 1;
        if c == '"' {
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' && i + 1 < chars.len() {
                    i += 1;
                }
                nodes.push(Node::Char(chars[i]));
                i += 1;
            }
            i += 1;
            continue;
        }
        // Outside quotes a backslash only escapes a double quote.
        let c = if c == '\\' && chars.get(i) == Some(&'"') {
            i += 1;
            nodes.push(Node::Char('"'));
            continue;
        } else {
            c
        };
        nodes.push(if c.is_whitespace() && c.is_ascii() {
            Node::Space(c)
        } else if is_separator(c) {
            Node::Separator(c)
        } else {
            Node::Char(c)
        });
    }
    nodes
}
