//! Board reporting: the board report, SPC early warning, KO41a, the annual report and the
//! printable board pack. Aggregates only; counts below the suppression threshold are hidden
//! from the board role, and no free text from cases appears.

pub mod annual;

pub mod board;
/// The board report's figures as shown, with complementary suppression.
pub mod board_figures;

pub mod candour;
/// Complementary suppression: hiding enough that no small count can be worked out.
pub mod complement;

pub mod evidence;

pub mod feedback;

pub mod ko41a;
/// The KO41a return as the board role sees it.
pub mod ko41a_shown;

pub mod pack;

pub mod period;

pub mod restatement;

pub mod spc;

pub mod suppress;

pub mod svg;

pub mod tree;

pub mod well_founded;
