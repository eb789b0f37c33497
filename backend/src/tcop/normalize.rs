//! The literal normalizer of the simple protocol's statement cache
//! (`plancache`): one pass over a Query message's text that finds its
//! constant literals (integers, decimals, `'strings'` with `''`
//! escapes) and gives the text with each literal replaced by a
//! parameter (`$1`, `$2`, ...), a key that also records each literal's
//! lexical kind (PostgreSQL types an integer literal int4, int8 or
//! numeric by its value, a decimal numeric, a string unknown, resolved
//! by its context), and the literals' values as text. A minus sign
//! glued to a number where a value starts is the literal's, as
//! PostgreSQL's grammar folds `-5` into one constant, except before `::`
//! or a subscript, which bind tighter (`-5::numeric` is `-(5::numeric)`),
//! and at the head of an ORDER BY or GROUP BY item (`ORDER BY -1` is a
//! position to PostgreSQL).
//!
//! It declines (the statement goes the exact-text way) whatever it does
//! not fully understand: comments, dollar quotes and `$n` parameters,
//! `E'...'`, `B'...'`, `X'...'`, `N'...'` and `U&'...'` strings,
//! backslashes in strings (whose meaning depends on
//! standard_conforming_strings), string continuation across lines,
//! numbers glued to identifiers, several statements, statements not
//! starting with SELECT, INSERT, UPDATE, DELETE, WITH or VALUES, and
//! unbalanced parentheses. A literal the plan cannot take as a
//! parameter stays in the text (and so in the key): LIMIT, OFFSET and
//! FETCH counts, ORDER BY and GROUP BY positions, type modifiers
//! (`varchar(10)`, `::numeric(5,2)`) and typed literals (`DATE '...'`,
//! `interval '1' day`): a literal is a parameter only after an operator,
//! an opening parenthesis or bracket, a comma, or one of the keywords
//! in [`VALUE_KEYWORDS`].

/// How PostgreSQL's lexer types a literal (the parameter's type).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LiteralKind {
    /// An integer that fits int4.
    Int4,
    /// An integer that fits int8 but not int4.
    Int8,
    /// A larger integer, a decimal or a number with an exponent.
    Numeric,
    /// A quoted string: unknown, resolved by its context.
    String,
}

impl LiteralKind {
    fn tag(self) -> char {
        match self {
            LiteralKind::Int4 => 'i',
            LiteralKind::Int8 => 'l',
            LiteralKind::Numeric => 'n',
            LiteralKind::String => 's',
        }
    }
}

/// A statement with its literals taken out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Normalized {
    /// The cache key: `generic`, a NUL, then one tag per literal.
    pub key: String,
    /// The statement with `$n` for its n-th literal.
    pub generic: String,
    /// Each literal's value as text (a string's without quotes).
    pub values: Vec<String>,
    pub kinds: Vec<LiteralKind>,
}

/// What the normalizer made of a text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Understood, but nothing to take out: the exact text is the key.
    NoLiterals,
    /// Not a statement normalized caching is for (DDL, SET, BEGIN, ...).
    NotApplicable,
    /// A SELECT, INSERT, UPDATE, DELETE, WITH or VALUES statement the
    /// normalizer does not understand.
    Declined,
    Normalized(Normalized),
}

/// Keywords after which a literal is a value the plan may take as a
/// parameter.
pub const VALUE_KEYWORDS: &[&str] = &[
    "select",
    "where",
    "and",
    "or",
    "not",
    "then",
    "else",
    "when",
    "case",
    "like",
    "ilike",
    "between",
    "on",
    "having",
    "returning",
];

/// Statements normalized caching is for (their first keyword).
const STATEMENT_KEYWORDS: &[&str] = &["select", "insert", "update", "delete", "with", "values"];

/// Keywords that end an ORDER BY or GROUP BY list.
const END_OF_BY_LIST: &[&str] = &[
    "limit",
    "offset",
    "fetch",
    "having",
    "window",
    "for",
    "union",
    "intersect",
    "except",
    "returning",
];

/// The words after the first of a type's name.
const TYPE_NAME_WORDS: &[&str] = &["precision", "varying", "with", "without", "time", "zone"];

/// At most this many literals are taken out of one statement.
pub const MAX_LITERALS: usize = 100;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tok {
    Start,
    /// An identifier or keyword (lower-cased text in `prev_word`).
    Word,
    /// A double-quoted identifier.
    Quoted,
    Punct(u8),
    Literal,
}

/// A parenthesis level.
#[derive(Clone, Copy, Default)]
struct Frame {
    /// The parentheses of a type modifier (`varchar(10)`).
    typmod: bool,
    /// Inside ORDER BY or GROUP BY at this level.
    by_list: bool,
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
}

fn is_ident_char(b: u8) -> bool {
    is_ident_start(b) || b.is_ascii_digit()
}

/// Normalizes `sql` (see the module comment).
pub fn normalize(sql: &str) -> Outcome {
    let first = sql.trim_start().as_bytes();
    let word_len = first.iter().take_while(|&&b| is_ident_char(b)).count();
    let word = &first[..word_len];
    if !STATEMENT_KEYWORDS
        .iter()
        .any(|k| k.as_bytes().eq_ignore_ascii_case(word))
    {
        return Outcome::NotApplicable;
    }
    match scan(sql) {
        Some(n) if n.values.is_empty() => Outcome::NoLiterals,
        Some(n) => Outcome::Normalized(n),
        None => Outcome::Declined,
    }
}

fn scan(sql: &str) -> Option<Normalized> {
    let s = sql.as_bytes();
    let mut out = Rewrite::new(sql);
    let mut frames = vec![Frame::default()];
    let mut prev = Tok::Start;
    let mut prev_word = String::new();
    // The word before `prev_word` (its buffer is reused, as prev_word's is).
    let mut prev_word_before = String::new();
    // After `::` or AS: identifiers name a type, `(` opens its modifier.
    let mut type_ctx = false;
    let mut ended = false;
    // The position of a unary minus just before a number.
    let mut sign: Option<usize> = None;
    // The position of a minus sign starting an ORDER BY or GROUP BY item.
    let mut by_sign: Option<usize> = None;
    let mut i = 0;
    while i < s.len() {
        let b = s[i];
        if b.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if ended && b != b';' {
            // A second statement.
            return None;
        }
        match b {
            b'-' if s.get(i + 1) == Some(&b'-') => return None,
            b'/' if s.get(i + 1) == Some(&b'*') => return None,
            b'$' | b'\\' | b'`' => return None,
            b'\'' => {
                // A prefix glued to the quote: E'', B'', X'', N'', U&''.
                if i > 0 && (is_ident_char(s[i - 1]) || s[i - 1] == b'&' || s[i - 1] == b'\'') {
                    return None;
                }
                if prev == Tok::Literal {
                    // 'a' 'b' (continuation) or a number followed by a string.
                    return None;
                }
                let start = i;
                let mut value = Vec::new();
                i += 1;
                loop {
                    match s.get(i) {
                        None => return None,
                        Some(b'\\') => return None,
                        Some(b'\'') if s.get(i + 1) == Some(&b'\'') => {
                            value.push(b'\'');
                            i += 2;
                        }
                        Some(b'\'') => {
                            i += 1;
                            break;
                        }
                        Some(&c) => {
                            value.push(c);
                            i += 1;
                        }
                    }
                }
                if literal_is_value(prev, &prev_word, frames.last()?) {
                    let value = String::from_utf8(value).ok()?;
                    out.take(start, i, value, LiteralKind::String)?;
                }
                prev = Tok::Literal;
                type_ctx = false;
            }
            b'0'..=b'9' | b'.' if b != b'.' || s.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                if i > 0 && is_ident_char(s[i - 1]) {
                    return None;
                }
                // A minus sign where a value starts is the literal's
                // (PostgreSQL's grammar folds `-5` into one constant).
                let start = match sign.take() {
                    Some(at) if at + 1 == i => at,
                    _ => i,
                };
                let mut integer = true;
                while i < s.len() && s[i].is_ascii_digit() {
                    i += 1;
                }
                if s.get(i) == Some(&b'.') {
                    integer = false;
                    i += 1;
                    while i < s.len() && s[i].is_ascii_digit() {
                        i += 1;
                    }
                }
                if matches!(s.get(i), Some(b'e' | b'E')) {
                    integer = false;
                    i += 1;
                    if matches!(s.get(i), Some(b'+' | b'-')) {
                        i += 1;
                    }
                    if !s.get(i).is_some_and(u8::is_ascii_digit) {
                        return None;
                    }
                    while i < s.len() && s[i].is_ascii_digit() {
                        i += 1;
                    }
                }
                // `123abc`, `1.2.3`, `1..2`: not a plain number.
                if s.get(i).is_some_and(|&c| is_ident_char(c) || c == b'.') {
                    return None;
                }
                // `-5::numeric` is `-(5::numeric)`, `-5[1]` `-(5[1])`:
                // `::` and subscripts bind tighter than the sign, which
                // then stays an operator in the text.
                let start = if start < i && s[start] == b'-' {
                    let next = s[i..].iter().find(|b| !b.is_ascii_whitespace());
                    if matches!(next, Some(b':' | b'[')) {
                        start + 1
                    } else {
                        start
                    }
                } else {
                    start
                };
                if prev == Tok::Literal {
                    return None;
                }
                let text = &sql[start..i];
                let kind = if !integer {
                    LiteralKind::Numeric
                } else if text.parse::<i32>().is_ok() {
                    LiteralKind::Int4
                } else if text.parse::<i64>().is_ok() {
                    LiteralKind::Int8
                } else {
                    LiteralKind::Numeric
                };
                let frame = frames.last()?;
                let positional = integer
                    && frame.by_list
                    && (prev == Tok::Punct(b',')
                        || (prev == Tok::Word && prev_word == "by")
                        || by_sign == Some(start.wrapping_sub(1)));
                if !positional && literal_is_value(prev, &prev_word, frame) {
                    out.take(start, i, text.to_owned(), kind)?;
                }
                prev = Tok::Literal;
                type_ctx = false;
            }
            b'"' => {
                i += 1;
                loop {
                    match s.get(i) {
                        None => return None,
                        Some(b'"') if s.get(i + 1) == Some(&b'"') => i += 2,
                        Some(b'"') => {
                            i += 1;
                            break;
                        }
                        Some(_) => i += 1,
                    }
                }
                prev = Tok::Quoted;
            }
            c if is_ident_start(c) => {
                let start = i;
                while i < s.len() && is_ident_char(s[i]) {
                    i += 1;
                }
                if s.get(i) == Some(&b'\'') {
                    // E'...' and the like.
                    return None;
                }
                std::mem::swap(&mut prev_word, &mut prev_word_before);
                prev_word.clear();
                prev_word.push_str(&sql[start..i]);
                prev_word.make_ascii_lowercase();
                if prev == Tok::Start && !STATEMENT_KEYWORDS.contains(&prev_word.as_str()) {
                    return None;
                }
                let frame = frames.last_mut()?;
                if prev_word == "by" {
                    frame.by_list = true;
                } else if END_OF_BY_LIST.contains(&prev_word.as_str()) {
                    frame.by_list = false;
                }
                if prev_word == "as" {
                    type_ctx = true;
                } else if type_ctx && prev == Tok::Word && prev_word_before != "as" {
                    // A type name of several words (`double precision`,
                    // `character varying`, `timestamp with time zone`).
                    type_ctx = TYPE_NAME_WORDS.contains(&prev_word.as_str());
                } else if !(type_ctx && matches!(prev, Tok::Word | Tok::Punct(b':'))) {
                    type_ctx = false;
                }
                prev = Tok::Word;
            }
            b'(' => {
                if prev == Tok::Start {
                    return None;
                }
                frames.push(Frame {
                    typmod: type_ctx && prev == Tok::Word && prev_word != "as",
                    by_list: false,
                });
                type_ctx = false;
                prev = Tok::Punct(b'(');
                i += 1;
            }
            b')' => {
                frames.pop();
                if frames.is_empty() {
                    return None;
                }
                type_ctx = false;
                prev = Tok::Punct(b')');
                i += 1;
            }
            b';' => {
                if prev == Tok::Start {
                    return None;
                }
                ended = true;
                i += 1;
            }
            b':' => {
                if prev == Tok::Start {
                    return None;
                }
                type_ctx = s.get(i + 1) == Some(&b':') || prev == Tok::Punct(b':');
                prev = Tok::Punct(b':');
                i += 1;
            }
            b'-' if s
                .get(i + 1)
                .is_some_and(|&d| d.is_ascii_digit() || d == b'.')
                && literal_is_value(prev, &prev_word, frames.last()?) =>
            {
                // Unary minus glued to a number: part of the literal
                // (`prev` stays the token before the sign).
                sign = Some(i);
                type_ctx = false;
                i += 1;
            }
            c if c.is_ascii_punctuation() => {
                if prev == Tok::Start {
                    return None;
                }
                // `ORDER BY -1`: PostgreSQL takes the folded constant as a
                // position (and fails); it stays in the key.
                let frame = frames.last()?;
                by_sign = (c == b'-'
                    && frame.by_list
                    && (prev == Tok::Punct(b',') || (prev == Tok::Word && prev_word == "by")))
                    .then_some(i);
                type_ctx = false;
                prev = Tok::Punct(c);
                i += 1;
            }
            _ => return None,
        }
    }
    if frames.len() != 1 || prev == Tok::Start {
        return None;
    }
    Some(out.finish())
}

/// Whether a literal after `prev` is a value (not a count, a position, a
/// type modifier or a typed literal's text).
fn literal_is_value(prev: Tok, prev_word: &str, frame: &Frame) -> bool {
    if frame.typmod {
        return false;
    }
    match prev {
        Tok::Punct(c) => b"(,=<>+-*/%|!~&^#@[".contains(&c),
        Tok::Word => VALUE_KEYWORDS.contains(&prev_word),
        _ => false,
    }
}

#[allow(clippy::too_many_arguments)]
/// The generic text being written: the statement copied through, each
/// literal taken out replaced by `$n`.
struct Rewrite<'a> {
    sql: &'a str,
    generic: String,
    /// Copied through verbatim up to here.
    copied: usize,
    values: Vec<String>,
    kinds: Vec<LiteralKind>,
}

impl<'a> Rewrite<'a> {
    fn new(sql: &'a str) -> Rewrite<'a> {
        Rewrite {
            sql,
            generic: String::with_capacity(sql.len() + 8),
            copied: 0,
            values: Vec::new(),
            kinds: Vec::new(),
        }
    }

    /// Takes the literal at `start..end` out (None: too many literals).
    fn take(&mut self, start: usize, end: usize, value: String, kind: LiteralKind) -> Option<()> {
        use std::fmt::Write;
        if self.values.len() >= MAX_LITERALS {
            return None;
        }
        self.generic.push_str(&self.sql[self.copied..start]);
        self.values.push(value);
        self.kinds.push(kind);
        let _ = write!(self.generic, "${}", self.values.len());
        self.copied = end;
        Some(())
    }

    /// The normalized statement: the rest copied, and its cache key.
    fn finish(mut self) -> Normalized {
        self.generic.push_str(&self.sql[self.copied..]);
        let mut key = String::with_capacity(self.generic.len() + 1 + self.kinds.len());
        key.push_str(&self.generic);
        key.push('\0');
        key.extend(self.kinds.iter().map(|k| k.tag()));
        Normalized {
            key,
            generic: self.generic,
            values: self.values,
            kinds: self.kinds,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use LiteralKind::*;

    fn norm(sql: &str) -> Normalized {
        match normalize(sql) {
            Outcome::Normalized(n) => n,
            other => panic!("{sql}: {other:?}"),
        }
    }

    #[test]
    fn pgbench_point_select() {
        let a = norm("SELECT abalance FROM pgbench_accounts WHERE aid = 48213;");
        let b = norm("SELECT abalance FROM pgbench_accounts WHERE aid = 7;");
        assert_eq!(
            a.generic,
            "SELECT abalance FROM pgbench_accounts WHERE aid = $1;"
        );
        assert_eq!(a.key, b.key);
        assert_eq!(a.values, vec!["48213"]);
        assert_eq!(a.kinds, vec![Int4]);
    }

    #[test]
    fn kinds_by_value() {
        let n = norm("select 1, 2147483648, 99999999999999999999, 1.5, .5, 1e3, 'it''s'");
        assert_eq!(
            n.kinds,
            vec![Int4, Int8, Numeric, Numeric, Numeric, Numeric, String]
        );
        assert_eq!(
            n.values,
            vec![
                "1",
                "2147483648",
                "99999999999999999999",
                "1.5",
                ".5",
                "1e3",
                "it's"
            ]
        );
        assert_eq!(n.generic, "select $1, $2, $3, $4, $5, $6, $7");
        // The kind is part of the key: an int8 literal is another entry.
        assert_ne!(norm("select 1").key, norm("select 2147483648").key);
        assert_eq!(norm("select 1").key, norm("select 2147483647").key);
    }

    #[test]
    fn identifiers_and_quoted_names_are_not_literals() {
        let n = norm("SELECT t1.c2, \"x 'y'\" FROM t1 WHERE c2 = 'v' AND \"a\"\"b\" < 3");
        assert_eq!(
            n.generic,
            "SELECT t1.c2, \"x 'y'\" FROM t1 WHERE c2 = $1 AND \"a\"\"b\" < $2"
        );
        assert_eq!(normalize("SELECT a FROM t"), Outcome::NoLiterals);
    }

    #[test]
    fn counts_positions_type_modifiers_and_typed_literals_stay() {
        let n = norm("SELECT a FROM t WHERE b = 5 ORDER BY 1, 2 DESC LIMIT 10 OFFSET 20");
        assert_eq!(
            n.generic,
            "SELECT a FROM t WHERE b = $1 ORDER BY 1, 2 DESC LIMIT 10 OFFSET 20"
        );
        let n = norm("SELECT a, count(*) FROM t WHERE b > 1 GROUP BY 1 FETCH FIRST 3 ROWS ONLY");
        assert_eq!(
            n.generic,
            "SELECT a, count(*) FROM t WHERE b > $1 GROUP BY 1 FETCH FIRST 3 ROWS ONLY"
        );
        // An expression in ORDER BY is a value.
        assert_eq!(norm("SELECT a FROM t ORDER BY a + 1").values, vec!["1"]);
        let n = norm("SELECT '1'::varchar(10), CAST(2 AS numeric(5, 2)), 3::double precision");
        assert_eq!(
            n.generic,
            "SELECT $1::varchar(10), CAST($2 AS numeric(5, 2)), $3::double precision"
        );
        let n = norm("SELECT DATE '2020-01-01', interval '1' day, x + 1 FROM t");
        assert_eq!(
            n.generic,
            "SELECT DATE '2020-01-01', interval '1' day, x + $1 FROM t"
        );
        assert_eq!(
            normalize("SELECT DATE '2020-01-01' FROM t"),
            Outcome::NoLiterals
        );
        // An alias is no type; a WITH query's parentheses no modifier.
        let n = norm("WITH w AS (SELECT 1 AS n FROM t WHERE f(2)) SELECT 3");
        assert_eq!(
            n.generic,
            "WITH w AS (SELECT $1 AS n FROM t WHERE f($2)) SELECT $3"
        );
        // IN lists, function arguments, VALUES, SET.
        let n = norm("UPDATE t SET a = a + 1 WHERE b IN (1, 2) AND f(3) RETURNING 4");
        assert_eq!(
            n.generic,
            "UPDATE t SET a = a + $1 WHERE b IN ($2, $3) AND f($4) RETURNING $5"
        );
        let n = norm("INSERT INTO t VALUES (1, 'x', -2.5)");
        assert_eq!(n.generic, "INSERT INTO t VALUES ($1, $2, $3)");
        assert_eq!(n.values, vec!["1", "x", "-2.5"]);
        // A unary minus glued to a number is the literal's; a binary
        // minus, or one followed by a space, is not.
        let n = norm("SELECT -5, a + -2147483648, a-1, 2-1, - 3, (-4) FROM t WHERE b = -7");
        assert_eq!(
            n.generic,
            "SELECT $1, a + $2, a-$3, $4-$5, - $6, ($7) FROM t WHERE b = $8"
        );
        assert_eq!(
            n.values,
            vec!["-5", "-2147483648", "1", "2", "1", "3", "-4", "-7"]
        );
        assert_eq!(n.kinds[1], Int4);
        // A cast or subscript binds tighter than the sign.
        let n = norm("SELECT -1.5::numeric, -2 ::int8, -3[1], -4 + 1");
        assert_eq!(
            n.generic,
            "SELECT -$1::numeric, -$2 ::int8, -$3[$4], $5 + $6"
        );
        assert_eq!(n.values, vec!["1.5", "2", "3", "1", "-4", "1"]);
        assert_eq!(norm("SELECT -2147483649").kinds, vec![Int8]);
        // ORDER BY -1 is a position to PostgreSQL (an error): kept.
        assert_eq!(
            norm("SELECT a FROM t WHERE b = 1 ORDER BY -1, a - 1").generic,
            "SELECT a FROM t WHERE b = $1 ORDER BY -1, a - $2"
        );
    }

    #[test]
    fn declines_what_it_does_not_understand() {
        for sql in [
            "SELECT 1 -- comment",
            "SELECT /* c */ 1",
            "SELECT $1",
            "SELECT $$x$$",
            "SELECT E'a\\nb'",
            "SELECT e'a'",
            "SELECT B'101'",
            "SELECT X'1F'",
            "SELECT N'x'",
            "SELECT U&'x'",
            "SELECT 'a\\b'",
            "SELECT 'a'\n'b'",
            "SELECT 123abc",
            "SELECT 1.2.3",
            "SELECT 'unterminated",
            "SELECT (1",
            "SELECT 1)",
            "SELECT 1; SELECT 2",
            "SELECT 1;x",
        ] {
            assert_eq!(normalize(sql), Outcome::Declined, "{sql}");
        }
        for sql in [
            "SET x = 5",
            "EXPLAIN SELECT 1",
            "SHOW x",
            "",
            "   ",
            ";",
            "(SELECT 1)",
        ] {
            assert_eq!(normalize(sql), Outcome::NotApplicable, "{sql}");
        }
        let many = format!("SELECT {}", vec!["1"; MAX_LITERALS + 1].join(", "));
        assert_eq!(normalize(&many), Outcome::Declined);
        // A trailing semicolon is one statement.
        assert!(matches!(normalize("SELECT 1;  ; "), Outcome::Normalized(_)));
    }
}
