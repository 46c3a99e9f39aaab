//! Turkish domain knowledge, below both mapping and validation so that neither has to
//! import the other for it: case rules, numbers written `1.234,56`, date forms and
//! Excel serials, and the identity/bank/contact checks (VKN, TCKN, IBAN, phone…).

pub mod case;
pub mod checks;
mod codes;
pub mod date;
pub mod number;
