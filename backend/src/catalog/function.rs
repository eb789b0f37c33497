//! User-defined functions and procedures (pg_proc rows of LANGUAGE sql
//! routines): their signature, attributes and body text, and their line
//! form in the catalog. The body is kept as written and analyzed
//! again at each call (as a view's query is), so that it sees the
//! catalog of the statement calling it.

use std::sync::Arc;

use crate::error::{sqlstate, PgError, PgResult};
use crate::types::Oid;

use super::{esc, unesc};

/// An argument's mode (pg_proc.proargmodes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgMode {
    In,
    Out,
    InOut,
    Variadic,
    /// A column of RETURNS TABLE.
    Table,
}

impl ArgMode {
    /// The proargmodes letter.
    pub fn letter(self) -> char {
        match self {
            ArgMode::In => 'i',
            ArgMode::Out => 'o',
            ArgMode::InOut => 'b',
            ArgMode::Variadic => 'v',
            ArgMode::Table => 't',
        }
    }

    fn from_letter(c: &str) -> Option<ArgMode> {
        Some(match c {
            "i" => ArgMode::In,
            "o" => ArgMode::Out,
            "b" => ArgMode::InOut,
            "v" => ArgMode::Variadic,
            "t" => ArgMode::Table,
            _ => return None,
        })
    }

    /// Whether the caller passes a value for it (IN, INOUT, VARIADIC).
    pub fn is_input(self) -> bool {
        matches!(self, ArgMode::In | ArgMode::InOut | ArgMode::Variadic)
    }

    /// Whether it is a result column (OUT, INOUT, TABLE).
    pub fn is_output(self) -> bool {
        matches!(self, ArgMode::Out | ArgMode::InOut | ArgMode::Table)
    }
}

/// One declared argument.
#[derive(Clone, Debug, PartialEq)]
pub struct FuncArg {
    pub mode: ArgMode,
    /// Empty when unnamed.
    pub name: String,
    pub ty: Oid,
    /// The DEFAULT expression as SQL text.
    pub default: Option<String>,
}

/// How the body was given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyKind {
    /// `AS 'text'`: statements in a string (prosrc).
    Text,
    /// SQL-standard `RETURN expr` (prosqlbody; `body` holds the expression).
    Return,
}

/// A user-defined function ('f') or procedure ('p').
#[derive(Clone, Debug, PartialEq)]
pub struct FunctionDesc {
    pub oid: Oid,
    pub name: String,
    /// 'f' or 'p' (pg_proc.prokind).
    pub kind: char,
    pub args: Vec<FuncArg>,
    /// prorettype (void for a procedure without output, record for
    /// several output columns).
    pub ret: Oid,
    pub retset: bool,
    pub body_kind: BodyKind,
    pub body: String,
    /// 'i', 's' or 'v'.
    pub volatility: char,
    pub strict: bool,
    pub security_definer: bool,
    pub leakproof: bool,
    /// 's', 'r' or 'u'.
    pub parallel: char,
    pub cost: f32,
    pub rows: f32,
    pub owner: String,
    /// "sql" or "plpgsql" (pg_proc.prolang by name).
    pub language: String,
    /// pg_proc.pronamespace (lines written before routines had schemas
    /// have none: public).
    pub namespace: Oid,
}

/// pg_language's OIDs (PostgreSQL's).
pub const INTERNAL_LANGUAGE: Oid = 12;
pub const C_LANGUAGE: Oid = 13;
pub const SQL_LANGUAGE: Oid = 14;
/// plpgsql's pg_language OID in a PostgreSQL 15 cluster made by initdb.
pub const PLPGSQL_LANGUAGE: Oid = 13563;

impl FunctionDesc {
    /// pg_proc.prolang.
    pub fn language_oid(&self) -> Oid {
        if self.language == "plpgsql" {
            PLPGSQL_LANGUAGE
        } else {
            SQL_LANGUAGE
        }
    }

    /// The arguments a caller passes (pg_proc.proargtypes).
    pub fn input_args(&self) -> impl Iterator<Item = &FuncArg> {
        self.args.iter().filter(|a| a.mode.is_input())
    }

    /// The arguments a call lists: the inputs, and a procedure's OUT
    /// arguments too (CALL passes a placeholder for them, as in
    /// PostgreSQL 14 and later).
    pub fn call_args(&self) -> impl Iterator<Item = &FuncArg> {
        let procedure = self.kind == 'p';
        self.args
            .iter()
            .filter(move |a| a.mode.is_input() || (procedure && a.mode == ArgMode::Out))
    }

    /// The array type of a VARIADIC argument (the last input), if any.
    pub fn variadic_type(&self) -> Option<Oid> {
        self.input_args()
            .last()
            .filter(|a| a.mode == ArgMode::Variadic)
            .map(|a| a.ty)
    }

    /// The input argument types.
    pub fn input_types(&self) -> Vec<Oid> {
        self.input_args().map(|a| a.ty).collect()
    }

    /// The output columns (OUT, INOUT, TABLE arguments).
    pub fn output_args(&self) -> impl Iterator<Item = &FuncArg> {
        self.args.iter().filter(|a| a.mode.is_output())
    }

    /// Whether every argument is IN (then proargmodes and proallargtypes
    /// are NULL, as PostgreSQL stores them).
    pub fn all_in(&self) -> bool {
        self.args.iter().all(|a| a.mode == ArgMode::In)
    }

    /// How many trailing input arguments have defaults.
    pub fn n_defaults(&self) -> usize {
        self.input_args().filter(|a| a.default.is_some()).count()
    }

    /// The catalog-file lines of this function.
    pub fn serialize(&self) -> String {
        let mut s = format!(
            "function {} {} {} {} {} {} {} {} {} {} {} {} {} {} {} {} {} {}\n",
            self.oid,
            esc(&self.name),
            self.kind,
            self.ret,
            u8::from(self.retset),
            match self.body_kind {
                BodyKind::Text => "text",
                BodyKind::Return => "return",
            },
            esc(&self.body),
            self.volatility,
            u8::from(self.strict),
            u8::from(self.security_definer),
            u8::from(self.leakproof),
            self.parallel,
            self.cost,
            self.rows,
            esc(&self.owner),
            self.args.len(),
            esc(&self.language),
            self.namespace
        );
        for a in &self.args {
            s += &format!(
                "funcarg {} {} {} {}\n",
                a.mode.letter(),
                esc(&a.name),
                a.ty,
                a.default.as_deref().map_or("\\N".to_owned(), esc)
            );
        }
        s
    }

    /// Parses a `function` line's fields (its arguments follow as
    /// `funcarg` lines, added by [`FunctionDesc::add_arg`]).
    pub fn parse(f: &[&str]) -> PgResult<FunctionDesc> {
        let bad = || {
            PgError::new(
                sqlstate::DATA_CORRUPTED,
                format!("invalid catalog line: \"{}\"", f.join(" ")),
            )
        };
        if f.len() < 16 {
            return Err(bad());
        }
        let num = |i: usize| f[i].parse::<f64>().map_err(|_| bad());
        let ch = |i: usize| f[i].chars().next().ok_or_else(bad);
        Ok(FunctionDesc {
            oid: num(1)? as Oid,
            name: unesc(f[2]),
            kind: ch(3)?,
            ret: num(4)? as Oid,
            retset: f[5] == "1",
            body_kind: if f[6] == "return" {
                BodyKind::Return
            } else {
                BodyKind::Text
            },
            body: unesc(f[7]),
            volatility: ch(8)?,
            strict: f[9] == "1",
            security_definer: f[10] == "1",
            leakproof: f[11] == "1",
            parallel: ch(12)?,
            cost: num(13)? as f32,
            rows: num(14)? as f32,
            owner: unesc(f[15]),
            args: Vec::new(),
            language: f.get(17).map_or_else(|| "sql".to_owned(), |l| unesc(l)),
            namespace: match f.get(18) {
                Some(n) => n.parse().map_err(|_| bad())?,
                None => super::PUBLIC_NAMESPACE,
            },
        })
    }

    /// Parses a `funcarg` line's fields.
    pub fn add_arg(&mut self, f: &[&str]) -> PgResult<()> {
        let bad = || {
            PgError::new(
                sqlstate::DATA_CORRUPTED,
                format!("invalid catalog line: \"{}\"", f.join(" ")),
            )
        };
        if f.len() < 5 {
            return Err(bad());
        }
        self.args.push(FuncArg {
            mode: ArgMode::from_letter(f[1]).ok_or_else(bad)?,
            name: unesc(f[2]),
            ty: f[3].parse().map_err(|_| bad())?,
            default: (f[4] != "\\N").then(|| unesc(f[4])),
        });
        Ok(())
    }
}

/// An identifier as SQL text: quoted unless lower-case letters, digits
/// and underscores not starting with a digit (keywords are not known
/// here).
pub(crate) fn quote_ident(s: &str) -> String {
    let plain = s
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if plain {
        s.to_owned()
    } else {
        format!("\"{}\"", s.replace('"', "\"\""))
    }
}

/// The text forms pg_get_function_arguments, _identity_arguments,
/// _result and pg_get_functiondef give.
impl FunctionDesc {
    fn arg_text(a: &FuncArg, defaults: bool, procedure: bool) -> String {
        let mode = match a.mode {
            // A procedure's IN arguments are shown with their mode.
            ArgMode::In if procedure => "IN ",
            ArgMode::In | ArgMode::Table => "",
            ArgMode::Out => "OUT ",
            ArgMode::InOut => "INOUT ",
            ArgMode::Variadic => "VARIADIC ",
        };
        let mut s = mode.to_owned();
        if !a.name.is_empty() {
            s += &quote_ident(&a.name);
            s.push(' ');
        }
        s += &super::format_type(a.ty, -1);
        if defaults {
            if let Some(d) = &a.default {
                s += " DEFAULT ";
                s += d;
            }
        }
        s
    }

    /// pg_get_function_arguments: every argument but TABLE columns, with
    /// modes, names and defaults.
    pub fn arguments(&self) -> String {
        self.args
            .iter()
            .filter(|a| a.mode != ArgMode::Table)
            .map(|a| Self::arg_text(a, true, self.kind == 'p'))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// pg_get_function_identity_arguments: the arguments that identify
    /// the routine (inputs; a procedure's OUT ones too), no defaults.
    pub fn identity_arguments(&self) -> String {
        self.args
            .iter()
            .filter(|a| a.mode.is_input() || (self.kind == 'p' && a.mode == ArgMode::Out))
            .map(|a| Self::arg_text(a, false, self.kind == 'p'))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// pg_get_function_result: NULL for a procedure.
    pub fn result(&self) -> Option<String> {
        if self.kind == 'p' {
            return None;
        }
        let table: Vec<String> = self
            .args
            .iter()
            .filter(|a| a.mode == ArgMode::Table)
            .map(|a| Self::arg_text(a, false, false))
            .collect();
        if !table.is_empty() {
            return Some(format!("TABLE({})", table.join(", ")));
        }
        let t = super::format_type(self.ret, -1);
        Some(if self.retset { format!("SETOF {t}") } else { t })
    }

    /// pg_get_functiondef, the routine named in schema `schema` (always
    /// qualified, as PostgreSQL prints it).
    pub fn definition(&self, schema: &str) -> String {
        let what = if self.kind == 'p' {
            "PROCEDURE"
        } else {
            "FUNCTION"
        };
        let mut s = format!(
            "CREATE OR REPLACE {what} {}.{}({})\n",
            quote_ident(schema),
            quote_ident(&self.name),
            self.arguments()
        );
        if let Some(r) = self.result() {
            s += &format!(" RETURNS {r}\n");
        }
        s += &format!(" LANGUAGE {}\n", self.language);
        match self.volatility {
            'i' => s += " IMMUTABLE",
            's' => s += " STABLE",
            _ => {}
        }
        let mut attrs = String::new();
        if self.leakproof {
            attrs += " LEAKPROOF";
        }
        if self.strict {
            attrs += " STRICT";
        }
        if self.security_definer {
            attrs += " SECURITY DEFINER";
        }
        match self.parallel {
            's' => attrs += " PARALLEL SAFE",
            'r' => attrs += " PARALLEL RESTRICTED",
            _ => {}
        }
        if self.volatility != 'v' || !attrs.is_empty() {
            s += &attrs;
            s.push('\n');
        }
        if self.cost != 100.0 {
            s += &format!(" COST {}\n", self.cost);
        }
        if self.retset && self.rows != 1000.0 {
            s += &format!(" ROWS {}\n", self.rows);
        }
        match self.body_kind {
            BodyKind::Text => {
                let mut tag = if self.kind == 'p' {
                    "$procedure$"
                } else {
                    "$function$"
                }
                .to_owned();
                while self.body.contains(&tag) {
                    tag = format!("${}$", &tag[1..tag.len() - 1].to_owned().repeat(2));
                }
                s += &format!("AS {tag}{}{tag}\n", self.body);
            }
            BodyKind::Return => s += &format!("RETURN {}\n", self.body),
        }
        s
    }
}

/// Routine name lookup through schemas, as PostgreSQL's namespace.c
/// (FuncnameGetCandidates, FunctionIsVisible).
impl super::Catalog {
    /// The user routines named `name` in schema `nsp`.
    pub fn functions_in<'a>(
        &'a self,
        nsp: Oid,
        name: &'a str,
    ) -> impl Iterator<Item = &'a Arc<FunctionDesc>> + 'a {
        self.functions
            .iter()
            .filter(move |f| f.namespace == nsp && f.name == name)
    }

    /// The candidates for a call or reference of routine `name`: with a
    /// schema, those in it (3F000 when it does not exist); without,
    /// those of the schemas on the search path, a routine hiding one of
    /// the same input types in a schema later on the path.
    pub fn routine_candidates(
        &self,
        schema: Option<&str>,
        name: &str,
    ) -> PgResult<Vec<Arc<FunctionDesc>>> {
        if let Some(s) = schema {
            let nsp = self.explicit_namespace(s)?;
            return Ok(self.functions_in(nsp, name).cloned().collect());
        }
        let mut found: Vec<Arc<FunctionDesc>> = Vec::new();
        for nsp in self.search_path() {
            for f in self.functions_in(nsp, name) {
                let types: Vec<Oid> = f.call_args().map(|a| a.ty).collect();
                let hidden = found
                    .iter()
                    .any(|g| g.call_args().map(|a| a.ty).eq(types.iter().copied()));
                if !hidden {
                    found.push(f.clone());
                }
            }
        }
        Ok(found)
    }

    /// The position of a routine's schema on the search path (None when
    /// not on it).
    pub fn function_path_position(&self, f: &FunctionDesc) -> Option<usize> {
        self.search_path().iter().position(|&n| n == f.namespace)
    }

    /// Whether the routine is the one its bare name and input types find
    /// among user routines (built-in ones are the caller's to check).
    pub fn function_is_visible(&self, f: &FunctionDesc) -> bool {
        self.routine_candidates(None, &f.name)
            .is_ok_and(|c| c.iter().any(|g| g.oid == f.oid))
    }

    /// The name of a routine's schema.
    pub fn function_schema_name(&self, f: &FunctionDesc) -> &str {
        self.namespace_name(f.namespace).unwrap_or("public")
    }

    /// The routine's name as PostgreSQL prints it for a reference:
    /// qualified with its schema when not visible, quoted as needed.
    pub fn function_display_name(&self, f: &FunctionDesc) -> String {
        if self.function_is_visible(f) {
            quote_ident(&f.name)
        } else {
            format!(
                "{}.{}",
                quote_ident(self.function_schema_name(f)),
                quote_ident(&f.name)
            )
        }
    }

    /// The user routines of schema `nsp`.
    pub fn functions_of_namespace(&self, nsp: Oid) -> impl Iterator<Item = &Arc<FunctionDesc>> {
        self.functions.iter().filter(move |f| f.namespace == nsp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_its_lines() {
        let f = FunctionDesc {
            oid: 16390,
            name: "add one".into(),
            kind: 'f',
            args: vec![
                FuncArg {
                    mode: ArgMode::In,
                    name: "a".into(),
                    ty: 23,
                    default: Some("1 + 2".into()),
                },
                FuncArg {
                    mode: ArgMode::Out,
                    name: String::new(),
                    ty: 25,
                    default: None,
                },
            ],
            ret: 25,
            retset: true,
            body_kind: BodyKind::Text,
            body: "select a\n; select 'x y'".into(),
            volatility: 'i',
            strict: true,
            security_definer: false,
            leakproof: false,
            parallel: 'u',
            cost: 100.0,
            rows: 1000.0,
            owner: "postgres".into(),
            language: "plpgsql".into(),
            namespace: 16384,
        };
        let text = f.serialize();
        let mut lines = text.lines();
        let head: Vec<&str> = lines.next().unwrap().split(' ').collect();
        let mut g = FunctionDesc::parse(&head).unwrap();
        for l in lines {
            g.add_arg(&l.split(' ').collect::<Vec<_>>()).unwrap();
        }
        assert_eq!(f, g);
        assert_eq!(g.input_types(), vec![23]);
        assert_eq!(g.n_defaults(), 1);
        assert!(!g.all_in());
        // A line written before routines had schemas: in public.
        let old: Vec<&str> = text.lines().next().unwrap().split(' ').collect();
        let old = FunctionDesc::parse(&old[..18]).unwrap();
        assert_eq!(old.namespace, crate::catalog::PUBLIC_NAMESPACE);
    }
}
