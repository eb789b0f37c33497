//! The random schema: a few tables whose columns cover PostgreSQL's
//! integer, numeric, floating-point, text, boolean and date/time types,
//! some NOT NULL, some under a PRIMARY KEY, UNIQUE constraint or index, and
//! their rows: random values drawn mostly from pools of edge cases (0, -1,
//! the type's extremes, empty strings, NaN and infinities), with NULLs and
//! duplicates.

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::Rng;

/// The type of an expression as the generator tracks it. `varchar(n)`
/// columns are `Text` in expressions (every operation on them yields text).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Ty {
    Int2,
    Int4,
    Int8,
    Numeric,
    Float8,
    Text,
    Bool,
    Date,
    Timestamp,
    TimestampTz,
    Interval,
}

/// The types a column may have (intervals appear only in expressions).
pub const COLUMN_TYPES: &[Ty] = &[
    Ty::Int2,
    Ty::Int4,
    Ty::Int8,
    Ty::Numeric,
    Ty::Float8,
    Ty::Text,
    Ty::Bool,
    Ty::Date,
    Ty::Timestamp,
    Ty::TimestampTz,
];

impl Ty {
    /// The SQL name used in casts.
    pub fn sql(self) -> &'static str {
        match self {
            Ty::Int2 => "int2",
            Ty::Int4 => "int4",
            Ty::Int8 => "int8",
            Ty::Numeric => "numeric",
            Ty::Float8 => "float8",
            Ty::Text => "text",
            Ty::Bool => "bool",
            Ty::Date => "date",
            Ty::Timestamp => "timestamp",
            Ty::TimestampTz => "timestamptz",
            Ty::Interval => "interval",
        }
    }

    /// A short tag for column names.
    fn tag(self) -> &'static str {
        match self {
            Ty::Int2 => "i2",
            Ty::Int4 => "i4",
            Ty::Int8 => "i8",
            Ty::Numeric => "num",
            Ty::Float8 => "f8",
            Ty::Text => "txt",
            Ty::Bool => "b",
            Ty::Date => "d",
            Ty::Timestamp => "ts",
            Ty::TimestampTz => "tstz",
            Ty::Interval => "iv",
        }
    }

    /// Position in PostgreSQL's numeric promotion chain (int2 → int4 →
    /// int8 → numeric → float8, each an implicit cast), or None.
    pub fn numeric_rank(self) -> Option<u8> {
        match self {
            Ty::Int2 => Some(0),
            Ty::Int4 => Some(1),
            Ty::Int8 => Some(2),
            Ty::Numeric => Some(3),
            Ty::Float8 => Some(4),
            _ => None,
        }
    }

    pub fn is_int(self) -> bool {
        matches!(self, Ty::Int2 | Ty::Int4 | Ty::Int8)
    }

    /// Types whose values are compared with a tolerance.
    pub fn is_float(self) -> bool {
        self == Ty::Float8
    }
}

/// The numeric types ordered by promotion.
pub const NUMERIC_CHAIN: [Ty; 5] = [Ty::Int2, Ty::Int4, Ty::Int8, Ty::Numeric, Ty::Float8];

#[derive(Clone, Debug)]
pub struct Column {
    pub name: String,
    pub ty: Ty,
    /// The declared type (`varchar(10)`, `numeric(12,3)`, ...).
    pub decl: String,
    pub not_null: bool,
    /// For varchar(n): n.
    pub max_len: Option<usize>,
}

#[derive(Clone, Debug)]
pub struct Table {
    pub name: String,
    pub columns: Vec<Column>,
    /// CREATE TABLE, then CREATE INDEX statements.
    pub ddl: Vec<String>,
    /// One INSERT per row.
    pub rows: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct Schema {
    pub tables: Vec<Table>,
}

/// Generates the schema and its rows from `rng`.
pub fn generate(rng: &mut StdRng, ntables: usize, max_rows: usize) -> Schema {
    let mut tables = Vec::new();
    for t in 0..ntables {
        tables.push(table(rng, t, max_rows));
    }
    Schema { tables }
}

fn table(rng: &mut StdRng, t: usize, max_rows: usize) -> Table {
    let name = format!("t{t}");
    let ncols = rng.gen_range(3..=7);
    let mut columns: Vec<Column> = Vec::new();
    // Every table has an integer column, so that joins have something to
    // equate; the rest are random.
    let mut types = vec![*[Ty::Int4, Ty::Int4, Ty::Int8, Ty::Int2]
        .choose(rng)
        .unwrap()];
    for _ in 1..ncols {
        types.push(*COLUMN_TYPES.choose(rng).unwrap());
    }
    for (i, ty) in types.into_iter().enumerate() {
        let (decl, max_len) = match ty {
            Ty::Text if rng.gen_bool(0.4) => {
                let n = *[3usize, 8, 20].choose(rng).unwrap();
                (format!("varchar({n})"), Some(n))
            }
            Ty::Numeric if rng.gen_bool(0.3) => ("numeric(20,4)".to_string(), None),
            _ => (ty.sql().to_string(), None),
        };
        let tag = if max_len.is_some() { "vc" } else { ty.tag() };
        columns.push(Column {
            name: format!("c{i}_{tag}"),
            ty,
            decl,
            not_null: rng.gen_bool(0.25),
            max_len,
        });
    }
    // Constraints: a primary key on the first column (half the tables), a
    // UNIQUE column, plain and unique indexes.
    let mut ddl_cols: Vec<String> = Vec::new();
    let pk = rng.gen_bool(0.5);
    if pk {
        columns[0].not_null = true;
    }
    let unique_col = if columns.len() > 2 && rng.gen_bool(0.3) {
        Some(rng.gen_range(1..columns.len()))
    } else {
        None
    };
    for (i, c) in columns.iter().enumerate() {
        let mut d = format!("{} {}", c.name, c.decl);
        if i == 0 && pk {
            d.push_str(" PRIMARY KEY");
        } else if c.not_null {
            d.push_str(" NOT NULL");
        }
        if unique_col == Some(i) {
            d.push_str(" UNIQUE");
        }
        ddl_cols.push(d);
    }
    let mut ddl = vec![format!("CREATE TABLE {name} ({})", ddl_cols.join(", "))];
    for k in 0..rng.gen_range(0..=2) {
        let c = &columns[rng.gen_range(0..columns.len())];
        if c.ty == Ty::Bool {
            continue;
        }
        let unique = rng.gen_bool(0.2) && c.ty.is_int();
        ddl.push(format!(
            "CREATE {}INDEX {name}_ix{k} ON {name} ({})",
            if unique { "UNIQUE " } else { "" },
            c.name
        ));
    }

    // Rows: an empty table sometimes; duplicates come from small pools.
    let nrows = if rng.gen_bool(0.08) {
        0
    } else {
        rng.gen_range(1..=max_rows)
    };
    let mut rows = Vec::new();
    for r in 0..nrows {
        let vals: Vec<String> = columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if i == 0 && pk {
                    // Mostly distinct keys; a clash now and then (the
                    // INSERT fails on every server and is skipped).
                    if rng.gen_bool(0.9) {
                        return format!("{}", r as i64 - 3);
                    }
                }
                if !c.not_null && rng.gen_bool(0.15) {
                    return "NULL".to_string();
                }
                stored_literal(rng, c)
            })
            .collect();
        rows.push(format!("INSERT INTO {name} VALUES ({})", vals.join(", ")));
    }
    Table {
        name,
        columns,
        ddl,
        rows,
    }
}

/// A value for a column, as an SQL literal the column's type accepts.
fn stored_literal(rng: &mut StdRng, c: &Column) -> String {
    match c.ty {
        Ty::Text => {
            let mut s = text_value(rng);
            if let Some(n) = c.max_len {
                s = s.chars().take(n).collect();
            }
            quote(&s)
        }
        ty => literal_value(rng, ty),
    }
}

pub fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

pub const INT2_VALUES: &[&str] = &[
    "0", "1", "-1", "2", "3", "7", "10", "-10", "100", "255", "32767", "-32768", "-32767",
];
pub const INT4_VALUES: &[&str] = &[
    "0",
    "1",
    "-1",
    "2",
    "3",
    "5",
    "7",
    "42",
    "-42",
    "100",
    "1000",
    "65536",
    "2147483647",
    "-2147483648",
    "-2147483647",
    "1000000",
];
pub const INT8_VALUES: &[&str] = &[
    "0",
    "1",
    "-1",
    "2",
    "5",
    "42",
    "-42",
    "1000",
    "2147483648",
    "-2147483649",
    "4294967296",
    "9223372036854775807",
    "-9223372036854775808",
    "-9223372036854775807",
    "1000000000000",
];
pub const NUMERIC_VALUES: &[&str] = &[
    "0",
    "1",
    "-1",
    "0.5",
    "-0.5",
    "1.25",
    "2.50",
    "-3.75",
    "0.001",
    "123.456",
    "100",
    "99999999.9999",
    "0.1",
    "0.3333",
    "1000000",
    "-0.0001",
    "12345678901234567890",
    "1.0000",
    "7",
    "NaN",
];
pub const FLOAT8_VALUES: &[&str] = &[
    "0",
    "-0",
    "1",
    "-1",
    "0.1",
    "0.5",
    "1.5",
    "-2.25",
    "3.141592653589793",
    "1e-5",
    "123456789.125",
    "1e300",
    "-1e300",
    "1e-300",
    "Infinity",
    "-Infinity",
    "NaN",
    "42",
    "100",
    "2.5",
];
pub const TEXT_VALUES: &[&str] = &[
    "",
    " ",
    "a",
    "A",
    "b",
    "ab",
    "abc",
    "Abc",
    "ABC",
    "a b",
    "x%y",
    "under_score",
    "123",
    "-7",
    "0",
    "é",
    "ÉCOLE",
    "straße",
    "it's",
    "tab\tx",
    "  padded  ",
    "aaaaaaaaaaaaaaaaaaaaaaaaa",
    "NULL",
    "true",
    "zebra",
    "Zebra",
    "a,b,c",
    "2024-01-01",
    "1.5",
    "%",
    "_",
];
pub const DATE_VALUES: &[&str] = &[
    "2024-01-01",
    "2024-02-29",
    "2000-02-29",
    "1999-12-31",
    "1970-01-01",
    "2038-01-19",
    "0001-01-01",
    "9999-12-31",
    "2023-06-15",
    "2024-12-31",
    "1900-03-01",
    "2024-01-02",
    "infinity",
    "-infinity",
];
pub const TIMESTAMP_VALUES: &[&str] = &[
    "2024-01-01 00:00:00",
    "2024-02-29 12:34:56.789",
    "1999-12-31 23:59:59.999999",
    "1970-01-01 00:00:00",
    "2038-01-19 03:14:07",
    "2000-01-01 00:00:00.5",
    "2024-06-30 18:00:00",
    "2023-01-01 12:00:00",
    "0001-01-01 00:00:00",
    "9999-12-31 23:59:59",
    "2024-01-01 00:00:01",
    "infinity",
];
pub const TIMESTAMPTZ_VALUES: &[&str] = &[
    "2024-01-01 00:00:00+00",
    "2024-02-29 12:34:56.789+00",
    "1999-12-31 23:59:59.999999+00",
    "1970-01-01 00:00:00+00",
    "2024-06-30 18:00:00+02",
    "2023-01-01 12:00:00-05:30",
    "2000-01-01 00:00:00.5+00",
    "2024-01-01 00:00:01+00",
    "2038-01-19 03:14:07+00",
    "-infinity",
];
pub const INTERVAL_VALUES: &[&str] = &[
    "1 day",
    "2 hours",
    "-1 day",
    "1 mon",
    "1 year 2 mons",
    "00:00:01",
    "3 days 04:05:06",
    "0",
    "1.5 hours",
    "-2 mons 3 days",
];

/// A random text value: from the pool, or a short random word.
pub fn text_value(rng: &mut StdRng) -> String {
    if rng.gen_bool(0.8) {
        TEXT_VALUES.choose(rng).unwrap().to_string()
    } else {
        let n = rng.gen_range(1..=6);
        (0..n)
            .map(|_| *b"abcxyzABC 0_%".choose(rng).unwrap() as char)
            .collect()
    }
}

/// A random value of `ty` as a literal PostgreSQL reads as that type
/// without context: integers as plain digits (int2 cast), the others as
/// typed strings.
pub fn literal_value(rng: &mut StdRng, ty: Ty) -> String {
    match ty {
        Ty::Int2 => pick_int(rng, INT2_VALUES, -20, 20),
        Ty::Int4 => pick_int(rng, INT4_VALUES, -20, 100),
        Ty::Int8 => pick_int(rng, INT8_VALUES, -1000, 1000),
        Ty::Numeric => {
            if rng.gen_bool(0.7) {
                NUMERIC_VALUES.choose(rng).unwrap().to_string()
            } else {
                let v: i64 = rng.gen_range(-100000..100000);
                format!("{}.{:02}", v / 100, (v % 100).abs())
            }
        }
        Ty::Float8 => {
            if rng.gen_bool(0.8) {
                FLOAT8_VALUES.choose(rng).unwrap().to_string()
            } else {
                format!("{}", rng.gen_range(-1000..1000) as f64 / 8.0)
            }
        }
        Ty::Text => text_value(rng),
        Ty::Bool => if rng.gen_bool(0.5) { "true" } else { "false" }.to_string(),
        Ty::Date => DATE_VALUES.choose(rng).unwrap().to_string(),
        Ty::Timestamp => TIMESTAMP_VALUES.choose(rng).unwrap().to_string(),
        Ty::TimestampTz => TIMESTAMPTZ_VALUES.choose(rng).unwrap().to_string(),
        Ty::Interval => INTERVAL_VALUES.choose(rng).unwrap().to_string(),
    }
    .pipe(|v| match ty {
        Ty::Int2 | Ty::Int4 | Ty::Int8 | Ty::Bool => v,
        Ty::Numeric if v != "NaN" => v,
        _ => quote(&v),
    })
}

/// Like `literal_value`, without extremes (the type's limits, NaN,
/// infinities, the first and last representable dates): for literals in
/// queries, where extremes would make most expressions overflow.
pub fn plain_literal_value(rng: &mut StdRng, ty: Ty) -> String {
    let small = |rng: &mut StdRng, lo: i64, hi: i64| {
        let v = rng.gen_range(lo..=hi);
        v.to_string()
    };
    match ty {
        Ty::Int2 => small(rng, -10, 10),
        Ty::Int4 => small(rng, -20, 50),
        Ty::Int8 => small(rng, -100, 1000),
        Ty::Numeric => {
            let v: i64 = rng.gen_range(-5000..5000);
            let s = format!("{}.{:02}", (v / 100).abs(), (v % 100).abs());
            if v < 0 {
                format!("-{s}")
            } else {
                s
            }
        }
        Ty::Float8 => quote(&format!("{}", rng.gen_range(-400..400) as f64 / 8.0)),
        Ty::Date => quote(&format!(
            "20{:02}-{:02}-{:02}",
            rng.gen_range(0..30),
            rng.gen_range(1..=12),
            rng.gen_range(1..=28)
        )),
        Ty::Timestamp => quote(&format!(
            "20{:02}-{:02}-{:02} {:02}:{:02}:{:02}",
            rng.gen_range(0..30),
            rng.gen_range(1..=12),
            rng.gen_range(1..=28),
            rng.gen_range(0..24),
            rng.gen_range(0..60),
            rng.gen_range(0..60)
        )),
        Ty::TimestampTz => quote(&format!(
            "20{:02}-{:02}-{:02} {:02}:{:02}:{:02}+00",
            rng.gen_range(0..30),
            rng.gen_range(1..=12),
            rng.gen_range(1..=28),
            rng.gen_range(0..24),
            rng.gen_range(0..60),
            rng.gen_range(0..60)
        )),
        _ => literal_value(rng, ty),
    }
}

fn pick_int(rng: &mut StdRng, pool: &[&str], lo: i64, hi: i64) -> String {
    if rng.gen_bool(0.6) {
        pool.choose(rng).unwrap().to_string()
    } else {
        rng.gen_range(lo..=hi).to_string()
    }
}

trait Pipe: Sized {
    fn pipe<R>(self, f: impl FnOnce(Self) -> R) -> R {
        f(self)
    }
}
impl<T> Pipe for T {}
