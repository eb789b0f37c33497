//! PL/pgSQL's exception condition names and their SQLSTATEs (a part of
//! PostgreSQL's plerrcodes.h), and how a handler's condition matches an
//! error: by code, or by class for a name whose code ends in `000`.

use std::collections::BTreeSet;
use std::sync::Mutex;

use super::parse::Cond;

const NAMES: &[(&str, &str)] = &[
    ("sql_statement_not_yet_complete", "03000"),
    ("feature_not_supported", "0A000"),
    ("cardinality_violation", "21000"),
    ("data_exception", "22000"),
    ("string_data_right_truncation", "22001"),
    ("null_value_no_indicator_parameter", "22002"),
    ("numeric_value_out_of_range", "22003"),
    ("null_value_not_allowed", "22004"),
    ("error_in_assignment", "22005"),
    ("invalid_datetime_format", "22007"),
    ("datetime_field_overflow", "22008"),
    ("division_by_zero", "22012"),
    ("character_not_in_repertoire", "22021"),
    ("invalid_parameter_value", "22023"),
    ("invalid_text_representation", "22P02"),
    ("integrity_constraint_violation", "23000"),
    ("restrict_violation", "23001"),
    ("not_null_violation", "23502"),
    ("foreign_key_violation", "23503"),
    ("unique_violation", "23505"),
    ("check_violation", "23514"),
    ("exclusion_violation", "23P01"),
    ("invalid_cursor_state", "24000"),
    ("invalid_transaction_state", "25000"),
    ("active_sql_transaction", "25001"),
    ("read_only_sql_transaction", "25006"),
    ("no_active_sql_transaction", "25P01"),
    ("in_failed_sql_transaction", "25P02"),
    ("invalid_transaction_termination", "2D000"),
    ("invalid_cursor_name", "34000"),
    ("transaction_rollback", "40000"),
    ("serialization_failure", "40001"),
    ("deadlock_detected", "40P01"),
    ("syntax_error_or_access_rule_violation", "42000"),
    ("syntax_error", "42601"),
    ("insufficient_privilege", "42501"),
    ("undefined_column", "42703"),
    ("undefined_function", "42883"),
    ("undefined_table", "42P01"),
    ("undefined_parameter", "42P02"),
    ("undefined_object", "42704"),
    ("duplicate_column", "42701"),
    ("duplicate_function", "42723"),
    ("duplicate_table", "42P07"),
    ("duplicate_object", "42710"),
    ("duplicate_cursor", "42P03"),
    ("ambiguous_column", "42702"),
    ("datatype_mismatch", "42804"),
    ("wrong_object_type", "42809"),
    ("invalid_function_definition", "42P13"),
    ("program_limit_exceeded", "54000"),
    ("object_not_in_prerequisite_state", "55000"),
    ("object_in_use", "55006"),
    ("lock_not_available", "55P03"),
    ("operator_intervention", "57000"),
    ("query_canceled", "57014"),
    ("plpgsql_error", "P0000"),
    ("raise_exception", "P0001"),
    ("no_data_found", "P0002"),
    ("too_many_rows", "P0003"),
    ("assert_failure", "P0004"),
    ("internal_error", "XX000"),
];

/// The SQLSTATE of a condition name.
pub fn code_of(name: &str) -> Option<&'static str> {
    NAMES
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, c)| *c)
}

static CODES: Mutex<BTreeSet<&'static str>> = Mutex::new(BTreeSet::new());

/// A SQLSTATE given as text, as the `'static` code errors carry (each
/// distinct user code is kept once for the life of the process).
pub fn intern(code: &str) -> &'static str {
    if let Some((_, c)) = NAMES.iter().find(|(_, c)| *c == code) {
        return c;
    }
    let mut set = CODES.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(c) = set.get(code) {
        return c;
    }
    let c: &'static str = Box::leak(code.to_owned().into_boxed_str());
    set.insert(c);
    c
}

/// Whether a handler's condition catches an error with `code`.
pub fn matches(c: &Cond, code: &str) -> bool {
    let by_code = |want: &str| {
        if want.ends_with("000") && want != "00000" {
            code.get(..2) == want.get(..2)
        } else {
            want == code
        }
    };
    match c {
        // OTHERS catches all but cancellation and assertion failures.
        Cond::Others => code != "57014" && code != "P0004",
        Cond::Name(n) => code_of(n).is_some_and(by_code),
        Cond::State(s) => s == code,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_classes() {
        assert_eq!(code_of("division_by_zero"), Some("22012"));
        assert!(matches(&Cond::Name("data_exception".into()), "22012"));
        assert!(!matches(&Cond::Name("unique_violation".into()), "23502"));
        assert!(!matches(&Cond::Others, "57014"));
        assert_eq!(intern("U0001"), intern("U0001"));
    }
}
