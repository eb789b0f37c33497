//! The jsonpath grammar (PostgreSQL's jsonpath_gram.y) by recursive
//! descent: `[lax|strict] expr-or-predicate`, with `||` below `&&` below
//! `!`, comparisons (not associative), `+ -` below `* / %` below unary
//! signs, accessors binding tightest. Operands of `&&`, `||`, `!` and
//! filters must be predicates, those of comparisons and arithmetic must
//! not. A sign before a numeric literal folds into it. Then the checks
//! PostgreSQL makes when it flattens the tree: `@` only inside filters,
//! `last` only inside array subscripts.

use super::scan::{scan, syntax_error, Tok, Token};
use super::{BinOp, Expr, JsonPath, Method, Step, ANY_LAST};
use crate::error::{sqlstate, PgError, PgResult};
use crate::types::Numeric;

struct Parser<'a> {
    src: &'a str,
    toks: Vec<Token>,
    pos: usize,
    /// The token index just after the `)` of a parenthesized predicate
    /// with no accessor (where `is unknown` may follow).
    paren_pred_end: usize,
}

/// Keywords are case-insensitive except `true`, `false` and `null`.
fn is_kw(w: &str, kw: &str) -> bool {
    if matches!(kw, "true" | "false" | "null") {
        w == kw
    } else {
        w.eq_ignore_ascii_case(kw)
    }
}

pub fn parse(s: &str) -> PgResult<JsonPath> {
    let toks = scan(s)?;
    let mut p = Parser {
        src: s,
        toks,
        pos: 0,
        paren_pred_end: usize::MAX,
    };
    if p.peek() == &Tok::End {
        return Err(PgError::new(
            sqlstate::INVALID_TEXT_REPRESENTATION,
            format!("invalid input syntax for type jsonpath: \"{s}\""),
        ));
    }
    let mut lax = true;
    if let Tok::Word(w) = p.peek() {
        if is_kw(w, "strict") {
            lax = false;
            p.pos += 1;
        } else if is_kw(w, "lax") {
            p.pos += 1;
        }
    }
    let expr = p.or()?;
    if p.peek() != &Tok::End {
        return Err(p.error());
    }
    check(&expr, false, false)?;
    Ok(JsonPath { lax, expr })
}

/// `@` outside filters and `last` outside subscripts are refused.
fn check(e: &Expr, in_filter: bool, in_subscript: bool) -> PgResult<()> {
    let err = |m: &str| Err(PgError::new(sqlstate::SYNTAX_ERROR, m.to_owned()));
    match e {
        Expr::Current if !in_filter => err("@ is not allowed in root expressions"),
        Expr::Last if !in_subscript => err("LAST is allowed only in array subscripts"),
        Expr::Path(head, steps) => {
            check(head, in_filter, in_subscript)?;
            for s in steps {
                match s {
                    Step::Filter(p) => check(p, true, in_subscript)?,
                    Step::Index(subs) => {
                        for (a, b) in subs {
                            check(a, in_filter, true)?;
                            if let Some(b) = b {
                                check(b, in_filter, true)?;
                            }
                        }
                    }
                    _ => {}
                }
            }
            Ok(())
        }
        Expr::Binary(_, a, b) => {
            check(a, in_filter, in_subscript)?;
            check(b, in_filter, in_subscript)
        }
        Expr::Unary(_, a)
        | Expr::Not(a)
        | Expr::IsUnknown(a)
        | Expr::Exists(a)
        | Expr::LikeRegex(a, ..) => check(a, in_filter, in_subscript),
        _ => Ok(()),
    }
}

impl Parser<'_> {
    fn peek(&self) -> &Tok {
        &self.toks[self.pos].tok
    }

    fn error(&self) -> PgError {
        let t = &self.toks[self.pos];
        if t.tok == Tok::End {
            syntax_error("syntax error", None)
        } else {
            syntax_error("syntax error", Some(&self.src[t.start..t.end]))
        }
    }

    fn is_punct(&self, p: &str) -> bool {
        matches!(self.peek(), Tok::Punct(q) if *q == p)
    }

    fn is_word(&self, kw: &str) -> bool {
        matches!(self.peek(), Tok::Word(w) if is_kw(w, kw))
    }

    fn expect(&mut self, p: &str) -> PgResult<()> {
        if self.is_punct(p) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error())
        }
    }

    fn expect_word(&mut self, kw: &str) -> PgResult<()> {
        if self.is_word(kw) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error())
        }
    }

    /// A predicate operand: the error points at the operator after it
    /// (where PostgreSQL's parser notices).
    fn predicate(&self, e: Expr, at: usize) -> PgResult<Expr> {
        if e.is_predicate() {
            Ok(e)
        } else {
            let t = &self.toks[at];
            Err(match t.tok {
                Tok::End => syntax_error("syntax error", None),
                _ => syntax_error("syntax error", Some(&self.src[t.start..t.end])),
            })
        }
    }

    fn value(&self, e: Expr) -> PgResult<Expr> {
        if e.is_predicate() {
            Err(self.error())
        } else {
            Ok(e)
        }
    }

    fn or(&mut self) -> PgResult<Expr> {
        let mut left = self.and()?;
        while self.is_punct("||") {
            let at = self.pos;
            left = self.predicate(left, at)?;
            self.pos += 1;
            let right = self.and()?;
            let right = self.predicate(right, self.pos)?;
            left = Expr::Binary(BinOp::Or, Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self) -> PgResult<Expr> {
        let mut left = self.not()?;
        while self.is_punct("&&") {
            let at = self.pos;
            left = self.predicate(left, at)?;
            self.pos += 1;
            let right = self.not()?;
            let right = self.predicate(right, self.pos)?;
            left = Expr::Binary(BinOp::And, Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn not(&mut self) -> PgResult<Expr> {
        if self.is_punct("!") {
            self.pos += 1;
            // A delimited predicate: `(predicate)` or `exists(expr)`.
            if self.is_word("exists") {
                return Ok(Expr::Not(Box::new(self.exists()?)));
            }
            self.expect("(")?;
            let inner = self.or()?;
            let inner = self.predicate(inner, self.pos)?;
            self.expect(")")?;
            return Ok(Expr::Not(Box::new(inner)));
        }
        self.comparison()
    }

    fn exists(&mut self) -> PgResult<Expr> {
        self.expect_word("exists")?;
        self.expect("(")?;
        let e = self.additive()?;
        let e = self.value(e)?;
        self.expect(")")?;
        Ok(Expr::Exists(Box::new(e)))
    }

    fn comparison(&mut self) -> PgResult<Expr> {
        let left = self.additive()?;
        let op = match self.peek() {
            Tok::Punct("==") => Some(BinOp::Eq),
            Tok::Punct("!=" | "<>") => Some(BinOp::Ne),
            Tok::Punct("<") => Some(BinOp::Lt),
            Tok::Punct("<=") => Some(BinOp::Le),
            Tok::Punct(">") => Some(BinOp::Gt),
            Tok::Punct(">=") => Some(BinOp::Ge),
            _ => None,
        };
        if let Some(op) = op {
            let left = self.value(left)?;
            self.pos += 1;
            let right = self.additive()?;
            let right = self.value(right)?;
            return Ok(Expr::Binary(op, Box::new(left), Box::new(right)));
        }
        if self.is_word("starts") {
            let left = self.value(left)?;
            self.pos += 1;
            self.expect_word("with")?;
            let right = match self.peek().clone() {
                Tok::Str(s) => Expr::Str(s),
                Tok::Var(v) => Expr::Var(v),
                _ => return Err(self.error()),
            };
            self.pos += 1;
            return Ok(Expr::Binary(
                BinOp::StartsWith,
                Box::new(left),
                Box::new(right),
            ));
        }
        if self.is_word("like_regex") {
            let left = self.value(left)?;
            self.pos += 1;
            let Tok::Str(pattern) = self.peek().clone() else {
                return Err(self.error());
            };
            self.pos += 1;
            let mut flags = String::new();
            if self.is_word("flag") {
                self.pos += 1;
                let Tok::Str(f) = self.peek().clone() else {
                    return Err(self.error());
                };
                self.pos += 1;
                flags = regex_flags(&f)?;
            }
            return Ok(Expr::LikeRegex(Box::new(left), pattern, flags));
        }
        if self.is_word("is") && self.pos == self.paren_pred_end {
            self.pos += 1;
            self.expect_word("unknown")?;
            return Ok(Expr::IsUnknown(Box::new(left)));
        }
        Ok(left)
    }

    fn additive(&mut self) -> PgResult<Expr> {
        let mut left = self.multiplicative()?;
        loop {
            let op = match self.peek() {
                Tok::Punct("+") => BinOp::Add,
                Tok::Punct("-") => BinOp::Sub,
                _ => return Ok(left),
            };
            left = self.value(left)?;
            self.pos += 1;
            let right = self.multiplicative()?;
            let right = self.value(right)?;
            left = Expr::Binary(op, Box::new(left), Box::new(right));
        }
    }

    fn multiplicative(&mut self) -> PgResult<Expr> {
        let mut left = self.unary()?;
        loop {
            let op = match self.peek() {
                Tok::Punct("*") => BinOp::Mul,
                Tok::Punct("/") => BinOp::Div,
                Tok::Punct("%") => BinOp::Mod,
                _ => return Ok(left),
            };
            left = self.value(left)?;
            self.pos += 1;
            let right = self.unary()?;
            let right = self.value(right)?;
            left = Expr::Binary(op, Box::new(left), Box::new(right));
        }
    }

    fn unary(&mut self) -> PgResult<Expr> {
        let neg = match self.peek() {
            Tok::Punct("-") => true,
            Tok::Punct("+") => false,
            _ => return self.accessor_expr(),
        };
        self.pos += 1;
        let arg = self.unary()?;
        let arg = self.value(arg)?;
        Ok(match arg {
            // makeItemUnary: a sign folds into a numeric literal.
            Expr::Num(n) if neg => Expr::Num(n.neg()),
            Expr::Num(n) => Expr::Num(n),
            a => Expr::Unary(neg, Box::new(a)),
        })
    }

    fn accessor_expr(&mut self) -> PgResult<Expr> {
        let head = self.primary()?;
        let paren_end = self.pos;
        let mut steps = Vec::new();
        while let Some(s) = self.accessor()? {
            steps.push(s);
        }
        if steps.is_empty() {
            if head.is_predicate() && self.toks[paren_end - 1].tok == Tok::Punct(")") {
                self.paren_pred_end = paren_end;
            }
            return Ok(head);
        }
        Ok(Expr::Path(Box::new(head), steps))
    }

    fn primary(&mut self) -> PgResult<Expr> {
        let tok = self.peek().clone();
        let e = match tok {
            Tok::Punct("(") => {
                self.pos += 1;
                let e = self.or()?;
                self.expect(")")?;
                return Ok(e);
            }
            Tok::Punct("$") => Expr::Root,
            Tok::Punct("@") => Expr::Current,
            Tok::Var(v) => Expr::Var(v),
            Tok::Str(s) => Expr::Str(s),
            Tok::Num(n) => Expr::Num(Numeric::input(&n)?),
            Tok::Word(w) if is_kw(&w, "exists") => return self.exists(),
            Tok::Word(w) if is_kw(&w, "true") => Expr::Bool(true),
            Tok::Word(w) if is_kw(&w, "false") => Expr::Bool(false),
            Tok::Word(w) if is_kw(&w, "null") => Expr::Null,
            Tok::Word(w) if is_kw(&w, "last") => Expr::Last,
            _ => return Err(self.error()),
        };
        self.pos += 1;
        Ok(e)
    }

    /// The next accessor, if one follows.
    fn accessor(&mut self) -> PgResult<Option<Step>> {
        if self.is_punct("[") {
            self.pos += 1;
            if self.is_punct("*") && matches!(self.toks[self.pos + 1].tok, Tok::Punct("]")) {
                self.pos += 2;
                return Ok(Some(Step::AnyArray));
            }
            let mut subs = Vec::new();
            loop {
                let a = self.additive()?;
                let a = self.value(a)?;
                let b = if self.is_word("to") {
                    self.pos += 1;
                    let b = self.additive()?;
                    Some(self.value(b)?)
                } else {
                    None
                };
                subs.push((a, b));
                if self.is_punct(",") {
                    self.pos += 1;
                    continue;
                }
                self.expect("]")?;
                return Ok(Some(Step::Index(subs)));
            }
        }
        if self.is_punct("?") {
            self.pos += 1;
            self.expect("(")?;
            let p = self.or()?;
            let p = self.predicate(p, self.pos)?;
            self.expect(")")?;
            return Ok(Some(Step::Filter(Box::new(p))));
        }
        if !self.is_punct(".") {
            return Ok(None);
        }
        self.pos += 1;
        let tok = self.peek().clone();
        self.pos += 1;
        Ok(Some(match tok {
            Tok::Punct("*") => Step::AnyKey,
            Tok::Punct("**") => self.any_levels()?,
            Tok::Str(s) => Step::Key(s),
            Tok::Word(w) if self.is_punct("(") => {
                let m = match w.to_ascii_lowercase().as_str() {
                    "type" => Method::Type,
                    "size" => Method::Size,
                    "double" => Method::Double,
                    "ceiling" => Method::Ceiling,
                    "floor" => Method::Floor,
                    "abs" => Method::Abs,
                    "keyvalue" => Method::KeyValue,
                    "datetime" => {
                        self.pos += 1;
                        let template = match self.peek().clone() {
                            Tok::Str(s) => {
                                self.pos += 1;
                                Some(s)
                            }
                            _ => None,
                        };
                        self.expect(")")?;
                        return Ok(Some(Step::Datetime(template)));
                    }
                    _ => return Err(self.error()),
                };
                self.pos += 1;
                self.expect(")")?;
                Step::Method(m)
            }
            Tok::Word(w) => Step::Key(w),
            _ => {
                self.pos -= 1;
                return Err(self.error());
            }
        }))
    }

    /// After `.**`: `{n}`, `{n to m}` (`last` for either), or nothing.
    fn any_levels(&mut self) -> PgResult<Step> {
        if !self.is_punct("{") {
            return Ok(Step::Any(0, ANY_LAST));
        }
        self.pos += 1;
        let first = self.level()?;
        let last = if self.is_word("to") {
            self.pos += 1;
            self.level()?
        } else {
            first
        };
        self.expect("}")?;
        Ok(Step::Any(first, last))
    }

    fn level(&mut self) -> PgResult<u32> {
        let v = match self.peek() {
            Tok::Word(w) if is_kw(w, "last") => ANY_LAST,
            Tok::Num(n) if n.bytes().all(|c| c.is_ascii_digit()) => {
                n.parse::<u32>().map_err(|_| self.error())?
            }
            _ => return Err(self.error()),
        };
        self.pos += 1;
        Ok(v)
    }
}

/// The flags of like_regex in PostgreSQL's printing order (i, s, m, x,
/// q); an unknown letter is refused, as is `x` without `q`.
fn regex_flags(f: &str) -> PgResult<String> {
    let mut out = String::new();
    for c in f.chars() {
        if !matches!(c, 'i' | 's' | 'm' | 'x' | 'q') {
            return Err(PgError::new(
                sqlstate::SYNTAX_ERROR,
                "invalid input syntax for type jsonpath",
            )
            .with_detail(format!(
                "Unrecognized flag character \"{c}\" in LIKE_REGEX predicate."
            )));
        }
    }
    for c in ['i', 's', 'm', 'x', 'q'] {
        if f.contains(c) {
            out.push(c);
        }
    }
    if out.contains('x') && !out.contains('q') {
        return Err(PgError::new(
            sqlstate::FEATURE_NOT_SUPPORTED,
            "XQuery \"x\" flag (expanded regular expressions) is not implemented",
        ));
    }
    Ok(out)
}
