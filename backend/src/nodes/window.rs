//! Window function trees (PostgreSQL's WindowFunc and WindowClause): a
//! call with its window (PARTITION BY, ORDER BY and frame) resolved, and
//! what a WindowAgg plan node computes.

use crate::fmgr::window::WindowFuncKind;
use crate::nodes::expr::Expr;
use crate::types::Oid;
use crate::utils::adt::agg::SortSpec;

/// What a frame's offsets count: rows, ORDER BY values, or peer groups.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameUnits {
    Rows,
    Range,
    Groups,
}

/// One end of a frame. Offsets are int8 for ROWS and GROUPS; for RANGE
/// they have the type `in_range` takes for the ORDER BY column.
#[derive(Clone, Debug, PartialEq)]
pub enum FrameBound {
    UnboundedPreceding,
    Preceding(Expr),
    CurrentRow,
    Following(Expr),
    UnboundedFollowing,
}

/// What a frame's EXCLUDE clause leaves out of each row's frame (EXCLUDE
/// NO OTHERS, the default, is None).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameExclusion {
    /// The row itself.
    CurrentRow,
    /// The row and its peers.
    Group,
    /// The row's peers, not the row.
    Ties,
}

/// A window frame.
#[derive(Clone, Debug, PartialEq)]
pub struct Frame {
    pub units: FrameUnits,
    pub start: FrameBound,
    pub end: FrameBound,
    pub exclude: Option<FrameExclusion>,
}

impl Frame {
    /// PostgreSQL's default: RANGE UNBOUNDED PRECEDING to CURRENT ROW
    /// (the whole partition when there is no ORDER BY: every row is a
    /// peer of every other).
    pub fn default_frame() -> Frame {
        Frame {
            units: FrameUnits::Range,
            start: FrameBound::UnboundedPreceding,
            end: FrameBound::CurrentRow,
            exclude: None,
        }
    }
}

/// A window: its partitioning, ordering and frame, over the rows the
/// window stage reads (the FROM rows, or the grouped rows).
#[derive(Clone, Debug, PartialEq)]
pub struct WindowDef {
    pub partition: Vec<Expr>,
    pub order: Vec<(Expr, SortSpec)>,
    pub frame: Frame,
}

/// A window function call: a built-in window function or an aggregate
/// over its frame.
#[derive(Clone, Debug, PartialEq)]
pub struct WindowFunc {
    pub kind: WindowFuncKind,
    pub args: Vec<Expr>,
    /// FILTER (WHERE ...) of an aggregate.
    pub filter: Option<Expr>,
    pub ty: Oid,
    pub window: WindowDef,
}

/// What one WindowAgg node computes: the functions over one window, each
/// appended to the row.
#[derive(Clone, Debug)]
pub struct WindowAggPlan {
    /// Columns of the input passed through (key columns appended below
    /// for sorting are dropped).
    pub pass: usize,
    /// The partition and ordering keys: columns of the input.
    pub partition: Vec<usize>,
    pub order: Vec<(usize, SortSpec)>,
    pub frame: Frame,
    /// The calls (args and filters over the input row).
    pub funcs: Vec<WindowFunc>,
}
