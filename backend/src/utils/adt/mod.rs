//! Built-in operators, casts, type coercion rules, aggregate transition
//! states and regular expressions: pure functions of values, as in
//! PostgreSQL's src/backend/utils/adt. None of them sees a session.

pub mod agg;
pub mod arrays;
pub mod coerce;
pub mod datetime_format;
pub mod datetime_parse;
pub mod dch_template;
pub mod format;
pub mod jsonpath_exec;
pub mod jsonpath_pred;
pub mod like;
pub mod num_format;
pub mod ops;
pub mod ordered_set;
pub mod quote;
pub mod regex;
pub mod timenet;
pub mod variance;
