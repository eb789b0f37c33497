//! PostgreSQL's character set encodings: their numbers and names
//! (pg_encoding_to_char, pg_char_to_encoding) and the aliases its
//! pg_encname_tbl accepts, looked up as PostgreSQL's clean_encoding_name
//! does (letters and digits only, any case), for `client_encoding` and the
//! catalog functions. pgfork itself speaks UTF8 only.

/// PostgreSQL's server encodings by number (pg_encoding_to_char).
pub static ENCODINGS: &[(i32, &str)] = &[
    (0, "SQL_ASCII"),
    (1, "EUC_JP"),
    (2, "EUC_CN"),
    (3, "EUC_KR"),
    (4, "EUC_TW"),
    (5, "EUC_JIS_2004"),
    (6, "UTF8"),
    (7, "MULE_INTERNAL"),
    (8, "LATIN1"),
    (9, "LATIN2"),
    (10, "LATIN3"),
    (11, "LATIN4"),
    (12, "LATIN5"),
    (13, "LATIN6"),
    (14, "LATIN7"),
    (15, "LATIN8"),
    (16, "LATIN9"),
    (17, "LATIN10"),
    (18, "WIN1256"),
    (19, "WIN1258"),
    (20, "WIN866"),
    (21, "WIN874"),
    (22, "KOI8R"),
    (23, "WIN1251"),
    (24, "WIN1252"),
    (25, "ISO_8859_5"),
    (26, "ISO_8859_6"),
    (27, "ISO_8859_7"),
    (28, "ISO_8859_8"),
    (29, "WIN1250"),
    (30, "WIN1253"),
    (31, "WIN1254"),
    (32, "WIN1255"),
    (33, "WIN1257"),
    (34, "KOI8U"),
    (35, "SJIS"),
    (36, "BIG5"),
    (37, "GBK"),
    (38, "UHC"),
    (39, "GB18030"),
    (40, "JOHAB"),
    (41, "SHIFT_JIS_2004"),
];

/// Aliases of pg_encname_tbl that are not an encoding's own name, with the
/// encoding they name (cleaned: lower case, letters and digits).
static ALIASES: &[(&str, i32)] = &[
    ("abc", 19),
    ("alt", 20),
    ("iso88591", 8),
    ("iso885910", 13),
    ("iso885913", 14),
    ("iso885914", 15),
    ("iso885915", 16),
    ("iso885916", 17),
    ("iso88592", 9),
    ("iso88593", 10),
    ("iso88594", 11),
    ("iso88599", 12),
    ("koi8", 22),
    ("mskanji", 35),
    ("shiftjis", 35),
    ("tcvn", 19),
    ("tcvn5712", 19),
    ("unicode", 6),
    ("vscii", 19),
    ("win", 23),
    ("windows1250", 29),
    ("windows1251", 23),
    ("windows1252", 24),
    ("windows1253", 30),
    ("windows1254", 31),
    ("windows1255", 32),
    ("windows1256", 18),
    ("windows1257", 33),
    ("windows1258", 19),
    ("windows866", 20),
    ("windows874", 21),
];

fn clean(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The encoding a name (or alias) stands for: (number, canonical name).
pub fn by_name(name: &str) -> Option<(i32, &'static str)> {
    let c = clean(name);
    let n = ENCODINGS
        .iter()
        .find(|e| clean(e.1) == c)
        .map(|e| e.0)
        .or_else(|| ALIASES.iter().find(|a| a.0 == c).map(|a| a.1))?;
    by_number(n).map(|name| (n, name))
}

/// The canonical name of encoding number `n`.
pub fn by_number(n: i32) -> Option<&'static str> {
    ENCODINGS.iter().find(|e| e.0 == n).map(|e| e.1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_as_postgres_cleans_them() {
        assert_eq!(by_name("'utf-8'"), Some((6, "UTF8")));
        assert_eq!(by_name("Unicode"), Some((6, "UTF8")));
        assert_eq!(by_name("iso-8859-1"), Some((8, "LATIN1")));
        assert_eq!(by_name("shift_jis_2004"), Some((41, "SHIFT_JIS_2004")));
        assert_eq!(by_name("sql_ascii"), Some((0, "SQL_ASCII")));
        assert_eq!(by_name("nonsense"), None);
        assert_eq!(by_number(24), Some("WIN1252"));
        assert_eq!(by_number(99), None);
    }
}
