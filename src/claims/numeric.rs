//! The registered time claims as a JSON document has them: shared by the claims check and its
//! fast scan.

/// A registered time claim as the JSON had it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Numeric {
    Number(f64),
    NotANumber,
}

/// The top-level time claims; `None` for a claim that is absent. The last duplicate wins.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct TimeClaims {
    pub(crate) exp: Option<Numeric>,
    pub(crate) nbf: Option<Numeric>,
    pub(crate) iat: Option<Numeric>,
}
