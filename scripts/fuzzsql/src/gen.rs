//! The query generator: random SELECTs over the schema whose every
//! expression has a known type, built bottom-up as PostgreSQL types them
//! (the numeric promotion chain, one common type for CASE/COALESCE
//! branches, aggregates' result types), so that nearly every query is
//! valid and what fails fails on a value (overflow, division by zero, a
//! bad input string), not on a type error.
//!
//! Query i is generated from its own RNG seeded by (seed, i), so any query
//! can be regenerated alone (`fuzzsql --only I`).
//!
//! Row order never matters: results are compared as multisets; ORDER BY
//! over every output column (by position) comes with every LIMIT/OFFSET,
//! so that the rows kept are the same on every server.

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::Rng;

use crate::schema::{self, quote, Schema, Ty, NUMERIC_CHAIN};

/// A column the expression being generated may refer to.
#[derive(Clone, Debug)]
pub struct ColRef {
    pub sql: String,
    pub ty: Ty,
}

/// What an expression may contain where it is generated.
#[derive(Clone, Debug, Default)]
struct Ctx {
    /// Columns that may be referred to directly (in a grouped query: the
    /// grouping columns, and the outer query's).
    cols: Vec<ColRef>,
    /// Some: aggregates are allowed, over these columns.
    agg_cols: Option<Vec<ColRef>>,
    /// Subqueries allowed.
    sub_ok: bool,
}

/// A generated query: its text and the types of its output columns.
#[derive(Clone, Debug)]
pub struct Query {
    pub sql: String,
    pub types: Vec<Ty>,
}

/// What the query being generated is for.
#[derive(Clone, Debug, Default)]
struct Shape {
    /// The output columns' types, when the context needs them.
    want: Option<Vec<Ty>>,
    /// At most one row (a scalar subquery).
    single_row: bool,
    /// The whole statement (features pgfork may refuse are tried here).
    top: bool,
    /// An EXISTS subquery wanting a constant select list.
    exists: bool,
}

pub struct Gen<'a> {
    rng: StdRng,
    schema: &'a Schema,
    /// Subquery nesting of what is being generated.
    sub_depth: u32,
    /// Expression depth budget for this query.
    max_depth: u32,
    /// Next alias number (a0, a1, ...), unique in the statement.
    alias: u32,
    /// Set just before a select-list item is generated: the one place
    /// where a float aggregate may appear (its last bits depend on the
    /// order of summation, which the comparison's tolerance absorbs but a
    /// cast to text or a comparison would not).
    at_item_top: bool,
    /// Common table expressions of the statement being generated: name and
    /// columns.
    ctes: Vec<(String, Vec<(String, Ty)>)>,
    /// Expression nodes left for this statement; at 0 only leaves.
    budget: i32,
}

impl<'a> Gen<'a> {
    pub fn new(schema: &'a Schema, rng: StdRng) -> Gen<'a> {
        Gen {
            rng,
            schema,
            sub_depth: 0,
            max_depth: 4,
            alias: 0,
            at_item_top: false,
            ctes: Vec::new(),
            budget: 0,
        }
    }

    fn p(&mut self, p: f64) -> bool {
        self.rng.gen_bool(p)
    }

    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        *xs.choose(&mut self.rng).unwrap()
    }

    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        self.rng.gen_range(lo..=hi)
    }

    // ----------------------------------------------------------------
    // Statements
    // ----------------------------------------------------------------

    /// One top-level SELECT.
    pub fn statement(&mut self) -> Query {
        let deep = self.p(0.05);
        self.max_depth = if deep { 9 } else { self.range(2, 4) as u32 };
        self.budget = if deep { 400 } else { 120 };
        let mut with = String::new();
        if self.p(0.015) {
            // WITH: one or two CTEs, used like tables in the main query.
            let n = self.range(1, 2);
            let mut parts = Vec::new();
            for k in 0..n {
                let q = self.select(&[], &Shape::default());
                let name = format!("w{k}");
                let cols: Vec<(String, Ty)> = q
                    .types
                    .iter()
                    .enumerate()
                    .map(|(i, t)| (format!("c{i}"), *t))
                    .collect();
                let names: Vec<&str> = cols.iter().map(|c| c.0.as_str()).collect();
                parts.push(format!("{name}({}) AS ({})", names.join(", "), q.sql));
                self.ctes.push((name, cols));
            }
            with = format!("WITH {} ", parts.join(", "));
        }
        let shape = Shape {
            top: true,
            ..Shape::default()
        };
        let q = if self.p(0.015) {
            self.set_operation(&shape)
        } else {
            self.select(&[], &shape)
        };
        Query {
            sql: format!("{with}{}", q.sql),
            types: q.types,
        }
    }

    /// `(q1) UNION [ALL] | INTERSECT | EXCEPT (q2)` over the same types.
    fn set_operation(&mut self, shape: &Shape) -> Query {
        let a = self.select(&[], &Shape::default());
        let b = self.select(
            &[],
            &Shape {
                want: Some(a.types.clone()),
                ..Shape::default()
            },
        );
        let op = self.pick(&[
            "UNION",
            "UNION ALL",
            "INTERSECT",
            "EXCEPT",
            "INTERSECT ALL",
            "EXCEPT ALL",
        ]);
        let _ = shape;
        Query {
            sql: format!("({}) {op} ({})", a.sql, b.sql),
            types: a.types,
        }
    }

    fn next_alias(&mut self) -> String {
        self.alias += 1;
        format!("a{}", self.alias)
    }

    /// A FROM item: a table, a CTE, or a derived table.
    fn table_ref(&mut self) -> (String, Vec<ColRef>) {
        let alias = self.next_alias();
        if !self.ctes.is_empty() && self.p(0.5) {
            let (name, cols) = self.ctes[self.rng.gen_range(0..self.ctes.len())].clone();
            let refs = cols
                .iter()
                .map(|(c, t)| ColRef {
                    sql: format!("{alias}.{c}"),
                    ty: *t,
                })
                .collect();
            return (format!("{name} AS {alias}"), refs);
        }
        if self.sub_depth < 2 && self.p(0.12) {
            self.sub_depth += 1;
            let q = self.select(&[], &Shape::default());
            self.sub_depth -= 1;
            let names: Vec<String> = (0..q.types.len()).map(|i| format!("c{i}")).collect();
            let refs = names
                .iter()
                .zip(&q.types)
                .map(|(c, t)| ColRef {
                    sql: format!("{alias}.{c}"),
                    ty: *t,
                })
                .collect();
            return (
                format!("({}) AS {alias}({})", q.sql, names.join(", ")),
                refs,
            );
        }
        let t = &self.schema.tables[self.rng.gen_range(0..self.schema.tables.len())];
        let refs = t
            .columns
            .iter()
            .map(|c| ColRef {
                sql: format!("{alias}.{}", c.name),
                ty: c.ty,
            })
            .collect();
        (format!("{} AS {alias}", t.name), refs)
    }

    /// FROM with one to three items joined; returns the text and the
    /// columns in scope.
    fn make_from(&mut self, outer: &[ColRef], top: bool) -> (String, Vec<ColRef>) {
        let n = if self.sub_depth > 0 {
            *[1, 1, 1, 2].choose(&mut self.rng).unwrap()
        } else {
            *[1, 1, 2, 2, 2, 3].choose(&mut self.rng).unwrap()
        };
        let (mut sql, mut cols) = self.table_ref();
        // What an ON condition may refer to: the items since the last
        // comma (a comma binds looser than JOIN).
        let mut on_left = cols.clone();
        for _ in 1..n {
            let (isql, icols) = self.table_ref();
            let kind = self.rng.gen_range(0..100);
            if kind < 12 {
                sql = format!("{sql} CROSS JOIN {isql}");
            } else if kind < 20 {
                sql = format!("{sql}, {isql}");
                on_left.clear();
            } else {
                let join = if kind < 55 {
                    "JOIN"
                } else if kind < 65 {
                    "INNER JOIN"
                } else if kind < 98 || !top {
                    "LEFT JOIN"
                } else if kind < 99 {
                    "RIGHT JOIN"
                } else {
                    "FULL JOIN"
                };
                let mut both = on_left.clone();
                both.extend(icols.iter().cloned());
                let cond = self.join_condition(&on_left, &icols, &both, outer);
                sql = format!("{sql} {join} {isql} ON {cond}");
            }
            on_left.extend(icols.iter().cloned());
            cols.extend(icols);
        }
        (sql, cols)
    }

    /// An ON condition: mostly an equality between columns of comparable
    /// types from each side, sometimes with more.
    fn join_condition(
        &mut self,
        left: &[ColRef],
        right: &[ColRef],
        both: &[ColRef],
        outer: &[ColRef],
    ) -> String {
        let mut pairs = Vec::new();
        for l in left {
            for r in right {
                if comparable(l.ty, r.ty) {
                    pairs.push((l.sql.clone(), r.sql.clone()));
                }
            }
        }
        let mut ctx = Ctx {
            cols: both.to_vec(),
            agg_cols: None,
            sub_ok: self.sub_depth < 1 && self.p(0.1),
        };
        ctx.cols.extend(outer.iter().cloned());
        let eq = if !pairs.is_empty() && self.p(0.85) {
            let (a, b) = pairs.choose(&mut self.rng).unwrap().clone();
            let op = if self.p(0.85) {
                "="
            } else {
                self.pick(&["<", "<=", "<>", ">="])
            };
            format!("{a} {op} {b}")
        } else {
            return self.bool_expr(&ctx, 2);
        };
        if self.p(0.25) {
            let more = self.bool_expr(&ctx, 2);
            format!("{eq} {} {more}", self.pick(&["AND", "AND", "OR"]))
        } else {
            eq
        }
    }

    /// A SELECT (with outer columns visible when it is a subquery).
    fn select(&mut self, outer: &[ColRef], shape: &Shape) -> Query {
        let (from, scope) = self.make_from(outer, shape.top);
        let mut visible = scope.clone();
        visible.extend(outer.iter().cloned());
        let plain = Ctx {
            cols: visible.clone(),
            agg_cols: None,
            sub_ok: self.sub_depth < 2,
        };
        let where_ = if self.p(0.65) {
            let d = self.max_depth;
            Some(self.bool_expr(&plain, d))
        } else {
            None
        };

        // Grouping: none, aggregates only (one row), or GROUP BY columns.
        let grouped = if shape.single_row {
            self.p(0.7)
        } else {
            self.p(0.3)
        };
        let mut keys: Vec<ColRef> = Vec::new();
        if grouped && !shape.single_row {
            let nkeys = self.range(0, 2);
            for _ in 0..nkeys {
                let c = scope.choose(&mut self.rng).unwrap().clone();
                if !keys.iter().any(|k| k.sql == c.sql) {
                    keys.push(c);
                }
            }
        }
        let item_ctx = if grouped {
            let mut cols = keys.clone();
            cols.extend(outer.iter().cloned());
            Ctx {
                cols,
                agg_cols: Some(scope.clone()),
                sub_ok: self.sub_depth < 2,
            }
        } else {
            plain.clone()
        };

        let types: Vec<Ty> = match &shape.want {
            Some(t) => t.clone(),
            None => {
                let n = *[1, 1, 2, 2, 3, 4].choose(&mut self.rng).unwrap();
                (0..n).map(|_| self.random_type()).collect()
            }
        };
        let mut items = Vec::new();
        for (i, ty) in types.iter().enumerate() {
            let keyed: Vec<&ColRef> = keys
                .iter()
                .filter(|k| comparable_exact(k.ty, *ty))
                .collect();
            let e = if shape.exists && shape.want.is_some() {
                self.pick(&["1", "NULL", "42", "'x'"]).to_string()
            } else if !keyed.is_empty() && self.p(0.4) {
                keyed.choose(&mut self.rng).unwrap().sql.clone()
            } else if grouped && self.p(0.5) {
                self.aggregate(*ty, &item_ctx, self.max_depth.min(3), true)
            } else {
                self.at_item_top = true;
                let d = self.max_depth;
                self.expr(*ty, &item_ctx, d)
            };
            self.at_item_top = false;
            items.push(if shape.top || self.p(0.3) {
                format!("{e} AS x{i}")
            } else {
                e
            });
        }
        // A window function now and then (pgfork refuses them; counted
        // as unsupported). Deterministic ones only: over whole partitions,
        // or ranks.
        let mut out_types = types.clone();
        if shape.top && !grouped && self.p(0.015) {
            let part = scope.choose(&mut self.rng).unwrap().sql.clone();
            let w = match self.rng.gen_range(0..3) {
                0 => format!("count(*) OVER (PARTITION BY {part})"),
                1 => format!("rank() OVER (ORDER BY {part})"),
                _ => format!("dense_rank() OVER (PARTITION BY {part} ORDER BY {part})"),
            };
            items.push(format!("{w} AS x{}", items.len()));
            out_types.push(Ty::Int8);
        }

        let distinct = if self.p(0.12) { "DISTINCT " } else { "" };
        let mut sql = format!("SELECT {distinct}{} FROM {from}", items.join(", "));
        if let Some(w) = where_ {
            sql.push_str(&format!(" WHERE {w}"));
        }
        if grouped && !keys.is_empty() {
            let k: Vec<&str> = keys.iter().map(|k| k.sql.as_str()).collect();
            sql.push_str(&format!(" GROUP BY {}", k.join(", ")));
        }
        if grouped && !shape.single_row && self.p(0.3) {
            let d = self.max_depth.min(3);
            let h = self.bool_expr(&item_ctx, d);
            sql.push_str(&format!(" HAVING {h}"));
        }
        // A scalar subquery's one row: LIMIT 1 after ORDER BY (an
        // aggregate-only query has one row anyway, unless its items hold
        // no aggregate, which makes it ungrouped).
        let needs_limit = shape.single_row;
        let limit = needs_limit || self.p(0.2);
        if limit || self.p(0.3) {
            let order: Vec<String> = (1..=out_types.len())
                .map(|i| {
                    let dir = self.pick(&["", "", " ASC", " DESC"]);
                    let nulls = self.pick(&["", "", "", " NULLS FIRST", " NULLS LAST"]);
                    format!("{i}{dir}{nulls}")
                })
                .collect();
            sql.push_str(&format!(" ORDER BY {}", order.join(", ")));
        }
        if needs_limit {
            sql.push_str(" LIMIT 1");
        } else if limit {
            sql.push_str(&format!(" LIMIT {}", self.pick(&[0, 1, 2, 3, 5, 10, 100])));
            if self.p(0.4) {
                sql.push_str(&format!(" OFFSET {}", self.pick(&[0, 1, 2, 5])));
            }
        }
        Query {
            sql,
            types: out_types,
        }
    }

    /// A subquery (in an expression) with the outer columns visible.
    fn subquery(&mut self, ctx: &Ctx, shape: Shape) -> String {
        self.sub_depth += 1;
        let saved = self.max_depth;
        self.max_depth = self.max_depth.min(3);
        let q = self.select(&ctx.cols, &shape);
        self.max_depth = saved;
        self.sub_depth -= 1;
        q.sql
    }

    fn random_type(&mut self) -> Ty {
        self.pick(&[
            Ty::Int2,
            Ty::Int4,
            Ty::Int4,
            Ty::Int8,
            Ty::Numeric,
            Ty::Numeric,
            Ty::Float8,
            Ty::Text,
            Ty::Text,
            Ty::Text,
            Ty::Bool,
            Ty::Bool,
            Ty::Date,
            Ty::Timestamp,
            Ty::TimestampTz,
            Ty::Interval,
        ])
    }

    // ----------------------------------------------------------------
    // Expressions
    // ----------------------------------------------------------------

    /// An expression of type `ty`.
    fn expr(&mut self, ty: Ty, ctx: &Ctx, depth: u32) -> String {
        let item_top = std::mem::replace(&mut self.at_item_top, false);
        self.budget -= 1;
        if depth == 0 || self.budget <= 0 || self.p(0.25) {
            return self.leaf(ty, ctx);
        }
        let d = depth - 1;
        let r = self.rng.gen_range(0..100);
        match r {
            0..=3 => {
                let c = self.bool_expr(ctx, d);
                let a = self.expr(ty, ctx, d);
                if self.p(0.2) {
                    return format!("CASE WHEN {c} THEN {a} END");
                }
                let b = self.expr(ty, ctx, d);
                if self.p(0.2) {
                    // The simple form: CASE x WHEN v THEN ...
                    let t = self.comparable_type();
                    let x = self.expr(t, ctx, d);
                    let v = self.expr(t, ctx, 0);
                    return format!("CASE {x} WHEN {v} THEN {a} ELSE {b} END");
                }
                format!("CASE WHEN {c} THEN {a} ELSE {b} END")
            }
            4..=6 => {
                let a = self.expr(ty, ctx, d);
                let b = self.expr(ty, ctx, d);
                if self.p(0.3) {
                    let c = self.leaf(ty, ctx);
                    format!("COALESCE({a}, {b}, {c})")
                } else {
                    format!("COALESCE({a}, {b})")
                }
            }
            7..=8 => {
                let a = self.expr(ty, ctx, d);
                let b = self.expr(ty, ctx, d);
                format!("NULLIF({a}, {b})")
            }
            9..=10 => {
                let f = self.pick(&["GREATEST", "LEAST"]);
                let a = self.expr(ty, ctx, d);
                let b = self.expr(ty, ctx, d);
                format!("{f}({a}, {b})")
            }
            11..=13 if ctx.sub_ok && self.sub_depth < 2 => {
                let sub = self.subquery(
                    ctx,
                    Shape {
                        want: Some(vec![ty]),
                        single_row: true,
                        ..Shape::default()
                    },
                );
                format!("({sub})")
            }
            14..=22 if ctx.agg_cols.is_some() => self.aggregate(ty, ctx, d, item_top),
            23..=27 => self.cast_to(ty, ctx, d),
            _ => self.typed(ty, ctx, d),
        }
    }

    /// A column of `ty`, or a literal.
    fn leaf(&mut self, ty: Ty, ctx: &Ctx) -> String {
        let cols: Vec<&ColRef> = ctx.cols.iter().filter(|c| c.ty == ty).collect();
        if !cols.is_empty() && self.p(0.75) {
            return cols.choose(&mut self.rng).unwrap().sql.clone();
        }
        if self.p(0.04) {
            return format!("NULL::{}", ty.sql());
        }
        self.literal(ty)
    }

    /// A literal of `ty`, typed as PostgreSQL types it without context.
    fn literal(&mut self, ty: Ty) -> String {
        let v = if self.p(0.2) {
            schema::literal_value(&mut self.rng, ty)
        } else {
            schema::plain_literal_value(&mut self.rng, ty)
        };
        let neg = v.starts_with('-');
        match ty {
            Ty::Int2 => {
                if neg {
                    format!("({v})::int2")
                } else if self.p(0.5) {
                    format!("{v}::int2")
                } else {
                    format!("CAST({v} AS smallint)")
                }
            }
            Ty::Int4 => {
                if neg {
                    format!("({v})")
                } else {
                    v
                }
            }
            Ty::Int8 => {
                let fits_int4 = v
                    .parse::<i64>()
                    .map(|x| i32::try_from(x).is_ok())
                    .unwrap_or(false);
                if fits_int4 {
                    if neg {
                        format!("({v})::int8")
                    } else if self.p(0.5) {
                        format!("{v}::int8")
                    } else {
                        format!("CAST({v} AS bigint)")
                    }
                } else if neg {
                    format!("({v})")
                } else {
                    v
                }
            }
            Ty::Numeric => {
                if v.starts_with('\'') || v == "NaN" {
                    format!(
                        "{}::numeric",
                        if v == "NaN" { "'NaN'".to_string() } else { v }
                    )
                } else if !v.contains('.') || v.len() > 18 {
                    if neg {
                        format!("({v})::numeric")
                    } else {
                        format!("{v}::numeric")
                    }
                } else if neg {
                    format!("({v})")
                } else {
                    v
                }
            }
            Ty::Float8 => match self.rng.gen_range(0..3) {
                0 => format!("{v}::float8"),
                1 => format!("CAST({v} AS double precision)"),
                _ => format!("float8 {v}"),
            },
            Ty::Text => {
                if self.p(0.3) {
                    format!("{v}::text")
                } else {
                    v
                }
            }
            Ty::Bool => v,
            Ty::Date => {
                if self.p(0.5) {
                    format!("DATE {v}")
                } else {
                    format!("{v}::date")
                }
            }
            Ty::Timestamp => {
                if self.p(0.5) {
                    format!("TIMESTAMP {v}")
                } else {
                    format!("{v}::timestamp")
                }
            }
            Ty::TimestampTz => {
                if self.p(0.5) {
                    format!("{v}::timestamptz")
                } else {
                    format!("CAST({v} AS timestamp with time zone)")
                }
            }
            Ty::Interval => {
                if self.p(0.5) {
                    format!("INTERVAL {v}")
                } else {
                    format!("{v}::interval")
                }
            }
        }
    }

    /// An aggregate call whose result has type `ty`.
    fn aggregate(&mut self, ty: Ty, ctx: &Ctx, depth: u32, item_top: bool) -> String {
        let inner = Ctx {
            cols: ctx.agg_cols.clone().unwrap_or_default(),
            agg_cols: None,
            sub_ok: false,
        };
        let d = depth.min(2);
        let distinct = if self.p(0.1) { "DISTINCT " } else { "" };
        match ty {
            Ty::Int8 => match self.rng.gen_range(0..4) {
                0 => "count(*)".to_string(),
                1 => {
                    let t = self.random_type();
                    let e = self.expr(t, &inner, d);
                    format!("count({distinct}{e})")
                }
                2 => {
                    let t = self.pick(&[Ty::Int2, Ty::Int4]);
                    let e = self.expr(t, &inner, d);
                    format!("sum({distinct}{e})")
                }
                _ => self.min_max(ty, &inner, d),
            },
            Ty::Numeric => match self.rng.gen_range(0..3) {
                0 => {
                    let t = self.pick(&[Ty::Int8, Ty::Numeric]);
                    let e = self.expr(t, &inner, d);
                    format!("sum({distinct}{e})")
                }
                1 => {
                    let t = self.pick(&[Ty::Int2, Ty::Int4, Ty::Int8, Ty::Numeric]);
                    let e = self.expr(t, &inner, d);
                    format!("avg({distinct}{e})")
                }
                _ => self.min_max(ty, &inner, d),
            },
            Ty::Float8 if item_top && self.p(0.6) => {
                let f = self.pick(&["sum", "avg"]);
                let e = self.expr(Ty::Float8, &inner, d);
                format!("{f}({e})")
            }
            Ty::Bool => {
                let f = self.pick(&["bool_and", "bool_or", "every"]);
                let e = self.bool_expr(&inner, d);
                format!("{f}({e})")
            }
            Ty::Interval => {
                if self.p(0.5) {
                    self.min_max(ty, &inner, d)
                } else {
                    // sum(interval) and avg(interval) exist in PostgreSQL.
                    let f = self.pick(&["sum", "avg"]);
                    let e = self.expr(Ty::Interval, &inner, d);
                    format!("{f}({e})")
                }
            }
            _ => self.min_max(ty, &inner, d),
        }
    }

    fn min_max(&mut self, ty: Ty, inner: &Ctx, d: u32) -> String {
        let f = self.pick(&["min", "max"]);
        let e = self.expr(ty, inner, d);
        format!("{f}({e})")
    }

    /// `CAST(x AS ty)` or `x::ty` from some other type that casts to it.
    fn cast_to(&mut self, ty: Ty, ctx: &Ctx, d: u32) -> String {
        let (src, target): (Ty, String) = match ty {
            Ty::Int2 | Ty::Int4 | Ty::Int8 | Ty::Numeric | Ty::Float8 => {
                if self.p(0.1) {
                    let s = self.pick(&[
                        "'  12 '",
                        "'+5'",
                        "'007'",
                        "'1e3'",
                        "'1.5'",
                        "' -3 '",
                        "'99999999999'",
                        "'-0'",
                        "''",
                        "'abc'",
                        "'12abc'",
                        "'1_000'",
                        "'0x1F'",
                        "' 2.50 '",
                        "'NaN'",
                        "'-Infinity'",
                        "'.5'",
                    ]);
                    return format!("CAST({s} AS {})", ty.sql());
                }
                let src = if ty == Ty::Int4 && self.p(0.1) {
                    Ty::Bool
                } else {
                    self.pick(&NUMERIC_CHAIN)
                };
                let target = if ty == Ty::Numeric && self.p(0.3) {
                    self.pick(&[
                        "numeric(10,2)",
                        "numeric(5,0)",
                        "numeric(20,6)",
                        "decimal(8,3)",
                    ])
                    .to_string()
                } else if self.p(0.2) {
                    match ty {
                        Ty::Int2 => "smallint",
                        Ty::Int4 => "integer",
                        Ty::Int8 => "bigint",
                        Ty::Numeric => "decimal",
                        _ => "double precision",
                    }
                    .to_string()
                } else {
                    ty.sql().to_string()
                };
                (src, target)
            }
            Ty::Text => {
                let src = self.random_type();
                let target = if self.p(0.2) {
                    self.pick(&["varchar(3)", "varchar(10)", "char(4)", "varchar"])
                        .to_string()
                } else {
                    "text".to_string()
                };
                if src == Ty::Text && target == "text" {
                    let e = self.expr(Ty::Int4, ctx, d);
                    return format!("CAST({e} AS text)");
                }
                (src, target)
            }
            Ty::Bool => {
                if self.p(0.4) {
                    let s = self.pick(&[
                        "'yes'",
                        "'no'",
                        "'t'",
                        "'1'",
                        "'off'",
                        "'  true '",
                        "'maybe'",
                        "'ON'",
                    ]);
                    return format!("CAST({s} AS boolean)");
                }
                (Ty::Int4, "bool".to_string())
            }
            Ty::Date => (
                self.pick(&[Ty::Timestamp, Ty::TimestampTz]),
                "date".to_string(),
            ),
            Ty::Timestamp => (
                self.pick(&[Ty::Date, Ty::TimestampTz]),
                "timestamp".to_string(),
            ),
            Ty::TimestampTz => (
                self.pick(&[Ty::Date, Ty::Timestamp]),
                "timestamptz".to_string(),
            ),
            Ty::Interval => {
                let s = self.pick(&[
                    "'1 day 2 hours'",
                    "'-3 mons'",
                    "'90 minutes'",
                    "'1 year -1 day'",
                    "'2 days'",
                    "'-12:30'",
                    "'1 week'",
                    "'P1D'",
                    "'bogus'",
                ]);
                return format!("CAST({s} AS interval)");
            }
        };
        let e = self.expr(src, ctx, d);
        if target.contains('(') || target.contains(' ') || self.p(0.5) {
            format!("CAST({e} AS {target})")
        } else {
            format!("({e})::{target}")
        }
    }

    /// A type-specific form: operators and functions of `ty`.
    fn typed(&mut self, ty: Ty, ctx: &Ctx, d: u32) -> String {
        match ty {
            Ty::Int2 | Ty::Int4 | Ty::Int8 => self.int_expr(ty, ctx, d),
            Ty::Numeric => self.numeric_expr(ctx, d),
            Ty::Float8 => self.float_expr(ctx, d),
            Ty::Text => self.text_expr(ctx, d),
            Ty::Bool => self.bool_expr(ctx, d + 1),
            Ty::Date => self.date_expr(ctx, d),
            Ty::Timestamp | Ty::TimestampTz => self.timestamp_expr(ty, ctx, d),
            Ty::Interval => self.interval_expr(ctx, d),
        }
    }

    /// Two operands whose common type is `ty` (one of them has it, the
    /// other a type below it in the numeric chain, at least `floor`).
    fn numeric_operands(&mut self, ty: Ty, floor: Ty, ctx: &Ctx, d: u32) -> (String, String) {
        let rank = ty.numeric_rank().unwrap();
        let lo = floor.numeric_rank().unwrap();
        let other = NUMERIC_CHAIN[self.rng.gen_range(lo as usize..=rank as usize)];
        let a = self.expr(ty, ctx, d);
        let b = self.expr(other, ctx, d);
        if self.p(0.5) {
            (a, b)
        } else {
            (b, a)
        }
    }

    fn int_expr(&mut self, ty: Ty, ctx: &Ctx, d: u32) -> String {
        let r = self.rng.gen_range(0..100);
        match r {
            0..=44 => {
                let op = self.pick(&["+", "-", "*", "/", "%", "+", "-", "*"]);
                let (a, b) = self.numeric_operands(ty, Ty::Int2, ctx, d);
                format!("({a} {op} {b})")
            }
            45..=52 => {
                let a = self.expr(ty, ctx, d);
                format!("(-{a})")
            }
            53..=60 => {
                let a = self.expr(ty, ctx, d);
                format!("abs({a})")
            }
            61..=66 => {
                let a = self.expr(ty, ctx, d);
                let b = self.expr(ty, ctx, d);
                format!("mod({a}, {b})")
            }
            67..=90 if ty == Ty::Int4 => match self.rng.gen_range(0..20) {
                0..=3 => {
                    let f =
                        self.pick(&["length", "char_length", "octet_length", "character_length"]);
                    let a = self.expr(Ty::Text, ctx, d);
                    format!("{f}({a})")
                }
                4..=6 => {
                    let a = self.expr(Ty::Text, ctx, d);
                    let b = self.expr(Ty::Text, ctx, d);
                    if self.p(0.5) {
                        format!("strpos({a}, {b})")
                    } else {
                        format!("position({b} IN {a})")
                    }
                }
                7..=8 => {
                    let a = self.expr(Ty::Text, ctx, d);
                    format!("ascii({a})")
                }
                9..=11 => {
                    let a = self.expr(Ty::Date, ctx, d);
                    let b = self.expr(Ty::Date, ctx, d);
                    format!("({a} - {b})")
                }
                12 => {
                    // Bitwise operators: pgfork refuses them (0A000).
                    let op = self.pick(&["&", "|", "#", "<<", ">>"]);
                    let a = self.expr(Ty::Int4, ctx, d);
                    let b = self.leaf(Ty::Int4, ctx);
                    format!("({a} {op} {b})")
                }
                _ => {
                    let a = self.expr(Ty::Text, ctx, d);
                    format!("length({a})")
                }
            },
            _ => {
                let a = self.expr(ty, ctx, d);
                let b = self.expr(ty, ctx, d);
                format!("({a} {} {b})", self.pick(&["+", "-"]))
            }
        }
    }

    fn numeric_expr(&mut self, ctx: &Ctx, d: u32) -> String {
        let r = self.rng.gen_range(0..100);
        match r {
            0..=39 => {
                let op = self.pick(&["+", "-", "*", "/", "%", "+", "*"]);
                let (a, b) = self.numeric_operands(Ty::Numeric, Ty::Int2, ctx, d);
                format!("({a} {op} {b})")
            }
            40..=59 => {
                let a = self.expr(Ty::Numeric, ctx, d);
                match self.rng.gen_range(0..9) {
                    0 => format!("round({a})"),
                    1 => format!("round({a}, {})", self.range(-2, 4)),
                    2 => format!("trunc({a})"),
                    3 => format!("trunc({a}, {})", self.range(-1, 3)),
                    4 => format!("abs({a})"),
                    5 => format!("ceil({a})"),
                    6 => format!("floor({a})"),
                    7 => format!("sign({a})"),
                    _ => format!("(-{a})"),
                }
            }
            60..=67 => {
                let a = self.expr(Ty::Numeric, ctx, d);
                let b = self.expr(Ty::Numeric, ctx, d);
                format!("mod({a}, {b})")
            }
            68..=74 => {
                let a = self.expr(Ty::Numeric, ctx, d);
                if self.p(0.5) {
                    format!("sqrt(abs({a}))")
                } else {
                    format!("power({a}, {})", self.range(0, 3))
                }
            }
            75..=89 => {
                let src = self.pick(&[Ty::Date, Ty::Timestamp, Ty::TimestampTz]);
                let a = self.expr(src, ctx, d);
                let field = if src == Ty::Date {
                    self.pick(&[
                        "year", "month", "day", "dow", "doy", "quarter", "week", "epoch", "isodow",
                        "decade", "century",
                    ])
                } else {
                    self.pick(&[
                        "year",
                        "month",
                        "day",
                        "hour",
                        "minute",
                        "second",
                        "epoch",
                        "dow",
                        "doy",
                        "milliseconds",
                        "microseconds",
                        "quarter",
                        "isoyear",
                    ])
                };
                format!("extract({field} FROM {a})")
            }
            _ => {
                let a = self.expr(Ty::Numeric, ctx, d);
                let b = self.expr(Ty::Numeric, ctx, d);
                format!("({a} {} {b})", self.pick(&["+", "-", "*"]))
            }
        }
    }

    fn float_expr(&mut self, ctx: &Ctx, d: u32) -> String {
        let r = self.rng.gen_range(0..100);
        match r {
            0..=44 => {
                let op = self.pick(&["+", "-", "*", "/"]);
                let (a, b) = self.numeric_operands(Ty::Float8, Ty::Int2, ctx, d);
                format!("({a} {op} {b})")
            }
            45..=79 => {
                let a = self.expr(Ty::Float8, ctx, d);
                match self.rng.gen_range(0..13) {
                    0 => format!("abs({a})"),
                    1 => format!("sqrt(abs({a}))"),
                    2 => format!("cbrt({a})"),
                    3 => format!("ceil({a})"),
                    4 => format!("floor({a})"),
                    5 => format!("round({a})"),
                    6 => format!("trunc({a})"),
                    7 => format!("sign({a})"),
                    8 => format!("(-{a})"),
                    9 => format!("degrees({a})"),
                    10 => format!("ln(abs({a}) + 1)"),
                    11 => format!("exp({a} / 1000)"),
                    _ => format!("power(abs({a}), 0.5::float8)"),
                }
            }
            80..=89 => {
                let src = self.pick(&[Ty::Timestamp, Ty::TimestampTz]);
                let a = self.expr(src, ctx, d);
                let field = self.pick(&[
                    "year", "month", "day", "hour", "minute", "second", "epoch", "dow",
                ]);
                format!("date_part('{field}', {a})")
            }
            _ => "pi()".to_string(),
        }
    }

    fn text_expr(&mut self, ctx: &Ctx, d: u32) -> String {
        let r = self.rng.gen_range(0..100);
        let a = self.expr(Ty::Text, ctx, d);
        match r {
            0..=19 if self.p(0.2) => {
                let t = self.pick(&[Ty::Int4, Ty::Numeric, Ty::Bool, Ty::Date]);
                let b = self.expr(t, ctx, d);
                format!("({a} || {b})")
            }
            0..=19 => {
                let b = self.expr(Ty::Text, ctx, d);
                format!("({a} || {b})")
            }
            20..=29 => format!(
                "{}({a})",
                self.pick(&["upper", "lower", "initcap", "reverse"])
            ),
            30..=37 => {
                let f = self.pick(&["ltrim", "rtrim", "btrim", "ltrim", "rtrim", "btrim", "trim"]);
                if self.p(0.3) {
                    format!(
                        "{f}({a}, {})",
                        quote(self.pick(&["a", " ", "ab", "x%", ""]))
                    )
                } else if self.p(0.2) {
                    let w = self.pick(&["LEADING", "TRAILING", "BOTH"]);
                    format!("TRIM({w} {} FROM {a})", quote(self.pick(&["a", " ", "z"])))
                } else {
                    format!("{f}({a})")
                }
            }
            38..=49 => {
                let start = self.range(-2, 5);
                if self.p(0.3) {
                    format!("substr({a}, {start})")
                } else if self.p(0.3) {
                    format!("SUBSTRING({a} FROM {start} FOR {})", self.range(0, 4))
                } else {
                    format!("substr({a}, {start}, {})", self.range(-1, 5))
                }
            }
            50..=56 => format!(
                "{}({a}, {})",
                self.pick(&["left", "right"]),
                self.range(-3, 5)
            ),
            57..=62 => {
                let f = self.pick(&["lpad", "rpad"]);
                if self.p(0.5) {
                    format!(
                        "{f}({a}, {}, {})",
                        self.range(0, 12),
                        quote(self.pick(&["*", "ab", ""]))
                    )
                } else {
                    format!("{f}({a}, {})", self.range(-1, 12))
                }
            }
            63..=67 => {
                let from = self.pick(&["a", "b", " ", "", "ab"]);
                let to = self.pick(&["x", "", "AA", "é"]);
                format!("replace({a}, {}, {})", quote(from), quote(to))
            }
            68..=70 => format!("repeat({a}, {})", self.range(-1, 3)),
            71..=74 => format!(
                "split_part({a}, {}, {})",
                quote(self.pick(&[",", " ", "a", ""])),
                self.range(-2, 3)
            ),
            75..=82 => {
                let n = self.range(1, 3);
                let mut args = vec![a];
                for _ in 0..n {
                    let t = self.random_type();
                    args.push(self.expr(t, ctx, d));
                }
                if self.p(0.5) {
                    format!("concat({})", args.join(", "))
                } else {
                    format!(
                        "concat_ws({}, {})",
                        quote(self.pick(&[",", "", " - "])),
                        args.join(", ")
                    )
                }
            }
            83..=87 => format!("chr({})", self.range(48, 122)),
            88..=92 => {
                // Regular-expression substring and replace.
                let pat = self.pick(&["a+", "[0-9]+", "^.", "(b|c)", "x?y", ".$"]);
                if self.p(0.5) {
                    format!("substring({a} FROM '{pat}')")
                } else {
                    format!("regexp_replace({a}, '{pat}', 'Z')")
                }
            }
            _ => {
                let b = self.expr(Ty::Text, ctx, d);
                format!("({a} || {b})")
            }
        }
    }

    fn date_expr(&mut self, ctx: &Ctx, d: u32) -> String {
        let a = self.expr(Ty::Date, ctx, d);
        let n = self.leaf(Ty::Int4, ctx);
        match self.rng.gen_range(0..3) {
            0 => format!("({a} + {n})"),
            1 => format!("({a} - {n})"),
            _ => format!("({n} + {a})"),
        }
    }

    fn timestamp_expr(&mut self, ty: Ty, ctx: &Ctx, d: u32) -> String {
        match self.rng.gen_range(0..5) {
            0 | 1 => {
                let a = self.expr(ty, ctx, d);
                let iv = self.expr(Ty::Interval, ctx, d.min(1));
                format!("({a} {} {iv})", self.pick(&["+", "-"]))
            }
            2 => {
                let a = self.expr(ty, ctx, d);
                let unit = self.pick(&[
                    "year", "month", "day", "hour", "minute", "quarter", "week", "decade",
                ]);
                format!("date_trunc('{unit}', {a})")
            }
            3 if ty == Ty::Timestamp => {
                let a = self.expr(Ty::Date, ctx, d);
                let iv = self.expr(Ty::Interval, ctx, d.min(1));
                format!("({a} + {iv})")
            }
            _ => {
                let a = self.expr(ty, ctx, d);
                let iv = self.literal(Ty::Interval);
                format!("({iv} + {a})")
            }
        }
    }

    fn interval_expr(&mut self, ctx: &Ctx, d: u32) -> String {
        match self.rng.gen_range(0..5) {
            0 | 1 => {
                let t = self.pick(&[Ty::Timestamp, Ty::TimestampTz]);
                let a = self.expr(t, ctx, d);
                let b = self.expr(t, ctx, d);
                format!("({a} - {b})")
            }
            2 => {
                let a = self.expr(Ty::Interval, ctx, d);
                let b = self.expr(Ty::Interval, ctx, d);
                format!("({a} {} {b})", self.pick(&["+", "-"]))
            }
            3 => {
                let a = self.expr(Ty::Interval, ctx, d);
                format!("({a} * {})", self.range(-2, 3))
            }
            _ => {
                let a = self.expr(Ty::Interval, ctx, d);
                format!("(-{a})")
            }
        }
    }

    /// A type with a comparison operator, weighted toward the common ones.
    fn comparable_type(&mut self) -> Ty {
        self.pick(&[
            Ty::Int2,
            Ty::Int4,
            Ty::Int4,
            Ty::Int4,
            Ty::Int8,
            Ty::Numeric,
            Ty::Numeric,
            Ty::Float8,
            Ty::Text,
            Ty::Text,
            Ty::Text,
            Ty::Bool,
            Ty::Date,
            Ty::Timestamp,
            Ty::TimestampTz,
            Ty::Interval,
        ])
    }

    /// Two expressions to compare: same type, or two numeric types.
    fn comparable_pair(&mut self, ctx: &Ctx, d: u32) -> (String, String, Ty) {
        let t = self.comparable_type();
        let a = self.expr(t, ctx, d);
        let u = if t.numeric_rank().is_some() && self.p(0.3) {
            self.pick(&NUMERIC_CHAIN)
        } else if t == Ty::Date && self.p(0.15) {
            Ty::Timestamp
        } else {
            t
        };
        let b = self.expr(u, ctx, d);
        (a, b, t)
    }

    /// A boolean expression.
    fn bool_expr(&mut self, ctx: &Ctx, depth: u32) -> String {
        self.budget -= 1;
        if depth == 0 || self.budget <= 0 {
            return self.leaf(Ty::Bool, ctx);
        }
        let d = depth - 1;
        let r = self.rng.gen_range(0..100);
        match r {
            0..=29 => {
                let (a, b, _) = self.comparable_pair(ctx, d);
                let op = self.pick(&["=", "<>", "<", "<=", ">", ">=", "!="]);
                format!("({a} {op} {b})")
            }
            30..=41 => {
                let a = self.bool_expr(ctx, d);
                let b = self.bool_expr(ctx, d);
                format!("({a} {} {b})", self.pick(&["AND", "OR"]))
            }
            42..=45 => {
                let a = self.bool_expr(ctx, d);
                format!("(NOT {a})")
            }
            46..=51 => {
                let t = self.comparable_type();
                let a = self.expr(t, ctx, d);
                format!("({a} IS {}NULL)", if self.p(0.5) { "NOT " } else { "" })
            }
            52..=54 => {
                let (a, b, _) = self.comparable_pair(ctx, d);
                format!(
                    "({a} IS {}DISTINCT FROM {b})",
                    if self.p(0.5) { "NOT " } else { "" }
                )
            }
            55..=61 => {
                let a = self.expr(Ty::Text, ctx, d);
                let pat = if self.p(0.7) {
                    quote(self.pick(&[
                        "%", "a%", "%a", "%b%", "_", "__", "a_c", "", "%\\%%", "A%", "%é%", "_b%",
                        "%%", "abc", "x\\_y", "%s_e",
                    ]))
                } else {
                    self.expr(Ty::Text, ctx, d.min(1))
                };
                let op = self.pick(&["LIKE", "LIKE", "NOT LIKE", "ILIKE", "NOT ILIKE"]);
                format!("({a} {op} {pat})")
            }
            62..=65 => {
                let t = self.comparable_type();
                let a = self.expr(t, ctx, d);
                let lo = self.expr(t, ctx, d.min(1));
                let hi = self.expr(t, ctx, d.min(1));
                let not = if self.p(0.3) { "NOT " } else { "" };
                let sym = if self.p(0.01) { "SYMMETRIC " } else { "" };
                format!("({a} {not}BETWEEN {sym}{lo} AND {hi})")
            }
            66..=71 => {
                let t = self.comparable_type();
                let a = self.expr(t, ctx, d);
                let n = self.range(1, 4);
                let items: Vec<String> = (0..n).map(|_| self.expr(t, ctx, d.min(1))).collect();
                let not = if self.p(0.3) { "NOT " } else { "" };
                format!("({a} {not}IN ({}))", items.join(", "))
            }
            72..=77 if ctx.sub_ok && self.sub_depth < 2 => {
                let t = self.comparable_type();
                let a = self.expr(t, ctx, d);
                let sub = self.subquery(
                    ctx,
                    Shape {
                        want: Some(vec![t]),
                        ..Shape::default()
                    },
                );
                let not = if self.p(0.35) { "NOT " } else { "" };
                format!("({a} {not}IN ({sub}))")
            }
            78..=83 if ctx.sub_ok && self.sub_depth < 2 => {
                // PostgreSQL never evaluates an EXISTS subquery's select
                // list; mostly give it constants, so that errors there
                // (which pgfork raises) do not swamp the report.
                let want = if self.p(0.6) {
                    Some(vec![Ty::Int4])
                } else {
                    None
                };
                let sub = self.subquery(
                    ctx,
                    Shape {
                        want,
                        exists: true,
                        ..Shape::default()
                    },
                );
                let not = if self.p(0.35) { "NOT " } else { "" };
                format!("({not}EXISTS ({sub}))")
            }
            84..=84 if ctx.sub_ok && self.sub_depth < 2 && self.p(0.5) => {
                // Quantified comparison (pgfork: not supported yet).
                let t = self.comparable_type();
                let a = self.expr(t, ctx, d);
                let sub = self.subquery(
                    ctx,
                    Shape {
                        want: Some(vec![t]),
                        ..Shape::default()
                    },
                );
                let op = self.pick(&["=", "<>", "<", ">="]);
                let q = self.pick(&["ANY", "ALL", "SOME"]);
                format!("({a} {op} {q} ({sub}))")
            }
            85..=86 => {
                let a = self.expr(Ty::Text, ctx, d);
                let b = self.expr(Ty::Text, ctx, d.min(1));
                format!("starts_with({a}, {b})")
            }
            87..=89 => {
                let a = self.bool_expr(ctx, d);
                let is = self.pick(&[
                    "TRUE",
                    "NOT TRUE",
                    "FALSE",
                    "NOT FALSE",
                    "UNKNOWN",
                    "NOT UNKNOWN",
                ]);
                format!("({a} IS {is})")
            }
            90..=91 => {
                let a = self.expr(Ty::Text, ctx, d);
                let pat = self.pick(&["^a", "b$", "[0-9]", "^$", "a|b", "^[A-Z]", "(ab)+", "\\s"]);
                let op = self.pick(&["~", "~*", "!~", "!~*"]);
                format!("({a} {op} '{pat}')")
            }
            92..=93 if ctx.agg_cols.is_some() => self.aggregate(Ty::Bool, ctx, d, false),
            _ => self.expr(Ty::Bool, ctx, d),
        }
    }
}

/// Whether two column types can be compared with `=` without a cast.
fn comparable(a: Ty, b: Ty) -> bool {
    a == b || (a.numeric_rank().is_some() && b.numeric_rank().is_some())
}

/// Whether a column of type `a` can stand where type `b` is wanted.
fn comparable_exact(a: Ty, b: Ty) -> bool {
    a == b
}
