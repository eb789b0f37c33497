//! POSIX regular expressions for `~`, `~*`, `!~` and `!~*`: a compact
//! backtracking matcher for the common subset: literals, `.`, anchors
//! `^` `$`, bracket expressions (ranges, negation, `[:alpha:]`-style
//! classes), escapes (`\d \w \s \D \W \S` and escaped literals), groups
//! with alternation, and the quantifiers `* + ? {n} {n,} {n,m}` (greedy).
//! A match may start anywhere in the subject, as PostgreSQL's `~`.

use crate::error::{PgError, PgResult};

#[derive(Clone, Debug)]
enum Node {
    Char(char),
    Any,
    Start,
    End,
    Class(Vec<ClassItem>, bool),
    Group(Vec<Vec<Piece>>),
}

#[derive(Clone, Debug)]
enum ClassItem {
    Range(char, char),
    Named(fn(char) -> bool),
}

#[derive(Clone, Debug)]
struct Piece {
    node: Node,
    min: usize,
    max: usize,
}

/// A compiled pattern: alternatives of sequences.
#[derive(Clone, Debug)]
pub struct Regex {
    alts: Vec<Vec<Piece>>,
    case_insensitive: bool,
}

fn invalid(msg: &str) -> PgError {
    PgError::new("2201B", format!("invalid regular expression: {msg}"))
}

struct Parser<'a> {
    chars: &'a [char],
    pos: usize,
}

fn named_class(name: &str) -> Option<fn(char) -> bool> {
    Some(match name {
        "alpha" => |c: char| c.is_alphabetic(),
        "digit" => |c: char| c.is_ascii_digit(),
        "alnum" => |c: char| c.is_alphanumeric(),
        "space" => |c: char| c.is_whitespace(),
        "upper" => |c: char| c.is_uppercase(),
        "lower" => |c: char| c.is_lowercase(),
        "punct" => |c: char| c.is_ascii_punctuation(),
        "xdigit" => |c: char| c.is_ascii_hexdigit(),
        _ => return None,
    })
}

fn word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn alternation(&mut self) -> PgResult<Vec<Vec<Piece>>> {
        let mut alts = vec![self.sequence()?];
        while self.peek() == Some('|') {
            self.pos += 1;
            alts.push(self.sequence()?);
        }
        Ok(alts)
    }

    fn sequence(&mut self) -> PgResult<Vec<Piece>> {
        let mut seq = Vec::new();
        while let Some(c) = self.peek() {
            if c == '|' || c == ')' {
                break;
            }
            let node = self.atom()?;
            let (min, max) = self.quantifier()?;
            seq.push(Piece { node, min, max });
        }
        Ok(seq)
    }

    fn quantifier(&mut self) -> PgResult<(usize, usize)> {
        let q = match self.peek() {
            Some('*') => (0, usize::MAX),
            Some('+') => (1, usize::MAX),
            Some('?') => (0, 1),
            Some('{') => {
                let close = self.chars[self.pos..]
                    .iter()
                    .position(|&c| c == '}')
                    .ok_or_else(|| invalid("braces {} not balanced"))?;
                let body: String = self.chars[self.pos + 1..self.pos + close].iter().collect();
                self.pos += close + 1;
                let num = |s: &str| {
                    s.trim()
                        .parse::<usize>()
                        .map_err(|_| invalid("invalid repetition count(s)"))
                };
                let (min, max) = match body.split_once(',') {
                    None => {
                        let n = num(&body)?;
                        (n, n)
                    }
                    Some((a, "")) => (num(a)?, usize::MAX),
                    Some((a, b)) => (num(a)?, num(b)?),
                };
                return Ok((min, max));
            }
            _ => return Ok((1, 1)),
        };
        self.pos += 1;
        Ok(q)
    }

    fn atom(&mut self) -> PgResult<Node> {
        let c = self.peek().ok_or_else(|| invalid("unexpected end"))?;
        self.pos += 1;
        Ok(match c {
            '.' => Node::Any,
            '^' => Node::Start,
            '$' => Node::End,
            '(' => {
                if self.chars.get(self.pos..self.pos + 2) == Some(&['?', ':']) {
                    self.pos += 2;
                }
                let alts = self.alternation()?;
                if self.peek() != Some(')') {
                    return Err(invalid("parentheses () not balanced"));
                }
                self.pos += 1;
                Node::Group(alts)
            }
            '[' => self.bracket()?,
            '\\' => {
                let e = self
                    .peek()
                    .ok_or_else(|| invalid("invalid escape \\ sequence"))?;
                self.pos += 1;
                let class =
                    |f: fn(char) -> bool, neg: bool| Node::Class(vec![ClassItem::Named(f)], neg);
                match e {
                    'd' => class(|c| c.is_ascii_digit(), false),
                    'D' => class(|c| c.is_ascii_digit(), true),
                    'w' => class(word, false),
                    'W' => class(word, true),
                    's' => class(char::is_whitespace, false),
                    'S' => class(char::is_whitespace, true),
                    'n' => Node::Char('\n'),
                    't' => Node::Char('\t'),
                    other => Node::Char(other),
                }
            }
            '*' | '+' | '?' | '{' => return Err(invalid("quantifier operand invalid")),
            other => Node::Char(other),
        })
    }

    fn bracket(&mut self) -> PgResult<Node> {
        let mut items = Vec::new();
        let neg = self.peek() == Some('^');
        if neg {
            self.pos += 1;
        }
        let mut first = true;
        loop {
            let c = self
                .peek()
                .ok_or_else(|| invalid("brackets [] not balanced"))?;
            if c == ']' && !first {
                self.pos += 1;
                break;
            }
            first = false;
            if c == '[' && self.chars.get(self.pos + 1) == Some(&':') {
                let rest: String = self.chars[self.pos + 2..].iter().collect();
                let end = rest
                    .find(":]")
                    .ok_or_else(|| invalid("invalid character class"))?;
                let f =
                    named_class(&rest[..end]).ok_or_else(|| invalid("invalid character class"))?;
                items.push(ClassItem::Named(f));
                self.pos += 2 + rest[..end].chars().count() + 2;
                continue;
            }
            self.pos += 1;
            if self.peek() == Some('-') && self.chars.get(self.pos + 1).is_some_and(|&n| n != ']') {
                let hi = self.chars[self.pos + 1];
                self.pos += 2;
                items.push(ClassItem::Range(c, hi));
            } else {
                items.push(ClassItem::Range(c, c));
            }
        }
        Ok(Node::Class(items, neg))
    }
}

impl Regex {
    pub fn new(pattern: &str, case_insensitive: bool) -> PgResult<Regex> {
        let chars: Vec<char> = if case_insensitive {
            pattern.to_lowercase().chars().collect()
        } else {
            pattern.chars().collect()
        };
        let mut p = Parser {
            chars: &chars,
            pos: 0,
        };
        let alts = p.alternation()?;
        if p.pos != chars.len() {
            return Err(invalid("parentheses () not balanced"));
        }
        Ok(Regex {
            alts,
            case_insensitive,
        })
    }

    /// Whether the pattern matches somewhere in `s`.
    pub fn is_match(&self, s: &str) -> bool {
        let text: Vec<char> = if self.case_insensitive {
            s.to_lowercase().chars().collect()
        } else {
            s.chars().collect()
        };
        let mut steps = 0usize;
        (0..=text.len()).any(|start| {
            self.alts
                .iter()
                .any(|seq| match_seq(seq, &text, start, &mut steps, &mut |_| true))
        })
    }
}

fn single(node: &Node, text: &[char], at: usize) -> bool {
    let Some(&c) = text.get(at) else {
        return false;
    };
    match node {
        Node::Char(x) => *x == c,
        Node::Any => true,
        Node::Class(items, neg) => {
            let hit = items.iter().any(|i| match i {
                ClassItem::Range(lo, hi) => (*lo..=*hi).contains(&c),
                ClassItem::Named(f) => f(c),
            });
            hit != *neg
        }
        _ => false,
    }
}

/// Matches `seq` at `at`, then calls `k` with the end position.
fn match_seq(
    seq: &[Piece],
    text: &[char],
    at: usize,
    steps: &mut usize,
    k: &mut dyn FnMut(usize) -> bool,
) -> bool {
    *steps += 1;
    if *steps > 1_000_000 {
        return false;
    }
    let Some((p, rest)) = seq.split_first() else {
        return k(at);
    };
    match &p.node {
        Node::Start => at == 0 && match_seq(rest, text, at, steps, k),
        Node::End => at == text.len() && match_seq(rest, text, at, steps, k),
        Node::Group(alts) => match_repeat(alts, p.min, p.max, 0, rest, text, at, steps, k),
        node => {
            // Greedy: the longest run first.
            let mut n = 0;
            while n < p.max && single(node, text, at + n) {
                n += 1;
            }
            loop {
                if n < p.min {
                    return false;
                }
                if match_seq(rest, text, at + n, steps, k) {
                    return true;
                }
                if n == 0 {
                    return false;
                }
                n -= 1;
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn match_repeat(
    alts: &[Vec<Piece>],
    min: usize,
    max: usize,
    done: usize,
    rest: &[Piece],
    text: &[char],
    at: usize,
    steps: &mut usize,
    k: &mut dyn FnMut(usize) -> bool,
) -> bool {
    if done < max {
        for alt in alts {
            let more = match_seq(alt, text, at, steps, &mut |end| {
                // An empty iteration cannot make progress.
                end != at && match_repeat(alts, min, max, done + 1, rest, text, end, &mut 0, k)
            });
            if more {
                return true;
            }
            if done < min && alts.iter().all(|a| a.is_empty()) {
                break;
            }
        }
    }
    done >= min && match_seq(rest, text, at, steps, k)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, s: &str) -> bool {
        Regex::new(p, false).unwrap().is_match(s)
    }

    #[test]
    fn postgres_style_matching() {
        assert!(m("^(pgbench_branches)$", "pgbench_branches"));
        assert!(!m("^(pgbench_branches)$", "pgbench_branches2"));
        assert!(m("^pg_toast", "pg_toast_temp"));
        assert!(!m("^pg_toast", "public"));
        assert!(m("b+c", "abbbc"));
        assert!(m("a.c", "xxabcxx"));
        assert!(m("^(foo|ba[rz])+$", "foobazbar"));
        assert!(!m("^(foo|ba[rz])+$", "foobaq"));
        assert!(m("^[^0-9]*$", "abc"));
        assert!(!m("^[^0-9]*$", "a1c"));
        assert!(m("^\\d{2,3}$", "123"));
        assert!(!m("^\\d{2,3}$", "1234"));
        assert!(m("x?y", "y"));
        assert!(m("[[:alpha:]]+", "ab"));
        assert!(Regex::new("ABC", true).unwrap().is_match("xabcx"));
        assert!(Regex::new("(a", false).is_err());
    }
}
