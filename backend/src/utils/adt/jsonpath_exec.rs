//! Running a jsonpath over a jsonb document (PostgreSQL's
//! jsonpath_exec.c): each item maps the current value to a sequence of
//! values handed to the next item. Lax mode unwraps arrays under
//! accessors that expect an object or a scalar, wraps non-arrays under
//! array accessors and ignores structural errors (a missing key, an
//! accessor on the wrong kind of value); strict mode raises them.
//!
//! Errors come in two kinds, as PostgreSQL's: soft ones (its
//! RETURN_ERROR) make a predicate unknown and are swallowed by `silent`;
//! hard ones (a missing variable) always raise. Without a result list
//! ([`run`]'s `want_all` false) evaluation stops at the first value, as
//! PostgreSQL's does for jsonb_path_exists, except in strict mode, where
//! every value is computed so that an error anywhere is seen.

use crate::error::{sqlstate, PgError, PgResult};
use crate::interrupts::check_for_interrupts;
use crate::types::json::Jsonb;
use crate::types::jsonpath::{BinOp, Expr, JsonPath, Method, Step, ANY_LAST};
use crate::types::Numeric;

use super::jsonpath_pred::{compare, like_regex, starts_with, Tri};

/// An evaluation error: `Soft` is PostgreSQL's RETURN_ERROR kind.
pub enum Fail {
    Soft(PgError),
    Hard(PgError),
}

pub type R<T> = Result<T, Fail>;

impl From<PgError> for Fail {
    fn from(e: PgError) -> Fail {
        Fail::Hard(e)
    }
}

fn soft<T>(code: &'static str, msg: impl Into<String>) -> R<T> {
    Err(Fail::Soft(PgError::new(code, msg)))
}

/// Whether an item gave a value (jperOk) or none (jperNotFound).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Res {
    Found,
    NotFound,
}

type Found<'f> = Option<&'f mut Vec<Jsonb>>;

/// The outcome of running a path: its values (when asked for), whether
/// it found any, or the soft error that stopped it.
pub struct Outcome {
    pub values: Vec<Jsonb>,
    pub res: Result<Res, PgError>,
}

/// Runs `path` over `doc` with variables `vars` (an object; the caller
/// checks). With `want_all` every value is collected; else evaluation
/// may stop at the first. Hard errors are returned as `Err`; soft ones
/// in the outcome.
pub fn run(
    path: &JsonPath,
    doc: &Jsonb,
    vars: Option<&Jsonb>,
    want_all: bool,
) -> PgResult<Outcome> {
    let mut cx = Cx {
        vars,
        root: doc,
        current: doc.clone(),
        lax: path.lax,
        ignore_structural: path.lax,
        innermost_size: -1,
    };
    let mut values = Vec::new();
    // Strict mode must see every value to find every error.
    let collect = want_all || !path.lax;
    let r = if collect {
        cx.expr(&path.expr, &[], doc, Some(&mut values))
    } else {
        cx.expr(&path.expr, &[], doc, None)
    };
    let res = match r {
        Ok(_) if collect && !want_all => Ok(if values.is_empty() {
            Res::NotFound
        } else {
            Res::Found
        }),
        Ok(r) => Ok(r),
        Err(Fail::Soft(e)) => Err(e),
        Err(Fail::Hard(e)) => return Err(e),
    };
    if !want_all {
        values.clear();
    }
    Ok(Outcome { values, res })
}

/// The evaluation context (PostgreSQL's JsonPathExecContext).
pub struct Cx<'a> {
    vars: Option<&'a Jsonb>,
    root: &'a Jsonb,
    /// `@`.
    current: Jsonb,
    lax: bool,
    pub ignore_structural: bool,
    /// The size of the array whose subscripts are being evaluated
    /// (`last`), -1 outside subscripts.
    innermost_size: i64,
}

fn is_container(v: &Jsonb) -> bool {
    matches!(v, Jsonb::Array(_) | Jsonb::Object(_))
}

/// JsonbTypeName.
fn type_name(v: &Jsonb) -> &'static str {
    match v {
        Jsonb::Null => "null",
        Jsonb::Bool(_) => "boolean",
        Jsonb::Number(_) => "number",
        Jsonb::String(_) => "string",
        Jsonb::Array(_) => "array",
        Jsonb::Object(_) => "object",
    }
}

/// A soft error turned into None.
fn no_throw<T>(r: R<T>) -> R<Option<T>> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(Fail::Soft(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

impl Cx<'_> {
    /// Hands `v` to the items `next`, or to the result when none follow.
    fn next(&mut self, next: &[Step], v: Jsonb, found: Found) -> R<Res> {
        if !next.is_empty() {
            return self.step(next, &v, found, self.lax);
        }
        if let Some(f) = found {
            f.push(v);
        }
        Ok(Res::Found)
    }

    /// Evaluates `e` then the items `next` over `jb`.
    pub fn expr(&mut self, e: &Expr, next: &[Step], jb: &Jsonb, found: Found) -> R<Res> {
        match e {
            Expr::Path(head, steps) => {
                if next.is_empty() {
                    self.expr(head, steps, jb, found)
                } else {
                    let all: Vec<Step> = steps.iter().chain(next).cloned().collect();
                    self.expr(head, &all, jb, found)
                }
            }
            Expr::Root => {
                let root = self.root.clone();
                self.next(next, root, found)
            }
            Expr::Current => {
                let cur = self.current.clone();
                self.next(next, cur, found)
            }
            Expr::Null | Expr::Bool(_) | Expr::Num(_) | Expr::Str(_) | Expr::Var(_) => {
                if next.is_empty() && found.is_none() && !matches!(e, Expr::Var(_)) {
                    return Ok(Res::Found);
                }
                let v = match e {
                    Expr::Null => Jsonb::Null,
                    Expr::Bool(b) => Jsonb::Bool(*b),
                    Expr::Num(n) => Jsonb::Number(n.clone()),
                    Expr::Str(s) => Jsonb::String(s.clone()),
                    Expr::Var(name) => self.variable(name)?,
                    _ => unreachable!(),
                };
                self.next(next, v, found)
            }
            Expr::Last => {
                if self.innermost_size < 0 {
                    return Err(Fail::Hard(PgError::internal(
                        "evaluating jsonpath LAST outside of array subscript",
                    )));
                }
                if next.is_empty() && found.is_none() {
                    return Ok(Res::Found);
                }
                let last = Jsonb::Number(Numeric::from_i64(self.innermost_size - 1));
                self.next(next, last, found)
            }
            Expr::Binary(op, a, b) if !op.is_predicate() => {
                self.arithmetic(*op, a, b, jb, next, found)
            }
            Expr::Unary(neg, a) => self.unary(*neg, a, jb, next, found),
            _ => {
                let st = self.bool_item(e, jb)?;
                if next.is_empty() && found.is_none() {
                    return Ok(Res::Found);
                }
                let v = match st {
                    Tri::True => Jsonb::Bool(true),
                    Tri::False => Jsonb::Bool(false),
                    Tri::Unknown => Jsonb::Null,
                };
                self.next(next, v, found)
            }
        }
    }

    /// A variable's value; without a variables object (the operators)
    /// every variable is null, as PostgreSQL's.
    fn variable(&self, name: &str) -> R<Jsonb> {
        let Some(vars) = self.vars else {
            return Ok(Jsonb::Null);
        };
        vars.get(name).cloned().ok_or_else(|| {
            Fail::Hard(PgError::new(
                sqlstate::UNDEFINED_OBJECT,
                format!("could not find jsonpath variable \"{name}\""),
            ))
        })
    }

    /// Evaluates `e` into `out`, each array among its values replaced by
    /// its elements when `unwrap` in lax mode.
    pub fn unwrapped(
        &mut self,
        e: &Expr,
        jb: &Jsonb,
        unwrap: bool,
        out: &mut Vec<Jsonb>,
    ) -> R<Res> {
        if unwrap && self.lax {
            let mut seq = Vec::new();
            let r = self.expr(e, &[], jb, Some(&mut seq))?;
            for v in seq {
                match v {
                    Jsonb::Array(a) => out.extend(a),
                    v => out.push(v),
                }
            }
            return Ok(r);
        }
        self.expr(e, &[], jb, Some(out))
    }

    /// The values of each element (and, up to `last`, nested element) of
    /// the container `jb` from level `first`, each run through `items`
    /// when given (executeAnyItem).
    #[allow(clippy::too_many_arguments)]
    fn any(
        &mut self,
        items: Option<&[Step]>,
        jb: &Jsonb,
        mut found: Found,
        level: u32,
        first: u32,
        last: u32,
        ignore_structural: bool,
        unwrap_next: bool,
    ) -> R<Res> {
        let mut res = Res::NotFound;
        if level > last {
            return Ok(res);
        }
        let children: Vec<&Jsonb> = match jb {
            Jsonb::Array(a) => a.iter().collect(),
            Jsonb::Object(o) => o.iter().map(|(_, v)| v).collect(),
            _ => return Ok(res),
        };
        for v in children {
            check_for_interrupts()?;
            if level >= first || (first == ANY_LAST && last == ANY_LAST && !is_container(v)) {
                if let Some(items) = items {
                    let saved = self.ignore_structural;
                    if ignore_structural {
                        self.ignore_structural = true;
                    }
                    let r = self.step(items, v, found.as_deref_mut(), unwrap_next);
                    self.ignore_structural = saved;
                    res = r?;
                    if res == Res::Found && found.is_none() {
                        break;
                    }
                } else if let Some(f) = found.as_deref_mut() {
                    f.push(v.clone());
                } else {
                    return Ok(Res::Found);
                }
            }
            if level < last && is_container(v) {
                res = self.any(
                    items,
                    v,
                    found.as_deref_mut(),
                    level + 1,
                    first,
                    last,
                    ignore_structural,
                    unwrap_next,
                )?;
                if res == Res::Found && found.is_none() {
                    break;
                }
            }
        }
        Ok(res)
    }

    /// Runs `items` over each element of the array `jb`
    /// (executeItemUnwrapTargetArray).
    fn unwrap_array(
        &mut self,
        items: &[Step],
        jb: &Jsonb,
        found: Found,
        unwrap_elems: bool,
    ) -> R<Res> {
        self.any(Some(items), jb, found, 1, 1, 1, false, unwrap_elems)
    }

    fn opt(next: &[Step]) -> Option<&[Step]> {
        (!next.is_empty()).then_some(next)
    }

    /// Runs the accessor `items[0]`, then the rest, over `jb`.
    fn step(&mut self, items: &[Step], jb: &Jsonb, found: Found, unwrap: bool) -> R<Res> {
        let next = &items[1..];
        match &items[0] {
            Step::Key(k) => match jb {
                Jsonb::Object(_) => match jb.get(k) {
                    Some(v) => {
                        let v = v.clone();
                        self.next(next, v, found)
                    }
                    None if !self.ignore_structural => {
                        soft("2203A", format!("JSON object does not contain key \"{k}\""))
                    }
                    None => Ok(Res::NotFound),
                },
                Jsonb::Array(_) if unwrap => self.unwrap_array(items, jb, found, false),
                _ if !self.ignore_structural => soft(
                    "2203A",
                    "jsonpath member accessor can only be applied to an object",
                ),
                _ => Ok(Res::NotFound),
            },
            Step::AnyArray => match jb {
                Jsonb::Array(_) => self.any(Self::opt(next), jb, found, 1, 1, 1, false, self.lax),
                _ if self.lax => self.next(next, jb.clone(), found),
                _ if !self.ignore_structural => soft(
                    "22039",
                    "jsonpath wildcard array accessor can only be applied to an array",
                ),
                _ => Ok(Res::NotFound),
            },
            Step::AnyKey => match jb {
                Jsonb::Object(_) => self.any(Self::opt(next), jb, found, 1, 1, 1, false, self.lax),
                Jsonb::Array(_) if unwrap => self.unwrap_array(items, jb, found, false),
                _ if !self.ignore_structural => soft(
                    "2203C",
                    "jsonpath wildcard member accessor can only be applied to an object",
                ),
                _ => Ok(Res::NotFound),
            },
            Step::Index(subs) => {
                if !matches!(jb, Jsonb::Array(_)) && !self.lax {
                    if !self.ignore_structural {
                        return soft(
                            "22039",
                            "jsonpath array accessor can only be applied to an array",
                        );
                    }
                    return Ok(Res::NotFound);
                }
                let size = match jb {
                    Jsonb::Array(a) => a.len() as i64,
                    _ => 1,
                };
                let saved = self.innermost_size;
                self.innermost_size = size;
                let r = self.subscripts(subs, next, jb, found);
                self.innermost_size = saved;
                r
            }
            Step::Any(first, last) => {
                let mut res = Res::NotFound;
                let want_first = found.is_none();
                let mut found = found;
                if *first == 0 {
                    let saved = self.ignore_structural;
                    self.ignore_structural = true;
                    let r = self.next(next, jb.clone(), found.as_deref_mut());
                    self.ignore_structural = saved;
                    res = r?;
                    if res == Res::Found && want_first {
                        return Ok(res);
                    }
                }
                if is_container(jb) {
                    res = self.any(Self::opt(next), jb, found, 1, *first, *last, true, self.lax)?;
                }
                Ok(res)
            }
            Step::Filter(p) => {
                if unwrap && matches!(jb, Jsonb::Array(_)) {
                    return self.unwrap_array(items, jb, found, false);
                }
                let saved = std::mem::replace(&mut self.current, jb.clone());
                let st = self.bool_item(p, jb);
                self.current = saved;
                if st? != Tri::True {
                    return Ok(Res::NotFound);
                }
                self.next(next, jb.clone(), found)
            }
            Step::Method(m) => self.method(*m, items, jb, found, unwrap),
            Step::Datetime(_) => match jb {
                Jsonb::Array(_) if unwrap => self.unwrap_array(items, jb, found, false),
                Jsonb::String(_) => Err(Fail::Hard(PgError::new(
                    sqlstate::FEATURE_NOT_SUPPORTED,
                    "jsonpath item method .datetime() is not supported",
                ))),
                _ => soft(
                    "22031",
                    "jsonpath item method .datetime() can only be applied to a string",
                ),
            },
        }
    }

    /// `[a, b to c, ...]` over `jb` (an array, or any value in lax mode,
    /// which is then a one-element array).
    fn subscripts(
        &mut self,
        subs: &[(Expr, Option<Expr>)],
        next: &[Step],
        jb: &Jsonb,
        mut found: Found,
    ) -> R<Res> {
        let size = self.innermost_size;
        let mut res = Res::NotFound;
        for (from, to) in subs {
            let f = self.subscript(from, jb)?;
            let t = match to {
                Some(to) => self.subscript(to, jb)?,
                None => f,
            };
            if !self.ignore_structural && (f < 0 || f > t || t >= size) {
                return soft("22033", "jsonpath array subscript is out of bounds");
            }
            let f = f.max(0);
            let t = t.min(size - 1);
            res = Res::NotFound;
            let mut i = f;
            while i <= t {
                let v = match jb {
                    Jsonb::Array(a) => &a[i as usize],
                    v => v,
                };
                if next.is_empty() && found.is_none() {
                    return Ok(Res::Found);
                }
                res = self.next(next, v.clone(), found.as_deref_mut())?;
                if res == Res::Found && found.is_none() {
                    break;
                }
                i += 1;
            }
            if res == Res::Found && found.is_none() {
                break;
            }
        }
        Ok(res)
    }

    /// getArrayIndex: one number, truncated, in int4's range.
    fn subscript(&mut self, e: &Expr, jb: &Jsonb) -> R<i64> {
        let mut vals = Vec::new();
        self.expr(e, &[], jb, Some(&mut vals))?;
        let n = match vals.as_slice() {
            [Jsonb::Number(n)] => n.clone(),
            _ => {
                return soft(
                    "22033",
                    "jsonpath array subscript is not a single numeric value",
                )
            }
        };
        let t = n
            .trunc(0)
            .ok()
            .and_then(|t| crate::types::numeric::math::to_i64(&t));
        match t {
            Some(v) if i32::try_from(v).is_ok() => Ok(v),
            _ => soft("22033", "jsonpath array subscript is out of integer range"),
        }
    }

    fn method(
        &mut self,
        m: Method,
        items: &[Step],
        jb: &Jsonb,
        found: Found,
        unwrap: bool,
    ) -> R<Res> {
        let next = &items[1..];
        let v = match m {
            Method::Type => Jsonb::String(type_name(jb).into()),
            Method::Size => match jb {
                Jsonb::Array(a) => Jsonb::Number(Numeric::from_i64(a.len() as i64)),
                _ if self.lax => Jsonb::Number(Numeric::from_i64(1)),
                _ if !self.ignore_structural => {
                    return soft(
                        "22039",
                        "jsonpath item method .size() can only be applied to an array",
                    )
                }
                _ => return Ok(Res::NotFound),
            },
            _ if unwrap && matches!(jb, Jsonb::Array(_)) => {
                return self.unwrap_array(items, jb, found, false)
            }
            Method::Abs | Method::Floor | Method::Ceiling => {
                let Jsonb::Number(n) = jb else {
                    return soft(
                        "22036",
                        format!(
                            "jsonpath item method .{}() can only be applied to a numeric value",
                            m.name()
                        ),
                    );
                };
                let r = match m {
                    Method::Abs => n.abs(),
                    Method::Floor => n.floor().map_err(Fail::Soft)?,
                    _ => n.ceil().map_err(Fail::Soft)?,
                };
                if next.is_empty() && found.is_none() {
                    return Ok(Res::Found);
                }
                Jsonb::Number(r)
            }
            Method::Double => double(jb)?,
            Method::KeyValue => return self.keyvalue(jb, next, found),
        };
        self.next(next, v, found)
    }

    /// `.keyvalue()`: each member of an object as {"id", "key", "value"}.
    fn keyvalue(&mut self, jb: &Jsonb, next: &[Step], mut found: Found) -> R<Res> {
        let Jsonb::Object(members) = jb else {
            return soft(
                "2203C",
                "jsonpath item method .keyvalue() can only be applied to an object",
            );
        };
        let mut res = Res::NotFound;
        // The object's id: PostgreSQL's is the object's byte offset in
        // the binary jsonb of the document (0 for the document itself).
        let id = super::jsonpath_pred::object_id(self.root, jb);
        for (k, v) in members {
            let obj = Jsonb::Object(vec![
                ("id".into(), Jsonb::Number(Numeric::from_i64(id))),
                ("key".into(), Jsonb::String(k.clone())),
                ("value".into(), v.clone()),
            ]);
            res = self.next(next, obj, found.as_deref_mut())?;
            if res == Res::Found && found.is_none() {
                break;
            }
        }
        Ok(res)
    }

    /// Binary arithmetic: each operand a single number.
    fn arithmetic(
        &mut self,
        op: BinOp,
        a: &Expr,
        b: &Expr,
        jb: &Jsonb,
        next: &[Step],
        found: Found,
    ) -> R<Res> {
        let mut l = Vec::new();
        self.unwrapped(a, jb, true, &mut l)?;
        let mut r = Vec::new();
        self.unwrapped(b, jb, true, &mut r)?;
        let operand = |vals: &[Jsonb], side: &str| match vals {
            [Jsonb::Number(n)] => Ok(n.clone()),
            _ => soft(
                "22038",
                format!(
                    "{side} operand of jsonpath operator {} is not a single numeric value",
                    op.name()
                ),
            ),
        };
        let x = operand(&l, "left")?;
        let y = operand(&r, "right")?;
        let v = match op {
            BinOp::Add => x.add(&y),
            BinOp::Sub => x.sub(&y),
            BinOp::Mul => x.mul(&y),
            BinOp::Div => x.div(&y),
            _ => x.rem(&y),
        }
        .map_err(Fail::Soft)?;
        if next.is_empty() && found.is_none() {
            return Ok(Res::Found);
        }
        self.next(next, Jsonb::Number(v), found)
    }

    /// Unary plus and minus, over each value of the operand.
    fn unary(
        &mut self,
        neg: bool,
        a: &Expr,
        jb: &Jsonb,
        next: &[Step],
        mut found: Found,
    ) -> R<Res> {
        let mut seq = Vec::new();
        self.unwrapped(a, jb, true, &mut seq)?;
        let mut res = Res::NotFound;
        for v in seq {
            let n = match v {
                Jsonb::Number(n) => {
                    if found.is_none() && next.is_empty() {
                        return Ok(Res::Found);
                    }
                    n
                }
                _ if found.is_none() && next.is_empty() => continue,
                _ => {
                    return soft(
                        "2203B",
                        format!(
                            "operand of unary jsonpath operator {} is not a numeric value",
                            if neg { "-" } else { "+" }
                        ),
                    )
                }
            };
            let n = if neg { n.neg() } else { n };
            if self.next(next, Jsonb::Number(n), found.as_deref_mut())? == Res::Found {
                if found.is_none() {
                    return Ok(Res::Found);
                }
                res = Res::Found;
            }
        }
        Ok(res)
    }

    /// A predicate's truth value over `jb` (executeBoolItem).
    pub fn bool_item(&mut self, e: &Expr, jb: &Jsonb) -> R<Tri> {
        Ok(match e {
            Expr::Binary(BinOp::And, a, b) => {
                let l = self.bool_item(a, jb)?;
                if l == Tri::False {
                    return Ok(Tri::False);
                }
                let r = self.bool_item(b, jb)?;
                if r == Tri::True {
                    l
                } else {
                    r
                }
            }
            Expr::Binary(BinOp::Or, a, b) => {
                let l = self.bool_item(a, jb)?;
                if l == Tri::True {
                    return Ok(Tri::True);
                }
                let r = self.bool_item(b, jb)?;
                if r == Tri::False {
                    l
                } else {
                    r
                }
            }
            Expr::Not(a) => match self.bool_item(a, jb)? {
                Tri::True => Tri::False,
                Tri::False => Tri::True,
                Tri::Unknown => Tri::Unknown,
            },
            Expr::IsUnknown(a) => {
                if self.bool_item(a, jb)? == Tri::Unknown {
                    Tri::True
                } else {
                    Tri::False
                }
            }
            Expr::Binary(BinOp::StartsWith, a, b) => {
                self.predicate(a, Some(b), jb, false, &mut |l, r| Ok(starts_with(l, r)))?
            }
            Expr::Binary(op, a, b) => {
                let op = *op;
                self.predicate(a, Some(b), jb, true, &mut |l, r| Ok(compare(op, l, r)))?
            }
            Expr::LikeRegex(a, pattern, flags) => {
                self.predicate(a, None, jb, false, &mut |l, _| {
                    like_regex(l, pattern, flags)
                })?
            }
            Expr::Exists(a) => {
                if !self.lax {
                    let mut vals = Vec::new();
                    match no_throw(self.unwrapped(a, jb, false, &mut vals))? {
                        None => Tri::Unknown,
                        Some(_) if vals.is_empty() => Tri::False,
                        Some(_) => Tri::True,
                    }
                } else {
                    match no_throw(self.expr(a, &[], jb, None))? {
                        None => Tri::Unknown,
                        Some(Res::Found) => Tri::True,
                        Some(Res::NotFound) => Tri::False,
                    }
                }
            }
            _ => {
                return Err(Fail::Hard(PgError::internal(
                    "invalid jsonpath boolean item",
                )))
            }
        })
    }

    /// executePredicate: `test` over every pair of left and right values;
    /// lax mode answers true at the first true pair, strict mode unknown
    /// at the first unknown one.
    fn predicate(
        &mut self,
        l: &Expr,
        r: Option<&Expr>,
        jb: &Jsonb,
        unwrap_right: bool,
        test: &mut dyn FnMut(&Jsonb, Option<&Jsonb>) -> PgResult<Tri>,
    ) -> R<Tri> {
        let mut lseq = Vec::new();
        if no_throw(self.unwrapped(l, jb, true, &mut lseq))?.is_none() {
            return Ok(Tri::Unknown);
        }
        let mut rseq = Vec::new();
        if let Some(r) = r {
            if no_throw(self.unwrapped(r, jb, unwrap_right, &mut rseq))?.is_none() {
                return Ok(Tri::Unknown);
            }
        }
        let strict = !self.lax;
        let (mut error, mut found) = (false, false);
        for lv in &lseq {
            let rights: Vec<Option<&Jsonb>> = if r.is_some() {
                rseq.iter().map(Some).collect()
            } else {
                vec![None]
            };
            for rv in rights {
                match test(lv, rv)? {
                    Tri::Unknown => {
                        if strict {
                            return Ok(Tri::Unknown);
                        }
                        error = true;
                    }
                    Tri::True => {
                        if !strict {
                            return Ok(Tri::True);
                        }
                        found = true;
                    }
                    Tri::False => {}
                }
            }
        }
        Ok(if found {
            Tri::True
        } else if error {
            Tri::Unknown
        } else {
            Tri::False
        })
    }
}

/// `.double()`: a number as it is (if a float8 can hold it), a string
/// read as float8.
fn double(jb: &Jsonb) -> R<Jsonb> {
    match jb {
        Jsonb::Number(n) => {
            if !n.to_f64().is_finite() {
                return soft(
                    "22036",
                    "numeric argument of jsonpath item method .double() is out of range for type double precision",
                );
            }
            Ok(jb.clone())
        }
        Jsonb::String(s) => match crate::types::float::parse_f64(s) {
            Ok(v) if v.is_finite() => Ok(Jsonb::Number(Numeric::from_f64(v).map_err(Fail::Soft)?)),
            _ => soft(
                "22036",
                "string argument of jsonpath item method .double() is not a valid representation of a double precision number",
            ),
        },
        _ => soft(
            "22036",
            "jsonpath item method .double() can only be applied to a string or numeric value",
        ),
    }
}
