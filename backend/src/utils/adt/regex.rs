//! PostgreSQL regular expressions (`~`, `~*`, `!~`, `!~*`, `regexp_replace`,
//! `regexp_match`, `regexp_like`, `regexp_split_to_array`,
//! `substring(text from pattern)`) run by the `regex` crate's linear-time
//! engines, so that no pattern can take exponential time.
//!
//! PostgreSQL's ARE syntax is translated into the crate's syntax
//! ([`translate`]): bracket expressions with `[:class:]`, `[.x.]` and
//! `[=x=]`, the escapes (`\d \s \w \D \S \W`, character entries such as
//! `\n \x41 \u00e9 \017`, the constraints `\A \Z \m \M \y \Y` and
//! `[[:<:]] [[:>:]]`), bounds up to 255, non-greedy quantifiers, `(?:...)`,
//! `(?#...)` comments, the prefixes `***=` and `***:` and the embedded
//! options `(?cimnpqstwx)` (case, newline sensitivity, expanded syntax,
//! literal). Classes follow a UTF-8 libc locale as PostgreSQL's do; the
//! word constraints use the crate's Unicode word characters, which also
//! count combining marks and connector punctuation. What cannot run in
//! bounded time, back-references and lookahead/lookbehind constraints, is
//! refused with 2201B rather than answered wrongly; the BRE and ERE flavors
//! (options `b` and `e`) are refused with 0A000.
//!
//! Matches follow PostgreSQL's rules, not Perl's: a match starts as far left
//! as possible and is then the longest (or, for a non-greedy pattern as a
//! whole, the shortest) one starting there ([`Regex::find_at`]).
//! Capture groups are then assigned by the crate's priority order within
//! that match, which agrees with PostgreSQL except for ambiguous
//! alternations inside a group (PostgreSQL prefers the longest
//! alternative, the crate the first) and groups nested in a repeated group
//! that did not take part in its last iteration (PostgreSQL reports them
//! NULL, the crate their earlier value).
//!
//! Compiled patterns are kept in a small per-thread LRU cache keyed by
//! pattern and flags, so that a constant pattern applied to many rows is
//! compiled once. Compiled programs are size-limited: a pattern too large
//! fails with 2201B "regular expression is too complex", as PostgreSQL's.
//! `~` over a long text walks a lazy DFA in steps, with
//! CHECK_FOR_INTERRUPTS between them, so cancel and statement_timeout
//! stop it.

use std::cell::{OnceCell, RefCell};
use std::fmt::Write as _;
use std::rc::Rc;

use regex_automata::hybrid;
use regex_automata::meta;
use regex_automata::nfa::thompson::{self, pikevm::PikeVM};
use regex_automata::util::syntax;
use regex_automata::{Anchored, Input, MatchKind};

use crate::error::{sqlstate, PgError, PgResult};
use crate::types::{oid, Value};

/// Compiled patterns kept per thread.
pub const CACHE_SIZE: usize = 32;
/// Largest compiled program (bytes) for one engine of one pattern.
const SIZE_LIMIT: usize = 10 << 20;
/// Lazy-DFA cache per pattern (bytes).
const DFA_CACHE: usize = 2 << 20;
/// Texts longer than this are matched by `~` in steps, with a check for
/// interrupts between steps.
const LONG: usize = 1 << 20;
/// A step: some microseconds of matching (the interrupt check reads the
/// clock for statement_timeout every 64th call, about every millisecond).
const STEP: usize = 16 << 10;
/// Deepest nesting of parentheses accepted (PostgreSQL has none, but the
/// translator and the crate's parser recurse).
const MAX_DEPTH: usize = 100;
/// The crate's own nesting limit, above what the translation can produce
/// from `MAX_DEPTH` groups.
const NEST_LIMIT: u32 = 1000;
/// PostgreSQL's largest repetition count in a bound (DUPMAX).
const DUPMAX: u32 = 255;

fn invalid(msg: &str) -> PgError {
    PgError::new(
        sqlstate::INVALID_REGULAR_EXPRESSION,
        format!("invalid regular expression: {msg}"),
    )
}

const BADRPT: &str = "quantifier operand invalid";
const BADBR: &str = "invalid repetition count(s)";
const EBRACE: &str = "braces {} not balanced";
const EBRACK: &str = "brackets [] not balanced";
const EPAREN: &str = "parentheses () not balanced";
const EESCAPE: &str = "invalid escape \\ sequence";
const ERANGE: &str = "invalid character range";
const ECTYPE: &str = "invalid character class";
const ECOLLATE: &str = "invalid collating element";
const BADOPT: &str = "invalid embedded option";
const ETOOBIG: &str = "regular expression is too complex";

fn too_complex() -> PgError {
    invalid(ETOOBIG)
}

fn backref_refused() -> PgError {
    invalid("back-references are not supported (they cannot be matched in linear time)")
}

fn lookaround_refused() -> PgError {
    invalid(
        "lookahead and lookbehind constraints are not supported \
         (they cannot be matched in linear time)",
    )
}

fn flavor_refused(c: char) -> PgError {
    PgError::not_supported(format!(
        "regular expression option \"{c}\" ({} syntax)",
        if c == 'b' { "basic" } else { "extended" }
    ))
}

/// Compilation options: PostgreSQL's `~*`, the flags argument of the
/// regexp functions, and the embedded options.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Flags {
    /// `i`: case-insensitive.
    pub icase: bool,
    /// `n`, `p`: `.` and negated brackets do not match a newline.
    pub dot_no_newline: bool,
    /// `n`, `w`: `^` and `$` also match at line breaks.
    pub line_anchors: bool,
    /// `x`: white space and `#` comments are ignored.
    pub expanded: bool,
    /// `q`: the whole pattern is a literal string.
    pub literal: bool,
}

impl Flags {
    pub fn case_insensitive(icase: bool) -> Flags {
        Flags {
            icase,
            ..Flags::default()
        }
    }

    /// Applies one option letter (embedded or from a flags argument);
    /// false for a letter that is not an option.
    fn apply(&mut self, c: char) -> PgResult<bool> {
        match c {
            'b' | 'e' => return Err(flavor_refused(c)),
            'c' => self.icase = false,
            'i' => self.icase = true,
            'm' | 'n' => {
                self.dot_no_newline = true;
                self.line_anchors = true;
            }
            'p' => {
                self.dot_no_newline = true;
                self.line_anchors = false;
            }
            'w' => {
                self.dot_no_newline = false;
                self.line_anchors = true;
            }
            's' => {
                self.dot_no_newline = false;
                self.line_anchors = false;
            }
            't' => self.expanded = false,
            'x' => self.expanded = true,
            'q' => self.literal = true,
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// The flags argument of the regexp functions: the options above and
    /// `g` (every match), returned apart.
    pub fn parse(opts: &str) -> PgResult<(Flags, bool)> {
        let mut f = Flags::default();
        let mut global = false;
        for c in opts.chars() {
            if c == 'g' {
                global = true;
            } else if !f.apply(c)? {
                return Err(PgError::new(
                    sqlstate::INVALID_PARAMETER_VALUE,
                    format!("invalid regular expression option: \"{c}\""),
                ));
            }
        }
        Ok((f, global))
    }
}

/// A pattern translated into the crate's syntax.
#[derive(Debug, PartialEq)]
pub struct Translated {
    pub pattern: String,
    /// Whether the pattern as a whole prefers the longest match
    /// (PostgreSQL's greediness of the whole RE).
    pub greedy: bool,
    /// Capturing groups.
    pub groups: usize,
}

/// Translates a PostgreSQL ARE into the regex crate's syntax.
pub fn translate(pattern: &str, flags: Flags) -> PgResult<Translated> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut t = Translator {
        p: &chars,
        pos: 0,
        flags,
        groups: 0,
        depth: 0,
    };
    if t.eat_str("***=") {
        t.flags.literal = true;
    } else {
        t.eat_str("***:");
        if !t.flags.literal {
            t.embedded_options()?;
        }
    }
    let (body, greedy) = if t.flags.literal {
        let mut out = String::new();
        for &c in &chars[t.pos..] {
            push_lit(&mut out, c);
        }
        (out, None)
    } else {
        let r = t.regex()?;
        if t.pos < chars.len() {
            // Only an unmatched ')' stops the top level early.
            return Err(invalid(EPAREN));
        }
        r
    };
    Ok(Translated {
        pattern: format!("(?{}:{body})", if t.flags.icase { "i" } else { "" }),
        greedy: greedy.unwrap_or(true),
        groups: t.groups,
    })
}

/// `c` as a literal of the crate's syntax (also inside brackets).
fn push_lit(out: &mut String, c: char) {
    if c.is_alphanumeric() {
        out.push(c);
    } else {
        let _ = write!(out, "\\x{{{:X}}}", c as u32);
    }
}

fn lit(c: char) -> String {
    let mut s = String::new();
    push_lit(&mut s, c);
    s
}

/// Matches no character (an escape naming no valid character).
const NOTHING: &str = r"[^\x00-\x{10FFFF}]";

/// The members of a `[:name:]` class, as items inside the crate's
/// brackets. Classes follow a UTF-8 libc locale, as PostgreSQL's: digit
/// is ASCII only, alpha takes the other scripts' digits.
fn class_items(name: &str) -> Option<&'static str> {
    Some(match name {
        "alpha" => r"\p{Alphabetic}[\p{Nd}--0-9]",
        "alnum" => r"\p{Alphabetic}\p{Nd}",
        "word" => r"\p{Alphabetic}\p{Nd}_",
        "digit" => "0-9",
        "xdigit" => "0-9A-Fa-f",
        "upper" => r"\p{Uppercase}\p{Lt}",
        "lower" => r"\p{Lowercase}\p{Lt}",
        "space" => r"\s",
        "blank" => r"\t\p{Zs}",
        "punct" => r"\p{P}\p{S}",
        "cntrl" => r"\p{Cc}",
        "graph" => r"[^\s\p{Cc}\p{Cn}]",
        "print" => r"[^\p{Cc}\p{Cn}\p{Zl}\p{Zp}]",
        "ascii" => r"\x00-\x7F",
        _ => return None,
    })
}

/// POSIX collating-element names accepted in `[. .]` and `[= =]`.
fn collating_name(name: &str) -> Option<char> {
    let mut it = name.chars();
    if let (Some(c), None) = (it.next(), it.next()) {
        return Some(c);
    }
    Some(match name {
        "NUL" => '\0',
        "alert" => '\x07',
        "backspace" => '\x08',
        "tab" => '\t',
        "newline" => '\n',
        "vertical-tab" => '\x0B',
        "form-feed" => '\x0C',
        "carriage-return" => '\r',
        "space" => ' ',
        "exclamation-mark" => '!',
        "quotation-mark" => '"',
        "number-sign" => '#',
        "dollar-sign" => '$',
        "percent-sign" => '%',
        "ampersand" => '&',
        "apostrophe" => '\'',
        "left-parenthesis" => '(',
        "right-parenthesis" => ')',
        "asterisk" => '*',
        "plus-sign" => '+',
        "comma" => ',',
        "hyphen" | "hyphen-minus" => '-',
        "period" | "full-stop" => '.',
        "slash" | "solidus" => '/',
        "colon" => ':',
        "semicolon" => ';',
        "less-than-sign" => '<',
        "equals-sign" => '=',
        "greater-than-sign" => '>',
        "question-mark" => '?',
        "commercial-at" => '@',
        "left-square-bracket" => '[',
        "backslash" | "reverse-solidus" => '\\',
        "right-square-bracket" => ']',
        "circumflex" | "circumflex-accent" => '^',
        "underscore" | "low-line" => '_',
        "grave-accent" => '`',
        "left-brace" | "left-curly-bracket" => '{',
        "vertical-line" => '|',
        "right-brace" | "right-curly-bracket" => '}',
        "tilde" => '~',
        "DEL" => '\x7F',
        _ => return None,
    })
}

/// One piece of translated pattern.
enum Atom {
    /// Can be quantified; with its greediness attribute.
    Quantifiable(String, Option<bool>),
    /// A constraint (`^`, `\y`, ...): zero-width, cannot be quantified.
    Constraint(String),
}

/// An element of a bracket expression.
enum Elem {
    /// A character, None for an escape naming no valid character.
    Char(Option<char>),
    /// Class items (`[:alpha:]`, `\d`).
    Class(String),
}

struct Translator<'a> {
    p: &'a [char],
    pos: usize,
    flags: Flags,
    groups: usize,
    depth: usize,
}

impl Translator<'_> {
    fn peek(&self) -> Option<char> {
        self.p.get(self.pos).copied()
    }

    fn peek_at(&self, n: usize) -> Option<char> {
        self.p.get(self.pos + n).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek();
        if c.is_some() {
            self.pos += 1;
        }
        c
    }

    fn eat_str(&mut self, s: &str) -> bool {
        let n = s.chars().count();
        if self.p.len() >= self.pos + n
            && self.p[self.pos..self.pos + n].iter().copied().eq(s.chars())
        {
            self.pos += n;
            true
        } else {
            false
        }
    }

    /// `(?opts)` at the very start of an ARE.
    fn embedded_options(&mut self) -> PgResult<()> {
        if !(self.peek() == Some('(')
            && self.peek_at(1) == Some('?')
            && self.peek_at(2).is_some_and(|c| c.is_ascii_alphabetic()))
        {
            return Ok(());
        }
        self.pos += 2;
        loop {
            match self.bump() {
                Some(')') => return Ok(()),
                Some(c) if self.flags.apply(c)? => {
                    if self.flags.literal {
                        // PostgreSQL ignores whatever follows `q` up to the ')'.
                        while self.bump().is_some_and(|c| c != ')') {}
                        return Ok(());
                    }
                }
                _ => return Err(invalid(BADOPT)),
            }
        }
    }

    /// Skips `(?#...)` comments and, with `x`, white space and `#` comments.
    fn skip_noise(&mut self) -> PgResult<()> {
        loop {
            match self.peek() {
                Some('(') if self.peek_at(1) == Some('?') && self.peek_at(2) == Some('#') => {
                    self.pos += 3;
                    while self.bump().ok_or_else(|| invalid(EPAREN))? != ')' {}
                }
                Some(c) if self.flags.expanded && c.is_whitespace() => self.pos += 1,
                Some('#') if self.flags.expanded => while self.bump().is_some_and(|c| c != '\n') {},
                _ => return Ok(()),
            }
        }
    }

    /// White space inside bounds, with `x`.
    fn skip_ws(&mut self) {
        while self.flags.expanded && self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    /// Alternatives separated by `|`, up to `)` or the end.
    fn regex(&mut self) -> PgResult<(String, Option<bool>)> {
        let (mut out, mut greedy) = self.branch()?;
        while self.peek() == Some('|') {
            self.pos += 1;
            let (b, _) = self.branch()?;
            out.push('|');
            out.push_str(&b);
            // Two or more branches: greedy as a whole.
            greedy = Some(true);
        }
        Ok((out, greedy))
    }

    /// A sequence of pieces; greedy as its first piece that has a
    /// greediness attribute.
    fn branch(&mut self) -> PgResult<(String, Option<bool>)> {
        let mut out = String::new();
        let mut greedy = None;
        loop {
            self.skip_noise()?;
            match self.peek() {
                None | Some('|') | Some(')') => return Ok((out, greedy)),
                _ => {}
            }
            let (s, g) = self.piece()?;
            out.push_str(&s);
            greedy = greedy.or(g);
        }
    }

    fn at_quantifier(&self) -> bool {
        match self.peek() {
            Some('*' | '+' | '?') => true,
            Some('{') => {
                let mut i = self.pos + 1;
                while self.flags.expanded && self.p.get(i).is_some_and(|c| c.is_whitespace()) {
                    i += 1;
                }
                self.p.get(i).is_some_and(|c| c.is_ascii_digit())
            }
            _ => false,
        }
    }

    fn piece(&mut self) -> PgResult<(String, Option<bool>)> {
        let (mut out, atom_greedy) = match self.atom()? {
            Atom::Constraint(s) => {
                self.skip_noise()?;
                if self.at_quantifier() {
                    return Err(invalid(BADRPT));
                }
                return Ok((s, None));
            }
            Atom::Quantifiable(s, g) => (s, g),
        };
        // PostgreSQL drops (?#) comments before it looks for a quantifier,
        // but white space in expanded mode ends the atom.
        while self.peek() == Some('(')
            && self.peek_at(1) == Some('?')
            && self.peek_at(2) == Some('#')
        {
            self.pos += 3;
            while self.bump().ok_or_else(|| invalid(EPAREN))? != ')' {}
        }
        if !self.at_quantifier() {
            return Ok((out, atom_greedy));
        }
        let (q, exact) = match self.bump() {
            Some('*') => ("*".to_string(), false),
            Some('+') => ("+".to_string(), false),
            Some('?') => ("?".to_string(), false),
            _ => self.bound()?,
        };
        let lazy = self.peek() == Some('?');
        if lazy {
            self.pos += 1;
        }
        out.push_str(&q);
        if lazy {
            out.push('?');
        }
        self.skip_noise()?;
        if self.at_quantifier() {
            return Err(invalid(BADRPT));
        }
        let greedy = if exact { atom_greedy } else { Some(!lazy) };
        Ok((out, greedy))
    }

    /// `{m}`, `{m,}`, `{m,n}` after the `{`; whether it is `{m}`.
    fn bound(&mut self) -> PgResult<(String, bool)> {
        self.skip_ws();
        let m = self.count()?.ok_or_else(|| invalid(BADBR))?;
        self.skip_ws();
        let mut n = Some(m);
        let mut exact = true;
        if self.peek() == Some(',') {
            self.pos += 1;
            exact = false;
            self.skip_ws();
            n = self.count()?;
            self.skip_ws();
        }
        match self.bump() {
            Some('}') => {}
            None => return Err(invalid(EBRACE)),
            Some(_) => return Err(invalid(BADBR)),
        }
        Ok(match n {
            _ if exact => (format!("{{{m}}}"), true),
            None => (format!("{{{m},}}"), false),
            Some(n) if n < m => return Err(invalid(BADBR)),
            Some(n) => (format!("{{{m},{n}}}"), false),
        })
    }

    fn count(&mut self) -> PgResult<Option<u32>> {
        let mut v: Option<u32> = None;
        while let Some(d) = self.peek().and_then(|c| c.to_digit(10)) {
            self.pos += 1;
            let x = v.unwrap_or(0).saturating_mul(10).saturating_add(d);
            if x > DUPMAX {
                return Err(invalid(BADBR));
            }
            v = Some(x);
        }
        Ok(v)
    }

    fn atom(&mut self) -> PgResult<Atom> {
        let c = self.bump().ok_or_else(|| invalid(BADRPT))?;
        Ok(match c {
            '(' => return self.group(),
            // [[:<:]] and [[:>:]]: the start and end of a word (\m, \M).
            '[' if self.eat_str("[:<:]]") => Atom::Constraint(r"\b{start}".into()),
            '[' if self.eat_str("[:>:]]") => Atom::Constraint(r"\b{end}".into()),
            '[' => Atom::Quantifiable(self.bracket()?, None),
            '.' => Atom::Quantifiable(
                if self.flags.dot_no_newline {
                    r"[^\n]"
                } else {
                    "(?s:.)"
                }
                .into(),
                None,
            ),
            '^' => Atom::Constraint(
                if self.flags.line_anchors {
                    "(?m:^)"
                } else {
                    r"\A"
                }
                .into(),
            ),
            '$' => Atom::Constraint(
                if self.flags.line_anchors {
                    "(?m:$)"
                } else {
                    r"\z"
                }
                .into(),
            ),
            '\\' => self.escape()?,
            '*' | '+' | '?' => return Err(invalid(BADRPT)),
            '{' => {
                self.pos -= 1;
                if self.at_quantifier() {
                    return Err(invalid(BADRPT));
                }
                self.pos += 1;
                Atom::Quantifiable(lit('{'), None)
            }
            c => Atom::Quantifiable(lit(c), None),
        })
    }

    /// After `(`: a group, or a refused lookaround.
    fn group(&mut self) -> PgResult<Atom> {
        let capturing = if self.peek() == Some('?') {
            match (self.peek_at(1), self.peek_at(2)) {
                (Some(':'), _) => {
                    self.pos += 2;
                    false
                }
                (Some('=' | '!'), _) | (Some('<'), Some('=' | '!')) => {
                    return Err(lookaround_refused())
                }
                _ => return Err(invalid(BADRPT)),
            }
        } else {
            true
        };
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(too_complex());
        }
        if capturing {
            self.groups += 1;
        }
        let (inner, greedy) = self.regex()?;
        if self.bump() != Some(')') {
            return Err(invalid(EPAREN));
        }
        self.depth -= 1;
        Ok(Atom::Quantifiable(
            if capturing {
                format!("({inner})")
            } else {
                format!("(?:{inner})")
            },
            greedy,
        ))
    }

    /// After `\` outside brackets.
    fn escape(&mut self) -> PgResult<Atom> {
        let e = self.bump().ok_or_else(|| invalid(EESCAPE))?;
        if !e.is_alphanumeric() {
            return Ok(Atom::Quantifiable(lit(e), None));
        }
        let class = |items: &str, neg: bool| {
            Atom::Quantifiable(format!("[{}{items}]", if neg { "^" } else { "" }), None)
        };
        let constraint = |s: &str| Atom::Constraint(s.into());
        Ok(match e {
            'd' => class("0-9", false),
            'D' => class("0-9", true),
            's' => class(r"\s", false),
            'S' => class(r"\s", true),
            'w' => class(r"\p{Alphabetic}\p{Nd}_", false),
            'W' => class(r"\p{Alphabetic}\p{Nd}_", true),
            'A' => constraint(r"\A"),
            'Z' => constraint(r"\z"),
            'y' => constraint(r"\b"),
            'Y' => constraint(r"\B"),
            'm' => constraint(r"\b{start}"),
            'M' => constraint(r"\b{end}"),
            '1'..='9' => {
                // PostgreSQL: one digit, or a number no larger than the
                // groups opened so far, is a back-reference; otherwise an
                // octal character entry.
                let start = self.pos - 1;
                let mut n: usize = 0;
                let mut end = start;
                while let Some(d) = self.p.get(end).and_then(|c| c.to_digit(10)) {
                    n = n.saturating_mul(10).saturating_add(d as usize);
                    end += 1;
                }
                if end == start + 1 || n <= self.groups {
                    return Err(backref_refused());
                }
                self.pos = start;
                match self.octal() {
                    Some(v) => char_atom(char::from_u32(v)),
                    None => return Err(invalid(EESCAPE)),
                }
            }
            _ => match self.entry_escape(e)? {
                Some(v) => char_atom(char::from_u32(v)),
                None => return Err(invalid(EESCAPE)),
            },
        })
    }

    /// Up to three octal digits at the current position (PostgreSQL takes
    /// one digit less when three exceed 0xFF).
    fn octal(&mut self) -> Option<u32> {
        let start = self.pos;
        let mut v: u32 = 0;
        while self.pos < start + 3 {
            match self.peek().and_then(|c| c.to_digit(8)) {
                Some(d) => {
                    v = v * 8 + d;
                    self.pos += 1;
                }
                None => break,
            }
        }
        if self.pos == start {
            return None;
        }
        if v > 0xFF {
            self.pos -= 1;
            v >>= 3;
        }
        Some(v)
    }

    fn hex(&mut self, min: usize, max: usize) -> PgResult<u32> {
        let start = self.pos;
        let mut v: u32 = 0;
        while self.pos - start < max {
            match self.peek().and_then(|c| c.to_digit(16)) {
                Some(d) => {
                    v = v.saturating_mul(16).saturating_add(d);
                    self.pos += 1;
                }
                None => break,
            }
        }
        if self.pos - start < min {
            return Err(invalid(EESCAPE));
        }
        Ok(v)
    }

    /// Character-entry escapes (`\n`, `\x41`, `\u00e9`, `\017`, `\cA`...),
    /// with `e` already read; None if `e` is not one.
    fn entry_escape(&mut self, e: char) -> PgResult<Option<u32>> {
        Ok(Some(match e {
            'a' => 0x07,
            'b' => 0x08,
            'B' => '\\' as u32,
            'c' => (self.bump().ok_or_else(|| invalid(EESCAPE))? as u32) & 0x1F,
            'e' => 0x1B,
            'f' => 0x0C,
            'n' => 0x0A,
            'r' => 0x0D,
            't' => 0x09,
            'v' => 0x0B,
            'u' => self.hex(4, 4)?,
            'U' => self.hex(8, 8)?,
            'x' => self.hex(1, 255)?,
            '0' => {
                self.pos -= 1;
                self.octal().unwrap_or(0)
            }
            _ => return Ok(None),
        }))
    }

    /// After `[`.
    fn bracket(&mut self) -> PgResult<String> {
        let neg = self.peek() == Some('^');
        if neg {
            self.pos += 1;
        }
        let mut items = String::new();
        let mut first = true;
        loop {
            let c = self.peek().ok_or_else(|| invalid(EBRACK))?;
            if c == ']' && !first {
                self.pos += 1;
                break;
            }
            first = false;
            let range_follows =
                |t: &Self| t.peek() == Some('-') && t.peek_at(1).is_some_and(|c| c != ']');
            match self.bracket_elem()? {
                Elem::Class(s) => {
                    if range_follows(self) {
                        return Err(invalid(ERANGE));
                    }
                    items.push_str(&s);
                }
                Elem::Char(a) if range_follows(self) => {
                    self.pos += 1;
                    let Elem::Char(b) = self.bracket_elem()? else {
                        return Err(invalid(ERANGE));
                    };
                    let (Some(a), Some(b)) = (a, b) else {
                        return Err(invalid(ERANGE));
                    };
                    if a > b || range_follows(self) {
                        return Err(invalid(ERANGE));
                    }
                    push_lit(&mut items, a);
                    items.push('-');
                    push_lit(&mut items, b);
                }
                Elem::Char(Some(a)) => push_lit(&mut items, a),
                Elem::Char(None) => {}
            }
        }
        if neg && self.flags.dot_no_newline {
            items.push_str(r"\n");
        }
        Ok(if items.is_empty() {
            // Only escapes naming no character.
            if neg { r"[\x00-\x{10FFFF}]" } else { NOTHING }.into()
        } else {
            format!("[{}{items}]", if neg { "^" } else { "" })
        })
    }

    /// Text up to `close` (e.g. ":]"), consumed with it.
    fn until(&mut self, close: [char; 2]) -> PgResult<String> {
        let rest = &self.p[self.pos..];
        let end = rest
            .windows(2)
            .position(|w| w == close)
            .ok_or_else(|| invalid(EBRACK))?;
        let s: String = rest[..end].iter().collect();
        self.pos += end + 2;
        Ok(s)
    }

    fn bracket_elem(&mut self) -> PgResult<Elem> {
        let c = self.bump().ok_or_else(|| invalid(EBRACK))?;
        match (c, self.peek()) {
            ('[', Some(':')) => {
                self.pos += 1;
                let name = self.until([':', ']'])?;
                let items = class_items(&name).ok_or_else(|| invalid(ECTYPE))?;
                Ok(Elem::Class(items.into()))
            }
            ('[', Some(k @ ('.' | '='))) => {
                self.pos += 1;
                let name = self.until([k, ']'])?;
                let c = collating_name(&name).ok_or_else(|| invalid(ECOLLATE))?;
                Ok(Elem::Char(Some(c)))
            }
            ('\\', _) => {
                let e = self.bump().ok_or_else(|| invalid(EBRACK))?;
                if !e.is_alphanumeric() {
                    return Ok(Elem::Char(Some(e)));
                }
                let items = r"\p{Alphabetic}\p{Nd}_";
                Ok(match e {
                    'd' => Elem::Class("0-9".into()),
                    'D' => Elem::Class("[^0-9]".into()),
                    's' => Elem::Class(r"\s".into()),
                    'S' => Elem::Class(r"\S".into()),
                    'w' => Elem::Class(items.into()),
                    'W' => Elem::Class(format!("[^{items}]")),
                    _ => match self.entry_escape(e)? {
                        Some(v) => Elem::Char(char::from_u32(v)),
                        None => return Err(invalid(EESCAPE)),
                    },
                })
            }
            (c, _) => Ok(Elem::Char(Some(c))),
        }
    }
}

fn char_atom(c: Option<char>) -> Atom {
    Atom::Quantifiable(c.map_or_else(|| NOTHING.to_string(), lit), None)
}

/// The engines that give a match PostgreSQL's extent: anchored at its
/// start, longest or shortest (all-matches semantics).
struct Extent {
    dfa: hybrid::dfa::DFA,
    dfa_cache: RefCell<hybrid::dfa::Cache>,
    vm: PikeVM,
    vm_cache: RefCell<regex_automata::nfa::thompson::pikevm::Cache>,
}

/// The engines that assign groups within a match of known extent: the
/// pattern followed by the end of the text, or by one character and the
/// end (the text is cut one character after the match).
/// A lazy DFA walked byte by byte over long texts, so that cancel and
/// statement_timeout are seen while it runs.
struct Scan {
    dfa: hybrid::dfa::DFA,
    cache: RefCell<hybrid::dfa::Cache>,
}

struct Tails {
    at_end: meta::Regex,
    before_char: meta::Regex,
}

struct Compiled {
    re: regex::Regex,
    pattern: String,
    greedy: bool,
    groups: usize,
    extent: OnceCell<Extent>,
    tails: OnceCell<Tails>,
    scan: OnceCell<Scan>,
}

/// A compiled pattern (a cheap handle on the per-thread cache's entry).
#[derive(Clone)]
pub struct Regex(Rc<Compiled>);

impl std::fmt::Debug for Regex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Regex({:?})", self.0.pattern)
    }
}

thread_local! {
    /// Most recently used first.
    static CACHE: RefCell<Vec<(String, Flags, Regex)>> = const { RefCell::new(Vec::new()) };
}

fn build_error(e: impl std::fmt::Display, too_big: bool) -> PgError {
    if too_big {
        too_complex()
    } else {
        // The translation should only produce valid syntax.
        invalid(e.to_string().lines().last().unwrap_or(""))
    }
}

fn syntax_config() -> syntax::Config {
    syntax::Config::new().nest_limit(NEST_LIMIT)
}

fn thompson_config() -> thompson::Config {
    thompson::Config::new().nfa_size_limit(Some(SIZE_LIMIT))
}

impl Regex {
    /// The pattern as `~` (`~*` with `case_insensitive`) compiles it.
    pub fn new(pattern: &str, case_insensitive: bool) -> PgResult<Regex> {
        Regex::with_flags(pattern, Flags::case_insensitive(case_insensitive))
    }

    /// A compiled pattern, from the per-thread cache when it is there.
    pub fn with_flags(pattern: &str, flags: Flags) -> PgResult<Regex> {
        let hit = CACHE.with(|c| {
            let mut c = c.borrow_mut();
            let i = c.iter().position(|(p, f, _)| *f == flags && p == pattern)?;
            let e = c.remove(i);
            let re = e.2.clone();
            c.insert(0, e);
            Some(re)
        });
        if let Some(re) = hit {
            return Ok(re);
        }
        let re = Regex::compile(pattern, flags)?;
        CACHE.with(|c| {
            let mut c = c.borrow_mut();
            c.insert(0, (pattern.to_string(), flags, re.clone()));
            c.truncate(CACHE_SIZE);
        });
        Ok(re)
    }

    fn compile(pattern: &str, flags: Flags) -> PgResult<Regex> {
        let t = translate(pattern, flags)?;
        let re = regex::RegexBuilder::new(&t.pattern)
            .size_limit(SIZE_LIMIT)
            .dfa_size_limit(DFA_CACHE)
            .nest_limit(NEST_LIMIT)
            .build()
            .map_err(|e| build_error(&e, matches!(e, regex::Error::CompiledTooBig(_))))?;
        Ok(Regex(Rc::new(Compiled {
            re,
            pattern: t.pattern,
            greedy: t.greedy,
            groups: t.groups,
            extent: OnceCell::new(),
            tails: OnceCell::new(),
            scan: OnceCell::new(),
        })))
    }

    /// The number of capturing groups.
    pub fn groups(&self) -> usize {
        self.0.groups
    }

    /// Whether the pattern matches somewhere in `s`.
    pub fn is_match(&self, s: &str) -> bool {
        self.0.re.is_match(s)
    }

    /// As [`Regex::is_match`], failing with 57014 on cancel or
    /// statement_timeout: a long text is matched in steps, with
    /// CHECK_FOR_INTERRUPTS between them.
    pub fn is_match_interruptible(&self, s: &str) -> PgResult<bool> {
        if s.len() <= LONG {
            return Ok(self.is_match(s));
        }
        match self.scan_is_match(s)? {
            Some(found) => Ok(found),
            // The lazy DFA gave up (non-ASCII text near a word boundary):
            // the crate's other engines, still linear, in one go.
            None => Ok(self.is_match(s)),
        }
    }

    /// Walks the lazy DFA over `s`; None if it gives up.
    fn scan_is_match(&self, s: &str) -> PgResult<Option<bool>> {
        let x = match self.0.scan.get() {
            Some(x) => x,
            None => {
                let dfa = hybrid::dfa::DFA::builder()
                    .configure(
                        hybrid::dfa::Config::new()
                            .cache_capacity(DFA_CACHE)
                            .unicode_word_boundary(true),
                    )
                    .syntax(syntax_config())
                    .thompson(thompson_config())
                    .build(&self.0.pattern)
                    .map_err(|e| build_error(&e, false))?;
                let x = Scan {
                    cache: RefCell::new(dfa.create_cache()),
                    dfa,
                };
                self.0.scan.get_or_init(|| x)
            }
        };
        let cache = &mut *x.cache.borrow_mut();
        let Ok(mut sid) = x.dfa.start_state_forward(cache, &Input::new(s)) else {
            return Ok(None);
        };
        for chunk in s.as_bytes().chunks(STEP) {
            crate::interrupts::check_for_interrupts()?;
            for &b in chunk {
                let Ok(next) = x.dfa.next_state(cache, sid, b) else {
                    return Ok(None);
                };
                sid = next;
                if sid.is_tagged() {
                    if sid.is_match() {
                        return Ok(Some(true));
                    }
                    if sid.is_dead() {
                        return Ok(Some(false));
                    }
                    if sid.is_quit() {
                        return Ok(None);
                    }
                }
            }
        }
        Ok(x.dfa
            .next_eoi_state(cache, sid)
            .ok()
            .map(|sid| sid.is_match()))
    }

    fn extent(&self) -> PgResult<&Extent> {
        if let Some(x) = self.0.extent.get() {
            return Ok(x);
        }
        let nfa = thompson::Compiler::new()
            .syntax(syntax_config())
            .configure(thompson_config())
            .build(&self.0.pattern)
            .map_err(|e| build_error(&e, e.size_limit().is_some()))?;
        let dfa = hybrid::dfa::DFA::builder()
            .configure(
                hybrid::dfa::Config::new()
                    .match_kind(MatchKind::All)
                    .cache_capacity(DFA_CACHE)
                    .unicode_word_boundary(true),
            )
            .build_from_nfa(nfa.clone())
            .map_err(|e| build_error(&e, false))?;
        let vm = PikeVM::builder()
            .configure(PikeVM::config().match_kind(MatchKind::All))
            .build_from_nfa(nfa)
            .map_err(|e| build_error(&e, e.size_limit().is_some()))?;
        let x = Extent {
            dfa_cache: RefCell::new(dfa.create_cache()),
            dfa,
            vm_cache: RefCell::new(vm.create_cache()),
            vm,
        };
        Ok(self.0.extent.get_or_init(|| x))
    }

    fn tails(&self) -> PgResult<&Tails> {
        if let Some(t) = self.0.tails.get() {
            return Ok(t);
        }
        let build = |suffix: &str| {
            meta::Regex::builder()
                .syntax(syntax_config())
                .configure(
                    meta::Config::new()
                        .nfa_size_limit(Some(SIZE_LIMIT))
                        .hybrid_cache_capacity(DFA_CACHE),
                )
                .build(&format!("{}{suffix}", self.0.pattern))
                .map_err(|e| build_error(&e, e.size_limit().is_some()))
        };
        let t = Tails {
            at_end: build(r"\z")?,
            before_char: build(r"(?s:.)\z")?,
        };
        Ok(self.0.tails.get_or_init(|| t))
    }

    /// Where PostgreSQL's match starting at `start` ends: the longest
    /// match there, or the shortest for a non-greedy pattern.
    fn extent_end(&self, hay: &str, start: usize, fallback: usize) -> PgResult<usize> {
        let x = self.extent()?;
        let input = Input::new(hay)
            .range(start..)
            .anchored(Anchored::Yes)
            .earliest(!self.0.greedy);
        // The lazy DFA gives up on some inputs (non-ASCII text around a
        // word boundary); the PikeVM never does.
        if let Ok(Some(hm)) = x.dfa.try_search_fwd(&mut x.dfa_cache.borrow_mut(), &input) {
            return Ok(hm.offset());
        }
        Ok(x.vm
            .find(&mut x.vm_cache.borrow_mut(), input)
            .map_or(fallback, |m| m.end()))
    }

    /// PostgreSQL's first match at or after byte `from` (the text before
    /// `from` still counts for `^` and word boundaries): its byte range.
    pub fn find_at(&self, hay: &str, from: usize) -> PgResult<Option<(usize, usize)>> {
        let Some(m) = self.0.re.find_at(hay, from) else {
            return Ok(None);
        };
        let end = self.extent_end(hay, m.start(), m.end())?;
        Ok(Some((m.start(), end)))
    }

    /// As [`Regex::find_at`], with the groups: element 0 is the whole
    /// match, element i the i-th group (None when it took no part).
    #[allow(clippy::type_complexity)]
    pub fn captures_at(
        &self,
        hay: &str,
        from: usize,
    ) -> PgResult<Option<Vec<Option<(usize, usize)>>>> {
        if self.0.groups == 0 {
            return Ok(self.find_at(hay, from)?.map(|m| vec![Some(m)]));
        }
        let Some(caps) = self.0.re.captures_at(hay, from) else {
            return Ok(None);
        };
        let m = caps.get(0).expect("group 0 of a match");
        let start = m.start();
        let end = self.extent_end(hay, start, m.end())?;
        let mut out: Vec<Option<(usize, usize)>> = caps
            .iter()
            .map(|g| g.map(|g| (g.start(), g.end())))
            .collect();
        if end != m.end() {
            // Assign the groups among the ways of matching exactly
            // start..end, with the text after `end` still in view.
            let t = self.tails()?;
            let (re, text) = match hay[end..].chars().next() {
                None => (&t.at_end, hay),
                Some(c) => (&t.before_char, &hay[..end + c.len_utf8()]),
            };
            let input = Input::new(text).range(start..).anchored(Anchored::Yes);
            let mut c = re.create_captures();
            re.search_captures(&input, &mut c);
            if c.is_match() {
                out = (0..=self.0.groups)
                    .map(|i| c.get_group(i).map(|s| (s.start, s.end)))
                    .collect();
            }
        }
        out[0] = Some((start, end));
        Ok(Some(out))
    }

    /// Every match as PostgreSQL's loops find them: after an empty match
    /// the search moves on one character. `f` gets each match's groups.
    fn for_each_match(
        &self,
        hay: &str,
        global: bool,
        mut f: impl FnMut(&[Option<(usize, usize)>]),
    ) -> PgResult<()> {
        let mut from = 0;
        while from <= hay.len() {
            let Some(caps) = self.captures_at(hay, from)? else {
                break;
            };
            f(&caps);
            if !global {
                break;
            }
            let (s, e) = caps[0].expect("whole match");
            from = e;
            if s == e {
                match hay[e..].chars().next() {
                    Some(c) => from += c.len_utf8(),
                    None => break,
                }
            }
            crate::interrupts::check_for_interrupts()?;
        }
        Ok(())
    }
}

/// regexp_replace(source, pattern, replacement [, flags]).
pub fn regexp_replace(src: &str, pattern: &str, repl: &str, flags: &str) -> PgResult<String> {
    let (f, global) = Flags::parse(flags)?;
    let re = Regex::with_flags(pattern, f)?;
    let mut out = String::with_capacity(src.len());
    let mut copied = 0;
    re.for_each_match(src, global, |caps| {
        let (s, e) = caps[0].expect("whole match");
        out.push_str(&src[copied..s]);
        expand_replacement(&mut out, src, repl, caps);
        copied = e;
    })?;
    out.push_str(&src[copied..]);
    Ok(out)
}

/// The replacement text with `\1`..`\9` (groups), `\&` (the match) and
/// `\\` substituted, as PostgreSQL's; any other backslash is kept.
fn expand_replacement(out: &mut String, src: &str, repl: &str, caps: &[Option<(usize, usize)>]) {
    let mut it = repl.chars().peekable();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let group = match it.peek() {
            Some(&d @ '1'..='9') => Some(d as usize - '0' as usize),
            Some('&') => Some(0),
            Some('\\') => {
                it.next();
                out.push('\\');
                continue;
            }
            _ => None,
        };
        match group {
            Some(g) => {
                it.next();
                if let Some(Some((s, e))) = caps.get(g) {
                    out.push_str(&src[*s..*e]);
                }
            }
            None => out.push('\\'),
        }
    }
}

fn no_global(func: &str) -> PgError {
    PgError::new(
        sqlstate::INVALID_PARAMETER_VALUE,
        format!("{func} does not support the \"global\" option"),
    )
}

/// regexp_match(source, pattern [, flags]): the groups of the first match
/// (the whole match when there are none), None without a match.
pub fn regexp_match(
    src: &str,
    pattern: &str,
    flags: &str,
) -> PgResult<Option<Vec<Option<String>>>> {
    let (f, global) = Flags::parse(flags)?;
    if global {
        return Err(
            no_global("regexp_match()").with_hint("Use the regexp_matches function instead.")
        );
    }
    let re = Regex::with_flags(pattern, f)?;
    let Some(caps) = re.captures_at(src, 0)? else {
        return Ok(None);
    };
    let pick = |g: &Option<(usize, usize)>| g.map(|(s, e)| src[s..e].to_string());
    Ok(Some(if caps.len() > 1 {
        caps[1..].iter().map(pick).collect()
    } else {
        vec![pick(&caps[0])]
    }))
}

/// regexp_matches(source, pattern [, flags]): the groups of the first
/// match (every match with the 'g' flag), each as regexp_match gives
/// them; no rows without a match.
pub fn regexp_matches(src: &str, pattern: &str, flags: &str) -> PgResult<Vec<Vec<Option<String>>>> {
    let (f, global) = Flags::parse(flags)?;
    let re = Regex::with_flags(pattern, f)?;
    let mut rows = Vec::new();
    re.for_each_match(src, global, |caps| {
        let pick = |g: &Option<(usize, usize)>| g.map(|(s, e)| src[s..e].to_string());
        rows.push(if caps.len() > 1 {
            caps[1..].iter().map(pick).collect()
        } else {
            vec![pick(&caps[0])]
        });
    })?;
    Ok(rows)
}

/// regexp_like(source, pattern [, flags]).
pub fn regexp_like(src: &str, pattern: &str, flags: &str) -> PgResult<bool> {
    let (f, global) = Flags::parse(flags)?;
    if global {
        return Err(no_global("regexp_like()"));
    }
    Ok(Regex::with_flags(pattern, f)?.is_match(src))
}

/// regexp_split_to_array(source, pattern [, flags]): the text between
/// matches, ignoring empty matches at the start, at the end and right
/// after another match, as PostgreSQL's.
pub fn regexp_split(src: &str, pattern: &str, flags: &str) -> PgResult<Vec<String>> {
    let (f, global) = Flags::parse(flags)?;
    if global {
        return Err(no_global("regexp_split_to_array()"));
    }
    let re = Regex::with_flags(pattern, f)?;
    let mut parts = Vec::new();
    let mut piece_start = 0;
    let mut prev_end = 0;
    re.for_each_match(src, true, |caps| {
        let (s, e) = caps[0].expect("whole match");
        if s < src.len() && e > prev_end {
            parts.push(src[piece_start..s].to_string());
            piece_start = e;
        }
        prev_end = e;
    })?;
    parts.push(src[piece_start..].to_string());
    Ok(parts)
}

/// substring(source from pattern): the first group of the first match
/// (NULL if it took no part), or the whole match without groups.
pub fn substring(src: &str, pattern: &str) -> PgResult<Option<String>> {
    let re = Regex::new(pattern, false)?;
    let Some(caps) = re.captures_at(src, 0)? else {
        return Ok(None);
    };
    let g = if caps.len() > 1 { caps[1] } else { caps[0] };
    Ok(g.map(|(s, e)| src[s..e].to_string()))
}

// The SQL functions' bodies, for the function table (strict: never called
// with a NULL argument).

fn text(v: &Value) -> &str {
    match v {
        Value::Text(t) => t,
        _ => "",
    }
}

fn opt_flags(a: &[Value], i: usize) -> &str {
    a.get(i).map_or("", text)
}

fn text_array(items: Vec<Option<String>>) -> Value {
    Value::Array(
        oid::TEXT,
        items
            .into_iter()
            .map(|s| s.map_or(Value::Null, Value::Text))
            .collect(),
    )
}

/// regexp_replace(text, text, text [, text]).
pub fn sql_regexp_replace(a: &[Value]) -> PgResult<Value> {
    Ok(Value::Text(regexp_replace(
        text(&a[0]),
        text(&a[1]),
        text(&a[2]),
        opt_flags(a, 3),
    )?))
}

/// regexp_match(text, text [, text]) → text[].
pub fn sql_regexp_match(a: &[Value]) -> PgResult<Value> {
    Ok(
        match regexp_match(text(&a[0]), text(&a[1]), opt_flags(a, 2))? {
            Some(items) => text_array(items),
            None => Value::Null,
        },
    )
}

/// regexp_like(text, text [, text]) → bool.
pub fn sql_regexp_like(a: &[Value]) -> PgResult<Value> {
    Ok(Value::Bool(regexp_like(
        text(&a[0]),
        text(&a[1]),
        opt_flags(a, 2),
    )?))
}

/// regexp_split_to_array(text, text [, text]) → text[].
pub fn sql_regexp_split_to_array(a: &[Value]) -> PgResult<Value> {
    let parts = regexp_split(text(&a[0]), text(&a[1]), opt_flags(a, 2))?;
    Ok(text_array(parts.into_iter().map(Some).collect()))
}

/// substring(text, text): `substring(x from pattern)`.
pub fn sql_substring(a: &[Value]) -> PgResult<Value> {
    Ok(substring(text(&a[0]), text(&a[1]))?.map_or(Value::Null, Value::Text))
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;

    fn m(p: &str, s: &str) -> bool {
        Regex::new(p, false)
            .unwrap_or_else(|e| panic!("{p:?}: {e:?}"))
            .is_match(s)
    }

    fn mi(p: &str, s: &str) -> bool {
        Regex::new(p, true).unwrap().is_match(s)
    }

    fn err(p: &str) -> PgError {
        Regex::new(p, false).expect_err(p)
    }

    fn tr(p: &str) -> String {
        translate(p, Flags::default()).unwrap().pattern
    }

    #[test]
    fn translation_table() {
        for (pg, crate_syntax) in [
            ("abc", "(?:abc)"),
            ("a.c", "(?:a(?s:.)c)"),
            ("^a$", r"(?:\Aa\z)"),
            ("a|b", "(?:a|b)"),
            ("(a)(?:b)", "(?:(a)(?:b))"),
            ("a*b+?c??", "(?:a*b+?c??)"),
            ("a{2}b{2,}c{2,3}?", "(?:a{2}b{2,}c{2,3}?)"),
            ("a{", r"(?:a\x{7B})"),
            (r"\d\D\s\S", r"(?:[0-9][^0-9][\s][^\s])"),
            (r"\w", r"(?:[\p{Alphabetic}\p{Nd}_])"),
            (r"\y\Y\m\M\A\Z", r"(?:\b\B\b{start}\b{end}\A\z)"),
            (r"\.\n\t\x41\u00e9\101\0", r"(?:\x{2E}\x{A}\x{9}AéA\x{0})"),
            (r"\B\e", r"(?:\x{5C}\x{1B})"),
            ("[a-z]", "(?:[a-z])"),
            ("[^]a-]", r"(?:[^\x{5D}a\x{2D}])"),
            ("[[:digit:]x]", "(?:[0-9x])"),
            ("[[:alpha:]]", r"(?:[\p{Alphabetic}[\p{Nd}--0-9]])"),
            (r"[\d\]]", r"(?:[0-9\x{5D}])"),
            ("[[.hyphen.][=a=]]", r"(?:[\x{2D}a])"),
            ("a(?#comment)*", "(?:a*)"),
            ("***=a.*", r"(?:a\x{2E}\x{2A})"),
            ("***:(?i)a", "(?i:a)"),
            ("(?n)^.[^a]$", r"(?:(?m:^)[^\n][^a\n](?m:$))"),
            ("(?x) a b # c\n c", "(?:abc)"),
            ("(?q)a.", r"(?:a\x{2E})"),
            (r"\x110000", r"(?:[^\x00-\x{10FFFF}])"),
        ] {
            assert_eq!(tr(pg), crate_syntax, "{pg}");
        }
        let t = translate("AbC", Flags::case_insensitive(true)).unwrap();
        assert_eq!(t.pattern, "(?i:AbC)");
        // Greediness of the pattern as a whole.
        for (p, greedy) in [
            ("abc", true),
            ("a*?b*", false),
            ("(.*?)(\\d+)(.*)", false),
            ("(?:(.*?)(\\d+)(.*)){1,1}", true),
            ("x{2}a*?", false),
            ("a*?|b", true),
        ] {
            assert_eq!(
                translate(p, Flags::default()).unwrap().greedy,
                greedy,
                "{p}"
            );
        }
        assert_eq!(
            translate("(a)(?:b)((c))", Flags::default()).unwrap().groups,
            3
        );
    }

    /// Results checked against PostgreSQL 15.
    #[test]
    fn matches_like_postgres() {
        for (p, s, want) in [
            ("^(pgbench_branches)$", "pgbench_branches", true),
            ("^(pgbench_branches)$", "pgbench_branches2", false),
            ("^pg_toast", "pg_toast_temp", true),
            ("b+c", "abbbc", true),
            ("^(foo|ba[rz])+$", "foobazbar", true),
            ("^(foo|ba[rz])+$", "foobaq", false),
            ("^[^0-9]*$", "a1c", false),
            ("^\\d{2,3}$", "123", true),
            ("^\\d{2,3}$", "1234", false),
            ("x?y", "y", true),
            ("a{", "a{", true),
            ("a{,2}", "a{,2}", true),
            ("]", "]", true),
            ("}", "}", true),
            ("(?:)", "a", true),
            ("a|", "b", true),
            ("\\12", "\n", true),
            ("\\18", "a", false),
            ("\\777", "?7", true),
            ("[\\D]", "a", true),
            ("[\\d]", "a", false),
            ("[[:word:]]", "a", true),
            ("[[.space.]]", " ", true),
            ("[[=a=]]", "a", true),
            ("\\x61", "a", true),
            ("\\U00000061", "a", true),
            ("\\x110000", "a", false),
            ("[[:alpha:]]", "é", true),
            ("[[:alpha:]]", "٣", true),
            ("[[:digit:]]", "٣", false),
            ("\\d", "٣", false),
            ("\\w", "é", true),
            ("\\w", "٣", true),
            ("[[:punct:]]", "€", true),
            ("[[:punct:]]", "_", true),
            ("[[:punct:]]", "é", false),
            ("[[:graph:]]", " ", false),
            ("[[:print:]]", " ", true),
            ("[[:lower:]]", "ǅ", true),
            ("a.b", "a\nb", true),
            ("(?n)a.b", "a\nb", false),
            ("(?n)^b", "a\nb", true),
            ("^b", "a\nb", false),
            ("a[^x]b", "a\nb", true),
            ("(?n)a[^x]b", "a\nb", false),
            ("(?p)[^a]", "\n", false),
            ("(?w)[^a]", "\n", true),
            ("(?w).", "\n", true),
            ("(?n)\\D", "\n", true),
            ("(?n)\\S", "\n", false),
            ("***=a.", "a", false),
            ("***=a.", "a.", true),
            ("(?x)a\\ b", "a b", true),
            ("(?x)a b # comment", "ab", true),
            ("(?x)a{ 1}", "a", true),
            ("(?x)a b{ 1 , 2 }", "ab", true),
            ("(?x)[ ]", "a b", true),
            ("(?x)a\\#b", "a#b", true),
            ("(?x)a#c\nb", "ab", true),
            ("(?#x)a", "a", true),
            ("a\\Mb", "ab", false),
            ("a\\M b", "a b", true),
            ("\\ma", "a", true),
            ("a\\y", "a b", true),
            ("a\\Y", "a b", false),
            ("a\\Z", "a", true),
            ("\\Aa", "ba", false),
            ("a{1}?", "a", true),
            ("[[:<:]]b", "a b", true),
            ("[[:<:]]b", "ab", false),
            ("a[[:>:]]", "ab", false),
            ("a[[:>:]]", "a b", true),
            ("(?q)a.", "ab", false),
            ("(?q)a.", "a.", true),
            ("\\cA", "\u{1}", true),
            ("[a-c-]", "-", true),
            ("[--/]", "-", true),
            ("[%--]", "a", false),
            ("[[.asterisk.]]", "*", true),
            ("[a\\]]", "x", false),
            ("", "", true),
        ] {
            assert_eq!(m(p, s), want, "{p:?} on {s:?}");
        }
    }

    #[test]
    fn case_insensitive() {
        assert!(mi("ABC", "xabcx"));
        assert!(mi("abc", "XABCX"));
        assert!(mi("[a-c]+", "CAB"));
        assert!(mi("[[:lower:]]", "A"));
        assert!(mi("[[=e=]]", "E"));
        assert!(mi("é", "É"));
        assert!(!m("ABC", "abc"));
        assert!(m("(?i)abc", "ABC"));
        assert!(!mi("(?c)abc", "ABC"));
        assert!(m("(?i)[[:upper:]]", "a"));
        // regexp_* flags.
        assert_eq!(regexp_replace("ABC", "b", "x", "i").unwrap(), "AxC");
        assert_eq!(regexp_replace("ABC", "(?i)b", "x", "").unwrap(), "AxC");
        assert!(!regexp_like("ABC", "b", "").unwrap());
        assert!(regexp_like("ABC", "b", "i").unwrap());
    }

    #[test]
    fn classes() {
        assert!(m("^[[:alpha:]]+$", "héllo"));
        assert!(!m("^[[:alpha:]]+$", "a1"));
        assert!(m("^[[:alnum:]_]+$", "a_1"));
        assert!(m("^[[:space:]]+$", " \t\n"));
        assert!(m("^[[:blank:]]+$", " \t"));
        assert!(!m("[[:blank:]]", "\n"));
        assert!(m("^[[:xdigit:]]+$", "09afAF"));
        assert!(!m("[[:xdigit:]]", "g"));
        assert!(m("^[[:upper:]]+$", "ABÉ"));
        assert!(m("^[[:lower:]]+$", "abé"));
        assert!(m("[[:cntrl:]]", "\u{7}"));
        assert!(m("^[[:ascii:]]+$", "abc~"));
        assert!(!m("[[:ascii:]]", "é"));
        assert!(m("^[^[:digit:]]+$", "abc"));
        assert!(m("^\\W+$", "- +"));
        assert!(m("^[\\w-]+$", "a-b_c"));
        assert!(m("^[^\\s]+$", "abc"));
    }

    fn code_and_message(p: &str) -> (String, String) {
        let e = err(p);
        (e.code.to_string(), e.message.clone())
    }

    #[test]
    fn invalid_patterns_like_postgres() {
        for (p, msg) in [
            ("^*", BADRPT),
            ("a**", BADRPT),
            ("*a", BADRPT),
            ("a(?i)", BADRPT),
            ("(?i)(?c)a", BADRPT),
            ("(?", BADRPT),
            ("\\y*", BADRPT),
            ("[[:<:]]*", BADRPT),
            ("$*", BADRPT),
            ("a{1}{2}", BADRPT),
            ("a+?+", BADRPT),
            ("{1}", BADRPT),
            ("(?z)a", BADOPT),
            ("(?i", BADOPT),
            ("a{256}", BADBR),
            ("a{2,1}", BADBR),
            ("a{1,a}", BADBR),
            ("a{1", EBRACE),
            ("\\q", EESCAPE),
            ("a\\", EESCAPE),
            ("\\x", EESCAPE),
            ("\\u061", EESCAPE),
            ("\\c", EESCAPE),
            ("[\\y]", EESCAPE),
            ("[\\1]", EESCAPE),
            ("[\\m]", EESCAPE),
            ("[z-a]", ERANGE),
            ("[a-c-e]", ERANGE),
            ("[a-[:digit:]]", ERANGE),
            ("[[:foo:]]", ECTYPE),
            ("[[.foo.]]", ECOLLATE),
            ("[[.ab.]]", ECOLLATE),
            (")", EPAREN),
            ("(", EPAREN),
            ("(a", EPAREN),
            ("[", EBRACK),
            ("[a", EBRACK),
            ("[[:alpha:", EBRACK),
        ] {
            let (code, message) = code_and_message(p);
            assert_eq!(code, "2201B", "{p}");
            assert_eq!(message, format!("invalid regular expression: {msg}"), "{p}");
        }
    }

    #[test]
    fn backrefs_and_lookaround_are_refused() {
        for p in [
            "(a)\\1",
            "\\1",
            "(a)(b)\\2",
            "(a)(?=b)",
            "a(?!b)",
            "(?<=a)b",
            "(?<!a)b",
        ] {
            let (code, message) = code_and_message(p);
            assert_eq!(code, "2201B", "{p}");
            assert!(message.starts_with("invalid regular expression: "), "{p}");
            assert!(message.contains("not supported"), "{p}: {message}");
        }
        // A number beyond the groups opened so far is an octal escape.
        assert!(m("(a)\\101", "aA"));
        // The other flavors are not supported.
        assert_eq!(err("(?b)a").code, "0A000");
        assert_eq!(err("(?e)a").code, "0A000");
        assert_eq!(Flags::parse("gz").unwrap_err().code, "22023");
        assert_eq!(
            Flags::parse("z").unwrap_err().message,
            "invalid regular expression option: \"z\""
        );
    }

    #[test]
    fn pathological_patterns_run_in_linear_time() {
        let hay = "a".repeat(10_000);
        let t = Instant::now();
        assert!(!m("(a|aa)*c", &hay));
        assert!(!m("(a*)*b", &hay));
        assert!(!m("^(a|a)*$", &format!("{hay}b")));
        assert!(m("(a|aa)*$", &hay));
        assert!(!m("(x+x+)+y", &"x".repeat(10_000)));
        assert_eq!(regexp_replace(&hay, "(a|aa)*c", "x", "g").unwrap(), hay);
        assert!(regexp_match(&hay, "(a|aa)*c", "").unwrap().is_none());
        assert!(
            t.elapsed() < Duration::from_secs(2),
            "took {:?}",
            t.elapsed()
        );
    }

    #[test]
    fn long_texts_are_matched_in_steps() {
        let long = format!("{}c{}", "ab".repeat(LONG), "é".repeat(LONG));
        for (p, want) in [
            ("(a|ab)*c", true),
            ("(a|aa)*d", false),
            ("^(ab)*c", true),
            ("^(ab)*$", false),
            ("é$", true),
            ("\\yc", false),
            ("é\\y", true),
            ("b\\Mc", false),
            ("[[:alpha:]]{3}$", true),
        ] {
            let re = Regex::new(p, false).unwrap();
            assert_eq!(re.is_match_interruptible(&long).unwrap(), want, "{p}");
            assert_eq!(re.is_match(&long), want, "{p}");
        }
        let hay = "a".repeat(4 * LONG);
        let re = Regex::new("(a|aa)*c", false).unwrap();
        assert_eq!(re.scan_is_match(&hay).unwrap(), Some(false));
        assert_eq!(re.scan_is_match(&format!("{hay}c")).unwrap(), Some(true));
        // statement_timeout stops it.
        let past = Instant::now() - Duration::from_secs(1);
        crate::interrupts::set_statement_deadline(Some(past));
        let e = re.is_match_interruptible(&hay).unwrap_err();
        crate::interrupts::set_statement_deadline(None);
        assert_eq!(e.code, "57014");
    }

    #[test]
    fn too_complex() {
        let e = err("((((a{255}){255}){255}){255})");
        assert_eq!(e.code, "2201B");
        assert_eq!(
            e.message,
            "invalid regular expression: regular expression is too complex"
        );
        let deep = format!(
            "{}a{}",
            "(".repeat(MAX_DEPTH + 1),
            ")".repeat(MAX_DEPTH + 1)
        );
        assert_eq!(
            err(&deep).message,
            "invalid regular expression: regular expression is too complex"
        );
        let ok = format!("{}a{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
        assert!(m(&ok, "a"));
    }

    #[test]
    fn compiled_once_per_thread() {
        let a = Regex::new("cache-me[0-9]+", false).unwrap();
        let b = Regex::new("cache-me[0-9]+", false).unwrap();
        assert!(Rc::ptr_eq(&a.0, &b.0));
        let c = Regex::new("cache-me[0-9]+", true).unwrap();
        assert!(!Rc::ptr_eq(&a.0, &c.0));
        for i in 0..CACHE_SIZE {
            Regex::new(&format!("filler{i}"), false).unwrap();
        }
        let d = Regex::new("cache-me[0-9]+", false).unwrap();
        assert!(!Rc::ptr_eq(&a.0, &d.0), "evicted after {CACHE_SIZE} others");
        CACHE.with(|c| assert_eq!(c.borrow().len(), CACHE_SIZE));
    }

    fn rm(s: &str, p: &str, f: &str) -> Option<Vec<Option<String>>> {
        regexp_match(s, p, f).unwrap()
    }

    fn arr(items: &[Option<&str>]) -> Option<Vec<Option<String>>> {
        Some(items.iter().map(|s| s.map(str::to_string)).collect())
    }

    /// Results checked against PostgreSQL 15.
    #[test]
    fn functions_like_postgres() {
        assert_eq!(
            rm("abc01234xyz", "(.*)(\\d+)(.*)", ""),
            arr(&[Some("abc0123"), Some("4"), Some("xyz")])
        );
        assert_eq!(
            rm("abc01234xyz", "(.*?)(\\d+)(.*)", ""),
            arr(&[Some("abc"), Some("0"), Some("")])
        );
        assert_eq!(
            rm("abc01234xyz", "(?:(.*?)(\\d+)(.*)){1,1}", ""),
            arr(&[Some("abc"), Some("01234"), Some("xyz")])
        );
        assert_eq!(rm("abcd", "a|ab|abc", ""), arr(&[Some("abc")]));
        assert_eq!(
            rm("xabcd", "(a|ab)(c|bcd)", ""),
            arr(&[Some("a"), Some("bcd")])
        );
        assert_eq!(rm("foobar", "x", ""), None);
        assert_eq!(rm("foobar", "(o)(x)?", ""), arr(&[Some("o"), None]));
        assert_eq!(rm("foObar", "o+", "i"), arr(&[Some("oO")]));
        assert_eq!(rm("ab", "(a)|(b)", ""), arr(&[Some("a"), None]));
        assert_eq!(rm("aaa", "(a)*", ""), arr(&[Some("a")]));
        assert_eq!(
            rm("abab", "(ab|a)(bab)?", ""),
            arr(&[Some("a"), Some("bab")])
        );
        assert_eq!(rm("", "", ""), arr(&[Some("")]));
        assert_eq!(rm("foo", "\\mfoo\\M", ""), arr(&[Some("foo")]));
        assert_eq!(rm("aXbXc", "(?:X(.))+", ""), arr(&[Some("c")]));
        assert_eq!(rm("abc", "b", "q"), arr(&[Some("b")]));
        let e = regexp_match("foobar", "o", "g").unwrap_err();
        assert_eq!(e.code, "22023");
        assert_eq!(
            e.message,
            "regexp_match() does not support the \"global\" option"
        );

        assert_eq!(
            substring("XY1234Z", "Y*([0-9]{1,3})").unwrap().as_deref(),
            Some("123")
        );
        assert_eq!(
            substring("XY1234Z", "Y*?([0-9]{1,3})").unwrap().as_deref(),
            Some("1")
        );
        assert_eq!(substring("foobar", "o.b").unwrap().as_deref(), Some("oob"));
        assert_eq!(substring("foobar", "o(.)b").unwrap().as_deref(), Some("o"));
        assert_eq!(substring("foobar", "(x)|o").unwrap(), None);
        assert_eq!(substring("abc", "z").unwrap(), None);

        let rr = |s, p, r, f| regexp_replace(s, p, r, f).unwrap();
        assert_eq!(rr("foobarbaz", "b..", "X", ""), "fooXbaz");
        assert_eq!(rr("foobarbaz", "b..", "X", "g"), "fooXX");
        assert_eq!(rr("foobarbaz", "b(..)", "X\\1Y", "g"), "fooXarYXazY");
        assert_eq!(
            rr("fooBarbaz", "b(..)", "[\\&|\\\\|\\0|\\2]", "gi"),
            "foo[Bar|\\|\\0|][baz|\\|\\0|]"
        );
        assert_eq!(rr("abc", "", "X", "g"), "XaXbXcX");
        assert_eq!(rr("abc", "x*", "-", "g"), "-a-b-c-");
        assert_eq!(rr("aaa", "a*?", "-", "g"), "-a-a-a-");
        assert_eq!(rr("abc", "b", "x\\", ""), "ax\\c");
        assert_eq!(rr("Thomas", ".[mN]a.", "M", ""), "ThM");
        assert_eq!(rr("a\nb", "^b", "X", "n"), "a\nX");
        assert_eq!(rr("aaa", "^a", "b", "g"), "baa");
        assert_eq!(rr("aaa", "a", "b", "gg"), "bbb");
        assert_eq!(
            rr("héllo wörld", "[[:alpha:]]+", "<\\&>", "g"),
            "<héllo> <wörld>"
        );

        let sp = |s, p| regexp_split(s, p, "").unwrap();
        assert_eq!(sp("hello world  foo", "\\s+"), ["hello", "world", "foo"]);
        assert_eq!(sp("abc", ""), ["a", "b", "c"]);
        assert_eq!(sp("abc", "x*"), ["a", "b", "c"]);
        assert_eq!(sp("a,b,", ","), ["a", "b", ""]);
        assert_eq!(sp("", ","), [""]);
        assert_eq!(regexp_split("abc", "b", "g").unwrap_err().code, "22023");
    }
}
