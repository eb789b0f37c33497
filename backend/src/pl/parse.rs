//! The PL/pgSQL grammar (PostgreSQL's pl_gram.y, in small): tokens of a
//! body to a tree of blocks and statements. Expressions and SQL
//! statements stay text (cut out of the body), compiled when first run
//! (`exec`), as PostgreSQL's PL/pgSQL does.

use std::cell::RefCell;

use crate::error::{sqlstate, PgError, PgResult};

use super::scan::{scan, Tok, Token};
use super::spi::Compiled;

/// An expression or SQL statement of the body, with its compiled form
/// cached (by the parameter types it was compiled for).
#[derive(Debug)]
pub struct SqlText {
    pub text: String,
    pub cache: RefCell<Option<std::rc::Rc<Compiled>>>,
}

impl SqlText {
    fn new(text: String) -> SqlText {
        SqlText {
            text,
            cache: RefCell::new(None),
        }
    }
}

/// A declared variable's type.
#[derive(Debug, Clone)]
pub enum TypeSpec {
    /// A type name, resolved when the block is entered.
    Named(String),
    Record,
    /// `table%ROWTYPE`.
    RowType(String),
    /// `name%TYPE` (a variable or `table.column`).
    TypeOf(String),
}

#[derive(Debug)]
pub struct Decl {
    pub name: String,
    pub ty: TypeSpec,
    pub constant: bool,
    pub not_null: bool,
    pub default: Option<SqlText>,
    pub line: usize,
}

/// An EXCEPTION clause's condition.
#[derive(Debug, Clone)]
pub enum Cond {
    Others,
    Name(String),
    State(String),
}

#[derive(Debug)]
pub struct Handler {
    pub conds: Vec<Cond>,
    pub body: Vec<Stmt>,
}

#[derive(Debug)]
pub struct Block {
    pub label: Option<String>,
    pub decls: Vec<Decl>,
    pub body: Vec<Stmt>,
    pub handlers: Option<Vec<Handler>>,
    pub line: usize,
}

/// Where a FOR over rows gets them.
#[derive(Debug)]
pub enum RowSource {
    Query(SqlText),
    Execute(SqlText, Vec<SqlText>),
}

/// A RAISE option (USING name = expr).
#[derive(Debug)]
pub struct RaiseOpt {
    pub name: String,
    pub expr: SqlText,
}

#[derive(Debug)]
pub enum StmtKind {
    Block(Block),
    Assign {
        target: String,
        expr: SqlText,
    },
    If {
        arms: Vec<(SqlText, Vec<Stmt>)>,
        otherwise: Option<Vec<Stmt>>,
    },
    Case {
        subject: Option<SqlText>,
        arms: Vec<(SqlText, Vec<Stmt>)>,
        otherwise: Option<Vec<Stmt>>,
    },
    Loop {
        label: Option<String>,
        body: Vec<Stmt>,
    },
    While {
        label: Option<String>,
        cond: SqlText,
        body: Vec<Stmt>,
    },
    ForInt {
        label: Option<String>,
        var: String,
        reverse: bool,
        lo: SqlText,
        hi: SqlText,
        by: Option<SqlText>,
        body: Vec<Stmt>,
    },
    ForRows {
        label: Option<String>,
        targets: Vec<String>,
        source: RowSource,
        body: Vec<Stmt>,
    },
    Foreach {
        label: Option<String>,
        var: String,
        array: SqlText,
        body: Vec<Stmt>,
    },
    Exit {
        is_continue: bool,
        label: Option<String>,
        when: Option<SqlText>,
    },
    Return(Option<SqlText>),
    ReturnNext(Option<SqlText>),
    ReturnQuery(RowSource),
    /// A SQL statement (PERFORM is `SELECT` here), with its INTO targets.
    Sql {
        sql: SqlText,
        into: Option<(Vec<String>, bool)>,
        perform: bool,
    },
    Execute {
        query: SqlText,
        into: Option<(Vec<String>, bool)>,
        using: Vec<SqlText>,
    },
    /// GET [CURRENT | STACKED] DIAGNOSTICS: (target, item) pairs, and
    /// whether STACKED (the error being handled).
    GetDiag(Vec<(String, String)>, bool),
    Raise {
        level: String,
        /// A condition name or SQLSTATE given instead of a message.
        cond: Option<Cond>,
        format: Option<String>,
        args: Vec<SqlText>,
        options: Vec<RaiseOpt>,
    },
    Assert {
        cond: SqlText,
        message: Option<SqlText>,
    },
    Null,
    /// COMMIT or ROLLBACK [AND CHAIN] in a procedure or DO block.
    Commit {
        rollback: bool,
        chain: bool,
    },
}

#[derive(Debug)]
pub struct Stmt {
    pub kind: StmtKind,
    pub line: usize,
}

impl Stmt {
    /// The statement's name in CONTEXT lines (`... line 3 at RAISE`).
    pub fn name(&self) -> &'static str {
        match &self.kind {
            StmtKind::Block(_) => "statement block",
            StmtKind::Assign { .. } => "assignment",
            StmtKind::If { .. } => "IF",
            StmtKind::Case { .. } => "CASE",
            StmtKind::Loop { .. } => "LOOP",
            StmtKind::While { .. } => "WHILE",
            StmtKind::ForInt { .. } => "FOR with integer loop variable",
            StmtKind::ForRows {
                source: RowSource::Execute(..),
                ..
            } => "FOR over EXECUTE statement",
            StmtKind::ForRows { .. } => "FOR over SELECT rows",
            StmtKind::Foreach { .. } => "FOREACH over array",
            StmtKind::Exit {
                is_continue: true, ..
            } => "CONTINUE",
            StmtKind::Exit { .. } => "EXIT",
            StmtKind::Return(_) => "RETURN",
            StmtKind::ReturnNext(_) => "RETURN NEXT",
            StmtKind::ReturnQuery(_) => "RETURN QUERY",
            StmtKind::Sql { perform: true, .. } => "PERFORM",
            StmtKind::Sql { sql, .. }
                if sql
                    .text
                    .split_whitespace()
                    .next()
                    .is_some_and(|w| w.eq_ignore_ascii_case("call")) =>
            {
                "CALL"
            }
            StmtKind::Sql { .. } => "SQL statement",
            StmtKind::Execute { .. } => "EXECUTE",
            StmtKind::GetDiag(_, false) => "GET DIAGNOSTICS",
            StmtKind::GetDiag(_, true) => "GET STACKED DIAGNOSTICS",
            StmtKind::Raise { .. } => "RAISE",
            StmtKind::Assert { .. } => "ASSERT",
            StmtKind::Null => "NULL",
            StmtKind::Commit {
                rollback: false, ..
            } => "COMMIT",
            StmtKind::Commit { .. } => "ROLLBACK",
        }
    }
}

struct Parser<'a> {
    src: &'a str,
    toks: Vec<Token>,
    pos: usize,
}

/// Parses a whole body: one block, optionally followed by `;`.
pub fn parse(src: &str) -> PgResult<Block> {
    let toks = scan(src)?;
    let mut p = Parser { src, toks, pos: 0 };
    let label = p.label()?;
    let block = p.block(label)?;
    if p.peek().is_some_and(|t| t.is_punct(";")) {
        p.pos += 1;
    }
    if let Some(t) = p.peek() {
        return Err(p.error_at(t));
    }
    check_assignable(&block, &mut Vec::new())?;
    Ok(block)
}

/// Assignments (and INTO targets) to CONSTANT variables are refused
/// when the function is compiled, as PostgreSQL's check_assignable.
fn check_assignable(b: &Block, scopes: &mut Vec<(String, bool)>) -> PgResult<()> {
    let depth = scopes.len();
    for d in &b.decls {
        scopes.push((d.name.clone(), d.constant));
    }
    let r = check_stmts(&b.body, scopes).and_then(|_| {
        for h in b.handlers.iter().flatten() {
            check_stmts(&h.body, scopes)?;
        }
        Ok(())
    });
    scopes.truncate(depth);
    r
}

fn check_target(t: &str, scopes: &[(String, bool)]) -> PgResult<()> {
    if let Some((_, true)) = scopes.iter().rev().find(|(n, _)| n == t) {
        return Err(PgError::new(
            "22005",
            format!("variable \"{t}\" is declared CONSTANT"),
        ));
    }
    Ok(())
}

fn check_stmts(list: &[Stmt], scopes: &mut Vec<(String, bool)>) -> PgResult<()> {
    for s in list {
        match &s.kind {
            StmtKind::Block(b) => check_assignable(b, scopes)?,
            StmtKind::Assign { target, .. } => check_target(target, scopes)?,
            StmtKind::Sql {
                into: Some((ts, _)),
                ..
            }
            | StmtKind::Execute {
                into: Some((ts, _)),
                ..
            } => {
                for t in ts {
                    check_target(t, scopes)?;
                }
            }
            StmtKind::If { arms, otherwise }
            | StmtKind::Case {
                arms, otherwise, ..
            } => {
                for (_, b) in arms {
                    check_stmts(b, scopes)?;
                }
                if let Some(b) = otherwise {
                    check_stmts(b, scopes)?;
                }
            }
            StmtKind::Loop { body, .. }
            | StmtKind::While { body, .. }
            | StmtKind::ForInt { body, .. }
            | StmtKind::ForRows { body, .. }
            | StmtKind::Foreach { body, .. } => check_stmts(body, scopes)?,
            _ => {}
        }
    }
    Ok(())
}

const STMT_END: &[&str] = &[];

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.toks.get(self.pos)
    }

    fn peek_at(&self, k: usize) -> Option<&Token> {
        self.toks.get(self.pos + k)
    }

    fn line(&self) -> usize {
        self.peek().or(self.toks.last()).map_or(1, |t| t.line)
    }

    fn error_at(&self, t: &Token) -> PgError {
        PgError::new(
            sqlstate::SYNTAX_ERROR,
            format!("syntax error at or near \"{}\"", &self.src[t.start..t.end]),
        )
    }

    fn error_here(&self) -> PgError {
        match self.peek() {
            Some(t) => self.error_at(t),
            None => PgError::new(sqlstate::SYNTAX_ERROR, "syntax error at end of input"),
        }
    }

    fn is(&self, w: &str) -> bool {
        self.peek().is_some_and(|t| t.is(w))
    }

    fn eat(&mut self, w: &str) -> bool {
        if self.is(w) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn eat_punct(&mut self, p: &str) -> bool {
        if self.peek().is_some_and(|t| t.is_punct(p)) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, w: &str) -> PgResult<()> {
        if self.eat(w) {
            Ok(())
        } else {
            Err(self.error_here())
        }
    }

    fn expect_punct(&mut self, p: &str) -> PgResult<()> {
        if self.eat_punct(p) {
            Ok(())
        } else {
            Err(self.error_here())
        }
    }

    fn ident(&mut self) -> PgResult<String> {
        match self.peek().and_then(|t| t.ident()) {
            Some(s) => {
                let s = s.to_owned();
                self.pos += 1;
                Ok(s)
            }
            None => Err(self.error_here()),
        }
    }

    /// A possibly qualified name `a.b` as one string.
    fn dotted(&mut self) -> PgResult<String> {
        let mut s = self.ident()?;
        while self.peek().is_some_and(|t| t.is_punct("."))
            && self.peek_at(1).is_some_and(|t| t.ident().is_some())
        {
            self.pos += 1;
            s.push('.');
            s += &self.ident()?;
        }
        Ok(s)
    }

    /// `<<label>>` before a block or loop.
    fn label(&mut self) -> PgResult<Option<String>> {
        if self.eat_punct("<<") {
            let l = self.ident()?;
            self.expect_punct(">>")?;
            return Ok(Some(l));
        }
        Ok(None)
    }

    /// Text up to (not including) the first top-level `;` or one of the
    /// `stops` words; errors if empty.
    fn until(&mut self, stops: &[&str]) -> PgResult<SqlText> {
        let start = self.pos;
        let mut depth = 0i32;
        while let Some(t) = self.peek() {
            if depth == 0 && (t.is_punct(";") || stops.iter().any(|s| t.is(s) || t.is_punct(s))) {
                break;
            }
            if t.is_punct("(") || t.is_punct("[") {
                depth += 1;
            } else if t.is_punct(")") || t.is_punct("]") {
                depth -= 1;
            } else if t.is("case") {
                depth += 1;
            } else if t.is("end") && depth > 0 {
                depth -= 1;
            }
            self.pos += 1;
        }
        if self.pos == start {
            return Err(self.error_here());
        }
        let (a, b) = (self.toks[start].start, self.toks[self.pos - 1].end);
        Ok(SqlText::new(self.src[a..b].to_owned()))
    }

    fn end_stmt(&mut self) -> PgResult<()> {
        self.expect_punct(";")
    }

    fn block(&mut self, label: Option<String>) -> PgResult<Block> {
        let line = self.line();
        let mut decls = Vec::new();
        if self.eat("declare") {
            while !self.is("begin") {
                if self.eat("declare") {
                    continue;
                }
                decls.push(self.decl()?);
            }
        }
        self.expect("begin")?;
        let body = self.stmts(&["exception", "end"])?;
        let handlers = if self.eat("exception") {
            let mut hs = Vec::new();
            while self.eat("when") {
                let mut conds = Vec::new();
                loop {
                    if self.eat("sqlstate") {
                        let t = self.peek().cloned().ok_or_else(|| self.error_here())?;
                        self.pos += 1;
                        conds.push(Cond::State(unquote(&self.src[t.start..t.end])));
                    } else {
                        let n = self.ident()?;
                        conds.push(if n == "others" {
                            Cond::Others
                        } else {
                            Cond::Name(n)
                        });
                    }
                    if !self.eat("or") {
                        break;
                    }
                }
                self.expect("then")?;
                let body = self.stmts(&["when", "end"])?;
                hs.push(Handler { conds, body });
            }
            Some(hs)
        } else {
            None
        };
        self.expect("end")?;
        if let Some(l) = &label {
            if let Some(n) = self.peek().and_then(|t| t.ident()) {
                if n != l {
                    return Err(self.error_here());
                }
                self.pos += 1;
            }
        }
        Ok(Block {
            label,
            decls,
            body,
            handlers,
            line,
        })
    }

    fn decl(&mut self) -> PgResult<Decl> {
        let line = self.line();
        let name = self.ident()?;
        let constant = self.eat("constant");
        let start = self.pos;
        let mut depth = 0;
        while let Some(t) = self.peek() {
            if depth == 0
                && (t.is_punct(";")
                    || t.is_punct(":=")
                    || t.is_punct("=")
                    || t.is("default")
                    || t.is("not")
                    || t.is("collate"))
            {
                break;
            }
            if t.is_punct("(") {
                depth += 1;
            } else if t.is_punct(")") {
                depth -= 1;
            }
            self.pos += 1;
        }
        if self.pos == start {
            return Err(self.error_here());
        }
        let text = &self.src[self.toks[start].start..self.toks[self.pos - 1].end];
        let lower = text.to_lowercase();
        let ty = if lower == "record" {
            TypeSpec::Record
        } else if let Some(t) = lower.strip_suffix("%rowtype") {
            TypeSpec::RowType(t.trim().to_owned())
        } else if let Some(t) = lower.strip_suffix("%type") {
            TypeSpec::TypeOf(t.trim().to_owned())
        } else {
            TypeSpec::Named(text.to_owned())
        };
        let mut not_null = false;
        if self.eat("collate") {
            self.ident()?;
        }
        if self.eat("not") {
            self.expect("null")?;
            not_null = true;
        }
        let default = if self.eat_punct(":=") || self.eat_punct("=") || self.eat("default") {
            Some(self.until(STMT_END)?)
        } else {
            None
        };
        self.end_stmt()?;
        if not_null && default.is_none() {
            return Err(PgError::new(
                sqlstate::SYNTAX_ERROR,
                format!(
                    "variable \"{name}\" must have a default value, since it's declared NOT NULL"
                ),
            ));
        }
        if constant && default.is_none() {
            return Err(PgError::new(
                sqlstate::SYNTAX_ERROR,
                format!(
                    "variable \"{name}\" must have a default value, since it's declared CONSTANT"
                ),
            ));
        }
        Ok(Decl {
            name,
            ty,
            constant,
            not_null,
            default,
            line,
        })
    }

    /// Statements until one of the `ends` words.
    fn stmts(&mut self, ends: &[&str]) -> PgResult<Vec<Stmt>> {
        let mut out = Vec::new();
        loop {
            match self.peek() {
                None => return Err(self.error_here()),
                Some(t) if ends.iter().any(|e| t.is(e)) => {
                    // `END IF` etc. never end a list of statements here:
                    // the caller checks what follows END.
                    return Ok(out);
                }
                _ => out.push(self.stmt()?),
            }
        }
    }

    fn loop_end(&mut self, label: &Option<String>) -> PgResult<()> {
        self.expect("end")?;
        self.expect("loop")?;
        if let Some(n) = self.peek().and_then(|t| t.ident()).map(str::to_owned) {
            if label.as_deref() != Some(n.as_str()) {
                return Err(self.error_here());
            }
            self.pos += 1;
        }
        self.end_stmt()
    }

    fn stmt(&mut self) -> PgResult<Stmt> {
        let line = self.line();
        let label = self.label()?;
        let kind = self.stmt_kind(label)?;
        Ok(Stmt { kind, line })
    }

    fn parse_into_targets(&mut self) -> PgResult<(Vec<String>, bool)> {
        let strict = self.eat("strict");
        let mut v = vec![self.dotted()?];
        while self.eat_punct(",") {
            v.push(self.dotted()?);
        }
        Ok((v, strict))
    }

    fn stmt_kind(&mut self, label: Option<String>) -> PgResult<StmtKind> {
        let t = self.peek().cloned().ok_or_else(|| self.error_here())?;
        let w = match &t.tok {
            Tok::Word(w) => w.clone(),
            Tok::Quoted(_) => String::new(),
            _ => return Err(self.error_at(&t)),
        };
        if label.is_some()
            && !matches!(
                w.as_str(),
                "declare" | "begin" | "loop" | "while" | "for" | "foreach"
            )
        {
            return Err(self.error_at(&t));
        }
        match w.as_str() {
            "declare" | "begin" => {
                let b = self.block(label)?;
                self.end_stmt()?;
                return Ok(StmtKind::Block(b));
            }
            "if" => {
                self.pos += 1;
                let mut arms = Vec::new();
                let c = self.until(&["then"])?;
                self.expect("then")?;
                let body = self.stmts(&["elsif", "elseif", "else", "end"])?;
                arms.push((c, body));
                let mut otherwise = None;
                loop {
                    if self.eat("elsif") || self.eat("elseif") {
                        let c = self.until(&["then"])?;
                        self.expect("then")?;
                        let body = self.stmts(&["elsif", "elseif", "else", "end"])?;
                        arms.push((c, body));
                    } else if self.eat("else") {
                        otherwise = Some(self.stmts(&["end"])?);
                    } else {
                        break;
                    }
                }
                self.expect("end")?;
                self.expect("if")?;
                self.end_stmt()?;
                return Ok(StmtKind::If { arms, otherwise });
            }
            "case" => {
                self.pos += 1;
                let subject = if self.is("when") {
                    None
                } else {
                    Some(self.until(&["when"])?)
                };
                let mut arms = Vec::new();
                while self.eat("when") {
                    let c = self.until(&["then"])?;
                    self.expect("then")?;
                    let body = self.stmts(&["when", "else", "end"])?;
                    arms.push((c, body));
                }
                let otherwise = if self.eat("else") {
                    Some(self.stmts(&["end"])?)
                } else {
                    None
                };
                self.expect("end")?;
                self.expect("case")?;
                self.end_stmt()?;
                return Ok(StmtKind::Case {
                    subject,
                    arms,
                    otherwise,
                });
            }
            "loop" => {
                self.pos += 1;
                let body = self.stmts(&["end"])?;
                self.loop_end(&label)?;
                return Ok(StmtKind::Loop { label, body });
            }
            "while" => {
                self.pos += 1;
                let cond = self.until(&["loop"])?;
                self.expect("loop")?;
                let body = self.stmts(&["end"])?;
                self.loop_end(&label)?;
                return Ok(StmtKind::While { label, cond, body });
            }
            "for" => {
                self.pos += 1;
                let mut targets = vec![self.dotted()?];
                while self.eat_punct(",") {
                    targets.push(self.dotted()?);
                }
                self.expect("in")?;
                let reverse = self.eat("reverse");
                // An integer range has `..` at the top level before LOOP.
                let mut depth = 0;
                let mut range = false;
                for t in &self.toks[self.pos..] {
                    if t.is_punct("(") {
                        depth += 1;
                    } else if t.is_punct(")") {
                        depth -= 1;
                    } else if depth == 0 && (t.is("loop") || t.is_punct(";")) {
                        break;
                    } else if depth == 0 && t.is_punct("..") {
                        range = true;
                        break;
                    }
                }
                if range {
                    if targets.len() != 1 || targets[0].contains('.') {
                        return Err(self.error_here());
                    }
                    let lo = self.until(&[".."])?;
                    self.expect_punct("..")?;
                    let hi = self.until(&["loop", "by"])?;
                    let by = if self.eat("by") {
                        Some(self.until(&["loop"])?)
                    } else {
                        None
                    };
                    self.expect("loop")?;
                    let body = self.stmts(&["end"])?;
                    self.loop_end(&label)?;
                    return Ok(StmtKind::ForInt {
                        label,
                        var: targets.remove(0),
                        reverse,
                        lo,
                        hi,
                        by,
                        body,
                    });
                }
                if reverse {
                    return Err(self.error_here());
                }
                let source = if self.eat("execute") {
                    let q = self.until(&["loop", "using"])?;
                    let using = if self.eat("using") {
                        self.expr_list(&["loop"])?
                    } else {
                        Vec::new()
                    };
                    RowSource::Execute(q, using)
                } else {
                    RowSource::Query(self.until(&["loop"])?)
                };
                self.expect("loop")?;
                let body = self.stmts(&["end"])?;
                self.loop_end(&label)?;
                return Ok(StmtKind::ForRows {
                    label,
                    targets,
                    source,
                    body,
                });
            }
            "foreach" => {
                self.pos += 1;
                let var = self.dotted()?;
                if self.eat("slice") {
                    return Err(PgError::new(
                        sqlstate::FEATURE_NOT_SUPPORTED,
                        "FOREACH ... SLICE is not supported yet",
                    ));
                }
                self.expect("in")?;
                self.expect("array")?;
                let array = self.until(&["loop"])?;
                self.expect("loop")?;
                let body = self.stmts(&["end"])?;
                self.loop_end(&label)?;
                return Ok(StmtKind::Foreach {
                    label,
                    var,
                    array,
                    body,
                });
            }
            "exit" | "continue" => {
                self.pos += 1;
                let is_continue = w == "continue";
                let label = if !self.is("when") && self.peek().and_then(|t| t.ident()).is_some() {
                    Some(self.ident()?)
                } else {
                    None
                };
                let when = if self.eat("when") {
                    Some(self.until(&[])?)
                } else {
                    None
                };
                self.end_stmt()?;
                return Ok(StmtKind::Exit {
                    is_continue,
                    label,
                    when,
                });
            }
            "return" => {
                self.pos += 1;
                if self.eat("next") {
                    let e = if self.is_end() {
                        None
                    } else {
                        Some(self.until(&[])?)
                    };
                    self.end_stmt()?;
                    return Ok(StmtKind::ReturnNext(e));
                }
                if self.eat("query") {
                    let src = if self.eat("execute") {
                        let q = self.until(&["using"])?;
                        let using = if self.eat("using") {
                            self.expr_list(&[])?
                        } else {
                            Vec::new()
                        };
                        RowSource::Execute(q, using)
                    } else {
                        RowSource::Query(self.until(&[])?)
                    };
                    self.end_stmt()?;
                    return Ok(StmtKind::ReturnQuery(src));
                }
                let e = if self.is_end() {
                    None
                } else {
                    Some(self.until(&[])?)
                };
                self.end_stmt()?;
                return Ok(StmtKind::Return(e));
            }
            "null" => {
                self.pos += 1;
                self.end_stmt()?;
                return Ok(StmtKind::Null);
            }
            "perform" => {
                self.pos += 1;
                let rest = self.until(&[])?;
                self.end_stmt()?;
                return Ok(StmtKind::Sql {
                    sql: SqlText::new(format!("SELECT {}", rest.text)),
                    into: None,
                    perform: true,
                });
            }
            "execute" => {
                self.pos += 1;
                let query = self.until(&["into", "using"])?;
                let mut into = None;
                let mut using = Vec::new();
                loop {
                    if self.eat("into") {
                        into = Some(self.parse_into_targets()?);
                    } else if self.eat("using") {
                        using = self.expr_list(&["into"])?;
                    } else {
                        break;
                    }
                }
                self.end_stmt()?;
                return Ok(StmtKind::Execute { query, into, using });
            }
            "get" => {
                self.pos += 1;
                let stacked = self.eat("stacked");
                if !stacked {
                    self.eat("current");
                }
                self.expect("diagnostics")?;
                let mut items = Vec::new();
                loop {
                    let v = self.dotted()?;
                    if !self.eat_punct(":=") {
                        self.expect_punct("=")?;
                    }
                    let item = self.ident()?;
                    let current = matches!(item.as_str(), "row_count" | "pg_context");
                    let stacked_item = matches!(
                        item.as_str(),
                        "returned_sqlstate"
                            | "message_text"
                            | "pg_exception_detail"
                            | "pg_exception_hint"
                            | "pg_exception_context"
                            | "column_name"
                            | "constraint_name"
                            | "pg_datatype_name"
                            | "table_name"
                            | "schema_name"
                    );
                    if !current && !stacked_item {
                        return Err(PgError::new(
                            sqlstate::SYNTAX_ERROR,
                            format!("unrecognized GET DIAGNOSTICS item at or near \"{item}\""),
                        ));
                    }
                    if stacked != stacked_item && item != "pg_context" {
                        return Err(PgError::new(
                            sqlstate::SYNTAX_ERROR,
                            format!(
                                "diagnostics item {} is not allowed in GET {} DIAGNOSTICS",
                                item.to_uppercase(),
                                if stacked { "STACKED" } else { "CURRENT" }
                            ),
                        ));
                    }
                    items.push((v, item));
                    if !self.eat_punct(",") {
                        break;
                    }
                }
                self.end_stmt()?;
                return Ok(StmtKind::GetDiag(items, stacked));
            }
            "raise" => {
                self.pos += 1;
                return self.raise();
            }
            "assert" => {
                self.pos += 1;
                let cond = self.until(&[","])?;
                let message = if self.eat_punct(",") {
                    Some(self.until(&[])?)
                } else {
                    None
                };
                self.end_stmt()?;
                return Ok(StmtKind::Assert { cond, message });
            }
            "commit" | "rollback" => {
                // COMMIT / ROLLBACK [AND [NO] CHAIN] (pl_gram.y's
                // opt_transaction_chain).
                self.pos += 1;
                let mut chain = false;
                if self.eat("and") {
                    chain = !self.eat("no");
                    self.expect("chain")?;
                }
                self.end_stmt()?;
                return Ok(StmtKind::Commit {
                    rollback: w == "rollback",
                    chain,
                });
            }
            _ => {}
        }
        // An assignment: name[.field][[subscript]] := expr.
        let mut k = 1;
        while self.peek_at(k).is_some_and(|t| t.is_punct("."))
            && self.peek_at(k + 1).is_some_and(|t| t.ident().is_some())
        {
            k += 2;
        }
        if t.ident().is_some()
            && self
                .peek_at(k)
                .is_some_and(|t| t.is_punct(":=") || t.is_punct("="))
        {
            let target = self.dotted()?;
            self.pos += 1;
            let expr = self.until(&[])?;
            self.end_stmt()?;
            return Ok(StmtKind::Assign { target, expr });
        }
        if t.ident().is_some() && self.peek_at(k).is_some_and(|t| t.is_punct("[")) {
            return Err(PgError::new(
                sqlstate::FEATURE_NOT_SUPPORTED,
                "assignment to an array element is not supported yet",
            ));
        }
        if matches!(
            w.as_str(),
            "select" | "insert" | "update" | "delete" | "with" | "values" | "table"
        ) {
            return self.sql_stmt(&w);
        }
        if matches!(
            w.as_str(),
            "create"
                | "drop"
                | "alter"
                | "truncate"
                | "grant"
                | "revoke"
                | "comment"
                | "lock"
                | "set"
                | "reset"
                | "notify"
                | "listen"
                | "analyze"
                | "call"
                | "savepoint"
                | "release"
                | "start"
                | "copy"
                | "show"
                | "discard"
        ) {
            return self.sql_stmt(&w);
        }
        Err(self.error_at(&t))
    }

    fn is_end(&self) -> bool {
        self.peek().is_none_or(|t| t.is_punct(";"))
    }

    /// Comma-separated expressions up to `;` or one of `stops`.
    fn expr_list(&mut self, stops: &[&str]) -> PgResult<Vec<SqlText>> {
        let mut st: Vec<&str> = stops.to_vec();
        st.push(",");
        let mut v = vec![self.until(&st)?];
        while self.eat_punct(",") {
            v.push(self.until(&st)?);
        }
        Ok(v)
    }

    /// A SQL statement, its INTO clause (if any) cut out.
    fn sql_stmt(&mut self, first: &str) -> PgResult<StmtKind> {
        let start = self.pos;
        let mut depth = 0i32;
        let mut into: Option<(usize, usize, (Vec<String>, bool))> = None;
        let mut seen_insert_into = first != "insert";
        while let Some(t) = self.peek() {
            if depth == 0 && t.is_punct(";") {
                break;
            }
            if t.is_punct("(") || t.is_punct("[") {
                depth += 1;
            } else if t.is_punct(")") || t.is_punct("]") {
                depth -= 1;
            }
            if depth == 0 && t.is("into") {
                if !seen_insert_into {
                    seen_insert_into = true;
                } else if into.is_none() {
                    let a = t.start;
                    self.pos += 1;
                    let targets = self.parse_into_targets()?;
                    let b = self.toks[self.pos - 1].end;
                    into = Some((a, b, targets));
                    continue;
                }
            }
            self.pos += 1;
        }
        if self.pos == start {
            return Err(self.error_here());
        }
        let (a, b) = (self.toks[start].start, self.toks[self.pos - 1].end);
        let text = match &into {
            Some((x, y, _)) => format!("{} {}", &self.src[a..*x], &self.src[*y..b]),
            None => self.src[a..b].to_owned(),
        };
        self.end_stmt()?;
        Ok(StmtKind::Sql {
            sql: SqlText::new(text.trim().to_owned()),
            into: into.map(|x| x.2),
            perform: false,
        })
    }

    fn raise(&mut self) -> PgResult<StmtKind> {
        let mut level = "exception".to_owned();
        for l in ["debug", "log", "info", "notice", "warning", "exception"] {
            if self.eat(l) {
                level = l.to_owned();
                break;
            }
        }
        let mut cond = None;
        let mut format = None;
        let mut args = Vec::new();
        if let Some(t) = self.peek().cloned() {
            if t.tok == Tok::Other && self.src[t.start..t.end].starts_with(['\'', 'e', 'E']) {
                self.pos += 1;
                format = Some(unquote_any(&self.src[t.start..t.end]));
                while self.eat_punct(",") {
                    args.push(self.until(&[",", "using"])?);
                }
            } else if self.eat("sqlstate") {
                let t = self.peek().cloned().ok_or_else(|| self.error_here())?;
                self.pos += 1;
                cond = Some(Cond::State(unquote(&self.src[t.start..t.end])));
            } else if !self.is("using") && t.ident().is_some() {
                cond = Some(Cond::Name(self.ident()?));
            }
        }
        let mut options = Vec::new();
        if self.eat("using") {
            loop {
                let name = self.ident()?;
                if !self.eat_punct(":=") {
                    self.expect_punct("=")?;
                }
                let expr = self.until(&[","])?;
                options.push(RaiseOpt { name, expr });
                if !self.eat_punct(",") {
                    break;
                }
            }
        }
        self.end_stmt()?;
        if let Some(f) = &format {
            let n = count_placeholders(f);
            if n > args.len() {
                return Err(PgError::new(
                    sqlstate::SYNTAX_ERROR,
                    "too few parameters specified for RAISE",
                ));
            }
            if n < args.len() {
                return Err(PgError::new(
                    sqlstate::SYNTAX_ERROR,
                    "too many parameters specified for RAISE",
                ));
            }
        }
        Ok(StmtKind::Raise {
            level,
            cond,
            format,
            args,
            options,
        })
    }
}

/// The `%` placeholders of a RAISE format (`%%` is a literal `%`).
pub fn count_placeholders(f: &str) -> usize {
    let mut n = 0;
    let mut it = f.chars().peekable();
    while let Some(c) = it.next() {
        if c == '%' {
            if it.peek() == Some(&'%') {
                it.next();
            } else {
                n += 1;
            }
        }
    }
    n
}

/// A string literal's value: '...', E'...' or $tag$...$tag$.
pub fn unquote_any(s: &str) -> String {
    let s = s.trim();
    if let Some(rest) = s.strip_prefix(['e', 'E']) {
        let inner = rest.trim_start_matches('\'').trim_end_matches('\'');
        let mut out = String::new();
        let mut it = inner.chars();
        while let Some(c) = it.next() {
            if c == '\\' {
                match it.next() {
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    Some('r') => out.push('\r'),
                    Some(o) => out.push(o),
                    None => {}
                }
            } else if c == '\'' {
                // '' inside
                it.next();
                out.push('\'');
            } else {
                out.push(c);
            }
        }
        return out;
    }
    if let Some(rest) = s.strip_prefix('$') {
        if let Some(i) = rest.find('$') {
            let tag = &s[..i + 2];
            return s[tag.len()..s.len() - tag.len()].to_owned();
        }
    }
    unquote(s)
}

/// A string literal's value (for SQLSTATE 'xxxxx' and RAISE formats).
pub fn unquote(s: &str) -> String {
    let s = s.trim();
    if let Some(inner) = s.strip_prefix('\'').and_then(|x| x.strip_suffix('\'')) {
        return inner.replace("''", "'");
    }
    s.to_owned()
}
